// The audit of an archive package. Built to stay fast and small for large packages: the XML is
// read as a stream (never a tree), every file is read once into a reused buffer and hashed once
// (its seal's digest shares the pass), files are checked on all cores, and what is kept per file
// is one compact entry (~150 bytes: its name, binary digests, size, line) until the end.
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <array>
#include <optional>
#include <tuple>
#include <thread>
#include <unordered_map>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/archive/PackageReader.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::archive {
namespace {

std::string hexDigest(const Digest& d) {
    return text::hex(d.data(), d.size());
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
void listFiles(const std::string& base, const std::string& rel, PackageEntries& out) {
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
    PackageEntries entries;
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
    const std::string manifest =
        isPresent(kManifestFile) ? documents::tryReadFile(base + kManifestFile).value_or("") : "";
    if (!isPresent(kManifestFile)) {
        find("manifest.sha256", "missing");
    } else {
        readManifest(manifest, entries, findings);
    }

    // The manifest's signature: without it, anyone could edit a file and hash the package again.
    if (!isPresent(kManifestSignatureFile)) {
        find(kManifestSignatureFile,
             "missing: the manifest is not signed, so an edited and re-hashed package would "
             "not be noticed");
    } else if (isPresent(kManifestFile)) {
        const auto signature = documents::tryReadFile(base + kManifestSignatureFile);
        const documents::DetachedCheck check =
            documents::verifyDetached(manifest, signature.value_or(""));
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
    const bool haveXml = isPresent("arkivstruktur.xml");
    if (!haveXml) {
        find("arkivstruktur.xml", "missing");
    } else if (!readArkivstrukturFile(base + "arkivstruktur.xml", entries, findings)) {
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
        const PackageEntry& e = entries.at(rel);
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
        checkAddml(documents::tryReadFile(base + "arkivuttrekk.xml").value_or(""),
                   documentObjects, arkivstrukturSha, findings);
    }
    std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.where, a.what) < std::tie(b.where, b.what);
    });
    return findings;
}

}  // namespace avtaleflyt::archive
