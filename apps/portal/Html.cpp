#include "Html.h"

#include "Forms.h"

#include <Poco/Net/NameValueCollection.h>

#include "Template.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::portal::html {

std::string esc(const std::string& s) {
    return text::escapeXml(s);
}

void securityHeaders(Poco::Net::HTTPServerResponse& response) {
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                 "frame-ancestors 'none'; base-uri 'none'");
    response.set("X-Frame-Options", "DENY");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Cache-Control", "no-store");
}

void send(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
          const std::string& contentType, const std::string& body) {
    response.setStatusAndReason(status);  // "303 See Other", not "303 OK"
    securityHeaders(response);
    response.setContentType(contentType);
    response.sendBuffer(body.data(), body.size());  // the length set; no body for a HEAD
}

std::string page(const std::string& language, const std::string& title, const std::string& header,
                 const std::string& main, const std::string& stylesheet) {
    return Template::named("layout.html")
        .render({{{"language", language}, {"title", title}, {"stylesheet", stylesheet}},
                 {{"header", header}, {"main", main}},
                 {}},
                engine::Texts(language));
}

std::unique_ptr<Poco::Net::HTMLForm> readForm(Poco::Net::HTTPServerRequest& request,
                                              std::size_t limit) {
    if (request.getContentLength() > static_cast<std::streamsize>(limit))
        return nullptr;
    std::string body(limit + 1, '\0');
    request.stream().read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<std::size_t>(request.stream().gcount()));
    if (body.size() > limit)
        return nullptr;
    return parseForm(body);
}

std::string cookie(const Poco::Net::HTTPServerRequest& request, const std::string& name) {
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    return cookies.get(name, "");
}

std::string clientAddress(const Poco::Net::HTTPServerRequest& request,
                          const std::string& trustedProxy) {
    const std::string peer = request.clientAddress().host().toString();
    if (trustedProxy.empty() || peer != trustedProxy || !request.has("X-Forwarded-For"))
        return peer;
    const std::string chain = request.get("X-Forwarded-For");
    const auto comma = chain.rfind(',');
    const std::string last = text::trim(comma == std::string::npos ? chain : chain.substr(comma + 1));
    return last.empty() ? peer : last;
}

bool Throttle::blocked(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(prune(address).size()) >= limit_;
}

void Throttle::failed(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    prune(address).push_back(std::chrono::steady_clock::now());
}

bool Throttle::failedOverLimit(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& times = prune(address);
    if (static_cast<int>(times.size()) >= limit_)
        return true;
    times.push_back(std::chrono::steady_clock::now());
    return false;
}

std::deque<std::chrono::steady_clock::time_point>& Throttle::prune(const std::string& address) {
    auto& times = failures_[address];
    const auto cutoff = std::chrono::steady_clock::now() - std::chrono::minutes(10);
    while (!times.empty() && times.front() < cutoff) times.pop_front();
    return times;
}

std::string date(const std::string& iso, const std::string& language) {
    if (language != "nb" || iso.size() < 10)
        return iso;
    return iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
}

}  // namespace avtaleflyt::portal::html
