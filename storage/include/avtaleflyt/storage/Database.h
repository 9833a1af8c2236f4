#pragma once
// The database of an installation: one SQLite file (in WAL mode, foreign keys on, a busy
// timeout), or a PostgreSQL database that several servers share; brought to the newest schema by
// numbered migrations when it is opened.
//
// Thread safety: a Database may be used from any number of threads at once. Each thread works on
// a connection of its own, borrowed from a pool for the length of one repository call or one
// Transaction; readers read while one writer writes.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace avtaleflyt::storage {

enum class Dialect { SQLite, PostgreSQL };

// A fault in storage: the message names the database (its file, or its PostgreSQL server and
// database, never a password) and the cause.
class StorageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A row the database keeps unique exists already (the message says which).
class AlreadyExists : public StorageError {
  public:
    using StorageError::StorageError;
};

// The database server cannot be reached, or the connection to it was lost (PostgreSQL): the
// statement did not run; a transaction it was part of is rolled back. Trying again later may
// succeed: the pool replaces broken connections by itself.
class DatabaseUnavailable : public StorageError {
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
    std::string postgresql = {};  // the same for PostgreSQL, where it differs; empty: `sql`
};

// The migrations compiled from storage/migrations/NNNN_name.sql, in version order, each with its
// PostgreSQL text from storage/migrations/postgresql/NNNN_name.sql where there is one.
const std::vector<Migration>& builtinMigrations();

class Database {
  public:
    enum class Mode { OpenExisting, CreateIfMissing };

    // Opens the database at `location` and applies the pending `migrations`, each in its own
    // transaction together with its row in schema_version. `location` is the path of an SQLite
    // file, or a PostgreSQL database: a postgresql:// URL or libpq's key=value pairs
    // ("host=/run/postgresql dbname=avtaleflyt"; see isPostgresqlLocation). Throws StorageError
    // if the file is missing or the PostgreSQL database holds no schema (OpenExisting), it is
    // not a database or cannot be reached, or a migration fails (the database is left at the
    // last migration that succeeded), and SchemaTooNew if the database knows a version beyond
    // the last of `migrations`.
    // At most `maxConnections` threads use the database at once; a further one waits for a
    // connection (up to the busy timeout, then StorageError).
    static constexpr std::size_t kDefaultConnections = 64;
    Database(const std::string& location, Mode mode,
             const std::vector<Migration>& migrations = builtinMigrations(),
             std::size_t maxConnections = kDefaultConnections);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const std::string& name() const;  // for messages: the file, or server and database
    Dialect dialect() const;
    int schemaVersion() const;

    class Impl;  // defined in storage/src; used by the repositories only
    Impl& impl() { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

class Lease;

// Whether `location` names a PostgreSQL database rather than an SQLite file: it begins with
// postgresql:// or postgres://, or holds libpq's key=value pairs (host=..., dbname=...).
bool isPostgresqlLocation(const std::string& location);

// A write transaction on the calling thread's connection. Write transactions queue behind one
// another, in every process on the database (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
// lock taken as it begins), so none fails half-way for another writer and the audit log stays
// one chain: every repository call the thread makes
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

// A read snapshot (SQLite: a deferred BEGIN; PostgreSQL: REPEATABLE READ, READ ONLY) on the
// calling thread's connection: the repository calls the
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
