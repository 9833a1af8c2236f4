#include "avtaleflyt/storage/CaseRepository.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <sstream>

#include "DatabaseImpl.h"
#include "Rows.h"
#include "avtaleflyt/domain/Text.h"

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace avtaleflyt::storage {
namespace {

std::int64_t personIdOf(Lease& db, const std::string& email) {
    Query select(db, "SELECT id FROM person WHERE email = ?");
    if (!select.bind(1, email).step())
        throw StorageError(db.path + ": no person with e-mail " + email);
    return select.integer(0);
}

Timestamp timeOf(const std::string& s) {
    return parseTimestamp(s).value_or(Timestamp{});
}

void insertRequest(Lease& db, std::int64_t caseId, const SignatureRequest& r) {
    const std::int64_t person = personIdOf(db, r.email);
    Query(db,
          "INSERT INTO signature_request (case_id, role, person_id, organisation, position, "
          "status, signed_at, method, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
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

void writeTimers(Lease& db, const Case& c) {
    Query(db, "DELETE FROM case_timer WHERE case_id = ?").bind(1, c.id).run();
    for (const auto& t : c.timers)
        Query(db,
              "INSERT INTO case_timer (case_id, name, due_at, fired, paused_at) "
              "VALUES (?, ?, ?, ?, NULLIF(?, ''))")
            .bind(1, c.id)
            .bind(2, t.name)
            .bind(3, formatTimestamp(t.due))
            .bind(4, t.fired)
            .bind(5, t.pausedAt ? formatTimestamp(*t.pausedAt) : "")
            .run();
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

void loadParts(Lease& db, Case& c, bool withTimers = true) {
    Query reqs(db,
               "SELECT r.id, r.role, p.email, p.name, r.organisation, r.position, r.status, "
               "r.signed_at, r.method, r.reason FROM signature_request r "
               "JOIN person p ON p.id = r.person_id WHERE r.case_id = ? ORDER BY r.id");
    reqs.bind(1, c.id);
    while (reqs.step()) {
        SignatureRequest r;
        r.id = reqs.integer(0);
        r.role = reqs.text(1);
        r.email = reqs.text(2);
        r.name = reqs.text(3);
        r.organisation = reqs.text(4);
        r.position = static_cast<int>(reqs.integer(5));
        r.status = parseSignatureStatus(reqs.text(6)).value_or(SignatureStatus::Void);
        r.signedAt = reqs.text(7);
        r.method = reqs.text(8);
        r.reason = reqs.text(9);
        c.signatures.push_back(r);
    }
    if (!withTimers)
        return;
    Query timers(db,
                 "SELECT name, due_at, fired, COALESCE(paused_at, '') FROM case_timer "
                 "WHERE case_id = ? ORDER BY due_at, name");
    timers.bind(1, c.id);
    while (timers.step()) {
        CaseTimer t{timers.text(0), timeOf(timers.text(1)),
                    static_cast<int>(timers.integer(2)), {}};
        if (const std::string p = timers.text(3); !p.empty())
            t.pausedAt = timeOf(p);
        c.timers.push_back(t);
    }
}

}  // namespace

Case CaseRepository::create(const Case& in, std::int64_t networkId, const std::string& prefix,
                            int year, Timestamp at) {
    Lease db(db_);
    Query(db,
          "INSERT INTO case_counter (prefix, year, last) VALUES (?, ?, 1) "
          "ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1")
        .bind(1, prefix)
        .bind(2, year)
        .run();
    Query counter(db, "SELECT last FROM case_counter WHERE prefix = ? AND year = ?");
    counter.bind(1, prefix).bind(2, year).step();
    Case c = in;
    c.reference = caseReference(prefix, year, static_cast<int>(counter.integer(0)));
    c.version = 1;
    const std::string stamp = formatTimestamp(at);
    Query(db,
          "INSERT INTO case_file (reference, network_id, workflow, template, template_version, "
          "title, series, subject_person_id, area, state, version, deadline, approval_body, "
          "approval_date, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
          "(SELECT id FROM person WHERE email = ?8 AND ?8 <> ''), ?, ?, 1, NULLIF(?, ''), ?, "
          "?, ?, ?, ?)")
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
        .bind(11, c.deadline ? formatTimestamp(*c.deadline) : "")
        .bind(12, c.approvalBody)
        .bind(13, c.approvalDate)
        .bind(14, c.note)
        .bind(15, stamp)
        .bind(16, stamp)
        .run();
    c.id = db.lastInsertId();
    for (const auto& r : c.signatures) insertRequest(db, c.id, r);
    writeTimers(db, c);
    return *find(c.reference);
}

std::optional<Case> CaseRepository::find(const std::string& reference, bool withTimers) const {
    static const std::string sql = std::string(kCaseColumns) + "WHERE c.reference = ?";
    Lease db(db_);
    Query select(db, sql.c_str());
    if (!select.bind(1, text::trim(reference)).step())
        return std::nullopt;
    Case c = caseFrom(select);
    loadParts(db, c, withTimers);
    return c;
}

std::vector<Case> CaseRepository::list(const CaseFilter& f) const {
    static const std::string sql =
        std::string(kCaseColumns) +
        "WHERE (?1 = 0 OR c.network_id = ?1) AND (?2 = '' OR c.workflow = ?2) AND "
        "(?3 = '' OR c.state = ?3) AND (?4 = '' OR c.area = ?4) AND (?5 = '' OR p.email = ?5) "
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

bool CaseRepository::update(const Case& c, Timestamp at) {
    Lease db(db_);
    const int changed =
        Query(db,
              "UPDATE case_file SET state = ?, version = version + 1, deadline = NULLIF(?, ''), "
              "approval_body = ?, approval_date = ?, note = ?, records_reference = ?, "
              "sent_at = NULLIF(?, ''), updated_at = ? WHERE id = ? AND version = ?")
            .bind(1, c.state)
            .bind(2, c.deadline ? formatTimestamp(*c.deadline) : "")
            .bind(3, c.approvalBody)
            .bind(4, c.approvalDate)
            .bind(5, c.note)
            .bind(6, c.recordsReference)
            .bind(7, c.sentAt ? formatTimestamp(*c.sentAt) : "")
            .bind(8, formatTimestamp(at))
            .bind(9, c.id)
            .bind(10, c.version)
            .run();
    if (changed == 0)
        return false;
    for (const auto& r : c.signatures) {
        if (r.id == 0) {
            insertRequest(db, c.id, r);
            continue;
        }
        Query(db,
              "UPDATE signature_request SET status = ?, signed_at = ?, method = ?, reason = ? "
              "WHERE id = ? AND case_id = ?")
            .bind(1, std::string(toString(r.status)))
            .bind(2, r.signedAt)
            .bind(3, r.method)
            .bind(4, r.reason)
            .bind(5, r.id)
            .bind(6, c.id)
            .run();
    }
    writeTimers(db, c);
    return true;
}

void CaseRepository::queueAction(const Case& c, const StepAction& a, Timestamp at,
                                 const std::string& status) {
    Lease db(db_);
    Query(db,
          "INSERT INTO case_action (case_id, action, recipients, created_at, status) "
          "VALUES (?, ?, ?, ?, ?)")
        .bind(1, c.id)
        .bind(2, std::string(toString(a.action)))
        .bind(3, text::join(a.recipients, " "))
        .bind(4, formatTimestamp(at))
        .bind(5, status)
        .run();
}

namespace {
// A case_action row read as id, action, recipients, created_at, status.
QueuedAction actionAt(const RecordSet& rs, std::size_t row) {
    QueuedAction a{
        integerAt(rs, row, 0), textAt(rs, row, 1), {}, textAt(rs, row, 3), textAt(rs, row, 4)};
    std::istringstream in(textAt(rs, row, 2));
    for (std::string w; in >> w;) a.recipients.push_back(w);
    return a;
}
}  // namespace

std::vector<QueuedAction> CaseRepository::actions(const Case& c) const {
    Lease db(db_);
    Statement select(db.session);
    select << "SELECT id, action, recipients, created_at, status FROM case_action WHERE case_id = "
              "? ORDER BY id",
        bind(c.id), now;
    RecordSet rs(select);
    std::vector<QueuedAction> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
        out.push_back(actionAt(rs, row));
    }
    return out;
}

std::vector<std::pair<std::string, QueuedAction>> CaseRepository::queuedActions(
    const std::string& action) const {
    Lease db(db_);
    Statement select(db.session);
    select << "SELECT a.id, a.action, a.recipients, a.created_at, a.status, c.reference "
              "FROM case_action a JOIN case_file c ON c.id = a.case_id "
              "WHERE a.action = ? AND a.status = 'queued' ORDER BY a.id",
        bind(action), now;
    RecordSet rs(select);
    std::vector<std::pair<std::string, QueuedAction>> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
        out.emplace_back(textAt(rs, row, 5), actionAt(rs, row));
    }
    return out;
}

void CaseRepository::setActionStatus(std::int64_t actionId, const std::string& status) {
    Lease db(db_);
    db.session << "UPDATE case_action SET status = ? WHERE id = ?", bind(status), bind(actionId),
        now;
}

std::string CaseRepository::storeDocument(const Case& c, const std::string& kind,
                                          const std::string& pdf, Timestamp at) {
    Lease db(db_);
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(pdf);
    const std::string digest = Poco::DigestEngine::digestToHex(sha.digest());
    Query(db,
          "INSERT INTO case_document (case_id, kind, sha256, size, content, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?)")
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
        Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
        sha.update(select.text(3));
        f({select.text(0), select.text(1), select.text(2),
           Poco::DigestEngine::digestToHex(sha.digest())});
    }
}

std::optional<std::string> CaseRepository::document(const Case& c, const std::string& kind) const {
    Lease db(db_);
    Query select(db,
                 "SELECT content FROM case_document WHERE case_id = ? AND kind = ? "
                 "ORDER BY id DESC LIMIT 1");
    if (!select.bind(1, c.id).bind(2, kind).step())
        return std::nullopt;
    return select.text(0);
}

std::vector<std::string> CaseRepository::documents(const Case& c, const std::string& kind) const {
    Lease db(db_);
    std::vector<Poco::Data::BLOB> found;
    db.session << "SELECT content FROM case_document WHERE case_id = ? AND kind = ? ORDER BY id",
        bind(c.id), bind(kind), into(found), now;
    std::vector<std::string> out;
    for (const auto& b : found)
        out.emplace_back(reinterpret_cast<const char*>(b.rawContent()), b.size());
    return out;
}

std::vector<Case> CaseRepository::unprinted(std::int64_t networkId, const std::string& area) const {
    std::vector<Case> out;
    Lease db(db_);
    for (auto& c : list({networkId, "", "archived", area, ""})) {
        std::int64_t printed = 0;
        db.session
            << "SELECT count(*) FROM case_file WHERE id = ? AND printed_at IS NOT NULL",
            bind(c.id), into(printed), now;
        if (!printed)
            out.push_back(std::move(c));
    }
    return out;
}

void CaseRepository::markPrinted(const Case& c, Timestamp at) {
    const std::string stamp = formatTimestamp(at);
    Lease(db_).session << "UPDATE case_file SET printed_at = ? WHERE id = ?", bind(stamp),
        bind(c.id), now;
}

std::vector<std::string> CaseRepository::withDueTimers(Timestamp at) const {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    std::vector<std::string> refs;
    db.session
        << "SELECT c.reference FROM case_timer t JOIN case_file c ON c.id = t.case_id "
           "WHERE t.due_at <= ? AND t.paused_at IS NULL GROUP BY c.id ORDER BY MIN(t.due_at), c.id",
        bind(stamp), into(refs), now;
    return refs;
}

std::vector<std::array<std::string, 3>> CaseRepository::nextTimers(std::int64_t networkId,
                                                                    const std::string& area,
                                                                    std::size_t limit) const {
    Lease db(db_);
    const auto max = static_cast<std::int64_t>(limit);
    Statement select(db.session);
    select << "SELECT t.due_at, c.reference, t.name FROM case_timer t JOIN case_file c ON c.id = "
              "t.case_id WHERE c.network_id = ? AND (? = '' OR c.area = ?) AND t.paused_at IS "
              "NULL ORDER BY t.due_at, c.id LIMIT ?",
        bind(networkId), bind(area), bind(area), bind(max), now;
    RecordSet rs(select);
    std::vector<std::array<std::string, 3>> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back({textAt(rs, row, 0), textAt(rs, row, 1), textAt(rs, row, 2)});
    return out;
}

bool CaseRepository::isCovered(std::int64_t networkId, const std::string& workflow,
                               int templateVersion, const std::string& email) const {
    Lease db(db_);
    Query select(db,
                 "SELECT EXISTS (SELECT 1 FROM case_file c WHERE c.subject_person_id = "
                 "(SELECT id FROM person WHERE email = ?) AND c.network_id = ? AND "
                 "c.workflow = ? AND c.template_version = ? AND c.state <> 'withdrawn')");
    select.bind(1, email).bind(2, networkId).bind(3, workflow).bind(4, templateVersion).step();
    return select.integer(0) != 0;
}

namespace {
// Whole days from a stored time `column` to the parameter `now` (a `?`): 0 when never sent.
std::string daysSince(const std::string& column) {
    return "COALESCE((CAST(strftime('%s', ?) AS INTEGER) - CAST(strftime('%s', " + column +
           ") AS INTEGER)) / 86400, 0)";
}
}  // namespace

std::vector<CaseRepository::AreaCount> CaseRepository::tally(std::int64_t networkId,
                                                             const std::string& area,
                                                             const std::string& workflow,
                                                             int templateVersion, Timestamp at,
                                                             int overdueDays) const {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    const std::string overdue =
        "l.state = 'expired' OR (EXISTS (SELECT 1 FROM signature_request r WHERE r.case_id = l.id "
        "AND r.status = 'open') AND (" + daysSince("l.sent_at") +
        " > ? OR (l.deadline IS NOT NULL AND l.deadline < ?)))";
    Statement select(db.session);
    select << "WITH nurse AS ("
              " SELECT m.person_id AS pid, u.area_id AS area_id FROM membership m"
              " JOIN unit u ON u.id = m.unit_id JOIN area a ON a.id = u.area_id"
              " WHERE m.network_id = ? AND m.status = 'active' AND (? = '' OR a.name = ?)),"
              " fd AS ("
              " SELECT c.id, c.subject_person_id AS pid, c.state FROM case_file c"
              " WHERE c.network_id = ? AND c.workflow = ? AND c.template_version = ?"
              " AND (? = '' OR c.area = ?)),"
              " per AS ("
              " SELECT n.area_id, MAX(COALESCE(fd.state IN ('signed', 'archived'), 0)) AS done,"
              " MAX(fd.id) AS latest FROM nurse n LEFT JOIN fd ON fd.pid = n.pid GROUP BY n.pid),"
              " state AS ("
              " SELECT per.area_id, per.done,"
              " l.state IN ('sent', 'partially_signed', 'expired') AS out,"
              " COALESCE(" + overdue + ", 0) AS late"
              " FROM per LEFT JOIN case_file l ON l.id = per.latest)"
              " SELECT a.name, COUNT(s.area_id), COALESCE(SUM(s.done), 0),"
              " COALESCE(SUM(NOT s.done AND s.out AND NOT s.late), 0),"
              " COALESCE(SUM(NOT s.done AND s.out AND s.late), 0),"
              " COALESCE(SUM(NOT s.done AND NOT COALESCE(s.out, 0)), 0)"
              " FROM area a LEFT JOIN state s ON s.area_id = a.id"
              " WHERE a.network_id = ? AND (? = '' OR a.name = ?)"
              " GROUP BY a.id ORDER BY a.position",
        bind(networkId), bind(area), bind(area), bind(networkId), bind(workflow),
        bind(templateVersion), bind(area), bind(area), bind(stamp), bind(overdueDays), bind(stamp),
        bind(networkId), bind(area), bind(area), now;
    RecordSet rs(select);
    std::vector<AreaCount> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back({textAt(rs, row, 0), static_cast<int>(integerAt(rs, row, 1)),
                       static_cast<int>(integerAt(rs, row, 2)),
                       static_cast<int>(integerAt(rs, row, 3)),
                       static_cast<int>(integerAt(rs, row, 4)),
                       static_cast<int>(integerAt(rs, row, 5))});
    return out;
}

std::vector<CaseRepository::OpenRequest> CaseRepository::longestOpen(std::int64_t networkId,
                                                                     const std::string& area,
                                                                     Timestamp at,
                                                                     std::size_t limit) const {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    const auto lim = static_cast<std::int64_t>(limit);
    Statement select(db.session);
    select << "SELECT c.reference, c.area, p.name, r.role, " + daysSince("c.sent_at") +
                  // CROSS JOIN: the cases first, in the index's order, so the first `limit`
                  // rows are found without sorting every open request.
                  " AS days FROM case_file c CROSS JOIN signature_request r"
                  " JOIN person p ON p.id = r.person_id"
                  " WHERE r.case_id = c.id AND c.network_id = ? AND c.sent_at IS NOT NULL"
                  " AND r.status = 'open' AND (? = '' OR c.area = ?)"
                  " ORDER BY c.sent_at, c.id, r.id LIMIT ?",
        bind(stamp), bind(networkId), bind(area), bind(area), bind(lim), now;
    RecordSet rs(select);
    std::vector<OpenRequest> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row)
        out.push_back({textAt(rs, row, 0), textAt(rs, row, 1), textAt(rs, row, 2),
                       textAt(rs, row, 3), static_cast<int>(integerAt(rs, row, 4))});
    return out;
}

}  // namespace avtaleflyt::storage
