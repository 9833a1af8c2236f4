#include <catch2/catch.hpp>

#include "avtaleflyt/domain/RosterDiff.h"

using namespace avtaleflyt;

namespace {

Roster baseRoster() {
    Roster r;
    r.people["kari@ahus.example"] = {"kari@ahus.example", "Kari Berg", "412 00 001"};
    r.people["liv@ahus.example"] = {"liv@ahus.example", "Liv Lie", ""};
    r.people["tor@ahus.example"] = {"tor@ahus.example", "Tor Li", ""};
    r.people["eva@ahus.example"] = {"eva@ahus.example", "Eva Ask", ""};
    r.nurses["kari@ahus.example"] = {"kari@ahus.example",
                                     {"Ahus", "Post 1", "", UnitKind::HospitalDepartment},
                                     "tor@ahus.example",
                                     MemberStatus::Active,
                                     "",
                                     ""};
    r.nurses["liv@ahus.example"] = {"liv@ahus.example",
                                    {"Ahus", "Post 2", "", UnitKind::HospitalDepartment},
                                    "tor@ahus.example",
                                    MemberStatus::Active,
                                    "",
                                    ""};
    r.areaLeaders["Ahus"] = "eva@ahus.example";
    r.networkLeader = "eva@ahus.example";
    return r;
}

std::vector<std::string> summaries(const RosterDiff& d) {
    std::vector<std::string> out;
    for (const auto& c : d.changes) out.push_back(c.summary);
    return out;
}

}  // namespace

TEST_CASE("the same roster gives no changes", "[roster-diff]") {
    CHECK(diffRoster(baseRoster(), baseRoster()).empty());
}

TEST_CASE("leave, a move, a new leader, a new nurse and someone missing are each one change",
          "[roster-diff]") {
    const Roster current = baseRoster();
    Roster desired = current;
    desired.nurses["kari@ahus.example"].status = MemberStatus::OnLeave;
    desired.nurses["kari@ahus.example"].unit.name = "Post 3";
    desired.people["ny@ahus.example"] = {"ny@ahus.example", "Ny Leder", ""};
    desired.nurses["kari@ahus.example"].leaderEmail = "ny@ahus.example";
    desired.nurses.erase("liv@ahus.example");
    desired.people["ida@ahus.example"] = {"ida@ahus.example", "Ida Holm", "900 00 000"};
    desired.nurses["ida@ahus.example"] = {"ida@ahus.example",
                                          {"Ahus", "Post 2", "", UnitKind::HospitalDepartment},
                                          "tor@ahus.example",
                                          MemberStatus::Active,
                                          "",
                                          ""};

    const RosterDiff d = diffRoster(current, desired);
    CHECK(summaries(d) == std::vector<std::string>{
                              "nurse Ida Holm at Post 2 (Ahus), leader Tor Li",
                              "person Ny Leder",
                              "Kari Berg: active -> on leave",
                              "Kari Berg: moved from Post 1 (Ahus) to Post 3 (Ahus)",
                              "Kari Berg: nearest leader Tor Li -> Ny Leder",
                              "Liv Lie: left (no longer on the list)",
                          });
    CHECK(d.count(RosterChange::Group::Added) == 2);
    CHECK(d.count(RosterChange::Group::Changed) == 3);
    CHECK(d.count(RosterChange::Group::Left) == 1);
    CHECK(d.changes[0].kind == "roster.nurse.added");
    CHECK(d.changes[5].kind == "roster.nurse.left");
}

TEST_CASE(
    "a nurse marked as left counts among those who left, one who left and returns is a change",
    "[roster-diff]") {
    Roster current = baseRoster();
    current.nurses["liv@ahus.example"].status = MemberStatus::Left;
    Roster desired = current;
    desired.nurses["kari@ahus.example"].status = MemberStatus::Left;
    desired.nurses["liv@ahus.example"].status = MemberStatus::Active;
    const RosterDiff d = diffRoster(current, desired);
    CHECK(summaries(d) ==
          std::vector<std::string>{"Liv Lie: left -> active", "Kari Berg: active -> left"});
    CHECK(d.changes[1].group == RosterChange::Group::Left);
}

TEST_CASE("a nurse who has left is not reported again when missing from the list",
          "[roster-diff]") {
    Roster current = baseRoster();
    current.nurses["liv@ahus.example"].status = MemberStatus::Left;
    Roster desired = current;
    desired.nurses.erase("liv@ahus.example");
    CHECK(diffRoster(current, desired).empty());
}

TEST_CASE("renames, new phone numbers and new area and network leaders are changes",
          "[roster-diff]") {
    const Roster current = baseRoster();
    Roster desired = current;
    desired.people["kari@ahus.example"].name = "Kari Berg-Holm";
    desired.people["kari@ahus.example"].phone = "";
    desired.areaLeaders["Ahus"] = "tor@ahus.example";
    desired.networkLeader = "";
    CHECK(summaries(diffRoster(current, desired)) ==
          std::vector<std::string>{
              "Kari Berg-Holm: phone 412 00 001 -> (none)", "Kari Berg: renamed to Kari Berg-Holm",
              "area leader of Ahus: Eva Ask -> Tor Li", "network leader: Eva Ask -> (none)"});
}
