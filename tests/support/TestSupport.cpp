#include "TestSupport.h"

#include <catch2/catch.hpp>

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/Environment.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cctype>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace avtaleflyt::test {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/avtaleflyt-test-XXXXXX";
    if (!mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    try {
        Poco::File(path_).remove(true);
    } catch (...) {
    }
}

void writeFile(const std::string& path, const std::string& bytes) {
    Poco::FileOutputStream out(path, std::ios::out | std::ios::binary | std::ios::trunc);
    out << bytes;
}

std::string readFile(const std::string& path) {
    Poco::FileInputStream in(path, std::ios::in | std::ios::binary);
    std::string s;
    Poco::StreamCopier::copyToString(in, s);
    return s;
}

std::string avtaleflytBinary() { return AVTALEFLYT_BIN; }

std::string pdfText(const std::string& pdf, bool layout) {
    TempDir dir;
    writeFile(dir.file("document.pdf"), pdf);
    return runTool(std::string("pdftotext ") + (layout ? "-layout '" : "'") +
                   dir.file("document.pdf") + "' -")
        .out;
}

CliResult runCli(const std::vector<std::string>& args, const std::string& workDir) {
    Poco::Pipe outPipe, errPipe;
    Poco::Process::Env env;
    env["AVTALEFLYT_DATA"] = "";
    Poco::ProcessHandle ph =
        Poco::Process::launch(AVTALEFLYT_BIN, args, workDir, nullptr, &outPipe, &errPipe, env);
    CliResult r;
    // Read both pipes at once, so a full stderr pipe cannot block the child.
    std::thread errReader([&] {
        Poco::PipeInputStream es(errPipe);
        Poco::StreamCopier::copyToString(es, r.err);
    });
    Poco::PipeInputStream os(outPipe);
    Poco::StreamCopier::copyToString(os, r.out);
    errReader.join();
    r.exitCode = ph.wait();
    return r;
}

unsigned freePort() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    const unsigned port = socket.address().port();
    socket.close();
    return port;
}

SmtpServer::SmtpServer(unsigned port, std::string maildir, std::string tlsCert,
                       std::string tlsKey)
    : port_(port),
      maildir_(std::move(maildir)),
      tlsCert_(std::move(tlsCert)),
      tlsKey_(std::move(tlsKey)) {}

SmtpServer::~SmtpServer() {
    stop();
}

void SmtpServer::start() {
            // Through sh, to keep the server's log (tracebacks of refused handshakes) out of the
    // test output.
    std::vector<std::string> args = {"-c", "exec \"$0\" \"$@\" 2>/dev/null", "/usr/bin/python3",
                                     "-m", "aiosmtpd", "-n", "-l",
                                     "127.0.0.1:" + std::to_string(port_)};
    if (!tlsCert_.empty())
        args.insert(args.end(), {"--tlscert", tlsCert_, "--tlskey", tlsKey_});
    args.insert(args.end(), {"-c", "aiosmtpd.handlers.Mailbox", maildir_});
        Poco::ProcessHandle ph = Poco::Process::launch("/bin/sh", args);
    pid_ = ph.id();
    for (int i = 0; i < 100; ++i) {
        try {
            Poco::Net::StreamSocket probe;
            probe.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port_)),
                          Poco::Timespan(0, 200000));
            return;
        } catch (const Poco::Exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    stop();
    throw std::runtime_error("aiosmtpd did not start on port " + std::to_string(port_) +
                             " (is python3-aiosmtpd installed?)");
}

void SmtpServer::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
    }
}

std::vector<std::string> SmtpServer::messages() const {
    std::vector<std::string> out;
    Poco::File dir(maildir_ + "/new");
    if (!dir.exists())
        return out;
    std::vector<std::string> names;
    dir.list(names);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) out.push_back(readFile(maildir_ + "/new/" + n));
    return out;
}

std::optional<double> peakMemoryGrowthMiB(const std::function<void()>& work) {
#if defined(__SANITIZE_ADDRESS__)
    (void)work;
    return std::nullopt;
#else
    int pipeFds[2];
    if (pipe(pipeFds) != 0)
        throw std::runtime_error("pipe failed");
    const pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        close(pipeFds[0]);
        rusage before{}, after{};
        getrusage(RUSAGE_SELF, &before);  // the parent's resident memory at the fork
        try {
            work();
        } catch (...) {
        }
        getrusage(RUSAGE_SELF, &after);
        const long kib = after.ru_maxrss - before.ru_maxrss;
        const bool written = write(pipeFds[1], &kib, sizeof kib) == sizeof kib;
        _exit(written ? 0 : 1);
    }
    close(pipeFds[1]);
    long kib = -1;
    const bool read = ::read(pipeFds[0], &kib, sizeof kib) == sizeof kib;
    close(pipeFds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!read || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("the measuring child process failed");
    return static_cast<double>(kib) / 1024.0;
#endif
}

std::string joinLines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

CliResult runTool(const std::string& commandLine) {
    CliResult r;
    FILE* pipe = popen((commandLine + " 2>&1").c_str(), "r");
    if (!pipe)
        throw std::runtime_error("cannot run " + commandLine);
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) r.out.append(buf, n);
    const int status = pclose(pipe);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

namespace {
struct Db {
    explicit Db(const std::string& path) {
        if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path);
        // A test reads while the binary writes (or recovers the database of one it killed):
        // wait for a lock as the binary does, not fail at once.
        sqlite3_busy_timeout(db, 10000);
    }
    ~Db() { sqlite3_close(db); }
    sqlite3* db = nullptr;
};
}  // namespace

namespace {

bool isPostgresql(const std::string& location) {
    return location.rfind("postgresql://", 0) == 0;
}

// The tests write their own SQL as SQLite reads it; for PostgreSQL three SQLite forms are
// translated: json_extract(COLUMN, '$.KEY'), X'HEX' blob literals, and dropping the audit log's
// append-only triggers (PostgreSQL's are disabled instead).
std::string translated(std::string sql) {
    // (std::regex recurses per character: X'...' of a whole PDF is replaced by hand)
    for (std::size_t at = sql.find("X'"); at != std::string::npos; at = sql.find("X'", at)) {
        const std::size_t end = sql.find('\'', at + 2);
        if (end == std::string::npos)
            break;
        if (at > 0 && std::isalnum(static_cast<unsigned char>(sql[at - 1]))) {
            at = end + 1;
            continue;
        }
        const std::string literal = "'\\x" + sql.substr(at + 2, end - at - 2) + "'::bytea";
        sql.replace(at, end + 1 - at, literal);
        at += literal.size();
    }
    if (sql.find("json_extract") != std::string::npos)
        sql = std::regex_replace(sql, std::regex(R"(json_extract\((\w+), '\$\.(\w+)'\))"),
                                 "($1::json->>'$2')");
    if (sql.find("DROP TRIGGER") != std::string::npos)
        sql = std::regex_replace(
            sql, std::regex(R"(DROP TRIGGER (IF EXISTS )?audit_event_no_(update|delete))"),
            "ALTER TABLE audit_event DISABLE TRIGGER USER");
    return sql;
}

// A connection to a PostgreSQL database for the tests' own SQL; closed on destruction.
struct Pg {
    explicit Pg(const std::string& conninfo) : conn(PQconnectdb(conninfo.c_str())) {
        if (PQstatus(conn) != CONNECTION_OK)
            throw std::runtime_error("cannot connect to " + conninfo + ": " +
                                     PQerrorMessage(conn));
        PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
    }
    ~Pg() { PQfinish(conn); }
    Pg(const Pg&) = delete;
    Pg& operator=(const Pg&) = delete;

    // The result of `sql` (several statements allowed; the last one's rows), or throws.
    PGresult* run(const std::string& sqliteSql) {
        const std::string sql = translated(sqliteSql);
        PGresult* r = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            const std::string m = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error("SQL failed: " + m + " in: " + sql);
        }
        return r;
    }
    // Row `row`, column 0 as SQLite's tests expect it: a bytea's bytes, a boolean as 1 or 0.
    static std::string value(PGresult* r, int row) {
        if (PQgetisnull(r, row, 0))
            return "";
        const std::string v(PQgetvalue(r, row, 0), static_cast<std::size_t>(PQgetlength(r, row, 0)));
        if (PQftype(r, 0) == 16)  // BOOLOID
            return v == "t" ? "1" : "0";
        if (PQftype(r, 0) != 17)  // BYTEAOID: \x and hex digits
            return v;
        std::string bytes;
        for (std::size_t i = 2; i + 1 < v.size(); i += 2)
            bytes += static_cast<char>(std::stoi(v.substr(i, 2), nullptr, 16));
        return bytes;
    }
    PGconn* conn;
};

}  // namespace

bool onPostgresql() {
    return !Poco::Environment::get("AVTALEFLYT_TEST_POSTGRESQL", "").empty();
}

std::string newDatabase() {
    const std::string server = Poco::Environment::get("AVTALEFLYT_TEST_POSTGRESQL", "");
    if (server.empty())
        return "";
    static int made = 0;
    const std::string name = "test_" + std::to_string(::getpid()) + "_" + std::to_string(++made);
    Pg pg(server);
    PQclear(pg.run("DROP DATABASE IF EXISTS " + name));
    PQclear(pg.run("CREATE DATABASE " + name));
    // postgresql://USER@/postgres?host=DIR -> postgresql://USER@/NAME?host=DIR
    std::string url = server;
    url.replace(url.find("/postgres?"), 10, "/" + name + "?");
    return url;
}

std::string scratchDatabase(const std::string& file) {
    return onPostgresql() ? newDatabase() : file;
}

std::string databaseOf(const std::string& dataDir, const std::string& database) {
    return database.empty() ? dataDir + "/avtaleflyt.db" : database;
}

void execSql(const std::string& dbPath, const std::string& sql) {
    if (isPostgresql(dbPath)) {
        Pg pg(dbPath);
        PQclear(pg.run(sql));
        return;
    }
    Db d(dbPath);
    char* error = nullptr;
    if (sqlite3_exec(d.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string m = error ? error : "?";
        sqlite3_free(error);
        throw std::runtime_error("SQL failed: " + m + " in: " + sql);
    }
}

std::string querySql(const std::string& dbPath, const std::string& sql) {
    if (isPostgresql(dbPath)) {
        const auto rows = queryColumn(dbPath, sql);
        return rows.empty() ? "" : rows.front();
    }
    Db d(dbPath);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(d.db));
    std::string out;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(d.db));
    return out;
}

std::vector<std::string> queryColumn(const std::string& dbPath, const std::string& sql) {
    if (isPostgresql(dbPath)) {
        Pg pg(dbPath);
        PGresult* r = pg.run(sql);
        std::vector<std::string> out;
        for (int row = 0; row < PQntuples(r); ++row) out.push_back(Pg::value(r, row));
        PQclear(r);
        return out;
    }
    Db d(dbPath);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(d.db));
    std::vector<std::string> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* t = static_cast<const char*>(sqlite3_column_blob(st, 0));
        out.emplace_back(t ? t : "", static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
    }
    sqlite3_finalize(st);
    return out;
}

std::string quotedPrintableDecoded(const std::string& mime) {
    std::string text;
    for (std::size_t i = 0; i < mime.size(); ++i) {
        if (mime.compare(i, 3, "=\r\n") == 0) {
            i += 2;
        } else if (mime[i] == '=' && i + 2 < mime.size() && std::isxdigit(mime[i + 1]) &&
                   std::isxdigit(mime[i + 2])) {
            text += static_cast<char>(std::stoi(mime.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            text += mime[i];
        }
    }
    return text;
}

std::string signingTokenIn(const std::string& mime) {
    const std::string text = quotedPrintableDecoded(mime);
    std::smatch m;
    return std::regex_search(text, m, std::regex("/s/([A-Za-z0-9_-]{43})")) ? m[1].str() : "";
}

std::size_t countLines(const std::string& text, const std::string& needle) {
    std::istringstream in(text);
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line))
        if (line.find(needle) != std::string::npos)
            ++n;
    return n;
}

CliResult CliFixture::run(std::vector<std::string> args) {
    if (!args.empty() && args.front() == "init" && !database.empty())
        args.insert(args.begin() + 1, {"--database", database});
    args.insert(args.begin(), {"--data", data});
    return runCli(args, dir.path());
}

std::string stderrOf(const std::function<void()>& run) {
    TempDir dir;
    const std::string file = dir.file("stderr");
    // Standard error goes to `file` while it lives, however `run` ends.
    struct Redirected {
        int saved;
        explicit Redirected(const std::string& to) : saved(::dup(STDERR_FILENO)) {
            std::fflush(stderr);
            const int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(fd, STDERR_FILENO);
            ::close(fd);
        }
        ~Redirected() {
            std::fflush(stderr);
            ::dup2(saved, STDERR_FILENO);
            ::close(saved);
        }
    };
    {
        const Redirected redirected(file);
        run();
    }
    return readFile(file);
}

CliResult CliFixture::runWithInput(const std::vector<std::string>& args,
                                   const std::string& input) {
    const std::string file = dir.file("stdin");
    writeFile(file, input);
    const int saved = ::dup(STDIN_FILENO);
    const int fd = ::open(file.c_str(), O_RDONLY);
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
    auto r = run(args);
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    return r;
}

void CliFixture::sample(int nurses) {
    REQUIRE(run({"init", "--now", "2026-11-02"}).exitCode == 0);
    std::vector<std::string> args = {"sample", "roster", "--out", dir.file("liste.csv"),
                                     "--add-network", "--now", "2026-11-02"};
    if (nurses > 0)
        args.insert(args.end(), {"--nurses", std::to_string(nurses)});
    REQUIRE(run(args).exitCode == 0);
    REQUIRE(run({"import", "roster", dir.file("liste.csv"), "--now", "2026-11-02T08:00"})
                .exitCode == 0);
}

}  // namespace avtaleflyt::test
