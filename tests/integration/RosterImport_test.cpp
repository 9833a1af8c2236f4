#include <catch2/catch.hpp>

#include "TestSettings.h"
#include "TestSupport.h"
#include "Tester.h"
#include "XlsxWriter.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/engine/Installation.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;

namespace {

const std::vector<std::string> kAreas = {"Bydelene i Oslo", "Follo",       "Nedre Romerike",
                                         "Øvre Romerike",   "Kongsvinger", "Ahus"};
const std::string kNetwork = "Nettverk Test";

using Rows = std::vector<std::vector<std::string>>;

const Rows kRoster = {
    {"Navn", "E-post", "Telefon", "Område", "Kommune/Bydel", "Arbeidssted", "Leder",
     "Leders e-post", "Status", "Rolle"},
    {"Nina Holm", "nina@ahus.example", "", "", "", "", "", "", "", "nettverksleder"},
    {"Geir Lund", "geir@follo.example", "", "Follo", "", "", "", "", "", "områdeleder"},
    {"Åse Ødegård-Bø", "ase@frogn.example", "412 34 567", "Follo", "Frogn", "Solbakken sykehjem",
     "Tor O'Neil", "tor@frogn.example", "aktiv", ""},
    {"Kari \"Kia\" Berg", "kari@frogn.example", "", "Follo", "Frogn", "Hjemmetjenesten nord",
     "Tor O'Neil", "tor@frogn.example", "perm", ""},
    {"Liv Lie", "liv@ahus.example", "", "Ahus", "", "Kreftavdelingen, sengepost 1", "Eva Ask",
     "eva@ahus.example", "aktiv", ""},
    {"Per Vik", "per@ahus.example", "", "Ahus", "", "Kreftavdelingen, sengepost 1", "Eva Ask",
     "eva@ahus.example", "aktiv", ""},
};

struct InstallationFixture {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-02T08:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings = test::onDatabase(database);

    InstallationFixture() {
        Installation::init(data, clock, kTester, database);
        Installation(data, clock, settings).rosters().addNetwork(kTester, kNetwork, kAreas);
    }
    Installation open() { return Installation(data, clock, settings); }

    std::string csv(const std::string& name, const Rows& rows) {
        test::writeFile(dir.file(name), documents::formatCsv(rows));
        return dir.file(name);
    }
    std::size_t events() { return static_cast<std::size_t>(open().records().verifyAuditLog().eventsChecked); }
};

Rows with(Rows rows, std::size_t row, std::size_t col, const std::string& value) {
    rows.at(row).at(col) = value;
    return rows;
}

}  // namespace

TEST_CASE("init creates the folder, database and configuration once", "[install]") {
    test::TempDir dir;
    FixedClock clock(*parseTimestamp("2026-11-02"));
    const std::string data = dir.file("nested/data");
    CHECK(Installation::init(data, clock, kTester));
    CHECK(test::readFile(data + "/avtaleflyt.properties").find("network.default") !=
          std::string::npos);
    CHECK_FALSE(Installation::init(data, clock, kTester));
    Installation inst(data, clock);
    const auto events = inst.records().auditEvents(0, 10);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == "installation.initialized");
    CHECK(events[0].occurredAt == "2026-11-02T00:00:00Z");
}

TEST_CASE("opening a folder without an installation says what to do", "[install]") {
    test::TempDir dir;
    SystemClock clock;
    CHECK_THROWS_WITH(Installation(dir.file("nowhere"), clock),
                      "no avtaleflyt installation in " + dir.file("nowhere") +
                          " (run 'avtaleflyt init' first, or give the right --data folder)");
}

TEST_CASE("networks: names are unique, areas required and not repeated", "[install]") {
    InstallationFixture f;
    auto inst = f.open();
    CHECK_THROWS_WITH(inst.rosters().addNetwork(kTester, "nettverk test", {"A"}),
                      "a network named \"nettverk test\" exists already");
    CHECK_THROWS_WITH(inst.rosters().addNetwork(kTester, "Ny", {}), "network \"Ny\" needs at least one area (--area)");
    CHECK_THROWS_WITH(inst.rosters().addNetwork(kTester, "Ny", {"Follo", "follo"}), "area \"follo\" is given twice");
    inst.rosters().addNetwork(kTester, "Nettverk To", {"Vest"});
    CHECK_THROWS_WITH(inst.rosters().network(""),
                      "this installation holds several networks (Nettverk Test, Nettverk To); say "
                      "which with --network");
    CHECK_THROWS_WITH(inst.rosters().network("Tre"),
                      "no network named \"Tre\" (there are: Nettverk Test, Nettverk To)");
    CHECK(inst.rosters().network("NETTVERK TO").name == "Nettverk To");
}

TEST_CASE("a CSV roster is imported, each change an audit event, and re-importing changes nothing",
          "[import]") {
    InstallationFixture f;
    const std::string file = f.csv("navneliste.csv", kRoster);
    const std::size_t before = f.events();

    auto dry = f.open().rosters().importRoster(kTester, file, kNetwork, true);
    CHECK(dry.problems.empty());
    CHECK_FALSE(dry.applied);
    // 4 nurses, and 4 other people: the network leader, an area leader, two nearest leaders
    CHECK(dry.diff.count(RosterChange::Group::Added) == 8);
    CHECK(f.events() == before);
    CHECK(f.open().rosters().roster(f.open().rosters().network(kNetwork)).nurses.empty());

    auto result = f.open().rosters().importRoster(kTester, file, kNetwork, false);
    CHECK(result.applied);
    CHECK(f.events() == before + result.diff.changes.size());
    const Roster stored = f.open().rosters().roster(f.open().rosters().network(kNetwork));
    REQUIRE(stored.nurses.size() == 4);
    CHECK(stored.people.at("ase@frogn.example").name == "Åse Ødegård-Bø");
    CHECK(stored.people.at("kari@frogn.example").name == "Kari \"Kia\" Berg");
    CHECK(stored.people.at("tor@frogn.example").name == "Tor O'Neil");
    CHECK(stored.nurses.at("kari@frogn.example").status == MemberStatus::OnLeave);
    CHECK(stored.nurses.at("kari@frogn.example").statusSince == "2026-11-02");
    CHECK(stored.areaLeaders.at("Follo") == "geir@follo.example");
    CHECK(stored.networkLeader == "nina@ahus.example");

    auto again = f.open().rosters().importRoster(kTester, file, kNetwork, false);
    CHECK(again.diff.empty());
    CHECK_FALSE(again.applied);
    CHECK(f.events() == before + result.diff.changes.size());
    CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
}

TEST_CASE("the same roster as .xlsx and as Windows-1252 CSV gives the same stored roster",
          "[import]") {
    InstallationFixture f;
    f.open().rosters().importRoster(kTester, f.csv("utf8.csv", kRoster), kNetwork, false);

    test::writeFile(f.dir.file("liste.xlsx"), test::makeXlsx(kRoster));
    CHECK(f.open().rosters().importRoster(kTester, f.dir.file("liste.xlsx"), kNetwork, false).diff.empty());

    // The same list as Excel saves "CSV (semikolonseparert)" on a Norwegian Windows.
    std::string cp1252;
    for (const auto& row : kRoster) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += (i ? ";" : "");
            const bool quote = row[i].find('"') != std::string::npos;
            std::string cell;
            for (const char c : row[i]) cell += c == '"' ? std::string("\"\"") : std::string(1, c);
            line += quote ? "\"" + cell + "\"" : cell;
        }
        cp1252 += line + "\r\n";
    }
    const auto toLatin1 = [](const std::string& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c == 0xC3)
                out += static_cast<char>(static_cast<unsigned char>(s[++i]) + 0x40);
            else
                out += s[i];
        }
        return out;
    };
    test::writeFile(f.dir.file("ansi.csv"), toLatin1(cp1252));
    const auto r = f.open().rosters().importRoster(kTester, f.dir.file("ansi.csv"), kNetwork, false);
    CHECK(r.problems.empty());
    CHECK(r.diff.empty());
}

TEST_CASE("a roster with problems writes nothing at all", "[import]") {
    InstallationFixture f;
    f.open().rosters().importRoster(kTester, f.csv("ok.csv", kRoster), kNetwork, false);
    const std::size_t before = f.events();
    const Roster stored = f.open().rosters().roster(f.open().rosters().network(kNetwork));

    Rows bad = with(kRoster, 3, 8, "perm");      // a real change...
    bad = with(bad, 5, 3, "Vestfold");           // ...and a bad area
    bad = with(bad, 6, 1, "per@@ahus.example");  // ...and a bad e-mail
    const auto r = f.open().rosters().importRoster(kTester, f.csv("bad.csv", bad), kNetwork, false);
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems[0].toString() ==
          f.dir.file("bad.csv") +
              ":6: Område: unknown area \"Vestfold\" (the network's areas are: "
              "Bydelene i Oslo, Follo, Nedre Romerike, Øvre Romerike, Kongsvinger, Ahus)");
    CHECK(r.problems[1].toString() ==
          f.dir.file("bad.csv") + ":7: E-post: malformed e-mail address \"per@@ahus.example\"");
    CHECK_FALSE(r.applied);
    CHECK(f.events() == before);
    const Roster after = f.open().rosters().roster(f.open().rosters().network(kNetwork));
    CHECK(after.nurses.at("ase@frogn.example").status == MemberStatus::Active);
    CHECK(after.people == stored.people);
}

TEST_CASE("going on leave, moving, a new leader and leaving are applied with their dates",
          "[import]") {
    InstallationFixture f;
    f.open().rosters().importRoster(kTester, f.csv("nov.csv", kRoster), kNetwork, false);
    f.clock.set(*parseTimestamp("2026-12-01T09:00:00Z"));

    Rows dec = with(kRoster, 3, 8, "perm");                            // Åse on leave
    dec = with(dec, 4, 5, "Solbakken sykehjem");                       // Kari moves
    dec = with(with(dec, 5, 6, "Ny Leder"), 5, 7, "ny@ahus.example");  // Liv's new leader
    dec.erase(dec.begin() + 6);                                        // Per is gone
    const auto r = f.open().rosters().importRoster(kTester, f.csv("dec.csv", dec), kNetwork, false);
    std::vector<std::string> kinds;
    for (const auto& c : r.diff.changes) kinds.push_back(c.kind);
    CHECK(kinds == std::vector<std::string>{"roster.person.added", "roster.nurse.moved",
                                            "roster.nurse.leader_changed",
                                            "roster.nurse.status_changed", "roster.nurse.left"});
    const Roster s = f.open().rosters().roster(f.open().rosters().network(kNetwork));
    CHECK(s.nurses.at("ase@frogn.example").status == MemberStatus::OnLeave);
    CHECK(s.nurses.at("ase@frogn.example").statusSince == "2026-12-01");
    CHECK(s.nurses.at("ase@frogn.example").memberSince == "2026-11-02");
    CHECK(s.nurses.at("kari@frogn.example").unit.name == "Solbakken sykehjem");
    CHECK(s.nurses.at("kari@frogn.example").statusSince ==
          "2026-11-02");  // still on leave since then
    CHECK(s.nurses.at("liv@ahus.example").leaderEmail == "ny@ahus.example");
    CHECK(s.nurses.at("per@ahus.example").status == MemberStatus::Left);
    CHECK(s.nurses.at("per@ahus.example").statusSince == "2026-12-01");

    const auto events = f.open().records().auditEvents(0, 1000);
    CHECK(events.back().kind == "roster.nurse.left");
    CHECK(events.back().subject == "per@ahus.example");
    CHECK(events.back().occurredAt == "2026-12-01T09:00:00Z");
    CHECK(events.back().payload ==
          "{\"network\":\"Nettverk "
          "Test\",\"before\":\"active\",\"after\":\"left\",\"source\":\"dec.csv\"}");
    // Importing December again changes nothing, and Per stays left.
    CHECK(f.open().rosters().importRoster(kTester, f.dir.file("dec.csv"), kNetwork, false).diff.empty());
}

TEST_CASE("a file that cannot be read is an error naming it, and nothing is written", "[import]") {
    InstallationFixture f;
    const std::size_t before = f.events();
    CHECK_THROWS_WITH(f.open().rosters().importRoster(kTester, f.dir.file("mangler.xlsx"), kNetwork, false),
                      f.dir.file("mangler.xlsx") + ": no such file");
    test::writeFile(f.dir.file("tom.xlsx"), "not a zip");
    CHECK_THROWS_AS(f.open().rosters().importRoster(kTester, f.dir.file("tom.xlsx"), kNetwork, false), EngineError);
    CHECK(f.events() == before);
}
