#include <algorithm>
#include <set>

#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/workflows/Workflows.h"

namespace avtaleflyt::workflows {

std::string stateDiagram(const WorkflowDef& def) {
    std::string out = "stateDiagram-v2\n";
    out += "    [*] --> " + def.initialState().name + "\n";
    // One arrow per (from, to, trigger); the actors who may fire it in the label.
    std::set<std::string> drawn;
    for (const auto& t : def.transitions) {
        std::vector<std::string> actors;
        for (auto a : t.actors) actors.push_back(std::string(toString(a)));
        for (const auto& from : t.from) {
            const std::string line = "    " + from + " --> " + t.to + " : " + t.trigger + " (" +
                                     text::join(actors) + ")\n";
            if (drawn.insert(line).second)
                out += line;
        }
    }
    for (const auto& timer : def.timers) {
        if (timer.trigger.empty())
            continue;
        for (const auto& t : def.transitions) {
            if (t.trigger != timer.trigger)
                continue;
            for (const auto& from : t.from)
                if (std::find(timer.states.begin(), timer.states.end(), from) != timer.states.end())
                    out += "    note right of " + from + " : timer " + timer.name + " fires " +
                           timer.trigger + "\n";
        }
    }
    for (const auto& s : def.states)
        if (s.final)
            out += "    " + s.name + " --> [*]\n";
    return out;
}

}  // namespace avtaleflyt::workflows
