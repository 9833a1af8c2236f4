// End to end: the avtaleflyt binary as a user runs it, in a private folder.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <Poco/Environment.h>
#include <Poco/File.h>

#include "TestSupport.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/storage/Database.h"

using namespace avtaleflyt;
using test::CliFixture;
using test::runCli;

namespace {

// What `serve --port PORT ARGS` on `f` printed, run until the shell command `until` succeeds (at
// most 20 s) and then sent SIGTERM, and how long it took to stop after that.
struct Served {
    test::CliResult result;
    std::chrono::duration<double> stopping{};
};

Served serveUntil(CliFixture& f, unsigned port, const std::vector<std::string>& args,
                  const std::string& until) {
    Served served;
    std::vector<std::string> command = {"serve", "--port", std::to_string(port)};
    command.insert(command.end(), args.begin(), args.end());
    std::thread server([&] { served.result = f.run(command); });
    for (int i = 0; i < 200 && test::runTool(until).exitCode != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto signalled = std::chrono::steady_clock::now();
    test::runTool("pkill -TERM -f 'serve --port " + std::to_string(port) + " '");
    server.join();
    served.stopping = std::chrono::steady_clock::now() - signalled;
    return served;
}

}  // namespace

TEST_CASE("cli: --help lists every command and exits 0, no command is a usage error", "[cli]") {
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
    "cli: import prints the diff, a dry run writes nothing, the same file again changes nothing",
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

TEST_CASE("cli: log head exports the head, and log verify --head finds a log cut back and rebuilt",
          "[cli][audit]") {
    CliFixture f;
    f.sample();
    auto r = f.run({"log", "head", "--out", "hode.txt"});
    REQUIRE(r.exitCode == 0);
    const std::string head = test::readFile(f.dir.file("hode.txt"));
    const std::string seq = test::querySql(f.db(), "SELECT MAX(seq) FROM audit_event");
    CHECK(head == seq + " " +
                      test::querySql(f.db(), "SELECT hash FROM audit_event ORDER BY seq DESC "
                                             "LIMIT 1") +
                      "\n");
    CHECK(f.run({"log", "head"}).out == head);
    r = f.run({"log", "verify", "--head", "hode.txt"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("the kept head (event " + seq + ") is in it unchanged") != std::string::npos);
    // The newest events removed and the head row set to match: the chain alone verifies.
    test::execSql(f.db(), "DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE "
                          "seq > 3; UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM "
                          "audit_event WHERE seq = 3)");
    CHECK(f.run({"log", "verify"}).exitCode == 0);
    r = f.run({"log", "verify", "--head", "hode.txt"});
    CHECK(r.exitCode == 1);
    CHECK(r.err == "The audit log's chain holds, but not the head kept in hode.txt: event " + seq +
                       " is no longer in the log: events were removed from its end.\n");
    test::writeFile(f.dir.file("feil.txt"), "ikke et hode");
    r = f.run({"log", "verify", "--head", "feil.txt"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("feil.txt: not an audit-log head") != std::string::npos);
}

TEST_CASE("cli: audit replays the log against the tables and names a case edited behind its back",
          "[cli][audit]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions", "--area", "Ahus"});
    auto r = f.run({"audit"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("0 findings.") != std::string::npos);
    test::execSql(f.db(), "UPDATE case_file SET state = 'signed' WHERE reference = 'FB-2026-0001'");
    r = f.run({"audit"});
    CHECK(r.exitCode == 1);
    CHECK(r.out.find(": FB-2026-0001: the case table says \"state=signed; version=") !=
          std::string::npos);
    CHECK(r.out.find("1 finding.") != std::string::npos);
}

TEST_CASE("cli: a database from a newer avtaleflyt is refused, exit 1, untouched", "[cli]") {
    CliFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    test::execSql(f.db(),
                  "INSERT INTO schema_version VALUES (42, 'future', '2030-01-01T00:00:00Z')");
    const auto r = f.run({"network", "list"});
    CHECK(r.exitCode == 1);
    const std::string latest = std::to_string(storage::builtinMigrations().back().version);
    CHECK(
        r.err.find("the database has schema version 42, but this avtaleflyt knows versions up to " +
                   latest) != std::string::npos);
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
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "network.default = Nettverk Vest\n";
    r = f.run({"network", "show"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Bergen") != std::string::npos);
}

TEST_CASE("cli: send, list and show cases, a refused step exits 1 with the reason",
          "[cli][cases]") {
    CliFixture f;
    f.sample();
    auto r = f.run({"send", "function-descriptions", "--area", "Kongsvinger", "--dry-run"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("function descriptions would be sent; 0 nurses have one already. Nothing "
                     "written (dry run).") != std::string::npos);
    CHECK(f.run({"case", "list"}).out.find("0 cases") != std::string::npos);

    r = f.run({"send", "function-descriptions", "--now", "2026-11-03T09:00"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("FB-2026-0001") != std::string::npos);
    CHECK(r.out.find("function descriptions sent; 0 nurses have one already.") !=
          std::string::npos);
    r = f.run({"send", "function-descriptions"});
    CHECK(r.out.find("0 function descriptions sent;") != std::string::npos);

    r = f.run({"case", "list", "--area", "Ahus", "--format", "csv"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Reference;Workflow;Title;Area;State;Signed;Deadline\r\n") !=
          std::string::npos);
    CHECK(r.out.find(";Ahus;sent;0/2;2027-01-02") != std::string::npos);

    r = f.run({"case", "show", "FB-2026-0001"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("State:    sent (version 2)") != std::string::npos);
    CHECK(r.out.find("case.opened") != std::string::npos);
    CHECK(r.out.find("notify_signers") != std::string::npos);

    r = f.run({"case", "withdraw", "FB-2026-0001"});
    CHECK(r.exitCode == 1);
    CHECK(r.err == "case FB-2026-0001 (sent): cannot withdraw: a reason is required\n");
    r = f.run({"case", "withdraw", "FB-2026-0001", "--reason", "Feil person"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "FB-2026-0001: sent -> withdrawn\n");
    r = f.run({"case", "show", "FB-0000"});
    CHECK(r.exitCode == 1);
    CHECK(r.err == "avtaleflyt: no case FB-0000\n");
}

TEST_CASE("cli: an agreement through review, approval and sending", "[cli][cases]") {
    CliFixture f;
    f.sample();
    auto r = f.run({"agreement", "new", "--title", "Samarbeidsavtale", "--party",
                    "Ahus|Anne Ås|anne@ahus.example", "--party",
                    "Frogn kommune|Bo Berg|bo@frogn.example"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "SA-2026-0001: Samarbeidsavtale (draft, 2 parties)\n");
    CHECK(f.run({"agreement", "new", "--title", "X", "--party", "Ahus"}).exitCode == 2);
    CHECK(f.run({"agreement", "review", "SA-2026-0001"}).out ==
          "SA-2026-0001: draft -> in_review\n");
    r = f.run({"agreement", "approve", "SA-2026-0001", "--body", "Samarbeidsutvalget"});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("the approving body and the approval date (YYYY-MM-DD) are required") !=
          std::string::npos);
    CHECK(f.run({"agreement", "approve", "SA-2026-0001", "--body", "Samarbeidsutvalget", "--date",
                 "2026-10-30"})
              .exitCode == 0);
    CHECK(f.run({"agreement", "send", "SA-2026-0001"}).out == "SA-2026-0001: approved -> sent\n");
}

TEST_CASE("cli: remind fires what is due as of --now and says what it mails", "[cli][cases]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions", "--area", "Follo", "--now", "2026-11-03T09:00"});
    auto r = f.run({"remind", "--now", "2026-11-05T09:00"});
    CHECK(r.out == "0 timers due at 2026-11-05T09:00:00Z, 0 mails.\n");
    // Tuesday evening: the reminders wait for the morning.
    r = f.run({"remind", "--now", "2026-11-10T18:00", "--dry-run"});
    CHECK(r.out.find("reminders and escalations wait for office hours (2026-11-11T08:00 Oslo "
                     "time); nothing written (dry run).") != std::string::npos);
    r = f.run({"remind", "--now", "2026-11-10T12:00", "--dry-run"});
    CHECK(test::countLines(r.out, ": reminder -> remind ") >= 30);
    CHECK(r.out.find("nothing written (dry run)") != std::string::npos);
    CHECK(test::countLines(r.out, ": Påminnelse: ") >= 60);  // nurse and leader of each
    r = f.run({"remind", "--now", "2026-11-10T12:00"});
    const auto fired = test::countLines(r.out, ": reminder -> remind ");
    CHECK(fired >= 30);
    CHECK(test::querySql(f.db(), "SELECT count(*) FROM case_action WHERE action = 'remind'") ==
          std::to_string(fired));
}

TEST_CASE("cli: workflows are listed, drawn and checked", "[cli][workflows]") {
    CliFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    auto r = f.run({"workflow", "list"});
    CHECK(r.out.find("function-description") != std::string::npos);
    CHECK(r.out.find("nurse, leader") != std::string::npos);
    r = f.run({"workflow", "diagram", "record"});
    CHECK(r.out.rfind("stateDiagram-v2\n    [*] --> draft\n", 0) == 0);
    test::writeFile(f.dir.file("bad.xml"),
                    "<?xml version=\"1.0\"?>\n<workflow xmlns=\"urn:avtaleflyt:workflow:1\"/>\n");
    r = f.run({"workflow", "check", f.dir.path()});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find(f.dir.file("bad.xml") + ":2: xml: ") != std::string::npos);

    // A data folder set to use broken definitions refuses to start, naming the file.
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "workflows.dir = " << f.dir.path() << "\n";
    r = f.run({"case", "list"});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("the workflow definitions cannot be used:") != std::string::npos);
}

TEST_CASE("cli: a roster import shows what it does to open cases", "[cli][cases]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions"});
    // Drop the first nurse row of the sample list (after the network and area leader rows).
    const std::string list = test::readFile(f.dir.file("liste.csv"));
    std::size_t pos = 0;
    for (int i = 0; i < 8; ++i) pos = list.find("\r\n", pos) + 2;
    const std::size_t end = list.find("\r\n", pos) + 2;
    test::writeFile(f.dir.file("neste.csv"), list.substr(0, pos) + list.substr(end));
    const auto r = f.run({"import", "roster", "neste.csv"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Open cases (1):\n  * FB-2026-") != std::string::npos);
    CHECK(r.out.find(": withdrawn, the nurse has left") != std::string::npos);
}

TEST_CASE("cli: render a case, seal it, verify the seal, a changed byte breaks it",
          "[cli][documents]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions", "--area", "Ahus"});
    auto r = f.run({"render", "FB-2026-0001", "--final", "--seal", "--out", "fb.pdf"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Wrote fb.pdf (") != std::string::npos);
    r = f.run({"seal", "verify", "fb.pdf"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "fb.pdf: seal valid (ETSI.CAdES.detached, sealed by avtaleflyt)\n");
    std::string bytes = test::readFile(f.dir.file("fb.pdf"));
    bytes[bytes.find("/Producer") + 3] ^= 1;
    test::writeFile(f.dir.file("fb.pdf"), bytes);
    r = f.run({"seal", "verify", "fb.pdf"});
    CHECK(r.exitCode == 1);
    CHECK(r.err.rfind("fb.pdf: the seal is broken: the document was changed after it was sealed",
                      0) == 0);
    CHECK(f.run({"render", "FB-2026-0001"}).exitCode == 0);
    CHECK(f.run({"seal", "verify", "FB-2026-0001.pdf"}).err == "FB-2026-0001.pdf: not sealed\n");
    r = f.run({"case", "document", "FB-2026-0001"});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("has no final document yet") != std::string::npos);
}

TEST_CASE("cli: paper signatures, archive and audit end to end", "[cli][archive]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions", "--area", "Ahus"});
    REQUIRE(f.run({"render", "FB-2026-0001", "--out", "skann.pdf"}).exitCode == 0);
    auto r = f.run({"sign", "register", "FB-2026-0001", "--signer", "nurse", "--scan", "skann.pdf",
                    "--date", "2026-11-01"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "FB-2026-0001: sent -> partially_signed\n");
    r = f.run({"sign", "register", "FB-2026-0001", "--signer", "sjef", "--scan", "skann.pdf"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--signer is nurse, leader or party, not \"sjef\"") != std::string::npos);
    r = f.run({"sign", "register", "FB-2026-0001", "--signer", "leader", "--scan", "mangler.pdf"});
    CHECK(r.exitCode == 1);
    CHECK(r.err == "avtaleflyt: mangler.pdf: no such file\n");
    CHECK(f.run({"sign", "register", "FB-2026-0001", "--signer", "leader", "--scan", "skann.pdf"})
              .exitCode == 0);

    r = f.run({"archive", "--dry-run"});
    CHECK(r.out == "  FB-2026-0001\n1 cases would be archived. Nothing written (dry run).\n");
    r = f.run({"archive", "--out", "arkiv"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("1 cases archived in arkiv/avtaleflyt-") != std::string::npos);
    const std::string pkg = test::runTool("ls -d '" + f.dir.file("arkiv") + "'/avtaleflyt-*").out;
    const std::string dir = pkg.substr(0, pkg.size() - 1);
    r = f.run({"audit", "--package", dir});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("1 package checked; audit log intact (") != std::string::npos);
    CHECK(r.out.find("; 0 findings.") != std::string::npos);
    r = f.run({"schema", "check", dir + "/arkivstruktur.xml", dir + "/arkivuttrekk.xml"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == dir + "/arkivstruktur.xml: valid (Noark 5, arkivstruktur.xsd)\n" + dir +
                       "/arkivuttrekk.xml: valid (Noark 5, addml.xsd)\n");

    test::writeFile(dir + "/dokumenter/ekstra.pdf", "%PDF-1.4 x");
    r = f.run({"audit", "--package", dir, "--format", "json"});
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("\"where\": \"dokumenter/ekstra.pdf\"") != std::string::npos);
    CHECK(r.out.find("\"finding\": \"not listed in manifest.sha256\"") != std::string::npos);

    // An edited audit-log row is a finding of the audit too.
    test::execSql(
        f.db(),
        "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'x' WHERE seq = 3");
    Poco::File(dir + "/dokumenter/ekstra.pdf").remove();
    r = f.run({"audit", "--package", dir});
    CHECK(r.exitCode == 1);
    CHECK(r.out.find(": audit log: broken at event 3: event 3 was changed after it was written") !=
          std::string::npos);
}

TEST_CASE("cli: outbox list shows the queued mail with its error, outbox send delivers it once",
          "[cli][mail]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions", "--area", "Follo", "--now", "2026-11-03T09:00"});
    auto r = f.run({"outbox", "list"});
    CHECK(r.exitCode == 0);
    const auto queued = test::countLines(r.out, " queued ");
    CHECK(queued >= 60);
    CHECK(r.out.find(std::to_string(queued) + " messages.") != std::string::npos);

    // An SMTP server that is not there: exit 1, everything kept queued with the error.
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "\nmail.transport = smtp\nsmtp.port = " << test::freePort() << "\nsmtp.timeout = 2\n";
    r = f.run({"outbox", "send", "--now", "2026-11-03T09:05"});
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("0 sent, " + std::to_string(queued) + " failed (kept queued).") !=
          std::string::npos);
    r = f.run({"outbox", "list"});
    CHECK(test::countLines(r.out, "Connection refused") == queued);

    // Back to the maildir: all delivered, and a second run sends nothing.
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app) << "mail.transport = maildir\n";
    r = f.run({"outbox", "send", "--now", "2026-11-03T10:00"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find(std::to_string(queued) + " sent, 0 failed") != std::string::npos);
    r = f.run({"outbox", "send", "--now", "2026-11-03T10:05"});
    CHECK(r.out == "0 sent, 0 failed (kept queued).\n");
    CHECK(test::countLines(f.run({"outbox", "list", "--status", "sent"}).out, " sent ") == queued);

    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app) << "mail.transport = pigeon\n";
    r = f.run({"outbox", "send"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("mail.transport in ") != std::string::npos);
    CHECK(r.err.find("is maildir or smtp, not \"pigeon\"") != std::string::npos);
}

TEST_CASE("cli: report missing as table, CSV, HTML with its chart, and PDF, status per area",
          "[cli][report]") {
    CliFixture f;
    f.sample();
    f.run({"send", "function-descriptions", "--area", "Follo", "--now", "2026-11-03T09:00"});
    auto r = f.run({"report", "missing", "--area", "Follo", "--now", "2026-11-30T09:00"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Manglende signaturer: ") != std::string::npos);
    const std::string open = test::querySql(
        f.db(), "SELECT count(*) FROM signature_request WHERE status = 'open'");
    CHECK(r.out.find("Åpne signaturforespørsler (" + open + ")") != std::string::npos);

    r = f.run({"report", "missing", "--format", "csv", "--area", "Follo"});
    CHECK(test::countLines(r.out, ";FB-2026-") == std::stoul(open));

    r = f.run({"report", "missing", "--format", "html", "--out", f.dir.file("r.html")});
    CHECK(r.exitCode == 0);
    const std::string html = test::readFile(f.dir.file("r.html"));
    CHECK(html.find("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"") != std::string::npos);
    CHECK(html.find("<title>Funksjonsbeskrivelser per område</title>") != std::string::npos);
    CHECK(html.find("<td>Follo</td>") != std::string::npos);

    r = f.run({"report", "missing", "--format", "pdf", "--out", f.dir.file("r.pdf")});
    CHECK(r.exitCode == 0);
    CHECK(test::runTool("qpdf --check '" + f.dir.file("r.pdf") + "'").exitCode == 0);
    const std::string text = test::runTool("pdftotext '" + f.dir.file("r.pdf") + "' -").out;
    CHECK(text.find("Manglende signaturer") != std::string::npos);
    CHECK(text.find("Funksjonsbeskrivelser per område") != std::string::npos);

    r = f.run({"report", "missing", "--format", "xml"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("unknown format \"xml\" (use table, csv, html, pdf or json)") != std::string::npos);

    r = f.run({"status"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find("Follo") != std::string::npos);
    CHECK(r.out.find("Mail waiting to go: " + std::to_string(2 * std::stoul(open) / 2)) !=
          std::string::npos);
}

TEST_CASE("cli: bad options of serve and outbox say what is wrong, exit 2, and write nothing",
          "[cli][mail]") {
    CliFixture f;
    f.sample();
    const std::string before = f.events();
    auto r = f.run({"serve", "--port", "http"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--port: \"http\" is not a port number (0-65535)") != std::string::npos);
    r = f.run({"serve", "--port", "70000"});
    CHECK(r.exitCode == 2);
    r = f.run({"serve", "--dispatch-every", "0"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--dispatch-every: \"0\" is not a number of seconds (>= 1)") !=
          std::string::npos);
    r = f.run({"outbox", "list", "--status", "lost"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("--status is queued, sent or all, not \"lost\"") != std::string::npos);
    CHECK(f.events() == before);
}

TEST_CASE("cli: schema export writes the shipped schemas byte for byte, schema check validates "
          "files by their root namespace",
          "[cli]") {
    CliFixture f;
    const std::string source = std::string(AVTALEFLYT_SOURCE_DIR) + "/archive/schemas";
    auto r = f.run({"schema", "export", "skjema"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "Wrote the shipped schemas to skjema/noark5 and skjema/arkivmelding.\n");
    CHECK(test::runTool("diff -r '" + source + "/noark5' '" + f.dir.file("skjema/noark5") + "'")
              .exitCode == 0);
    CHECK(test::runTool("diff -r '" + source + "/arkivmelding' '" +
                        f.dir.file("skjema/arkivmelding") + "'")
              .exitCode == 0);

    r = f.run({"schema", "list"});
    CHECK(r.exitCode == 0);
    CHECK(test::countLines(r.out, "noark5 ") == 6);
    CHECK(test::countLines(r.out, "arkivmelding ") == 2);
    CHECK(r.out.find(sha256Hex(test::readFile(source + "/noark5/arkivstruktur.xsd"))) !=
          std::string::npos);

    const std::string example =
        std::string(AVTALEFLYT_SOURCE_DIR) + "/tests/data/example-arkivmelding.xml";
    test::writeFile(f.dir.file("feil.xml"),
                    "<?xml version=\"1.0\"?>\n<arkivmelding xmlns=\"http://www.arkivverket.no/"
                    "standarder/noark5/arkivmelding\">\n<system>x</system>\n</arkivmelding>\n");
    test::writeFile(f.dir.file("annen.xml"), "<a xmlns=\"urn:x-annen\"/>");
    test::writeFile(f.dir.file("ikke.xml"), "<a>");
    r = f.run({"schema", "check", example});
    CHECK(r.exitCode == 0);
    CHECK(r.out == example + ": valid (arkivmelding, arkivmelding.xsd)\n");
    r = f.run({"schema", "check", "feil.xml", "annen.xml", "ikke.xml", "mangler.xml"});
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("feil.xml:4: xml: Element "
                     "'{http://www.arkivverket.no/standarder/noark5/arkivmelding}arkivmelding': "
                     "Missing child element(s).") == 0);
    CHECK(r.out.find("annen.xml: no shipped schema for its root element's namespace "
                     "\"urn:x-annen\"\n") != std::string::npos);
    CHECK(r.out.find("ikke.xml:1: xml: not well-formed XML\n") != std::string::npos);
    CHECK(r.out.find("mangler.xml: no such file\n") != std::string::npos);
    CHECK(f.run({"schema", "check"}).exitCode == 2);
}

TEST_CASE("cli: --out onto a device, FIFO or symlink writes through it and leaves it what it was, "
          "- is standard output",
          "[cli]") {
    CliFixture f;
    const std::string csv = f.run({"sample", "roster"}).out;
    REQUIRE(csv.size() > 10000);
    const auto kind = [](const std::string& path) {
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        return st.st_mode & S_IFMT;
    };

    // A symlink stays a link; its target gets the list.
    Poco::File(f.dir.file("annen")).createDirectories();
    test::writeFile(f.dir.file("annen/liste.csv"), "gammel");
    REQUIRE(::symlink(f.dir.file("annen/liste.csv").c_str(), f.dir.file("lenke.csv").c_str()) == 0);
    auto r = f.run({"sample", "roster", "--out", "lenke.csv"});
    CHECK(r.exitCode == 0);
    CHECK(kind(f.dir.file("lenke.csv")) == S_IFLNK);
    CHECK(test::readFile(f.dir.file("annen/liste.csv")) == csv);

    // A FIFO stays a FIFO; its reader gets the list.
    REQUIRE(::mkfifo(f.dir.file("roer").c_str(), 0600) == 0);
    std::thread reader([&] { test::runTool("cat '" + f.dir.file("roer") + "' > '" +
                                           f.dir.file("lest.csv") + "'"); });
    r = f.run({"sample", "roster", "--out", "roer"});
    reader.join();
    CHECK(r.exitCode == 0);
    CHECK(kind(f.dir.file("roer")) == S_IFIFO);
    CHECK(test::readFile(f.dir.file("lest.csv")) == csv);

    // A device stays a device (a private copy of /dev/null, where the test may make one).
    if (::mknod(f.dir.file("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        r = f.run({"sample", "roster", "--out", "null"});
        CHECK(r.exitCode == 0);
        CHECK(kind(f.dir.file("null")) == S_IFCHR);
    }

    // A regular file is replaced whole, and no temporary file is left beside it.
    r = f.run({"sample", "roster", "--out", "annen/liste.csv"});
    CHECK(r.exitCode == 0);
    CHECK(test::runTool("ls -A '" + f.dir.file("annen") + "'").out == "liste.csv\n");

    // A folder is refused by name.
    r = f.run({"sample", "roster", "--out", "annen"});
    CHECK(r.exitCode == 1);
    CHECK(r.err == "avtaleflyt: annen: is a folder\n");

    // "-" is standard output; what the command says goes to standard error.
    CHECK(f.run({"sample", "roster", "--out", "-"}).out == csv);
    f.sample();
    const auto file = f.run({"report", "missing", "--format", "csv", "--out", "mangler.csv"});
    REQUIRE(file.exitCode == 0);
    r = f.run({"report", "missing", "--format", "csv", "--out", "-"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == test::readFile(f.dir.file("mangler.csv")));
    CHECK(r.err.rfind("Wrote -: ", 0) == 0);
}

TEST_CASE("cli: print-batch prints nothing of the PDF library's own (it printed \"Fixing "
          "references\" lines)",
          "[cli][archive]") {
    CliFixture f;
    f.sample();
    REQUIRE(f.run({"send", "function-descriptions", "--area", "Ahus"}).exitCode == 0);
    REQUIRE(f.run({"render", "FB-2026-0001", "--out", "skann.pdf"}).exitCode == 0);
    for (const char* ref : {"FB-2026-0001", "FB-2026-0002", "FB-2026-0003"})
        for (const char* signer : {"nurse", "leader"})
            REQUIRE(f.run({"sign", "register", ref, "--signer", signer, "--scan", "skann.pdf"})
                        .exitCode == 0);
    REQUIRE(f.run({"archive", "--out", "arkiv"}).exitCode == 0);
    const auto r = f.run({"print-batch", "--area", "Ahus", "--out", "utskrift.pdf"});
    CHECK(r.exitCode == 0);
    CHECK(r.out == "Wrote utskrift.pdf with 3 documents: FB-2026-0001, FB-2026-0002, "
                   "FB-2026-0003.\n");
    CHECK(r.err.empty());
    CHECK(test::runTool("qpdf --check '" + f.dir.file("utskrift.pdf") + "'").exitCode == 0);
}

TEST_CASE("cli: --help names every command whole, its summaries in one column (it cut \"send "
          "function-descriptions\" short)",
          "[cli]") {
    CliFixture f;
    const std::string help = f.run({"--help"}).out;
    const auto begin = help.find("Commands:\n");
    REQUIRE(begin != std::string::npos);
    const std::string section =
        help.substr(begin + 10, help.find("\n\n", begin) - begin - 10);
    std::set<std::size_t> columns;
    int commands = 0;
    std::istringstream lines(section);
    for (std::string line; std::getline(lines, line); ++commands) {
        INFO(line);
        const auto gap = line.find("  ", 2);
        REQUIRE(gap != std::string::npos);
        const std::string name = line.substr(2, gap - 2);
        columns.insert(line.find_first_not_of(' ', gap));
        std::vector<std::string> words;
        std::istringstream split(name);
        for (std::string w; split >> w;) words.push_back(w);
        words.push_back("--help");
        const auto r = f.run(words);
        CHECK(r.exitCode == 0);
        const std::string usage = "Usage: avtaleflyt " + name;
        CHECK(r.out.rfind(usage, 0) == 0);
        CHECK((r.out.size() > usage.size() &&
               (r.out[usage.size()] == ' ' || r.out[usage.size()] == '\n')));
    }
    CHECK(commands > 40);
    CHECK(columns.size() == 1);
    CHECK(help.find("  send function-descriptions  send function descriptions") !=
          std::string::npos);
}

TEST_CASE("cli: serve --port makes signing links to that port when portal.url is not set, and "
          "warns of a portal.url on this machine at another port (links pointed to 8080)",
          "[cli][mail]") {
    CliFixture f;
    f.sample();
    REQUIRE(f.run({"send", "function-descriptions", "--area", "Ahus", "--now",
                   "2026-11-02T09:00"})
                .exitCode == 0);
    const auto serve = [&](unsigned port, const std::string& until) {
        return serveUntil(f, port, {"--dispatch-every", "1", "--now", "2026-11-09T10:00"}, until)
            .result;
    };
    const std::string maildir = f.data + "/mail/new";
    const unsigned port = test::freePort();
    const std::string link = "http://127.0.0.1:" + std::to_string(port) + "/s/";
    // The sweep inside serve reminds a week later, each reminder with a fresh link.
    auto r = serve(port, "grep -lq '" + link + "' '" + maildir + "'/*.eml");
    CHECK(r.out.find("(signing links start with " + link + ")") != std::string::npos);
    CHECK(r.err.find(" Warning ") == std::string::npos);
    CHECK(std::stoi(test::runTool("grep -l '" + link + "' '" + maildir + "'/*.eml | wc -l").out) >
          0);

    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "portal.url = http://127.0.0.1:8080\n";
    const unsigned other = test::freePort();
    r = serve(other, "curl -s -o /dev/null http://127.0.0.1:" + std::to_string(other) + "/");
    CHECK(r.err.find(" Warning avtaleflyt.serve: portal.url is http://127.0.0.1:8080, but serve "
                     "listens on port " +
                     std::to_string(other) + ": signing links will not reach it") !=
          std::string::npos);
    CHECK(r.out.find("(signing links start with http://127.0.0.1:8080/s/)") != std::string::npos);
}

TEST_CASE("cli: a database the user may not open is said at once, by name (it retried for 60 s)",
          "[cli][sqlite]") {
    CliFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    const std::string bin = test::avtaleflytBinary();
    test::CliResult r;
    if (::geteuid() == 0) {  // root may open anything: run as nobody
        REQUIRE(test::runTool("chmod 755 '" + f.dir.path() + "' '" + f.data + "' && chmod 600 '" +
                              f.db() + "'")
                    .exitCode == 0);
        r = test::runTool("setpriv --reuid=nobody --regid=nogroup --clear-groups '" + bin +
                          "' --data '" + f.data + "' log verify");
    } else {
        REQUIRE(::chmod(f.db().c_str(), 0) == 0);
        r = test::runTool("'" + bin + "' --data '" + f.data + "' log verify");
    }
    CHECK(r.exitCode == 1);
    CHECK(r.out == "avtaleflyt: " + f.db() +
                       ": cannot open the database: Permission denied (run avtaleflyt as the "
                       "user who owns the data folder)\n");
}

TEST_CASE("cli: serve with logging.channel = file logs its start, time level and source first, to "
          "that file and not to standard error",
          "[cli][serve]") {
    CliFixture f;
    f.sample();
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "logging.channel = file\nlogging.file = log/serve.log\nlogging.rotation = 1 M\n";
    REQUIRE(Poco::File(f.data + "/log").createDirectory());
    const unsigned port = test::freePort();
    const std::string log = f.data + "/log/serve.log";
    const auto served =
        serveUntil(f, port, {"--dispatch-every", "3600"}, "grep -q 'listening on' '" + log + "'");
    CHECK(served.result.exitCode == 0);
    CHECK(served.result.err.empty());
    const std::string text = test::readFile(log);
    CHECK(std::regex_search(text,
                            std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z "
                                       "Information avtaleflyt\\.serve: starting avtaleflyt ")));
    CHECK(text.find("Information avtaleflyt.serve: listening on http://127.0.0.1:" +
                    std::to_string(port) + "/, signing links start with http://127.0.0.1:" +
                    std::to_string(port) + "/s/\n") != std::string::npos);
}

TEST_CASE("cli: a bad logging key exits 2 naming the key before serve listens, and serve has no "
          "--daemon",
          "[cli][serve]") {
    CliFixture f;
    f.sample();
    const std::string config = f.data + "/avtaleflyt.properties";
    const std::string shipped = test::readFile(config);
    const unsigned port = test::freePort();
    const auto serveWith = [&](const std::string& lines) {
        test::writeFile(config, shipped + lines);
        return f.run({"serve", "--port", std::to_string(port)});
    };
    auto r = serveWith("logging.level = chatty\n");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("avtaleflyt: logging.level in " + config +
                     " is fatal, critical, error, warning, notice, information, debug or trace, "
                     "not \"chatty\"") != std::string::npos);
    CHECK(r.out.find("Listening") == std::string::npos);
    r = serveWith("logging.channel = journal\n");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("logging.channel in " + config +
                     " is console, file or syslog, not \"journal\"") != std::string::npos);
    r = serveWith("logging.channel = file\n");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("logging.file in " + config + " is needed with logging.channel = file") !=
          std::string::npos);
    r = serveWith("logging.channel = file\nlogging.file = no/such/folder/serve.log\n");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("logging.file in " + config + ": cannot write " + f.data +
                     "/no/such/folder/serve.log") != std::string::npos);
    r = serveWith("logging.channel = file\nlogging.file = serve.log\nlogging.rotation = often\n");
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("logging.rotation in " + config) != std::string::npos);

    test::writeFile(config, shipped);
    r = f.run({"serve", "--daemon"});
    CHECK(r.exitCode == 2);
    CHECK(r.err.find("daemon") != std::string::npos);
    CHECK(f.run({"serve", "--help"}).out.find("daemon") == std::string::npos);
}

TEST_CASE("cli: SIGTERM stops serve within seconds, exit 0, the sweep and the dispatcher joined "
          "before it says Stopped.",
          "[cli][serve]") {
    CliFixture f;
    f.sample();
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "logging.channel = file\nlogging.file = serve.log\n";
    const unsigned port = test::freePort();
    // An hour between rounds: both threads wait in their sleep when the signal comes.
    const auto served =
        serveUntil(f, port, {"--dispatch-every", "3600"},
                   "curl -s -o /dev/null http://127.0.0.1:" + std::to_string(port) + "/");
    CHECK(served.result.exitCode == 0);
    CHECK(served.stopping.count() < 5);
    const std::string& out = served.result.out;
    CHECK(out.find("Listening on http://127.0.0.1:" + std::to_string(port) + "/") == 0);
    const std::string end = "\nStopping...\nStopped.\n";
    CHECK(out.rfind(end) == out.size() - end.size());
    // In the log, in this order: each thread says it stopped once joined.
    const std::string log = test::readFile(f.data + "/serve.log");
    std::size_t at = 0;
    for (const char* line : {" avtaleflyt.serve: stopping\n", " avtaleflyt.sweep: stopped\n",
                             " avtaleflyt.dispatcher: stopped\n", " avtaleflyt.serve: stopped\n"}) {
        at = log.find(line, at);
        INFO(line << " in\n" << log);
        REQUIRE(at != std::string::npos);
    }
}

TEST_CASE("cli: two sends at once in two processes open one case per nurse (they opened two for "
          "each of 235), and the database refuses a second one whoever writes it",
          "[cli][cases]") {
    CliFixture f;
    f.sample();
    const auto sendOnce = [&] { return f.run({"send", "function-descriptions"}); };
    auto first = std::async(std::launch::async, sendOnce);
    auto second = std::async(std::launch::async, sendOnce);
    const auto a = first.get(), b = second.get();
    CHECK(a.exitCode == 0);
    CHECK(b.exitCode == 0);
    const auto sentBy = [](const test::CliResult& r) {
        std::smatch m;
        REQUIRE(std::regex_search(r.out, m, std::regex("\n([0-9]+) function descriptions sent; "
                                                       "([0-9]+) nurses have one already")));
        return std::make_pair(std::stoi(m[1]), std::stoi(m[2]));
    };
    const auto [sentA, coveredA] = sentBy(a);
    const auto [sentB, coveredB] = sentBy(b);
    const int nurses = std::stoi(f.sql(
        "SELECT count(*) FROM membership WHERE status = 'active'"));
    CHECK(sentA + sentB == nurses);  // each nurse's case opened by one of them
    CHECK(sentA + coveredA == nurses);
    CHECK(sentB + coveredB == nurses);
    CHECK(f.sql("SELECT count(*) FROM case_file") == std::to_string(nurses));
    CHECK(f.sql("SELECT count(*) FROM outbox WHERE kind = 'sign'") == std::to_string(2 * nurses));

    // A second open case for a nurse written past the engine is refused by the database.
    CHECK_THROWS_WITH(f.sql("INSERT INTO case_file (reference, network_id, workflow, template, "
                            "template_version, title, series, subject_person_id, area, state, "
                            "version, created_at, updated_at) SELECT 'FB-2026-9999', network_id, "
                            "workflow, template, template_version, title, series, "
                            "subject_person_id, area, 'sent', 1, created_at, updated_at FROM "
                            "case_file WHERE reference = 'FB-2026-0001'"),
                      Catch::Contains("unique constraint", Catch::CaseSensitive::No));
}

namespace {

// The throwaway server's address for a database `name` (the tests' own, with its role).
std::string onTestServer(const std::string& name, const std::string& user = "avtaleflyt") {
    std::string url = Poco::Environment::get("AVTALEFLYT_TEST_POSTGRESQL", "");
    url.replace(url.find("/postgres?"), 10, "/" + name + "?");
    url.replace(url.find("avtaleflyt@"), 11, user + "@");
    return url;
}

}  // namespace

TEST_CASE("cli: migrate-to copies an SQLite installation into an empty PostgreSQL database, "
          "proves it, and the installation runs on PostgreSQL from then on",
          "[cli][postgresql]") {
    CliFixture f;
    f.database = "";  // on SQLite
    f.sample();
    REQUIRE(f.run({"send", "function-descriptions", "--area", "Ahus"}).exitCode == 0);
    REQUIRE(f.run({"outbox", "send"}).exitCode == 0);
    const std::string sqlite = f.db();
    const std::string events = f.events();
    const std::string head = test::querySql(sqlite, "SELECT hash FROM audit_head");
    const std::string target = test::newDatabase();

    auto r = f.run({"migrate-to", target});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find("case_file: " + test::querySql(sqlite, "SELECT count(*) FROM case_file") +
                     " rows") != std::string::npos);
    CHECK(r.out.find("its head is the same (event " + events + ", " + head + ")") !=
          std::string::npos);
    for (const char* table :
         {"person", "case_file", "signature_request", "case_document", "outbox", "signing_token"})
        CHECK(test::querySql(target, std::string("SELECT count(*) FROM ") + table) ==
              test::querySql(sqlite, std::string("SELECT count(*) FROM ") + table));
    // The documents byte for byte, and the ids kept.
    CHECK(test::queryColumn(target, "SELECT content FROM case_document ORDER BY id") ==
          test::queryColumn(sqlite, "SELECT content FROM case_document ORDER BY id"));
    // The move is the next event of the same chain, and the installation now runs there.
    CHECK(std::stoll(test::querySql(target, "SELECT count(*) FROM audit_event")) ==
          std::stoll(events) + 1);
    f.database = target;
    CHECK(test::readFile(f.data + "/avtaleflyt.properties").find("database.url = " + target) !=
          std::string::npos);
    r = f.run({"log", "verify"});
    CHECK(r.exitCode == 0);
    CHECK(r.out.find(std::to_string(std::stoll(events) + 1) + " events") != std::string::npos);
    // New rows get new ids after the copied ones.
    REQUIRE(f.run({"send", "function-descriptions"}).exitCode == 0);
    CHECK(f.count("SELECT count(*) FROM case_file") >
          std::stoll(test::querySql(sqlite, "SELECT count(*) FROM case_file")));
    CHECK(f.run({"audit"}).exitCode == 0);
    // Once there, it is not copied again.
    r = f.run({"migrate-to", test::newDatabase()});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("this installation is on PostgreSQL database") != std::string::npos);
}

TEST_CASE("cli: migrate-to refuses a database that is not empty and leaves it and the "
          "installation as they were",
          "[cli][postgresql]") {
    CliFixture f;
    f.database = "";
    f.sample();
    const std::string target = test::newDatabase();
    test::execSql(target, "CREATE TABLE theirs (x INTEGER); INSERT INTO theirs VALUES (1)");
    auto r = f.run({"migrate-to", target});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("is not empty (it holds the tables theirs): migrate-to copies into an empty "
                     "database only") != std::string::npos);
    CHECK(test::queryColumn(target, "SELECT table_name FROM information_schema.tables WHERE "
                                    "table_schema = 'public'") ==
          std::vector<std::string>{"theirs"});
    CHECK(test::readFile(f.data + "/avtaleflyt.properties").find("\ndatabase.url =") ==
          std::string::npos);
    // An installation there already is not overwritten either.
    const std::string used = test::newDatabase();
    CliFixture other;
    other.database = used;
    other.sample();
    r = f.run({"migrate-to", used});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("is not empty (its table network holds rows)") != std::string::npos);
    CHECK(f.run({"network", "list"}).exitCode == 0);  // still on its SQLite file
}

TEST_CASE("cli: a PostgreSQL database that cannot be used is named with the reason: not a "
          "connection string, unreachable, wrong password, no installation, a newer schema",
          "[cli][postgresql]") {
    CliFixture f;
    f.database = "";  // each database here is the test's own
    const auto configured = [&](const std::string& url) {
        test::writeFile(f.data + "/avtaleflyt.properties", "database.url = " + url + "\n");
        return f.run({"network", "list"});
    };
    Poco::File(f.data).createDirectories();
    auto r = configured("postgresql://[broken");
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("avtaleflyt: database.url: not a PostgreSQL connection string: ") == 0);
    CHECK(r.err.find("\"postgresql://[broken\"") != std::string::npos);  // as written, quoted
    r = configured("postgresql://avtaleflyt@127.0.0.1:1/avtaleflyt");
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("PostgreSQL database \"avtaleflyt\" at 127.0.0.1:1: cannot connect: ") !=
          std::string::npos);
    const std::string wrong =
        onTestServer("postgres", "avtaleflyt_password:not-the-password");
    r = configured(wrong);
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("password authentication failed for user \"avtaleflyt_password\"") !=
          std::string::npos);
    CHECK(r.err.find("not-the-password") == std::string::npos);
    const std::string empty = test::newDatabase();
    r = configured(empty);
    CHECK(r.exitCode == 1);
    CHECK(r.err.find(": no avtaleflyt installation in this database") != std::string::npos);
    // init makes one there; a newer avtaleflyt's schema is refused, untouched.
    REQUIRE(f.run({"init", "--database", empty}).exitCode == 0);
    test::execSql(empty, "INSERT INTO schema_version VALUES (99, 'future', '2030-01-01T00:00:00Z')");
    r = f.run({"network", "list"});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("the database has schema version 99") != std::string::npos);
    CHECK(test::querySql(empty, "SELECT max(version) FROM schema_version") == "99");
    // init --database against a folder on SQLite points to migrate-to.
    CliFixture sqlite;
    sqlite.database = "";
    REQUIRE(sqlite.run({"init"}).exitCode == 0);
    r = sqlite.run({"init", "--database", test::newDatabase()});
    CHECK(r.exitCode == 1);
    CHECK(r.err.find("holds an installation on SQLite (avtaleflyt.db): 'avtaleflyt migrate-to "
                     "URL' copies it") != std::string::npos);
}
