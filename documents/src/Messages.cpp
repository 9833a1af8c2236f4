#include "avtaleflyt/documents/Messages.h"

#include <sstream>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::documents {

const std::vector<std::pair<std::string, std::string>>& messageFiles();  // generated

namespace {

std::map<std::string, std::string> parseProperties(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const std::string t = text::trim(line);
        if (t.empty() || t[0] == '#')
            continue;
        const auto eq = t.find('=');
        if (eq == std::string::npos)
            continue;
                // "\n" stands for a line break, as in Java properties files.
        std::string value = text::trim(t.substr(eq + 1));
        for (auto pos = value.find("\\n"); pos != std::string::npos; pos = value.find("\\n", pos + 1))
            value.replace(pos, 2, "\n");
        out[text::trim(t.substr(0, eq))] = value;
    }
    return out;
}

}  // namespace

const Messages& Messages::forLanguage(const std::string& language) {
    static const std::map<std::string, Messages> catalogues = [] {
        std::map<std::string, Messages> out;
        for (const auto& [file, text] : messageFiles()) {
            Messages m;
            m.texts_ = parseProperties(text);
            out[file.substr(0, file.find('.'))] = m;
        }
        return out;
    }();
    const auto it = catalogues.find(language);
    return it != catalogues.end() ? it->second : catalogues.at("nb");
}

std::string Messages::text(const std::string& key, const std::vector<std::string>& args) const {
    const auto it = texts_.find(key);
    std::string s = it == texts_.end() ? key : it->second;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string mark = "{" + std::to_string(i) + "}";
        for (auto pos = s.find(mark); pos != std::string::npos;
             pos = s.find(mark, pos + args[i].size()))
            s.replace(pos, mark.size(), args[i]);
    }
    return s;
}

}  // namespace avtaleflyt::documents
