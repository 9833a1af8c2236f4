#pragma once

#include <string>
#include <string_view>

namespace avtaleflyt {

// The form an e-mail address is stored and compared in: trimmed and lower-cased.
// A person is identified by this address across the whole installation.
std::string normalizeEmail(std::string_view address);

// A practical check of an address as people type it: one '@', a non-empty local part of
// printable characters without spaces, and a domain of dot-separated labels (letters, digits,
// hyphens) with at least one dot. Expects a normalized address.
bool isWellFormedEmail(std::string_view address);

}  // namespace avtaleflyt
