#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "TestSupport.h"
#include "avtaleflyt/storage/Database.h"

using namespace avtaleflyt;
using namespace avtaleflyt::storage;

TEST_CASE("a new database gets every migration and WAL mode", "[migrations][sqlite]") {
    test::TempDir dir;
    const std::string path = dir.file("a.db");
    {
        Database db(path, Database::Mode::CreateIfMissing);
        CHECK(db.schemaVersion() == builtinMigrations().back().version);
    }
    CHECK(test::querySql(path, "PRAGMA journal_mode") == "wal");
    std::string expected;
    for (const auto& m : builtinMigrations())
        expected += (expected.empty() ? "" : ",") + std::to_string(m.version) + ":" + m.name;
    CHECK(test::querySql(path,
                         "SELECT group_concat(version || ':' || name, ',') FROM schema_version") ==
          expected);
}

TEST_CASE("opening again applies only the migrations that are new", "[migrations]") {
    test::TempDir dir;
    const std::string path = test::scratchDatabase(dir.file("a.db"));
    std::vector<Migration> v1 = {{1, "first", "CREATE TABLE t1 (x INTEGER);"}};
    { Database db(path, Database::Mode::CreateIfMissing, v1); }
    std::vector<Migration> v2 = v1;
    v2.push_back({2, "second", "CREATE TABLE t2 (x INTEGER); INSERT INTO t1 VALUES (7);"});
    {
        Database db(path, Database::Mode::OpenExisting, v2);
        CHECK(db.schemaVersion() == 2);
    }
    { Database again(path, Database::Mode::OpenExisting, v2); }
    CHECK(test::querySql(path, "SELECT count(*) FROM t1") == "1");  // migration 2 ran once
}

TEST_CASE("a database newer than the program is refused and left alone", "[migrations]") {
    test::TempDir dir;
    const std::string path = test::scratchDatabase(dir.file("a.db"));
    std::string name;
    {
        Database db(path, Database::Mode::CreateIfMissing);
        name = db.name();
    }
    test::execSql(path, "INSERT INTO schema_version VALUES (99, 'future', '2030-01-01T00:00:00Z')");
    CHECK_THROWS_AS(Database(path, Database::Mode::OpenExisting), SchemaTooNew);
    CHECK_THROWS_WITH(
        Database(path, Database::Mode::OpenExisting),
        name + ": the database has schema version 99, but this avtaleflyt knows versions up to " +
            std::to_string(builtinMigrations().back().version) +
            "; use a newer avtaleflyt with this database");
    CHECK(test::querySql(path, "SELECT max(version) FROM schema_version") == "99");
}

TEST_CASE("a failing migration is rolled back whole and named", "[migrations]") {
    test::TempDir dir;
    const std::string path = test::scratchDatabase(dir.file("a.db"));
    std::vector<Migration> ms = {
        {1, "first", "CREATE TABLE t1 (x INTEGER);"},
        {2, "broken", "CREATE TABLE t2 (x INTEGER); INSERT INTO nowhere VALUES (1);"}};
    CHECK_THROWS_WITH(Database(path, Database::Mode::CreateIfMissing, ms),
                      Catch::Contains(": migration 2 (broken): ") && Catch::Contains("nowhere"));
    CHECK(test::querySql(path, "SELECT max(version) FROM schema_version") == "1");
    // t2 was rolled back with the migration: creating it again succeeds
    CHECK_NOTHROW(test::execSql(path, "CREATE TABLE t2 (x INTEGER)"));
}

TEST_CASE("opening a missing database or a file that is not one fails clearly",
          "[migrations][sqlite]") {
    test::TempDir dir;
    CHECK_THROWS_WITH(Database(dir.file("none.db"), Database::Mode::OpenExisting),
                      dir.file("none.db") + ": no database here");
    test::writeFile(dir.file("text.db"), std::string(4096, 'x'));
    CHECK_THROWS_WITH(
        Database(dir.file("text.db"), Database::Mode::OpenExisting),
        Catch::Matchers::StartsWith(dir.file("text.db") + ": not an avtaleflyt database"));
}

TEST_CASE("a transaction not committed leaves nothing behind", "[migrations]") {
    test::TempDir dir;
    const std::string path = test::scratchDatabase(dir.file("a.db"));
    Database db(path, Database::Mode::CreateIfMissing, {{1, "t", "CREATE TABLE t (x INTEGER);"}});
    {
        Transaction tx(db);
        test::querySql(path, "SELECT 1");  // another connection can still read
    }
    {
        Transaction tx(db);
        tx.commit();
    }
    CHECK(db.schemaVersion() == 1);
}

TEST_CASE("the shipped migrations are numbered 1, 2, 3, ... and named", "[migrations][sqlite]") {
    const auto& ms = builtinMigrations();
    REQUIRE_FALSE(ms.empty());
    for (std::size_t i = 0; i < ms.size(); ++i) {
        CHECK(ms[i].version == static_cast<int>(i) + 1);
        CHECK_FALSE(ms[i].name.empty());
    }
    CHECK(ms.front().name == "initial");
}

TEST_CASE("with every connection in use a caller waits for one, and past the busy timeout is told "
          "so by name",
          "[migrations][sqlite]") {
    test::TempDir dir;
    const std::string path = dir.file("a.db");
    Database db(path, Database::Mode::CreateIfMissing, {{1, "t", "CREATE TABLE t (x INTEGER);"}},
                1);
    std::promise<void> holding, release;
    std::thread holder([&] {
        const Connection held(db);  // the only connection
        holding.set_value();
        release.get_future().wait();
    });
    holding.get_future().wait();
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(db.schemaVersion(),
                      Catch::Contains(path) && Catch::Contains("every database connection is in "
                                                               "use (1)"));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::seconds(9));

    // Given back while another caller waits: that caller gets it.
    auto waiter = std::async(std::launch::async, [&] { return db.schemaVersion(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    release.set_value();
    holder.join();
    CHECK(waiter.get() == 1);
}

TEST_CASE("servers starting at once on one database apply each migration once", "[migrations]") {
    test::TempDir dir;
    const std::string path = test::scratchDatabase(dir.file("a.db"));
    std::vector<Migration> ms = {{1, "first", "CREATE TABLE t1 (x INTEGER);"},
                                 {2, "second", "INSERT INTO t1 VALUES (1);"}};
    std::vector<std::future<int>> servers;
    for (int i = 0; i < 4; ++i)
        servers.push_back(std::async(std::launch::async, [&] {
            return Database(path, Database::Mode::CreateIfMissing, ms).schemaVersion();
        }));
    for (auto& s : servers) CHECK(s.get() == 2);
    CHECK(test::querySql(path, "SELECT count(*) FROM t1") == "1");  // migration 2 ran once
    CHECK(test::querySql(path, "SELECT count(*) FROM schema_version") == "2");
}

TEST_CASE("PostgreSQL locations that cannot be used are refused clearly, naming the database and no password",
          "[migrations][postgresql]") {
    // Nothing listens on port 1: refused at once.
    CHECK_THROWS_WITH(
        Database("postgresql://someone:secret@127.0.0.1:1/avtaleflyt",
                 Database::Mode::OpenExisting),
        Catch::StartsWith("PostgreSQL database \"avtaleflyt\" at 127.0.0.1:1: cannot connect: ") &&
            !Catch::Contains("secret"));
    CHECK_THROWS_WITH(Database("host=/nowhere dbname=x user=y password=secret",
                               Database::Mode::OpenExisting),
                      Catch::StartsWith("PostgreSQL database \"x\" at /nowhere: cannot connect") &&
                          !Catch::Contains("secret"));
    CHECK_THROWS_WITH(Database("postgresql://[broken", Database::Mode::OpenExisting),
                      Catch::StartsWith("database.url: not a PostgreSQL connection string: "));
    CHECK(isPostgresqlLocation("postgresql://u@h/db"));
    CHECK(isPostgresqlLocation("host=/run/postgresql dbname=avtaleflyt"));
    CHECK_FALSE(isPostgresqlLocation("/var/lib/avtaleflyt/avtaleflyt.db"));
    CHECK_FALSE(isPostgresqlLocation("data=1/avtaleflyt.db"));
}
