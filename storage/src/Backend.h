#pragma once
// Private to storage: the database engines avtaleflyt runs on (SQLite, PostgreSQL) behind one
// small interface, so that Database, Query and the repositories are written once.

#include <cstdint>
#include <memory>
#include <string>

#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

// One prepared statement on one connection. Bind (parameters from 1), then step through the
// rows; reset() makes it ready for its next use with no bindings. Errors throw AlreadyExists (a
// unique constraint) or StorageError, with the database's own message.
class BackendStatement {
  public:
    virtual ~BackendStatement() = default;
    virtual void bindText(int index, const std::string& value) = 0;
    virtual void bindInteger(int index, std::int64_t value) = 0;
    virtual void bindBlob(int index, const std::string& bytes) = 0;
    virtual void bindNull(int index) = 0;
    virtual bool step() = 0;      // true: a row is there to read
    // Runs a statement that returns no rows; where the database can, without waiting for its
    // outcome (see Query::send and Query::sendChanging: `rows` -1 for any number).
    virtual void send(int rows, const std::string& refusal) {
        while (step()) {
        }
        if (rows >= 0 && changes() != rows)
            throw StorageError(refusal);
    }
    virtual int changes() const = 0;  // the rows the statement changed, once stepped to the end
    virtual bool isNull(int column) const = 0;
    virtual std::int64_t integer(int column) const = 0;  // NULL reads as 0, a boolean as 0 or 1
    virtual std::string bytes(int column) const = 0;     // text or a blob; NULL reads as empty
    virtual bool busy() const = 0;  // stepped, and not yet reset
    virtual void reset() = 0;
};

// One connection. A write transaction queues behind every other writer of the database, on any
// server (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock taken when it begins), so the
// audit chain stays one chain and no transaction fails for a writer it met half-way; a read
// transaction sees one snapshot. Only the connection's own thread uses it.
class BackendConnection {
  public:
    virtual ~BackendConnection() = default;
    // `sql` outlives the statement (see Query); its placeholders are checked ($1, $2, ...).
    // A statement `kept` is used again and again (the connection's cache of Query); one not
    // kept runs once.
    virtual std::unique_ptr<BackendStatement> prepare(const char* sql, bool kept) = 0;
    // Runs SQL that may hold several statements; throws StorageError naming `what`.
    virtual void execScript(const std::string& sql, const std::string& what) = 0;
    virtual void beginWrite() = 0;
    virtual void beginRead() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    virtual bool inTransaction() const = 0;
    // False once the connection to the server is lost: then it is closed, not pooled again.
    virtual bool usable() const = 0;
};

// A database of one engine at one place: opens its connections.
class Backend {
  public:
    virtual ~Backend() = default;
    virtual std::unique_ptr<BackendConnection> connect() = 0;  // StorageError if it cannot
    virtual Dialect dialect() const = 0;
    const std::string& name() const { return name_; }  // for messages: no password in it

  protected:
    explicit Backend(std::string name) : name_(std::move(name)) {}

  private:
    std::string name_;
};

// The SQLite file at `path` (created by the first connection when `create`).
std::unique_ptr<Backend> sqliteBackend(const std::string& path, bool create);
// The PostgreSQL database that `conninfo` names (a postgresql:// URL or key=value pairs).
std::unique_ptr<Backend> postgresqlBackend(const std::string& conninfo);

}  // namespace avtaleflyt::storage
