// Many users of one installation at once, in one process, as `serve` runs them: request threads
// signing while a send opens cases and a sweep and a dispatcher run. Nothing lost, nothing twice.
#include <catch2/catch.hpp>

#include <Poco/File.h>

#include <atomic>
#include <thread>
#include <vector>

#include "TestSettings.h"
#include "TestSupport.h"
#include "SendLog.h"
#include "Tester.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/RosterSheet.h"
#include "avtaleflyt/engine/Installation.h"
#include "avtaleflyt/engine/SampleNetwork.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;

namespace {

// The signing token of every signing mail in the outbox.
std::vector<std::string> tokensIn(const std::string& db) {
    std::vector<std::string> tokens;
    for (const auto& mime : test::queryColumn(db, "SELECT mime FROM outbox WHERE kind = 'sign'"))
        tokens.push_back(test::signingTokenIn(mime));
    return tokens;
}

}  // namespace

TEST_CASE("signers, a send, the sweep and the dispatcher at once lose and repeat nothing",
          "[concurrency]") {
    test::TempDir dir;
    FixedClock clock(*parseTimestamp("2026-11-03T09:00:00Z"));  // a Tuesday, office hours
    const std::string data = dir.file("data");
    const std::string database = test::newDatabase();
    Installation::init(data, clock, kTester, database);
    const auto sample = makeSampleNetwork(2024, 160);
    Installation inst(data, clock, test::onDatabase(database));
    inst.rosters().addNetwork(kTester, sample.name, sample.areas);
    test::writeFile(dir.file("roster.csv"),
                    documents::formatCsv(writeRosterSheet(sample.roster, sample.areas)));
    REQUIRE(inst.rosters().importRoster(kTester, dir.file("roster.csv"), sample.name, false)
                .problems.empty());
    const std::string db = test::databaseOf(data, database);

    // The first area's nurses have their links; the rest are sent while they sign.
    const std::string first = sample.areas.front();
    const auto firstSend = test::sendLogged(inst, sample.name, first, false);
    REQUIRE(firstSend.sent.size() >= 10);
    const auto tokens = tokensIn(db);
    REQUIRE(tokens.size() == 2 * firstSend.sent.size());  // the nurse and the leader each

    std::atomic<int> signedCount{0}, errors{0};
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (std::size_t k; (k = next++) < tokens.size();) {
                try {
                    const auto view = inst.signing().view(tokens[k]);
                    const auto out = inst.signing().sign(tokens[k], "192.0.2.1", "test");
                    if (view.status == SigningView::Status::Open &&
                        out.status == SigningView::Status::Open && out.refusal.empty())
                        ++signedCount;
                } catch (const std::exception&) {
                    ++errors;
                }
            }
        });
    threads.emplace_back([&] {
        for (std::size_t a = 1; a < sample.areas.size(); ++a)
            inst.cases().sendFunctionDescriptions(kTester, sample.name, sample.areas[a], false);
    });
    threads.emplace_back([&] {
        for (int round = 0; round < 5; ++round) {
            inst.reminders().runDue(Actor{"system:sweep"}, false);
            inst.outbox().deliver(Actor{"system:outbox"});
        }
    });
    // A second send of the same network at the same time opens nobody twice.
    threads.emplace_back([&] {
        inst.cases().sendFunctionDescriptions(kTester, sample.name, sample.areas.back(), false);
    });
    for (auto& t : threads) t.join();
    inst.outbox().deliver(Actor{"system:outbox"});

    CHECK(errors == 0);
    CHECK(signedCount == static_cast<int>(tokens.size()));  // every signature taken, once
    CHECK(test::querySql(db, "SELECT count(*) FROM case_file WHERE state = 'signed'") ==
          std::to_string(firstSend.sent.size()));
    // One case per active nurse, whoever sent it; one signing mail per signer of each case.
    CHECK(test::querySql(db, "SELECT count(*) FROM (SELECT subject_person_id FROM case_file "
                             "GROUP BY subject_person_id HAVING count(*) > 1) AS twice") == "0");
    CHECK(test::querySql(db, "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind = 'sign' "
                             "GROUP BY case_id, recipient HAVING count(*) > 1) AS twice") == "0");
    CHECK(test::querySql(db, "SELECT count(*) FROM outbox WHERE kind = 'sign'") ==
          test::querySql(db, "SELECT count(*) FROM signature_request WHERE status <> 'waiting'"));
    // Every message delivered, each once (the maildir holds one file per message).
    CHECK(test::querySql(db, "SELECT count(*) FROM outbox WHERE status <> 'sent'") == "0");
    std::vector<std::string> delivered;
    Poco::File(data + "/mail/new").list(delivered);
    CHECK(std::to_string(delivered.size()) == test::querySql(db, "SELECT count(*) FROM outbox"));
    CHECK(inst.records().verifyAuditLog().problem.empty());
    CHECK(inst.records().verifyAuditLog().firstBadSeq == std::nullopt);
}
