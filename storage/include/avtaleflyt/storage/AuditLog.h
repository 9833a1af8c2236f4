#pragma once
// The append-only, hash-chained audit log. Every change to an installation is an event; each
// event carries the SHA-256 of the event before it, so editing, inserting or deleting a row is
// found by verify(). The encoding is specified in docs/audit-log.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

struct AuditEventInput {
    Timestamp at;
    std::string actor;    // who did it: "cli:<user>", later "portal:<signer>", ...
    std::string kind;     // e.g. "roster.nurse.added"
    std::string subject;  // what it is about: an e-mail, a network, a case reference
    std::string payload;  // JSON object text
};

struct AuditEvent {
    std::int64_t seq = 0;
    std::string occurredAt;
    std::string actor;
    std::string kind;
    std::string subject;
    std::string payload;
    std::string prevHash;
    std::string hash;
};

// The newest event of the log: its number and hash. A copy kept elsewhere (`log head`, each
// archive package's audit-log-head.txt) proves later that nothing up to it was changed.
struct AuditHead {
    std::int64_t seq = 0;
    std::string hash;  // the genesis hash (64 zeros) for an empty log
};

struct AuditVerification {
    std::int64_t eventsChecked = 0;
    std::string headHash;  // hash of the last event checked
    std::optional<std::int64_t> firstBadSeq;
    std::string problem;  // why firstBadSeq is bad; empty when the log is intact
    bool intact() const { return !firstBadSeq; }
};

class AuditLog {
  public:
    explicit AuditLog(Database& db) : db_(db) {}

    // Appends an event. Must be called inside a Transaction, so that the event is written
    // together with the change it records, or not at all.
    AuditEvent append(const AuditEventInput& event);

    // Walks the whole log in order and reports the first event that breaks the chain.
    AuditVerification verify() const;

    // The newest event's number and hash, as the log's head row keeps them.
    AuditHead head() const;

    // Events with seq > after, oldest first, at most `limit`.
    std::vector<AuditEvent> list(std::int64_t after, std::size_t limit) const;

    // Every event about `subject`, oldest first.
    std::vector<AuditEvent> forSubject(const std::string& subject) const;

    // The hash of an event with these fields (hex, lower case).
    static std::string hashOf(const AuditEvent& e);

    static const std::string& genesisHash();  // 64 zeros: the prev_hash of event 1

  private:
    Database& db_;
};

}  // namespace avtaleflyt::storage
