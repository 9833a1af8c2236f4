#pragma once
// The outbox: messages written in the transaction of the step that caused them, sent later by
// a dispatcher, marked sent once. And the signing links: their tokens' hashes, one use each.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

struct OutboxMessage {
    std::int64_t id = 0;
    std::string messageId;  // without angle brackets
    std::int64_t caseId = 0;
    std::string caseReference;
    std::string kind;
    std::string recipient;
    std::string subject;
    std::string mime;
    std::string status;  // "queued" | "sent"
    int attempts = 0;
    std::string nextAttemptAt, lastError, serverAnswer, createdAt, sentAt;
};

class OutboxRepository {
  public:
    explicit OutboxRepository(Database& db) : db_(db) {}

    // Queues a message, due at once. `caseId` 0: not about one case. Inside a transaction the
    // row may be written only at its next statement or its commit, with the other messages
    // queued meanwhile in one statement: a failure to write it (a Message-ID used twice) fails
    // the transaction there.
    void enqueue(const OutboxMessage& m, Timestamp now);
    // Takes the oldest queued message due at `at` for one sender: moves its next attempt to
    // `leaseUntil`, so that no other dispatcher (in this process or on another server) takes it
    // meanwhile; if the sender dies, it is due again then. Each message is taken by one caller
    // only. Nothing: none is due.
    std::optional<OutboxMessage> claimNext(Timestamp at, Timestamp leaseUntil);
    // Every message with `status` ("" for all), newest first, without the MIME text.
    std::vector<OutboxMessage> list(const std::string& status) const;
    // Marks a queued message sent with the server's answer. False if it was not queued.
    bool markSent(std::int64_t id, const std::string& answer, Timestamp now);
    // Records a failed attempt and when to try again.
    void markFailed(std::int64_t id, const std::string& error, Timestamp retryAt);

  private:
    Database& db_;
};

struct SigningToken {
    std::int64_t id = 0;
    std::int64_t requestId = 0;
    std::string caseReference;
    std::int64_t caseId = 0;
    int caseVersion = 0;  // the case's version now: what a link shows changes only with it
    std::string expiresAt;
    std::string usedAt;  // empty: not used
};

class SigningTokenRepository {
  public:
    explicit SigningTokenRepository(Database& db) : db_(db) {}

    // Stores a link (its hash). Written as OutboxRepository::enqueue writes a message.
    void store(std::int64_t requestId, const std::string& tokenSha256, Timestamp expires,
               Timestamp now);
    std::optional<SigningToken> find(const std::string& tokenSha256) const;
    // Marks the token used, if it was not; false if it was (someone else used it first).
    bool markUsed(std::int64_t tokenId, Timestamp now);
    // Keeps the IP address and user agent a link signature was given from (never in a PDF).
    void storeEvidence(std::int64_t requestId, const std::string& ip,
                       const std::string& userAgent, Timestamp now);

    // For the audit's reconciliation with the audit log: when each link was used (empty: not),
    // by link id; and every evidence row.
    std::vector<std::pair<std::int64_t, std::string>> uses() const;
    struct Evidence {
        std::int64_t requestId = 0;
        std::string ip, userAgent, recordedAt;
    };
    std::vector<Evidence> evidence() const;

  private:
    Database& db_;
};

}  // namespace avtaleflyt::storage
