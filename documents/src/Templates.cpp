#include "avtaleflyt/documents/Templates.h"

#include <mutex>

#include "avtaleflyt/documents/XmlSchema.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {

const std::vector<std::pair<std::string, std::string>>& shippedTemplateFiles();  // generated
const std::vector<std::pair<std::string, std::string>>& templateSchemaFiles();   // generated

namespace {

// Collapses the line breaks and indentation of XML text into single spaces.
std::string flowText(const std::string& s) {
    std::string out;
    bool space = false;
    for (const char c : text::trim(s)) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = true;
            continue;
        }
        if (space && !out.empty())
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

void readSection(const xmlNode* section, int level, DocumentTemplate& t) {
    const auto line = [](const xmlNode* n) { return static_cast<int>(xmlGetLineNo(n)); };
    t.blocks.push_back({TemplateBlock::Kind::Heading, level, flowText(attribute(section, "title")),
                        line(section)});
    for (const xmlNode* c = section->children; c; c = c->next) {
        if (isElement(c, "p")) {
            t.blocks.push_back(
                {TemplateBlock::Kind::Paragraph, level, flowText(textContent(c)), line(c)});
        } else if (isElement(c, "list")) {
            for (const xmlNode* item = c->children; item; item = item->next)
                if (isElement(item, "item"))
                    t.blocks.push_back({TemplateBlock::Kind::ListItem, level,
                                        flowText(textContent(item)), line(item)});
        } else if (isElement(c, "section")) {
            readSection(c, level + 1, t);
        }
    }
}

}  // namespace

DocumentTemplate parseTemplate(const std::string& xml, const std::string& source) {
    std::vector<InputProblem> problems;
    const XmlDocument doc =
        parseValidated(xml, source, templateSchemaFiles().front().second, problems);
    if (!doc)
        throw TemplateError(describeProblems(problems));
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    DocumentTemplate t;
    t.source = source;
    t.name = attribute(root, "name");
    t.version = std::stoi(attribute(root, "version"));
    t.language = attribute(root, "language");
    const xmlNode* title = firstChild(root, "title");
    t.title = flowText(textContent(title));
    t.titleLine = static_cast<int>(xmlGetLineNo(title));
    if (const xmlNode* intro = firstChild(root, "intro"))
        t.blocks.push_back({TemplateBlock::Kind::Paragraph, 0, flowText(textContent(intro)),
                            static_cast<int>(xmlGetLineNo(intro))});
    for (const xmlNode* c = root->children; c; c = c->next)
        if (isElement(c, "section"))
            readSection(c, 1, t);
    return t;
}

const std::vector<DocumentTemplate>& shippedTemplates() {
    static const std::vector<DocumentTemplate> all = [] {
        std::vector<DocumentTemplate> out;
        for (const auto& [file, xml] : shippedTemplateFiles())
            out.push_back(parseTemplate(xml, "documents/templates/" + file));
        return out;
    }();
    return all;
}

const DocumentTemplate& shippedTemplate(const std::string& name, int version) {
    for (const auto& t : shippedTemplates())
        if (t.name == name && t.version == version)
            return t;
    throw TemplateError("no template \"" + name + "\" version " + std::to_string(version));
}

}  // namespace avtaleflyt::documents
