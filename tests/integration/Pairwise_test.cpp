// Two commands that write, run at once as separate processes on one installation (two operators,
// or an operator beside `serve`): each pair loses and repeats nothing, the one that must lose
// says so plainly, and the audit log stays intact.
#include <catch2/catch.hpp>

#include <Poco/File.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "Processes.h"
#include "TestSupport.h"

using namespace avtaleflyt;
using test::CliFixture;
using namespace std::chrono_literals;

namespace {

// `avtaleflyt --data DATA ARGS` started now, as its own process.
std::unique_ptr<test::Spawned> start(CliFixture& f, std::vector<std::string> args,
                                     const std::string& name) {
    args.insert(args.begin(), {"--data", f.data});
    return std::make_unique<test::Spawned>(args, f.dir.file(name));
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

const std::string kSend[] = {"send", "function-descriptions"};

// Every active nurse with other than exactly one function description (not withdrawn).
const std::string kNursesWithoutOneCase =
    "SELECT count(*) FROM membership m WHERE m.status = 'active' AND (SELECT count(*) FROM "
    "case_file c WHERE c.subject_person_id = m.person_id AND c.workflow = "
    "'function-description' AND c.state <> 'withdrawn') <> 1";
const std::string kDuplicatedCases =
    "SELECT count(*) FROM (SELECT 1 FROM case_file WHERE workflow = 'function-description' AND "
    "state <> 'withdrawn' GROUP BY network_id, subject_person_id HAVING count(*) > 1) AS twice";
const std::string kCasesWithoutTheirMails =
    "SELECT count(*) FROM case_file c WHERE (SELECT count(*) FROM outbox o WHERE o.case_id = "
    "c.id AND o.kind = 'sign') <> 2";
// Timers fired twice, and reminder or escalation mails written twice.
const std::string kTimersTwice =
    "SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'case.timer' GROUP BY subject, "
    "json_extract(payload, '$.timer'), json_extract(payload, '$.due') HAVING count(*) > 1) AS twice";
const std::string kChaseMailsTwice =
    "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind <> 'sign' GROUP BY kind, case_id, "
    "recipient HAVING count(*) > 1) AS twice";
const std::string kChaseMails = "SELECT count(*) FROM outbox WHERE kind <> 'sign'";
// Signs each link of `tokens` through the portal on `port`; the links whose signing the portal
// confirmed (200) into `confirmed`.
void signEach(unsigned port, const std::vector<std::string>& tokens,
              std::vector<std::string>& confirmed) {
    for (const auto& t : tokens)
        if (test::signThroughPortal(port, t) == 200)
            confirmed.push_back(t);
}

// How many packages under `archiveDir` hold each case's document (dokumenter/REF.pdf), and the
// package folders (hidden ones left out).
std::map<std::string, int> packagedCases(const std::string& archiveDir,
                                         std::vector<std::string>& packages) {
    std::map<std::string, int> refs;
    std::vector<std::string> entries;
    if (Poco::File(archiveDir).exists())
        Poco::File(archiveDir).list(entries);
    for (const auto& p : entries) {
        if (p[0] == '.')
            continue;
        packages.push_back(archiveDir + "/" + p);
        std::vector<std::string> files;
        Poco::File(archiveDir + "/" + p + "/dokumenter").list(files);
        for (const auto& file : files)
            if (file.find("-skann-") == std::string::npos && file.size() > 4)
                ++refs[file.substr(0, file.size() - 4)];
    }
    return refs;
}

}  // namespace

TEST_CASE("Two sends at once open each nurse's case once, and between them every active nurse "
          "gets hers",
          "[pairwise][send]") {
    CliFixture f;
    f.sample(80);
    auto a = start(f, {kSend[0], kSend[1], "--now", "2026-11-03T09:00", "--format", "json"}, "a");
    auto b = start(f, {kSend[0], kSend[1], "--now", "2026-11-03T09:00", "--format", "json"}, "b");
    INFO(a->err() << b->err());
    CHECK(a->wait() == 0);
    CHECK(b->wait() == 0);
    const auto active = f.count("SELECT count(*) FROM membership WHERE status = 'active'");
    const auto sentA = occurrences(a->out(), "\"reference\": \"FB-");
    const auto sentB = occurrences(b->out(), "\"reference\": \"FB-");
    CHECK(sentA + sentB == static_cast<std::size_t>(active));  // each case told by its opener
    CHECK(f.count(kNursesWithoutOneCase) == 0);
    CHECK(f.count(kDuplicatedCases) == 0);
    CHECK(f.count(kCasesWithoutTheirMails) == 0);
    // Each counts a nurse the other one opened as covered, not as sent by it.
    std::smatch m;
    for (const auto& [run, sent] : {std::pair{a.get(), sentA}, std::pair{b.get(), sentB}}) {
        const std::string out = run->out();
        REQUIRE(std::regex_search(out, m, std::regex("\"covered\": (\\d+)")));
        CHECK(sent + std::stoul(m[1]) <= static_cast<std::size_t>(active));
    }
    test::checkLogIntact(f);
}

TEST_CASE("A roster import while a send runs: nobody gets two cases, and the next send gives "
          "every nurse active after the import exactly one",
          "[pairwise][send][import]") {
    CliFixture f;
    f.sample(80);
    // The next list: the last five nurses gone (left), five new ones (copies of the first five
    // with other names and addresses).
    std::vector<std::string> lines;
    {
        std::istringstream in(test::readFile(f.dir.file("liste.csv")));
        for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::vector<std::size_t> nurseLines;
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (lines[i].find(";ressurssykepleier") != std::string::npos)
            nurseLines.push_back(i);
    REQUIRE(nurseLines.size() >= 20);
    std::string next;
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (std::find(nurseLines.end() - 5, nurseLines.end(), i) == nurseLines.end())
            next += lines[i] + "\n";
    for (int k = 0; k < 5; ++k) {  // Navn;E-post;Telefon;...;Status;Rolle
        std::vector<std::string> cells;
        std::istringstream row(lines[nurseLines[static_cast<std::size_t>(k)]]);
        for (std::string cell; std::getline(row, cell, ';');) cells.push_back(cell);
        REQUIRE(cells.size() == 11);
        cells[0] = "Ny Sykepleier " + std::to_string(k);
        cells[1] = "ny.sykepleier" + std::to_string(k) + "@ahus.example";
        cells[9] = "aktiv";
        for (std::size_t c = 0; c < cells.size(); ++c) next += (c ? ";" : "") + cells[c];
        next += "\n";
    }
    test::writeFile(f.dir.file("neste.csv"), next);

    auto send = start(f, {kSend[0], kSend[1], "--now", "2026-11-03T09:00"}, "send");
    std::this_thread::sleep_for(100ms);  // the import lands while the send walks the list
    auto import = start(f, {"import", "roster", f.dir.file("neste.csv"), "--now",
                            "2026-11-03T09:00", "--format", "json"},
                        "import");
    INFO(send->out() << send->err() << import->out() << import->err());
    CHECK(import->wait() == 0);
    CHECK(send->wait() == 0);
    CHECK(import->out().find("\"applied\": true") != std::string::npos);
    CHECK(import->out().find("\"added\": 5") != std::string::npos);
    CHECK(import->out().find("\"left\": 5") != std::string::npos);
    CHECK(f.count(kDuplicatedCases) == 0);

    const auto again = f.run({kSend[0], kSend[1], "--now", "2026-11-03T10:00"});
    INFO(again.out << again.err);
    CHECK(again.exitCode == 0);
    CHECK(f.count(kNursesWithoutOneCase) == 0);
    CHECK(f.count(kDuplicatedCases) == 0);
    CHECK(f.count(kCasesWithoutTheirMails) == 0);
    CHECK(f.count("SELECT count(*) FROM case_file c JOIN person p ON p.id = c.subject_person_id "
                  "WHERE p.email LIKE 'ny.sykepleier%'") == 5);
    test::checkLogIntact(f);
}

TEST_CASE("Archive while signers sign through the portal: every confirmed signature is kept and "
          "each signed case lands in exactly one whole package",
          "[pairwise][archive][portal]") {
    CliFixture f;
    f.sample(30);
    REQUIRE(f.run({kSend[0], kSend[1], "--now", "2026-11-03T09:00"}).exitCode == 0);
    const auto tokens = test::signingTokens(f.db());
    REQUIRE(tokens.size() >= 40);
    test::Serving served(f.data, {"--dispatch-every", "3600", "--now", "2026-11-04T10:00"},
                         f.dir.file("serve"));
    REQUIRE(served.waitUntilListening());

    // Two signers, each half of the links, while the records office archives again and again.
    std::vector<std::string> halves[2], confirmed[2];
    for (std::size_t i = 0; i < tokens.size(); ++i) halves[i % 2].push_back(tokens[i]);
    std::atomic<int> signing{2};
    std::vector<std::thread> signers;
    for (int s = 0; s < 2; ++s)
        signers.emplace_back([&, s] {
            signEach(served.port(), halves[s], confirmed[s]);
            --signing;
        });
    std::vector<test::CliResult> archives;
    for (int minute = 1; signing > 0 && minute < 60; ++minute) {
        char now[32];
        std::snprintf(now, sizeof now, "2026-11-04T11:%02d", minute);
        archives.push_back(f.run({"archive", "--now", now}));
    }
    for (auto& t : signers) t.join();
    archives.push_back(f.run({"archive", "--now", "2026-11-04T12:00"}));
    CHECK(served.stop() == 0);

    for (const auto& r : archives) {
        INFO(r.out << r.err);
        CHECK(r.exitCode == 0);  // none lost to the signers' writes: each waited for the other
    }
    CHECK(confirmed[0].size() + confirmed[1].size() == tokens.size());
    for (const auto& half : confirmed)
        for (const auto& t : half) CHECK(test::requestStatus(f.db(), t) == "signed");
    CHECK(f.count("SELECT count(*) FROM signature_evidence") ==
          static_cast<long long>(tokens.size()));
    // Every case archived, each in one package, every package whole.
    const auto cases = f.count("SELECT count(*) FROM case_file");
    CHECK(f.count("SELECT count(*) FROM case_file WHERE state = 'archived'") == cases);
    std::vector<std::string> packages;
    const auto refs = packagedCases(f.data + "/archive", packages);
    CHECK(refs.size() == static_cast<std::size_t>(cases));
    for (const auto& [ref, n] : refs) {
        INFO(ref);
        CHECK(n == 1);
    }
    CHECK(packages.size() >= 2);  // it did archive while the signers signed
    for (const auto& p : packages) {
        const auto r = f.run({"audit", "--package", p});
        INFO(r.out << r.err);
        CHECK(r.exitCode == 0);
    }
    test::checkLogIntact(f);
}

TEST_CASE("Two archives at once: one writes the package, the other says no signed case is "
          "waiting",
          "[pairwise][archive]") {
    CliFixture f;
    f.sample(12);
    REQUIRE(f.run({kSend[0], kSend[1], "--now", "2026-11-03T09:00"}).exitCode == 0);
    {
        test::Serving served(f.data, {"--dispatch-every", "3600", "--now", "2026-11-04T10:00"},
                             f.dir.file("serve"));
        REQUIRE(served.waitUntilListening());
        std::vector<std::string> confirmed;
        const auto tokens = test::signingTokens(f.db());
        signEach(served.port(), tokens, confirmed);
        REQUIRE(confirmed.size() == tokens.size());
    }
    const auto cases = f.count("SELECT count(*) FROM case_file WHERE state = 'signed'");
    REQUIRE(cases > 5);
    auto a = start(f, {"archive", "--now", "2026-11-20T10:00"}, "a");
    auto b = start(f, {"archive", "--now", "2026-11-20T10:00"}, "b");
    INFO(a->out() << a->err() << b->out() << b->err());
    CHECK(a->wait() == 0);
    CHECK(b->wait() == 0);
    const std::string winner = std::to_string(cases) + " cases archived in " + f.data + "/archive/";
    const std::string loser = "Nothing to archive: no signed case is waiting.\n";
    CHECK(((a->out().find(winner) != std::string::npos && b->out() == loser) ||
           (b->out().find(winner) != std::string::npos && a->out() == loser)));
    std::vector<std::string> packages;
    const auto refs = packagedCases(f.data + "/archive", packages);
    CHECK(packages.size() == 1);
    CHECK(refs.size() == static_cast<std::size_t>(cases));
    test::checkLogIntact(f);
}

namespace {

// An installation whose function descriptions went out on 3 November and whose mail is
// delivered: a week later the reminders are due. The reminder and escalation mails the sweep
// at `now` would write, as its dry run counts them.
std::size_t remindersDue(CliFixture& f, const std::string& now) {
    f.sample(40);
    REQUIRE(f.run({kSend[0], kSend[1], "--now", "2026-11-03T09:00"}).exitCode == 0);
    REQUIRE(f.run({"outbox", "send", "--now", "2026-11-03T09:05"}).exitCode == 0);
    const auto dry = f.run({"remind", "--dry-run", "--now", now, "--format", "json"});
    REQUIRE(dry.exitCode == 0);
    const auto due = occurrences(dry.out, "\"subject\":");
    REQUIRE(due > 10);
    return due;
}

}  // namespace

TEST_CASE("Two reminder runs at once send each reminder once", "[pairwise][remind]") {
    CliFixture f;
    const std::string now = "2026-11-10T10:00";
    const auto due = remindersDue(f, now);
    auto a = start(f, {"remind", "--now", now, "--format", "json"}, "a");
    auto b = start(f, {"remind", "--now", now, "--format", "json"}, "b");
    INFO(a->out() << a->err() << b->out() << b->err());
    CHECK(a->wait() == 0);
    CHECK(b->wait() == 0);
    // Each mail written once, and told by the run that wrote it.
    CHECK(f.count(kChaseMails) == static_cast<long long>(due));
    CHECK(occurrences(a->out(), "\"subject\":") + occurrences(b->out(), "\"subject\":") == due);
    CHECK(f.count(kChaseMailsTwice) == 0);
    CHECK(f.count(kTimersTwice) == 0);
    // And a third run finds nothing left to do.
    const auto c = f.run({"remind", "--now", now, "--format", "json"});
    CHECK(occurrences(c.out, "\"subject\":") == 0);
    CHECK(f.count(kChaseMails) == static_cast<long long>(due));
    test::checkLogIntact(f);
}

TEST_CASE("The reminder sweep in serve and a remind from the CLI at once send and deliver each "
          "reminder once",
          "[pairwise][remind][serve]") {
    CliFixture f;
    const std::string now = "2026-11-10T10:00";
    const auto due = remindersDue(f, now);
    test::Serving served(f.data, {"--dispatch-every", "1", "--now", now}, f.dir.file("serve"));
    auto cli = start(f, {"remind", "--now", now}, "remind");
    INFO(cli->out() << cli->err() << served.process().err());
    CHECK(cli->wait() == 0);
    // Until serve has delivered it all (at most 30 s), and one more round of its sweep.
    for (int i = 0; i < 300 && (f.count(kChaseMails) < static_cast<long long>(due) ||
                                f.count("SELECT count(*) FROM outbox WHERE status = 'queued'") > 0);
         ++i)
        std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(1500ms);
    CHECK(served.stop() == 0);
    CHECK(f.count(kChaseMails) == static_cast<long long>(due));
    CHECK(f.count(kChaseMailsTwice) == 0);
    CHECK(f.count(kTimersTwice) == 0);
    CHECK(f.count("SELECT count(*) FROM outbox WHERE status = 'queued'") == 0);
    CHECK(f.count(test::kDeliveredTwice) == 0);
    const auto delivered = test::messageIdsIn(f.data + "/mail");
    CHECK(delivered.size() == static_cast<std::size_t>(f.count("SELECT count(*) FROM outbox")));
    test::checkLogIntact(f);
}

TEST_CASE("Outbox sends from the CLI beside serve's dispatcher deliver each mail once",
          "[pairwise][mail][serve]") {
    CliFixture f;
    f.sample(60);
    REQUIRE(f.run({kSend[0], kSend[1], "--now", "2026-11-03T09:00"}).exitCode == 0);
    const auto messages = f.count("SELECT count(*) FROM outbox");
    REQUIRE(messages >= 100);
    const std::string now = "2026-11-03T09:05";
    test::Serving served(f.data, {"--dispatch-every", "1", "--now", now}, f.dir.file("serve"));
    auto a = start(f, {"outbox", "send", "--now", now}, "a");
    auto b = start(f, {"outbox", "send", "--now", now}, "b");
    INFO(a->out() << a->err() << b->out() << b->err() << served.process().err());
    CHECK(a->wait() == 0);
    CHECK(b->wait() == 0);
    for (int i = 0; i < 300 && f.count("SELECT count(*) FROM outbox WHERE status = 'queued'") > 0;
         ++i)
        std::this_thread::sleep_for(100ms);
    CHECK(served.stop() == 0);
    CHECK(f.count("SELECT count(*) FROM outbox WHERE status = 'queued'") == 0);
    CHECK(f.count("SELECT count(*) FROM audit_event WHERE kind = 'mail.sent'") == messages);
    CHECK(f.count(test::kDeliveredTwice) == 0);
    // What the two CLI runs say they sent: no message counted by both.
    std::smatch m;
    long long byCli = 0;
    for (const auto* run : {a.get(), b.get()}) {
        const std::string out = run->out();
        REQUIRE(std::regex_search(out, m, std::regex("(\\d+) sent, 0 failed")));
        byCli += std::stoll(m[1]);
    }
    CHECK(byCli <= messages);  // none counted by both
    const auto delivered = test::messageIdsIn(f.data + "/mail");
    CHECK(delivered.size() == static_cast<std::size_t>(messages));
    for (const auto& [id, n] : delivered) CHECK(n == 1);
    test::checkLogIntact(f);
}
