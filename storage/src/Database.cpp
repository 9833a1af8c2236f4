#include "avtaleflyt/storage/Database.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "DatabaseImpl.h"

using namespace Poco::Data::Keywords;

namespace avtaleflyt::storage {
namespace {

constexpr int kBusyTimeoutMs = 10000;
constexpr std::size_t kOpenTimeoutS = 5;  // how long Poco retries opening the file

void registerSqlite() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

int currentVersion(Database::Impl& db) {
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

sqlite3* Database::Impl::handle() {
    return Poco::Data::SQLite::Utility::dbHandle(session);
}

void Database::Impl::execScript(const std::string& sql, const std::string& what) {
    char* error = nullptr;
    if (sqlite3_exec(handle(), sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw StorageError(path + ": " + what + ": " + message);
    }
}

Database::Database(const std::string& path, Mode mode, const std::vector<Migration>& migrations) {
    registerSqlite();
    if (mode == Mode::OpenExisting && !Poco::File(path).exists())
        throw StorageError(path + ": no database here");
    // Poco retries a failed open for its login timeout (60 s by default): say at once instead.
    if (Poco::File(path).exists() && ::access(path.c_str(), R_OK | W_OK) != 0)
        throw StorageError(path + ": cannot open the database: " + std::strerror(errno) +
                           " (run avtaleflyt as the user who owns the data folder)");
    try {
        impl_ = std::make_unique<Impl>(path, Poco::Data::Session("SQLite", path, kOpenTimeoutS));
        impl_->execScript("SELECT count(*) FROM sqlite_master", "not an avtaleflyt database");
        sqlite3_busy_timeout(impl_->handle(), kBusyTimeoutMs);
        impl_->execScript(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
            "PRAGMA synchronous = NORMAL;",
            "setting up the connection");
    } catch (const Poco::Exception& e) {
        throw StorageError(path + ": cannot open the database: " + e.displayText());
    }

    impl_->execScript(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        "creating the schema_version table");
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    const int version = currentVersion(*impl_);
    if (version > latest)
        throw SchemaTooNew(path + ": the database has schema version " + std::to_string(version) +
                           ", but this avtaleflyt knows versions up to " + std::to_string(latest) +
                           "; use a newer avtaleflyt with this data folder");
    for (const auto& m : migrations) {
        if (m.version <= version)
            continue;
        Transaction tx(*this);
        impl_->execScript(m.sql, "migration " + std::to_string(m.version) + " (" + m.name + ")");
        impl_->session << "INSERT INTO schema_version (version, name, applied_at) "
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
    return currentVersion(*impl_);
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.impl().execScript("BEGIN IMMEDIATE", "starting a transaction");
}

Transaction::~Transaction() {
    if (done_)
        return;
    char* error = nullptr;
    sqlite3_exec(db_.impl().handle(), "ROLLBACK", nullptr, nullptr, &error);
    sqlite3_free(error);
}

void Transaction::commit() {
    db_.impl().execScript("COMMIT", "committing");
    done_ = true;
}

}  // namespace avtaleflyt::storage
