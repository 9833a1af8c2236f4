#pragma once
// Small text helpers for UTF-8 strings, shared by every module.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avtaleflyt::text {

// Removes ASCII whitespace and U+00A0 (no-break space, common in spreadsheets) at both ends.
std::string trim(std::string_view s);

// Lower-cases ASCII letters and the Norwegian letters Æ Ø Å (and other Latin-1 capitals).
std::string foldCase(std::string_view s);

// True if case-folded and trimmed, the two strings are equal.
bool equalsFolded(std::string_view a, std::string_view b);

// True if the bytes are well-formed UTF-8 (no overlongs, no surrogates).
bool isValidUtf8(std::string_view s);

// Converts Windows-1252 bytes (what Excel writes as "CSV" on a Norwegian Windows) to UTF-8.
// The five undefined code points map to U+FFFD.
std::string windows1252ToUtf8(std::string_view s);

// Bytes as lower-case hexadecimal, two digits each.
std::string hex(const unsigned char* bytes, std::size_t size);
// The bytes of a hexadecimal text (either case); nothing if it has an odd length or another
// character.
std::optional<std::string> fromHex(std::string_view hex);
// Bytes as base64 (RFC 4648): the standard alphabet with '=' padding, or (`url`) the URL and
// file name alphabet without padding.
std::string base64(std::string_view bytes, bool url = false);

// & < > " as XML (and HTML) character references.
std::string escapeXml(std::string_view s);

// The items with `separator` between them.
// At most `maxBytes` of `s`, cut before a character rather than inside one.
std::string truncateUtf8(std::string_view s, std::size_t maxBytes);

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// Number of code points; what a terminal column width is for the letters this project meets.
std::size_t displayWidth(std::string_view s);

// Pads with spaces on the right to `width` display columns.
std::string padRight(std::string_view s, std::size_t width);

}  // namespace avtaleflyt::text
