// The audit of an archive package. Built to stay fast and small for large packages: the XML is
// read as a stream (never a tree), every file is read once into a reused buffer and hashed once
// (its seal's digest shares the pass), files are checked on all cores, and what is kept per file
// is one compact entry (~150 bytes: its name, binary digests, size, line) until the end.
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <memory>
#include <array>
#include <cstdio>
#include <optional>
#include <tuple>
#include <set>
#include <thread>
#include <unordered_map>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::archive {
namespace {

using Digest = std::array<unsigned char, 32>;

// The binary form of a hex SHA-256; nothing if `hex` is not one.
std::string hexDigest(const Digest& d) {
    return text::hex(d.data(), d.size());
}

std::optional<Digest> parseDigest(const std::string& hex) {
    const auto bytes = text::fromHex(hex);
    if (!bytes || bytes->size() != 32)
        return std::nullopt;
    Digest d{};
    std::copy(bytes->begin(), bytes->end(), d.begin());
    return d;
}

// What was found reading one file (the checks compare it with the rest afterwards).
struct FileResult {
    enum class Seal : unsigned char { NotChecked, None, Broken, Appended, Valid, TooLarge };
    Digest sha{};
    std::uint64_t size = 0;
    bool readable = false;
    Seal seal = Seal::NotChecked;
    std::string sealProblem;
};

// Sealed documents are read whole (the seal check needs them so); no document this project
// seals comes near this. Other files are hashed in pieces.
constexpr std::uint64_t kMaxSealedSize = 64u << 20;

// Reads one file of the package: SHA-256 and size, and for a PDF in dokumenter/ its seal.
FileResult readPackageFile(const std::string& path, bool pdf, documents::SealVerifier& seals,
                           std::string& buffer, EVP_MD_CTX* md) {
    FileResult r;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return r;
    if (pdf && static_cast<std::uint64_t>(st.st_size) <= kMaxSealedSize) {
        if (!documents::readFileInto(path, buffer))
            return r;
        std::string sha;
        const documents::SealCheck check = seals.check(buffer, &sha);
        r.sha = parseDigest(sha).value_or(Digest{});
        r.size = buffer.size();
        r.readable = true;
        r.seal = !check.sealed       ? FileResult::Seal::None
                 : !check.valid      ? FileResult::Seal::Broken
                 : !check.wholeDocument ? FileResult::Seal::Appended
                                     : FileResult::Seal::Valid;
        if (r.seal == FileResult::Seal::Broken)
            r.sealProblem = check.problem;
        return r;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return r;
    buffer.resize(1u << 16);  // 64 KiB reads hash at full speed; more only costs zeroing
    EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
    ssize_t n = 0;
    while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
        EVP_DigestUpdate(md, buffer.data(), static_cast<std::size_t>(n));
        r.size += static_cast<std::uint64_t>(n);
    }
    ::close(fd);
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, r.sha.data(), &len);
    r.readable = n == 0;
    if (pdf)
        r.seal = FileResult::Seal::TooLarge;
    return r;
}

// Everything known of one file name, from the folder, the manifest and arkivstruktur.xml.
struct Entry {
    Digest manifestSha{};    // valid if inManifest and manifestShaValid
    Digest sjekksum{};       // valid if sjekksumValid
    std::uint64_t size = 0;  // the filstoerrelse
    std::uint32_t xmlLine = 0;
    std::uint32_t references = 0;  // document objects naming the file
    bool present = false, inManifest = false, manifestShaValid = false, sjekksumValid = false,
         sizeValid = false, main = true;
    const char* irregular = nullptr;  // what it is when it is neither a file nor a folder
};
using Entries = std::unordered_map<std::string, Entry>;

// What a directory entry is when it is neither a regular file nor a folder; null when it is one.
const char* irregularKind(mode_t mode) {
    if (S_ISREG(mode) || S_ISDIR(mode))
        return nullptr;
    if (S_ISLNK(mode))
        return "a symbolic link";
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISSOCK(mode))
        return "a socket";
    return "a device";
}

// Every file below `base` (which ends in '/'), as present entries named relative to it; links
// and other entries that are not regular files are marked and never followed.
void listFiles(const std::string& base, const std::string& rel, Entries& out) {
    for (Poco::DirectoryIterator it(base + rel), end; it != end; ++it) {
        const std::string name = rel.empty() ? it.name() : rel + "/" + it.name();
        struct stat st {};
        if (::lstat((base + name).c_str(), &st) != 0)
            continue;
        if (const char* kind = irregularKind(st.st_mode))
            out[name].irregular = kind;
        else if (S_ISDIR(st.st_mode))
            listFiles(base, name, out);
        else
            out[name].present = true;
    }
}

// A systemID and where it is; UUIDs (all this project writes) are kept as 16 bytes.
struct SystemId {
    std::uint64_t high = 0, low = 0;
    std::uint32_t line = 0;
};

// Reads arkivstruktur.xml as a stream: every document object into `entries`, every systemID
// into `ids` (others than UUIDs into `otherIds`). False if it is not well-formed.
bool readArkivstruktur(const std::string& path, Entries& entries, std::vector<SystemId>& ids,
                       std::vector<std::pair<std::string, int>>& otherIds) {
    xmlTextReaderPtr r = xmlReaderForFile(
        path.c_str(), nullptr,
        XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r)
        return false;
    std::string element, role = "Hoveddokument", file, sha, size;
    bool inObject = false;
    int objectLine = 0, rc;
    while ((rc = xmlTextReaderRead(r)) == 1) {
        const int type = xmlTextReaderNodeType(r);
        const char* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(r));
        if (type == XML_READER_TYPE_ELEMENT) {
            element = name ? name : "";
            if (element == "dokumentobjekt") {
                inObject = true;
                file.clear();
                sha.clear();
                size.clear();
                objectLine = xmlTextReaderGetParserLineNumber(r);
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (name && std::strcmp(name, "dokumentobjekt") == 0) {
                inObject = false;
                Entry& e = entries[file];
                if (e.references++ == 0) {
                    e.xmlLine = static_cast<std::uint32_t>(objectLine);
                    e.main = role == "Hoveddokument";
                    const auto d = parseDigest(sha);
                    e.sjekksumValid = d.has_value();
                    if (d)
                        e.sjekksum = *d;
                    char* endOfNumber = nullptr;
                    e.size = std::strtoull(size.c_str(), &endOfNumber, 10);
                    e.sizeValid = !size.empty() && *endOfNumber == '\0';
                }
            }
            element.clear();
        } else if (type == XML_READER_TYPE_TEXT) {
            const char* v = reinterpret_cast<const char*>(xmlTextReaderConstValue(r));
            const std::string value = v ? v : "";
            if (element == "systemID") {
                const int line = xmlTextReaderGetParserLineNumber(r);
                std::string hex = value;
                hex.erase(std::remove(hex.begin(), hex.end(), '-'), hex.end());
                const auto uuid = value.size() == 36 ? text::fromHex(hex) : std::nullopt;
                if (uuid && uuid->size() == 16) {
                    SystemId id;
                    for (std::size_t i = 0; i < 8; ++i) {
                        id.high = id.high << 8 | static_cast<unsigned char>((*uuid)[i]);
                        id.low = id.low << 8 | static_cast<unsigned char>((*uuid)[i + 8]);
                    }
                    id.line = static_cast<std::uint32_t>(line);
                    ids.push_back(id);
                } else {
                    otherIds.push_back({value, line});
                }
            } else if (element == "tilknyttetRegistreringSom") {
                role = value;
            } else if (inObject && element == "referanseDokumentfil") {
                file = value;
            } else if (inObject && element == "sjekksum") {
                sha = value;
            } else if (inObject && element == "filstoerrelse") {
                size = value;
            }
        }
    }
    xmlFreeTextReader(r);
    return rc == 0;
}

}  // namespace

std::vector<Finding> auditPackage(const std::string& dir, const SchemaFiles& schemas,
                                  const std::function<void(std::size_t, std::size_t)>& progress,
                                  const std::string& sealCertificateSha256) {
    std::vector<Finding> findings;
    const auto find = [&](const std::string& where, const std::string& what) {
        findings.push_back({where, what});
    };
    if (!Poco::File(dir).exists() || !Poco::File(dir).isDirectory())
        return {{dir, "no such package folder"}};
    Poco::Path folder(dir);
    folder.makeDirectory();
    folder.makeAbsolute();
    const std::string base = folder.toString();
    Entries entries;
    listFiles(base, "", entries);
    const auto isPresent = [&](const std::string& name) {
        const auto e = entries.find(name);
        return e != entries.end() && e->second.present;
    };

    // Every present file is read once, on every core, while this thread reads the manifest and
    // arkivstruktur.xml. The workers see only the names: keys of an unordered_map stay where
    // they are while other entries are added.
    std::vector<const std::string*> files;
    files.reserve(entries.size());
    for (const auto& [name, e] : entries)
        if (e.present)
            files.push_back(&name);
    std::sort(files.begin(), files.end(),
              [](const std::string* a, const std::string* b) { return *a < *b; });
    std::vector<FileResult> results(files.size());
    std::atomic<std::size_t> next{0};
    const auto work = [&](bool reports) {
        documents::SealVerifier seals;
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(),
                                                                   &EVP_MD_CTX_free);
        std::string buffer;
        for (std::size_t i; (i = next++) < files.size();) {
            if (reports && progress && i % 256 == 0)
                progress(i, files.size());
            const std::string& rel = *files[i];
            const bool pdf = rel.rfind("dokumenter/", 0) == 0 && rel.size() > 4 &&
                             rel.compare(rel.size() - 4, 4, ".pdf") == 0;
            results[i] = readPackageFile(base + rel, pdf, seals, buffer, md.get());
        }
    };
    std::vector<std::thread> workers;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 1; t < cores; ++t) workers.emplace_back(work, false);

    // The manifest.
    if (!isPresent("manifest.sha256")) {
        find("manifest.sha256", "missing");
    } else {
        std::ifstream in(base + "manifest.sha256");
        int lineNo = 0;
        for (std::string line; std::getline(in, line);) {
            ++lineNo;
            if (line.size() < 67 || line.compare(64, 2, "  ") != 0) {
                find("manifest.sha256:" + std::to_string(lineNo), "not a sha256sum line");
                continue;
            }
            const std::string file = line.substr(66);
            Entry& e = entries[file];
            if (e.inManifest) {
                find("manifest.sha256:" + std::to_string(lineNo), file + " is listed twice");
                continue;
            }
            e.inManifest = true;
            const auto d = parseDigest(line.substr(0, 64));
            e.manifestShaValid = d.has_value();
            if (d)
                e.manifestSha = *d;
            if (!e.present)
                find(file, "listed in manifest.sha256 but missing");
        }
    }

    // The manifest's signature: without it, anyone could edit a file and hash the package again.
    if (!isPresent(kManifestSignatureFile)) {
        find(kManifestSignatureFile,
             "missing: the manifest is not signed, so an edited and re-hashed package would "
             "not be noticed");
    } else if (isPresent(kManifestFile)) {
        const auto manifest = documents::tryReadFile(base + kManifestFile);
        const auto signature = documents::tryReadFile(base + kManifestSignatureFile);
        const documents::DetachedCheck check =
            documents::verifyDetached(manifest.value_or(""), signature.value_or(""));
        if (!check.valid)
            find(kManifestSignatureFile, "the manifest's signature is not valid (" +
                                             check.problem + "): the package was changed after "
                                             "it was written");
        else if (!sealCertificateSha256.empty() &&
                 check.certificateSha256 != sealCertificateSha256)
            find(kManifestSignatureFile,
                 "signed by \"" + check.signer + "\" (certificate SHA-256 " +
                     check.certificateSha256 + "), not by the seal expected (" +
                     sealCertificateSha256 + ")");
    }

    // What arkivstruktur.xml says of each file.
    std::vector<SystemId> ids;
    std::vector<std::pair<std::string, int>> otherIds;
    const bool haveXml = isPresent("arkivstruktur.xml");
    if (!haveXml) {
        find("arkivstruktur.xml", "missing");
    } else if (!readArkivstruktur(base + "arkivstruktur.xml", entries, ids, otherIds)) {
        find("arkivstruktur.xml", "not well-formed XML");
    }
    work(true);
    for (auto& w : workers) w.join();
    if (progress)
        progress(files.size(), files.size());

    std::size_t documentObjects = 0;
    for (const auto& [name, e] : entries) {
        if (e.irregular)
            find(name, std::string(e.irregular) +
                           ", not a file: a package holds only regular files (not followed)");
        documentObjects += e.references;
        const std::string at = "arkivstruktur.xml:" + std::to_string(e.xmlLine);
        if (e.references > 1)
            find(name, "referenced " + std::to_string(e.references) + " times in arkivstruktur.xml");
        if (e.references > 0 && !e.present)
            find(name, "referenced at " + at + " but missing");
    }
    std::string arkivstrukturSha;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string& rel = *files[i];
        const Entry& e = entries.at(rel);
        const FileResult& r = results[i];
        if (!r.readable) {
            find(rel, "cannot be read");
            continue;
        }
        if (rel == "arkivstruktur.xml")
            arkivstrukturSha = hexDigest(r.sha);
        if (rel == kManifestFile || rel == kManifestSignatureFile)
            continue;
        if (!e.inManifest)
            find(rel, "not listed in manifest.sha256");
        else if (!e.manifestShaValid || e.manifestSha != r.sha)
            find(rel, "its SHA-256 differs from manifest.sha256");
        if (r.size == 0)
            find(rel, "empty file");
        if (e.references == 0) {
            if (rel.rfind("dokumenter/", 0) == 0)
                find(rel, "not referenced in arkivstruktur.xml");
            continue;
        }
        const std::string at = "arkivstruktur.xml:" + std::to_string(e.xmlLine);
        if (!e.sjekksumValid || e.sjekksum != r.sha)
            find(rel, "its SHA-256 differs from the sjekksum at " + at);
        if (!e.sizeValid || e.size != r.size)
            find(rel, "its size differs from the filstoerrelse at " + at);
        if (!e.main)
            continue;  // attachments (scans of paper signatures) are not sealed
        switch (r.seal) {
        case FileResult::Seal::NotChecked:
        case FileResult::Seal::None:
            find(rel, "not sealed");
            break;
        case FileResult::Seal::Broken:
            find(rel, "the seal is broken: " + r.sealProblem);
            break;
        case FileResult::Seal::Appended:
            find(rel, "the seal is broken: bytes were added after sealing");
            break;
        case FileResult::Seal::TooLarge:
            find(rel, "too large for its seal to be checked (" + std::to_string(r.size) +
                          " bytes)");
            break;
        case FileResult::Seal::Valid:
            break;
        }
    }

    // systemIDs used twice.
    std::sort(ids.begin(), ids.end(), [](const SystemId& a, const SystemId& b) {
        return std::tie(a.high, a.low, a.line) < std::tie(b.high, b.low, b.line);
    });
    for (std::size_t i = 1; i < ids.size(); ++i)
        if (ids[i].high == ids[i - 1].high && ids[i].low == ids[i - 1].low) {
            char text[40];
            std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx",
                          static_cast<unsigned long long>(ids[i].high >> 32),
                          static_cast<unsigned long long>(ids[i].high >> 16 & 0xffff),
                          static_cast<unsigned long long>(ids[i].high & 0xffff),
                          static_cast<unsigned long long>(ids[i].low >> 48),
                          static_cast<unsigned long long>(ids[i].low & 0xffffffffffffULL));
            find("arkivstruktur.xml:" + std::to_string(ids[i].line),
                 std::string("systemID ") + text + " is used twice");
        }
    std::sort(otherIds.begin(), otherIds.end());
    for (std::size_t i = 1; i < otherIds.size(); ++i)
        if (otherIds[i].first == otherIds[i - 1].first)
            find("arkivstruktur.xml:" + std::to_string(otherIds[i].second),
                 "systemID " + otherIds[i].first + " is used twice");

    // The XML against the schemas.
    for (const auto& [file, xsd] : {std::pair<const char*, const char*>{"arkivstruktur.xml",
                                                                        "arkivstruktur.xsd"},
                                    std::pair<const char*, const char*>{"arkivuttrekk.xml",
                                                                        "addml.xsd"}}) {
        const std::string main = xsd;  // a lambda cannot capture a structured binding (C++17)
        const bool inSet = std::any_of(schemas.begin(), schemas.end(),
                                       [&](const auto& s) { return s.first == main; });
        if (isPresent(file) && (inSet || file == std::string("arkivstruktur.xml")))
            for (const auto& p : validateXmlFile(base + file, file, schemas, xsd)) find(file, p);
    }

    // The ADDML's count of document files and its checksum of arkivstruktur.xml.
    if (!isPresent("arkivuttrekk.xml")) {
        find("arkivuttrekk.xml", "missing");
    } else if (haveXml) {
        const std::string addml = documents::tryReadFile(base + "arkivuttrekk.xml").value_or("");
        // The text of the first <value> after `marker`, searching from `from`.
        const auto valueAfter = [&](const std::string& marker, std::size_t from) -> std::string {
            const auto at = addml.find(marker, from);
            const auto v = at == std::string::npos ? at : addml.find("<value>", at);
            const auto e = v == std::string::npos ? v : addml.find("</value>", v);
            return e == std::string::npos ? std::string() : addml.substr(v + 7, e - v - 7);
        };
        const std::string count = valueAfter("name=\"antallDokumentfiler\"", 0);
        if (count != std::to_string(documentObjects))
            find("arkivuttrekk.xml",
                 "antallDokumentfiler is " + (count.empty() ? std::string("missing") : count) +
                     ", but arkivstruktur.xml has " + std::to_string(documentObjects) +
                     " document objects");
        const auto described = addml.find("<value>arkivstruktur.xml</value>");
        const auto checksum =
            described == std::string::npos ? described : addml.find("name=\"checksum\"", described);
        if (checksum == std::string::npos)
            find("arkivuttrekk.xml", "does not give a checksum of arkivstruktur.xml");
        else if (valueAfter("name=\"value\"", checksum) != arkivstrukturSha)
            find("arkivuttrekk.xml", "its checksum of arkivstruktur.xml differs from the file");
    }
    std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.where, a.what) < std::tie(b.where, b.what);
    });
    return findings;
}

}  // namespace avtaleflyt::archive
