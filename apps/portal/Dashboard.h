#pragma once
// The leaders' dashboard (/app/...) and the JSON API (/api/...): sign-in with sessions, the
// overview per area, cases with their actions, the roster import, the archive. Every page and
// action checks the user's role and area on the server: an area leader sees and acts on their
// own area only, the records office reads everything and acts only on the archive.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <memory>
#include <string>

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
    // Answers `path` if it is the dashboard's or the API's; false if not.
    bool handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                const std::string& path);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace avtaleflyt::portal
