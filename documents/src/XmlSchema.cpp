#include "avtaleflyt/documents/XmlSchema.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

namespace avtaleflyt::documents {
namespace {

struct ErrorSink {
    std::string source;
    std::vector<InputProblem>* problems;

    static void collect(void* self, xmlErrorPtr e) {
        auto* sink = static_cast<ErrorSink*>(self);
        std::string msg = e->message ? e->message : "invalid";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        sink->problems->push_back({sink->source, e->line, "xml", msg});
    }
};

// While a set is compiled (under `compileMutex`, on the compiling thread), the entity loader
// serves its files by name; other threads' loads go to libxml2's own loader.
std::mutex compileMutex;
thread_local const SchemaFiles* compiling = nullptr;
xmlExternalEntityLoader defaultLoader = nullptr;

xmlParserInputPtr loadEntity(const char* url, const char* id, xmlParserCtxtPtr ctxt) {
    if (!compiling)
        return defaultLoader(url, id, ctxt);
    std::string name = url ? url : "";
    if (const auto slash = name.rfind('/'); slash != std::string::npos)
        name = name.substr(slash + 1);
    for (const auto& [file, text] : *compiling)
        if (file == name) {
            xmlParserInputBufferPtr buffer = xmlParserInputBufferCreateMem(
                text.data(), static_cast<int>(text.size()), XML_CHAR_ENCODING_NONE);
            xmlParserInputPtr input = xmlNewIOInputStream(ctxt, buffer, XML_CHAR_ENCODING_NONE);
            if (input)
                input->filename = reinterpret_cast<char*>(xmlStrdup(
                    reinterpret_cast<const xmlChar*>(file.c_str())));
            return input;
        }
    return nullptr;  // a shipped set reaches nothing outside itself
}

// libxml2's errors while compiling, as one line each.
std::string compileErrors(const std::vector<InputProblem>& problems) {
    std::string out;
    for (const auto& p : problems) out += "\n" + p.toString();
    return out;
}

std::shared_ptr<const CompiledSchema> compile(xmlSchemaParserCtxtPtr ctx, const std::string& what,
                                              std::vector<InputProblem>& problems) {
    ErrorSink sink{what, &problems};
    xmlSchemaSetParserStructuredErrors(ctx, &ErrorSink::collect, &sink);
    xmlSchemaPtr schema = xmlSchemaParse(ctx);
    xmlSchemaFreeParserCtxt(ctx);
    if (!schema)
        throw SchemaError(what + ": the schema does not compile" + compileErrors(problems));
    return std::make_shared<const CompiledSchema>(schema);
}

}  // namespace

CompiledSchema::CompiledSchema(xmlSchema* schema) : schema_(schema) {}

CompiledSchema::~CompiledSchema() { xmlSchemaFree(schema_); }

std::vector<InputProblem> CompiledSchema::validate(const xmlDoc& doc,
                                                   const std::string& source) const {
    std::vector<InputProblem> problems;
    ErrorSink sink{source, &problems};
    xmlSchemaValidCtxtPtr valid = xmlSchemaNewValidCtxt(schema_);
    xmlSchemaSetValidStructuredErrors(valid, &ErrorSink::collect, &sink);
    const int rc = xmlSchemaValidateDoc(valid, const_cast<xmlDoc*>(&doc));
    xmlSchemaFreeValidCtxt(valid);
    if (rc != 0 && problems.empty())
        problems.push_back({source, 1, "xml", "does not follow the schema"});
    return problems;
}

std::vector<InputProblem> CompiledSchema::validate(const std::string& xml,
                                                   const std::string& source) const {
    std::vector<InputProblem> problems;
    const XmlDocument doc = parseXml(xml, source, problems);
    return doc ? validate(*doc, source) : problems;
}

QuietXmlErrors::QuietXmlErrors()
    : handler_(xmlStructuredError), context_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(nullptr, [](void*, xmlErrorPtr) {});
}

QuietXmlErrors::~QuietXmlErrors() {
    xmlSetStructuredErrorFunc(context_, handler_);
}

std::vector<InputProblem> CompiledSchema::validateFile(const std::string& path,
                                                       const std::string& source) const {
    std::vector<InputProblem> problems;
    ErrorSink sink{source, &problems};
    xmlSchemaValidCtxtPtr valid = xmlSchemaNewValidCtxt(schema_);
    xmlSchemaSetValidStructuredErrors(valid, &ErrorSink::collect, &sink);
    xmlSetStructuredErrorFunc(&sink, &ErrorSink::collect);
    const int rc = xmlSchemaValidateFile(valid, path.c_str(), XML_PARSE_NONET | XML_PARSE_HUGE);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    xmlSchemaFreeValidCtxt(valid);
    if (rc != 0 && problems.empty())
        problems.push_back({source, 1, "xml", rc < 0 ? "cannot be read" : "does not follow the schema"});
    return problems;
}

std::shared_ptr<const CompiledSchema> compileSchema(const SchemaFiles& files,
                                                    const std::string& main) {
    static std::map<std::pair<SchemaFiles, std::string>, std::shared_ptr<const CompiledSchema>>
        cache;
    const auto text = std::find_if(files.begin(), files.end(),
                                   [&](const auto& f) { return f.first == main; });
    if (text == files.end())
        throw SchemaError(main + ": no such schema in the set");
    std::lock_guard<std::mutex> lock(compileMutex);
    auto& compiled = cache[{files, main}];
    if (compiled)
        return compiled;
    static std::once_flag installed;
    std::call_once(installed, [] {
        defaultLoader = xmlGetExternalEntityLoader();
        xmlSetExternalEntityLoader(&loadEntity);
    });
    std::vector<InputProblem> problems;
    compiling = &files;
    try {
        compiled = compile(xmlSchemaNewMemParserCtxt(text->second.data(),
                                                     static_cast<int>(text->second.size())),
                           main, problems);
    } catch (...) {
        compiling = nullptr;
        cache.erase({files, main});
        throw;
    }
    compiling = nullptr;
    return compiled;
}

XmlDocument parseXml(const std::string& xml, const std::string& source,
                     std::vector<InputProblem>& problems) {
    ErrorSink sink{source, &problems};
    const std::size_t before = problems.size();
    xmlParserCtxtPtr parser = xmlNewParserCtxt();
    xmlSetStructuredErrorFunc(&sink, &ErrorSink::collect);
    XmlDocument doc(xmlCtxtReadMemory(parser, xml.data(), static_cast<int>(xml.size()),
                                      source.c_str(), nullptr,
                                      XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR |
                                          XML_PARSE_NOWARNING),
                    &xmlFreeDoc);
    xmlFreeParserCtxt(parser);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc && problems.size() == before)
        problems.push_back({source, 1, "xml", "not well-formed XML"});
    return doc;
}

XmlDocument parseValidated(const std::string& xml, const std::string& source,
                           const std::string& xsd, std::vector<InputProblem>& problems) {
    const auto schema = compileSchema({{"schema.xsd", xsd}}, "schema.xsd");
    XmlDocument doc = parseXml(xml, source, problems);
    if (!doc)
        return doc;
    auto invalid = schema->validate(*doc, source);
    if (invalid.empty())
        return doc;
    problems.insert(problems.end(), invalid.begin(), invalid.end());
    return XmlDocument(nullptr, &xmlFreeDoc);
}

bool isElement(const xmlNode* n, const char* localName) {
    return n->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(n->name), localName) == 0;
}

std::string attribute(const xmlNode* n, const char* name, const std::string& fallback) {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v)
        return fallback;
    std::string s = reinterpret_cast<const char*>(v);
    xmlFree(v);
    return s;
}

std::string textContent(const xmlNode* n) {
    xmlChar* v = xmlNodeGetContent(n);
    std::string s = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return s;
}

const xmlNode* firstChild(const xmlNode* parent, const char* localName) {
    for (const xmlNode* c = parent ? parent->children : nullptr; c; c = c->next)
        if (isElement(c, localName))
            return c;
    return nullptr;
}

std::string describeProblems(const std::vector<InputProblem>& problems) {
    std::string out;
    for (const auto& p : problems) out += (out.empty() ? "" : "\n") + p.toString();
    return out;
}

}  // namespace avtaleflyt::documents
