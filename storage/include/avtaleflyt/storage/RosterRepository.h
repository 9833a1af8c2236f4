#pragma once
// Networks, their areas, and their rosters in the database.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Roster.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

struct NetworkRecord {
    std::int64_t id = 0;
    std::string name;
    std::vector<std::string> areas;  // in the order they were given
    std::string createdAt;
};

class RosterRepository {
  public:
    explicit RosterRepository(Database& db) : db_(db) {}

    // Creates a network with its areas. Throws StorageError if the name is taken (ignoring case).
    NetworkRecord createNetwork(const std::string& name, const std::vector<std::string>& areas,
                                Timestamp now);
    // Adds an area at the end of the network's list. Throws StorageError if it exists.
    void addArea(const NetworkRecord& network, const std::string& area);
    std::optional<NetworkRecord> findNetwork(const std::string& name) const;
    std::vector<NetworkRecord> networks() const;

    // Adds a person who is not on a roster (e.g. an agreement's signatory). Call inside a
    // Transaction; throws StorageError if the e-mail is taken.
    void addPerson(const Person& p, Timestamp now);

        // Everybody the installation knows, by e-mail.
    std::map<std::string, Person> people() const;
    // One person, by normalized e-mail; nothing if unknown.
    std::optional<Person> person(const std::string& email) const;
        // The e-mail of the leader of the network's `area`, if it has one.
    std::optional<std::string> areaLeader(const NetworkRecord& network, const std::string& area) const;
    // The network's leader, if it has one.
    std::optional<Person> networkLeader(const NetworkRecord& network) const;

    // One nurse's membership of the network, by normalized e-mail (one indexed read); nothing if
    // the person is no nurse of it.
    std::optional<NurseMembership> membership(const NetworkRecord& network,
                                              const std::string& email) const;
    // The network's stored roster; `people` holds everybody the installation knows.
    Roster load(const NetworkRecord& network) const;

    // Makes the stored roster equal `desired`: people are added or updated, nurses added, moved
    // or given a new leader or status (status_since = today when it changes), nurses missing
    // from `desired` marked left, area and network leaders replaced. Call inside a Transaction.
    void save(const NetworkRecord& network, const Roster& desired, Timestamp now);

  private:
    Database& db_;
};

}  // namespace avtaleflyt::storage
