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

    // An active nurse, with her name and her nearest leader's (empty: no such person stored).
    struct ActiveNurse {
        std::string email, name, area, unit, leaderEmail, leaderName;
    };
    // The network's active nurses (in `area`; every area when it is empty) who have no case of
    // `workflow` at `templateVersion` that is not withdrawn: at most `limit` of them, in e-mail
    // order, after the e-mail `after`. A page of a walk through a network of any size.
    std::vector<ActiveNurse> activeWithoutCase(const NetworkRecord& network, const std::string& area,
                                               const std::string& workflow, int templateVersion,
                                               const std::string& after, std::size_t limit) const;
    // How many of the network's active nurses (in `area`, or all) have such a case.
    std::size_t activeWithCase(const NetworkRecord& network, const std::string& area,
                               const std::string& workflow, int templateVersion) const;

    // Makes the stored roster equal `desired`: people are added or updated, nurses added, moved
    // or given a new leader or status (status_since = today when it changes), nurses missing
    // from `desired` marked left, area and network leaders replaced. Call inside a Transaction.
    void save(const NetworkRecord& network, const Roster& desired, Timestamp now);

  private:
    Database& db_;
};

}  // namespace avtaleflyt::storage
