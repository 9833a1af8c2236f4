#include "avtaleflyt/storage/CaseRepository.h"


#include <algorithm>
#include <map>
#include <sstream>

#include "DatabaseImpl.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::storage {
namespace {

std::int64_t personIdOf(Lease& db, const std::string& email) {
    Query select(db, "SELECT id FROM person WHERE email = $1");
    if (!select.bind(1, email).step())
        throw StorageError(db.name + ": no person with e-mail " + email);
    return select.integer(0);
}

Timestamp timeOf(const std::string& s) {
    return parseTimestamp(s).value_or(Timestamp{});
}

void insertRequest(Lease& db, std::int64_t caseId, const SignatureRequest& r) {
    const std::int64_t person = personIdOf(db, r.email);
    Query(db,
          "INSERT INTO signature_request (case_id, role, person_id, organisation, position, "
          "status, signed_at, method, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(1, caseId)
        .bind(2, r.role)
        .bind(3, person)
        .bind(4, r.organisation)
        .bind(5, r.position)
        .bind(6, std::string(toString(r.status)))
        .bind(7, r.signedAt)
        .bind(8, r.method)
        .bind(9, r.reason)
        .run();
}

void insertTimer(Lease& db, std::int64_t caseId, const CaseTimer& t) {
    Query(db,
          "INSERT INTO case_timer (case_id, name, due_at, fired, paused_at) "
          "VALUES ($1, $2, $3, $4, $5)")
        .bind(1, caseId)
        .bind(2, t.name)
        .bind(3, formatTimestamp(t.due))
        .bind(4, t.fired)
        .bind(5, t.pausedAt ? std::optional(formatTimestamp(*t.pausedAt)) : std::nullopt)
        .send();
}

// Writes the timers of `after` over those of `before` (a timer is one row per case and name):
// removed ones deleted, changed ones updated, new ones inserted.
void updateTimers(Lease& db, const Case& before, const Case& after) {
    const auto named = [](const Case& c, const std::string& name) {
        return std::find_if(c.timers.begin(), c.timers.end(),
                            [&](const CaseTimer& t) { return t.name == name; });
    };
    for (const auto& t : before.timers)
        if (named(after, t.name) == after.timers.end())
            Query(db, "DELETE FROM case_timer WHERE case_id = $1 AND name = $2")
                .bind(1, before.id)
                .bind(2, t.name)
                .send();
    for (const auto& t : after.timers) {
        const auto was = named(before, t.name);
        if (was == before.timers.end()) {
            insertTimer(db, before.id, t);
            continue;
        }
        if (was->due == t.due && was->fired == t.fired && was->pausedAt == t.pausedAt)
            continue;
        Query(db,
              "UPDATE case_timer SET due_at = $1, fired = $2, paused_at = $3 WHERE case_id = $4 "
              "AND name = $5")
            .bind(1, formatTimestamp(t.due))
            .bind(2, t.fired)
            .bind(3, t.pausedAt ? std::optional(formatTimestamp(*t.pausedAt)) : std::nullopt)
            .bind(4, before.id)
            .bind(5, t.name)
            .send();
    }
}

const char* kCaseColumns =
    "SELECT c.id, c.reference, n.name, c.workflow, c.template, c.template_version, c.title, "
    "c.series, "
    "COALESCE(p.email, ''), c.area, c.state, c.version, COALESCE(c.deadline, ''), c.approval_body, "
    "c.approval_date, c.note, c.records_reference, COALESCE(c.sent_at, '') FROM case_file c JOIN network n ON n.id = "
    "c.network_id "
    "LEFT JOIN person p ON p.id = c.subject_person_id ";

// The columns of kCaseColumns, of the row `q` is on.
Case caseFrom(const Query& q) {
    Case c;
    c.id = q.integer(0);
    c.reference = q.text(1);
    c.network = q.text(2);
    c.workflow = q.text(3);
    c.templateName = q.text(4);
    c.templateVersion = static_cast<int>(q.integer(5));
    c.title = q.text(6);
    c.series = q.text(7);
    c.subjectEmail = q.text(8);
    c.area = q.text(9);
    c.state = q.text(10);
    c.version = static_cast<int>(q.integer(11));
    if (const std::string d = q.text(12); !d.empty())
        c.deadline = timeOf(d);
    c.approvalBody = q.text(13);
    c.approvalDate = q.text(14);
    c.note = q.text(15);
    c.recordsReference = q.text(16);
    if (const std::string sent = q.text(17); !sent.empty())
        c.sentAt = timeOf(sent);
    return c;
}

// The columns of the signature requests' select (the case's id last), of the row `q` is on.
const char* kRequestColumns =
    "SELECT r.id, r.role, p.email, p.name, r.organisation, r.position, r.status, r.signed_at, "
    "r.method, r.reason, r.case_id FROM signature_request r JOIN person p ON p.id = r.person_id ";
SignatureRequest requestFrom(const Query& q) {
    SignatureRequest r;
    r.id = q.integer(0);
    r.role = q.text(1);
    r.email = q.text(2);
    r.name = q.text(3);
    r.organisation = q.text(4);
    r.position = static_cast<int>(q.integer(5));
    r.status = parseSignatureStatus(q.text(6)).value_or(SignatureStatus::Void);
    r.signedAt = q.text(7);
    r.method = q.text(8);
    r.reason = q.text(9);
    return r;
}

// The same for timers.
const char* kTimerColumns = "SELECT name, due_at, fired, COALESCE(paused_at, ''), case_id FROM case_timer ";
CaseTimer timerFrom(const Query& q) {
    CaseTimer t{q.text(0), timeOf(q.text(1)), static_cast<int>(q.integer(2)), {}};
    if (const std::string p = q.text(3); !p.empty())
        t.pausedAt = timeOf(p);
    return t;
}

void loadParts(Lease& db, Case& c, bool withTimers = true) {
    static const std::string requests = std::string(kRequestColumns) + "WHERE r.case_id = $1 ORDER BY r.id";
    Query reqs(db, requests.c_str());
    reqs.bind(1, c.id);
    while (reqs.step()) c.signatures.push_back(requestFrom(reqs));
    if (!withTimers)
        return;
    static const std::string timers = std::string(kTimerColumns) + "WHERE case_id = $1 ORDER BY due_at, name";
    Query select(db, timers.c_str());
    select.bind(1, c.id);
    while (select.step()) c.timers.push_back(timerFrom(select));
}

}  // namespace

Case CaseRepository::create(const Case& in, std::int64_t networkId, const std::string& prefix,
                            int year, Timestamp at) {
    Lease db(db_);
    const std::int64_t number =
        Query(db,
              "INSERT INTO case_counter (prefix, year, last) VALUES ($1, $2, 1) "
              "ON CONFLICT (prefix, year) DO UPDATE SET last = case_counter.last + 1 "
              "RETURNING last")
            .bind(1, prefix)
            .bind(2, year)
            .runReturning();
    Case c = in;
    c.reference = caseReference(prefix, year, static_cast<int>(number));
    c.version = 1;
    const std::string stamp = formatTimestamp(at);
    c.id = Query(db,
          "INSERT INTO case_file (reference, network_id, workflow, template, template_version, "
          "title, series, subject_person_id, area, state, version, deadline, approval_body, "
          "approval_date, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
          "(SELECT id FROM person WHERE email = $8 AND $8 <> ''), $9, $10, 1, $11, $12, "
          "$13, $14, $15, $15) RETURNING id")
        .bind(1, c.reference)
        .bind(2, networkId)
        .bind(3, c.workflow)
        .bind(4, c.templateName)
        .bind(5, c.templateVersion)
        .bind(6, c.title)
        .bind(7, c.series)
        .bind(8, c.subjectEmail)
        .bind(9, c.area)
        .bind(10, c.state)
        .bind(11, c.deadline ? std::optional(formatTimestamp(*c.deadline)) : std::nullopt)
        .bind(12, c.approvalBody)
        .bind(13, c.approvalDate)
        .bind(14, c.note)
        .bind(15, stamp)
        .runReturning();
    for (const auto& r : c.signatures) insertRequest(db, c.id, r);
    for (const auto& t : c.timers) insertTimer(db, c.id, t);
    return *find(c.reference);
}

std::optional<Case> CaseRepository::find(const std::string& reference, bool withTimers) const {
    static const std::string sql = std::string(kCaseColumns) + "WHERE c.reference = $1";
    Lease db(db_);
    Query select(db, sql.c_str());
    if (!select.bind(1, text::trim(reference)).step())
        return std::nullopt;
    Case c = caseFrom(select);
    loadParts(db, c, withTimers);
    return c;
}

std::vector<Case> CaseRepository::findMany(const std::vector<std::string>& references) const {
    if (references.empty())
        return {};
    std::string set;  // $1, $2, ...
    for (std::size_t i = 1; i <= references.size(); ++i)
        set += (i > 1 ? ", $" : "$") + std::to_string(i);
    const std::string ids = "(SELECT id FROM case_file WHERE reference IN (" + set + "))";
    const std::string caseSql = std::string(kCaseColumns) + "WHERE c.id IN " + ids;
    const std::string requestSql =
        std::string(kRequestColumns) + "WHERE r.case_id IN " + ids + " ORDER BY r.case_id, r.id";
    const std::string timerSql = std::string(kTimerColumns) + "WHERE case_id IN " + ids +
                                 " ORDER BY case_id, due_at, name";
    Lease db(db_);
    const auto bound = [&](Query& q) -> Query& {
        for (std::size_t i = 0; i < references.size(); ++i)
            q.bind(static_cast<int>(i + 1), text::trim(references[i]));
        return q;
    };
    std::map<std::int64_t, Case> byId;
    Query cases(db, caseSql, Query::Unkept{});
    for (bound(cases); cases.step();) {
        Case c = caseFrom(cases);
        byId.emplace(c.id, std::move(c));
    }
    Query requests(db, requestSql, Query::Unkept{});
    for (bound(requests); requests.step();)
        byId.at(requests.integer(10)).signatures.push_back(requestFrom(requests));
    Query timers(db, timerSql, Query::Unkept{});
    for (bound(timers); timers.step();)
        byId.at(timers.integer(4)).timers.push_back(timerFrom(timers));
    std::map<std::string, Case*> byReference;
    for (auto& [id, c] : byId) byReference[c.reference] = &c;
    std::vector<Case> out;
    for (const auto& reference : references)
        if (const auto it = byReference.find(text::trim(reference)); it != byReference.end()) {
            out.push_back(std::move(*it->second));
            byReference.erase(it);
        }
    return out;
}

std::vector<Case> CaseRepository::list(const CaseFilter& f) const {
    static const std::string sql =
        std::string(kCaseColumns) +
        "WHERE ($1 = 0 OR c.network_id = $1) AND ($2 = '' OR c.workflow = $2) AND "
        "($3 = '' OR c.state = $3) AND ($4 = '' OR c.area = $4) AND ($5 = '' OR p.email = $5) "
        "ORDER BY c.id";
    Lease db(db_);
    Query select(db, sql.c_str());
    select.bind(1, f.networkId)
        .bind(2, f.workflow)
        .bind(3, f.state)
        .bind(4, f.area)
        .bind(5, f.subjectEmail);
    std::vector<Case> out;
    while (select.step()) {
        out.push_back(caseFrom(select));
        loadParts(db, out.back());
    }
    return out;
}

Case CaseRepository::update(const Case& before, const Case& after, Timestamp at) {
    Lease db(db_);
    Query(db,
          "UPDATE case_file SET state = $1, version = version + 1, deadline = $2, "
          "approval_body = $3, approval_date = $4, note = $5, records_reference = $6, "
          "sent_at = $7, updated_at = $8 WHERE id = $9 AND version = $10")
        .bind(1, after.state)
        .bind(2, after.deadline ? std::optional(formatTimestamp(*after.deadline)) : std::nullopt)
        .bind(3, after.approvalBody)
        .bind(4, after.approvalDate)
        .bind(5, after.note)
        .bind(6, after.recordsReference)
        .bind(7, after.sentAt ? std::optional(formatTimestamp(*after.sentAt)) : std::nullopt)
        .bind(8, formatTimestamp(at))
        .bind(9, before.id)
        .bind(10, before.version)
        .sendChanging(1, "case " + before.reference +
                             " was changed by someone else while this was being stored (it is "
                             "no longer at version " +
                             std::to_string(before.version) + "); nothing was written: try again");
    bool inserted = false;
    for (const auto& r : after.signatures) {
        if (r.id == 0) {
            insertRequest(db, before.id, r);
            inserted = true;
            continue;
        }
        const auto was = std::find_if(before.signatures.begin(), before.signatures.end(),
                                      [&](const SignatureRequest& b) { return b.id == r.id; });
        if (was != before.signatures.end() && was->status == r.status &&
            was->signedAt == r.signedAt && was->method == r.method && was->reason == r.reason)
            continue;
        Query(db,
              "UPDATE signature_request SET status = $1, signed_at = $2, method = $3, reason = $4 "
              "WHERE id = $5 AND case_id = $6")
            .bind(1, std::string(toString(r.status)))
            .bind(2, r.signedAt)
            .bind(3, r.method)
            .bind(4, r.reason)
            .bind(5, r.id)
            .bind(6, before.id)
            .send();
    }
    updateTimers(db, before, after);
    if (inserted)
        return *find(before.reference);  // the new requests' ids
    Case stored = after;
    stored.version = before.version + 1;
    std::sort(stored.timers.begin(), stored.timers.end(), [](const CaseTimer& a, const CaseTimer& b) {
        return a.due != b.due ? a.due < b.due : a.name < b.name;
    });
    return stored;
}

void CaseRepository::queueAction(const Case& c, const StepAction& a, Timestamp at,
                                 const std::string& status) {
    Lease db(db_);
    Query(db,
          "INSERT INTO case_action (case_id, action, recipients, created_at, status) "
          "VALUES ($1, $2, $3, $4, $5)")
        .bind(1, c.id)
        .bind(2, std::string(toString(a.action)))
        .bind(3, text::join(a.recipients, " "))
        .bind(4, formatTimestamp(at))
        .bind(5, status)
        .send();
}

namespace {
// A case_action row read as id, action, recipients, created_at, status.
QueuedAction actionFrom(const Query& q) {
    QueuedAction a{q.integer(0), q.text(1), {}, q.text(3), q.text(4)};
    std::istringstream in(q.text(2));
    for (std::string w; in >> w;) a.recipients.push_back(w);
    return a;
}
}  // namespace

std::vector<QueuedAction> CaseRepository::actions(const Case& c) const {
    Lease db(db_);
    Query select(db,
                 "SELECT id, action, recipients, created_at, status FROM case_action WHERE "
                 "case_id = $1 ORDER BY id");
    select.bind(1, c.id);
    std::vector<QueuedAction> out;
    while (select.step()) out.push_back(actionFrom(select));
    return out;
}

std::vector<std::pair<std::string, QueuedAction>> CaseRepository::queuedActions(
    const std::string& action) const {
    Lease db(db_);
    Query select(db,
                 "SELECT a.id, a.action, a.recipients, a.created_at, a.status, c.reference "
                 "FROM case_action a JOIN case_file c ON c.id = a.case_id "
                 "WHERE a.action = $1 AND a.status = 'queued' ORDER BY a.id");
    select.bind(1, action);
    std::vector<std::pair<std::string, QueuedAction>> out;
    while (select.step()) out.emplace_back(select.text(5), actionFrom(select));
    return out;
}

void CaseRepository::setActionStatus(std::int64_t actionId, const std::string& status) {
    Lease db(db_);
    Query(db, "UPDATE case_action SET status = $1 WHERE id = $2")
        .bind(1, status)
        .bind(2, actionId)
        .run();
}

std::string CaseRepository::storeDocument(const Case& c, const std::string& kind,
                                          const std::string& pdf, Timestamp at) {
    Lease db(db_);
    const std::string digest = sha256Hex(pdf);
    Query(db,
          "INSERT INTO case_document (case_id, kind, sha256, size, content, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(1, c.id)
        .bind(2, kind)
        .bind(3, digest)
        .bind(4, static_cast<std::int64_t>(pdf.size()))
        .bindBlob(5, pdf)
        .bind(6, formatTimestamp(at))
        .run();
    return digest;
}

void CaseRepository::forEachDocument(const std::function<void(const StoredDocument&)>& f) const {
    Lease db(db_);
    Query select(db,
                 "SELECT c.reference, d.kind, d.sha256, d.content FROM case_document d "
                 "JOIN case_file c ON c.id = d.case_id ORDER BY d.id");
    while (select.step()) {
        f({select.text(0), select.text(1), select.text(2), sha256Hex(select.bytes(3))});
    }
}

std::optional<std::string> CaseRepository::document(const Case& c, const std::string& kind) const {
    Lease db(db_);
    Query select(db,
                 "SELECT content FROM case_document WHERE case_id = $1 AND kind = $2 "
                 "ORDER BY id DESC LIMIT 1");
    if (!select.bind(1, c.id).bind(2, kind).step())
        return std::nullopt;
    return select.bytes(0);
}

std::vector<std::string> CaseRepository::documents(const Case& c, const std::string& kind) const {
    Lease db(db_);
    Query select(db,
                 "SELECT content FROM case_document WHERE case_id = $1 AND kind = $2 ORDER BY id");
    select.bind(1, c.id).bind(2, kind);
    std::vector<std::string> out;
    while (select.step()) out.push_back(select.bytes(0));
    return out;
}

std::vector<Case> CaseRepository::unprinted(std::int64_t networkId, const std::string& area) const {
    std::vector<Case> out;
    Lease db(db_);
    for (auto& c : list({networkId, "", "archived", area, ""})) {
        Query printed(db, "SELECT printed_at FROM case_file WHERE id = $1");
        if (printed.bind(1, c.id).step() && printed.isNull(0))
            out.push_back(std::move(c));
    }
    return out;
}

void CaseRepository::markPrinted(const Case& c, Timestamp at) {
    Lease db(db_);
    Query(db, "UPDATE case_file SET printed_at = $1 WHERE id = $2")
        .bind(1, formatTimestamp(at))
        .bind(2, c.id)
        .run();
}

std::vector<std::string> CaseRepository::withDueTimers(Timestamp at) const {
    Lease db(db_);
    Query select(db,
                 "SELECT c.reference FROM case_timer t JOIN case_file c ON c.id = t.case_id "
                 "WHERE t.due_at <= $1 AND t.paused_at IS NULL GROUP BY c.id, c.reference "
                 "ORDER BY MIN(t.due_at), c.id");
    select.bind(1, formatTimestamp(at));
    std::vector<std::string> refs;
    while (select.step()) refs.push_back(select.text(0));
    return refs;
}

std::vector<std::array<std::string, 3>> CaseRepository::nextTimers(std::int64_t networkId,
                                                                    const std::string& area,
                                                                    std::size_t limit) const {
    Lease db(db_);
    Query select(db,
                 // CROSS JOIN: the timers in the due index's order (due, case, name), so the
                 // first `limit` rows are found without sorting every timer of the network (30
                 // ms at 10,000 nurses), even when a send made them all due at one second.
                 "SELECT t.due_at, c.reference, t.name FROM case_timer t CROSS JOIN case_file c "
                 "WHERE c.id = t.case_id AND c.network_id = $1 AND ($2 = '' OR c.area = $2) AND "
                 "t.paused_at IS NULL ORDER BY t.due_at, t.case_id, t.name LIMIT $3");
    select.bind(1, networkId).bind(2, area).bind(3, static_cast<std::int64_t>(limit));
    std::vector<std::array<std::string, 3>> out;
    while (select.step()) out.push_back({select.text(0), select.text(1), select.text(2)});
    return out;
}

bool CaseRepository::isCovered(std::int64_t networkId, const std::string& workflow,
                               int templateVersion, const std::string& email) const {
    Lease db(db_);
    Query select(db,
                 "SELECT 1 FROM case_file c WHERE c.subject_person_id = "
                 "(SELECT id FROM person WHERE email = $1) AND c.network_id = $2 AND "
                 "c.workflow = $3 AND c.template_version = $4 AND c.state <> 'withdrawn' "
                 "LIMIT 1");
    return select.bind(1, email).bind(2, networkId).bind(3, workflow).bind(4, templateVersion).step();
}

CaseRepository::Tally CaseRepository::tally(std::int64_t networkId, const std::string& area,
                                            const std::string& workflow, int templateVersion,
                                            Timestamp at, int overdueDays) const {
    // One row per active nurse with the nurse's one case that was not withdrawn (the unique
    // index case_file_one_per_subject: a withdrawn case is final and at most one other exists,
    // so it is also the latest), counted per area id, then joined to the areas: nothing is
    // grouped per nurse and nothing is scanned once per area. Overdue: expired, or waiting for
    // a signature and either sent more than `overdueDays` whole days ago (at or before $1) or
    // past its deadline ($2); the cheap time test comes first so that the open request is
    // looked up only for the late ones. Times are ISO-8601 UTC text of one format, so they
    // compare as text on either database.
    static const std::string sql =
        "WITH nurse AS ("
        " SELECT u.area_id AS area_id,"
        " CASE WHEN c.state IN ('signed', 'archived') THEN 1 ELSE 0 END AS done,"
        " CASE WHEN c.state IN ('sent', 'partially_signed', 'expired') THEN 1 ELSE 0 END AS out,"
        " CASE WHEN c.state = 'expired' OR ((c.sent_at <= $1 OR c.deadline < $2) AND"
        " EXISTS (SELECT 1 FROM signature_request r WHERE r.case_id = c.id"
        " AND r.status = 'open')) THEN 1 ELSE 0 END AS late, c.sent_at, c.deadline"
        " FROM membership m JOIN unit u ON u.id = m.unit_id"
        " LEFT JOIN case_file c ON c.network_id = $3 AND c.workflow = $4"
        " AND c.template_version = $5 AND c.subject_person_id = m.person_id"
        " AND c.state <> 'withdrawn' AND ($6 = '' OR c.area = $6)"
        " WHERE m.network_id = $3 AND m.status = 'active' AND ($6 = '' OR u.area_id ="
        " (SELECT id FROM area WHERE network_id = $3 AND name = $6))),"
        " per_area AS ("
        " SELECT area_id, COUNT(*) AS nurses, SUM(done) AS done,"
        " SUM(CASE WHEN done = 0 AND out = 1 AND late = 0 THEN 1 ELSE 0 END) AS outstanding,"
        " SUM(CASE WHEN done = 0 AND out = 1 AND late = 1 THEN 1 ELSE 0 END) AS overdue,"
        " SUM(CASE WHEN done = 0 AND out = 0 THEN 1 ELSE 0 END) AS not_sent,"
        " MIN(CASE WHEN done = 0 AND out = 1 AND late = 0 THEN sent_at END) AS next_sent,"
        " MIN(CASE WHEN done = 0 AND out = 1 AND late = 0 THEN deadline END) AS next_deadline"
        " FROM nurse GROUP BY area_id)"
        " SELECT a.name, COALESCE(p.nurses, 0), COALESCE(p.done, 0), COALESCE(p.outstanding, 0),"
        " COALESCE(p.overdue, 0), COALESCE(p.not_sent, 0), p.next_sent, p.next_deadline"
        " FROM area a LEFT JOIN per_area p ON p.area_id = a.id"
        " WHERE a.network_id = $3 AND ($6 = '' OR a.name = $6) ORDER BY a.position";
    Lease db(db_);
    const auto sentBy = at - std::chrono::hours(24) * (static_cast<std::int64_t>(overdueDays) + 1);
    Query select(db, sql.c_str());
    select.bind(1, formatTimestamp(sentBy))
        .bind(2, formatTimestamp(at))
        .bind(3, networkId)
        .bind(4, workflow)
        .bind(5, templateVersion)
        .bind(6, area);
    Tally out;
    const auto earliest = [&](Timestamp t) {
        if (!out.changesAt || t < *out.changesAt)
            out.changesAt = t;
    };
    while (select.step()) {
        out.areas.push_back({select.text(0), static_cast<int>(select.integer(1)),
                             static_cast<int>(select.integer(2)),
                             static_cast<int>(select.integer(3)),
                             static_cast<int>(select.integer(4)),
                             static_cast<int>(select.integer(5))});
        // Overdue from the moment sent_at <= now - (overdueDays + 1) days, or deadline < now.
        if (const std::string sent = select.text(6); !sent.empty())
            earliest(timeOf(sent) + (at - sentBy));
        if (const std::string deadline = select.text(7); !deadline.empty())
            earliest(timeOf(deadline) + std::chrono::seconds(1));
    }
    return out;
}

std::vector<CaseRepository::OpenRequest> CaseRepository::longestOpen(std::int64_t networkId,
                                                                     const std::string& area,
                                                                     Timestamp at,
                                                                     std::size_t limit) const {
    Lease db(db_);
    Query select(db,
                 // CROSS JOIN: the cases first, in the index's order, so the first `limit` rows
                 // are found without sorting every open request.
                 "SELECT c.reference, c.area, p.name, r.role, c.sent_at"
                 " FROM case_file c CROSS JOIN signature_request r"
                 " JOIN person p ON p.id = r.person_id"
                 " WHERE r.case_id = c.id AND c.network_id = $1 AND c.sent_at IS NOT NULL"
                 " AND r.status = 'open' AND ($2 = '' OR c.area = $2)"
                 " ORDER BY c.sent_at, c.id, r.id LIMIT $3");
    select.bind(1, networkId).bind(2, area).bind(3, static_cast<std::int64_t>(limit));
    std::vector<OpenRequest> out;
    while (select.step()) {
        const auto days = (at - timeOf(select.text(4))).count() / 86400;  // whole days
        out.push_back({select.text(0), select.text(1), select.text(2), select.text(3),
                       static_cast<int>(days)});
    }
    return out;
}

}  // namespace avtaleflyt::storage
