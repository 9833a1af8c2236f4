#include "avtaleflyt/domain/Email.h"

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {

std::string normalizeEmail(std::string_view address) {
    return text::foldCase(text::trim(address));
}

bool isWellFormedEmail(std::string_view address) {
    const auto at = address.find('@');
    if (at == std::string_view::npos || at == 0 ||
        address.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto local = address.substr(0, at);
    const auto domain = address.substr(at + 1);
    for (const char c : local) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' || c == ';' ||
            c == '<' || c == '>' || c == '[' || c == ']' || c == '\\')
            return false;
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return false;
    if (domain.find('.') == std::string_view::npos)
        return false;
    std::size_t labelStart = 0;
    for (std::size_t i = 0; i <= domain.size(); ++i) {
        if (i == domain.size() || domain[i] == '.') {
            const auto label = domain.substr(labelStart, i - labelStart);
            if (label.empty() || label.front() == '-' || label.back() == '-')
                return false;
            labelStart = i + 1;
            continue;
        }
        const auto u = static_cast<unsigned char>(domain[i]);
        const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                        (u >= '0' && u <= '9') || u == '-' ||
                        u >= 0x80;  // internationalised domains (e.g. æ, ø, å)
        if (!ok)
            return false;
    }
    return true;
}

}  // namespace avtaleflyt
