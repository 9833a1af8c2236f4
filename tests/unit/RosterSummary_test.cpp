#include <catch2/catch.hpp>

#include "avtaleflyt/domain/RosterSummary.h"

using namespace avtaleflyt;

TEST_CASE("the summary counts nurses, units and leaders per area and in total",
          "[roster-summary]") {
    Roster r;
    r.people["eva@x.example"] = {"eva@x.example", "Eva Ask", ""};
    r.areaLeaders["Follo"] = "eva@x.example";
    const auto nurse = [&](const char* email, const char* area, const char* unit,
                           const char* leader, MemberStatus status) {
        NurseMembership m;
        m.email = email;
        m.unit.area = area;
        m.unit.name = unit;
        m.leaderEmail = leader;
        m.status = status;
        r.nurses[email] = m;
    };
    nurse("a@x.example", "Follo", "Tunet", "l1@x.example", MemberStatus::Active);
    nurse("b@x.example", "Follo", "Tunet", "l1@x.example", MemberStatus::OnLeave);
    nurse("c@x.example", "Follo", "Furuly", "l1@x.example", MemberStatus::Active);
    nurse("d@x.example", "Follo", "Gamle", "l9@x.example", MemberStatus::Left);
    nurse("e@x.example", "Ahus", "Post 1", "l2@x.example", MemberStatus::Active);

    const auto s = summarizeRoster(r, {"Follo", "Ahus", "Kongsvinger"});
    REQUIRE(s.size() == 4);
    CHECK(s[0].area == "Follo");
    CHECK(s[0].areaLeader == "Eva Ask");
    CHECK(s[0].active == 2);
    CHECK(s[0].onLeave == 1);
    CHECK(s[0].left == 1);
    CHECK(s[0].units == 2);  // the unit of the nurse who left does not count
    CHECK(s[0].leaders == 1);
    CHECK(s[2].active == 0);
    CHECK(s[3].area == "Total");
    CHECK(s[3].active == 3);
    CHECK(s[3].units == 3);
    CHECK(s[3].leaders == 2);
}
