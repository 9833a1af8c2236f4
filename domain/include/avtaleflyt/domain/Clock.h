#pragma once
// Time as the domain sees it: whole seconds in UTC, and a Clock that tests and demos can fix.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace avtaleflyt {

using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// "2026-11-24T16:17:49Z"
std::string formatTimestamp(Timestamp t);
// "2026-11-24"
std::string formatDate(Timestamp t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM:SS", with ' ' allowed for 'T' and an
// optional trailing 'Z'; all read as UTC. Returns nothing for anything else, including invalid
// dates.
std::optional<Timestamp> parseTimestamp(std::string_view text);

// Where "now" comes from. Implementations must be safe to call from several threads.
class Clock {
  public:
    virtual ~Clock() = default;
    virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
  public:
    Timestamp now() const override;
};

// A clock that stands still until told otherwise (tests, demos, the global --now option).
class FixedClock final : public Clock {
  public:
    explicit FixedClock(Timestamp t) : now_(t) {}
    Timestamp now() const override { return now_; }
    void set(Timestamp t) { now_ = t; }
    void advance(std::chrono::seconds by) { now_ += by; }

  private:
    Timestamp now_;
};

}  // namespace avtaleflyt
