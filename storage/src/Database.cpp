#include "avtaleflyt/storage/Database.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/DataException.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>

#include "DatabaseImpl.h"

using namespace Poco::Data::Keywords;

namespace avtaleflyt::storage {
namespace {

constexpr int kBusyTimeoutMs = 10000;

void registerSqlite() {
    static std::once_flag once;
    std::call_once(once, [] {
        // SQLite counts every allocation under one process-wide mutex unless told not to: with
        // many request threads that mutex, not the queries, would set the pace.
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        Poco::Data::SQLite::Connector::registerConnector();
    });
}

int currentVersion(Lease& db) {
    int version = 0;
    db.session << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(version), now;
    return version;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& migrationFiles();  // generated

const std::vector<Migration>& builtinMigrations() {
    static const std::vector<Migration> migrations = [] {
        std::vector<Migration> out;
        for (const auto& [file, sql] : migrationFiles()) {
            // NNNN_name.sql, numbered 1, 2, 3, ...; cmake/EmbedFiles.cmake sorts them by name.
            const bool named =
                file.size() > 9 && file[4] == '_' && file.find_first_not_of("0123456789") == 4;
            if (!named || std::stoi(file.substr(0, 4)) != static_cast<int>(out.size()) + 1)
                throw std::logic_error(
                    "storage/migrations/" + file +
                    ": migrations are named NNNN_name.sql and numbered 1, 2, 3, ...");
            out.push_back({std::stoi(file.substr(0, 4)), file.substr(5, file.size() - 9), sql});
        }
        return out;
    }();
    return migrations;
}

namespace {

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

}  // namespace

Pooled::Pooled(const std::string& path)
    : session("SQLite", path), handle(Poco::Data::SQLite::Utility::dbHandle(session)) {
    sqlite3_busy_handler(handle, &waitBriefly, nullptr);
    sqlite3_exec(handle, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", nullptr,
                 nullptr, nullptr);
}

Pooled::~Pooled() {
    for (const auto& [sql, statement] : prepared) sqlite3_finalize(statement);
}

Database::Impl::Impl(std::string file, std::size_t maxConnections)
    : path(std::move(file)), capacity(std::max<std::size_t>(1, maxConnections)) {}

Database::Impl::~Impl() = default;  // every Lease is gone: each connection is idle

std::unique_ptr<Pooled> Database::Impl::take() {
    std::unique_lock lock(mutex_);
    const auto giveUp =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    while (idle_.empty() && open_ >= capacity)
        if (returned_.wait_until(lock, giveUp) == std::cv_status::timeout && idle_.empty() &&
            open_ >= capacity)
            throw StorageError(path + ": every database connection is in use (" +
                               std::to_string(capacity) + ")");
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
    }
    ++open_;  // counted before opening, outside the lock: a slow open holds up no one else
    lock.unlock();
    try {
        return std::make_unique<Pooled>(path);
    } catch (const Poco::Exception& e) {
        lock.lock();
        --open_;
        returned_.notify_one();
        throw StorageError(path + ": cannot open the database: " + e.displayText());
    }
}

void Database::Impl::giveBack(std::unique_ptr<Pooled> connection) {
    constexpr std::size_t kAlwaysKept = 4;
    constexpr auto kIdleLimit = std::chrono::seconds(60);
    const auto now = std::chrono::steady_clock::now();
    connection->idleSince = now;
    std::vector<std::unique_ptr<Pooled>> closing;  // closed after the lock is released
    {
        const std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
        // The least recently used first: those idle for long are at the front.
        while (idle_.size() > kAlwaysKept && now - idle_.front()->idleSince > kIdleLimit) {
            closing.push_back(std::move(idle_.front()));
            idle_.erase(idle_.begin());
            --open_;
        }
    }
    returned_.notify_one();
}

struct Lease::Active {
    Database::Impl* db;
    std::unique_ptr<Pooled> connection;
    int leases;
};

namespace {

// The connections the calling thread holds, one per database it is using.
thread_local std::vector<std::unique_ptr<Lease::Active>> held;

Lease::Active* acquire(Database::Impl& db) {
    for (auto& a : held)
        if (a->db == &db) {
            ++a->leases;
            return a.get();
        }
    held.push_back(std::make_unique<Lease::Active>(Lease::Active{&db, db.take(), 1}));
    return held.back().get();
}

}  // namespace

Lease::Lease(Database& db) : Lease(db.impl()) {}

Lease::Lease(Database::Impl& db) : Lease(db, acquire(db)) {}

Lease::Lease(Database::Impl& db, Active* active)
    : path(db.path), session(active->connection->session), active_(active) {}

Lease::~Lease() {
    if (--active_->leases > 0)
        return;
    for (auto it = held.begin(); it != held.end(); ++it)
        if (it->get() == active_) {
            auto active = std::move(*it);
            held.erase(it);
            active->db->giveBack(std::move(active->connection));
            return;
        }
}

sqlite3* Lease::handle() {
    return active_->connection->handle;
}

std::int64_t Lease::lastInsertId() {
    return sqlite3_last_insert_rowid(handle());
}

void Lease::execScript(const std::string& sql, const std::string& what) {
    char* error = nullptr;
    if (sqlite3_exec(handle(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw StorageError(path + ": " + what + ": " + message);
    }
}

Database::Database(const std::string& path, Mode mode, const std::vector<Migration>& migrations,
                   std::size_t maxConnections) {
    registerSqlite();
    if (mode == Mode::OpenExisting && !Poco::File(path).exists())
        throw StorageError(path + ": no database here");
    // Poco retries a failed open for its login timeout (60 s by default): say at once instead.
    if (Poco::File(path).exists() && ::access(path.c_str(), R_OK | W_OK) != 0)
        throw StorageError(path + ": cannot open the database: " + std::strerror(errno) +
                           " (run avtaleflyt as the user who owns the data folder)");
    impl_ = std::make_unique<Impl>(path, maxConnections);
    Lease db(*impl_);
    db.execScript("SELECT count(*) FROM sqlite_master", "not an avtaleflyt database");
    db.execScript("PRAGMA journal_mode = WAL", "setting up the database");

    db.execScript(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        "creating the schema_version table");
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    const int version = currentVersion(db);
    if (version > latest)
        throw SchemaTooNew(path + ": the database has schema version " + std::to_string(version) +
                           ", but this avtaleflyt knows versions up to " + std::to_string(latest) +
                           "; use a newer avtaleflyt with this data folder");
    for (const auto& m : migrations) {
        if (m.version <= version)
            continue;
        Transaction tx(*this);
        db.execScript(m.sql, "migration " + std::to_string(m.version) + " (" + m.name + ")");
        db.session << "INSERT INTO schema_version (version, name, applied_at) "
                          "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            bind(m.version), bind(m.name), now;
        tx.commit();
    }
}

Database::~Database() = default;

const std::string& Database::path() const {
    return impl_->path;
}

int Database::schemaVersion() const {
    Lease db(*impl_);
    return currentVersion(db);
}

Transaction::Transaction(Database& db) : lease_(std::make_unique<Lease>(db)) {
    lease_->execScript("BEGIN IMMEDIATE", "starting a transaction");
}

Transaction::~Transaction() {
    if (done_)
        return;
    sqlite3_exec(lease_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    lease_->execScript("COMMIT", "committing");
    done_ = true;
}

Connection::Connection(Database& db) : lease_(std::make_unique<Lease>(db)) {}
Connection::~Connection() = default;

// Inside a transaction already (a Transaction, or an outer Snapshot), that one is the snapshot.
Snapshot::Snapshot(Database& db) : lease_(std::make_unique<Lease>(db)) {
    if (sqlite3_get_autocommit(lease_->handle()) == 0)
        lease_.reset();
    else
        lease_->execScript("BEGIN", "starting a read");
}

Snapshot::~Snapshot() {
    if (lease_)
        sqlite3_exec(lease_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Query::Query(Lease& db, const char* sql) : db_(db) {
    auto& prepared = db.active_->connection->prepared;
    for (const auto& [key, statement] : prepared)
        if (key == sql)
            statement_ = statement;
    if (statement_ && !sqlite3_stmt_busy(statement_))
        return;
    owned_ = statement_ != nullptr;
    statement_ = nullptr;
    if (sqlite3_prepare_v3(db.handle(), sql, -1, owned_ ? 0 : SQLITE_PREPARE_PERSISTENT,
                           &statement_, nullptr) != SQLITE_OK) {
        sqlite3_finalize(statement_);
        throw StorageError(db.path + ": " + sqlite3_errmsg(db.handle()));
    }
    if (!owned_)
        prepared.emplace_back(sql, statement_);
}

Query::~Query() {
    if (owned_) {
        sqlite3_finalize(statement_);
        return;
    }
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

Query& Query::bind(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Query& Query::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
}

Query& Query::bindBlob(int index, const std::string& bytes) {
    sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    return *this;
}

int Query::run() {
    while (step()) {
    }
    return sqlite3_changes(db_.handle());
}

bool Query::step() {
    const int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const std::string message = db_.path + ": " + sqlite3_errmsg(db_.handle());
    if (sqlite3_extended_errcode(db_.handle()) == SQLITE_CONSTRAINT_UNIQUE)
        throw AlreadyExists(message);
    throw StorageError(message);
}

std::int64_t Query::integer(int column) const {
    return sqlite3_column_int64(statement_, column);
}

std::string Query::text(int column) const {
    const void* bytes = sqlite3_column_blob(statement_, column);
    return bytes ? std::string(static_cast<const char*>(bytes),
                               static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)))
                 : std::string();
}

}  // namespace avtaleflyt::storage
