#include "avtaleflyt/storage/Database.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <map>

#include "DatabaseImpl.h"
#include "avtaleflyt/domain/Clock.h"

namespace avtaleflyt::storage {
namespace {

// How long a thread waits for a connection when every one is in use.
constexpr int kConnectionWaitMs = 10000;

int currentVersion(Lease& db) {
    Query select(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    select.step();
    return static_cast<int>(select.integer(0));
}

// NNNN_name.sql -> (NNNN, name); {0, ""} if the file is not named so.
std::pair<int, std::string> migrationName(const std::string& file) {
    const bool named = file.size() > 9 && file[4] == '_' &&
                       file.find_first_not_of("0123456789") == 4 &&
                       file.compare(file.size() - 4, 4, ".sql") == 0;
    if (!named)
        return {0, ""};
    return {std::stoi(file.substr(0, 4)), file.substr(5, file.size() - 9)};
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& migrationFiles();            // generated
const std::vector<std::pair<std::string, std::string>>& postgresqlMigrationFiles();  // generated

const std::vector<Migration>& builtinMigrations() {
    static const std::vector<Migration> migrations = [] {
        std::vector<Migration> out;
        for (const auto& [file, sql] : migrationFiles()) {
            // NNNN_name.sql, numbered 1, 2, 3, ...; cmake/EmbedFiles.cmake sorts them by name.
            const auto [version, name] = migrationName(file);
            if (version != static_cast<int>(out.size()) + 1)
                throw std::logic_error(
                    "storage/migrations/" + file +
                    ": migrations are named NNNN_name.sql and numbered 1, 2, 3, ...");
            out.push_back({version, name, sql, ""});
        }
        // A PostgreSQL file replaces the migration of the same name where the SQL differs.
        for (const auto& [file, sql] : postgresqlMigrationFiles()) {
            const auto [version, name] = migrationName(file);
            if (version < 1 || version > static_cast<int>(out.size()) ||
                out[version - 1].name != name)
                throw std::logic_error("storage/migrations/postgresql/" + file +
                                       ": names no migration in storage/migrations");
            out[version - 1].postgresql = sql;
        }
        return out;
    }();
    return migrations;
}

Database::Impl::Impl(std::unique_ptr<Backend> b, std::size_t maxConnections)
    : backend(std::move(b)), capacity(std::max<std::size_t>(1, maxConnections)) {}

Database::Impl::~Impl() = default;  // every Lease is gone: each connection is idle

std::unique_ptr<Pooled> Database::Impl::take() {
    std::unique_lock lock(mutex_);
    const auto giveUp =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kConnectionWaitMs);
    while (true) {
        while (idle_.empty() && open_ >= capacity)
            if (returned_.wait_until(lock, giveUp) == std::cv_status::timeout && idle_.empty() &&
                open_ >= capacity)
                throw StorageError(backend->name() + ": every database connection is in use (" +
                                   std::to_string(capacity) + ")");
        if (idle_.empty())
            break;
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        if (connection->connection->usable())
            return connection;
        --open_;  // the server closed it while it was idle: closed here, and a new one made
        lock.unlock();
        connection.reset();
        lock.lock();
    }
    ++open_;  // counted before opening, outside the lock: a slow open holds up no one else
    lock.unlock();
    try {
        auto pooled = std::make_unique<Pooled>();
        pooled->connection = backend->connect();
        return pooled;
    } catch (...) {
        lock.lock();
        --open_;
        returned_.notify_one();
        throw;
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
        if (connection->connection->usable() && !connection->connection->inTransaction()) {
            idle_.push_back(std::move(connection));
        } else {
            closing.push_back(std::move(connection));
            --open_;
        }
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

Lease::Lease(Database::Impl& db, Active* active) : name(db.backend->name()), active_(active) {}

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

BackendConnection& Lease::connection() {
    return *active_->connection->connection;
}

WriteMemo& Lease::memo() {
    return active_->connection->memo;
}

Dialect Lease::dialect() const {
    return active_->db->backend->dialect();
}

void Lease::execScript(const std::string& sql, const std::string& what) {
    sendHeld();
    connection().execScript(sql, what);
}

HeldInsert::HeldInsert(const char* head, const char* row) {
    // The row's text in pieces between its placeholders, and each placeholder's number.
    std::vector<std::string> texts(1);
    std::vector<int> numbers;
    for (const char* c = row; *c; ++c) {
        if (*c == '$' && c[1] >= '0' && c[1] <= '9') {
            char* end = nullptr;
            numbers.push_back(static_cast<int>(std::strtol(c + 1, &end, 10)));
            texts.emplace_back();
            c = end - 1;
            continue;
        }
        texts.back() += *c;
    }
    columns_ = static_cast<int>(numbers.size());
    for (std::size_t rows = 1; rows <= kMostRows; rows *= 2) {
        std::string sql = head;
        for (std::size_t r = 0; r < rows; ++r) {
            if (r > 0)
                sql += ", ";
            for (std::size_t i = 0; i < numbers.size(); ++i)
                sql += texts[i] + "$" +
                       std::to_string(numbers[i] + static_cast<int>(r) * columns_);
            sql += texts.back();
        }
        sql_.push_back(std::move(sql));
    }
}

const char* HeldInsert::sql(std::size_t rows) const {
    std::size_t log = 0;
    while ((std::size_t{1} << (log + 1)) <= rows) ++log;
    return sql_.at(log).c_str();
}

void Lease::hold(const HeldInsert& kind, std::vector<HeldValue> values) {
    auto& held = memo().held;
    auto it = std::find_if(held.begin(), held.end(),
                           [&](const auto& k) { return k.first == &kind; });
    if (it == held.end())
        it = held.emplace(held.end(), &kind, std::vector<HeldValue>{});
    it->second.insert(it->second.end(), std::make_move_iterator(values.begin()),
                      std::make_move_iterator(values.end()));
    const auto rows = it->second.size() / static_cast<std::size_t>(kind.columns());
    if (!memo().writing || rows == HeldInsert::kMostRows)
        sendHeld();
}

void Lease::sendHeld() {
    auto& memo = this->memo();
    if (memo.held.empty())
        return;
    const auto held = std::move(memo.held);
    memo.held.clear();
    for (const auto& [kind, values] : held) {
        const auto columns = static_cast<std::size_t>(kind->columns());
        for (std::size_t at = 0; at < values.size();) {
            std::size_t rows = HeldInsert::kMostRows;
            while (rows * columns > values.size() - at) rows /= 2;
            Query insert(*this, kind->sql(rows));
            for (std::size_t i = 0; i < rows * columns; ++i, ++at) {
                const HeldValue& v = values[at];
                const int index = static_cast<int>(i) + 1;
                if (v.kind == HeldValue::Kind::Integer)
                    insert.bind(index, v.integer);
                else if (v.kind == HeldValue::Kind::Blob)
                    insert.bindBlob(index, v.text);
                else
                    insert.bind(index, v.text);
            }
            insert.send();
        }
    }
}

namespace {

std::unique_ptr<Backend> openBackend(const std::string& location, Database::Mode mode) {
    if (isPostgresqlLocation(location))
        return postgresqlBackend(location);
    return sqliteBackend(location, mode == Database::Mode::CreateIfMissing);
}

// Whether the database holds the schema_version table yet.
bool hasSchema(Lease& db) {
    Query select(db, db.dialect() == Dialect::PostgreSQL
                         ? "SELECT to_regclass('schema_version') IS NOT NULL"
                         : "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'");
    select.step();
    return select.integer(0) != 0;
}

}  // namespace

Database::Database(const std::string& location, Mode mode,
                   const std::vector<Migration>& migrations, std::size_t maxConnections)
    : impl_(std::make_unique<Impl>(openBackend(location, mode), maxConnections)) {
    Lease db(*impl_);
    const bool schema = hasSchema(db);
    // (an SQLite file that exists is an installation's: the file is what init makes)
    if (mode == Mode::OpenExisting && !schema && db.dialect() == Dialect::PostgreSQL)
        throw StorageError(db.name + ": no avtaleflyt installation in this database");
    // Each step in a write transaction of its own, the version read again inside it: servers
    // starting at once on one database apply each migration once, one after the other. A
    // database at the newest version is only read.
    if (!schema) {
        Transaction tx(*this);
        db.execScript(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            "creating the schema_version table");
        tx.commit();
    }
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    const int version = currentVersion(db);
    if (version > latest)
        throw SchemaTooNew(db.name + ": the database has schema version " +
                           std::to_string(version) +
                           ", but this avtaleflyt knows versions up to " + std::to_string(latest) +
                           "; use a newer avtaleflyt with this database");
    const bool postgresql = db.dialect() == Dialect::PostgreSQL;
    for (const auto& m : migrations) {
        if (m.version <= version)
            continue;
        Transaction tx(*this);
        if (currentVersion(db) >= m.version)
            continue;  // another process applied it meanwhile
        db.execScript(postgresql && !m.postgresql.empty() ? m.postgresql : m.sql,
                      "migration " + std::to_string(m.version) + " (" + m.name + ")");
        Query(db, "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(1, m.version)
            .bind(2, m.name)
            .bind(3, formatTimestamp(SystemClock().now()))
            .run();
        tx.commit();
    }
}

Database::~Database() = default;

const std::string& Database::name() const {
    return impl_->backend->name();
}

Dialect Database::dialect() const {
    return impl_->backend->dialect();
}

int Database::schemaVersion() const {
    Lease db(*impl_);
    return currentVersion(db);
}

Transaction::Transaction(Database& db) : lease_(std::make_unique<Lease>(db)) {
    lease_->connection().beginWrite();
    lease_->memo() = WriteMemo{true, std::nullopt, {}};
}

Transaction::~Transaction() {
    lease_->memo() = WriteMemo{};
    if (!done_)
        lease_->connection().rollback();
}

void Transaction::commit() {
    lease_->sendHeld();
    lease_->memo() = WriteMemo{};
    lease_->connection().commit();
    done_ = true;
}

Connection::Connection(Database& db) : lease_(std::make_unique<Lease>(db)) {}
Connection::~Connection() = default;

// Inside a transaction already (a Transaction, or an outer Snapshot), that one is the snapshot.
Snapshot::Snapshot(Database& db) : lease_(std::make_unique<Lease>(db)) {
    if (lease_->connection().inTransaction())
        lease_.reset();
    else
        lease_->connection().beginRead();
}

Snapshot::~Snapshot() {
    if (lease_)
        lease_->connection().rollback();
}

Query::Query(Lease& db, const char* sql) : db_(db) {
    db.sendHeld();
    auto& prepared = db.active_->connection->prepared;
    BackendStatement* kept = nullptr;
    for (const auto& [key, statement] : prepared)
        if (key == sql)
            kept = statement.get();
    if (kept && !kept->busy()) {
        statement_ = kept;
        return;
    }
    auto fresh = db.connection().prepare(sql, !kept);
    statement_ = fresh.get();
    if (kept)
        owned_ = std::move(fresh);
    else
        prepared.emplace_back(sql, std::move(fresh));
}

Query::Query(Lease& db, const std::string& sql, Unkept)
    : db_(db) {
    db.sendHeld();
    owned_ = db.connection().prepare(sql.c_str(), false);
    statement_ = owned_.get();
}

void Query::next() {
    statement_->reset();
}

Query::~Query() {
    if (!owned_)
        statement_->reset();
}

Query& Query::bind(int index, const std::string& value) {
    statement_->bindText(index, value);
    return *this;
}

Query& Query::bind(int index, std::int64_t value) {
    statement_->bindInteger(index, value);
    return *this;
}

Query& Query::bind(int index, const std::optional<std::string>& value) {
    if (!value) {
        statement_->bindNull(index);
        return *this;
    }
    return bind(index, *value);
}

Query& Query::bindBlob(int index, const std::string& bytes) {
    statement_->bindBlob(index, bytes);
    return *this;
}

int Query::run() {
    while (step()) {
    }
    return statement_->changes();
}

void Query::send() {
    statement_->send(-1, "");
}

void Query::sendChanging(int rows, const std::string& refusal) {
    statement_->send(rows, refusal);
}

std::int64_t Query::runReturning() {
    if (!step())
        throw StorageError(db_.name + ": the statement returned no row");
    const std::int64_t value = integer(0);
    while (step()) {
    }
    return value;
}

bool Query::step() {
    return statement_->step();
}

std::int64_t Query::integer(int column) const {
    return statement_->integer(column);
}

bool Query::isNull(int column) const {
    return statement_->isNull(column);
}

std::string Query::text(int column) const {
    return statement_->bytes(column);
}

std::string Query::bytes(int column) const {
    return statement_->bytes(column);
}

}  // namespace avtaleflyt::storage
