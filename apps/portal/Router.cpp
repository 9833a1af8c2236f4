#include "Router.h"

#include <openssl/crypto.h>

#include <string_view>

#include "Connections.h"
#include "Html.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::portal {
namespace {

using Poco::Net::HTTPResponse;

// The segments of a path or pattern ("/s/{token}/sign": "s", "{token}", "sign"), as views of it.
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = path.empty() || path[0] != '/' ? 0 : 1;
    for (;;) {
        const std::size_t end = path.find('/', start);
        out.push_back(path.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos)
            return out;
        start = end + 1;
    }
}

// Whether the path's segments `have` match the pattern; its {names} then set in `params`.
bool match(const std::string& pattern, const std::vector<std::string_view>& have,
           std::map<std::string, std::string>& params) {
    const auto want = segments(pattern);
    if (want.size() != have.size())
        return false;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto w = want[i];
        const bool named = w.size() > 2 && w.front() == '{' && w.back() == '}';
        if (named ? have[i].empty() : w != have[i])
            return false;
    }
    for (std::size_t i = 0; i < want.size(); ++i)
        if (want[i].size() > 2 && want[i].front() == '{')
            params[std::string(want[i].substr(1, want[i].size() - 2))] = std::string(have[i]);
    return true;
}

bool sameSecret(const std::string& expected, const std::string& given) {
    return !expected.empty() && expected.size() == given.size() &&
           CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

}  // namespace

bool Access::may(Need need) const {
    switch (need) {
        case Need::Acting:
            return user.role != "records_office";
        case Need::NetworkLeader:
            return user.role == "network_leader";
        case Need::NotAreaLeader:
            return !areaOnly();
        default:
            return true;
    }
}

Router::Router(engine::Installation& installation, std::vector<Site> sites)
    : installation_(installation), sites_(std::move(sites)) {
    for (const auto* route : routes())
        if (route->csrf && route->body == Body::None)
            throw std::logic_error(route->pattern + ": a CSRF token comes in a form");
}

std::vector<const Route*> Router::routes() const {
    std::vector<const Route*> out;
    for (const auto& site : sites_)
        for (const auto& route : site.routes) out.push_back(&route);
    return out;
}

bool Router::authenticate(Exchange& exchange, Need need) const {
    if (need == Need::Nobody)
        return true;
    if (need == Need::ApiToken) {
        const std::string auth = exchange.request.get("Authorization", "");
        // The scheme's name is case-insensitive (RFC 9110, 11.1).
        if (auth.size() > 7 && text::foldCase(auth.substr(0, 7)) == "bearer ")
            if (const auto user = installation_.users().apiUser(auth.substr(7)))
                exchange.who = Access{*user, ""};
    } else {
        const std::string token = html::cookie(exchange.request, kSessionCookie);
        if (!token.empty())
            if (const auto session = installation_.users().sessionUser(token))
                exchange.who = Access{session->first, session->second};
    }
    return exchange.who.has_value();
}

bool Router::readBody(Exchange& exchange, const Route& route, const Site& site) const {
    const auto refuse = [&](BodyError error) {
        (route.badBody ? route.badBody : site.badBody)(exchange, error);
        return false;
    };
    Connections::readingBody();  // within its time, or the connection is shut
    struct Answering {
        ~Answering() { Connections::answering(); }
    } read;
    if (route.body == Body::Form) {
        exchange.form = html::readForm(exchange.request, kMaxFormBytes);
        return exchange.form || refuse(BodyError::Malformed);
    }
    if (exchange.request.getContentLength() >
        static_cast<std::streamsize>(kMaxUploadBytes + kMaxFormBytes))
        return refuse(BodyError::TooLarge);
    exchange.form = std::make_unique<Poco::Net::HTMLForm>();
    try {
        readMultipart(exchange.request, exchange.request.stream(), *exchange.form,
                      exchange.upload, kMaxUploadBytes);
    } catch (const Poco::Exception&) {
        return refuse(BodyError::Malformed);
    }
    return true;
}

void Router::dispatch(Poco::Net::HTTPServerRequest& request,
                      Poco::Net::HTTPServerResponse& response) {
    Exchange exchange{request, response, request.getURI(), {}, std::nullopt, nullptr, {}};
    if (const auto q = exchange.path.find('?'); q != std::string::npos)
        exchange.path.resize(q);
    const std::string method = request.getMethod() == "HEAD" ? "GET" : request.getMethod();
    const Site* site = nullptr;
    for (const auto& s : sites_)
        if (!site && s.owns(exchange.path))
            site = &s;
    if (!site)
        throw std::logic_error("no site owns " + exchange.path);

    const Route* route = nullptr;
    std::string allow;
    const auto have = segments(exchange.path);
    for (const auto& r : site->routes) {
        std::map<std::string, std::string> params;
        if (!match(r.pattern, have, params))
            continue;
        if (r.method == method && !route) {
            route = &r;
            exchange.params = std::move(params);
        } else if (allow.find(r.method) == std::string::npos) {
            allow += (allow.empty() ? "" : ", ") + r.method;
        }
    }
    if (!route && !allow.empty()) {
        response.set("Allow", allow);
        return site->notFound(exchange, HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
    }
    if (!authenticate(exchange, route ? route->need : site->unknownNeeds))
        return site->unauthenticated(exchange);
    if (!route)
        return site->notFound(exchange, HTTPResponse::HTTP_NOT_FOUND);
    if (route->guard && !route->guard(exchange))
        return;
    if (exchange.who && !exchange.who->may(route->need))
        return site->forbidden(exchange);
    if (route->body != Body::None && !readBody(exchange, *route, *site))
        return;
    if (route->csrf &&
        !sameSecret((route->expectedCsrf ? route->expectedCsrf : site->expectedCsrf)(exchange),
                    exchange.form->get("csrf", "")))
        return (route->forbidden ? route->forbidden : site->forbidden)(exchange);
    route->handler(exchange);
}

std::string redactedPath(const std::string& path) {
    if (path.rfind("/s/", 0) != 0)
        return path;
    const auto end = path.find('/', 3);
    return "/s/<token>" + (end == std::string::npos ? "" : path.substr(end));
}

}  // namespace avtaleflyt::portal
