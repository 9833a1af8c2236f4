// The readers of a package's manifest, arkivstruktur.xml and ADDML (PackageReader.h).
#include "avtaleflyt/archive/PackageReader.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <tuple>

#include "avtaleflyt/documents/XmlSchema.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::archive {
namespace {

// A systemID and where it is; UUIDs (all this project writes) are kept as 16 bytes.
struct SystemId {
    std::uint64_t high = 0, low = 0;
    std::uint32_t line = 0;
};

// Reads arkivstruktur.xml from `r` (freed here) as a stream.
bool readArkivstruktur(xmlTextReaderPtr r, PackageEntries& entries,
                       std::vector<Finding>& findings) {
    if (!r)
        return false;
    std::vector<SystemId> ids;
    std::vector<std::pair<std::string, int>> otherIds;
    std::vector<Finding> unnamed;  // document objects without a file, reported once it is well-formed
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
                if (file.empty()) {  // no file to check it against, and no name to report it by
                    unnamed.push_back({"arkivstruktur.xml:" + std::to_string(objectLine),
                                       "a dokumentobjekt without referanseDokumentfil"});
                    element.clear();
                    continue;
                }
                PackageEntry& e = entries[file];
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
    if (rc != 0)
        return false;
    findings.insert(findings.end(), unnamed.begin(), unnamed.end());

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
            findings.push_back({"arkivstruktur.xml:" + std::to_string(ids[i].line),
                                std::string("systemID ") + text + " is used twice"});
        }
    std::sort(otherIds.begin(), otherIds.end());
    for (std::size_t i = 1; i < otherIds.size(); ++i)
        if (otherIds[i].first == otherIds[i - 1].first)
            findings.push_back({"arkivstruktur.xml:" + std::to_string(otherIds[i].second),
                                "systemID " + otherIds[i].first + " is used twice"});
    return true;
}

constexpr int kReaderOptions =
    XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

}  // namespace

std::optional<Digest> parseDigest(const std::string& hex) {
    const auto bytes = text::fromHex(hex);
    if (!bytes || bytes->size() != 32)
        return std::nullopt;
    Digest d{};
    std::copy(bytes->begin(), bytes->end(), d.begin());
    return d;
}

void readManifest(const std::string& manifest, PackageEntries& entries,
                  std::vector<Finding>& findings) {
    int lineNo = 0;
    for (std::size_t at = 0; at < manifest.size();) {
        const std::size_t end = std::min(manifest.find('\n', at), manifest.size());
        const std::string line = manifest.substr(at, end - at);
        at = end + 1;
        ++lineNo;
        const std::string where = "manifest.sha256:" + std::to_string(lineNo);
        if (line.size() < 67 || line.compare(64, 2, "  ") != 0) {
            findings.push_back({where, "not a sha256sum line"});
            continue;
        }
        const std::string file = line.substr(66);
        PackageEntry& e = entries[file];
        if (e.inManifest) {
            findings.push_back({where, file + " is listed twice"});
            continue;
        }
        e.inManifest = true;
        const auto d = parseDigest(line.substr(0, 64));
        e.manifestShaValid = d.has_value();
        if (d)
            e.manifestSha = *d;
        if (!e.present)
            findings.push_back({file, "listed in manifest.sha256 but missing"});
    }
}

bool readArkivstrukturFile(const std::string& path, PackageEntries& entries,
                           std::vector<Finding>& findings) {
    const documents::QuietXmlErrors quiet;  // the schema check reports them, with their lines
    return readArkivstruktur(xmlReaderForFile(path.c_str(), nullptr, kReaderOptions), entries,
                             findings);
}

bool readArkivstrukturBytes(const std::string& xml, PackageEntries& entries,
                            std::vector<Finding>& findings) {
    if (xml.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        return false;
    const documents::QuietXmlErrors quiet;
    return readArkivstruktur(xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()),
                                                "arkivstruktur.xml", nullptr, kReaderOptions),
                             entries, findings);
}

void checkAddml(const std::string& addml, std::size_t documentObjects,
                const std::string& arkivstrukturSha, std::vector<Finding>& findings) {
    // The text of the first <value> after `marker`, searching from `from`.
    const auto valueAfter = [&](const std::string& marker, std::size_t from) -> std::string {
        const auto at = addml.find(marker, from);
        const auto v = at == std::string::npos ? at : addml.find("<value>", at);
        const auto e = v == std::string::npos ? v : addml.find("</value>", v);
        return e == std::string::npos ? std::string() : addml.substr(v + 7, e - v - 7);
    };
    const std::string count = valueAfter("name=\"antallDokumentfiler\"", 0);
    if (count != std::to_string(documentObjects))
        findings.push_back({"arkivuttrekk.xml",
                            "antallDokumentfiler is " +
                                (count.empty() ? std::string("missing") : count) +
                                ", but arkivstruktur.xml has " + std::to_string(documentObjects) +
                                " document objects"});
    const auto described = addml.find("<value>arkivstruktur.xml</value>");
    const auto checksum =
        described == std::string::npos ? described : addml.find("name=\"checksum\"", described);
    if (checksum == std::string::npos)
        findings.push_back({"arkivuttrekk.xml", "does not give a checksum of arkivstruktur.xml"});
    else if (valueAfter("name=\"value\"", checksum) != arkivstrukturSha)
        findings.push_back(
            {"arkivuttrekk.xml", "its checksum of arkivstruktur.xml differs from the file"});
}

}  // namespace avtaleflyt::archive
