#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <map>
#include <set>
#include <sstream>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/documents/XmlSchema.h"

namespace avtaleflyt::archive {
namespace {

std::string readAll(const std::string& path) {
    Poco::FileInputStream in(path, std::ios::in | std::ios::binary);
    std::string s;
    Poco::StreamCopier::copyToString(in, s);
    return s;
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
    out->push_back(std::string(e->file ? e->file : "") + ":" + std::to_string(e->line) +
                   ": xml: " + msg);
}

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
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), source.c_str(), nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
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

std::vector<Finding> auditPackage(const std::string& dir, const std::string& schemasDir) {
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
    const std::set<std::string> present(files.begin(), files.end());
    const auto path = [&](const std::string& rel) { return base + rel; };

    // The manifest.
    std::map<std::string, std::string> manifest;
    if (!present.count("manifest.sha256")) {
        find("manifest.sha256", "missing");
    } else {
        std::istringstream in(readAll(path("manifest.sha256")));
        int lineNo = 0;
        for (std::string line; std::getline(in, line);) {
            ++lineNo;
            if (line.size() < 67 || line.compare(64, 2, "  ") != 0) {
                find("manifest.sha256:" + std::to_string(lineNo), "not a sha256sum line");
                continue;
            }
            const std::string file = line.substr(66);
            if (manifest.count(file))
                find("manifest.sha256:" + std::to_string(lineNo), file + " is listed twice");
            manifest[file] = line.substr(0, 64);
        }
    }
    std::map<std::string, std::string> digests;  // computed once per file
    const auto digestOf = [&](const std::string& rel) -> const std::string& {
        auto it = digests.find(rel);
        if (it == digests.end())
            it = digests.emplace(rel, sha256Hex(readAll(path(rel)))).first;
        return it->second;
    };
    for (const auto& [file, sha] : manifest) {
        if (!present.count(file))
            find(file, "listed in manifest.sha256 but missing");
        else if (digestOf(file) != sha)
            find(file, "its SHA-256 differs from manifest.sha256");
    }
    for (const auto& f : files) {
        if (f != "manifest.sha256" && !manifest.count(f))
            find(f, "not listed in manifest.sha256");
        if (Poco::File(path(f)).getSize() == 0)
            find(f, "empty file");
    }

    // arkivstruktur.xml.
    if (!present.count("arkivstruktur.xml")) {
        find("arkivstruktur.xml", "missing");
        return findings;
    }
    const std::string xml = readAll(path("arkivstruktur.xml"));
    if (!schemasDir.empty())
        for (const auto& p :
             validateNoark(xml, "arkivstruktur.xml",
                           Poco::Path(schemasDir).append("arkivstruktur.xsd").toString()))
            find("arkivstruktur.xml", p);
    xmlDocPtr doc =
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "arkivstruktur.xml", nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        find("arkivstruktur.xml", "not well-formed XML");
        return findings;
    }
    std::set<std::string> systemIds;
    std::map<std::string, int> references;
    std::vector<const xmlNode*> stack = {xmlDocGetRootElement(doc)};
    while (!stack.empty()) {
        const xmlNode* n = stack.back();
        stack.pop_back();
        for (const xmlNode* c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE)
                stack.push_back(c);
        if (documents::isElement(n, "systemID")) {
            const std::string id = documents::textContent(n);
            if (!systemIds.insert(id).second)
                find("arkivstruktur.xml:" + std::to_string(xmlGetLineNo(n)),
                     "systemID " + id + " is used twice");
        }
        if (!documents::isElement(n, "dokumentobjekt"))
            continue;
        const xmlNode* ref = documents::firstChild(n, "referanseDokumentfil");
        const xmlNode* sum = documents::firstChild(n, "sjekksum");
        const xmlNode* size = documents::firstChild(n, "filstoerrelse");
        if (!ref)
            continue;
        const std::string file = documents::textContent(ref);
        const std::string at = "arkivstruktur.xml:" + std::to_string(xmlGetLineNo(n));
        if (++references[file] == 2)
            find(file, "referenced twice in arkivstruktur.xml");
        if (!present.count(file)) {
            find(file, "referenced at " + at + " but missing");
            continue;
        }
        const std::string bytes = readAll(path(file));
        if (sum && documents::textContent(sum) != digestOf(file))
            find(file, "its SHA-256 differs from the sjekksum at " + at);
        if (size && documents::textContent(size) != std::to_string(bytes.size()))
            find(file, "its size differs from the filstoerrelse at " + at);
        // Main documents are sealed; attachments (scans of paper signatures) are not.
        const xmlNode* role =
            n->parent ? documents::firstChild(n->parent, "tilknyttetRegistreringSom") : nullptr;
        if (role && documents::textContent(role) != "Hoveddokument")
            continue;
        const auto seal = documents::verifySeal(bytes);
        if (!seal.valid || !seal.wholeDocument)
            find(file, seal.sealed
                           ? "the seal is broken: " +
                                 (seal.problem.empty() ? "bytes added after sealing" : seal.problem)
                           : "not sealed");
    }
    xmlFreeDoc(doc);

    // The ADDML's count of document files and its checksum of arkivstruktur.xml.
    if (!present.count("arkivuttrekk.xml")) {
        find("arkivuttrekk.xml", "missing");
    } else {
        const std::string addml = readAll(path("arkivuttrekk.xml"));
        // The text of the first <value> after `marker`, searching from `from`.
        const auto valueAfter = [&](const std::string& marker, std::size_t from) -> std::string {
            const auto at = addml.find(marker, from);
            const auto v = at == std::string::npos ? at : addml.find("<value>", at);
            const auto e = v == std::string::npos ? v : addml.find("</value>", v);
            return e == std::string::npos ? std::string() : addml.substr(v + 7, e - v - 7);
        };
        std::size_t objects = 0;
        for (const auto& kv : references) objects += static_cast<std::size_t>(kv.second);
        const std::string count = valueAfter("name=\"antallDokumentfiler\"", 0);
        if (count != std::to_string(objects))
            find("arkivuttrekk.xml", "antallDokumentfiler is " +
                                         (count.empty() ? std::string("missing") : count) +
                                         ", but arkivstruktur.xml has " + std::to_string(objects) +
                                         " document objects");
        const auto described = addml.find("<value>arkivstruktur.xml</value>");
        const auto checksum =
            described == std::string::npos ? described : addml.find("name=\"checksum\"", described);
        if (checksum == std::string::npos)
            find("arkivuttrekk.xml", "does not give a checksum of arkivstruktur.xml");
        else if (valueAfter("name=\"value\"", checksum) != digestOf("arkivstruktur.xml"))
            find("arkivuttrekk.xml", "its checksum of arkivstruktur.xml differs from the file");
    }
    for (const auto& f : files)
        if (f.rfind("dokumenter/", 0) == 0 && !references.count(f))
            find(f, "not referenced in arkivstruktur.xml");
    return findings;
}

}  // namespace avtaleflyt::archive
