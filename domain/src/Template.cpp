#include "avtaleflyt/domain/Template.h"

#include <set>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {
namespace {

// Calls f(name) for every {{name}} in s, and returns s with each replaced by f's result.
template <typename F>
std::string substitute(const std::string& s, F f) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const auto open = s.find("{{", pos);
        const auto close = open == std::string::npos ? open : s.find("}}", open + 2);
        if (close == std::string::npos) {
            out += s.substr(pos);
            return out;
        }
        out += s.substr(pos, open - pos);
        out += f(text::trim(s.substr(open + 2, close - open - 2)));
        pos = close + 2;
    }
}

}  // namespace

std::vector<std::string> placeholders(const DocumentTemplate& t) {
    std::set<std::string> names;
    const auto collect = [&](const std::string& s) {
        substitute(s, [&](const std::string& n) {
            names.insert(n);
            return std::string();
        });
    };
    collect(t.title);
    for (const auto& b : t.blocks) collect(b.text);
    return {names.begin(), names.end()};
}

FilledDocument fillTemplate(const DocumentTemplate& t,
                            const std::map<std::string, std::string>& values) {
    std::vector<std::string> missing;
    std::set<std::string> reported;
    const auto fill = [&](const std::string& s, int line) {
        return substitute(s, [&](const std::string& name) {
            const auto it = values.find(name);
            if (it != values.end() && !text::trim(it->second).empty())
                return it->second;
            if (reported.insert(name).second)
                missing.push_back(t.source + ":" + std::to_string(line) + ": {{" + name +
                                  "}} has no value");
            return std::string();
        });
    };
    FilledDocument doc;
    doc.title = fill(t.title, t.titleLine);
    for (const auto& b : t.blocks) {
        TemplateBlock filled = b;
        filled.text = fill(b.text, b.line);
        doc.blocks.push_back(filled);
    }
    if (!missing.empty())
        throw TemplateError(text::join(missing, "\n"));
    return doc;
}

}  // namespace avtaleflyt
