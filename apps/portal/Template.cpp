#include "Template.h"

#include <memory>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::portal {

const std::vector<std::pair<std::string, std::string>>& pageFiles();
const std::vector<std::pair<std::string, std::string>>& styleFiles();

namespace {

using Node = Template::Node;

// Parses `source` from `at` up to the end, or up to {{/closing}} if `closing` is not empty.
std::vector<Node> parse(const std::string& name, const std::string& source, std::size_t& at,
                        const std::string& closing) {
    std::vector<Node> nodes;
    while (at < source.size()) {
        const auto open = source.find("{{", at);
        if (open != at)
            nodes.push_back({Node::Kind::Text, source.substr(at, open - at), {}});
        if (open == std::string::npos) {
            at = source.size();
            break;
        }
        const bool raw = source.compare(open, 3, "{{{") == 0;
        const auto close = source.find(raw ? "}}}" : "}}", open);
        if (close == std::string::npos)
            throw TemplateError(name + ": a tag is not ended");
        const std::string tag =
            text::trim(source.substr(open + (raw ? 3 : 2), close - open - (raw ? 3 : 2)));
        at = close + (raw ? 3 : 2);
        if (tag.empty())
            throw TemplateError(name + ": an empty tag");
        if (raw) {
            nodes.push_back({Node::Kind::Raw, tag, {}});
        } else if (tag[0] == '/') {
            if (tag.substr(1) != closing)
                throw TemplateError(name + ": {{" + tag + "}} closes no open section");
            return nodes;
        } else if (tag[0] == '#' || tag[0] == '^') {
            const std::string section = tag.substr(1);
            auto children = parse(name, source, at, section);
            nodes.push_back({tag[0] == '#' ? Node::Kind::Section : Node::Kind::Inverted, section,
                             std::move(children)});
        } else {
            nodes.push_back({Node::Kind::Escaped, tag, {}});
        }
    }
    if (!closing.empty())
        throw TemplateError(name + ": {{#" + closing + "}} is not closed");
    return nodes;
}

// The values in scope, innermost first.
using Scope = std::vector<const Values*>;

template <typename Map>
const typename Map::mapped_type* find(const Scope& scope, Map Values::*member,
                                      const std::string& n) {
    for (auto v = scope.rbegin(); v != scope.rend(); ++v)
        if (const auto it = ((*v)->*member).find(n); it != ((*v)->*member).end())
            return &it->second;
    return nullptr;
}

struct Context {
    const std::string& name;
    const engine::Texts& messages;
};

void render(const Context& context, const std::vector<Node>& nodes, Scope& scope,
            std::string& out) {
    for (const auto& node : nodes) {
        if (node.kind == Node::Kind::Text) {
            out += node.value;
            continue;
        }
        if (node.kind == Node::Kind::Escaped && node.value.rfind("t.", 0) == 0) {
            if (!context.messages.has(node.value.substr(2)))
                throw TemplateError(context.name + ": no message " + node.value.substr(2));
            out += text::escapeXml(context.messages.text(node.value.substr(2)));
            continue;
        }
        const auto* text = find(scope, &Values::text, node.value);
        const auto* html =
            node.kind == Node::Kind::Raw ? find(scope, &Values::html, node.value) : nullptr;
        const auto* rows =
            node.kind >= Node::Kind::Section ? find(scope, &Values::rows, node.value) : nullptr;
        if (node.kind == Node::Kind::Raw       ? !html
            : node.kind == Node::Kind::Escaped ? !text
                                               : !text && !rows)
            throw TemplateError(context.name + ": no value for {{" + node.value + "}}");
        if (node.kind == Node::Kind::Escaped) {
            out += text::escapeXml(*text);
        } else if (node.kind == Node::Kind::Raw) {
            out += *html;
        } else if (node.kind == Node::Kind::Inverted) {
            if (rows ? rows->empty() : text->empty())
                render(context, node.children, scope, out);
        } else if (rows) {
            for (const auto& row : *rows) {
                scope.push_back(&row);
                render(context, node.children, scope, out);
                scope.pop_back();
            }
        } else if (!text->empty()) {
            render(context, node.children, scope, out);
        }
    }
}

const std::string* embedded(const std::vector<std::pair<std::string, std::string>>& files,
                            const std::string& file) {
    for (const auto& [n, contents] : files)
        if (n == file)
            return &contents;
    return nullptr;
}

}  // namespace

Template::Template(const std::string& name, const std::string& source) : name_(name) {
    std::size_t at = 0;
    nodes_ = parse(name, source, at, "");
}

std::string Template::render(const Values& values, const engine::Texts& messages) const {
    std::string out;
    Scope scope{&values};
    portal::render({name_, messages}, nodes_, scope, out);
    return out;
}

const Template& Template::named(const std::string& file) {
    // All parsed on the first call; a function-local static, so safe from any request thread.
    static const auto templates = [] {
        std::map<std::string, std::unique_ptr<Template>> all;
        for (const auto& [n, source] : pageFiles()) all[n] = std::make_unique<Template>(n, source);
        return all;
    }();
    const auto it = templates.find(file);
    if (it == templates.end())
        throw TemplateError("no template " + file);
    return *it->second;
}

std::vector<std::string> Template::names() {
    std::vector<std::string> out;
    for (const auto& file : pageFiles()) out.push_back(file.first);
    return out;
}

const std::string& styleSheet(const std::string& file) {
    const auto* css = embedded(styleFiles(), file);
    if (!css)
        throw TemplateError("no style sheet " + file);
    return *css;
}

}  // namespace avtaleflyt::portal
