// Dashboard users: password hashing, sign-in with lock-out, sessions that end, API tokens.
#include <catch2/catch.hpp>

#include <ctime>

#include <algorithm>
#include <chrono>
#include <vector>

#include "TestSettings.h"
#include "TestSupport.h"
#include "Tester.h"
#include "avtaleflyt/engine/Installation.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;
using namespace std::chrono_literals;

namespace {

struct UserFixture {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-24T09:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings = test::onDatabase(database);
    UserFixture() {
        Installation::init(data, clock, kTester, database);
        Installation i = open();
        i.rosters().addNetwork(kTester, "Nettverk", {"Follo", "Ahus"});
        i.users().add(kTester, "nora", "Nora Nett", "network_leader", "", "", "riktig-passord-1");
        i.users().add(kTester, "geir", "Geir Lund", "area_leader", "", "follo", "riktig-passord-2");
    }
    Installation open() { return Installation(data, clock, settings); }
    std::string sql(const std::string& q) const {
        return test::querySql(test::databaseOf(data, database), q);
    }
};

}  // namespace

TEST_CASE("users: passwords are stored as scrypt hashes and bad input is refused", "[users]") {
    UserFixture f;
    const std::string hash = f.sql("SELECT password_hash FROM app_user WHERE username = 'nora'");
    CHECK(hash.rfind("scrypt$32768$8$1$", 0) == 0);
    CHECK(hash.find("riktig-passord-1") == std::string::npos);
    CHECK(f.sql("SELECT area FROM app_user WHERE username = 'geir'") == "Follo");
    Installation i = f.open();
    CHECK_THROWS_WITH(i.users().add(kTester, "x", "", "network_leader", "", "", "kort"),
                      "the password is too short: at least 10 characters");
    CHECK_THROWS_WITH(i.users().add(kTester, "x", "", "king", "", "", "langt-nok-passord"),
                      "the role is network_leader, area_leader or records_office, not \"king\"");
    CHECK_THROWS_WITH(i.users().add(kTester, "x", "", "area_leader", "", "", "langt-nok-passord"),
                      "an area leader needs --area");
    CHECK_THROWS_WITH(i.users().add(kTester, "NORA", "", "network_leader", "", "", "langt-nok-passord"),
                      "the user name \"NORA\" is taken");
    CHECK(f.sql("SELECT count(*) FROM audit_event WHERE kind = 'user.added'") == "2");
}

TEST_CASE("users: five wrong passwords lock the account for a quarter of an hour", "[users]") {
    UserFixture f;
    Installation i = f.open();
    CHECK_FALSE(i.users().signIn(kTester, "ukjent", "riktig-passord-1").ok);
    for (int n = 0; n < Users::kMaxFailedSignIns; ++n) {
        const auto wrong = i.users().signIn(kTester, "nora", "feil-passord");
        CHECK_FALSE(wrong.ok);
        CHECK(wrong.refusal == "wrong user name or password");
    }
    const auto locked = i.users().signIn(kTester, "nora", "riktig-passord-1");
    CHECK_FALSE(locked.ok);
    CHECK(locked.refusal == "too many failed attempts: locked until 2026-11-24T09:15:00Z");
    f.clock.advance(16min);
    CHECK(i.users().signIn(kTester, "nora", "riktig-passord-1").ok);
}

TEST_CASE("users: a session lasts eight hours, ends on sign-out, password change or disabling",
          "[users]") {
    UserFixture f;
    Installation i = f.open();
    const auto in = i.users().signIn(kTester, "geir", "riktig-passord-2");
    REQUIRE(in.ok);
    CHECK(f.sql("SELECT count(*) FROM web_session WHERE token_sha256 = '" + in.token + "'") == "0");
    const auto session = i.users().sessionUser(in.token);
    REQUIRE(session);
    CHECK(session->first.role == "area_leader");
    CHECK(session->first.area == "Follo");
    CHECK(session->second.size() == 64);  // the CSRF token
    f.clock.advance(8h + 1s);
    CHECK_FALSE(i.users().sessionUser(in.token));

    const auto again = i.users().signIn(kTester, "geir", "riktig-passord-2");
    i.users().signOut(again.token);
    CHECK_FALSE(i.users().sessionUser(again.token));

    const auto third = i.users().signIn(kTester, "geir", "riktig-passord-2");
    i.users().setPassword(kTester, "geir", "nytt-passord-123");
    CHECK_FALSE(i.users().sessionUser(third.token));
    CHECK_FALSE(i.users().signIn(kTester, "geir", "riktig-passord-2").ok);

    const auto fourth = i.users().signIn(kTester, "geir", "nytt-passord-123");
    const std::string api = i.users().createApiToken(kTester, "geir");
    CHECK(i.users().apiUser(api));
    i.users().disable(kTester, "geir");
    CHECK_FALSE(i.users().sessionUser(fourth.token));
    CHECK_FALSE(i.users().apiUser(api));
    CHECK_FALSE(i.users().signIn(kTester, "geir", "nytt-passord-123").ok);
}

TEST_CASE("users: signing in as a name that does not exist takes as long as a wrong password "
          "(69 ms against 135 ms told which names exist)",
          "[users]") {
    UserFixture f;
    Installation i = f.open();
    // The work each path does: this thread's CPU time (other processes on a loaded machine do
    // not count in it), alternating, and the least of each.
    const auto cpuMs = [] {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
    };
    const auto timed = [&](const std::string& user) {
        const double start = cpuMs();
        CHECK_FALSE(i.users().signIn(kTester, user, "feil-passord").ok);
        return cpuMs() - start;
    };
    timed("ukjent");  // the first unknown name makes the hash every unknown name is checked with
    double unknown = 1e9, known = 1e9;
    for (int n = 0; n < 4; ++n) {  // fewer wrong passwords than the lock-out's five
        unknown = std::min(unknown, timed("ukjent"));
        known = std::min(known, timed("nora"));
    }
    INFO("unknown user " << unknown << " ms, wrong password " << known << " ms");
    CHECK(unknown < known * 1.5);
    CHECK(known < unknown * 1.5);
}
