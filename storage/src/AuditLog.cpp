#include "avtaleflyt/storage/AuditLog.h"


#include "DatabaseImpl.h"
#include "avtaleflyt/digest/Sha256.h"

namespace avtaleflyt::storage {
namespace {

struct Head {
    std::int64_t seq = 0;
    std::string hash;
};

Head readHead(Lease& db) {
    Query select(db, "SELECT seq, hash FROM audit_head WHERE id = 1");
    if (!select.step())
        throw StorageError(db.name + ": the audit log has no head row");
    return {select.integer(0), select.text(1)};
}

}  // namespace

const std::string& AuditLog::genesisHash() {
    static const std::string zeros(64, '0');
    return zeros;
}

std::string AuditLog::hashOf(const AuditEvent& e) {
    Sha256 sha;
    sha.update("avtaleflyt-audit-v1\n");
    const std::string seq = std::to_string(e.seq);
    for (const std::string* field :
         {&seq, &e.occurredAt, &e.actor, &e.kind, &e.subject, &e.payload, &e.prevHash}) {
        sha.update(std::to_string(field->size()) + ":");
        sha.update(*field);
        sha.update("\n");
    }
    return sha.hex();
}

AuditEvent AuditLog::append(const AuditEventInput& in) {
    Lease db(db_);
    // In a write transaction the head is read once: then it is where this transaction's last
    // append left it (no other writer can move it before the commit).
    WriteMemo& memo = db.memo();
    const Head head = memo.auditHead ? Head{memo.auditHead->first, memo.auditHead->second}
                                     : readHead(db);
    AuditEvent e;
    e.seq = head.seq + 1;
    e.occurredAt = formatTimestamp(in.at);
    e.actor = in.actor;
    e.kind = in.kind;
    e.subject = in.subject;
    e.payload = in.payload;
    e.prevHash = head.hash;
    e.hash = hashOf(e);
    Query(db,
          "INSERT INTO audit_event (seq, occurred_at, actor, kind, subject, payload, prev_hash, "
          "hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(1, e.seq)
        .bind(2, e.occurredAt)
        .bind(3, e.actor)
        .bind(4, e.kind)
        .bind(5, e.subject)
        .bind(6, e.payload)
        .bind(7, e.prevHash)
        .bind(8, e.hash)
        .send();
    Query(db, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(1, e.seq)
        .bind(2, e.hash)
        .send();
    if (memo.writing)
        memo.auditHead.emplace(e.seq, e.hash);
    return e;
}

namespace {

// Every row of `select`, read as kEventColumns.
std::vector<AuditEvent> eventsFrom(Query& select) {
    std::vector<AuditEvent> events;
    while (select.step()) {
        AuditEvent e;
        e.seq = select.integer(0);
        e.occurredAt = select.text(1);
        e.actor = select.text(2);
        e.kind = select.text(3);
        e.subject = select.text(4);
        e.payload = select.text(5);
        e.prevHash = select.text(6);
        e.hash = select.text(7);
        events.push_back(std::move(e));
    }
    return events;
}

const std::string kEventColumns =
    "SELECT seq, occurred_at, actor, kind, subject, payload, prev_hash, hash FROM audit_event ";

}  // namespace

AuditHead AuditLog::head() const {
    Lease db(db_);
    const Head h = readHead(db);
    return {h.seq, h.hash};
}

std::vector<AuditEvent> AuditLog::list(std::int64_t after, std::size_t limit) const {
    Lease db(db_);
    static const std::string sql = kEventColumns + "WHERE seq > $1 ORDER BY seq LIMIT $2";
    Query select(db, sql.c_str());
    select.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
    return eventsFrom(select);
}

std::vector<AuditEvent> AuditLog::forSubject(const std::string& subject) const {
    Lease db(db_);
    static const std::string sql = kEventColumns + "WHERE subject = $1 ORDER BY seq";
    Query select(db, sql.c_str());
    select.bind(1, subject);
    return eventsFrom(select);
}

AuditVerification AuditLog::verify() const {
    AuditVerification v;
    v.headHash = genesisHash();
    std::int64_t last = 0;
    const auto fail = [&v](std::int64_t seq, std::string problem) {
        v.firstBadSeq = seq;
        v.problem = std::move(problem);
        return v;
    };
    for (;;) {
        const auto page = list(last, 1000);
        if (page.empty())
            break;
        for (const auto& e : page) {
            const std::int64_t expected = last + 1;
            if (e.seq != expected)
                return fail(expected, "event " + std::to_string(expected) +
                                          " is missing: the log jumps from event " +
                                          std::to_string(last) + " to " + std::to_string(e.seq));
            if (e.prevHash != v.headHash)
                return fail(e.seq, "event " + std::to_string(e.seq) +
                                       " does not follow the event before it (its previous-hash "
                                       "differs): an event before it was deleted, inserted or "
                                       "rewritten");
            if (hashOf(e) != e.hash)
                return fail(e.seq, "event " + std::to_string(e.seq) +
                                       " was changed after it was written (its hash does not "
                                       "match its contents)");
            v.headHash = e.hash;
            v.eventsChecked = e.seq;
            last = e.seq;
        }
    }
    Lease db(db_);
    const Head head = readHead(db);
    if (head.seq > last)
        return fail(last + 1, "events " + std::to_string(last + 1) + " to " +
                                  std::to_string(head.seq) +
                                  " are missing from the end of the log");
    if (head.seq < last)
        return fail(head.seq + 1, "event " + std::to_string(head.seq + 1) +
                                      " was added to the end of the log outside avtaleflyt");
    if (head.hash != v.headHash)
        return fail(last, "event " + std::to_string(last) +
                              " differs from the one recorded as the log's newest");
    return v;
}

}  // namespace avtaleflyt::storage
