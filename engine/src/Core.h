#pragma once
// Private to the engine: what the services of an open installation share (the database and its
// repositories, the settings, the workflows, the seal, the action ports), and the call in
// progress on each thread.

#include <Poco/JSON/Object.h>

#include <condition_variable>
#include <deque>
#include <list>
#include <thread>
#include <map>
#include <unordered_map>
#include <mutex>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/domain/Env.h"
#include "avtaleflyt/domain/RecentVersions.h"
#include "avtaleflyt/engine/Installation.h"
#include "avtaleflyt/notify/Transport.h"
#include "avtaleflyt/storage/AuditLog.h"
#include "avtaleflyt/storage/CaseRepository.h"
#include "avtaleflyt/storage/Database.h"
#include "avtaleflyt/storage/OutboxRepository.h"
#include "avtaleflyt/storage/UserRepository.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/notify/Mail.h"
#include "avtaleflyt/storage/RosterRepository.h"

namespace avtaleflyt::engine {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A JSON object of string fields, in order: the payload of an audit event.
// What the tables hold of a case that a step changes: its state and version and each signature
// (role, signer, status, when, how), as one line of text. The audit log keeps it with every
// event that writes the case, so that an edit of the tables shows against the log.
std::string caseSnapshot(const Case& c);

inline std::string json(const Fields& fields) {
    Poco::JSON::Object obj(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [k, v] : fields) obj.set(k, v);
    std::ostringstream out;
    obj.stringify(out);
    return out.str();
}

// The hex SHA-256 under which a secret token (a signing link, a session, an API token) is
// stored; the token itself never is.
std::string tokenHash(const std::string& token);
// What the audit log keeps of a link signature's evidence (signature_evidence's row): a hash
// of the address, the user agent and the time, so that neither is copied into the log.
std::string evidenceHash(const std::string& ip, const std::string& userAgent,
                         const std::string& recordedAt);

// Runs `f`, turning storage faults into engine errors with the same message.
template <typename F>
auto guarded(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const storage::SchemaTooNew& e) {
        throw InstallationError(e.what());
    } catch (const storage::DatabaseUnavailable& e) {
        throw Unavailable(e.what());
    } catch (const storage::StorageError& e) {
        throw EngineError(e.what());
    }
}

// A document to render after its step's transaction (by a RenderPool).
struct PendingRender {
    Case c;
    Timestamp at;     // the step's time: the document's date
    std::string by;   // the actor of the step, for the document's audit event
};

// Renders documents beside the thread that opens their cases: `workers` threads at a lower
// priority than request threads take cases from a queue of at most `capacity` (so memory stays
// flat however many are sent), fill in and render each, and store its PDF in a short
// transaction of its own. A failure stops the pool; add() and finish() rethrow it as an
// EngineError naming the case.
class RenderPool {
  public:
    RenderPool(Core& core, unsigned workers, std::size_t capacity);
    ~RenderPool();  // stops the workers (what is not rendered yet is rendered on demand later)
    RenderPool(const RenderPool&) = delete;
    RenderPool& operator=(const RenderPool&) = delete;

    void add(PendingRender document);  // waits while the queue is full
    void finish();                     // waits until every document added is stored

  private:
    void work();
    void rethrow();  // the first failure, if there was one; under mutex_

    Core& core_;
    const std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<PendingRender> queue_;
    std::size_t busy_ = 0;  // documents taken and not yet stored
    bool stopping_ = false;
    std::string failure_;
    std::vector<std::thread> threads_;
};

// The service call in progress on this thread: who acts, and where a send collects the
// documents it renders later and a sweep the mails it wrote. Each service call that changes
// something opens one (Acting) for its length; record() and the action ports, which run deep
// inside it, read it. Threads never share one.
struct Call {
    Actor by;
    std::vector<PendingRender>* deferredRenders = nullptr;
    std::vector<std::string>* mailLog = nullptr;
    // The network leaders the call's mails named (Core::networkLeaderOf), by network: read once
    // a call, not once a mail. A call that saves a roster forgets them.
    std::map<std::string, std::optional<Person>> networkLeaders;
};

// Opens the thread's Call for the length of a service call (an inner one inherits nothing and
// restores the outer on leaving).
class Acting {
  public:
    explicit Acting(Actor by);
    ~Acting();
    Acting(const Acting&) = delete;
    Acting& operator=(const Acting&) = delete;

    Call& call() { return call_; }

  private:
    Call call_;
    Call* outer_;
};
// The thread's Call; throws std::logic_error outside one (a service call that writes without
// an actor is a programming error).
Call& currentCall();

// Queues each action in case_action, for the modules that carry them out.
class QueueingActionPort final : public ActionPort {
  public:
    QueueingActionPort(storage::CaseRepository& cases, const Clock& clock)
        : cases_(cases), clock_(clock) {}
    void perform(const Case& c, const StepAction& action) override {
        cases_.queueAction(c, action, clock_.now());
    }

  private:
    storage::CaseRepository& cases_;
    const Clock& clock_;
};

// Writes the mails that notify, remind and complete actions ask for to the outbox (with signing
// links), and queues every action as QueueingActionPort does ("mailed" when it mailed).
class MailActionPort final : public ActionPort {
  public:
    MailActionPort(Core& state, ActionPort& next) : state_(state), next_(next) {}
    void perform(const Case& c, const StepAction& action) override;

  private:
    Core& state_;
    ActionPort& next_;
};

// Renders and stores the case's PDFs for render, render_final and seal, and queues every
// action as QueueingActionPort does.
class DocumentActionPort final : public ActionPort {
  public:
    DocumentActionPort(Core& state, ActionPort& next) : state_(state), next_(next) {}
    void perform(const Case& c, const StepAction& action) override;

  private:
    Core& state_;
    ActionPort& next_;
};

class Core {
  public:
    Core(std::string dir, const Clock& c, const Settings& settings, Env& files);

    // `n` bytes from env's secure generator (as bytes, or as 2n hex digits). Throws EngineError
    // without entropy.
    std::string randomBytes(std::size_t n);
    std::string randomHex(std::size_t n);

    // Appends an audit event by `who` (default: the actor of the call). Inside a transaction.
    void record(const std::string& kind, const std::string& subject, const Fields& payload,
                const std::string& who = "");
    // The same for an event that wrote the case `stored` (as it now is in the database): the
    // payload ends with "stored", its caseSnapshot, which the audit reconciles the tables with.
    void recordCase(const std::string& kind, const Case& stored, Fields payload,
                    const std::string& who = "");
    // Stores a document of the case (sent, final, scan) with its audit event
    // (case.document_stored: kind, sha256, size). Every stored document goes through here.
    // Inside a transaction.
    void storeDocument(const Case& c, const std::string& kind, const std::string& pdf,
                       Timestamp at, const std::string& who = "");

    storage::NetworkRecord networkRecord(const std::string& name) const;
    // The network's area called `name` (ignoring case), as the network spells it; throws
    // EngineError naming the areas there are.
    std::string area(const storage::NetworkRecord& network, const std::string& name) const;
    // The same, where an empty name means every area: "" then.
    std::string areaOrAll(const storage::NetworkRecord& network, const std::string& name) const;
    // The case `reference`; throws EngineError if there is none.
    Case caseNamed(const std::string& reference) const;
    const WorkflowDef& workflow(const std::string& name) const;

    // Fires `trigger` on `c` and, if allowed, stores the step with its audit event (kind
    // "case.<trigger>") and hands its actions on. Inside a transaction.
    StepOutcome step(const Case& c, const Trigger& trigger, const std::string& who = "");
    // The leader of the network named `network`, whom mails name as the contact, as read at the
    // first use in this service call.
    const std::optional<Person>& networkLeaderOf(const std::string& network);
    // Stores an already decided step; returns the case as stored. Inside a transaction.
    Case commitStep(const Case& before, const Step& s, const std::string& kind, Fields payload,
                    const std::string& who);
    // What roster changes do to open cases; returns one line per effect. Inside a transaction.
        // The case's document filled in, and how to lay it out (see Installation::renderCase).
    struct Composed {
        FilledDocument document;
        documents::PdfOptions options;
    };
        // `dated`: the document's date (case.date); default now.
    Composed compose(const Case& c, bool final, std::optional<Timestamp> dated = std::nullopt);
    // Renders the case's document (see Installation::renderCase).
    std::string render(const Case& c, bool final, bool sealed);
    // The case's document as sent, filled in (from sentDocuments when it was shown before).
    std::shared_ptr<const FilledDocument> sentDocument(const Case& c);
    RecentVersions<FilledDocument> sentDocuments{1024};  // by case id
    RecentVersions<Case> shownCases{1024};  // by case id, without timers: as links show them
    // The tally of function descriptions (Report.cpp) as last counted per network and area
    // ("ID/AREA"), at the audit log's head (its seq as the version): every change to what it
    // counts appends an event, so it holds while no event was appended and the clock is in
    // [countedAt, changesAt), whoever asks, on any server.
    struct CountedTally {
        Timestamp countedAt;
        std::optional<Timestamp> changesAt;  // none: it changes only with an event
        std::vector<AreaTally> areas;
    };
    RecentVersions<CountedTally, std::string> countedTallies{64};

    // A send renders outside the write transaction (which then holds the database for a
    // millisecond, not for the rendering), beside it: while the call's deferredRenders is set,
    // the render action appends there instead of rendering, and the send hands each committed
    // case on to a RenderPool of `renderWorkers` threads (0: one per core).
    unsigned renderWorkers = 0;

    // Mail (Mail.cpp). A new signing link for the request (its token's hash stored, valid until
    // the case's deadline), as a full URL.
    std::string issueLink(const Case& c, const SignatureRequest& r);
    // The start of signing links: settings.portalUrl, else where serve listens, else the default.
    std::string portalUrl() const;
    // Composes a message from the catalogue and writes it to the outbox. Inside a transaction.
    struct Letter {
        std::string kind, toEmail, toName, subjectKey, bodyKey;
        std::vector<std::string> args;  // {0}.. of the catalogue texts
        std::string link;               // shown as a button in the HTML part
        std::vector<notify::Attachment> attachments;
    };
        void queueMail(const Case& c, const Letter& letter);
    // The same for a message about several cases of `network` (a digest).
    void queueMail(const std::string& network, std::int64_t caseId, const std::string& idPrefix,
                   const Letter& letter);
    // One digest per recipient of the escalations queued by timers, each listing the cases
    // still waiting; the escalations are then marked mailed. Inside a transaction.
    void mailEscalationDigests();

        notify::Transport& transport();

    // Signing links (Signing.cpp): the token's request and case, and whether it may be used.
    struct Link {
        SigningView::Status status = SigningView::Status::Unknown;
        storage::SigningToken token;
        std::shared_ptr<const Case> c;  // null when the link is unknown
        SignatureRequest request;
    };
    // `forStep`: the case with its timers, for firing a trigger; else without (for showing it).
    Link resolveLink(const std::string& token, bool forStep = false);
    // Fires `trigger` as the link's signer; marks the link used and keeps the evidence.
    LinkOutcome useLink(const std::string& token, Trigger trigger, const std::string& ip,
                        const std::string& userAgent);
    const documents::SealKey& sealKey();

    std::vector<std::string> applyRosterToCases(const storage::NetworkRecord& network,
                                                const RosterDiff& diff, const Roster& roster);

    std::string dataDir;
    const Clock& clock;
    Env& env;  // every file and random number of the engine's own (not the database's)
    storage::Database db;
    storage::AuditLog audit;
    storage::RosterRepository rosters;
    storage::CaseRepository cases;
    std::vector<WorkflowDef> workflows;
    Settings settings;
    std::string listeningUrl;  // where serve listens (Installation::listenAt)
    std::unique_ptr<documents::SealKey> seal;  // loaded on first use, under sealLoading
    std::mutex sealLoading;
            storage::OutboxRepository outboxMessages;
    storage::UserRepository userRecords;
    storage::SigningTokenRepository tokens;
    std::unique_ptr<notify::Transport> ownTransport;  // from the settings, made on first use
    std::mutex transportMaking;                       // guards ownTransport
    notify::Transport* transportOverride = nullptr;
    QueueingActionPort queueingPort;
    std::unique_ptr<ActionPort> mailPort;      // writes mails to the outbox, then queues
    std::unique_ptr<ActionPort> documentPort;  // renders and seals, then on to mailPort
    ActionPort* port;
};

}  // namespace avtaleflyt::engine
