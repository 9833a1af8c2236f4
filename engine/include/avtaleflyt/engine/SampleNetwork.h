#pragma once
// A realistic, invented competence network for demos, tests and benchmarks: six areas modelled
// on the Ahus catchment, units in their municipalities, nurses with nearest leaders (some
// leaders lead two units), a few on leave, two who left, area leaders and a network leader.
// Every name is made up from common Norwegian first names and surnames; e-mail addresses use
// the reserved .example domain.

#include <cstdint>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Roster.h"

namespace avtaleflyt::engine {

struct SampleNetwork {
    std::string name;
    std::vector<std::string> areas;
    Roster roster;
};

// The same `seed` and `nurses` always give the same network. `nurses` counts every nurse on the
// list (two of them marked as left), spread over the areas roughly as in the real network.
SampleNetwork makeSampleNetwork(std::uint32_t seed = 2024, int nurses = 250);

}  // namespace avtaleflyt::engine
