// The engine on a failing disk, through a FaultyEnv: a full disk or a failed rename while
// archiving, a failed flush or rename while delivering into the maildir. Nothing is lost,
// nothing is half written, and the error names the file and the system's reason.
#include <catch2/catch.hpp>

#include <cerrno>
#include <map>
#include <tuple>

#include "FaultyEnv.h"
#include "TestSettings.h"
#include "TestSupport.h"
#include "SmallNetwork.h"
#include "Tester.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/documents/PosixEnv.h"
#include "avtaleflyt/engine/Installation.h"
#include "avtaleflyt/notify/Transport.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::FaultyEnv;
using test::kTester;
using Op = FaultyEnv::Op;

namespace {

const std::string kNetwork = "Nettverk Test";

// Two nurses, their function descriptions sent (their mails in the outbox).
struct FaultFixture {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-02T09:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings = test::onDatabase(database);
    std::string out = dir.file("arkiv");
    FaultyEnv env{documents::defaultEnv()};

    FaultFixture() {
        Installation::init(data, clock, kTester, database);
        auto inst = open();
        test::seedSmallNetwork(inst, kNetwork, dir.file("liste.csv"));
    }
    Installation open() { return Installation(data, clock, settings, env); }
    std::string sql(const std::string& q) const {
        return test::querySql(test::databaseOf(data, database), q);
    }
    std::size_t events(const std::string& kind) const {
        return std::stoul(sql("SELECT count(*) FROM audit_event WHERE kind = '" + kind + "'"));
    }
    // Both cases signed by the nurse and the leader.
    void signAll() {
        auto inst = open();
        Trigger sign;
        sign.name = "sign";
        sign.actor = ActorKind::Signer;
        for (const auto& [reference, nurse] :
             {std::pair<const char*, const char*>{"FB-2026-0001", "ase@frogn.example"},
              {"FB-2026-0002", "kari@frogn.example"}})
            for (const char* who : {nurse, "tor@frogn.example"}) {
                sign.actorEmail = who;
                REQUIRE(inst.cases().fire(kTester, reference, sign).done);
            }
    }
    std::vector<std::string> states() {
        std::vector<std::string> all;
        for (const auto& c : open().cases().list({kNetwork, "", "", ""})) all.push_back(c.state);
        return all;
    }
    std::vector<std::string> maildir(const std::string& sub) {
        return env.exists(data + "/mail/" + sub) ? env.list(data + "/mail/" + sub)
                                                 : std::vector<std::string>{};
    }
};

// A transport that counts what the maildir under it accepted, by Message-ID.
struct CountingTransport final : notify::Transport {
    notify::MaildirTransport maildir;
    std::map<std::string, int> delivered;
    CountingTransport(std::string dir, Env& env) : maildir(std::move(dir), env) {}
    std::string deliver(const std::string& from, const std::string& to, const std::string& id,
                        const std::string& mime) override {
        const std::string answer = maildir.deliver(from, to, id, mime);
        ++delivered[id];
        return answer;
    }
    std::string describe() const override { return maildir.describe(); }
};

}  // namespace

TEST_CASE("archiving on a full disk at any file of the package, or with the package folder's "
          "rename failing, leaves no package, the cases signed and no archive event, and says "
          "which file and why, and the next attempt archives",
          "[archive][faults]") {
    struct Fault {
        Op op;
        int nth;
        int error;
        std::string pathPart, message;
    };
    const std::vector<Fault> faults = {
        {Op::Write, 1, ENOSPC, "", "arkivstruktur.xml: cannot write: No space left on device"},
        {Op::Write, 4, ENOSPC, "", ".xsd: cannot write: No space left on device"},
        {Op::Write, 2, ENOSPC, "dokumenter/",
         "dokumenter/FB-2026-0002.pdf: cannot write: No space left on device"},
        {Op::Write, 1, EIO, "manifest.sha256", "manifest.sha256: cannot write: Input/output error"},
        {Op::Rename, 1, EIO, "", ".tmp: cannot rename to "},
        {Op::MakeFolder, 1, EACCES, "dokumenter",
         "dokumenter: cannot create the folder: Permission denied"},
    };
    for (const auto& fault : faults) {
        DYNAMIC_SECTION(fault.message) {
            FaultFixture f;
            f.signAll();
            const std::size_t eventsBefore = std::stoul(f.sql("SELECT count(*) FROM audit_event"));
            f.env.failNth(fault.op, fault.nth, fault.error, fault.pathPart);
            std::string error = "nothing thrown";
            try {
                f.open().records().archive(kTester, kNetwork, f.out, "", false);
            } catch (const EngineError& e) {
                error = e.what();
            }
            CHECK_THAT(error, Catch::Matchers::Contains(fault.message));
            CHECK(f.env.fired() == 1);
            CHECK(f.env.list(f.out).empty());  // not even a hidden, half-written one
            CHECK(f.states() == std::vector<std::string>{"signed", "signed"});
            CHECK(f.events("case.archive") == 0);
            CHECK(f.events("archive.package_written") == 0);
            CHECK(std::stoul(f.sql("SELECT count(*) FROM audit_event")) == eventsBefore);

            const auto report = f.open().records().archive(kTester, kNetwork, f.out, "", false);
            CHECK(report.references.size() == 2);
            CHECK(f.env.list(f.out).size() == 1);
            CHECK(f.env.exists(report.packageDir + "/manifest.sha256"));
            CHECK(f.states() == std::vector<std::string>{"archived", "archived"});
            CHECK(f.events("case.archive") == 2);
        }
    }
}

TEST_CASE("a maildir delivery whose flush or rename fails leaves nothing in new/ or tmp/, keeps "
          "the message queued with the attempt and the error, and the next dispatch delivers it "
          "once",
          "[mail][faults]") {
    for (const auto& [op, error, reason] :
         {std::tuple<Op, int, const char*>{Op::Write, EIO, "cannot write: Input/output error"},
          {Op::Rename, ENOSPC, "cannot rename to"}}) {
        DYNAMIC_SECTION(reason) {
            FaultFixture f;
            const std::size_t total = f.open().outbox().list("queued").size();
            REQUIRE(total >= 2);
            f.env.failNth(op, 2, error, "/mail/");
            const auto first = f.open().outbox().deliver(kTester);
            CHECK(f.env.fired() == 1);
            CHECK(first.sent.size() == total - 1);
            REQUIRE(first.failed.size() == 1);
            CHECK_THAT(first.failed.front(), Catch::Matchers::Contains(reason));
            CHECK(f.maildir("new").size() == total - 1);
            CHECK(f.maildir("tmp").empty());
            const auto queued = f.open().outbox().list("queued");
            REQUIRE(queued.size() == 1);
            CHECK(queued.front().attempts == 1);
            CHECK_THAT(queued.front().lastError, Catch::Matchers::Contains(reason));
            CHECK(f.events("mail.sent") == total - 1);

            f.clock.advance(std::chrono::minutes(2));
            const auto second = f.open().outbox().deliver(kTester);
            CHECK(second.sent.size() == 1);
            CHECK(second.failed.empty());
            CHECK(f.maildir("new").size() == total);
            CHECK(f.maildir("tmp").empty());
            CHECK(f.open().outbox().list("queued").empty());
            CHECK(f.events("mail.sent") == total);
        }
    }
}

TEST_CASE("the outbox on a failing maildir: a failed delivery is never marked sent, and every "
          "message is delivered exactly once in the end",
          "[mail][faults]") {
    FaultFixture f;
    const std::size_t total = f.open().outbox().list("queued").size();
    CountingTransport transport(f.data + "/mail", f.env);
    // The first write into tmp/ fails, and the first and the third rename into new/.
    f.env.failNth(Op::Rename, 1, ENOSPC, "/mail/new/");
    f.env.failNth(Op::Rename, 3, EIO, "/mail/new/");
    f.env.failNth(Op::Write, 1, ENOSPC, "/mail/tmp/");
    for (int round = 0; round < 10 && !f.open().outbox().list("queued").empty(); ++round) {
        Installation inst = f.open();
        inst.setTransport(&transport);
        const auto report = inst.outbox().deliver(kTester);
        CHECK(report.sent.size() + report.failed.size() <= total);
        // Sent means delivered: as many as the maildir has accepted, never one more.
        std::size_t delivered = 0;
        for (const auto& [id, n] : transport.delivered) delivered += static_cast<std::size_t>(n);
        CHECK(inst.outbox().list("sent").size() == delivered);
        CHECK(f.maildir("new").size() == delivered);
        CHECK(f.maildir("tmp").empty());
        f.clock.advance(std::chrono::minutes(10));
    }
    CHECK(f.env.fired() == 3);
    CHECK(f.open().outbox().list("queued").empty());
    CHECK(transport.delivered.size() == total);
    for (const auto& [id, n] : transport.delivered) CHECK(n == 1);
    CHECK(f.events("mail.sent") == total);
}
