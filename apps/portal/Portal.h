#pragma once
// The signing portal: a signer opens the link from the mail, reads the document (as HTML and
// as the PDF), and signs or declines with a reason. Routes:
//   GET  /                      a short page saying what this is
//   GET  /portal.css            the style sheet
//   GET  /s/TOKEN               the document and the forms          200, or 404/409/410
//   GET  /s/TOKEN/dokument.pdf  the PDF sent for signing            200, or 404
//   POST /s/TOKEN/sign          confirm=yes, csrf                   200, 400, 403, 404/409/410
//   POST /s/TOKEN/decline       reason, csrf                        200, 400, 403, 404/409/410
//   /app/..., /api/...          the leaders' dashboard and the JSON API (Dashboard.h)
// Any other path answers 404; one of these with another method 405 with an Allow header. Pages
// are the templates in pages/, the style sheets are in styles/ (both compiled in).
// Every answer carries security headers (CSP without scripts, no framing, no referrer, no
// caching). Forms carry a CSRF token bound to the link and to this server's secret. An address
// with too many unknown links in ten minutes gets 429 for a while. The routes are one table
// (Router.h) with the dashboard's and the API's; each request is logged on "avtaleflyt.http"
// (method, path with the link's token as <token>, status, milliseconds).
//
// Shared between the request threads (up to 64 at once, no global lock):
//   - the installation: thread-safe itself (a database connection per thread);
//   - the CSRF secret, the settings, the message catalogue, the routing table and the embedded
//     templates: written before the server starts, then only read;
//   - the throttles of unknown links and of failed sign-ins: each guarded by its own mutex;
//   - the logger: Poco's loggers are thread-safe.
// Everything else lives in one request's Exchange.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "Router.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::portal {

struct PortalSettings {
    std::string bind = "127.0.0.1";
    unsigned port = 8080;  // 0: any free port (see Portal::port)
    std::string language = "nb";
    // Unknown links per address and ten minutes, then each further one 429 (a real link is
    // always answered); failed sign-ins likewise, then every sign-in 429.
    int maxUnknownLinks = 20;
    bool secureCookies = false;  // the dashboard's session cookie only over https
    // The reverse proxy's address: requests from it are from the last X-Forwarded-For address
    // (for throttling and the signing evidence). Empty: no proxy is trusted.
    std::string trustedProxy;
    // Connections served at once for one client address (the trusted proxy's excepted); one
    // more is answered 503. A request's headers must arrive within `headerTime` of the
    // connection being ready for it, a body within `bodyTime`; a connection past it is closed.
    std::size_t maxConnectionsPerAddress = 16;
    std::chrono::milliseconds headerTime{10000};
    std::chrono::milliseconds bodyTime{60000};
};

class Portal {
  public:
    // Serves `installation`, which is used from many request threads at once.
    Portal(engine::Installation& installation, const PortalSettings& settings);
    ~Portal();  // stops, waiting for requests under way

    void start();
    void stop();
    unsigned port() const;  // the port listened on
    // The routing table (the portal's, the dashboard's and the API's routes), read-only.
    std::vector<const Route*> routes() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace avtaleflyt::portal
