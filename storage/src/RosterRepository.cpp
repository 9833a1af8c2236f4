#include "avtaleflyt/storage/RosterRepository.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "DatabaseImpl.h"
#include "Rows.h"
#include "avtaleflyt/domain/Text.h"

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace avtaleflyt::storage {
namespace {

std::int64_t lastId(Lease& db) {
    std::int64_t id = 0;
    db.session << "SELECT last_insert_rowid()", into(id), now;
    return id;
}

std::vector<std::string> areasOf(Lease& db, std::int64_t networkId) {
    Query select(db, "SELECT name FROM area WHERE network_id = ? ORDER BY position");
    select.bind(1, networkId);
    std::vector<std::string> areas;
    while (select.step()) areas.push_back(select.text(0));
    return areas;
}

std::int64_t areaId(Lease& db, std::int64_t networkId, const std::string& area) {
    std::int64_t id = 0;
    db.session << "SELECT id FROM area WHERE network_id = ? AND name = ?", bind(networkId),
        bind(area), into(id), now;
    if (id == 0)
        throw StorageError(db.path + ": no area \"" + area + "\" in this network");
    return id;
}

// The id of the person with `email`, after making the stored name and phone equal to `p`'s.
std::int64_t upsertPerson(Lease& db, const Person& p, const std::string& at) {
    std::int64_t id = 0;
    std::string name, phone;
    Statement find(db.session);
    find << "SELECT id, name, phone FROM person WHERE email = ?", bind(p.email), into(id),
        into(name), into(phone), now;
    if (id == 0) {
        db.session << "INSERT INTO person (email, name, phone, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?)",
            bind(p.email), bind(p.name), bind(p.phone), bind(at), bind(at), now;
        return lastId(db);
    }
    if (name != p.name || phone != p.phone)
        db.session << "UPDATE person SET name = ?, phone = ?, updated_at = ? WHERE id = ?",
            bind(p.name), bind(p.phone), bind(at), bind(id), now;
    return id;
}

std::int64_t personId(Lease& db, const std::string& email) {
    std::int64_t id = 0;
    db.session << "SELECT id FROM person WHERE email = ?", bind(email), into(id), now;
    if (id == 0)
        throw StorageError(db.path + ": no person with e-mail " + email);
    return id;
}

std::int64_t ensureUnit(Lease& db, std::int64_t networkId, const UnitRef& u) {
    const std::int64_t area = areaId(db, networkId, u.area);
    std::int64_t id = 0;
    std::string kind;
    db.session << "SELECT id, kind FROM unit WHERE area_id = ? AND name = ? AND municipality = ?",
        bind(area), bind(u.name), bind(u.municipality), into(id), into(kind), now;
    const std::string wanted(toString(u.kind));
    if (id == 0) {
        db.session << "INSERT INTO unit (area_id, name, municipality, kind) VALUES (?, ?, ?, ?)",
            bind(area), bind(u.name), bind(u.municipality), bind(wanted), now;
        return lastId(db);
    }
    if (kind != wanted)
        db.session << "UPDATE unit SET kind = ? WHERE id = ?", bind(wanted), bind(id), now;
    return id;
}

UnitKind unitKindFrom(const std::string& stored) {
    return parseUnitKind(stored).value_or(UnitKind::Other);
}

}  // namespace

NetworkRecord RosterRepository::createNetwork(const std::string& name,
                                              const std::vector<std::string>& areas, Timestamp at) {
    Lease db(db_);
    if (findNetwork(name))
        throw StorageError("a network named \"" + name + "\" exists already");
    const std::string created = formatTimestamp(at);
    db.session << "INSERT INTO network (name, created_at) VALUES (?, ?)", bind(name), bind(created),
        now;
    NetworkRecord n{lastId(db), name, {}, created};
    for (const auto& a : areas) addArea(n, a);
    n.areas = areasOf(db, n.id);
    return n;
}

void RosterRepository::addArea(const NetworkRecord& network, const std::string& area) {
    Lease db(db_);
    int exists = 0;
    db.session << "SELECT count(*) FROM area WHERE network_id = ? AND name = ?", bind(network.id),
        bind(area), into(exists), now;
    if (exists)
        throw StorageError("network \"" + network.name + "\" already has an area \"" + area + "\"");
    db.session
        << "INSERT INTO area (network_id, name, position) "
           "VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM area WHERE network_id = ?))",
        bind(network.id), bind(area), bind(network.id), now;
}

std::optional<NetworkRecord> RosterRepository::findNetwork(const std::string& name) const {
    {
        // As spelt: one indexed read (the usual case: the name as the network was made).
        Lease db(db_);
        Query select(db, "SELECT id, name, created_at FROM network WHERE name = ?");
        if (select.bind(1, name).step()) {
            NetworkRecord n{select.integer(0), select.text(1), {}, select.text(2)};
            n.areas = areasOf(db, n.id);
            return n;
        }
    }
    for (auto& n : networks())
        if (text::equalsFolded(n.name, name))
            return n;
    return std::nullopt;
}

std::vector<NetworkRecord> RosterRepository::networks() const {
    Lease db(db_);
    Statement select(db.session);
    select << "SELECT id, name, created_at FROM network ORDER BY name", now;
    RecordSet rs(select);
    std::vector<NetworkRecord> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back({integerAt(rs, row, 0), textAt(rs, row, 1), {}, textAt(rs, row, 2)});
    for (auto& n : out) n.areas = areasOf(db, n.id);
    return out;
}

void RosterRepository::addPerson(const Person& p, Timestamp at) {
    Lease db(db_);
    int exists = 0;
    db.session << "SELECT count(*) FROM person WHERE email = ?", bind(p.email), into(exists), now;
    if (exists)
        throw StorageError("a person with e-mail " + p.email + " exists already");
    upsertPerson(db, p, formatTimestamp(at));
}

std::map<std::string, Person> RosterRepository::people() const {
    Lease db(db_);
    Statement select(db.session);
    select << "SELECT email, name, phone FROM person", now;
    RecordSet rs(select);
    std::map<std::string, Person> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
        Person p{textAt(rs, row, 0), textAt(rs, row, 1), textAt(rs, row, 2)};
        out[p.email] = p;
    }
    return out;
}

std::optional<Person> RosterRepository::person(const std::string& email) const {
    Lease db(db_);
    Query select(db, "SELECT email, name, phone FROM person WHERE email = ?");
    if (!select.bind(1, email).step())
        return std::nullopt;
    return Person{select.text(0), select.text(1), select.text(2)};
}

std::optional<std::string> RosterRepository::areaLeader(const NetworkRecord& network,
                                                        const std::string& area) const {
    Lease db(db_);
    std::vector<std::string> found;
    db.session << "SELECT p.email FROM area_leader al JOIN area a ON a.id = al.area_id "
                  "JOIN person p ON p.id = al.person_id WHERE a.network_id = ? AND a.name = ?",
        bind(network.id), bind(area), into(found), now;
    return found.empty() ? std::nullopt : std::optional<std::string>(found.front());
}

std::optional<Person> RosterRepository::networkLeader(const NetworkRecord& network) const {
    Lease db(db_);
    Query select(db,
                 "SELECT p.email, p.name, p.phone FROM network_leader nl "
                 "JOIN person p ON p.id = nl.person_id WHERE nl.network_id = ?");
    if (!select.bind(1, network.id).step())
        return std::nullopt;
    return Person{select.text(0), select.text(1), select.text(2)};
}

namespace {

// The network's memberships, or the one of `email` when it is given.
std::vector<NurseMembership> memberships(Lease& db, const NetworkRecord& network,
                                         const std::optional<std::string>& email) {
    static const std::string all =
        "SELECT p.email, a.name, u.name, u.municipality, u.kind, l.email, m.status, "
        "m.status_since, m.member_since FROM membership m JOIN person p ON p.id = m.person_id "
        "JOIN unit u ON u.id = m.unit_id JOIN area a ON a.id = u.area_id "
        "LEFT JOIN person l ON l.id = m.leader_id WHERE m.network_id = ?";
    static const std::string one = all + " AND p.email = ?";
    Query select(db, email ? one.c_str() : all.c_str());
    select.bind(1, network.id);
    if (email)
        select.bind(2, *email);
    std::vector<NurseMembership> out;
    while (select.step()) {
        NurseMembership m;
        m.email = select.text(0);
        m.unit = UnitRef{select.text(1), select.text(2), select.text(3),
                         unitKindFrom(select.text(4))};
        m.leaderEmail = select.text(5);
        m.status = parseMemberStatus(select.text(6)).value_or(MemberStatus::Active);
        m.statusSince = select.text(7);
        m.memberSince = select.text(8);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace

std::optional<NurseMembership> RosterRepository::membership(const NetworkRecord& network,
                                                            const std::string& email) const {
    Lease db(db_);
    auto found = memberships(db, network, email);
    if (found.empty())
        return std::nullopt;
    return std::move(found.front());
}

Roster RosterRepository::load(const NetworkRecord& network) const {
    Lease db(db_);
    Roster r;
    r.people = people();
    for (auto& m : memberships(db, network, std::nullopt)) {
        const std::string email = m.email;
        r.nurses[email] = std::move(m);
    }

    Statement leaders(db.session);
    leaders << "SELECT a.name, p.email FROM area_leader al JOIN area a ON a.id = al.area_id "
               "JOIN person p ON p.id = al.person_id WHERE a.network_id = ?",
        bind(network.id), now;
    RecordSet ls(leaders);
    for (std::size_t row = 0; row < ls.rowCount(); ++row)
        r.areaLeaders[textAt(ls, row, 0)] = textAt(ls, row, 1);

    if (const auto leader = networkLeader(network))
        r.networkLeader = leader->email;
    return r;
}

void RosterRepository::save(const NetworkRecord& network, const Roster& desired, Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    const std::string today = formatDate(at);
    for (const auto& [email, p] : desired.people) upsertPerson(db, p, stamp);

    for (const auto& [email, n] : desired.nurses) {
        const std::int64_t person = personId(db, email);
        const std::int64_t unit = ensureUnit(db, network.id, n.unit);
        const std::string status(toString(n.status));
        std::int64_t id = 0;
        std::string oldStatus;
        db.session << "SELECT id, status FROM membership WHERE network_id = ? AND person_id = ?",
            bind(network.id), bind(person), into(id), into(oldStatus), now;
        if (id == 0) {
            Statement insert(db.session);
            insert << "INSERT INTO membership (network_id, person_id, unit_id, leader_id, status, "
                      "status_since, member_since) VALUES (?, ?, ?, "
                      "(SELECT id FROM person WHERE email = ?), ?, ?, ?)",
                bind(network.id), bind(person), bind(unit), bind(n.leaderEmail), bind(status),
                bind(today), bind(today), now;
            continue;
        }
        // A nurse listed as left without a leader keeps the leader stored last.
        db.session
            << "UPDATE membership SET unit_id = ?, "
               "leader_id = COALESCE((SELECT id FROM person WHERE email = ?), leader_id), "
               "status = ?, status_since = CASE WHEN status = ? THEN status_since ELSE ? END "
               "WHERE id = ?",
            bind(unit), bind(n.leaderEmail), bind(status), bind(status), bind(today), bind(id), now;
    }

    // Nurses no longer on the list have left.
    Statement stored(db.session);
    std::vector<std::string> storedEmails;
    stored << "SELECT p.email FROM membership m JOIN person p ON p.id = m.person_id "
              "WHERE m.network_id = ? AND m.status <> 'left'",
        bind(network.id), into(storedEmails), now;
    for (const auto& email : storedEmails) {
        if (desired.nurses.count(email))
            continue;
        db.session
            << "UPDATE membership SET status = 'left', status_since = ? "
               "WHERE network_id = ? AND person_id = (SELECT id FROM person WHERE email = ?)",
            bind(today), bind(network.id), bind(email), now;
    }

    for (const auto& area : network.areas) {
        const std::int64_t aid = areaId(db, network.id, area);
        const auto it = desired.areaLeaders.find(area);
        if (it == desired.areaLeaders.end()) {
            db.session << "DELETE FROM area_leader WHERE area_id = ?", bind(aid), now;
            continue;
        }
        const std::int64_t pid = personId(db, it->second);
        db.session << "INSERT INTO area_leader (area_id, person_id, since) VALUES (?, ?, ?) "
                      "ON CONFLICT (area_id) DO UPDATE SET since = CASE WHEN person_id = "
                      "excluded.person_id THEN since ELSE excluded.since END, "
                      "person_id = excluded.person_id",
            bind(aid), bind(pid), bind(today), now;
    }

    if (desired.networkLeader.empty()) {
        db.session << "DELETE FROM network_leader WHERE network_id = ?", bind(network.id), now;
    } else {
        const std::int64_t pid = personId(db, desired.networkLeader);
        db.session << "INSERT INTO network_leader (network_id, person_id, since) VALUES (?, ?, ?) "
                      "ON CONFLICT (network_id) DO UPDATE SET since = CASE WHEN person_id = "
                      "excluded.person_id THEN since ELSE excluded.since END, "
                      "person_id = excluded.person_id",
            bind(network.id), bind(pid), bind(today), now;
    }
}

namespace {
// The active nurses of network ?1 (in area ?2, or all when it is ''), each with `hasCase` when
// she has a case of workflow ?3 at template version ?4 that is not withdrawn.
std::string activeNurses(const std::string& columns, bool hasCase) {
    return "SELECT " + columns +
           " FROM membership m JOIN person p ON p.id = m.person_id JOIN unit u ON u.id = m.unit_id"
           " JOIN area a ON a.id = u.area_id LEFT JOIN person l ON l.id = m.leader_id"
           " WHERE m.network_id = ?1 AND m.status = 'active' AND (?2 = '' OR a.name = ?2) AND " +
           (hasCase ? "" : "NOT ") +
           "EXISTS (SELECT 1 FROM case_file c WHERE c.subject_person_id = m.person_id"
           " AND c.network_id = ?1 AND c.workflow = ?3 AND c.template_version = ?4"
           " AND c.state <> 'withdrawn')";
}
}  // namespace

std::vector<RosterRepository::ActiveNurse> RosterRepository::activeWithoutCase(
    const NetworkRecord& network, const std::string& area, const std::string& workflow,
    int templateVersion, const std::string& after, std::size_t limit) const {
    static const std::string sql =
        activeNurses("p.email, p.name, a.name, u.name, COALESCE(l.email, ''), COALESCE(l.name, '')",
                     false) +
        " AND p.email > ?5 ORDER BY p.email LIMIT ?6";
    Lease db(db_);
    Query select(db, sql.c_str());
    select.bind(1, network.id)
        .bind(2, area)
        .bind(3, workflow)
        .bind(4, templateVersion)
        .bind(5, after)
        .bind(6, static_cast<std::int64_t>(limit));
    std::vector<ActiveNurse> out;
    while (select.step())
        out.push_back({select.text(0), select.text(1), select.text(2), select.text(3),
                       select.text(4), select.text(5)});
    return out;
}

std::size_t RosterRepository::activeWithCase(const NetworkRecord& network, const std::string& area,
                                             const std::string& workflow,
                                             int templateVersion) const {
    static const std::string sql = activeNurses("count(*)", true);
    Lease db(db_);
    Query select(db, sql.c_str());
    select.bind(1, network.id).bind(2, area).bind(3, workflow).bind(4, templateVersion).step();
    return static_cast<std::size_t>(select.integer(0));
}

}  // namespace avtaleflyt::storage
