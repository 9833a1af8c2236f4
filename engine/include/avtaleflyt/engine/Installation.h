#pragma once
// An installation: one data folder holding the database (avtaleflyt.db) and the configuration
// (avtaleflyt.properties). The entry point for everything the apps do.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "avtaleflyt/domain/CaseMachine.h"
#include "avtaleflyt/domain/Template.h"
#include "avtaleflyt/notify/Transport.h"
#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Roster.h"
#include "avtaleflyt/domain/RosterDiff.h"
#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt::engine {

// An operation that could not be done; the message says what and why, for the user.
// Nothing was changed when it is thrown.
class EngineError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The installation is missing or unusable (no data folder, a database from a newer version).
class InstallationError : public EngineError {
  public:
    using EngineError::EngineError;
};

struct Network {
    std::string name;
    std::vector<std::string> areas;
    std::string createdAt;
};

struct AuditEventView {
    std::int64_t seq;
    std::string occurredAt, actor, kind, subject, payload;
};

struct AuditCheck {
    std::int64_t eventsChecked = 0;
    std::string headHash;
    std::optional<std::int64_t> firstBadSeq;
    std::string problem;
};

// The outcome of reading a roster file against a network.
struct RosterImport {
    Network network;
    std::string source;
    std::vector<InputProblem> problems;  // non-empty: nothing was (or would be) written
    std::vector<std::string> warnings;
    RosterDiff diff;                       // what was (or would be) changed
    bool applied = false;                  // true when the diff was written
    std::vector<std::string> caseEffects;  // what the changes did to open cases, one line each
};

// How an installation is set up beyond its database (from avtaleflyt.properties).
// Where signing links point when neither portal.url nor a running serve says otherwise.
inline constexpr const char* kDefaultPortalUrl = "http://127.0.0.1:8080";

struct Settings {
    std::string workflowsDir;  // empty: the definitions shipped in the binary
    std::map<std::string, std::string> signingOrder;  // workflow name -> "parallel" | "sequential"
    std::string sealPkcs12;    // a PKCS#12 file to seal with instead of the data folder's
    std::string sealPassword;  // seal-*.pem, and its password
    std::map<std::string, bool> archiveScreened;  // workflow -> screened (default: function
                                                  // descriptions yes, agreements no)
    std::string archiveAccessCode = "13";
    std::string archiveScreeningAuthority = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1";
    std::string archiveFormat = "fmt/477";  // or "pdf", as Arkade 5 expects
        bool archiveCaseFilePerCase = false;  // one saksmappe per case (default: per workflow and year)

    // Mail and the signing portal.
    std::string language = "nb";                      // of mails and the portal: "nb" or "en"
    // Signing links start with it (portal.url). Empty: where `serve` listens (see
    // listenAt), and kDefaultPortalUrl for links made outside it.
    std::string portalUrl;
    std::string trustedProxy;  // the reverse proxy's address, whose X-Forwarded-For is believed
    std::string mailFrom = "avtaleflyt@localhost";
    std::string mailTransport = "maildir";  // "maildir": DATA/mail; "smtp": smtp below
    notify::SmtpSettings smtp;
};

// What one run of the outbox dispatcher did.
struct DispatchReport {
    std::vector<std::string> sent;    // "RECIPIENT: SUBJECT (answer)"
    std::vector<std::string> failed;  // "RECIPIENT: SUBJECT: error; next attempt at T"
};

// The outstanding-signatures report (Report.cpp).
struct OutstandingSignature {
    std::string area, unit, leaderName;  // of the nurse; agreements: area "", unit the party
    std::string reference, title, state;
    std::string signerName, signerRole;
    std::string sentAt, deadline;  // YYYY-MM-DD
    int daysOutstanding = 0;       // since the case was (last) sent
    int remindersSent = 0;
    bool overdue = false;  // outstanding longer than kOverdueDays, or past the deadline
};
struct CoverageGap {  // an active nurse without a signed function description of this version
    std::string area, unit, nurseName, leaderName;
    std::string caseReference, caseState;  // empty: no case was ever opened
};
// Function descriptions of the active nurses of an area; each nurse in one of the counts:
// signed; out for signing (outstanding, or overdue when waiting more than kOverdueDays or past
// the deadline); not out for signing (no case, a draft, declined or withdrawn).
struct AreaTally {
    std::string area;
    int activeNurses = 0, signedCount = 0, outstanding = 0, overdue = 0, notSent = 0;
};
struct MissingReport {
    static constexpr int kOverdueDays = 21;  // when the nearest leader is told
    std::string network, area, asOf;
    std::vector<OutstandingSignature> open;  // sorted by area, unit, leader, reference
    std::vector<CoverageGap> uncovered;      // sorted by area, unit, name
        std::vector<AreaTally> areas;            // in the network's order

    AreaTally total() const;  // the areas summed
};

// A dashboard user (Users.cpp). Roles: "network_leader" (everything in the network),
// "area_leader" (their area only), "records_office" (archive and audit; read-only elsewhere).
struct WebUser {
    std::int64_t id = 0;
    std::string username, name, role, network, area;
    bool disabled = false;
};

struct SignIn {
    bool ok = false;
    std::string refusal;  // the same words for an unknown user and a wrong password
    std::string token;    // the session cookie's value
    WebUser user;
};

// A message in the outbox (without its text).
struct OutboxEntry {
    std::string messageId, reference, kind, recipient, subject, status;
    int attempts = 0;
    std::string nextAttemptAt, lastError, serverAnswer, createdAt, sentAt;
};

// A signing link as its holder sees it.
struct SigningView {
    enum class Status { Open, Used, Expired, Closed, Unknown };
    Status status = Status::Unknown;
    std::string reference, title, network, state;
    std::string signerName, signerRole;  // role as stored: nurse, leader, party
    std::string organisation;            // agreements: the party
    std::string deadline;                // YYYY-MM-DD, or empty
    std::string signedAt;                // when a used link was used to sign
    FilledDocument document;             // the text, for the readable rendition (Open only)
};

// The outcome of signing or declining through a link.
struct LinkOutcome {
    SigningView::Status status = SigningView::Status::Unknown;  // Open: it was done
    std::string refusal;  // when status is Open but the step was refused (e.g. no reason)
    std::string caseState;
};

struct ArchiveReport {
    std::vector<std::string> references;  // the cases archived (or that would be)
    std::string packageDir;               // where the package was written; empty on a dry run
};

// Where the actions of a step go (render, notify, seal, archive, ...). Called inside the
// step's transaction: throwing undoes the whole step, state change and audit event included.
// The default queues each action in the database for the modules that carry them out.
class ActionPort {
  public:
    virtual ~ActionPort() = default;
    virtual void perform(const Case& c, const StepAction& action) = 0;
};

// The result of firing a trigger: done, or refused with the reason (nothing was written).
struct StepOutcome {
    bool done = false;
    std::string refusal;
    std::string from, to;
    Case after;  // the case as stored after the step (as it was, if refused)
};

struct CaseQuery {
    std::string network;   // empty: the only network, or network.default
    std::string workflow;  // empty: any
    std::string state;     // empty: any
    std::string area;      // empty: any
};

struct QueuedActionView {
    std::string action;
    std::vector<std::string> recipients;
    std::string createdAt;
    std::string status;
};

struct CaseDetails {
    Case c;
    std::vector<AuditEventView> timeline;  // every audit event about the case, oldest first
    std::vector<QueuedActionView> actions;
};

// A nurse who would get (or got) a function description.
struct SendCandidate {
    std::string email, name, area, unit, leaderName;
};

struct SendReport {
    std::vector<SendCandidate> candidates;  // active nurses without a current function description
    std::vector<Case> sent;                 // the cases opened and sent (empty on a dry run)
    std::size_t covered = 0;                // active nurses who have one already (or an open case)
};

struct Party {
    std::string organisation, name, email;
};
// "ORGANISATION|SIGNATORY|E-MAIL" (spaces around the bars ignored); nothing if not three parts.
std::optional<Party> parseParty(const std::string& text);

struct TimerReport {
    std::vector<std::string> fired;  // one line per timer that fired: reference, timer, what it did
    std::vector<std::string> mails;  // one line per mail it wrote: "to ADDRESS: SUBJECT"
    std::size_t held = 0;            // reminders and escalations due but outside office hours
    std::string heldUntil;           // when they go (Oslo time, "YYYY-MM-DDTHH:MM")
};

class DocumentActionPort;  // engine-private
class MailActionPort;      // engine-private

class Installation {
  public:
    static constexpr const char* kDatabaseFile = "avtaleflyt.db";
    static constexpr const char* kConfigFile = "avtaleflyt.properties";
    static constexpr const char* kSealCertificate = "seal-certificate.pem";
    static constexpr const char* kSealKey = "seal-key.pem";

    // Creates the data folder, the database, a commented configuration file and the seal key
    // and certificate (seal-key.pem readable by the owner only) where missing.
    // Returns false if an installation was there already (it is then only brought up to date).
    static bool init(const std::string& dataDir, const Clock& clock, const std::string& actor);

    // Opens an existing installation. Throws InstallationError if there is none at `dataDir`,
    // its database is from a newer avtaleflyt, or a workflow definition in settings.workflowsDir
    // is invalid. `actor` is recorded on every audit event.
    Installation(const std::string& dataDir, const Clock& clock, std::string actor,
                 const Settings& settings = {});
    ~Installation();
    Installation(Installation&&) noexcept;

    const std::string& dataDir() const;
    int schemaVersion() const;
    // `serve` listens at `url` (http://HOST:PORT): signing links made from now on start with
    // it unless settings.portalUrl is set.
    void listenAt(const std::string& url);
    // The start of the signing links made now.
    std::string portalUrl() const;
    // How many threads render a send's documents (0, the default: one per core). `serve`
    // leaves a core to the requests.
    void renderWith(unsigned workers);

    // Networks. addNetwork throws EngineError for a name in use, no areas, or a repeated area.
    Network addNetwork(const std::string& name, const std::vector<std::string>& areas);
    void addArea(const std::string& network, const std::string& area);
    std::vector<Network> networks() const;
    // The network called `name`; with an empty name the only network there is. Throws
    // EngineError naming the networks there are when that does not identify one.
    Network network(const std::string& name) const;

    // Reads `path` (CSV or .xlsx) as the network's complete roster and compares it with what is
    // stored. Unless `dryRun`, or there are problems, writes the changes and one audit event per
    // change in one transaction. Throws EngineError if the file cannot be read as a table.
    RosterImport importRoster(const std::string& path, const std::string& network, bool dryRun);

    // The stored roster of a network (people: everybody the installation knows).
    Roster roster(const Network& network) const;

    // Workflows.
    const std::vector<WorkflowDef>& workflows() const;
    const WorkflowDef& workflow(const std::string& name) const;  // throws EngineError if unknown
    // Replaces where step actions go (the default queues them in the database).
    void setActionPort(ActionPort* port);

    // Opens and sends a function description to every active nurse of the network (in `area`
    // if given) who has none of the current template version, signed or under way. One
    // transaction per nurse. With `dryRun`, only says who would get one.
    SendReport sendFunctionDescriptions(const std::string& network, const std::string& area,
                                        bool dryRun);

    // A new collaboration agreement in draft, one signatory per party; `revises` names the
    // revision it replaces once archived.
    Case newAgreement(const std::string& network, const std::string& title,
                      const std::vector<Party>& parties, const std::string& revises);

    // Fires `trigger` on the case. A trigger that is not allowed (state, actor, guards), or a
    // case changed since `expectedVersion`, is refused as a value. Throws EngineError for an
    // unknown case.
    StepOutcome fire(const std::string& reference, const Trigger& trigger,
                     std::optional<int> expectedVersion = std::nullopt);

        std::vector<Case> cases(const CaseQuery& query) const;

    // Reminds the case's open signers now (a mail with a fresh link each), outside the timers.
    // Returns how many were reminded. Throws EngineError for an unknown case.
    std::size_t remindNow(const std::string& reference);

    // Registers a paper signature of `signerRole` ("nurse", "leader", "party" for the next
    // unsigned party) signed on `signedOn` (YYYY-MM-DD, not in the future; empty: today) with
    // its scan: a PDF of at most kMaxScanBytes, kept with the case and archived with it. The
    // scan and the step are one transaction. Throws EngineError for a bad scan or date.
    static constexpr std::size_t kMaxScanBytes = 10 * 1024 * 1024;
    StepOutcome registerPaperSignature(const std::string& reference, const std::string& signerRole,
                                       const std::string& scanPath, const std::string& signedOn);

    // The case's document as a PDF: as sent for signing, or (`final`) with the signature page
    // and the event log; sealed with the installation's seal if `sealed`. Throws EngineError
    // for a case without a document template or a template value that is missing.
    std::string renderCase(const std::string& reference, bool final, bool sealed) const;
    // The stored final (sealed) PDF of a signed case, if there is one.
    std::optional<std::string> finalDocument(const std::string& reference) const;
    CaseDetails caseDetails(const std::string& reference) const;

        // One sweep: fires every timer due now. Reminders mail the open signers a fresh link,
    // escalations become one digest per leader and area leader, expiry expires. Reminders and
    // escalations wait for office hours (08-16 Oslo time on Norwegian working days); expiry does
    // not. One transaction per case, so two sweeps at once fire each timer once; with `dryRun`
    // nothing is written, and the report says what would be.
    TimerReport runDueTimers(bool dryRun);

    // Archives every signed case of the network with its final sealed PDF: one package in
    // `outDir` (empty: DATA/archive; see archive/Package.h) with the Noark 5 schemas, validated
    // against them (the shipped ones, or the *.xsd of `schemasDir` if given), and the cases moved
    // to archived, all or nothing.
    // Throws EngineError.
    ArchiveReport archive(const std::string& network, const std::string& outDir,
                          const std::string& schemasDir, bool dryRun);

    // Records the records system's document number on an archived case (an audit event).
    // Throws EngineError for a case that is not archived or an empty number.
    Case setRecordsReference(const std::string& reference, const std::string& recordsReference);

    // The area's archived originals not printed before, as one PDF for the next area gathering,
    // written to `outPath` (atomically) before they are marked printed (one audit event each,
    // only if `markPrinted`). No references: nothing new, nothing written.
    struct PrintBatch {
        std::vector<std::string> references;
        std::string pdf;
    };
    PrintBatch printBatch(const std::string& network, const std::string& area,
                          const std::string& outPath, bool markPrinted);

    // Checks every archived case of the installation against its records: its final document is
    // stored and its seal valid, every signature is there and dated no later than the deadline,
    // and the audit log holds its archive event. One line per finding: "REF: what".
    std::vector<std::string> auditArchivedCases() const;

        // Mail. Every message is written to the outbox in the transaction of the step that caused
    // it; sendOutbox delivers the messages due (at most `limit`), each marked sent once, and
    // leaves failed ones queued with a later next attempt (1, 2, 4, ... minutes, at most 6
    // hours). The transport is the settings' one unless setTransport gave another.
    DispatchReport sendOutbox(std::size_t limit = 1000);
    std::vector<OutboxEntry> outbox(const std::string& status) const;  // "": all; newest first
    void setTransport(notify::Transport* transport);

    // Signing links (tokens from mails): what the link shows, and signing or declining through
    // it. A link works once, until the case's deadline. `ip` and `userAgent` are kept as
    // evidence in the database, never in a PDF.
    // `withDocument`: fill in the document's text (for showing it; not needed to act).
    SigningView signingView(const std::string& token, bool withDocument = true) const;
    std::optional<std::string> linkDocument(const std::string& token) const;  // the PDF sent
    LinkOutcome signByLink(const std::string& token, const std::string& ip,
                           const std::string& userAgent);
    LinkOutcome declineByLink(const std::string& token, const std::string& reason,
                              const std::string& ip, const std::string& userAgent);

        // Every open signature request (by area, unit and leader, with days outstanding and
    // reminders sent) and every active nurse without a signed function description of the
    // current version, in the network (or `area`), with the tally per area.
        MissingReport missingSignatures(const std::string& network, const std::string& area) const;
    // What the sweep will do next: the next `limit` timers, soonest first ("DUE REF TIMER").
    struct UpcomingTimer {
        std::string due, reference, timer;
    };
    std::vector<UpcomingTimer> upcomingTimers(const std::string& network, const std::string& area,
                                              std::size_t limit) const;

        // Dashboard users. Passwords (at least kMinPasswordLength characters) are stored as scrypt
    // hashes. Throws EngineError for a bad role, area, password or an unknown user.
    static constexpr std::size_t kMinPasswordLength = 10;
    static constexpr int kMaxFailedSignIns = 5;        // then locked for kLockMinutes
    static constexpr int kLockMinutes = 15;
    static constexpr int kSessionHours = 8;
    void addUser(const std::string& username, const std::string& name, const std::string& role,
                 const std::string& network, const std::string& area, const std::string& password);
    void setUserPassword(const std::string& username, const std::string& password);
    void disableUser(const std::string& username);
    std::vector<WebUser> users() const;
    SignIn signIn(const std::string& username, const std::string& password);
    // The signed-in user and the session's CSRF token, if the session is valid now.
    std::optional<std::pair<WebUser, std::string>> sessionUser(const std::string& token) const;
    void signOut(const std::string& token);
    // A new API token for the user (shown once; stored as a hash).
    std::string createApiToken(const std::string& username);
    std::optional<WebUser> apiUser(const std::string& token) const;
    // Who the audit log names for what follows ("web:USERNAME"); empty: the installation's.
    void setActor(const std::string& actor);

    AuditCheck verifyAuditLog() const;
    std::vector<AuditEventView> auditEvents(std::int64_t after, std::size_t limit) const;

  private:
        friend class DocumentActionPort;
    friend class MailActionPort;
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace avtaleflyt::engine
