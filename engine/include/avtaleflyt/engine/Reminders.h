#pragma once
// Reminders, escalations and expiry: the case timers and the sweep that fires them. Owns the
// case timers.

#include <cstddef>
#include <string>
#include <vector>

#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

struct TimerReport {
    std::vector<std::string> fired;  // one line per timer that fired: reference, timer, what it did
    std::vector<std::string> mails;  // one line per mail it wrote: "to ADDRESS: SUBJECT"
    std::size_t held = 0;            // reminders and escalations due but outside office hours
    std::string heldUntil;           // when they go (Oslo time, "YYYY-MM-DDTHH:MM")
};
struct UpcomingTimer {
    std::string due, reference, timer;
};

class Reminders {
  public:
    explicit Reminders(Core& core) : core_(core) {}

    // One sweep: fires every timer due now. Reminders mail the open signers a fresh link,
    // escalations become one digest per leader and area leader, expiry expires. Reminders and
    // escalations wait for office hours (08-16 Oslo time on Norwegian working days); expiry does
    // not. One transaction per case, so two sweeps at once fire each timer once; with `dryRun`
    // nothing is written, and the report says what would be.
    TimerReport runDue(const Actor& by, bool dryRun) const;
    // What the sweep will do next: the next `limit` timers, soonest first.
    std::vector<UpcomingTimer> upcoming(const std::string& network, const std::string& area,
                                        std::size_t limit) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
