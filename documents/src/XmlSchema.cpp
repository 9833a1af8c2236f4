#include "avtaleflyt/documents/XmlSchema.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

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

xmlSchemaPtr compiled(const std::string& xsd) {
    static std::mutex mutex;
    static std::map<std::string, xmlSchemaPtr> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto& schema = cache[xsd];
    if (!schema) {
        xmlSchemaParserCtxtPtr ctx =
            xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
        schema = xmlSchemaParse(ctx);
        xmlSchemaFreeParserCtxt(ctx);
        if (!schema)
            throw std::logic_error("a shipped XML schema does not compile");
    }
    return schema;
}

}  // namespace

XmlDocument parseValidated(const std::string& xml, const std::string& source,
                           const std::string& xsd, std::vector<InputProblem>& problems) {
    ErrorSink sink{source, &problems};
    const std::size_t before = problems.size();
    xmlParserCtxtPtr parser = xmlNewParserCtxt();
    xmlSetStructuredErrorFunc(&sink, &ErrorSink::collect);
    XmlDocument doc(
        xmlCtxtReadMemory(parser, xml.data(), static_cast<int>(xml.size()), source.c_str(), nullptr,
                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
        &xmlFreeDoc);
    xmlFreeParserCtxt(parser);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc) {
        if (problems.size() == before)
            problems.push_back({source, 1, "xml", "not well-formed XML"});
        return XmlDocument(nullptr, &xmlFreeDoc);
    }
    xmlSchemaValidCtxtPtr valid = xmlSchemaNewValidCtxt(compiled(xsd));
    xmlSchemaSetValidStructuredErrors(valid, &ErrorSink::collect, &sink);
    const int rc = xmlSchemaValidateDoc(valid, doc.get());
    xmlSchemaFreeValidCtxt(valid);
    if (rc != 0) {
        if (problems.size() == before)
            problems.push_back({source, 1, "xml", "does not follow the schema"});
        return XmlDocument(nullptr, &xmlFreeDoc);
    }
    return doc;
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
