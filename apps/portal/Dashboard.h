#pragma once
// The leaders' dashboard (/app/...) and the JSON API (/api/...): sign-in with sessions, the
// overview per area, cases with their actions, the roster import, the archive. Every page and
// action is a route of the table (Router.h) with the role it needs: an area leader sees and acts
// on their own area only, the records office reads everything and acts only on the archive; what
// a user sees is checked on the server (the cases of their area, their network).
//
// Shared between the request threads: the installation (thread-safe itself), the settings and
// the message catalogue (only read), and the throttle of failed sign-ins per address (guarded by
// its own mutex). A session, its user and its CSRF token are read from the database for each
// request and live in that request's Exchange; uploads get fresh random names, so two requests
// never share a file.

#include <memory>
#include <string>
#include <vector>

#include "Router.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::portal {

struct DashboardSettings {
    std::string language = "nb";
    bool secureCookies = false;  // set when the public address is https
    std::string trustedProxy;    // see PortalSettings
    int maxFailedSignIns = 20;   // per address and ten minutes, then 429
};

class Dashboard {
  public:
    Dashboard(engine::Installation& installation, DashboardSettings settings);
    ~Dashboard();
    // The dashboard's site (/app, /app/..., /app.css) and the API's (/api/...), whose handlers
    // use this dashboard: it must outlive the router they go into.
    std::vector<Site> sites();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace avtaleflyt::portal
