#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/workflows/Workflows.h"

namespace avtaleflyt::workflows {

const std::vector<std::pair<std::string, std::string>>& shippedWorkflowFiles();  // generated
const std::vector<std::pair<std::string, std::string>>& schemaFiles();           // generated

namespace {

using XmlDoc = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

// Collects libxml2's messages as problems of `source`.
struct ErrorSink {
    std::string source;
    std::vector<InputProblem> problems;

    static void structured(void* self, xmlErrorPtr e) {
        auto* sink = static_cast<ErrorSink*>(self);
        std::string msg = e->message ? e->message : "invalid";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        sink->problems.push_back({sink->source, e->line, "xml", msg});
    }
};

// The compiled schema, parsed once.
xmlSchemaPtr schema() {
    static std::once_flag once;
    static xmlSchemaPtr compiled = nullptr;
    std::call_once(once, [] {
        const std::string& xsd = workflowSchema();
        xmlSchemaParserCtxtPtr ctx =
            xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
        compiled = xmlSchemaParse(ctx);
        xmlSchemaFreeParserCtxt(ctx);
    });
    if (!compiled)
        throw std::logic_error("workflow.xsd does not compile");
    return compiled;
}

bool isElement(const xmlNode* n, const char* name) {
    return n->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

std::string attr(const xmlNode* n, const char* name, const std::string& fallback = "") {
    xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v)
        return fallback;
    std::string s = reinterpret_cast<const char*>(v);
    xmlFree(v);
    return s;
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

bool flag(const xmlNode* n, const char* name) {
    const std::string v = attr(n, name, "false");
    return v == "true" || v == "1";
}

template <typename F>
void eachChild(const xmlNode* parent, const char* name, F f) {
    for (const xmlNode* c = parent ? parent->children : nullptr; c; c = c->next)
        if (isElement(c, name))
            f(c);
}

const xmlNode* child(const xmlNode* parent, const char* name) {
    for (const xmlNode* c = parent->children; c; c = c->next)
        if (isElement(c, name))
            return c;
    return nullptr;
}

// Reads a schema-valid document. Names of guards, actions and actors are known to be valid.
WorkflowDef read(const xmlNode* root, const std::string& source) {
    const auto place = [&](const xmlNode* n) {
        return SourcePlace{source, static_cast<int>(xmlGetLineNo(n))};
    };
    WorkflowDef def;
    def.name = attr(root, "name");
    def.title = attr(root, "title");
    def.referencePrefix = attr(root, "reference-prefix");
    def.place = place(root);
    if (const xmlNode* t = child(root, "template")) {
        def.templateName = attr(t, "name");
        def.templateVersion = std::stoi(attr(t, "version"));
    }
    if (const xmlNode* s = child(root, "signing")) {
        def.order = attr(s, "order", "parallel") == "sequential" ? SigningOrder::Sequential
                                                                 : SigningOrder::Parallel;
        eachChild(s, "signer",
                  [&](const xmlNode* n) { def.signerRoles.push_back(attr(n, "role")); });
    }
    eachChild(child(root, "states"), "state", [&](const xmlNode* n) {
        def.states.push_back(
            {attr(n, "name"), flag(n, "initial"), flag(n, "final"), flag(n, "open"), place(n)});
    });
    eachChild(child(root, "transitions"), "transition", [&](const xmlNode* n) {
        TransitionDef t;
        t.trigger = attr(n, "trigger");
        t.from = words(attr(n, "from"));
        t.to = attr(n, "to");
        for (const auto& w : words(attr(n, "actors"))) t.actors.push_back(*parseActorKind(w));
        for (const auto& w : words(attr(n, "guards"))) t.guards.push_back(*parseGuard(w));
        for (const auto& w : words(attr(n, "actions"))) t.actions.push_back(*parseAction(w));
        t.place = place(n);
        def.transitions.push_back(t);
    });
    if (const xmlNode* timers = child(root, "timers")) {
        eachChild(timers, "timer", [&](const xmlNode* n) {
            TimerDef t;
            t.name = attr(n, "name");
            t.states = words(attr(n, "states"));
            t.after = parseIsoDuration(attr(n, "after")).value_or(std::chrono::seconds(0));
            t.every = parseIsoDuration(attr(n, "every", "PT0S")).value_or(std::chrono::seconds(0));
            t.max = std::stoi(attr(n, "max", "1"));
            if (const std::string a = attr(n, "action"); !a.empty())
                t.action = parseAction(a);
            t.trigger = attr(n, "trigger");
            t.deadline = flag(n, "deadline");
            t.place = place(n);
            def.timers.push_back(t);
        });
    }
    return def;
}

std::string describe(const std::vector<InputProblem>& problems) {
    std::string out;
    for (const auto& p : problems) out += (out.empty() ? "" : "\n") + p.toString();
    return out;
}

}  // namespace

const std::string& workflowSchema() {
    return schemaFiles().front().second;
}

WorkflowDef parseWorkflow(const std::string& xml, const std::string& source) {
    ErrorSink sink{source, {}};
    xmlParserCtxtPtr parser = xmlNewParserCtxt();
    xmlSetStructuredErrorFunc(&sink, &ErrorSink::structured);
    XmlDoc doc(
        xmlCtxtReadMemory(parser, xml.data(), static_cast<int>(xml.size()), source.c_str(), nullptr,
                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
        &xmlFreeDoc);
    xmlFreeParserCtxt(parser);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
    if (!doc) {
        if (sink.problems.empty())
            sink.problems.push_back({source, 1, "xml", "not well-formed XML"});
        throw WorkflowError(describe(sink.problems));
    }

    xmlSchemaValidCtxtPtr valid = xmlSchemaNewValidCtxt(schema());
    xmlSchemaSetValidStructuredErrors(valid, &ErrorSink::structured, &sink);
    const int rc = xmlSchemaValidateDoc(valid, doc.get());
    xmlSchemaFreeValidCtxt(valid);
    if (rc != 0) {
        if (sink.problems.empty())
            sink.problems.push_back({source, 1, "xml", "does not follow workflow.xsd"});
        throw WorkflowError(describe(sink.problems));
    }

    WorkflowDef def = read(xmlDocGetRootElement(doc.get()), source);
    const auto problems = checkWorkflow(def);
    if (!problems.empty())
        throw WorkflowError(describe(problems));
    return def;
}

std::vector<WorkflowDef> loadWorkflowDir(const std::string& dir) {
    if (!Poco::File(dir).exists() || !Poco::File(dir).isDirectory())
        throw WorkflowError(dir + ": no such folder of workflow definitions");
    std::vector<std::string> files;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it)
        if (it->isFile() && text::foldCase(Poco::Path(it->path()).getExtension()) == "xml")
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    std::vector<WorkflowDef> defs;
    std::string errors;
    std::set<std::string> names;
    for (const auto& f : files) {
        try {
            std::string xml;
            Poco::FileInputStream in(f);
            Poco::StreamCopier::copyToString(in, xml);
            WorkflowDef def = parseWorkflow(xml, f);
            if (!names.insert(def.name).second)
                throw WorkflowError(f + ":" + std::to_string(def.place.line) +
                                    ": workflow: another file defines \"" + def.name + "\" too");
            defs.push_back(std::move(def));
        } catch (const WorkflowError& e) {
            errors += (errors.empty() ? "" : "\n") + std::string(e.what());
        }
    }
    if (!errors.empty())
        throw WorkflowError(errors);
    if (defs.empty())
        throw WorkflowError(dir + ": no workflow definitions (*.xml) here");
    return defs;
}

const std::vector<WorkflowDef>& shippedWorkflows() {
    static const std::vector<WorkflowDef> defs = [] {
        std::vector<WorkflowDef> out;
        for (const auto& [file, xml] : shippedWorkflowFiles())
            out.push_back(parseWorkflow(xml, "workflows/" + file));
        return out;
    }();
    return defs;
}

}  // namespace avtaleflyt::workflows
