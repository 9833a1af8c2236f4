// End to end: the avtaleflyt binary as a user runs it, in a private folder.
#include <catch2/catch.hpp>

#include "TestSupport.h"
#include "avtaleflyt/storage/Database.h"

using namespace avtaleflyt;
using test::runCli;

namespace {

struct CliFixture {
    test::TempDir dir;
    std::string data = dir.file("data");

    test::CliResult run(std::vector<std::string> args) {
        args.insert(args.begin(), {"--data", data});
        return runCli(args, dir.path());
    }
    std::string db() const { return data + "/avtaleflyt.db"; }
    std::string events() const { return test::querySql(db(), "SELECT count(*) FROM audit_event"); }

    // An installation with the sample network imported.
    void sample() {
        REQUIRE(run({"init", "--now", "2026-11-02"}).exitCode == 0);
        REQUIRE(
            run({"sample", "roster", "--out", dir.file("liste.csv"), "--add-network"}).exitCode ==
            0);
        REQUIRE(run({"import", "roster", dir.file("liste.csv"), "--now", "2026-11-02T08:00"})
                    .exitCode == 0);
    }
};

}  // namespace

TEST_CASE("cli: --help lists every command and exits 0; no command is a usage error", "[cli]") {
    CliFixture f;
    const auto help = f.run({"--help"});
    CHECK(help.exitCode == 0);
    for (const char* cmd :
         {"init", "network add", "import roster", "people list", "log verify", "sample roster"})
        CHECK(help.out.find(cmd) != std::string::npos);
    CHECK(help.out.find(
              "Exit codes: 0 ok, 1 problems found or the operation failed, 2 wrong usage.") !=
          std::string::npos);
    const auto none = runCli({}, f.dir.path());
    CHECK(none.exitCode == 2);
    CHECK(none.err.find("Usage: avtaleflyt") != std::string::npos);
}

TEST_CASE("cli: each command has its own --help with its options", "[cli]") {
    CliFixture f;
    const auto r = f.run({"import", "roster", "--help"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Usage: avtaleflyt import roster FILE [OPTIONS]") != std::string::npos);
    CHECK(r.out.find("--dry-run") != std::string::npos);
    CHECK(r.out.find("--network NAME") != std::string::npos);
    CHECK(r.out.find("--data DIR") != std::string::npos);
}

TEST_CASE("cli: wrong usage exits 2 with a message that says what is wrong", "[cli]") {
    CliFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    auto r = f.run({"import", "roster"});
    CHECK(r.exitCode == 2);
    CHECK(
        r.err ==
        "avtaleflyt: import roster needs FILE\nRun 'avtaleflyt import roster --help' for help.\n");
    r = f.run({"import", "roster", "a.csv", "--bogus"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("bogus") != std::string::npos);
    r = f.run({"frobnicate"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("unknown command \"frobnicate\"") != std::string::npos);
    r = f.run({"network", "list", "--now", "i morgen"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--now: cannot read \"i morgen\" as a date or time") != std::string::npos);
    r = f.run({"people", "list", "--format", "xml"});
    CHECK(r.exitCode != 0);
}

TEST_CASE("cli: commands before init say to run init, exit 1", "[cli]") {
    CliFixture f;
    const auto r = f.run({"network", "list"});
    CHECK(r.exitCode == 1);
    CHECK(r.err == "avtaleflyt: no avtaleflyt installation in " + f.data +
                       " (run 'avtaleflyt init' first, or give the right --data folder)\n");
}

TEST_CASE("cli: the data folder comes from --data, else AVTALEFLYT_DATA, else ./avtaleflyt-data",
          "[cli]") {
    CliFixture f;
    CHECK(runCli({"init"}, f.dir.path()).exitCode == 0);
    CHECK(test::readFile(f.dir.file("avtaleflyt-data/avtaleflyt.properties")).size() > 0);
}

TEST_CASE("cli: a bad roster lists every problem, exits 1 and writes nothing", "[cli]") {
    CliFixture f;
    f.sample();
    const std::string before = f.events();
    test::writeFile(
        f.dir.file("feil.csv"),
        "Navn;E-post;Område;Arbeidssted;Leder;Leders e-post;Status\r\n"
        "Mia Berg;;Follo;Tunet;Tor Lie;tor@frogn.example;aktiv\r\n"
        "Siri Moe;siri@frogn.example;Vestfold;Tunet;Tor Lie;tor@frogn.example;pensjonert\r\n");
    const auto r = f.run({"import", "roster", "feil.csv"});
    CHECK(r.exitCode == 1);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "feil.csv:2: E-post: missing e-mail for Mia Berg\n"
          "feil.csv:3: Status: unknown status \"pensjonert\" (use aktiv, perm or sluttet; or "
          "active, leave, left)\n"
          "feil.csv:3: Område: unknown area \"Vestfold\" (the network's areas are: Bydelene i "
          "Oslo, Follo, Nedre "
          "Romerike, Øvre Romerike, Kongsvinger, Ahus)\n"
          "3 problems in feil.csv; nothing was imported.\n");
    CHECK(f.events() == before);
}

TEST_CASE(
    "cli: import prints the diff; a dry run writes nothing; the same file again changes nothing",
    "[cli]") {
    CliFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    REQUIRE(f.run({"sample", "roster", "--out", "liste.csv", "--add-network"}).exitCode == 0);
    const std::string before = f.events();
    const auto dry = f.run({"import", "roster", "liste.csv", "--dry-run"});
    CHECK(dry.exitCode == 0);
    CHECK(dry.out.find("(dry run: nothing is written)") != std::string::npos);
    CHECK(test::countLines(dry.out, "  + nurse ") == 250);
    CHECK(f.events() == before);

    const auto real = f.run({"import", "roster", "liste.csv"});
    CHECK(real.exitCode == 0);
    CHECK(real.out.find("Saved, with one audit-log event per change.") != std::string::npos);
    const auto again = f.run({"import", "roster", "liste.csv"});
    CHECK(again.out.find("No changes: the stored roster matches the file.") != std::string::npos);
}

TEST_CASE("cli: network show sums the sample per area", "[cli]") {
    CliFixture f;
    f.sample();
    const auto r = f.run({"network", "show"});
    CHECK(r.exitCode == 0);
    for (const char* area : {"Bydelene i Oslo", "Follo", "Nedre Romerike", "Øvre Romerike",
                             "Kongsvinger", "Ahus", "Total"})
        CHECK(r.out.find(area) != std::string::npos);
    CHECK(r.out.find("Network leader: ") != std::string::npos);
}

TEST_CASE("cli: people list filters, and its CSV imports again without changes", "[cli]") {
    CliFixture f;
    f.sample();
    const auto leave = f.run({"people", "list", "--status", "perm", "--area", "follo"});
    CHECK(leave.exitCode == 0);
    CHECK(test::countLines(leave.out, "on leave") >= 1);
    CHECK(test::countLines(leave.out, "  active") == 0);
    CHECK(test::countLines(leave.out, "Ahus") == 0);

    const auto csv = f.run({"people", "list", "--format", "csv"});
    CHECK(csv.exitCode == 0);
    test::writeFile(f.dir.file("eksport.csv"), csv.out);
    const auto back = f.run({"import", "roster", "eksport.csv"});
    CHECK(back.exitCode == 0);
    CHECK(back.out.find("No changes") != std::string::npos);

    const auto json = f.run({"people", "list", "--format", "json", "--area", "Ahus"});
    CHECK(json.exitCode == 0);
    CHECK(json.out.find("\"leader_email\"") != std::string::npos);

    const auto badArea = f.run({"people", "list", "--area", "Vestfold"});
    CHECK(badArea.exitCode == 2);
    CHECK(badArea.err.find("no area \"Vestfold\"") != std::string::npos);
}

TEST_CASE("cli: --now sets the time recorded on events", "[cli]") {
    CliFixture f;
    f.sample();
    CHECK(test::querySql(f.db(), "SELECT occurred_at FROM audit_event ORDER BY seq DESC LIMIT 1") ==
          "2026-11-02T08:00:00Z");
}

TEST_CASE("cli: log verify exits 0 on an intact log and 1 naming the first bad event", "[cli]") {
    CliFixture f;
    f.sample();
    auto r = f.run({"log", "verify"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("The audit log is intact: ") != std::string::npos);
    test::execSql(
        f.db(),
        "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'x' WHERE seq = 7");
    r = f.run({"log", "verify"});
    CHECK(r.exitCode == 1);
    CHECK(r.err ==
          "The audit log is broken at event 7: event 7 was changed after it was written (its hash "
          "does not "
          "match its contents).\nEvents 1 to 6 are intact.\n");
}

TEST_CASE("cli: a database from a newer avtaleflyt is refused, exit 1, untouched", "[cli]") {
    CliFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    test::execSql(f.db(),
                  "INSERT INTO schema_version VALUES (42, 'future', '2030-01-01T00:00:00Z')");
    const auto r = f.run({"network", "list"});
    CHECK(r.exitCode == 1);
    const std::string latest = std::to_string(storage::builtinMigrations().back().version);
    CHECK(r.err.find("the database has schema version 42, but this avtaleflyt knows versions up to " + latest) !=
          std::string::npos);
    CHECK(test::querySql(f.db(), "SELECT max(version) FROM schema_version") == "42");
}

TEST_CASE("cli: network.default in the configuration picks the network", "[cli]") {
    CliFixture f;
    f.sample();
    REQUIRE(
        f.run({"network", "add", "Nettverk Vest", "--area", "Bergen", "--area", "Voss"}).exitCode ==
        0);
    auto r = f.run({"network", "show"});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("say which with --network") != std::string::npos);
    test::writeFile(f.data + "/avtaleflyt.properties", "network.default = Nettverk Vest\n");
    r = f.run({"network", "show"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Bergen") != std::string::npos);
}
