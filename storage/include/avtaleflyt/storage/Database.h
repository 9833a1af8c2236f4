#pragma once
// The database of an installation: one SQLite file, opened in WAL mode with foreign keys on and
// a busy timeout, and brought to the newest schema by numbered migrations when it is opened.
//
// Thread safety: a Database may be used from any number of threads at once. Each thread works on
// a connection of its own, borrowed from a pool for the length of one repository call or one
// Transaction; SQLite's WAL mode lets readers read while one writer writes.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace avtaleflyt::storage {

// A fault in storage: the message names the database file and the cause.
class StorageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A row the database keeps unique exists already (the message says which).
class AlreadyExists : public StorageError {
  public:
    using StorageError::StorageError;
};

// The database was written by a newer avtaleflyt than this one.
class SchemaTooNew : public StorageError {
  public:
    using StorageError::StorageError;
};

struct Migration {
    int version;       // 1, 2, ...: applied in this order, each once
    std::string name;  // from the file name, e.g. "initial"
    std::string sql;   // one or more statements
};

// The migrations compiled from storage/migrations/NNNN_name.sql, in version order.
const std::vector<Migration>& builtinMigrations();

class Database {
  public:
    enum class Mode { OpenExisting, CreateIfMissing };

    // Opens the database at `path` and applies the pending `migrations`, each in its own
    // transaction together with its row in schema_version. Throws StorageError if the file is
    // missing (OpenExisting) or not a database, or a migration fails (the database is left at
    // the last migration that succeeded), and SchemaTooNew if the database knows a version
    // beyond the last of `migrations`.
    // At most `maxConnections` threads use the database at once; a further one waits for a
    // connection (up to the busy timeout, then StorageError).
    static constexpr std::size_t kDefaultConnections = 64;
    Database(const std::string& path, Mode mode,
             const std::vector<Migration>& migrations = builtinMigrations(),
             std::size_t maxConnections = kDefaultConnections);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::string& path() const;
    int schemaVersion() const;

    class Impl;  // defined in storage/src; used by the repositories only
    Impl& impl() { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

class Lease;

// A write transaction (BEGIN IMMEDIATE, so concurrent writers queue on the busy timeout rather
// than fail half-way) on the calling thread's connection: every repository call the thread makes
// while it lives is part of it. Rolled back on destruction unless commit() was called. Not
// nestable; not to be handed to another thread.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit();

  private:
    std::unique_ptr<Lease> lease_;
    bool done_ = false;
};

// Keeps the calling thread's connection for as long as it lives, so that the repository calls
// of one unit of work (a request, say) borrow a connection from the pool once, not once each.
// No transaction: each statement sees what is committed when it runs.
class Connection {
  public:
    explicit Connection(Database& db);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

  private:
    std::unique_ptr<Lease> lease_;
};

// A read snapshot (a deferred BEGIN) on the calling thread's connection: the repository calls the
// thread makes while it lives see the database as it was at the first of them, whatever other
// threads commit meanwhile. Ended (rolled back: it wrote nothing) on destruction.
class Snapshot {
  public:
    explicit Snapshot(Database& db);
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

  private:
    std::unique_ptr<Lease> lease_;
};

}  // namespace avtaleflyt::storage
