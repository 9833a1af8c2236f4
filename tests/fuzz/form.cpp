// parseForm (apps/portal/Forms.h: Poco's HTMLForm, url-encoded) on any body the portal reads
// (html::readForm takes at most Router::kMaxFormBytes): a form within Poco's limits, or null.
#include <Poco/Net/HTMLForm.h>

#include "Forms.h"
#include "Fuzz.h"

using namespace avtaleflyt;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > portal::kMaxFormBytes)
        return -1;  // refused unread
    if (const auto form = portal::parseForm(fuzz::bytes(data, size))) {
        fuzz::require(form->size() <= static_cast<std::size_t>(form->getFieldLimit()),
                      "no more fields than the limit");
        std::size_t bytes = 0;
        for (const auto& [name, value] : *form) bytes += name.size() + value.size();
        fuzz::require(bytes <= size, "no more text than the body holds");
    }
    return 0;
}
