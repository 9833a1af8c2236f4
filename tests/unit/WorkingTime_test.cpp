#include <catch2/catch.hpp>

#include "avtaleflyt/domain/WorkingTime.h"

using namespace avtaleflyt;

namespace {
Timestamp t(const char* s) {
    return *parseTimestamp(s);
}
}  // namespace

TEST_CASE("Easter Sunday for known years", "[workingtime]") {
    CHECK(easterSunday(2024) == "2024-03-31");
    CHECK(easterSunday(2025) == "2025-04-20");
    CHECK(easterSunday(2026) == "2026-04-05");
    CHECK(easterSunday(2027) == "2027-03-28");
    CHECK(easterSunday(2038) == "2038-04-25");
}

TEST_CASE("Norwegian public holidays, fixed and Easter-based", "[workingtime]") {
    CHECK(norwegianHoliday("2027-03-25") == "Skjærtorsdag");
    CHECK(norwegianHoliday("2027-03-26") == "Langfredag");
    CHECK(norwegianHoliday("2027-03-29") == "Andre påskedag");
    CHECK(norwegianHoliday("2027-05-06") == "Kristi himmelfartsdag");
    CHECK(norwegianHoliday("2027-05-17") == "Grunnlovsdag");  // also Whit Monday that year
    CHECK(norwegianHoliday("2027-05-16") == "Første pinsedag");
    CHECK(norwegianHoliday("2026-12-25") == "Første juledag");
    CHECK(norwegianHoliday("2026-12-24") == "");  // Christmas Eve is a working day by law
    CHECK(norwegianHoliday("2026-11-24") == "");
}

TEST_CASE("office hours are 08-16 Oslo time on working days, across summer time", "[workingtime]") {
    CHECK(isOfficeTime(t("2026-11-24T07:00:00Z")));        // 08:00 CET, Tuesday
    CHECK_FALSE(isOfficeTime(t("2026-11-24T06:59:59Z")));  // 07:59 CET
    CHECK_FALSE(isOfficeTime(t("2026-11-24T15:00:00Z")));  // 16:00 CET
    CHECK(isOfficeTime(t("2026-06-02T06:00:00Z")));        // 08:00 CEST
    CHECK_FALSE(isOfficeTime(t("2026-06-02T05:30:00Z")));  // 07:30 CEST
    CHECK_FALSE(isOfficeTime(t("2026-11-28T10:00:00Z")));  // Saturday
    CHECK_FALSE(isOfficeTime(t("2026-12-25T10:00:00Z")));  // Christmas Day
    CHECK(osloLocalTime(t("2026-03-29T00:59:00Z")) == "2026-03-29T01:59");
    CHECK(osloLocalTime(t("2026-03-29T01:00:00Z")) == "2026-03-29T03:00");
}

TEST_CASE("the next office time skips evenings, weekends and Easter", "[workingtime]") {
    CHECK(nextOfficeTime(t("2026-11-24T10:00:00Z")) == t("2026-11-24T10:00:00Z"));
    CHECK(nextOfficeTime(t("2026-11-24T18:00:00Z")) == t("2026-11-25T07:00:00Z"));
    CHECK(nextOfficeTime(t("2026-11-27T16:00:00Z")) == t("2026-11-30T07:00:00Z"));  // Fri -> Mon
    // Wednesday before Easter 2027 evening -> Tuesday after Easter Monday.
    CHECK(nextOfficeTime(t("2027-03-24T17:00:00Z")) == t("2027-03-30T06:00:00Z"));
    CHECK(nextOfficeTime(t("2026-12-24T16:00:00Z")) == t("2026-12-28T07:00:00Z"));
}
