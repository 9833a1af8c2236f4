#pragma once
// Private to storage: what the repositories need of an open database.

#include <chrono>
#include <cstddef>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "Backend.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

// A kind of row INSERT that a write transaction holds back and sends with the other rows of
// its kind as one multi-row statement (Lease::hold): the server runs one statement for many
// rows, not one per row. `head` is the statement up to its rows ("INSERT INTO t (a, b) VALUES
// "), `row` one row's values with the placeholders $1 to $N, each once and in order ("($1,
// NULLIF($2, 0))"). Made once, as a static: its statements are kept, by address, on every
// connection, one for each number of rows it is sent in (1, 2, 4, ..., kMostRows).
class HeldInsert {
  public:
    static constexpr std::size_t kMostRows = 64;  // rows a statement sends at most

    HeldInsert(const char* head, const char* row);
    int columns() const { return columns_; }
    // The statement for `rows` rows, a power of two up to kMostRows.
    const char* sql(std::size_t rows) const;

  private:
    int columns_ = 0;
    std::vector<std::string> sql_;  // by the number of rows' binary logarithm
};

// A value bound to a held row.
struct HeldValue {
    enum class Kind { Text, Integer, Blob };
    HeldValue(std::string value) : kind(Kind::Text), text(std::move(value)) {}
    HeldValue(std::int64_t value) : kind(Kind::Integer), integer(value) {}
    static HeldValue blob(std::string bytes) {
        HeldValue v(std::move(bytes));
        v.kind = Kind::Blob;
        return v;
    }
    Kind kind;
    std::string text;  // or the blob's bytes
    std::int64_t integer = 0;
};

// What a write transaction has learnt of the database while it runs, kept so that it is not
// read again, and the rows it holds back: valid from its begin to its commit or rollback
// (Transaction resets it at each), because no other writer can change the database meanwhile
// (writers queue behind one another).
struct WriteMemo {
    bool writing = false;  // a Transaction is open on the connection
    // The audit head as this transaction's last append left it (sequence number and hash).
    std::optional<std::pair<std::int64_t, std::string>> auditHead;
    // The rows held back, by kind in the order first held: each kind's values row after row.
    std::vector<std::pair<const HeldInsert*, std::vector<HeldValue>>> held;
};

// One connection of the pool, and the statements prepared on it once for Query (destroyed
// before the connection closes).
struct Pooled {
    std::unique_ptr<BackendConnection> connection;
    std::vector<std::pair<const char*, std::unique_ptr<BackendStatement>>> prepared;  // by SQL address
    std::chrono::steady_clock::time_point idleSince;
    WriteMemo memo;

    ~Pooled() { prepared.clear(); }
};

// The connections of one database. A connection is made when a thread needs one and none is
// idle, up to `capacity`; a thread beyond that waits for one (up to the busy timeout, then
// StorageError). Idle connections stay open for the next caller; beyond the first few, those
// idle for a minute are closed, and so is every connection found broken (a PostgreSQL server
// that went away): the next caller gets a new one.
class Database::Impl {
  public:
    Impl(std::unique_ptr<Backend> backend, std::size_t maxConnections);
    ~Impl();

    std::unique_ptr<Pooled> take();
    void giveBack(std::unique_ptr<Pooled> connection);

    const std::unique_ptr<Backend> backend;
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
// it, so a transaction's statements all run on one connection. The last
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
    BackendConnection& connection();
    Dialect dialect() const;
    WriteMemo& memo();  // of the connection's write transaction

    // Inserts a row of `kind` (its values in the order of its placeholders). Inside a write
    // transaction the row is held back, and sent with the others held, kind by kind and as few
    // statements as can be, before the connection runs any other statement (so the transaction
    // reads what it wrote), at the commit, or once kMostRows of its kind are held; outside one
    // it is sent at once. Sent as Query::send sends: a failure (a constraint) fails the
    // transaction there; so only for inserts nobody waits for or handles the failure of.
    void hold(const HeldInsert& kind, std::vector<HeldValue> values);
    // Sends every row held back now (see hold).
    void sendHeld();

    const std::string& name;  // the database, for messages

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
//
// Portability: the same SQL text runs on SQLite and PostgreSQL. Placeholders are $1, $2, ...,
// each number's first use in ascending order (SQLite numbers them by first appearance, not by
// the digit; PostgreSQL knows no `?`): checked when the statement is prepared. A new row's id
// comes from `INSERT ... RETURNING id` (runReturning), an upsert is `ON CONFLICT ... DO UPDATE`,
// times are bound from C++ as text (no strftime, no now()), and a boolean is never summed: use
// CASE WHEN ... THEN 1 ELSE 0 END.
class Query {
  public:
    Query(Lease& db, const char* sql);
    // SQL made at run time (a table's columns, say): prepared for this Query only, never kept.
    // `sql` outlives the Query; next() readies it for another run with new bindings.
    struct Unkept {};
    Query(Lease& db, const std::string& sql, Unkept);
    void next();
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(int index, const std::string& value);
    Query& bind(int index, const char* value) { return bind(index, std::string(value)); }
    Query& bind(int index, std::int64_t value);
    Query& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Query& bind(int index, const std::optional<std::string>& value);  // nullopt: NULL
    Query& bindBlob(int index, const std::string& bytes);
    bool step();        // true: a row is there to read
    int run();          // steps to the end; the rows it changed
    // Runs a write whose changed rows are not needed, inside a write transaction. PostgreSQL
    // sends it without waiting (libpq's pipeline): the server works on it while the caller
    // goes on, and its outcome is collected at the connection's next statement or the commit,
    // where a failure is thrown (and the transaction rolled back). Not for a statement whose
    // failure the caller handles (AlreadyExists for "already has one", say).
    void send();
    // send() of a write that must change exactly `rows` rows (an update guarded by a version,
    // say): if it changes another number, the transaction fails with StorageError(refusal),
    // here or where the outcome is collected, and nothing of it is written.
    void sendChanging(int rows, const std::string& refusal);
    std::int64_t runReturning();  // steps to the end; the first column of the first row
    bool isNull(int column) const;
    std::int64_t integer(int column) const;  // NULL reads as 0
    std::string text(int column) const;      // NULL reads as empty
    std::string bytes(int column) const;     // a BLOB's bytes; NULL reads as empty

  private:
    Lease& db_;
    BackendStatement* statement_ = nullptr;
    std::unique_ptr<BackendStatement> owned_;  // a fresh one while the kept one is busy
};

}  // namespace avtaleflyt::storage
