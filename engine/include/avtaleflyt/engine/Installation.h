#pragma once
// An installation: one data folder holding the database (avtaleflyt.db) and the configuration
// (avtaleflyt.properties). The entry point for everything the apps do.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Roster.h"
#include "avtaleflyt/domain/RosterDiff.h"
#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt::engine {

// An operation that could not be done; the message says what and why, for the user.
// Nothing was changed when it is thrown.
class EngineError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The installation is missing or unusable (no data folder, a database from a newer version).
class InstallationError : public EngineError {
  public:
    using EngineError::EngineError;
};

struct Network {
    std::string name;
    std::vector<std::string> areas;
    std::string createdAt;
};

// The outcome of reading a roster file against a network.
struct RosterImport {
    Network network;
    std::string source;
    std::vector<InputProblem> problems;  // non-empty: nothing was (or would be) written
    std::vector<std::string> warnings;
    RosterDiff diff;       // what was (or would be) changed
    bool applied = false;  // true when the diff was written
};

struct AuditEventView {
    std::int64_t seq;
    std::string occurredAt, actor, kind, subject, payload;
};

struct AuditCheck {
    std::int64_t eventsChecked = 0;
    std::string headHash;
    std::optional<std::int64_t> firstBadSeq;
    std::string problem;
};

class Installation {
  public:
    static constexpr const char* kDatabaseFile = "avtaleflyt.db";
    static constexpr const char* kConfigFile = "avtaleflyt.properties";

    // Creates the data folder, the database and a commented configuration file where missing.
    // Returns false if an installation was there already (it is then only brought up to date).
    static bool init(const std::string& dataDir, const Clock& clock, const std::string& actor);

    // Opens an existing installation. Throws InstallationError if there is none at `dataDir`
    // or its database is from a newer avtaleflyt. `actor` is recorded on every audit event.
    Installation(const std::string& dataDir, const Clock& clock, std::string actor);
    ~Installation();
    Installation(Installation&&) noexcept;

    const std::string& dataDir() const;
    int schemaVersion() const;

    // Networks. addNetwork throws EngineError for a name in use, no areas, or a repeated area.
    Network addNetwork(const std::string& name, const std::vector<std::string>& areas);
    void addArea(const std::string& network, const std::string& area);
    std::vector<Network> networks() const;
    // The network called `name`; with an empty name the only network there is. Throws
    // EngineError naming the networks there are when that does not identify one.
    Network network(const std::string& name) const;

    // Reads `path` (CSV or .xlsx) as the network's complete roster and compares it with what is
    // stored. Unless `dryRun`, or there are problems, writes the changes and one audit event per
    // change in one transaction. Throws EngineError if the file cannot be read as a table.
    RosterImport importRoster(const std::string& path, const std::string& network, bool dryRun);

    // The stored roster of a network (people: everybody the installation knows).
    Roster roster(const Network& network) const;

    AuditCheck verifyAuditLog() const;
    std::vector<AuditEventView> auditEvents(std::int64_t after, std::size_t limit) const;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace avtaleflyt::engine
