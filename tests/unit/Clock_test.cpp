#include <catch2/catch.hpp>

#include "avtaleflyt/domain/Clock.h"

using namespace avtaleflyt;

TEST_CASE("timestamps print as UTC ISO-8601 and read back", "[clock]") {
    const auto t = parseTimestamp("2026-11-24T16:17:49Z");
    REQUIRE(t);
    CHECK(formatTimestamp(*t) == "2026-11-24T16:17:49Z");
    CHECK(formatDate(*t) == "2026-11-24");
    CHECK(t->time_since_epoch().count() == 1795537069);
}

TEST_CASE("the --now option accepts a date, minutes, a space for T, and leap days", "[clock]") {
    CHECK(formatTimestamp(*parseTimestamp("2026-11-24")) == "2026-11-24T00:00:00Z");
    CHECK(formatTimestamp(*parseTimestamp("2026-11-24 09:30")) == "2026-11-24T09:30:00Z");
    CHECK(formatTimestamp(*parseTimestamp("2028-02-29T23:59:59")) == "2028-02-29T23:59:59Z");
    CHECK(formatTimestamp(*parseTimestamp("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
}

TEST_CASE("impossible dates and malformed times are refused", "[clock]") {
    for (const char* bad : {"2026-02-29", "2026-13-01", "2026-11-31", "2026-11-24T24:00",
                            "24.11.2026", "2026-11-24T09", "2026-11-24T09:30:5", "", "tomorrow"}) {
        INFO(bad);
        CHECK_FALSE(parseTimestamp(bad));
    }
}

TEST_CASE("a fixed clock stands still until moved", "[clock]") {
    FixedClock clock(*parseTimestamp("2026-01-01"));
    CHECK(formatTimestamp(clock.now()) == "2026-01-01T00:00:00Z");
    clock.advance(std::chrono::hours(36));
    CHECK(formatTimestamp(clock.now()) == "2026-01-02T12:00:00Z");
}
