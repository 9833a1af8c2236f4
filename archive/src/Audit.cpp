// The audit of an archive package. Built to stay fast and small for large packages: the XML is
// read as a stream (never a tree), every file is read once, and the files are checked on all
// cores. Memory grows only with the names and checksums of the files (~150 bytes each).
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Seal.h"

namespace avtaleflyt::archive {
namespace {

// A file's bytes; empty if it cannot be read (the checks then report it).
std::string readAll(const std::string& path) {
    return documents::tryReadFile(path).value_or(std::string());
}

// Every file below `base` (which ends in '/'), as paths relative to it.
void listFiles(const std::string& base, const std::string& rel, std::vector<std::string>& out) {
    for (Poco::DirectoryIterator it(base + rel), end; it != end; ++it) {
        const std::string name = rel.empty() ? it.name() : rel + "/" + it.name();
        if (it->isDirectory())
            listFiles(base, name, out);
        else
            out.push_back(name);
    }
}

void collectErrors(void* sink, xmlErrorPtr e) {
    auto* out = static_cast<std::vector<std::string>*>(sink);
    std::string msg = e->message ? e->message : "invalid";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::string file = e->file ? e->file : "";
    if (const auto slash = file.rfind('/'); slash != std::string::npos)
        file = file.substr(slash + 1);
    out->push_back(file + ":" + std::to_string(e->line) + ": xml: " + msg);
}

// What arkivstruktur.xml says of one file.
struct DocumentObject {
    std::string file, sha256, size;
    bool main = true;  // Hoveddokument (sealed), not an attachment
    int line = 0;
};

struct Arkivstruktur {
    bool wellFormed = true;
    std::vector<DocumentObject> objects;
    std::vector<std::pair<std::string, int>> duplicateIds;  // systemID, line
};

// Reads the document objects and systemIDs of arkivstruktur.xml as a stream.
Arkivstruktur readArkivstruktur(const std::string& path) {
    Arkivstruktur a;
    xmlTextReaderPtr r = xmlReaderForFile(
        path.c_str(), nullptr,
        XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r) {
        a.wellFormed = false;
        return a;
    }
    std::unordered_set<std::string> ids;
    std::string element, role = "Hoveddokument";
    DocumentObject current;
    bool inObject = false;
    int rc;
    while ((rc = xmlTextReaderRead(r)) == 1) {
        const int type = xmlTextReaderNodeType(r);
        const char* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(r));
        if (type == XML_READER_TYPE_ELEMENT) {
            element = name ? name : "";
            if (element == "dokumentobjekt") {
                inObject = true;
                current = DocumentObject{};
                current.main = role == "Hoveddokument";
                current.line = xmlTextReaderGetParserLineNumber(r);
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (name && std::strcmp(name, "dokumentobjekt") == 0) {
                inObject = false;
                a.objects.push_back(current);
            }
            element.clear();
        } else if (type == XML_READER_TYPE_TEXT) {
            const char* v = reinterpret_cast<const char*>(xmlTextReaderConstValue(r));
            const std::string value = v ? v : "";
            if (element == "systemID" && !ids.insert(value).second)
                a.duplicateIds.push_back({value, xmlTextReaderGetParserLineNumber(r)});
            else if (element == "tilknyttetRegistreringSom")
                role = value;
            else if (inObject && element == "referanseDokumentfil")
                current.file = value;
            else if (inObject && element == "sjekksum")
                current.sha256 = value;
            else if (inObject && element == "filstoerrelse")
                current.size = value;
        }
    }
    a.wellFormed = rc == 0;
    xmlFreeTextReader(r);
    return a;
}

// The result of checking one file.
struct FileCheck {
    std::string sha256;
    std::uint64_t size = 0;
    std::vector<Finding> findings;
};

}  // namespace

std::vector<std::string> validateNoark(const std::string& xml, const std::string& source,
                                       const std::string& xsdPath) {
    std::vector<std::string> problems;
    if (!Poco::File(xsdPath).exists())
        return {xsdPath + ": no such schema"};
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(xsdPath.c_str());
    xmlSchemaPtr schema = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
    if (!schema)
        return {xsdPath + ": the schema does not compile"};
    xmlSetStructuredErrorFunc(&problems, &collectErrors);
    xmlDocPtr doc =
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), source.c_str(), nullptr,
                      XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (doc) {
        xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(schema);
        xmlSchemaSetValidStructuredErrors(v, &collectErrors, &problems);
        if (xmlSchemaValidateDoc(v, doc) != 0 && problems.empty())
            problems.push_back(source + ": not valid");
        xmlSchemaFreeValidCtxt(v);
        xmlFreeDoc(doc);
    } else if (problems.empty()) {
        problems.push_back(source + ":1: xml: not well-formed");
    }
    xmlSchemaFree(schema);
    return problems;
}

std::vector<Finding> auditPackage(const std::string& dir, const std::string& schemasDir,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
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
    std::vector<std::string> files;
    listFiles(base, "", files);
    std::sort(files.begin(), files.end());
    const std::unordered_set<std::string> present(files.begin(), files.end());

    // The manifest.
    std::unordered_map<std::string, std::string> manifest;
    if (!present.count("manifest.sha256")) {
        find("manifest.sha256", "missing");
    } else {
        std::istringstream in(readAll(base + "manifest.sha256"));
        int lineNo = 0;
        for (std::string line; std::getline(in, line);) {
            ++lineNo;
            if (line.size() < 67 || line.compare(64, 2, "  ") != 0) {
                find("manifest.sha256:" + std::to_string(lineNo), "not a sha256sum line");
                continue;
            }
            const std::string file = line.substr(66);
            if (!manifest.emplace(file, line.substr(0, 64)).second)
                find("manifest.sha256:" + std::to_string(lineNo), file + " is listed twice");
            else if (!present.count(file))
                find(file, "listed in manifest.sha256 but missing");
        }
    }

    // What arkivstruktur.xml says of each file.
    Arkivstruktur arkiv;
    const bool haveXml = present.count("arkivstruktur.xml") > 0;
    if (!haveXml) {
        find("arkivstruktur.xml", "missing");
    } else {
        arkiv = readArkivstruktur(base + "arkivstruktur.xml");
        if (!arkiv.wellFormed)
            find("arkivstruktur.xml", "not well-formed XML");
    }
    std::unordered_map<std::string, std::vector<const DocumentObject*>> referenced;
    for (const auto& o : arkiv.objects) referenced[o.file].push_back(&o);

    // Every file, read once, on every core.
    std::vector<FileCheck> checks(files.size());
    std::atomic<std::size_t> next{0};
    const auto work = [&](bool reports) {
        for (std::size_t i; (i = next++) < files.size();) {
            if (reports && progress && i % 256 == 0)
                progress(i, files.size());
            const std::string& rel = files[i];
            FileCheck& c = checks[i];
            const std::string bytes = readAll(base + rel);
            c.sha256 = sha256Hex(bytes);
            c.size = bytes.size();
            if (rel == "manifest.sha256")
                continue;
            const auto m = manifest.find(rel);
            if (m == manifest.end())
                c.findings.push_back({rel, "not listed in manifest.sha256"});
            else if (m->second != c.sha256)
                c.findings.push_back({rel, "its SHA-256 differs from manifest.sha256"});
            if (bytes.empty())
                c.findings.push_back({rel, "empty file"});
            const auto r = referenced.find(rel);
            if (r == referenced.end()) {
                if (rel.rfind("dokumenter/", 0) == 0)
                    c.findings.push_back({rel, "not referenced in arkivstruktur.xml"});
                continue;
            }
            const DocumentObject& o = *r->second.front();
            const std::string at = "arkivstruktur.xml:" + std::to_string(o.line);
            if (o.sha256 != c.sha256)
                c.findings.push_back({rel, "its SHA-256 differs from the sjekksum at " + at});
            if (o.size != std::to_string(c.size))
                c.findings.push_back({rel, "its size differs from the filstoerrelse at " + at});
            if (!o.main)
                continue;  // attachments (scans of paper signatures) are not sealed
            const auto seal = documents::verifySeal(bytes);
            if (!seal.sealed)
                c.findings.push_back({rel, "not sealed"});
            else if (!seal.valid)
                c.findings.push_back({rel, "the seal is broken: " + seal.problem});
            else if (!seal.wholeDocument)
                c.findings.push_back({rel, "the seal is broken: bytes were added after sealing"});
        }
    };
    std::vector<std::thread> workers;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 1; t < cores; ++t) workers.emplace_back(work, false);
    work(true);
    for (auto& w : workers) w.join();
    if (progress)
        progress(files.size(), files.size());
    std::unordered_map<std::string, const FileCheck*> byFile;
    for (std::size_t i = 0; i < files.size(); ++i) {
        byFile[files[i]] = &checks[i];
        for (auto& f : checks[i].findings) findings.push_back(std::move(f));
    }

    for (const auto& o : arkiv.objects) {
        const auto& refs = referenced[o.file];
        if (refs.size() > 1 && refs.front() == &o)
            find(o.file,
                 "referenced " + std::to_string(refs.size()) + " times in arkivstruktur.xml");
        if (!present.count(o.file) && refs.front() == &o)
            find(o.file,
                 "referenced at arkivstruktur.xml:" + std::to_string(o.line) + " but missing");
    }
    for (const auto& [id, line] : arkiv.duplicateIds)
        find("arkivstruktur.xml:" + std::to_string(line), "systemID " + id + " is used twice");

    if (haveXml && !schemasDir.empty()) {
        const std::string xsd = Poco::Path(schemasDir).append("arkivstruktur.xsd").toString();
        std::vector<std::string> problems;
        xmlSchemaParserCtxtPtr pctx = xmlSchemaNewParserCtxt(xsd.c_str());
        xmlSchemaPtr schema = Poco::File(xsd).exists() ? xmlSchemaParse(pctx) : nullptr;
        xmlSchemaFreeParserCtxt(pctx);
        if (!schema) {
            find("arkivstruktur.xml", xsd + ": no usable schema");
        } else {
            xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(schema);
            xmlSchemaSetValidStructuredErrors(v, &collectErrors, &problems);
            const std::string path = base + "arkivstruktur.xml";
            if (xmlSchemaValidateFile(v, path.c_str(), XML_PARSE_HUGE) != 0 && problems.empty())
                problems.push_back("arkivstruktur.xml: does not follow the schema");
            xmlSchemaFreeValidCtxt(v);
            xmlSchemaFree(schema);
        }
        for (const auto& p : problems) find("arkivstruktur.xml", p);
    }

    // The ADDML's count of document files and its checksum of arkivstruktur.xml.
    if (!present.count("arkivuttrekk.xml")) {
        find("arkivuttrekk.xml", "missing");
    } else if (haveXml) {
        const std::string addml = readAll(base + "arkivuttrekk.xml");
        // The text of the first <value> after `marker`, searching from `from`.
        const auto valueAfter = [&](const std::string& marker, std::size_t from) -> std::string {
            const auto at = addml.find(marker, from);
            const auto v = at == std::string::npos ? at : addml.find("<value>", at);
            const auto e = v == std::string::npos ? v : addml.find("</value>", v);
            return e == std::string::npos ? std::string() : addml.substr(v + 7, e - v - 7);
        };
        const std::string count = valueAfter("name=\"antallDokumentfiler\"", 0);
        if (count != std::to_string(arkiv.objects.size()))
            find("arkivuttrekk.xml",
                 "antallDokumentfiler is " + (count.empty() ? std::string("missing") : count) +
                     ", but arkivstruktur.xml has " + std::to_string(arkiv.objects.size()) +
                     " document objects");
        const auto described = addml.find("<value>arkivstruktur.xml</value>");
        const auto checksum =
            described == std::string::npos ? described : addml.find("name=\"checksum\"", described);
        if (checksum == std::string::npos)
            find("arkivuttrekk.xml", "does not give a checksum of arkivstruktur.xml");
        else if (valueAfter("name=\"value\"", checksum) != byFile.at("arkivstruktur.xml")->sha256)
            find("arkivuttrekk.xml", "its checksum of arkivstruktur.xml differs from the file");
    }
    return findings;
}

}  // namespace avtaleflyt::archive
