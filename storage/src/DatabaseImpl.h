#pragma once
// Private to storage: what the repositories need of an open database.

#include <Poco/Data/Session.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/storage/Database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace avtaleflyt::storage {

// One connection to the database file: a Poco::Data session set up for avtaleflyt (busy timeout,
// foreign keys, synchronous), and the statements prepared on it once for Query. The statements
// are finalized before the session closes.
struct Pooled {
    explicit Pooled(const std::string& path);
    ~Pooled();
    Pooled(const Pooled&) = delete;
    Pooled& operator=(const Pooled&) = delete;

    Poco::Data::Session session;
    sqlite3* handle;
    std::vector<std::pair<const char*, sqlite3_stmt*>> prepared;  // by the SQL's address
    std::chrono::steady_clock::time_point idleSince;
};

// The connections of one database file. A connection is made when a thread needs one and none
// is idle, up to `capacity`; a thread beyond that waits for one (up to the busy timeout, then
// StorageError). Idle connections stay open for the next caller; beyond the first few, those
// idle for a minute are closed.
class Database::Impl {
  public:
    Impl(std::string file, std::size_t maxConnections);
    ~Impl();

    std::unique_ptr<Pooled> take();
    void giveBack(std::unique_ptr<Pooled> connection);

    const std::string path;
    const std::size_t capacity;

  private:
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Pooled>> idle_;  // the most recently used last
    std::size_t open_ = 0;
};

// The connection the calling thread uses for this database while the Lease lives. The first
// Lease of a thread takes a connection from the pool; every further Lease of that thread on the
// same database (a repository call inside a Transaction or a Database::Connection, say) shares
// it, so a transaction's statements and last_insert_rowid() all see one connection. The last
// Lease to go gives the connection back. A Lease belongs to the thread that made it.
class Lease {
  public:
    explicit Lease(Database& db);
    explicit Lease(Database::Impl& db);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    // Runs SQL that may hold several statements; throws StorageError naming `what`.
    void execScript(const std::string& sql, const std::string& what);
    sqlite3* handle();
    std::int64_t lastInsertId();  // the rowid of the connection's last INSERT

    const std::string& path;
    Poco::Data::Session& session;

    struct Active;  // the thread's connection and how many Leases share it

  private:
    friend class Query;
    Lease(Database::Impl& db, Active* active);
    Active* active_;
};

// A statement prepared once on each connection and kept there, where Poco::Data would parse and
// plan the SQL again on every call: for the statements a request or a send runs again and again.
// `sql` must outlive the database (a string literal, or a static string): its address is the
// key. Bind the parameters (from 1), then step through the rows, or run() a statement that
// returns none; the statement is reset for its next use when the Query goes. A statement still
// stepping (the same SQL used again while its rows are being read) gets a fresh one, finalized
// with the Query.
class Query {
  public:
    Query(Lease& db, const char* sql);
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(int index, const std::string& value);
    Query& bind(int index, std::int64_t value);
    Query& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Query& bindBlob(int index, const std::string& bytes);
    bool step();        // true: a row is there to read
    int run();          // steps to the end; the rows it changed
    std::int64_t integer(int column) const;  // NULL reads as 0
    std::string text(int column) const;      // NULL reads as empty; a BLOB as its bytes

  private:
    Lease& db_;
    sqlite3_stmt* statement_ = nullptr;
    bool owned_ = false;
};

}  // namespace avtaleflyt::storage
