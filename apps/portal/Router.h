#pragma once
// The routing table of the web server: each route is a method, a path pattern ("/s/{token}/sign",
// "/app/cases/{ref}"), what the request needs (a session, an API token, a role), whether a form
// with a CSRF token comes with it, and the handler. Router::dispatch is the one place that checks
// the session, the role and the CSRF token (constant-time): no handler checks them itself. An
// unknown path answers 404; a known path with another method 405 with an Allow header.
//
// For each request, in order: the site (the part of the server owning the path), the route (404,
// 405), authentication (the session cookie or the API token), the route's guard (e.g. the case
// must be one the user sees: 404), the role (403), the form (bounded; unreadable: the site's or
// the route's answer), the CSRF token (403), the handler.

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Forms.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::portal {

// What a route needs of the one asking.
enum class Need {
    Nobody,
    ApiToken,       // Authorization: Bearer, of a user
    SignedIn,       // a session, any role
    Acting,         // a session, not records_office (who only reads and archives)
    NetworkLeader,  // a session, network_leader (the roster, new agreements)
    NotAreaLeader,  // a session, network_leader or records_office (the archive, all agreements)
};

// What a signed-in user (or an API token's user) may see and do.
struct Access {
    engine::WebUser user;
    std::string csrf;  // the session's; empty for an API token
    bool areaOnly() const { return user.role == "area_leader"; }
    bool may(Need need) const;
    bool sees(const Case& c) const {
        return c.network == user.network && (!areaOnly() || c.area == user.area);
    }
    std::string area(const std::string& asked) const { return areaOnly() ? user.area : asked; }
    // Everything the user does is the user's in the audit log.
    engine::Actor by() const { return {"web:" + user.username}; }
};

enum class Body { None, Form, Multipart };
enum class BodyError { TooLarge, Malformed };

// One request on its way through the router.
struct Exchange {
    Poco::Net::HTTPServerRequest& request;
    Poco::Net::HTTPServerResponse& response;
    std::string path;                           // without the query
    std::map<std::string, std::string> params;  // the pattern's {names}
    std::optional<Access> who;                  // for routes that need a session or token
    std::unique_ptr<Poco::Net::HTMLForm> form;  // for routes with a body, read and CSRF-checked
    Upload upload;                              // the file of a multipart form
    bool head() const { return request.getMethod() == "HEAD"; }
    const std::string& param(const std::string& name) const { return params.at(name); }
};

using Handler = std::function<void(Exchange&)>;

// A handler that calls `f` on `object` (which must outlive the router).
template <typename T>
Handler handler(T* object, void (T::*f)(Exchange&)) {
    return [object, f](Exchange& e) { (object->*f)(e); };
}

struct Route {
    std::string method;   // GET (which answers HEAD too) or POST
    std::string pattern;  // segments, "{name}" matching any one non-empty segment
    Need need = Need::Nobody;
    bool csrf = false;  // a form with the CSRF token (the site's expected one) must come along
    Body body = Body::None;
    Handler handler;
    // Runs before the role and CSRF checks; answers and returns false when the request is for
    // something that is not there for this user (a case of another area, a used link).
    std::function<bool(Exchange&)> guard = nullptr;
    // Answers a body that cannot be read; the site's badBody if not set.
    std::function<void(Exchange&, BodyError)> badBody = nullptr;
    // The CSRF token this route's form must bring, and the answer to a form without it, when
    // they are not the site's: the sign-in form's token comes before any session.
    std::function<std::string(const Exchange&)> expectedCsrf = nullptr;
    std::function<void(Exchange&)> forbidden = nullptr;
};

// A part of the server with the paths it owns and the answers it gives to what it refuses.
struct Site {
    std::function<bool(const std::string& path)> owns;
    Need unknownNeeds = Need::Nobody;  // an unknown path: authenticated like this, then 404
    std::vector<Route> routes;
    // The CSRF token a request with a form must bring (it has passed authentication).
    std::function<std::string(const Exchange&)> expectedCsrf;
    std::function<void(Exchange&)> unauthenticated;  // no session or API token
    std::function<void(Exchange&)> forbidden;        // wrong role or CSRF token: 403
    std::function<void(Exchange&, Poco::Net::HTTPResponse::HTTPStatus)> notFound;  // 404, 405
    std::function<void(Exchange&, BodyError)> badBody;
};

class Router {
  public:
    Router(engine::Installation& installation, std::vector<Site> sites);
    // Answers the request (the handler's exceptions go to the caller).
    void dispatch(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    // Every route of every site, read-only (for the tests that go through them all).
    std::vector<const Route*> routes() const;

    static constexpr std::size_t kMaxFormBytes = portal::kMaxFormBytes;
    static constexpr std::size_t kMaxUploadBytes = engine::Cases::kMaxScanBytes;
    static constexpr const char* kSessionCookie = "avtaleflyt_session";

  private:
    bool authenticate(Exchange& exchange, Need need) const;
    bool readBody(Exchange& exchange, const Route& route, const Site& site) const;

    engine::Installation& installation_;
    const std::vector<Site> sites_;
};

// A path for the request log: a signing link's token (the segment after /s/) as "<token>".
std::string redactedPath(const std::string& path);

}  // namespace avtaleflyt::portal
