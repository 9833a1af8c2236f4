#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "TestSupport.h"
#include "avtaleflyt/storage/AuditLog.h"
#include "avtaleflyt/storage/OutboxRepository.h"

using namespace avtaleflyt;
using namespace avtaleflyt::storage;

namespace {

// A database with five events; tampering is done through a second connection, with the
// append-only triggers dropped first, as someone with the file would.
// A reminder to nurse `n` (m1@avtaleflyt to n1@x.example, "Påminnelse 1", say).
OutboxMessage reminder(const std::string& n) {
    OutboxMessage m;
    m.messageId = "m" + n + "@avtaleflyt";
    m.kind = "remind";
    m.recipient = "n" + n + "@x.example";
    m.subject = "Påminnelse " + n;
    m.mime = "Subject: " + n + "\r\n\r\n\xe5\r\n";
    return m;
}

struct LogFixture {
    test::TempDir dir;
    std::string path = test::scratchDatabase(dir.file("a.db"));
    Database db{path, Database::Mode::CreateIfMissing};
    AuditLog log{db};

    LogFixture() {
        FixedClock clock(*parseTimestamp("2026-11-24T10:00:00Z"));
        Transaction tx(db);
        for (int i = 1; i <= 5; ++i) {
            log.append({clock.now(), "cli:test", "roster.nurse.added",
                        "n" + std::to_string(i) + "@x.example",
                        "{\"name\":\"Åse " + std::to_string(i) + "\"}"});
            clock.advance(std::chrono::minutes(1));
        }
        tx.commit();
    }

    void tamper(const std::string& sql) {
        test::execSql(path,
                      "DROP TRIGGER IF EXISTS audit_event_no_update; DROP TRIGGER IF EXISTS "
                      "audit_event_no_delete; " +
                          sql);
    }
};

}  // namespace

TEST_CASE("an untouched log verifies and chains each event to the one before", "[audit]") {
    LogFixture f;
    const auto v = f.log.verify();
    CHECK(v.intact());
    CHECK(v.eventsChecked == 5);
    const auto events = f.log.list(0, 10);
    REQUIRE(events.size() == 5);
    CHECK(events[0].prevHash == AuditLog::genesisHash());
    CHECK(events[1].prevHash == events[0].hash);
    CHECK(events[4].hash == v.headHash);
    CHECK(events[0].occurredAt == "2026-11-24T10:00:00Z");
    CHECK(events[0].payload == "{\"name\":\"Åse 1\"}");
}

TEST_CASE("the database itself refuses updates and deletes of events", "[audit]") {
    LogFixture f;
    CHECK_THROWS_WITH(test::execSql(f.path, "UPDATE audit_event SET actor = 'x' WHERE seq = 2"),
                      Catch::Matchers::Contains("the audit log is append-only"));
    CHECK_THROWS_WITH(test::execSql(f.path, "DELETE FROM audit_event WHERE seq = 2"),
                      Catch::Matchers::Contains("the audit log is append-only"));
}

TEST_CASE("an edited event is found and named", "[audit]") {
    LogFixture f;
    f.tamper("UPDATE audit_event SET payload = '{\"name\":\"Eva\"}' WHERE seq = 3");
    const auto v = f.log.verify();
    CHECK(v.firstBadSeq == 3);
    CHECK(v.problem ==
          "event 3 was changed after it was written (its hash does not match its contents)");
    CHECK(v.eventsChecked == 2);
}

TEST_CASE("an edited event with a recomputed hash breaks the link of the next one", "[audit]") {
    LogFixture f;
    auto events = f.log.list(0, 10);
    AuditEvent e = events[2];
    e.actor = "cli:someone-else";
    const std::string newHash = AuditLog::hashOf(e);
    f.tamper("UPDATE audit_event SET actor = 'cli:someone-else', hash = '" + newHash +
             "' WHERE seq = 3");
    const auto v = f.log.verify();
    CHECK(v.firstBadSeq == 4);
    CHECK(v.problem ==
          "event 4 does not follow the event before it (its previous-hash differs): an event "
          "before it was deleted, inserted or rewritten");
}

TEST_CASE("a deleted event in the middle is found", "[audit]") {
    LogFixture f;
    f.tamper("DELETE FROM audit_event WHERE seq = 2");
    const auto v = f.log.verify();
    CHECK(v.firstBadSeq == 2);
    CHECK(v.problem == "event 2 is missing: the log jumps from event 1 to 3");
}

TEST_CASE("deleted events at the end are found through the head", "[audit]") {
    LogFixture f;
    f.tamper("DELETE FROM audit_event WHERE seq >= 4");
    const auto v = f.log.verify();
    CHECK(v.firstBadSeq == 4);
    CHECK(v.problem == "events 4 to 5 are missing from the end of the log");
}

TEST_CASE("an inserted event is found, at the end or renumbered into the middle", "[audit]") {
    SECTION("appended without the head") {
        LogFixture f;
        auto last = f.log.list(4, 1).at(0);
        AuditEvent forged = last;
        forged.seq = 6;
        forged.prevHash = last.hash;
        forged.hash = AuditLog::hashOf(forged);
        f.tamper("INSERT INTO audit_event VALUES (6, '" + forged.occurredAt +
                 "', 'x', 'x', 'x', '{}', '" + forged.prevHash + "', '" + forged.hash + "')");
        const auto v = f.log.verify();
        CHECK(v.firstBadSeq == 6);
    }
    SECTION("renumbered into the middle") {
        LogFixture f;
        f.tamper(
            "UPDATE audit_event SET seq = 6 WHERE seq = 5; UPDATE audit_event SET seq = 5 WHERE "
            "seq = 4;"
            "UPDATE audit_event SET seq = 4 WHERE seq = 3;"
            "INSERT INTO audit_event VALUES (3, '2026-11-24T10:02:30Z', 'x', 'x', 'x', '{}', 'aa', "
            "'bb');"
            "UPDATE audit_head SET seq = 6");
        const auto v = f.log.verify();
        CHECK(v.firstBadSeq == 3);
        CHECK(v.problem ==
              "event 3 does not follow the event before it (its previous-hash differs): an event "
              "before it was deleted, inserted or rewritten");
    }
}

TEST_CASE("an event appended in a rolled-back transaction leaves no trace, and the next "
          "transaction chains to the event before it",
          "[audit]") {
    LogFixture f;
    const AuditHead before = f.log.head();
    {
        Transaction tx(f.db);
        f.log.append({*parseTimestamp("2026-11-25"), "cli:test", "x", "y", "{}"});
        f.log.append({*parseTimestamp("2026-11-25"), "cli:test", "x", "z", "{}"});
    }
    CHECK(f.log.verify().intact());
    CHECK(f.log.verify().eventsChecked == 5);
    CHECK(f.log.head().hash == before.hash);
    {
        Transaction tx(f.db);
        CHECK(f.log.append({*parseTimestamp("2026-11-26"), "cli:test", "x", "w", "{}"}).prevHash ==
              before.hash);
        f.log.append({*parseTimestamp("2026-11-26"), "cli:test", "x", "v", "{}"});
        tx.commit();
    }
    CHECK(f.log.verify().intact());
    CHECK(f.log.verify().eventsChecked == 7);
}

TEST_CASE("writes sent ahead are read back in their transaction, and one that fails fails the "
          "transaction: nothing of it kept, the next one written",
          "[audit]") {
    // On PostgreSQL appends and outbox rows go out without waiting (Query::send), and their
    // outcome comes back at the next statement or the commit.
    LogFixture f;
    OutboxRepository outbox(f.db);
    const Timestamp at = *parseTimestamp("2026-11-25T10:00:00Z");
    OutboxMessage m = reminder("1");
    {
        Transaction tx(f.db);
        f.log.append({at, "cli:test", "case.timer", "FB-2026-0001", "{}"});
        outbox.enqueue(m, at);
        CHECK(f.log.list(0, 10).size() == 6);  // the read waits for the writes before it
        CHECK(outbox.list("queued").size() == 1);
        tx.commit();
    }
    CHECK_THROWS_AS(([&] {
                        Transaction tx(f.db);
                        f.log.append({at, "cli:test", "case.timer", "FB-2026-0002", "{}"});
                        outbox.enqueue(m, at);  // the same Message-ID: refused by the database
                        f.log.append({at, "cli:test", "case.timer", "FB-2026-0003", "{}"});
                        tx.commit();
                    }()),
                    AlreadyExists);
    CHECK(f.log.verify().intact());
    CHECK(f.log.verify().eventsChecked == 6);
    CHECK(outbox.list("queued").size() == 1);
    {
        Transaction tx(f.db);
        f.log.append({at, "cli:test", "case.timer", "FB-2026-0004", "{}"});
        outbox.enqueue(reminder("2"), at);
        tx.commit();
    }
    CHECK(f.log.verify().intact());
    CHECK(f.log.verify().eventsChecked == 7);
    CHECK(outbox.list("queued").size() == 2);
}

TEST_CASE("messages queued in one transaction, more than one statement holds, are all written "
          "at its commit, each once and in the order queued, and none if it rolls back",
          "[audit]") {
    // Queued messages are held back and written kind by kind in multi-row statements of up to
    // 64 rows (Lease::hold): 150 go as 64 + 64 (each when held) + 16 + 4 + 2 at the commit.
    LogFixture f;
    OutboxRepository outbox(f.db);
    const Timestamp at = *parseTimestamp("2026-11-25T10:00:00Z");
    const auto queue = [&](int from, int count) {
        for (int i = from; i < from + count; ++i) {
            outbox.enqueue(reminder(std::to_string(i)), at);
            if (i % 10 == 0)  // another kind of write between them
                f.log.append({at, "cli:test", "case.timer", std::to_string(i), "{}"});
        }
    };
    {
        Transaction tx(f.db);
        queue(1, 150);
        tx.commit();
    }
    auto queued = outbox.list("queued");
    REQUIRE(queued.size() == 150);
    for (std::size_t i = 0; i < queued.size(); ++i) {  // newest first
        const std::string n = std::to_string(150 - i);
        CHECK(queued[i].messageId == "m" + n + "@avtaleflyt");
        CHECK(queued[i].recipient == "n" + n + "@x.example");
        CHECK(queued[i].subject == "Påminnelse " + n);
        CHECK(queued[i].caseId == 0);
    }
    CHECK(f.log.verify().eventsChecked == 5 + 15);
    {
        Transaction tx(f.db);
        queue(151, 70);  // 64 of them written before the rollback
    }
    CHECK(outbox.list("queued").size() == 150);
    queue(221, 1);  // outside a transaction: written at once
    CHECK(outbox.list("queued").size() == 151);
    CHECK(f.log.verify().intact());
}

TEST_CASE("threads sharing one database write one unbroken chain and lose no event",
          "[audit][concurrency]") {
    // Each thread borrows a connection of its own; BEGIN IMMEDIATE puts the writers in a queue,
    // readers read beside them (WAL). Eight writers and two readers at once.
    LogFixture f;
    constexpr int kWriters = 8, kEventsEach = 50;
    std::atomic<int> failures{0}, reads{0};
    std::atomic<bool> writing{true};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w)
        threads.emplace_back([&, w] {
            FixedClock clock(*parseTimestamp("2026-11-25T10:00:00Z"));
            for (int i = 0; i < kEventsEach; ++i) {
                try {
                    Transaction tx(f.db);
                    f.log.append({clock.now(), "cli:writer" + std::to_string(w), "test.event",
                                  "w" + std::to_string(w), "{}"});
                    tx.commit();
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    for (int r = 0; r < 2; ++r)
        threads.emplace_back([&] {
            while (writing) {
                Snapshot snapshot(f.db);
                const auto first = f.log.list(0, 3);
                const auto again = f.log.list(0, 1000000);
                if (first.size() != 3 || again.size() < 5)
                    ++failures;
                ++reads;
            }
        });
    for (int w = 0; w < kWriters; ++w)
        threads[static_cast<std::size_t>(w)].join();
    writing = false;
    for (std::size_t t = kWriters; t < threads.size(); ++t)
        threads[t].join();

    CHECK(failures == 0);
    CHECK(reads > 0);
    const auto v = f.log.verify();
    CHECK(v.intact());
    CHECK(v.eventsChecked == 5 + kWriters * kEventsEach);
    for (int w = 0; w < kWriters; ++w)
        CHECK(f.log.forSubject("w" + std::to_string(w)).size() == kEventsEach);
}

TEST_CASE("two servers on one database append one unbroken chain and lose no event",
          "[audit][concurrency]") {
    // Two Database objects (two servers' pools) on one database, four writers each.
    LogFixture f;
    Database second{f.path, Database::Mode::OpenExisting};
    AuditLog secondLog{second};
    constexpr int kWritersEach = 4, kEventsEach = 40;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < 2 * kWritersEach; ++w)
        threads.emplace_back([&, w] {
            Database& db = w % 2 ? second : f.db;
            AuditLog& log = w % 2 ? secondLog : f.log;
            FixedClock clock(*parseTimestamp("2026-11-25T10:00:00Z"));
            for (int i = 0; i < kEventsEach; ++i) {
                try {
                    Transaction tx(db);
                    log.append({clock.now(), "cli:writer", "test.event", "w" + std::to_string(w),
                                "{}"});
                    tx.commit();
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    const auto v = f.log.verify();
    CHECK(v.intact());
    CHECK(v.eventsChecked == 5 + 2 * kWritersEach * kEventsEach);
}
