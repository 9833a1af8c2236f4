// readMultipart (apps/portal/Forms.h: Poco's multipart reader and the portal's file part
// handler) on any body. The input's first line is the request's Content-Type (so the boundary
// is fuzzed too), the rest the body. The file is kept up to a small limit here, so that files
// over it (upload.tooLarge) come up as often as files within it.
#include <Poco/Exception.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>

#include <sstream>

#include "Forms.h"
#include "Fuzz.h"

using namespace avtaleflyt;

namespace {
constexpr std::size_t kLimit = 4096;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input = fuzz::bytes(data, size);
    const auto newline = input.find('\n');
    if (newline == std::string::npos)
        return -1;
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/app/roster",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    try {
        request.setContentType(input.substr(0, newline));
    } catch (const Poco::Exception&) {
        return -1;  // not a header value a request can carry
    }
    std::istringstream body(input.substr(newline + 1));
    Poco::Net::HTMLForm form;
    portal::Upload upload;
    try {
        portal::readMultipart(request, body, form, upload, kLimit);
    } catch (const Poco::Exception&) {
        return 0;
    }
    fuzz::require(upload.bytes.size() <= kLimit, "a file within the limit");
    fuzz::require(!upload.tooLarge || upload.bytes.empty(), "a file over the limit not kept");
    fuzz::require(form.size() <= static_cast<std::size_t>(form.getFieldLimit()),
                  "no more fields than the limit");
    return 0;
}
