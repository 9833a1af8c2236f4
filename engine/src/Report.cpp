// The outstanding-signatures report: who has not signed, where, for how long; and who has no
// signed function description at all.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "Core.h"

namespace avtaleflyt::engine {
namespace {

// Whole days from `from` (nothing: not sent) to `to`.
int daysBetween(std::optional<Timestamp> from, Timestamp to) {
    if (!from)
        return 0;
    return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(to - *from).count() /
                            24);
}

// The tally of function descriptions per area (in the network's order), counted by the
// database: the one definition of signed, outstanding, overdue and not sent. Counted again only
// when the audit log has grown or the clock has passed the moment a case turns overdue (Core::
// countedTallies); inside the caller's snapshot, so that the head read is the data counted.
std::vector<AreaTally> tallies(Core& st, const storage::NetworkRecord& network,
                               const std::string& area, Timestamp now) {
    const std::string key = std::to_string(network.id) + "/" + area;
    const std::int64_t head = st.audit.head().seq;
    if (const auto kept = st.countedTallies.find(key, head);
        kept && kept->countedAt <= now && (!kept->changesAt || now < *kept->changesAt))
        return kept->areas;
    const WorkflowDef& fd = st.workflow("function-description");
    const auto counted = st.cases.tally(network.id, area, fd.name, fd.templateVersion, now,
                                        MissingReport::kOverdueDays);
    auto tally = std::make_shared<Core::CountedTally>();
    tally->countedAt = now;
    tally->changesAt = counted.changesAt;
    for (const auto& a : counted.areas)
        tally->areas.push_back(
            {a.area, a.activeNurses, a.signedCount, a.outstanding, a.overdue, a.notSent});
    st.countedTallies.keep(key, head, tally);
    return tally->areas;
}

}  // namespace

AreaTally MissingReport::total() const {
    AreaTally sum;
    for (const auto& a : areas) {
        sum.activeNurses += a.activeNurses;
        sum.signedCount += a.signedCount;
        sum.outstanding += a.outstanding;
        sum.overdue += a.overdue;
        sum.notSent += a.notSent;
    }
    return sum;
}

MissingReport Reports::missingSignatures(const std::string& networkName,
                                              const std::string& areaName) const {
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        const std::string area = st.areaOrAll(network, areaName);
        const Timestamp now = st.clock.now();
        const storage::Snapshot snapshot(st.db);  // the lists and the tally from one moment
        const Roster roster = st.rosters.load(network);
        const auto name = [&](const std::string& email) {
            const Person* p = roster.person(email);
            return p ? p->name : email;
        };
        MissingReport report;
        report.network = network.name;
        report.area = area;
        report.asOf = formatTimestamp(now);
        // Open requests, with when the case was last sent and how often it was reminded.
        std::map<std::string, std::vector<const Case*>> casesOfNurse;
        const std::vector<Case> all = st.cases.list({network.id, "", "", area, ""});
        for (const auto& c : all) {
            if (!c.subjectEmail.empty())
                casesOfNurse[c.subjectEmail].push_back(&c);
            const bool waiting =
                std::any_of(c.signatures.begin(), c.signatures.end(),
                            [](const auto& r) { return r.status == SignatureStatus::Open; });
            if (!waiting)
                continue;
            const std::string sentAt = c.sentAt ? formatTimestamp(*c.sentAt) : "";
            int reminders = 0;
            for (const auto& a : st.cases.actions(c))
                reminders += a.action == "remind" && a.createdAt >= sentAt;
            std::string unit, leader;
            if (const auto n = roster.nurses.find(c.subjectEmail); n != roster.nurses.end()) {
                unit = n->second.unit.name;
                leader = name(n->second.leaderEmail);
            }
            for (const auto& r : c.signatures) {
                if (r.status != SignatureStatus::Open)
                    continue;
                OutstandingSignature o;
                o.area = c.area;
                o.unit = c.subjectEmail.empty() ? r.organisation : unit;
                o.leaderName = leader;
                o.reference = c.reference;
                o.title = c.title;
                o.state = c.state;
                o.signerName = r.name;
                o.signerRole = r.role;
                o.sentAt = sentAt.substr(0, 10);
                o.deadline = c.deadline ? formatDate(*c.deadline) : "";
                o.daysOutstanding = daysBetween(c.sentAt, now);
                o.remindersSent = reminders;
                o.overdue = o.daysOutstanding > MissingReport::kOverdueDays ||
                            (c.deadline && *c.deadline < now);
                report.open.push_back(o);
            }
        }
        std::sort(report.open.begin(), report.open.end(), [](const auto& a, const auto& b) {
            return std::tie(a.area, a.unit, a.leaderName, a.reference, a.signerRole) <
                   std::tie(b.area, b.unit, b.leaderName, b.reference, b.signerRole);
        });

        // Every active nurse without a signed function description of the current version.
        const WorkflowDef& fd = st.workflow("function-description");
        for (const auto& [email, m] : roster.nurses) {
            if (m.status != MemberStatus::Active || (!area.empty() && m.unit.area != area))
                continue;
            const Case* latest = nullptr;
            bool isSigned = false;
            for (const Case* c : casesOfNurse[email]) {
                if (c->workflow != fd.name || c->templateVersion != fd.templateVersion)
                    continue;
                isSigned = isSigned || c->state == "signed" || c->state == "archived";
                if (!latest || c->id > latest->id)
                    latest = c;
            }
            if (isSigned)
                continue;
            report.uncovered.push_back({m.unit.area, m.unit.name, name(email), name(m.leaderEmail),
                                        latest ? latest->reference : "",
                                        latest ? latest->state : ""});
        }
        std::sort(report.uncovered.begin(), report.uncovered.end(),
                  [](const auto& a, const auto& b) {
                      return std::tie(a.area, a.unit, a.nurseName) <
                             std::tie(b.area, b.unit, b.nurseName);
                  });
        report.areas = tallies(st, network, area, now);
        return report;
    });
}

Overview Reports::overview(const std::string& networkName, const std::string& areaName,
                          std::size_t oldest) const {
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        const std::string area = st.areaOrAll(network, areaName);
        const Timestamp now = st.clock.now();
        const storage::Snapshot snapshot(st.db);  // the tally and the list from one moment
        Overview o{network.name, area, formatTimestamp(now), tallies(st, network, area, now), {}};
        for (const auto& r : st.cases.longestOpen(network.id, area, now, oldest))
            o.oldest.push_back({r.reference, r.area, r.signerName, r.signerRole, r.daysOutstanding});
        return o;
    });
}

std::vector<UpcomingTimer> Reminders::upcoming(
    const std::string& networkName, const std::string& area, std::size_t limit) const {
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        std::vector<UpcomingTimer> out;
        for (const auto& [due, reference, timer] : st.cases.nextTimers(
                 network.id, st.areaOrAll(network, area), limit))
            out.push_back({due, reference, timer});
        return out;
    });
}

}  // namespace avtaleflyt::engine
