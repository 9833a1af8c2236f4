#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>

#include "avtaleflyt/documents/XmlSchema.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/workflows/Workflows.h"

namespace avtaleflyt::workflows {

const std::vector<std::pair<std::string, std::string>>& shippedWorkflowFiles();  // generated
const std::vector<std::pair<std::string, std::string>>& schemaFiles();           // generated

namespace {

using documents::attribute;
using documents::firstChild;
using documents::isElement;

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

bool flag(const xmlNode* n, const char* name) {
    const std::string v = attribute(n, name, "false");
    return v == "true" || v == "1";
}

template <typename F>
void eachChild(const xmlNode* parent, const char* name, F f) {
    for (const xmlNode* c = parent ? parent->children : nullptr; c; c = c->next)
        if (isElement(c, name))
            f(c);
}

// Reads a schema-valid document. Names of guards, actions and actors are known to be valid.
WorkflowDef read(const xmlNode* root, const std::string& source) {
    const auto place = [&](const xmlNode* n) {
        return SourcePlace{source, static_cast<int>(xmlGetLineNo(n))};
    };
    WorkflowDef def;
    def.name = attribute(root, "name");
    def.title = attribute(root, "title");
    def.referencePrefix = attribute(root, "reference-prefix");
    def.place = place(root);
    if (const xmlNode* t = firstChild(root, "template")) {
        def.templateName = attribute(t, "name");
        def.templateVersion = std::stoi(attribute(t, "version"));
    }
    if (const xmlNode* s = firstChild(root, "signing")) {
        def.order = attribute(s, "order", "parallel") == "sequential" ? SigningOrder::Sequential
                                                                      : SigningOrder::Parallel;
        eachChild(s, "signer",
                  [&](const xmlNode* n) { def.signerRoles.push_back(attribute(n, "role")); });
    }
    eachChild(firstChild(root, "states"), "state", [&](const xmlNode* n) {
        def.states.push_back({attribute(n, "name"), flag(n, "initial"), flag(n, "final"),
                              flag(n, "open"), place(n)});
    });
    eachChild(firstChild(root, "transitions"), "transition", [&](const xmlNode* n) {
        TransitionDef t;
        t.trigger = attribute(n, "trigger");
        t.from = words(attribute(n, "from"));
        t.to = attribute(n, "to");
        for (const auto& w : words(attribute(n, "actors"))) t.actors.push_back(*parseActorKind(w));
        for (const auto& w : words(attribute(n, "guards"))) t.guards.push_back(*parseGuard(w));
        for (const auto& w : words(attribute(n, "actions"))) t.actions.push_back(*parseAction(w));
        t.place = place(n);
        def.transitions.push_back(t);
    });
    if (const xmlNode* timers = firstChild(root, "timers")) {
        eachChild(timers, "timer", [&](const xmlNode* n) {
            TimerDef t;
            t.name = attribute(n, "name");
            t.states = words(attribute(n, "states"));
            t.after = parseIsoDuration(attribute(n, "after")).value_or(std::chrono::seconds(0));
            t.every =
                parseIsoDuration(attribute(n, "every", "PT0S")).value_or(std::chrono::seconds(0));
            t.max = std::stoi(attribute(n, "max", "1"));
            if (const std::string a = attribute(n, "action"); !a.empty())
                t.action = parseAction(a);
            t.trigger = attribute(n, "trigger");
            t.deadline = flag(n, "deadline");
            t.place = place(n);
            def.timers.push_back(t);
        });
    }
    return def;
}

}  // namespace

const std::string& workflowSchema() {
    return schemaFiles().front().second;
}

WorkflowDef parseWorkflow(const std::string& xml, const std::string& source) {
    std::vector<InputProblem> problems;
    const documents::XmlDocument doc =
        documents::parseValidated(xml, source, workflowSchema(), problems);
    if (!doc)
        throw WorkflowError(documents::describeProblems(problems));
    WorkflowDef def = read(xmlDocGetRootElement(doc.get()), source);
    problems = checkWorkflow(def);
    if (!problems.empty())
        throw WorkflowError(documents::describeProblems(problems));
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
