// The SQLite backend: one database file in WAL mode, opened through Poco::Data and used through
// SQLite's own API (prepared statements kept per connection, a busy handler that polls).

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "Backend.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {
namespace {

constexpr int kBusyTimeoutMs = 10000;

// SQLite's own busy timeout sleeps ever longer between tries (1, 2, 5, 10, ... 100 ms): behind
// a writer that takes the lock again a moment after each commit (a send of thousands of cases
// in another process), a signature waited 190 ms for a lock that was free every millisecond.
// This one tries again every quarter millisecond until kBusyTimeoutMs.
constexpr int kBusyPollMicroseconds = 250;
int waitBriefly(void*, int tries) {
    if (tries * kBusyPollMicroseconds >= kBusyTimeoutMs * 1000)
        return 0;  // give up: SQLITE_BUSY
    ::usleep(kBusyPollMicroseconds);
    return 1;
}

void registerSqlite() {
    static std::once_flag once;
    std::call_once(once, [] {
        // SQLite counts every allocation under one process-wide mutex unless told not to: with
        // many request threads that mutex, not the queries, would set the pace.
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        Poco::Data::SQLite::Connector::registerConnector();
    });
}

class SqliteStatement final : public BackendStatement {
  public:
    SqliteStatement(sqlite3* db, sqlite3_stmt* statement, const std::string& name)
        : db_(db), statement_(statement), name_(name) {}
    ~SqliteStatement() override { sqlite3_finalize(statement_); }

    void bindText(int index, const std::string& value) override {
        sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT);
    }
    void bindInteger(int index, std::int64_t value) override {
        sqlite3_bind_int64(statement_, index, value);
    }
    void bindBlob(int index, const std::string& bytes) override {
        sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    }
    void bindNull(int index) override { sqlite3_bind_null(statement_, index); }

    bool step() override {
        const int rc = sqlite3_step(statement_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        const std::string message = name_ + ": " + sqlite3_errmsg(db_);
        if (sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_UNIQUE)
            throw AlreadyExists(message);
        throw StorageError(message);
    }
    int changes() const override { return sqlite3_changes(db_); }
    bool isNull(int column) const override {
        return sqlite3_column_type(statement_, column) == SQLITE_NULL;
    }
    std::int64_t integer(int column) const override {
        return sqlite3_column_int64(statement_, column);
    }
    std::string bytes(int column) const override {
        const void* data = sqlite3_column_blob(statement_, column);
        return data ? std::string(static_cast<const char*>(data),
                                  static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)))
                    : std::string();
    }
    bool busy() const override { return sqlite3_stmt_busy(statement_) != 0; }
    void reset() override {
        sqlite3_reset(statement_);
        sqlite3_clear_bindings(statement_);
    }

  private:
    sqlite3* db_;
    sqlite3_stmt* statement_;
    const std::string& name_;
};

class SqliteConnection final : public BackendConnection {
  public:
    explicit SqliteConnection(const std::string& path)
        : path_(path),
          session_("SQLite", path),
          handle_(Poco::Data::SQLite::Utility::dbHandle(session_)) {
        sqlite3_busy_handler(handle_, &waitBriefly, nullptr);
        execScript("SELECT count(*) FROM sqlite_master", "not an avtaleflyt database");
        execScript("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                   "setting up the connection");
    }

    std::unique_ptr<BackendStatement> prepare(const char* sql, bool kept) override {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v3(handle_, sql, -1, kept ? SQLITE_PREPARE_PERSISTENT : 0, &statement,
                               nullptr) != SQLITE_OK) {
            sqlite3_finalize(statement);
            throw StorageError(path_ + ": " + sqlite3_errmsg(handle_));
        }
        auto prepared = std::make_unique<SqliteStatement>(handle_, statement, path_);
        checkPlaceholders(statement, sql);
        return prepared;
    }

    void execScript(const std::string& sql, const std::string& what) override {
        char* error = nullptr;
        if (sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            const std::string message = error ? error : "unknown error";
            sqlite3_free(error);
            throw StorageError(path_ + ": " + what + ": " + message);
        }
    }

    // IMMEDIATE: the write lock is taken when the transaction begins, so a writer that read
    // first never finds it taken when it comes to write (that fails at once in WAL mode).
    void beginWrite() override { execScript("BEGIN IMMEDIATE", "starting a transaction"); }
    void beginRead() override { execScript("BEGIN", "starting a read"); }
    void commit() override { execScript("COMMIT", "committing"); }
    void rollback() noexcept override {
        sqlite3_exec(handle_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    bool inTransaction() const override { return sqlite3_get_autocommit(handle_) == 0; }
    bool usable() const override { return true; }

  private:
    // Whether `sql`'s placeholders are $1, $2, ... with each number first used in ascending
    // order: the only form both SQLite and PostgreSQL read the same way.
    static void checkPlaceholders(sqlite3_stmt* statement, const char* sql) {
        const int count = sqlite3_bind_parameter_count(statement);
        for (int i = 1; i <= count; ++i) {
            const char* name = sqlite3_bind_parameter_name(statement, i);
            if (!name || name != "$" + std::to_string(i))
                throw std::logic_error(std::string("SQL placeholders must be $1, $2, ... each "
                                                   "first used in ascending order: ") + sql);
        }
    }

    const std::string& path_;
    Poco::Data::Session session_;
    sqlite3* handle_;
};

class SqliteBackend final : public Backend {
  public:
    SqliteBackend(const std::string& path, bool create) : Backend(path) {
        registerSqlite();
        if (!create && !Poco::File(path).exists())
            throw StorageError(path + ": no database here");
        // Poco retries a failed open for its login timeout (60 s by default): say at once.
        if (Poco::File(path).exists() && ::access(path.c_str(), R_OK | W_OK) != 0)
            throw StorageError(path + ": cannot open the database: " + std::strerror(errno) +
                               " (run avtaleflyt as the user who owns the data folder)");
        connect()->execScript("PRAGMA journal_mode = WAL", "setting up the database");
    }

    std::unique_ptr<BackendConnection> connect() override {
        try {
            return std::make_unique<SqliteConnection>(name());
        } catch (const Poco::Exception& e) {
            throw StorageError(name() + ": cannot open the database: " + e.displayText());
        }
    }
    Dialect dialect() const override { return Dialect::SQLite; }
};

}  // namespace

std::unique_ptr<Backend> sqliteBackend(const std::string& path, bool create) {
    return std::make_unique<SqliteBackend>(path, create);
}

}  // namespace avtaleflyt::storage
