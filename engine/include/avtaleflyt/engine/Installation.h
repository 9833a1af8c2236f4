#pragma once
// An installation: one data folder holding the database (avtaleflyt.db), the configuration
// (avtaleflyt.properties) and the seal. The composition root: it opens what the services share
// and hands out the services, one per use case:
//
//   rosters()    networks and rosters                   Rosters.h
//   cases()      opening, sending and moving cases      Cases.h
//   signing()    signing through a link                 Signing.h
//   outbox()     delivering mail                        Outbox.h
//   reminders()  the timers and the sweep               Reminders.h
//   records()    archive, print batches, audits         Records.h
//   reports()    outstanding signatures                 Reports.h
//   users()      dashboard users and sessions           Users.h
//
// Thread safety: the services may be called from any number of threads at once. Each call works
// on a database connection of its own (storage/Database.h) and writes in short transactions;
// what the calls share (the settings, the workflows, the seal, the transport) is read-only once
// the installation is open, or guarded where it is made on first use. The set* and listenAt /
// renderWith calls configure the installation and belong before it is shared between threads.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Env.h"
#include "avtaleflyt/engine/Basics.h"
#include "avtaleflyt/engine/Cases.h"
#include "avtaleflyt/engine/Outbox.h"
#include "avtaleflyt/engine/Records.h"
#include "avtaleflyt/engine/Reminders.h"
#include "avtaleflyt/engine/Reports.h"
#include "avtaleflyt/engine/Rosters.h"
#include "avtaleflyt/engine/Settings.h"
#include "avtaleflyt/engine/Signing.h"
#include "avtaleflyt/engine/Users.h"

namespace avtaleflyt::notify {
class Transport;
}

namespace avtaleflyt::engine {

// What avtaleflyt migrate-to copied, and proved.
struct MigrationReport {
    std::string target;  // the PostgreSQL database, for messages
    std::vector<std::pair<std::string, std::int64_t>> rows;  // table -> rows, the same in both
    std::int64_t events = 0;  // the audit log's events, with the same head in both
    std::string headHash;
};

class Installation {
  public:
    static constexpr const char* kDatabaseFile = "avtaleflyt.db";
    static constexpr const char* kConfigFile = "avtaleflyt.properties";
    static constexpr const char* kSealCertificate = "seal-certificate.pem";
    static constexpr const char* kSealKey = "seal-key.pem";

    // Creates the data folder, the database, a commented configuration file and the seal key
    // and certificate (seal-key.pem readable by the owner only) where missing.
    // With `databaseUrl` the database is that PostgreSQL database (which must exist; its schema
    // is created), and the configuration says so (database.url) unless it names one already;
    // without it, the SQLite file avtaleflyt.db in the data folder. Throws InstallationError
    // if the folder holds an SQLite installation and a `databaseUrl` is given (migrate-to
    // copies one), or the database cannot be reached.
    // Returns false if an installation was there already (it is then only brought up to date).
    // The files are written through `env` (default: the real file system).
    static bool init(const std::string& dataDir, const Clock& clock, const Actor& by,
                     const std::string& databaseUrl = "");
    static bool init(const std::string& dataDir, const Clock& clock, const Actor& by, Env& env,
                     const std::string& databaseUrl = "");


    // Whether `dataDir` looks like an installation: its SQLite file is there, or (with
    // settings.databaseUrl) the folder is; opening it says the rest.
    static bool exists(const std::string& dataDir, const Settings& settings);

    // Opens an existing installation (its database at settings.databaseUrl, else the data
    // folder's avtaleflyt.db). Throws InstallationError if there is none at `dataDir`,
    // its database is from a newer avtaleflyt, or a workflow definition in settings.workflowsDir
    // is invalid. Every file and random number of the engine's own goes through `env` (default:
    // the real ones); the database does not, and `env` must outlive the installation.
    Installation(const std::string& dataDir, const Clock& clock, const Settings& settings = {});
    Installation(const std::string& dataDir, const Clock& clock, const Settings& settings,
                 Env& env);
    ~Installation();
    Installation(Installation&&) noexcept;

    // Copies this installation (on SQLite) into the empty PostgreSQL database `databaseUrl`
    // and proves the copy (rows of every table, the audit chain, the same head); then records
    // the move as the copy's next audit event and names the database in avtaleflyt.properties
    // (database.url), so that from now on the installation runs on PostgreSQL. avtaleflyt.db is
    // left as it was. Writers of this installation wait while it runs. Throws InstallationError
    // if it is on PostgreSQL already, EngineError if the target is not empty or the copy does
    // not prove out.
    MigrationReport migrateTo(const Actor& by, const std::string& databaseUrl) const;

    const std::string& dataDir() const;
    // Where the database is, for messages: the SQLite file, or the PostgreSQL server and
    // database (never a password).
    const std::string& databaseName() const;
    int schemaVersion() const;

    const Rosters& rosters() const;
    const Cases& cases() const;
    const Signing& signing() const;
    const Outbox& outbox() const;
    const Reminders& reminders() const;
    const Records& records() const;
    const Reports& reports() const;
    const Users& users() const;

    // `serve` listens at `url` (http://HOST:PORT): signing links made from now on start with
    // it unless settings.portalUrl is set.
    void listenAt(const std::string& url);
    // The start of the signing links made now.
    std::string portalUrl() const;
    // How many threads render a send's documents (0, the default: one per core). `serve`
    // leaves a core to the requests.
    void renderWith(unsigned workers);
    // Replaces where step actions go (the default renders, mails and queues them).
    void setActionPort(ActionPort* port);
    // Replaces the transport the outbox delivers through (the default: the settings' one).
    void setTransport(notify::Transport* transport);

  private:
    struct Parts;
    std::unique_ptr<Parts> parts_;
};

// Rendering allocates and frees buffers of some hundred KiB per document; this tells the C
// library to keep freed memory for reuse instead of handing out fresh pages each time (a third
// of a render's time). Called once at the start of a process that renders (the avtaleflyt
// program); it changes no output. (Files.cpp)
void prepareProcessForRendering();

}  // namespace avtaleflyt::engine
