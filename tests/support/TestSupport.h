#pragma once
// Helpers for the tests: a private temporary folder per test, files, running the CLI, and
// raw SQL on a database (for tampering with it the way an attacker would).

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace avtaleflyt::test {

// A fresh folder under the system's temp folder, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

void writeFile(const std::string& path, const std::string& bytes);
std::string readFile(const std::string& path);
// What `run` wrote to the process's standard error (file descriptor 2, where C libraries such
// as libxml2 write), while it ran.
std::string stderrOf(const std::function<void()>& run);

struct CliResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

// The avtaleflyt binary built with the tests.
std::string avtaleflytBinary();

// Runs the avtaleflyt binary built with the tests, with `args`, in `workDir`, and waits.
// AVTALEFLYT_DATA is unset for it, so only --data decides the data folder.
CliResult runCli(const std::vector<std::string>& args, const std::string& workDir);

// The database a test's installation uses: "" (the SQLite file in its data folder), or, when
// AVTALEFLYT_TEST_POSTGRESQL names a PostgreSQL server (ctest's "postgresql:" tests, see
// tests/CMakeLists.txt), a new, empty database on it, made for the caller.
std::string newDatabase();
bool onPostgresql();  // whether newDatabase() makes PostgreSQL databases
// A database for a storage test: newDatabase() on PostgreSQL, else `file` (an SQLite file).
std::string scratchDatabase(const std::string& file);
// Where execSql and querySql find an installation's database: `database`, or DATA/avtaleflyt.db.
std::string databaseOf(const std::string& dataDir, const std::string& database);

// Runs SQL (several statements allowed) on the database at `dbPath` (an SQLite file, or a
// PostgreSQL connection string from newDatabase()); throws on failure.
void execSql(const std::string& dbPath, const std::string& sql);
// The first column of the first row of `sql`, as text ("" if no row).
std::string querySql(const std::string& dbPath, const std::string& sql);
// The first column of every row of `sql`, as text.
std::vector<std::string> queryColumn(const std::string& dbPath, const std::string& sql);

// A MIME message's text with quoted-printable undone (soft line breaks and =XX; enough for the
// tests).
std::string quotedPrintableDecoded(const std::string& mime);
// The signing link's token (43 characters after "/s/") in a MIME message; "" when there is none.
std::string signingTokenIn(const std::string& mime);

// Runs a shell command line (a tool such as pdftotext), returning its exit code and its
// standard output and error together.
CliResult runTool(const std::string& commandLine);

// The text of the PDF `pdf` as poppler's pdftotext gives it (with -layout if `layout`).
std::string pdfText(const std::string& pdf, bool layout = false);

// A free TCP port on 127.0.0.1 (free when asked; nothing holds it).
unsigned freePort();

// A real SMTP server for the mail tests: Debian's aiosmtpd under /usr/bin/python3, storing
// every message it accepts as a file in `maildir`/new. Started by start(), stopped by stop()
// or on destruction.
class SmtpServer {
  public:
        // With `tlsCert` and `tlsKey` (PEM files) it offers STARTTLS and requires it.
    SmtpServer(unsigned port, std::string maildir, std::string tlsCert = "",
               std::string tlsKey = "");
    ~SmtpServer();
    void start();  // returns once the server accepts connections; throws if it does not
    void stop();
    unsigned port() const { return port_; }
    std::vector<std::string> messages() const;  // the files received, their contents

  private:
    unsigned port_;
        std::string maildir_, tlsCert_, tlsKey_;
    int pid_ = 0;
};

// How much the peak resident memory (max RSS) grows while `work` runs, in MiB: measured in a
// child process, so that nothing the test process held before counts. What `work` throws is
// ignored. Nothing under AddressSanitizer, whose shadow memory and quarantine would count too.
std::optional<double> peakMemoryGrowthMiB(const std::function<void()>& work);

// The lines, one per line (for messages of failed checks).
std::string joinLines(const std::vector<std::string>& lines);

// Counts the lines of `text` that contain `needle`.
std::size_t countLines(const std::string& text, const std::string& needle);

// An installation in a private folder, driven through the avtaleflyt binary as a user runs it.
struct CliFixture {
    TempDir dir;
    std::string data = dir.file("data");
    std::string database = newDatabase();  // init gets --database with it, when not empty

    // avtaleflyt --data DATA ARGS, in the fixture's folder.
    CliResult run(std::vector<std::string> args);
    // The same with `input` on its standard input.
    CliResult runWithInput(const std::vector<std::string>& args, const std::string& input);
    std::string db() const { return databaseOf(data, database); }
    std::string sql(const std::string& query) const { return querySql(db(), query); }
    long long count(const std::string& query) const { return std::stoll(sql(query)); }
    std::string events() const { return sql("SELECT count(*) FROM audit_event"); }

    // init, and the sample network's name list (DIR/liste.csv) imported, on 2 November 2026;
    // with `nurses`, a network of that many (else the sample's own size).
    void sample(int nurses = 0);
};

}  // namespace avtaleflyt::test
