// Chasing missing signatures over two simulated months under a fake clock: reminders in office
// hours only, holidays skipped, nothing after signing or while on leave, escalations as one
// digest per leader, and sweeps that never send twice.
#include <catch2/catch.hpp>

#include <algorithm>
#include <tuple>
#include <map>
#include <thread>

#include "TestSettings.h"
#include "TestSupport.h"
#include "Tester.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/WorkingTime.h"
#include "avtaleflyt/engine/Installation.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;
using namespace std::chrono_literals;

namespace {

using Rows = std::vector<std::vector<std::string>>;
const std::string kNetwork = "Nettverk Test";

// Åse and Kari under Tor, Liv and Per under Eva, Geir the area leader, Nora the network leader.
Rows roster(const std::string& perStatus = "aktiv", const std::string& livLeader = "Eva Ask",
            const std::string& livLeaderEmail = "eva@ski.example") {
    return {{"Navn", "E-post", "Område", "Arbeidssted", "Leder", "Leders e-post", "Status", "Rolle"},
            {"Nora Nett", "nora@nettverk.example", "Follo", "", "", "", "", "nettverksleder"},
            {"Geir Lund", "geir@follo.example", "Follo", "", "", "", "", "områdeleder"},
            {"Åse Bø", "ase@frogn.example", "Follo", "Tunet", "Tor Li", "tor@frogn.example",
             "aktiv", ""},
            {"Kari Berg", "kari@frogn.example", "Follo", "Tunet", "Tor Li", "tor@frogn.example",
             "aktiv", ""},
            {"Liv Lie", "liv@ski.example", "Follo", "Ski sykehjem", livLeader, livLeaderEmail,
             "aktiv", ""},
            {"Per Vik", "per@ski.example", "Follo", "Ski sykehjem", "Eva Ask", "eva@ski.example",
             perStatus, ""}};
}

struct Simulation {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-12-18T08:00:00Z")};  // Friday 09:00 in Oslo
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings = test::onDatabase(database);

    Simulation() {
        Installation::init(data, clock, kTester, database);
        Installation i = open();
        i.rosters().addNetwork(kTester, kNetwork, {"Follo"});
        import(i, roster());
    }
    Installation open() { return Installation(data, clock, settings); }
    void import(Installation& i, const Rows& rows) {
        test::writeFile(dir.file("liste.csv"), documents::formatCsv(rows));
        i.rosters().importRoster(kTester, dir.file("liste.csv"), kNetwork, false);
    }
    std::string reference(Installation& i, const std::string& nurse) {
        for (const auto& c : i.cases().list({kNetwork, "function-description", "", ""}))
            if (c.subjectEmail == nurse)
                return c.reference;
        FAIL("no case for " << nurse);
        throw;
    }
    // What each address was sent, oldest first: "KIND CREATED-AT".
    std::map<std::string, std::vector<std::string>> mail(Installation& i) {
        std::map<std::string, std::vector<std::string>> out;
        auto all = i.outbox().list("");
        std::reverse(all.begin(), all.end());
        for (const auto& m : all) out[m.recipient].push_back(m.kind + " " + m.createdAt);
        return out;
    }
};

Trigger as(const std::string& email, const std::string& trigger, const std::string& reason = "") {
    Trigger t;
    t.name = trigger;
    t.actor = ActorKind::Signer;
    t.actorEmail = email;
    t.reason = reason;
    return t;
}

// Sends every function description and has Åse sign hers (her leader not yet): her case.
std::string sendSignedByAse(Simulation& sim, Installation& i) {
    i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const std::string ase = sim.reference(i, "ase@frogn.example");
    REQUIRE(i.cases().fire(kTester, ase, as("ase@frogn.example", "sign")).done);
    return ase;
}

}  // namespace

TEST_CASE("two months of reminders: office hours, holidays, signing, leave, a new leader and "
          "digests",
          "[remind]") {
    Simulation sim;
    Installation i = sim.open();
    i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const std::string ase = sim.reference(i, "ase@frogn.example");
    const std::string kari = sim.reference(i, "kari@frogn.example");
    const std::string liv = sim.reference(i, "liv@ski.example");

    // Every hour for 62 days; people act on the way.
    const Timestamp end = sim.clock.now() + 24h * 62;
    while (sim.clock.now() < end) {
        sim.clock.advance(1h);
        const std::string now = formatTimestamp(sim.clock.now());
        if (now == "2026-12-21T09:00:00Z")  // Monday: Åse signs
            REQUIRE(i.cases().fire(kTester, ase, as("ase@frogn.example", "sign")).done);
        if (now == "2026-12-22T10:00:00Z")  // Per goes on leave until 20 January
            sim.import(i, roster("perm"));
        if (now == "2026-12-23T10:00:00Z")  // Liv gets a new nearest leader
            sim.import(i, roster("perm", "Ola Ny", "ola@ski.example"));
        if (now == "2027-01-20T10:00:00Z")
            sim.import(i, roster("aktiv", "Ola Ny", "ola@ski.example"));
        if (now == "2027-01-05T10:00:00Z")  // Liv declines
            REQUIRE(i.cases().fire(kTester, liv, as("liv@ski.example", "decline", "Feil stillingsprosent")).done);
        i.reminders().runDue(kTester, false);
        i.outbox().deliver(kTester);
    }
    const auto mail = sim.mail(i);
    // Kari never signs: three reminders; the first due on Christmas Day goes on Monday the 28th
    // at 08:00 in Oslo, the next a week after each.
    INFO("Kari: " << test::joinLines(mail.at("kari@frogn.example")));
    CHECK(mail.at("kari@frogn.example") ==
          std::vector<std::string>{"sign 2026-12-18T08:00:00Z", "remind 2026-12-28T07:00:00Z",
                                   "remind 2027-01-04T07:00:00Z", "remind 2027-01-11T07:00:00Z"});
    // Åse signed on the 21st: nothing after that.
    CHECK(mail.at("ase@frogn.example") == std::vector<std::string>{"sign 2026-12-18T08:00:00Z"});
    // Tor has not signed either case: a link and three reminders for each, and one digest
    // listing both when the escalation comes (21 days: Friday 8 January).
    std::size_t torReminders = 0, torDigests = 0;
    for (const auto& m : mail.at("tor@frogn.example")) {
        torReminders += m.rfind("remind ", 0) == 0;
        torDigests += m.rfind("digest ", 0) == 0;
    }
    CHECK(torReminders == 6);
    CHECK(torDigests == 1);
    CHECK(std::count(mail.at("tor@frogn.example").begin(), mail.at("tor@frogn.example").end(),
                     "digest 2027-01-08T08:00:00Z") == 1);
    // Liv's new leader takes over: reminders go to Ola, not Eva, for Liv's case; after Liv
    // declined nothing more goes to either about it, and the network leader is told.
    CHECK(mail.count("ola@ski.example") == 1);
    CHECK(mail.at("nora@nettverk.example").front().rfind("declined 2027-01-05T10:00:00Z", 0) == 0);
    for (const auto& m : mail.at("liv@ski.example"))
        CHECK(m.substr(m.find(' ') + 1) < "2027-01-05T10:00:00Z");  // nothing after declining
    // Per was on leave from 22 December to 20 January: no mail to him in between.
    INFO("Per: " << test::joinLines(mail.at("per@ski.example")));
    for (const auto& m : mail.at("per@ski.example")) {
        const std::string at = m.substr(m.find(' ') + 1);
        CHECK_FALSE((at > "2026-12-22T10:00:00Z" && at < "2027-01-20T10:00:00Z"));
    }
    // The area leader gets digests, never one mail per case.
    REQUIRE(mail.count("geir@follo.example") == 1);
    for (const auto& m : mail.at("geir@follo.example")) CHECK(m.rfind("digest ", 0) == 0);
    // Every reminder and digest went out in office hours on a working day.
    for (const auto& [to, list] : mail)
        for (const auto& m : list)
            if (m.rfind("remind ", 0) == 0 || m.rfind("digest ", 0) == 0) {
                INFO(to << ": " << m);
                CHECK(isOfficeTime(*parseTimestamp(m.substr(m.find(' ') + 1))));
            }
    // Each reminder is an audit event.
    CHECK(test::querySql(test::databaseOf(sim.data, sim.database),
                         "SELECT count(*) FROM audit_event WHERE kind = 'case.timer'") != "0");
}

TEST_CASE("two sweeps at once send each reminder once", "[remind]") {
    Simulation sim;
    sim.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    sim.clock.set(*parseTimestamp("2026-12-28T07:30:00Z"));  // the first reminders are due
    std::thread other([&] { sim.open().reminders().runDue(kTester, false); });
    sim.open().reminders().runDue(kTester, false);
    other.join();
    std::size_t reminders = 0;
    for (const auto& m : sim.open().outbox().list("")) reminders += m.kind == "remind";
    CHECK(reminders == 8);  // four cases, nurse and leader each, once
    CHECK(sim.open().reminders().runDue(kTester, false).mails.empty());
}

TEST_CASE("a sweep over more due cases than one of its transactions holds reminds each signer "
          "once",
          "[remind]") {
    Simulation sim;
    Rows rows = roster();
    rows.resize(3);  // the header, the network leader and the area leader
    for (int n = 1; n <= 60; ++n)
        rows.push_back({"Sykepleier " + std::to_string(n), "s" + std::to_string(n) + "@frogn.example",
                        "Follo", "Tunet", "Tor Li", "tor@frogn.example", "aktiv", ""});
    Installation i = sim.open();
    sim.import(i, rows);
    i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    sim.clock.set(*parseTimestamp("2026-12-28T07:30:00Z"));  // the first reminders are due
    const auto report = i.reminders().runDue(kTester, false);
    CHECK(report.fired.size() == 60);
    auto mails = sim.mail(i);
    for (int n = 1; n <= 60; ++n) {
        const auto& sent = mails["s" + std::to_string(n) + "@frogn.example"];
        CHECK(std::count_if(sent.begin(), sent.end(),
                            [](const std::string& m) { return m.rfind("remind ", 0) == 0; }) == 1);
    }
    const auto& tor = mails["tor@frogn.example"];
    CHECK(std::count_if(tor.begin(), tor.end(),
                        [](const std::string& m) { return m.rfind("remind ", 0) == 0; }) == 60);
    CHECK(i.reminders().runDue(kTester, false).mails.empty());
    CHECK_FALSE(i.records().verifyAuditLog().firstBadSeq);
}

TEST_CASE("the outstanding-signatures report agrees with the database", "[report]") {
    Simulation sim;
    Installation i = sim.open();
    i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    REQUIRE(i.cases().fire(kTester, sim.reference(i, "ase@frogn.example"), as("ase@frogn.example", "sign")).done);
    REQUIRE(i.cases().fire(kTester, sim.reference(i, "ase@frogn.example"), as("tor@frogn.example", "sign")).done);
    REQUIRE(i.cases().fire(kTester, sim.reference(i, "liv@ski.example"), as("liv@ski.example", "decline", "Nei"))
                .done);
    sim.clock.advance(24h * 25);  // past the 21 days: overdue
    i.reminders().runDue(kTester, false);
    const auto report = i.reports().missingSignatures(kNetwork, "");
    const std::string db = test::databaseOf(sim.data, sim.database);
    CHECK(std::to_string(report.open.size()) ==
          test::querySql(db, "SELECT count(*) FROM signature_request WHERE status = 'open'"));
    REQUIRE(report.areas.size() == 1);
    const AreaTally& follo = report.areas.front();
    CHECK(follo.activeNurses == 4);
    CHECK(follo.signedCount == 1);
    CHECK(follo.overdue == 2);  // Kari and Per, waiting 25 days
    CHECK(follo.notSent == 1);  // Liv declined: no case under way
    CHECK(follo.signedCount + follo.outstanding + follo.overdue + follo.notSent ==
          follo.activeNurses);
    CHECK(report.uncovered.size() == 3);
    for (const auto& o : report.open) {
        CHECK(o.daysOutstanding == 25);
        CHECK(o.overdue);
        CHECK(o.remindersSent >= 1);
    }
}

TEST_CASE("the tally counts each active nurse once by the nurse's current case: sent again "
          "after a withdrawal, late, expired, signed, on leave",
          "[report]") {
    Simulation sim;
    Installation i = sim.open();
    i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const std::string liv = sim.reference(i, "liv@ski.example");
    REQUIRE(i.cases().fire(kTester, liv, as("liv@ski.example", "sign")).done);
    REQUIRE(i.cases().fire(kTester, liv, as("eva@ski.example", "sign")).done);
    sim.import(i, roster("perm"));  // Per on leave: not counted at all
    sim.clock.advance(24h * 25);         // Åse and Kari waiting longer than 21 days
    const std::string withdrawn = sim.reference(i, "ase@frogn.example");
    REQUIRE(i.cases()
                .fire(kTester, withdrawn,
                      makeTrigger("withdraw", ActorKind::NetworkLeader, "feil versjon"))
                .done);
    REQUIRE(i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false).sent == 1);

    const auto tally = [&] {
        const auto report = i.reports().missingSignatures(kNetwork, "Follo");
        REQUIRE(report.areas.size() == 1);
        return report.areas.front();
    };
    AreaTally follo = tally();
    CHECK(follo.activeNurses == 3);  // Åse, Kari, Liv
    CHECK(follo.signedCount == 1);   // Liv
    CHECK(follo.outstanding == 1);   // Åse, sent again today: her withdrawn case not counted
    CHECK(follo.overdue == 1);       // Kari
    CHECK(follo.notSent == 0);

    sim.clock.advance(24h * 40);  // Kari's case past its 60 days, Åse's past 21
    i.reminders().runDue(kTester, false);
    REQUIRE(i.cases().details(sim.reference(i, "kari@frogn.example")).c.state == "expired");
    follo = tally();
    CHECK(follo.activeNurses == 3);
    CHECK(follo.signedCount == 1);
    CHECK(follo.outstanding == 0);
    CHECK(follo.overdue == 2);  // Kari's expired case is still hers to sign again
    CHECK(follo.notSent == 0);
}

TEST_CASE("the overview's counts follow every change at once, and the second a case turns "
          "overdue, though counted once for many requests",
          "[report]") {
    Simulation sim;
    Installation i = sim.open();  // asked again and again, as serve's one installation is
    const auto sameAsCountedAfresh = [&](const char* after) {
        INFO("after " << after);
        const auto kept = i.reports().overview(kNetwork, "", 0).areas;
        const auto fresh = sim.open().reports().overview(kNetwork, "", 0).areas;
        REQUIRE(kept.size() == fresh.size());
        for (std::size_t a = 0; a < kept.size(); ++a) {
            CHECK(kept[a].activeNurses == fresh[a].activeNurses);
            CHECK(kept[a].signedCount == fresh[a].signedCount);
            CHECK(kept[a].outstanding == fresh[a].outstanding);
            CHECK(kept[a].overdue == fresh[a].overdue);
            CHECK(kept[a].notSent == fresh[a].notSent);
        }
        return kept.front();
    };
    CHECK(sameAsCountedAfresh("nothing sent").notSent == 4);
    const std::string ase = sendSignedByAse(sim, i);
    CHECK(sameAsCountedAfresh("the send and Åse's signature").outstanding == 4);
    REQUIRE(i.cases().fire(kTester, ase, as("tor@frogn.example", "sign")).done);
    CHECK(sameAsCountedAfresh("her leader's signature").signedCount == 1);

    // Overdue once sent 22 whole days before (more than MissingReport::kOverdueDays).
    sim.clock.advance(24h * 22 - 1s);
    CHECK(sameAsCountedAfresh("a second before").overdue == 0);
    sim.clock.advance(1s);
    CHECK(sameAsCountedAfresh("22 days").overdue == 3);

    sim.import(i, roster("perm"));
    CHECK(sameAsCountedAfresh("Per's leave").activeNurses == 3);
    REQUIRE(i.cases()
                .fire(kTester, sim.reference(i, "kari@frogn.example"),
                      makeTrigger("withdraw", ActorKind::NetworkLeader, "feil person"))
                .done);
    const AreaTally follo = sameAsCountedAfresh("Kari's case withdrawn");
    CHECK(follo.overdue == 1);  // Liv
    CHECK(follo.notSent == 1);  // Kari
}

TEST_CASE("the dashboard overview counts as the full report does and lists the longest waiting first",
          "[report]") {
    Simulation sim;
    Installation i = sim.open();
    const std::string ase = sendSignedByAse(sim, i);
    REQUIRE(i.cases().fire(kTester, sim.reference(i, "liv@ski.example"),
                           as("liv@ski.example", "decline", "Nei"))
                .done);
    sim.clock.advance(24h * 22);
    const auto report = i.reports().missingSignatures(kNetwork, "");
    const auto overview = i.reports().overview(kNetwork, "", 3);

    REQUIRE(overview.areas.size() == report.areas.size());
    for (std::size_t a = 0; a < report.areas.size(); ++a) {
        const AreaTally &full = report.areas[a], &quick = overview.areas[a];
        CHECK(quick.area == full.area);
        CHECK(quick.activeNurses == full.activeNurses);
        CHECK(quick.signedCount == full.signedCount);
        CHECK(quick.outstanding == full.outstanding);
        CHECK(quick.overdue == full.overdue);
        CHECK(quick.notSent == full.notSent);
    }
    CHECK(overview.areas.front().overdue == 3);  // Kari, Per, and Åse waiting for her leader

    // The same requests as the report's open ones, most days first; sent at the same moment,
    // in the order the cases were opened (their references), the nurse before the leader.
    auto expected = report.open;
    std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
        return std::make_tuple(-a.daysOutstanding, a.reference, a.signerRole != "nurse") <
               std::make_tuple(-b.daysOutstanding, b.reference, b.signerRole != "nurse");
    });
    REQUIRE(expected.size() > 3);
    REQUIRE(overview.oldest.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(overview.oldest[k].reference == expected[k].reference);
        CHECK(overview.oldest[k].signerRole == expected[k].signerRole);
        CHECK(overview.oldest[k].signerName == expected[k].signerName);
        CHECK(overview.oldest[k].daysOutstanding == 22);
    }
}

TEST_CASE("the overview's next reminders are the network's own earliest timers, soonest first",
          "[report]") {
    Simulation sim;
    Installation i = sim.open();
    const std::string ase = sendSignedByAse(sim, i);
    REQUIRE(i.cases().fire(kTester, ase, as("tor@frogn.example", "sign")).done);  // no timers
    // Another network's case, due when this network's first cases are, and a nurse sent to two
    // days later.
    const std::string other = "Nettverk Annet";
    i.rosters().addNetwork(kTester, other, {"Asker"});
    test::writeFile(sim.dir.file("annet.csv"),
                    documents::formatCsv({roster().front(),
                                          {"Ola Dal", "ola@asker.example", "Asker", "Hagen",
                                           "Siv Dal", "siv@asker.example", "aktiv", ""}}));
    i.rosters().importRoster(kTester, sim.dir.file("annet.csv"), other, false);
    i.cases().sendFunctionDescriptions(kTester, other, "", false);
    sim.clock.advance(48h);
    auto rows = roster();
    rows.push_back({"Mia Moe", "mia@frogn.example", "Follo", "Tunet", "Tor Li",
                    "tor@frogn.example", "aktiv", ""});
    sim.import(i, rows);
    i.cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const std::string mia = sim.reference(i, "mia@frogn.example");

    const auto all = i.reminders().upcoming(kNetwork, "", 100);
    const std::string db = test::databaseOf(sim.data, sim.database);
    CHECK(std::to_string(all.size()) ==
          test::querySql(db, "SELECT count(*) FROM case_timer t JOIN case_file c ON c.id = "
                             "t.case_id JOIN network n ON n.id = c.network_id WHERE n.name = '" +
                                 kNetwork + "' AND t.paused_at IS NULL"));
    REQUIRE(all.size() > 2);
    const auto others = i.cases().list({other, "", "", ""});
    REQUIRE(others.size() == 1);
    for (std::size_t k = 0; k < all.size(); ++k) {
        CHECK(all[k].reference != ase);
        CHECK(all[k].reference.rfind("FB-", 0) == 0);
        CHECK(all[k].reference != others.front().reference);
        if (k > 0)
            CHECK(all[k - 1].due <= all[k].due);
    }
    CHECK(all.back().reference == mia);  // sent last, due last
    const auto first = i.reminders().upcoming(kNetwork, "", 2);
    REQUIRE(first.size() == 2);
    CHECK(first[0].reference == all[0].reference);
    CHECK(first[1].reference == all[1].reference);
    CHECK(first[1].timer == all[1].timer);
}
