// Several `serve` processes on one installation (one database, one shared data folder), as a
// region runs them behind a load balancer: each job done once, whichever server does it, and a
// database that goes away and comes back. On SQLite and (as "postgresql: mail_tests: ...") on
// PostgreSQL; the tests tagged [postgresql] run only there.

#include <catch2/catch.hpp>

#include <Poco/Environment.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>

#include "Processes.h"
#include "TestSupport.h"

using namespace avtaleflyt;
using test::CliFixture;
using namespace std::chrono_literals;

namespace {

const std::string kSent = "2026-11-03T09:00";

// The sample network of `nurses` imported, and every function description sent at kSent.
void sentTo(CliFixture& f, int nurses) {
    f.sample(nurses);
    REQUIRE(f.run({"send", "function-descriptions", "--now", kSent}).exitCode == 0);
}

long long queued(const CliFixture& f) {
    return f.count("SELECT count(*) FROM outbox WHERE status = 'queued'");
}

// GET `path` from the portal on `port`: the status and the body.
std::pair<int, std::string> get(unsigned port, const std::string& path) {
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
        session.setTimeout(Poco::Timespan(20, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
        return {static_cast<int>(response.getStatus()), body};
    } catch (const Poco::Exception&) {
        return {0, ""};
    }
}

}  // namespace

TEST_CASE("three servers dispatch 3,000 queued mails, one killed with SIGKILL half-way: each "
          "mail is delivered exactly once and no case is lost",
          "[servers][mail][serve]") {
    CliFixture f;
    sentTo(f, 1600);
    const long long messages = f.count("SELECT count(*) FROM outbox");
    const long long cases = f.count("SELECT count(*) FROM case_file");
    REQUIRE(messages >= 3000);

    // The servers' clock stands at 09:05: a message the killed one had claimed stays leased
    // (ten minutes) while the others finish.
    const std::string now = "2026-11-03T09:05";
    std::vector<std::unique_ptr<test::Serving>> servers;
    for (const char* name : {"a", "b", "c"})
        servers.push_back(std::make_unique<test::Serving>(
            f.data, std::vector<std::string>{"--dispatch-every", "1", "--now", now},
            f.dir.file(std::string("serve-") + name)));
    for (auto& s : servers) REQUIRE(s->waitUntilListening());
    for (int i = 0; i < 600 && queued(f) > messages * 2 / 3; ++i) std::this_thread::sleep_for(50ms);
    const long long beforeKill = messages - queued(f);
    servers[1]->process().signal(SIGKILL);
    CHECK(servers[1]->process().wait() == 128 + SIGKILL);
    // The other two carry on until at most the killed one's claimed message is left.
    for (int i = 0; i < 1200 && queued(f) > 1; ++i) std::this_thread::sleep_for(100ms);
    CHECK(queued(f) <= 1);
    CHECK(servers[0]->stop() == 0);
    CHECK(servers[2]->stop() == 0);
    INFO("delivered before the kill: " << beforeKill << " of " << messages);
    CHECK(beforeKill < messages);  // the kill came while there was work left

    // Once the lease has run out, the next dispatch delivers what the killed server held.
    const auto rest = f.run({"outbox", "send", "--now", "2026-11-03T09:16"});
    INFO(rest.out << rest.err);
    CHECK(rest.exitCode == 0);
    CHECK(queued(f) == 0);
    CHECK(f.count("SELECT count(*) FROM audit_event WHERE kind = 'mail.sent'") == messages);
    CHECK(f.count(test::kDeliveredTwice) == 0);
    const auto delivered = test::messageIdsIn(f.data + "/mail");
    CHECK(delivered.size() == static_cast<std::size_t>(messages));
    for (const auto& [id, n] : delivered) CHECK(n == 1);
    CHECK(f.count("SELECT count(*) FROM case_file") == cases);
    CHECK(f.count("SELECT count(*) FROM case_file WHERE state = 'sent'") == cases);
    test::checkLogIntact(f);
}

TEST_CASE("50 signers through nginx as the operator guide sets it up, two servers each "
          "sweeping: every signature kept once, no reminder twice",
          "[servers][portal][serve]") {
    CliFixture f;
    sentTo(f, 30);
    const auto tokens = test::signingTokens(f.db());
    REQUIRE(tokens.size() >= 50);
    // The signers come through the load balancer (127.0.0.1 here): its connections are not
    // limited per address.
    std::ofstream(f.data + "/avtaleflyt.properties", std::ios::app)
        << "portal.trusted-proxy = 127.0.0.1\n";
    // A week later: reminders are due, and the sweep of each server runs every second.
    const std::vector<std::string> args = {"--dispatch-every", "1", "--now", "2026-11-10T10:00"};
    test::Serving one(f.data, args, f.dir.file("serve-1"));
    test::Serving two(f.data, args, f.dir.file("serve-2"));
    REQUIRE(one.waitUntilListening());
    REQUIRE(two.waitUntilListening());
    test::Balancer nginx({one.port(), two.port()});
    INFO("nginx: " << nginx.errorLog());
    REQUIRE(nginx.waitUntilListening());

    int answers[50] = {};
    std::vector<std::thread> signers;
    for (std::size_t s = 0; s < 50; ++s)
        signers.emplace_back([&, s] { answers[s] = test::signThroughPortal(nginx.port(), tokens[s]); });
    for (auto& t : signers) t.join();
    std::this_thread::sleep_for(3s);  // a few more sweeps and dispatches on both
    CHECK(one.stop() == 0);
    CHECK(two.stop() == 0);
    // nginx sent signers to both (each server's request log).
    for (auto* server : {&one, &two})
        CHECK(server->process().err().find(" POST /s/<token>/sign 200 ") != std::string::npos);

    for (std::size_t s = 0; s < 50; ++s) {
        INFO("signer " << s);
        CHECK(answers[s] == 200);  // every signer was answered "signed"
        CHECK(test::requestStatus(f.db(), tokens[s]) == "signed");
    }
    CHECK(f.count("SELECT count(*) FROM signature_request WHERE status = 'signed'") == 50);
    CHECK(f.count("SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'case.sign' "
                  "GROUP BY subject, json_extract(payload, '$.signer') HAVING count(*) > 1) "
                  "AS twice") == 0);
    CHECK(f.count("SELECT count(*) FROM outbox WHERE kind = 'remind'") > 0);  // the sweep ran
    CHECK(f.count("SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind = 'remind' GROUP BY "
                  "case_id, recipient HAVING count(*) > 1) AS twice") == 0);
    CHECK(f.count("SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'case.timer' "
                  "GROUP BY subject, json_extract(payload, '$.timer'), json_extract(payload, "
                  "'$.due') HAVING count(*) > 1) AS twice") == 0);
    CHECK(f.count(test::kDeliveredTwice) == 0);
    test::checkLogIntact(f);
}

TEST_CASE("postgresql: the database stopped and started while serve runs: signers get a "
          "Norwegian 503 page, nothing is half-written, and serve recovers by itself",
          "[servers][portal][serve][postgresql]") {
    // A server of this test's own, so that stopping it disturbs no other test.
    const std::string dir = "/tmp/avtaleflyt-pg-own-" + std::to_string(::getpid());
    const std::string script = std::string(AVTALEFLYT_SOURCE_DIR) + "/scripts/postgres.sh";
    REQUIRE(test::runTool(script + " start " + dir).exitCode == 0);
    struct Stopped {
        std::string command;
        ~Stopped() { test::runTool(command); }
    } stopAtEnd{script + " stop " + dir};
    const std::string server = "postgresql://avtaleflyt@/postgres?host=" + dir;
    test::execSql(server, "CREATE DATABASE own");
    CliFixture f;
    f.database = "postgresql://avtaleflyt@/own?host=" + dir;
    sentTo(f, 20);
    const auto tokens = test::signingTokens(f.db());
    REQUIRE(tokens.size() >= 4);
    test::Serving served(f.data, {"--dispatch-every", "1", "--now", "2026-11-04T10:00"},
                         f.dir.file("serve"));
    REQUIRE(served.waitUntilListening());
    CHECK(test::signThroughPortal(served.port(), tokens[0]) == 200);
    // Once the dispatcher and the sweep have nothing left to do, nothing more is written.
    for (int i = 0; i < 300 && queued(f) > 0; ++i) std::this_thread::sleep_for(100ms);
    std::this_thread::sleep_for(2500ms);
    const long long events = std::stoll(f.events());

    REQUIRE(test::runTool(script + " halt " + dir).exitCode == 0);
    const auto [status, page] = get(served.port(), "/s/" + tokens[1]);
    CHECK(status == 503);
    CHECK(page.find("midlertidig utilgjengelig") != std::string::npos);
    CHECK(page.find("lang=\"nb\"") != std::string::npos);
    CHECK(test::signThroughPortal(served.port(), tokens[1]) == -503);  // the page, refused
    CHECK(served.process().running());

    REQUIRE(test::runTool(script + " start " + dir).exitCode == 0);
    CHECK(std::stoll(f.events()) == events);  // nothing was written while it was down
    int answer = 0;
    for (int i = 0; i < 50 && answer != 200; ++i) {
        answer = test::signThroughPortal(served.port(), tokens[1]);
        if (answer != 200)
            std::this_thread::sleep_for(200ms);
    }
    CHECK(answer == 200);  // recovered without a restart
    CHECK(test::requestStatus(f.db(), tokens[1]) == "signed");
    CHECK(served.stop() == 0);
    test::checkLogIntact(f);
}
