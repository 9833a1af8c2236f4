#include <catch2/catch.hpp>

#include <cstdio>
#include <set>

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

TEST_CASE(
    "the changes come added, changed, left, by summary, equal summaries in the order found "
    "(sorted without a buffer of the changes)",
    "[roster-diff]") {
    Roster current = baseRoster(), desired = baseRoster();
    const std::vector<std::string> names = {"Åse Bø", "Kari Berg", "Anne Dahl", "Kari Berg", "Ola"};
    for (int i = 0; i < 120; ++i) {
        char email[32];
        std::snprintf(email, sizeof email, "n%03d@ahus.example", i);
        const NurseMembership nurse{email,
                                    {"Ahus", "Post " + std::to_string(i % 3), "", UnitKind::Other},
                                    "tor@ahus.example",
                                    MemberStatus::Active,
                                    "",
                                    ""};
        const Person person{email, names[static_cast<std::size_t>(i) % names.size()], ""};
        if (i % 4 != 0) {  // stored already: some of them move, some are missing now
            current.people[email] = person;
            current.nurses[email] = nurse;
        }
        desired.people[email] = person;
        desired.nurses[email] = nurse;
        if (i % 4 == 1)
            desired.nurses[email].unit.name = "Post 9";
        if (i % 4 == 2)
            desired.nurses.erase(email);
    }
    const RosterDiff diff = diffRoster(current, desired);
    CHECK(diff.count(RosterChange::Group::Added) == 30);
    CHECK(diff.count(RosterChange::Group::Changed) == 30);
    CHECK(diff.count(RosterChange::Group::Left) == 30);
    for (std::size_t i = 1; i < diff.changes.size(); ++i) {
        const RosterChange& a = diff.changes[i - 1];
        const RosterChange& b = diff.changes[i];
        INFO(a.summary << " | " << b.summary);
        REQUIRE(a.group <= b.group);
        if (a.group == b.group) {
            CHECK(a.summary <= b.summary);
            if (a.summary == b.summary)  // found in e-mail order
                CHECK(a.subject < b.subject);
        }
    }
    std::set<std::string> subjects;
    for (const auto& c : diff.changes) subjects.insert(c.kind + " " + c.subject);
    CHECK(subjects.size() == 90);  // each change once: none lost or doubled by the sorting
}
