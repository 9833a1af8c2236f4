#pragma once
// Networks and their rosters: the areas, the units, who is a nurse and who leads whom.
// Owns the network, area, unit, person and membership tables.

#include <string>
#include <vector>

#include "avtaleflyt/domain/Roster.h"
#include "avtaleflyt/domain/RosterDiff.h"
#include "avtaleflyt/domain/Table.h"
#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

// The outcome of reading a roster file against a network.
struct RosterImport {
    Network network;
    std::string source;
    std::vector<InputProblem> problems;  // non-empty: nothing was (or would be) written
    std::vector<std::string> warnings;
    RosterDiff diff;                       // what was (or would be) changed
    bool applied = false;                  // true when the diff was written
    std::vector<std::string> caseEffects;  // what the changes did to open cases, one line each
};

class Rosters {
  public:
    explicit Rosters(Core& core) : core_(core) {}

    // addNetwork throws EngineError for a name in use, no areas, or a repeated area.
    Network addNetwork(const Actor& by, const std::string& name,
                       const std::vector<std::string>& areas) const;
    void addArea(const Actor& by, const std::string& network, const std::string& area) const;
    std::vector<Network> networks() const;
    // The network called `name`; with an empty name the only network there is. Throws
    // EngineError naming the networks there are when that does not identify one.
    Network network(const std::string& name) const;

    // Reads `path` (CSV or .xlsx) as the network's complete roster and compares it with what is
    // stored. Unless `dryRun`, or there are problems, writes the changes and one audit event per
    // change in one transaction, with what they do to open cases. Throws EngineError if the file
    // cannot be read as a table.
    RosterImport importRoster(const Actor& by, const std::string& path, const std::string& network,
                              bool dryRun) const;

    // The stored roster of a network (people: everybody the installation knows).
    Roster roster(const Network& network) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
