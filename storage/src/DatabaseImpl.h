#pragma once
// Private to storage: what the repositories need of an open database.

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>

#include <memory>
#include <string>

#include "avtaleflyt/storage/Database.h"

struct sqlite3;

namespace avtaleflyt::storage {

// The connections of one database file: a Poco::Data::SessionPool whose sessions are set up
// (busy timeout, foreign keys, synchronous) when the pool makes them.
class Database::Impl {
  public:
    Impl(std::string file, std::size_t maxConnections);
    ~Impl();

    std::string path;
    std::unique_ptr<Poco::Data::SessionPool> pool;
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

    const std::string& path;
    Poco::Data::Session& session;

    struct Active;  // the thread's connection and how many Leases share it

  private:
    Lease(Database::Impl& db, Active* active);
    Active* active_;
};

}  // namespace avtaleflyt::storage
