#include "TestSupport.h"

#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <sqlite3.h>

#include <sys/wait.h>
#include <cstdio>
#include <cstdlib>
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
    }
    ~Db() { sqlite3_close(db); }
    sqlite3* db = nullptr;
};
}  // namespace

void execSql(const std::string& dbPath, const std::string& sql) {
    Db d(dbPath);
    char* error = nullptr;
    if (sqlite3_exec(d.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string m = error ? error : "?";
        sqlite3_free(error);
        throw std::runtime_error("SQL failed: " + m + " in: " + sql);
    }
}

std::string querySql(const std::string& dbPath, const std::string& sql) {
    Db d(dbPath);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(d.db));
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    return out;
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

}  // namespace avtaleflyt::test
