#pragma once
// Reading the bodies of the portal's forms apart from the request that brings them, so that the
// parsers can be tested (and fuzzed, tests/fuzz) on bytes alone: url-encoded forms, and
// multipart forms with a file. The bounds on the request (its length) stay with the caller
// (html::readForm, Router::readBody).

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>

#include <cstddef>
#include <istream>
#include <memory>
#include <string>

namespace avtaleflyt::portal {

// The largest url-encoded form the portal reads (Router::kMaxFormBytes).
constexpr std::size_t kMaxFormBytes = 16 * 1024;

// An uploaded file of a multipart form, kept in memory up to a limit.
struct Upload {
    std::string fileName, bytes;
    bool tooLarge = false;
};

// The url-encoded form in `body`; null if it is malformed.
std::unique_ptr<Poco::Net::HTMLForm> parseForm(const std::string& body);

// Reads the form of `request` (a POST whose Content-Type, multipart/form-data, names the
// boundary) from `body` into `form`: its fields into `form`, its file into `upload`, at most
// `limit` bytes of it (a larger file sets upload.tooLarge and leaves upload.bytes empty). Throws
// Poco::Exception if the body is malformed.
void readMultipart(const Poco::Net::HTTPRequest& request, std::istream& body,
                   Poco::Net::HTMLForm& form, Upload& upload, std::size_t limit);

}  // namespace avtaleflyt::portal
