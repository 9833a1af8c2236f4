// The PostgreSQL backend: a database several avtaleflyt processes share. Each connection is a
// Poco::Data::PostgreSQL session; its statements run through libpq on the session's own
// connection (prepared once per connection, text results, blobs bound as binary).

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "Backend.h"

namespace avtaleflyt::storage {
namespace {

// Every write transaction takes this transaction-level advisory lock first ("avtl"): writers
// queue one behind the other across all servers, as SQLite's do, so that a step's reads and
// writes are one atomic unit and the audit log's appends form one chain.
constexpr long long kWriterLock = 0x6176746C;

constexpr unsigned kByteaType = 17;  // BYTEAOID in PostgreSQL's catalogue

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// The parsed libpq options, or StorageError naming what is wrong with `conninfo`.
std::vector<std::pair<std::string, std::string>> parseConninfo(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (!options) {
        const std::string why = error ? trimmed(error) : "out of memory";
        PQfreemem(error);
        throw StorageError("database.url: not a PostgreSQL connection string: " + why);
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (auto* o = options; o->keyword; ++o)
        if (o->val && *o->val)
            out.emplace_back(o->keyword, o->val);
    PQconninfoFree(options);
    return out;
}

std::string valueOf(const std::vector<std::pair<std::string, std::string>>& options,
                    const std::string& key) {
    for (const auto& [k, v] : options)
        if (k == key)
            return v;
    return "";
}

// For messages: the database and where it is, never the password.
std::string describe(const std::vector<std::pair<std::string, std::string>>& options) {
    std::string host = valueOf(options, "host");
    if (host.empty())
        host = valueOf(options, "hostaddr");
    if (host.empty())
        host = "the local server";
    const std::string port = valueOf(options, "port");
    std::string db = valueOf(options, "dbname");
    if (db.empty())
        db = valueOf(options, "user");
    return "PostgreSQL database \"" + db + "\" at " + host + (port.empty() ? "" : ":" + port);
}

// The options as key='value' pairs (libpq reads both forms; Poco passes this on as it is), with
// a connect timeout so that an unreachable server is reported within seconds.
std::string normalised(const std::vector<std::pair<std::string, std::string>>& options) {
    std::string out;
    for (const auto& [key, value] : options) {
        out += key + "='";
        for (char c : value) {
            if (c == '\'' || c == '\\')
                out += '\\';
            out += c;
        }
        out += "' ";
    }
    if (valueOf(options, "connect_timeout").empty())
        out += "connect_timeout=10 ";
    if (valueOf(options, "application_name").empty())
        out += "application_name=avtaleflyt ";
    return out;
}

// Throws for a failed result (and clears it): AlreadyExists for a unique violation (SQLSTATE
// 23505), StorageError otherwise.
void check(PGconn* connection, PGresult* result, const std::string& name,
           const std::string& what = "") {
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return;
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    std::string message = trimmed(result ? PQresultErrorMessage(result) : "");
    if (message.empty())
        message = trimmed(PQerrorMessage(connection));
    PQclear(result);
    const std::string prefix = name + ": " + (what.empty() ? "" : what + ": ");
    if (sqlstate == "23505")
        throw AlreadyExists(prefix + message);
    if (PQstatus(connection) != CONNECTION_OK)
        throw DatabaseUnavailable(prefix + "the connection to the database was lost: " + message);
    throw StorageError(prefix + message);
}

// The writes a connection has sent without waiting for their outcome (Query::send): libpq's
// pipeline mode, entered at the first of them and left, after a sync that collects every
// outcome, before anything else runs on the connection (drain). The first failure is thrown
// then, as check() would have thrown it for that statement.
class Pipeline {
  public:
    Pipeline(PGconn* connection, const std::string& name) : connection_(connection), name_(name) {}

    // Whether a write can be sent now: only inside a transaction, so that its outcome is
    // collected by the same call (at the latest by its commit or rollback).
    bool open() const {
        return pending_ > 0 || PQtransactionStatus(connection_) == PQTRANS_INTRANS;
    }
    // Before the connection sends a write in the pipeline: one that must change `rows` rows
    // (-1: any number), else the transaction fails with `refusal`.
    void add(int rows, const std::string& refusal) {
        if (pending_ == kMostPending)
            drain();
        if (pending_ == 0 && PQenterPipelineMode(connection_) != 1)
            throw StorageError(name_ + ": cannot send writes ahead: " +
                               trimmed(PQerrorMessage(connection_)));
        if (rows >= 0)
            expected_.push_back({pending_, rows, refusal});
        ++pending_;
    }
    // Collects the outcome of every write sent and leaves pipeline mode; throws the first
    // failure (the server's error, or a write that changed other rows than it had to). Nothing
    // to do when none was sent.
    void drain() {
        if (pending_ == 0)
            return;
        const int sent = pending_;
        pending_ = 0;
        std::vector<Expected> expected;
        expected.swap(expected_);
        auto nextExpected = expected.begin();
        PGresult* failure = nullptr;
        const std::string* refusal = nullptr;  // before any failure of the server
        const bool synced = PQpipelineSync(connection_) == 1;
        for (int ends = 0; synced;) {
            PGresult* result = PQgetResult(connection_);
            if (!result) {
                // Each write's results end with a null; more than that: the connection is gone.
                if (++ends > sent || PQstatus(connection_) != CONNECTION_OK)
                    break;
                continue;
            }
            const ExecStatusType status = PQresultStatus(result);
            if (status == PGRES_PIPELINE_SYNC) {
                PQclear(result);
                break;
            }
            if (!failure && !refusal && status != PGRES_COMMAND_OK &&
                status != PGRES_TUPLES_OK && status != PGRES_PIPELINE_ABORTED) {
                failure = result;  // the writes after it were not run (aborted)
                continue;
            }
            // `ends` is the number of the write this result belongs to.
            while (nextExpected != expected.end() && nextExpected->write < ends) ++nextExpected;
            if (nextExpected != expected.end() && nextExpected->write == ends && !failure &&
                !refusal && status == PGRES_COMMAND_OK &&
                std::atoi(PQcmdTuples(result)) != nextExpected->rows)
                refusal = &nextExpected->refusal;
            PQclear(result);
        }
        const bool left = PQexitPipelineMode(connection_) == 1;
        if (failure)
            check(connection_, failure, name_);  // throws
        if (refusal)
            throw StorageError(*refusal);
        if (!synced || !left)
            throw DatabaseUnavailable(name_ + ": the connection to the database was lost: " +
                                      trimmed(PQerrorMessage(connection_)));
    }

  private:
    // Outcomes are collected at the latest after so many writes: the server's answers to them
    // wait in the socket meanwhile, and must not fill it.
    static constexpr int kMostPending = 256;
    struct Expected {
        int write;  // its place among the writes sent, from 0
        int rows;
        std::string refusal;
    };
    PGconn* connection_;
    const std::string& name_;
    int pending_ = 0;
    std::vector<Expected> expected_;  // of the writes sent, those that must change so many rows
};

class PostgresqlStatement final : public BackendStatement {
  public:
    // `statementName` empty: runs `sql` once (PQexecParams), else the statement prepared so.
    PostgresqlStatement(PGconn* connection, Pipeline& pipeline, const std::string& name,
                        std::string statementName, const char* sql)
        : connection_(connection), pipeline_(pipeline), name_(name),
          statementName_(std::move(statementName)), sql_(sql) {}
    ~PostgresqlStatement() override { PQclear(result_); }

    void bindText(int index, const std::string& value) override { set(index, value, false); }
    void bindInteger(int index, std::int64_t value) override {
        set(index, std::to_string(value), false);
    }
    void bindBlob(int index, const std::string& bytes) override { set(index, bytes, true); }
    void bindNull(int index) override {
        set(index, "", false);
        null_[static_cast<std::size_t>(index - 1)] = true;
    }

    bool step() override {
        if (!executed_)
            execute();
        return ++row_ < PQntuples(result_);
    }
    void send(int rows, const std::string& refusal) override {
        if (statementName_.empty() || !pipeline_.open()) {
            BackendStatement::send(rows, refusal);
            return;
        }
        pipeline_.add(rows, refusal);
        const Parameters p(*this);
        if (PQsendQueryPrepared(connection_, statementName_.c_str(), p.count, p.values.data(),
                                p.lengths.data(), p.formats.data(), 0) != 1 ||
            PQflush(connection_) != 0)
            throw DatabaseUnavailable(name_ + ": the connection to the database was lost: " +
                                      trimmed(PQerrorMessage(connection_)));
        // Not executed here: the statement is free for its next use at once.
    }
    int changes() const override {
        return result_ ? std::atoi(PQcmdTuples(result_)) : 0;
    }
    bool isNull(int column) const override { return PQgetisnull(result_, row_, column) != 0; }
    std::int64_t integer(int column) const override {
        if (isNull(column))
            return 0;
        const char* value = PQgetvalue(result_, row_, column);
        if (value[0] == 't' && value[1] == '\0')
            return 1;
        if (value[0] == 'f' && value[1] == '\0')
            return 0;
        return std::strtoll(value, nullptr, 10);
    }
    std::string bytes(int column) const override {
        if (isNull(column))
            return "";
        const char* value = PQgetvalue(result_, row_, column);
        const auto length = static_cast<std::size_t>(PQgetlength(result_, row_, column));
        if (PQftype(result_, column) != kByteaType)
            return std::string(value, length);
        // bytea in text form: \x and two hex digits a byte
        std::string out;
        out.reserve(length / 2);
        const auto nibble = [](char c) {
            return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        };
        for (std::size_t i = 2; i + 1 < length; i += 2)
            out += static_cast<char>(nibble(value[i]) << 4 | nibble(value[i + 1]));
        return out;
    }
    bool busy() const override { return executed_; }
    void reset() override {
        PQclear(result_);
        result_ = nullptr;
        executed_ = false;
        row_ = -1;
        values_.clear();
        null_.clear();
        binary_.clear();
    }

  private:
    void set(int index, std::string value, bool binary) {
        const auto i = static_cast<std::size_t>(index - 1);
        if (values_.size() <= i) {
            values_.resize(i + 1);
            null_.resize(i + 1, true);
            binary_.resize(i + 1, false);
        }
        values_[i] = std::move(value);
        null_[i] = false;
        binary_[i] = binary;
    }

    // The bound parameters as libpq takes them.
    struct Parameters {
        explicit Parameters(const PostgresqlStatement& s)
            : count(static_cast<int>(s.values_.size())), values(s.values_.size()),
              lengths(s.values_.size()), formats(s.values_.size()) {
            for (std::size_t i = 0; i < s.values_.size(); ++i) {
                values[i] = s.null_[i] ? nullptr : s.values_[i].data();
                lengths[i] = static_cast<int>(s.values_[i].size());
                formats[i] = s.binary_[i] ? 1 : 0;
            }
        }
        int count;
        std::vector<const char*> values;
        std::vector<int> lengths, formats;
    };

    void execute() {
        pipeline_.drain();
        const Parameters p(*this);
        PGresult* result =
            statementName_.empty()
                ? PQexecParams(connection_, sql_, p.count, nullptr, p.values.data(),
                               p.lengths.data(), p.formats.data(), 0)
                : PQexecPrepared(connection_, statementName_.c_str(), p.count, p.values.data(),
                                 p.lengths.data(), p.formats.data(), 0);
        executed_ = true;
        check(connection_, result, name_);
        result_ = result;
    }

    PGconn* connection_;
    Pipeline& pipeline_;
    const std::string& name_;
    const std::string statementName_;
    const char* sql_;
    std::vector<std::string> values_;
    std::vector<bool> null_, binary_;
    PGresult* result_ = nullptr;
    bool executed_ = false;
    int row_ = -1;
};

class PostgresqlConnection final : public BackendConnection {
  public:
    PostgresqlConnection(const std::string& conninfo, const std::string& name)
        : name_(name), session_(open(conninfo, name)),
          connection_(static_cast<Poco::Data::PostgreSQL::SessionImpl*>(session_.impl())
                          ->handle()),
          pipeline_(connection_, name_) {
        // The server's notices ("relation ... already exists, skipping") are not for users.
        PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
    }

    std::unique_ptr<BackendStatement> prepare(const char* sql, bool kept) override {
        pipeline_.drain();
        if (!kept)
            return std::make_unique<PostgresqlStatement>(connection_, pipeline_, name_, "", sql);
        std::string statementName = "avtaleflyt_" + std::to_string(++prepared_);
        PGresult* result = PQprepare(connection_, statementName.c_str(), sql, 0, nullptr);
        check(connection_, result, name_);
        PQclear(result);  // check clears only a failure
        return std::make_unique<PostgresqlStatement>(connection_, pipeline_, name_,
                                                     std::move(statementName), sql);
    }

    void execScript(const std::string& sql, const std::string& what) override {
        pipeline_.drain();
        PGresult* result = PQexec(connection_, sql.c_str());
        check(connection_, result, name_, what);
        PQclear(result);
    }

    void beginWrite() override {
        execScript("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriterLock) + ")",
                   "starting a transaction");
    }
    void beginRead() override {
        execScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting a read");
    }
    void commit() override {
        pipeline_.drain();
        // COMMIT of a transaction a statement failed in answers "ROLLBACK", not an error.
        if (PQtransactionStatus(connection_) == PQTRANS_INERROR) {
            rollback();
            throw StorageError(name_ + ": committing: a statement of the transaction failed; "
                                       "nothing of it was written");
        }
        execScript("COMMIT", "committing");
    }
    void rollback() noexcept override {
        try {
            pipeline_.drain();  // what the writes sent ahead did is rolled back with the rest
        } catch (...) {
        }
        if (PQstatus(connection_) == CONNECTION_OK)
            PQclear(PQexec(connection_, "ROLLBACK"));
    }
    bool inTransaction() const override {
        return PQtransactionStatus(connection_) != PQTRANS_IDLE &&
               PQtransactionStatus(connection_) != PQTRANS_UNKNOWN;
    }
    // An idle connection has nothing to read: if it has, the server is saying goodbye (a
    // restart or shutdown) or has gone; libpq takes note of either.
    bool usable() const override {
        if (PQstatus(connection_) != CONNECTION_OK)
            return false;
        pollfd socket{PQsocket(connection_), POLLIN, 0};
        if (::poll(&socket, 1, 0) > 0)
            PQconsumeInput(connection_);
        return PQstatus(connection_) == CONNECTION_OK;
    }

  private:
    static Poco::Data::Session open(const std::string& conninfo, const std::string& name) {
        try {
            return Poco::Data::Session("PostgreSQL", conninfo);
        } catch (const Poco::Exception& e) {
            throw DatabaseUnavailable(name + ": cannot connect: " + trimmed(e.message()));
        }
    }

    const std::string& name_;
    Poco::Data::Session session_;
    PGconn* connection_;
    Pipeline pipeline_;
    unsigned prepared_ = 0;
};

class PostgresqlBackend final : public Backend {
  public:
    explicit PostgresqlBackend(const std::vector<std::pair<std::string, std::string>>& options)
        : Backend(describe(options)), conninfo_(normalised(options)) {
        static std::once_flag once;
        std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    }

    std::unique_ptr<BackendConnection> connect() override {
        return std::make_unique<PostgresqlConnection>(conninfo_, name());
    }
    Dialect dialect() const override { return Dialect::PostgreSQL; }

  private:
    const std::string conninfo_;
};

}  // namespace

bool isPostgresqlLocation(const std::string& location) {
    if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0)
        return true;
    // key=value pairs: the first word, before '=', is one of libpq's keywords (host, dbname, ...)
    const auto start = location.find_first_not_of(" \t");
    if (start == std::string::npos)
        return false;
    const auto equals = location.find('=', start);
    if (equals == std::string::npos)
        return false;
    const std::string key = trimmed(location.substr(start, equals - start));
    PQconninfoOption* defaults = PQconndefaults();
    bool known = false;
    for (auto* o = defaults; o && o->keyword; ++o) known = known || key == o->keyword;
    PQconninfoFree(defaults);
    return known;
}

std::unique_ptr<Backend> postgresqlBackend(const std::string& conninfo) {
    return std::make_unique<PostgresqlBackend>(parseConninfo(conninfo));
}

}  // namespace avtaleflyt::storage
