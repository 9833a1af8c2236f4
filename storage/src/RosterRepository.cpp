#include "avtaleflyt/storage/RosterRepository.h"

#include "DatabaseImpl.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::storage {
namespace {

std::vector<std::string> areasOf(Lease& db, std::int64_t networkId) {
    Query select(db, "SELECT name FROM area WHERE network_id = $1 ORDER BY position");
    select.bind(1, networkId);
    std::vector<std::string> areas;
    while (select.step()) areas.push_back(select.text(0));
    return areas;
}

std::int64_t areaId(Lease& db, std::int64_t networkId, const std::string& area) {
    Query select(db, "SELECT id FROM area WHERE network_id = $1 AND name = $2");
    if (!select.bind(1, networkId).bind(2, area).step())
        throw StorageError(db.name + ": no area \"" + area + "\" in this network");
    return select.integer(0);
}

// The id of the person with `email`, after making the stored name and phone equal to `p`'s.
std::int64_t upsertPerson(Lease& db, const Person& p, const std::string& at) {
    Query find(db, "SELECT id, name, phone FROM person WHERE email = $1");
    if (!find.bind(1, p.email).step())
        return Query(db,
                     "INSERT INTO person (email, name, phone, created_at, updated_at) "
                     "VALUES ($1, $2, $3, $4, $4) RETURNING id")
            .bind(1, p.email)
            .bind(2, p.name)
            .bind(3, p.phone)
            .bind(4, at)
            .runReturning();
    const std::int64_t id = find.integer(0);
    if (find.text(1) != p.name || find.text(2) != p.phone)
        Query(db, "UPDATE person SET name = $1, phone = $2, updated_at = $3 WHERE id = $4")
            .bind(1, p.name)
            .bind(2, p.phone)
            .bind(3, at)
            .bind(4, id)
            .run();
    return id;
}

std::int64_t personId(Lease& db, const std::string& email) {
    Query select(db, "SELECT id FROM person WHERE email = $1");
    if (!select.bind(1, email).step())
        throw StorageError(db.name + ": no person with e-mail " + email);
    return select.integer(0);
}

std::int64_t ensureUnit(Lease& db, std::int64_t networkId, const UnitRef& u) {
    const std::int64_t area = areaId(db, networkId, u.area);
    const std::string wanted(toString(u.kind));
    Query find(db,
               "SELECT id, kind FROM unit WHERE area_id = $1 AND name = $2 AND municipality = $3");
    if (!find.bind(1, area).bind(2, u.name).bind(3, u.municipality).step())
        return Query(db,
                     "INSERT INTO unit (area_id, name, municipality, kind) VALUES ($1, $2, $3, $4) "
                     "RETURNING id")
            .bind(1, area)
            .bind(2, u.name)
            .bind(3, u.municipality)
            .bind(4, wanted)
            .runReturning();
    const std::int64_t id = find.integer(0);
    if (find.text(1) != wanted)
        Query(db, "UPDATE unit SET kind = $1 WHERE id = $2").bind(1, wanted).bind(2, id).run();
    return id;
}

// Whether `select` (a count) counted anything.
bool counted(Query& select) {
    select.step();
    return select.integer(0) != 0;
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
    NetworkRecord n{Query(db, "INSERT INTO network (name, created_at) VALUES ($1, $2) RETURNING id")
                        .bind(1, name)
                        .bind(2, created)
                        .runReturning(),
                    name,
                    {},
                    created};
    for (const auto& a : areas) addArea(n, a);
    n.areas = areasOf(db, n.id);
    return n;
}

void RosterRepository::addArea(const NetworkRecord& network, const std::string& area) {
    Lease db(db_);
    Query exists(db, "SELECT count(*) FROM area WHERE network_id = $1 AND name = $2");
    if (counted(exists.bind(1, network.id).bind(2, area)))
        throw StorageError("network \"" + network.name + "\" already has an area \"" + area + "\"");
    Query(db,
          "INSERT INTO area (network_id, name, position) "
          "VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM area WHERE network_id = $1))")
        .bind(1, network.id)
        .bind(2, area)
        .run();
}

std::optional<NetworkRecord> RosterRepository::findNetwork(const std::string& name) const {
    {
        // As spelt: one indexed read (the usual case: the name as the network was made).
        Lease db(db_);
        Query select(db, "SELECT id, name, created_at FROM network WHERE name = $1");
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
    Query select(db, "SELECT id, name, created_at FROM network ORDER BY name");
    std::vector<NetworkRecord> out;
    while (select.step()) out.push_back({select.integer(0), select.text(1), {}, select.text(2)});
    for (auto& n : out) n.areas = areasOf(db, n.id);
    return out;
}

void RosterRepository::addPerson(const Person& p, Timestamp at) {
    Lease db(db_);
    Query exists(db, "SELECT count(*) FROM person WHERE email = $1");
    if (counted(exists.bind(1, p.email)))
        throw StorageError("a person with e-mail " + p.email + " exists already");
    upsertPerson(db, p, formatTimestamp(at));
}

std::map<std::string, Person> RosterRepository::people() const {
    Lease db(db_);
    Query select(db, "SELECT email, name, phone FROM person");
    std::map<std::string, Person> out;
    while (select.step()) {
        Person p{select.text(0), select.text(1), select.text(2)};
        out[p.email] = p;
    }
    return out;
}

std::optional<Person> RosterRepository::person(const std::string& email) const {
    Lease db(db_);
    Query select(db, "SELECT email, name, phone FROM person WHERE email = $1");
    if (!select.bind(1, email).step())
        return std::nullopt;
    return Person{select.text(0), select.text(1), select.text(2)};
}

std::optional<std::string> RosterRepository::areaLeader(const NetworkRecord& network,
                                                        const std::string& area) const {
    Lease db(db_);
    Query select(db,
                 "SELECT p.email FROM area_leader al JOIN area a ON a.id = al.area_id "
                 "JOIN person p ON p.id = al.person_id WHERE a.network_id = $1 AND a.name = $2");
    if (!select.bind(1, network.id).bind(2, area).step())
        return std::nullopt;
    return select.text(0);
}

std::optional<Person> RosterRepository::networkLeader(const NetworkRecord& network) const {
    Lease db(db_);
    Query select(db,
                 "SELECT p.email, p.name, p.phone FROM network_leader nl "
                 "JOIN person p ON p.id = nl.person_id WHERE nl.network_id = $1");
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
        "LEFT JOIN person l ON l.id = m.leader_id WHERE m.network_id = $1";
    static const std::string one = all + " AND p.email = $2";
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

    Query leaders(db,
                  "SELECT a.name, p.email FROM area_leader al JOIN area a ON a.id = al.area_id "
                  "JOIN person p ON p.id = al.person_id WHERE a.network_id = $1");
    leaders.bind(1, network.id);
    while (leaders.step()) r.areaLeaders[leaders.text(0)] = leaders.text(1);

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
        Query find(db, "SELECT id FROM membership WHERE network_id = $1 AND person_id = $2");
        if (!find.bind(1, network.id).bind(2, person).step()) {
            Query(db,
                  "INSERT INTO membership (network_id, person_id, unit_id, leader_id, status, "
                  "status_since, member_since) VALUES ($1, $2, $3, "
                  "(SELECT id FROM person WHERE email = $4), $5, $6, $6)")
                .bind(1, network.id)
                .bind(2, person)
                .bind(3, unit)
                .bind(4, n.leaderEmail)
                .bind(5, status)
                .bind(6, today)
                .run();
            continue;
        }
        // A nurse listed as left without a leader keeps the leader stored last.
        Query(db,
              "UPDATE membership SET unit_id = $1, "
              "leader_id = COALESCE((SELECT id FROM person WHERE email = $2), leader_id), "
              "status = $3, status_since = CASE WHEN status = $3 THEN status_since ELSE $4 END "
              "WHERE id = $5")
            .bind(1, unit)
            .bind(2, n.leaderEmail)
            .bind(3, status)
            .bind(4, today)
            .bind(5, find.integer(0))
            .run();
    }

    // Nurses no longer on the list have left.
    std::vector<std::string> storedEmails;
    {
        Query stored(db,
                     "SELECT p.email FROM membership m JOIN person p ON p.id = m.person_id "
                     "WHERE m.network_id = $1 AND m.status <> 'left'");
        stored.bind(1, network.id);
        while (stored.step()) storedEmails.push_back(stored.text(0));
    }
    for (const auto& email : storedEmails) {
        if (desired.nurses.count(email))
            continue;
        Query(db,
              "UPDATE membership SET status = 'left', status_since = $1 "
              "WHERE network_id = $2 AND person_id = (SELECT id FROM person WHERE email = $3)")
            .bind(1, today)
            .bind(2, network.id)
            .bind(3, email)
            .run();
    }

    for (const auto& area : network.areas) {
        const std::int64_t aid = areaId(db, network.id, area);
        const auto it = desired.areaLeaders.find(area);
        if (it == desired.areaLeaders.end()) {
            Query(db, "DELETE FROM area_leader WHERE area_id = $1").bind(1, aid).run();
            continue;
        }
        Query(db,
              "INSERT INTO area_leader (area_id, person_id, since) VALUES ($1, $2, $3) "
              "ON CONFLICT (area_id) DO UPDATE SET since = CASE WHEN area_leader.person_id = "
              "excluded.person_id THEN area_leader.since ELSE excluded.since END, "
              "person_id = excluded.person_id")
            .bind(1, aid)
            .bind(2, personId(db, it->second))
            .bind(3, today)
            .run();
    }

    if (desired.networkLeader.empty()) {
        Query(db, "DELETE FROM network_leader WHERE network_id = $1").bind(1, network.id).run();
    } else {
        Query(db,
              "INSERT INTO network_leader (network_id, person_id, since) VALUES ($1, $2, $3) "
              "ON CONFLICT (network_id) DO UPDATE SET since = CASE WHEN network_leader.person_id "
              "= excluded.person_id THEN network_leader.since ELSE excluded.since END, "
              "person_id = excluded.person_id")
            .bind(1, network.id)
            .bind(2, personId(db, desired.networkLeader))
            .bind(3, today)
            .run();
    }
}

namespace {
// The active nurses of network $1 (in area $2, or all when it is ''), each with `hasCase` when
// she has a case of workflow $3 at template version $4 that is not withdrawn.
std::string activeNurses(const std::string& columns, bool hasCase) {
    return "SELECT " + columns +
           " FROM membership m JOIN person p ON p.id = m.person_id JOIN unit u ON u.id = m.unit_id"
           " JOIN area a ON a.id = u.area_id LEFT JOIN person l ON l.id = m.leader_id"
           " WHERE m.network_id = $1 AND m.status = 'active' AND ($2 = '' OR a.name = $2) AND " +
           (hasCase ? "" : "NOT ") +
           "EXISTS (SELECT 1 FROM case_file c WHERE c.subject_person_id = m.person_id"
           " AND c.network_id = $1 AND c.workflow = $3 AND c.template_version = $4"
           " AND c.state <> 'withdrawn')";
}
}  // namespace

std::vector<RosterRepository::ActiveNurse> RosterRepository::activeWithoutCase(
    const NetworkRecord& network, const std::string& area, const std::string& workflow,
    int templateVersion, const std::string& after, std::size_t limit) const {
    static const std::string sql =
        activeNurses("p.email, p.name, a.name, u.name, COALESCE(l.email, ''), COALESCE(l.name, '')",
                     false) +
        " AND p.email > $5 ORDER BY p.email LIMIT $6";
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
