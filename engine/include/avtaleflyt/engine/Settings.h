#pragma once
// How an installation is set up beyond its database: avtaleflyt.properties, as the apps read it.

#include <cstddef>
#include <map>
#include <string>

#include "avtaleflyt/notify/Transport.h"

namespace avtaleflyt::engine {

// How an installation is set up beyond its database (from avtaleflyt.properties).
// Where signing links point when neither portal.url nor a running serve says otherwise.
inline constexpr const char* kDefaultPortalUrl = "http://127.0.0.1:8080";

struct Settings {
    // database.url: the PostgreSQL database of the installation (a postgresql:// URL or libpq's
    // key=value pairs); empty: the SQLite file avtaleflyt.db in the data folder.
    std::string databaseUrl;
    std::string workflowsDir;  // empty: the definitions shipped in the binary
    std::map<std::string, std::string> signingOrder;  // workflow name -> "parallel" | "sequential"
    std::string sealPkcs12;    // a PKCS#12 file to seal with instead of the data folder's
    std::string sealPassword;  // seal-*.pem, and its password
    std::map<std::string, bool> archiveScreened;  // workflow -> screened (default: function
                                                  // descriptions yes, agreements no)
    std::string archiveAccessCode = "13";
    std::string archiveScreeningAuthority = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1";
    std::string archiveFormat = "fmt/477";  // or "pdf", as Arkade 5 expects
        bool archiveCaseFilePerCase = false;  // one saksmappe per case (default: per workflow and year)

    // Mail and the signing portal.
    std::string language = "nb";                      // of mails and the portal: "nb" or "en"
    // Signing links start with it (portal.url). Empty: where `serve` listens (see
    // listenAt), and kDefaultPortalUrl for links made outside it.
    std::string portalUrl;
    std::string trustedProxy;  // the reverse proxy's address, whose X-Forwarded-For is believed
    // Connections `serve` answers at once from one client address (the proxy's excepted).
    std::size_t maxConnectionsPerAddress = 16;
    std::string mailFrom = "avtaleflyt@localhost";
    std::string mailTransport = "maildir";  // "maildir": DATA/mail; "smtp": smtp below
    notify::SmtpSettings smtp;
};

}  // namespace avtaleflyt::engine
