#pragma once
// What an import would change: the difference between the stored roster and the one in a file.

#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/domain/Roster.h"

namespace avtaleflyt {

struct RosterChange {
    enum class Group { Added, Changed, Left };
    Group group;
    std::string kind;     // the audit event kind, e.g. "roster.nurse.added"
    std::string subject;  // a person's e-mail, or an area's name
    std::string summary;  // one line for the network leader, e.g. "Kari Nordmann: on leave"
    std::vector<std::pair<std::string, std::string>> details;  // for the audit event's payload
};

struct RosterDiff {
    std::vector<RosterChange> changes;  // added, then changed, then left; by summary within each

    bool empty() const { return changes.empty(); }
    std::size_t count(RosterChange::Group g) const;
};

// `current` is what is stored (its people: everybody the installation knows), `desired` what the
// file says. A nurse stored but absent from `desired` has left. Pure; never throws.
RosterDiff diffRoster(const Roster& current, const Roster& desired);

}  // namespace avtaleflyt
