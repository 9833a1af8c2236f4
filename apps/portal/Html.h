#pragma once
// What every page of the web server shares: escaping, the security headers, the page frame,
// bounded form reading, cookies, client addresses, throttling.

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::portal::html {

std::string esc(const std::string& s);
// CSP without scripts, no framing, no referrer, no caching, no sniffing.
void securityHeaders(Poco::Net::HTTPServerResponse& response);
void send(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
          const std::string& contentType, const std::string& body);
// A whole HTML page (pages/layout.html); `header` and `main` are HTML built from escaped parts.
std::string page(const std::string& language, const std::string& title, const std::string& header,
                 const std::string& main, const std::string& stylesheet);
// The url-encoded form of a POST, at most `limit` bytes; null if larger or malformed.
std::unique_ptr<Poco::Net::HTMLForm> readForm(Poco::Net::HTTPServerRequest& request,
                                              std::size_t limit);
// The value of cookie `name`, or "".
std::string cookie(const Poco::Net::HTTPServerRequest& request, const std::string& name);
// The client's address: the peer, or the last X-Forwarded-For address when the peer is the
// trusted proxy.
std::string clientAddress(const Poco::Net::HTTPServerRequest& request,
                          const std::string& trustedProxy);

// Failures per address in the last ten minutes, for refusing guessing (links, passwords). Shared
// by the request threads: every use holds the throttle's mutex.
class Throttle {
  public:
    explicit Throttle(int limit) : limit_(limit) {}
    bool blocked(const std::string& address);
    void failed(const std::string& address);
    // A failure: counted, and false, while the address is below the limit; true (and not
    // counted, so an address guessing on holds at most `limit` entries) once it has reached it.
    bool failedOverLimit(const std::string& address);

  private:
    std::deque<std::chrono::steady_clock::time_point>& prune(const std::string& address);
    int limit_;
    std::mutex mutex_;
    std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> failures_;
};

// YYYY-MM-DD (or a timestamp) as dd.mm.yyyy for Norwegian; unchanged otherwise.
std::string date(const std::string& iso, const std::string& language);

}  // namespace avtaleflyt::portal::html
