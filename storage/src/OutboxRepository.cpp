#include "avtaleflyt/storage/OutboxRepository.h"


#include "DatabaseImpl.h"

namespace avtaleflyt::storage {
namespace {

constexpr const char* kColumns =
    "o.id, o.message_id, o.case_id, COALESCE(c.reference, ''), o.kind, o.recipient, o.subject, "
    "o.status, o.attempts, o.next_attempt_at, o.last_error, o.server_answer, o.created_at, "
    "o.sent_at";

// The columns of kColumns, of the row `q` is on.
OutboxMessage messageFrom(const Query& q) {
    OutboxMessage m;
    m.id = q.integer(0);
    m.messageId = q.text(1);
    m.caseId = q.integer(2);
    m.caseReference = q.text(3);
    m.kind = q.text(4);
    m.recipient = q.text(5);
    m.subject = q.text(6);
    m.status = q.text(7);
    m.attempts = static_cast<int>(q.integer(8));
    m.nextAttemptAt = q.text(9);
    m.lastError = q.text(10);
    m.serverAnswer = q.text(11);
    m.createdAt = q.text(12);
    m.sentAt = q.text(13);
    return m;
}

}  // namespace

void OutboxRepository::enqueue(const OutboxMessage& m, Timestamp at) {
    static const HeldInsert kInsert(
        "INSERT INTO outbox (message_id, case_id, kind, recipient, subject, mime, "
        "next_attempt_at, created_at) VALUES ",
        "($1, NULLIF($2, 0), $3, $4, $5, $6, $7, $8)");
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    db.hold(kInsert, {m.messageId, m.caseId, m.kind, m.recipient, m.subject,
                      HeldValue::blob(m.mime), stamp, stamp});
}

std::optional<OutboxMessage> OutboxRepository::claimNext(Timestamp at, Timestamp leaseUntil) {
    // One statement, so that no two claimers take one message: on PostgreSQL a row another
    // claimer is taking at this moment is skipped (SKIP LOCKED) and the row is checked again
    // once locked; SQLite has one writer at a time.
    static const char* const kClaim[] = {
        "UPDATE outbox SET next_attempt_at = $1 WHERE id = (SELECT id FROM outbox WHERE "
        "status = 'queued' AND next_attempt_at <= $2 ORDER BY id LIMIT 1) RETURNING id",
        "UPDATE outbox SET next_attempt_at = $1 WHERE id = (SELECT id FROM outbox WHERE "
        "status = 'queued' AND next_attempt_at <= $2 ORDER BY id LIMIT 1 "
        "FOR UPDATE SKIP LOCKED) RETURNING id"};
    static const std::string select = std::string("SELECT ") + kColumns +
                                      ", o.mime FROM outbox o LEFT JOIN case_file c ON c.id = "
                                      "o.case_id WHERE o.id = $1";
    Lease db(db_);
    std::int64_t id = 0;
    {
        Query claim(db, kClaim[db.dialect() == Dialect::PostgreSQL ? 1 : 0]);
        claim.bind(1, formatTimestamp(leaseUntil)).bind(2, formatTimestamp(at));
        if (!claim.step())
            return std::nullopt;
        id = claim.integer(0);
        while (claim.step()) {
        }
    }
    Query q(db, select.c_str());
    q.bind(1, id);
    if (!q.step())
        return std::nullopt;
    OutboxMessage m = messageFrom(q);
    m.mime = q.bytes(14);
    return m;
}

std::vector<OutboxMessage> OutboxRepository::list(const std::string& status) const {
    static const std::string sql = std::string("SELECT ") + kColumns +
                                   " FROM outbox o LEFT JOIN case_file c ON c.id = o.case_id "
                                   "WHERE $1 = '' OR o.status = $1 ORDER BY o.id DESC";
    Lease db(db_);
    Query select(db, sql.c_str());
    select.bind(1, status);
    std::vector<OutboxMessage> out;
    while (select.step()) out.push_back(messageFrom(select));
    return out;
}

bool OutboxRepository::markSent(std::int64_t id, const std::string& answer, Timestamp at) {
    Lease db(db_);
    return Query(db,
                 "UPDATE outbox SET status = 'sent', attempts = attempts + 1, server_answer = $1, "
                 "last_error = '', sent_at = $2 WHERE id = $3 AND status = 'queued'")
               .bind(1, answer)
               .bind(2, formatTimestamp(at))
               .bind(3, id)
               .run() == 1;
}

void OutboxRepository::markFailed(std::int64_t id, const std::string& error, Timestamp retryAt) {
    Lease db(db_);
    Query(db,
          "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 "
          "WHERE id = $3 AND status = 'queued'")
        .bind(1, error)
        .bind(2, formatTimestamp(retryAt))
        .bind(3, id)
        .run();
}

void SigningTokenRepository::store(std::int64_t requestId, const std::string& tokenSha256,
                                   Timestamp expires, Timestamp at) {
    static const HeldInsert kInsert(
        "INSERT INTO signing_token (request_id, token_sha256, expires_at, created_at) VALUES ",
        "($1, $2, $3, $4)");
    Lease db(db_);
    db.hold(kInsert, {requestId, tokenSha256, formatTimestamp(expires), formatTimestamp(at)});
}

std::optional<SigningToken> SigningTokenRepository::find(const std::string& tokenSha256) const {
    Lease db(db_);
    Query select(db,
                 "SELECT t.id, t.request_id, c.reference, t.expires_at, t.used_at, c.id, c.version "
                 "FROM signing_token t "
                 "JOIN signature_request r ON r.id = t.request_id "
                 "JOIN case_file c ON c.id = r.case_id WHERE t.token_sha256 = $1");
    if (!select.bind(1, tokenSha256).step())
        return std::nullopt;
    return SigningToken{select.integer(0),        select.integer(1),
                        select.text(2),           select.integer(5),
                        static_cast<int>(select.integer(6)), select.text(3),
                        select.text(4)};
}

bool SigningTokenRepository::markUsed(std::int64_t tokenId, Timestamp at) {
    Lease db(db_);
    return Query(db, "UPDATE signing_token SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
               .bind(1, formatTimestamp(at))
               .bind(2, tokenId)
               .run() == 1;
}

void SigningTokenRepository::storeEvidence(std::int64_t requestId, const std::string& ip,
                                           const std::string& userAgent, Timestamp at) {
    Lease db(db_);
    Query(db,
          "INSERT INTO signature_evidence (request_id, ip_address, user_agent, recorded_at) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO UPDATE SET ip_address = "
          "excluded.ip_address, user_agent = excluded.user_agent, recorded_at = "
          "excluded.recorded_at")
        .bind(1, requestId)
        .bind(2, ip)
        .bind(3, userAgent)
        .bind(4, formatTimestamp(at))
        .run();
}

std::vector<std::pair<std::int64_t, std::string>> SigningTokenRepository::uses() const {
    Lease db(db_);
    Query select(db, "SELECT id, COALESCE(used_at, '') FROM signing_token ORDER BY id");
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (select.step()) out.emplace_back(select.integer(0), select.text(1));
    return out;
}

std::vector<SigningTokenRepository::Evidence> SigningTokenRepository::evidence() const {
    Lease db(db_);
    Query select(db,
                 "SELECT request_id, ip_address, user_agent, recorded_at FROM signature_evidence "
                 "ORDER BY request_id");
    std::vector<Evidence> out;
    while (select.step())
        out.push_back({select.integer(0), select.text(1), select.text(2), select.text(3)});
    return out;
}

}  // namespace avtaleflyt::storage
