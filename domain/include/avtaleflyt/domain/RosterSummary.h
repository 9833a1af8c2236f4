#pragma once
// Counting a roster per area: what the network leader glances at.

#include <string>
#include <vector>

#include "avtaleflyt/domain/Roster.h"

namespace avtaleflyt {

struct AreaSummary {
    std::string area;
    std::string areaLeader;  // name, or empty
    std::size_t units = 0;   // units with at least one nurse who has not left
    std::size_t active = 0;
    std::size_t onLeave = 0;
    std::size_t left = 0;
    std::size_t leaders = 0;  // distinct nearest leaders of nurses who have not left
};

// One entry per area, in the order of `areas`, and a last entry "Total" over all of them.
std::vector<AreaSummary> summarizeRoster(const Roster& roster,
                                         const std::vector<std::string>& areas);

}  // namespace avtaleflyt
