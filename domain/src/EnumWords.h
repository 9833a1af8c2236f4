#pragma once
// Private to the domain: an enum's words in one table, read both ways.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {

template <typename E>
struct EnumWord {
    E value;
    std::string_view name;                   // the stored and printed form
    std::string_view norwegian;              // what a Norwegian list says; empty if none
    std::vector<std::string_view> accepted;  // further words read as this value
};

template <typename E>
using EnumWords = std::vector<EnumWord<E>>;

template <typename E>
const EnumWord<E>& wordOf(const EnumWords<E>& words, E value) {
    for (const auto& w : words)
        if (w.value == value)
            return w;
    throw std::logic_error("enum value without words");
}

// Exact match on the stored name.
template <typename E>
std::optional<E> byName(const EnumWords<E>& words, std::string_view s) {
    for (const auto& w : words)
        if (w.name == s)
            return w.value;
    return std::nullopt;
}

// What people write: the name, the Norwegian word or an accepted word, trimmed, any case.
template <typename E>
std::optional<E> byAnyWord(const EnumWords<E>& words, std::string_view s) {
    const std::string t = text::foldCase(text::trim(s));
    for (const auto& w : words) {
        if (t == w.name || (!w.norwegian.empty() && t == w.norwegian))
            return w.value;
        for (const auto a : w.accepted)
            if (t == a)
                return w.value;
    }
    return std::nullopt;
}

}  // namespace avtaleflyt
