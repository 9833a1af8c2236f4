#include "avtaleflyt/storage/OutboxRepository.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "DatabaseImpl.h"
#include "Rows.h"

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace avtaleflyt::storage {
namespace {

constexpr const char* kColumns =
    "o.id, o.message_id, o.case_id, COALESCE(c.reference, ''), o.kind, o.recipient, o.subject, "
    "o.status, o.attempts, o.next_attempt_at, o.last_error, o.server_answer, o.created_at, "
    "o.sent_at";

OutboxMessage messageAt(const RecordSet& rs, std::size_t row) {
    OutboxMessage m;
    m.id = integerAt(rs, row, 0);
    m.messageId = textAt(rs, row, 1);
    m.caseId = integerAt(rs, row, 2);
    m.caseReference = textAt(rs, row, 3);
    m.kind = textAt(rs, row, 4);
    m.recipient = textAt(rs, row, 5);
    m.subject = textAt(rs, row, 6);
    m.status = textAt(rs, row, 7);
    m.attempts = static_cast<int>(integerAt(rs, row, 8));
    m.nextAttemptAt = textAt(rs, row, 9);
    m.lastError = textAt(rs, row, 10);
    m.serverAnswer = textAt(rs, row, 11);
    m.createdAt = textAt(rs, row, 12);
    m.sentAt = textAt(rs, row, 13);
    return m;
}

}  // namespace

void OutboxRepository::enqueue(const OutboxMessage& m, Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    Query(db,
          "INSERT INTO outbox (message_id, case_id, kind, recipient, subject, mime, "
          "next_attempt_at, created_at) VALUES (?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?)")
        .bind(1, m.messageId)
        .bind(2, m.caseId)
        .bind(3, m.kind)
        .bind(4, m.recipient)
        .bind(5, m.subject)
        .bindBlob(6, m.mime)
        .bind(7, stamp)
        .bind(8, stamp)
        .run();
}

std::vector<OutboxMessage> OutboxRepository::due(Timestamp at, std::size_t limit) const {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    const auto max = static_cast<std::int64_t>(limit);
    Statement select(db.session);
    select << std::string("SELECT ") + kColumns +
                  ", o.mime FROM outbox o LEFT JOIN case_file c ON c.id = o.case_id "
                  "WHERE o.status = 'queued' AND o.next_attempt_at <= ? ORDER BY o.id LIMIT ?",
        bind(stamp), bind(max), now;
    RecordSet rs(select);
    std::vector<OutboxMessage> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
        OutboxMessage m = messageAt(rs, row);
                const Poco::Dynamic::Var cell = rs.value(14, row);  // extract() refers into it
        const auto& blob = cell.extract<Poco::Data::BLOB>();
        m.mime.assign(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<OutboxMessage> OutboxRepository::list(const std::string& status) const {
    Lease db(db_);
    Statement select(db.session);
    select << std::string("SELECT ") + kColumns +
                  " FROM outbox o LEFT JOIN case_file c ON c.id = o.case_id "
                  "WHERE ? = '' OR o.status = ? ORDER BY o.id DESC",
        bind(status), bind(status), now;
    RecordSet rs(select);
    std::vector<OutboxMessage> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(messageAt(rs, row));
    return out;
}

bool OutboxRepository::claim(std::int64_t id, Timestamp at, Timestamp leaseUntil) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at), lease = formatTimestamp(leaseUntil);
    Statement update(db.session);
    update << "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'queued' AND "
              "next_attempt_at <= ?",
        bind(lease), bind(id), bind(stamp);
    return update.execute() == 1;
}

bool OutboxRepository::markSent(std::int64_t id, const std::string& answer, Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    Statement update(db.session);
    update << "UPDATE outbox SET status = 'sent', attempts = attempts + 1, server_answer = ?, "
              "last_error = '', sent_at = ? WHERE id = ? AND status = 'queued'",
        bind(answer), bind(stamp), bind(id);
    return update.execute() == 1;
}

void OutboxRepository::markFailed(std::int64_t id, const std::string& error, Timestamp retryAt) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(retryAt);
    db.session << "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                  "WHERE id = ? AND status = 'queued'",
        bind(error), bind(stamp), bind(id), now;
}

void SigningTokenRepository::store(std::int64_t requestId, const std::string& tokenSha256,
                                   Timestamp expires, Timestamp at) {
    Lease db(db_);
    Query(db,
          "INSERT INTO signing_token (request_id, token_sha256, expires_at, created_at) "
          "VALUES (?, ?, ?, ?)")
        .bind(1, requestId)
        .bind(2, tokenSha256)
        .bind(3, formatTimestamp(expires))
        .bind(4, formatTimestamp(at))
        .run();
}

std::optional<SigningToken> SigningTokenRepository::find(const std::string& tokenSha256) const {
    Lease db(db_);
    Query select(db,
                 "SELECT t.id, t.request_id, c.reference, t.expires_at, t.used_at, c.id, c.version "
                 "FROM signing_token t "
                 "JOIN signature_request r ON r.id = t.request_id "
                 "JOIN case_file c ON c.id = r.case_id WHERE t.token_sha256 = ?");
    if (!select.bind(1, tokenSha256).step())
        return std::nullopt;
    return SigningToken{select.integer(0),        select.integer(1),
                        select.text(2),           select.integer(5),
                        static_cast<int>(select.integer(6)), select.text(3),
                        select.text(4)};
}

bool SigningTokenRepository::markUsed(std::int64_t tokenId, Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    Statement update(db.session);
    update << "UPDATE signing_token SET used_at = ? WHERE id = ? AND used_at IS NULL", bind(stamp),
        bind(tokenId);
    return update.execute() == 1;
}

void SigningTokenRepository::storeEvidence(std::int64_t requestId, const std::string& ip,
                                           const std::string& userAgent, Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    db.session << "INSERT OR REPLACE INTO signature_evidence (request_id, ip_address, user_agent, "
                  "recorded_at) VALUES (?, ?, ?, ?)",
        bind(requestId), bind(ip), bind(userAgent), bind(stamp), now;
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
