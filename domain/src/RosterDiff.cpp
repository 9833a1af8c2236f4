#include "avtaleflyt/domain/RosterDiff.h"

#include <algorithm>
#include <set>

namespace avtaleflyt {
namespace {

std::string nameOf(const Roster& r, const std::string& email) {
    if (email.empty())
        return "(none)";
    const Person* p = r.person(email);
    return p && !p->name.empty() ? p->name : email;
}

std::string describeUnit(const UnitRef& u) {
    std::string s = u.name;
    if (!u.municipality.empty())
        s += ", " + u.municipality;
    return s + " (" + u.area + ")";
}

class Differ {
  public:
    Differ(const Roster& current, const Roster& desired) : cur_(current), want_(desired) {}

    RosterDiff run() {
        people();
        nurses();
        areaLeaders();
        networkLeader();
        sortChanges();
        return std::move(diff_);
    }

    // Added, changed, left; by summary within each, equal ones as they came. Sorted by index
    // and then permuted in place: a stable sort of the changes themselves takes a buffer of
    // them (8 MB for a list of 50,000 nurses).
    void sortChanges() {
        auto& changes = diff_.changes;
        std::vector<std::size_t> order(changes.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const RosterChange& x = changes[a];
            const RosterChange& y = changes[b];
            if (x.group != y.group)
                return x.group < y.group;
            if (x.summary != y.summary)
                return x.summary < y.summary;
            return a < b;
        });
        // Position i gets the change at order[i]: follow each cycle once.
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (order[i] == i)
                continue;
            RosterChange held = std::move(changes[i]);
            std::size_t at = i;
            while (order[at] != i) {
                const std::size_t from = order[at];
                changes[at] = std::move(changes[from]);
                order[at] = at;
                at = from;
            }
            changes[at] = std::move(held);
            order[at] = at;
        }
    }

  private:
    void add(RosterChange::Group g, std::string kind, std::string subject, std::string summary,
             std::vector<std::pair<std::string, std::string>> details) {
        summary.shrink_to_fit();  // made by appending: up to twice its length otherwise
        diff_.changes.push_back(
            {g, std::move(kind), std::move(subject), std::move(summary), std::move(details)});
    }

    void people() {
        for (const auto& [email, p] : want_.people) {
            const Person* old = cur_.person(email);
            if (!old) {
                // A new nurse's personal details are part of the nurse.added change.
                if (!want_.nurses.count(email))
                    add(RosterChange::Group::Added, "roster.person.added", email,
                        "person " + p.name,
                        {{"name", p.name}, {"email", email}, {"phone", p.phone}});
                continue;
            }
            if (old->name != p.name)
                add(RosterChange::Group::Changed, "roster.person.renamed", email,
                    old->name + ": renamed to " + p.name,
                    {{"before", old->name}, {"after", p.name}});
            if (old->phone != p.phone)
                add(RosterChange::Group::Changed, "roster.person.phone_changed", email,
                    p.name + ": phone " + (old->phone.empty() ? "(none)" : old->phone) + " -> " +
                        (p.phone.empty() ? "(none)" : p.phone),
                    {{"before", old->phone}, {"after", p.phone}});
        }
    }

    void nurses() {
        for (const auto& [email, n] : want_.nurses) {
            const std::string name = nameOf(want_, email);
            const auto it = cur_.nurses.find(email);
            if (it == cur_.nurses.end()) {
                const Person* p = want_.person(email);
                std::string summary = "nurse " + name + " at " + describeUnit(n.unit) +
                                      ", leader " + nameOf(want_, n.leaderEmail);
                if (n.status != MemberStatus::Active)
                    summary += ", " + std::string(describe(n.status));
                add(RosterChange::Group::Added, "roster.nurse.added", email, summary,
                    {{"name", name},
                     {"email", email},
                     {"phone", p ? p->phone : ""},
                     {"area", n.unit.area},
                     {"unit", n.unit.name},
                     {"municipality", n.unit.municipality},
                     {"leader", n.leaderEmail},
                     {"status", std::string(toString(n.status))}});
                continue;
            }
            const NurseMembership& old = it->second;
            if (!old.unit.sameUnit(n.unit))
                add(RosterChange::Group::Changed, "roster.nurse.moved", email,
                    name + ": moved from " + describeUnit(old.unit) + " to " + describeUnit(n.unit),
                    {{"from_area", old.unit.area},
                     {"from_unit", old.unit.name},
                     {"from_municipality", old.unit.municipality},
                     {"to_area", n.unit.area},
                     {"to_unit", n.unit.name},
                     {"to_municipality", n.unit.municipality}});
            if (old.leaderEmail != n.leaderEmail && !n.leaderEmail.empty())
                add(RosterChange::Group::Changed, "roster.nurse.leader_changed", email,
                    name + ": nearest leader " + nameOf(cur_, old.leaderEmail) + " -> " +
                        nameOf(want_, n.leaderEmail),
                    {{"before", old.leaderEmail}, {"after", n.leaderEmail}});
            if (old.status != n.status) {
                const auto group = n.status == MemberStatus::Left ? RosterChange::Group::Left
                                                                  : RosterChange::Group::Changed;
                add(group, "roster.nurse.status_changed", email,
                    name + ": " + std::string(describe(old.status)) + " -> " +
                        std::string(describe(n.status)),
                    {{"before", std::string(toString(old.status))},
                     {"after", std::string(toString(n.status))}});
            }
        }
        for (const auto& [email, old] : cur_.nurses) {
            if (old.status == MemberStatus::Left || want_.nurses.count(email))
                continue;
            add(RosterChange::Group::Left, "roster.nurse.left", email,
                nameOf(cur_, email) + ": left (no longer on the list)",
                {{"before", std::string(toString(old.status))}, {"after", "left"}});
        }
    }

    void areaLeaders() {
        std::set<std::string> areas;
        for (const auto& kv : cur_.areaLeaders) areas.insert(kv.first);
        for (const auto& kv : want_.areaLeaders) areas.insert(kv.first);
        for (const auto& area : areas) {
            const auto c = cur_.areaLeaders.find(area);
            const auto w = want_.areaLeaders.find(area);
            const std::string before = c == cur_.areaLeaders.end() ? "" : c->second;
            const std::string after = w == want_.areaLeaders.end() ? "" : w->second;
            if (before == after)
                continue;
            add(RosterChange::Group::Changed, "roster.area_leader.changed", area,
                "area leader of " + area + ": " + nameOf(cur_, before) + " -> " +
                    nameOf(want_, after),
                {{"area", area}, {"before", before}, {"after", after}});
        }
    }

    void networkLeader() {
        if (cur_.networkLeader == want_.networkLeader)
            return;
        add(RosterChange::Group::Changed, "roster.network_leader.changed", want_.networkLeader,
            "network leader: " + nameOf(cur_, cur_.networkLeader) + " -> " +
                nameOf(want_, want_.networkLeader),
            {{"before", cur_.networkLeader}, {"after", want_.networkLeader}});
    }

    const Roster& cur_;
    const Roster& want_;
    RosterDiff diff_;
};

}  // namespace

std::size_t RosterDiff::count(RosterChange::Group g) const {
    return static_cast<std::size_t>(std::count_if(
        changes.begin(), changes.end(), [g](const RosterChange& c) { return c.group == g; }));
}

RosterDiff diffRoster(const Roster& current, const Roster& desired) {
    return Differ(current, desired).run();
}

}  // namespace avtaleflyt
