#include <catch2/catch.hpp>

#include <set>

#include "avtaleflyt/domain/RosterSheet.h"
#include "avtaleflyt/domain/RosterSummary.h"
#include "avtaleflyt/engine/SampleNetwork.h"

using namespace avtaleflyt;

TEST_CASE("the sample network looks like the real one and is the same every time", "[sample]") {
    const auto net = engine::makeSampleNetwork();
    CHECK(net.areas == std::vector<std::string>{"Bydelene i Oslo", "Follo", "Nedre Romerike",
                                                "Øvre Romerike", "Kongsvinger", "Ahus"});
    CHECK(net.roster.nurses.size() == 250);
    CHECK(net.roster.areaLeaders.size() == 6);
    CHECK_FALSE(net.roster.networkLeader.empty());

    const auto summary = summarizeRoster(net.roster, net.areas);
    const auto& total = summary.back();
    CHECK(total.left == 2);
    CHECK(total.onLeave >= 5);
    CHECK(total.leaders < total.units);  // some leaders lead two units
    for (std::size_t i = 0; i + 1 < summary.size(); ++i) CHECK(summary[i].active > 10);

    std::set<std::string> names;
    for (const auto& [email, p] : net.roster.people) {
        CHECK(email.find(".example") != std::string::npos);
        names.insert(p.name);
    }
    CHECK(names.size() == net.roster.people.size());

    const auto again = engine::makeSampleNetwork();
    CHECK(again.roster.people == net.roster.people);
    CHECK(engine::makeSampleNetwork(7).roster.people != net.roster.people);
}

TEST_CASE("the sample's name list reads back without problems", "[sample]") {
    const auto net = engine::makeSampleNetwork(2024, 400);
    Table t;
    t.source = "sample.csv";
    int line = 1;
    for (auto& row : writeRosterSheet(net.roster, net.areas)) t.rows.push_back({line++, row});
    const auto sheet = readRosterSheet(t, net.areas, {});
    CHECK(sheet.problems.empty());
    CHECK(sheet.roster.nurses.size() == 400);
}

TEST_CASE("the sample makes 100,000 nurses, each with a name and an address of their own "
          "(it looped forever past 3,900 names)",
          "[sample]") {
    const auto net = engine::makeSampleNetwork(2024, 100000);
    CHECK(net.roster.nurses.size() == 100000);
    std::set<std::string> names;
    for (const auto& [email, person] : net.roster.people) names.insert(person.name);
    CHECK(names.size() == net.roster.people.size());
    CHECK(net.roster.people.size() > 100000);  // leaders too
}
