#include "avtaleflyt/domain/RosterSummary.h"

#include <set>

namespace avtaleflyt {

std::vector<AreaSummary> summarizeRoster(const Roster& roster,
                                         const std::vector<std::string>& areas) {
    std::vector<AreaSummary> out;
    std::set<std::string> allUnits, allLeaders;
    AreaSummary total;
    total.area = "Total";
    for (const auto& area : areas) {
        AreaSummary s;
        s.area = area;
        if (const auto it = roster.areaLeaders.find(area); it != roster.areaLeaders.end()) {
            const Person* p = roster.person(it->second);
            s.areaLeader = p ? p->name : it->second;
        }
        std::set<std::string> units, leaders;
        for (const auto& [email, n] : roster.nurses) {
            if (n.unit.area != area)
                continue;
            switch (n.status) {
                case MemberStatus::Active:
                    ++s.active;
                    break;
                case MemberStatus::OnLeave:
                    ++s.onLeave;
                    break;
                case MemberStatus::Left:
                    ++s.left;
                    continue;
            }
            const std::string unitKey = n.unit.name + "\n" + n.unit.municipality;
            units.insert(unitKey);
            allUnits.insert(area + "\n" + unitKey);
            if (!n.leaderEmail.empty()) {
                leaders.insert(n.leaderEmail);
                allLeaders.insert(n.leaderEmail);
            }
        }
        s.units = units.size();
        s.leaders = leaders.size();
        total.active += s.active;
        total.onLeave += s.onLeave;
        total.left += s.left;
        out.push_back(s);
    }
    total.units = allUnits.size();
    total.leaders = allLeaders.size();
    out.push_back(total);
    return out;
}

}  // namespace avtaleflyt
