#include "avtaleflyt/archive/Schemas.h"

#include <Poco/Path.h>
#include <libxml/xmlreader.h>

#include <algorithm>

#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/PosixEnv.h"
#include "avtaleflyt/documents/XmlSchema.h"

namespace avtaleflyt::archive {

// Generated from archive/schemas by cmake/EmbedFiles.cmake.
const SchemaFiles& noark5SchemaFiles();
const SchemaFiles& arkivmeldingSchemaFiles();

namespace {

template <typename Validate>
std::vector<std::string> validateWith(const SchemaFiles& schemas, const std::string& main,
                                      Validate validate) {
    std::vector<std::string> out;
    try {
        for (const auto& p : validate(*documents::compileSchema(schemas, main)))
            out.push_back(p.toString());
    } catch (const documents::SchemaError& e) {
        out.push_back(e.what());
    }
    return out;
}

// The targetNamespace attribute of a schema's text; empty if it has none.
std::string targetNamespace(const std::string& xsd) {
    const auto at = xsd.find("targetNamespace=\"");
    if (at == std::string::npos)
        return "";
    const auto begin = at + 17;
    return xsd.substr(begin, xsd.find('"', begin) - begin);
}

}  // namespace

const SchemaFiles& noark5Schemas() { return noark5SchemaFiles(); }

const SchemaFiles& arkivmeldingSchemas() { return arkivmeldingSchemaFiles(); }

SchemaFiles readSchemaFolder(const std::string& dir) {
    return readSchemaFolder(dir, documents::defaultEnv());
}

SchemaFiles readSchemaFolder(const std::string& dir, Env& env) {
    std::vector<std::string> names;
    try {
        names = env.list(dir);
    } catch (const EnvError&) {
        throw ArchiveError(dir + ": no such schema folder");
    }
    SchemaFiles files;
    try {
        for (const auto& name : names) {
            const std::string path = Poco::Path(dir).append(name).toString();
            if (Poco::Path(name).getExtension() == "xsd" && env.fileSize(path))
                files.emplace_back(name, env.readFile(path));
        }
    } catch (const EnvError& e) {
        throw ArchiveError(e.what());
    }
    if (std::none_of(files.begin(), files.end(),
                     [](const auto& f) { return f.first == "arkivstruktur.xsd"; }))
        throw ArchiveError(dir + ": no arkivstruktur.xsd in the schema folder");
    return files;
}

std::vector<std::string> validateXml(const std::string& xml, const std::string& source,
                                     const SchemaFiles& schemas, const std::string& main) {
    return validateWith(schemas, main, [&](const documents::CompiledSchema& s) {
        return s.validate(xml, source);
    });
}

std::vector<std::string> validateXmlFile(const std::string& path, const std::string& source,
                                         const SchemaFiles& schemas, const std::string& main) {
    return validateWith(schemas, main, [&](const documents::CompiledSchema& s) {
        return s.validateFile(path, source);
    });
}

std::optional<SchemaChoice> shippedSchemaFor(const std::string& rootNamespace) {
    for (const auto& [set, files] :
         {std::pair<const char*, const SchemaFiles*>{"Noark 5", &noark5Schemas()},
          std::pair<const char*, const SchemaFiles*>{"arkivmelding", &arkivmeldingSchemas()}})
        for (const auto& [name, text] : *files)
            if (name != "metadatakatalog.xsd" && targetNamespace(text) == rootNamespace)
                return SchemaChoice{set, files, name};
    return std::nullopt;
}

std::optional<std::string> rootNamespace(const std::string& path) {
    const documents::QuietXmlErrors quiet;  // validating it says what is wrong, with the line
    xmlTextReaderPtr r = xmlReaderForFile(path.c_str(), nullptr,
                                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!r)
        return std::nullopt;
    std::optional<std::string> ns;
    while (xmlTextReaderRead(r) == 1)
        if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) {
            const xmlChar* uri = xmlTextReaderConstNamespaceUri(r);
            ns = uri ? reinterpret_cast<const char*>(uri) : "";
            break;
        }
    xmlFreeTextReader(r);
    return ns;
}

}  // namespace avtaleflyt::archive
