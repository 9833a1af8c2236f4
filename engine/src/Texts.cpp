#include "avtaleflyt/engine/Texts.h"

#include "avtaleflyt/documents/Messages.h"

namespace avtaleflyt::engine {

Texts::Texts(std::string language) : language_(std::move(language)) {}

std::string Texts::text(const std::string& key, const std::vector<std::string>& args) const {
    return documents::Messages::forLanguage(language_).text(key, args);
}

bool Texts::has(const std::string& key) const {
    return documents::Messages::forLanguage(language_).has(key);
}

}  // namespace avtaleflyt::engine
