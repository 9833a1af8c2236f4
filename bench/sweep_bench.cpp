// The reminder sweep at scale: N open signature requests (N/2 function descriptions, nurse and
// leader each), of which 1% are due for a reminder now.
//   sweep_bench N DIR [DATABASE]   prints the sweep's time, the mails it wrote and its memory
// The installation is made with the engine (on SQLite in DIR, or on the PostgreSQL database
// DATABASE, which must be empty); the cases are written with SQL directly (opening 500,000 cases
// through the engine would render 500,000 PDFs). scripts/bench.sh runs it for 100,000 and
// 10,000 requests on SQLite and for 1,000,000 on PostgreSQL.
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>

#include "avtaleflyt/engine/Installation.h"

using namespace avtaleflyt;

namespace {

const engine::Actor kBench{"bench"};

// CPU seconds this process has used (user and system): the engine's own share of a sweep's time,
// the rest being the database's.
double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The resident set now, in MiB (from /proc; ru_maxrss would be the peak of the whole run).
double rssMib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

// Runs SQL statements on the installation's database, whichever it is.
class Sql {
  public:
    Sql(const std::string& sqlitePath, const std::string& postgresql) {
        if (postgresql.empty()) {
            sqlite3_open(sqlitePath.c_str(), &sqlite_);
        } else {
            pg_ = PQconnectdb(postgresql.c_str());
            if (PQstatus(pg_) != CONNECTION_OK)
                throw std::runtime_error(postgresql + ": " + PQerrorMessage(pg_));
        }
    }
    ~Sql() {
        if (sqlite_)
            sqlite3_close(sqlite_);
        if (pg_)
            PQfinish(pg_);
    }
    bool postgresql() const { return pg_ != nullptr; }
    void operator()(const std::string& sql) {
        if (pg_) {
            PGresult* r = PQexec(pg_, sql.c_str());
            const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
            const std::string message = ok ? "" : PQresultErrorMessage(r);
            PQclear(r);
            if (!ok)
                throw std::runtime_error(message + " in " + sql.substr(0, 80));
            return;
        }
        char* error = nullptr;
        if (sqlite3_exec(sqlite_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            const std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(message + " in " + sql.substr(0, 80));
        }
    }

  private:
    sqlite3* sqlite_ = nullptr;
    PGconn* pg_ = nullptr;
};

void populate(Sql& exec, int requests, const std::string& now) {
    exec("BEGIN");
    const int cases = requests / 2, leaders = std::max(1, cases / 10);
    exec("INSERT INTO unit (area_id, name, kind) SELECT id, 'Post ' || id, 'other' FROM area");
    // Leaders, then nurses (each under one leader, in one of the units).
    exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                 std::to_string(leaders) +
                 ") INSERT INTO person (email, name, created_at, updated_at) SELECT 'leder' || i "
                 "|| '@bench.example', 'Leder ' || i, '" +
                 now + "', '" + now + "' FROM n");
    exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                 std::to_string(cases) +
                 ") INSERT INTO person (email, name, created_at, updated_at) SELECT 'sykepleier' "
                 "|| i || '@bench.example', 'Sykepleier ' || i, '" +
                 now + "', '" + now + "' FROM n");
    exec("INSERT INTO membership (network_id, person_id, unit_id, leader_id, status, "
             "status_since, member_since) SELECT 1, p.id, (SELECT min(id) FROM unit) + (p.id % "
             "(SELECT count(*) FROM unit)), 1 + (p.id % " +
                 std::to_string(leaders) + "), 'active', '2026-01-01', '2026-01-01' FROM person p "
                                           "WHERE p.email LIKE 'sykepleier%'");
    // One sent function description per nurse, due 60 days after sending.
    exec("INSERT INTO case_file (reference, network_id, workflow, template, template_version, "
             "title, subject_person_id, area, state, version, deadline, created_at, updated_at) "
             "SELECT " + std::string(exec.postgresql() ? "'FB-2026-' || lpad(m.person_id::text, 6, '0')" : "printf('FB-2026-%06d', m.person_id)") + ", 1, 'function-description', "
             "'function-description', 1, 'Funksjonsbeskrivelse for ressurssykepleier: ' || "
             "p.name, m.person_id, (SELECT a.name FROM unit u JOIN area a ON a.id = u.area_id "
             "WHERE u.id = m.unit_id), 'sent', 2, '2027-01-20T08:00:00Z', '" +
                 now + "', '" + now +
                 "' FROM membership m JOIN person p ON p.id = m.person_id");
    exec("INSERT INTO signature_request (case_id, role, person_id, position, status) SELECT "
             "c.id, 'nurse', c.subject_person_id, 1, 'open' FROM case_file c");
    exec("INSERT INTO signature_request (case_id, role, person_id, position, status) SELECT "
             "c.id, 'leader', m.leader_id, 2, 'open' FROM case_file c JOIN membership m ON "
             "m.person_id = c.subject_person_id");
    // Every case has its reminder, escalations and expiry; 1% of the reminders are due now.
    exec("INSERT INTO case_timer (case_id, name, due_at) SELECT id, 'reminder', CASE WHEN id "
             "% 100 = 0 THEN '2026-11-24T08:00:00Z' ELSE '2026-11-30T08:00:00Z' END FROM "
             "case_file");
    exec("INSERT INTO case_timer (case_id, name, due_at) SELECT id, 'escalation-leader', "
             "'2026-12-14T08:00:00Z' FROM case_file");
    exec("INSERT INTO case_timer (case_id, name, due_at) SELECT id, 'expiry', "
             "'2027-01-20T08:00:00Z' FROM case_file");
    exec("COMMIT");
    // As a network that has run for days would be when it sweeps: autovacuum has vacuumed and
    // analysed the rows (the first reader of a freshly loaded row no longer sets its hint bits,
    // dirtying its page), and the load's pages have been written by a checkpoint.
    if (exec.postgresql()) {
        exec("VACUUM ANALYZE");
        exec("CHECKPOINT");
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3 && argc != 4) {
        std::fprintf(stderr, "usage: sweep_bench REQUESTS DIR [POSTGRESQL-DATABASE]\n");
        return 2;
    }
    const int requests = std::max(200, std::atoi(argv[1]));
    const std::string data = std::string(argv[2]) + "/data";
    const std::string database = argc == 4 ? argv[3] : "";
    engine::Settings settings;
    settings.databaseUrl = database;
    FixedClock clock(*parseTimestamp("2026-11-24T09:00:00Z"));  // Tuesday 10:00 in Oslo
    engine::Installation::init(data, clock, kBench, database);
    {
        engine::Installation setup(data, clock, settings);
        setup.rosters().addNetwork(kBench, "Benchnettverket", {"A", "B", "C", "D", "E", "F"});
    }
    {
        Sql sql(data + "/avtaleflyt.db", database);
        populate(sql, requests, formatTimestamp(clock.now()));
    }
    engine::Installation installation(data, clock, settings);
    const double before = rssMib();
    const double cpu0 = cpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    const auto report = installation.reminders().runDue(kBench, false);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpuSeconds() - cpu0;
    const double after = rssMib();
    std::printf("database=%s\nrequests=%d\nfired=%zu\nmails=%zu\nsweep_seconds=%.3f\n"
                "engine_cpu_seconds=%.3f\nrss_before_mib=%.1f\nrss_after_mib=%.1f\n",
                database.empty() ? "sqlite" : "postgresql", requests, report.fired.size(),
                report.mails.size(), seconds, cpu, before, after);
    return 0;
}
