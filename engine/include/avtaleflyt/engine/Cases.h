#pragma once
// Cases: opening them (function descriptions for a roster, collaboration agreements), moving them
// through their workflow (triggers, reminders now, paper signatures) and their documents.
// Owns the case tables, the queued actions and the stored documents.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/CaseMachine.h"
#include "avtaleflyt/domain/Template.h"
#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

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

// A case a send opened: for whom, and as it was sent.
struct SentCase {
    std::string email;  // the nurse's
    std::string reference, title, state;
    int templateVersion = 0;
    std::optional<Timestamp> deadline;
};

// What a send did, in numbers; what it did for each nurse it tells a SendListener as it goes.
struct SendReport {
    std::size_t candidates = 0;  // active nurses without a current function description
    std::size_t sent = 0;        // cases opened and sent (0 on a dry run)
    // Active nurses who have one already (or an open case), including a candidate whose case a
    // send beside this one opened meanwhile.
    std::size_t covered = 0;
};

// Hears of each candidate in turn, in e-mail order, with the case sent to her; `sent` is null
// on a dry run, or when a send beside this one covered her meanwhile. Called on the sending
// thread, between the nurses' transactions.
using SendListener = std::function<void(const SendCandidate& nurse, const SentCase* sent)>;

struct Party {
    std::string organisation, name, email;
};
// "ORGANISATION|SIGNATORY|E-MAIL" (spaces around the bars ignored); nothing if not three parts.
std::optional<Party> parseParty(const std::string& text);

class Cases {
  public:
    explicit Cases(Core& core) : core_(core) {}

    const std::vector<WorkflowDef>& workflows() const;
    const WorkflowDef& workflow(const std::string& name) const;  // throws EngineError if unknown
    // A Mermaid state diagram (stateDiagram-v2) of workflow `name`: its states, transitions
    // labelled with trigger and actors, and timers that fire triggers. Throws EngineError if
    // unknown. (Checks.cpp)
    std::string stateDiagram(const std::string& name) const;
    // The workflow definitions of every *.xml in `dir`, as an installation would load them from
    // settings.workflowsDir; needs no installation. Throws EngineError listing every problem,
    // one per line "FILE:LINE: what: cause". (Checks.cpp)
    static std::vector<WorkflowDef> checkWorkflowDir(const std::string& dir);

    // Opens and sends a function description to every active nurse of the network (in `area`
    // if given) who has none of the current template version, signed or under way: in batches
    // of short transactions (one per nurse, each complete: case, audit event, mail), the
    // documents rendered between them on the render workers. With `dryRun`, only says who would
    // get one. The nurses are read from the roster a page at a time and each is told to `each`
    // and forgotten: the memory a send needs does not grow with the network.
    SendReport sendFunctionDescriptions(const Actor& by, const std::string& network,
                                        const std::string& area, bool dryRun,
                                        const SendListener& each = {}) const;

    // A new collaboration agreement in draft, one signatory per party; `revises` names the
    // revision it replaces once archived.
    Case newAgreement(const Actor& by, const std::string& network, const std::string& title,
                      const std::vector<Party>& parties, const std::string& revises) const;

    // Fires `trigger` on the case. A trigger that is not allowed (state, actor, guards), or a
    // case changed since `expectedVersion`, is refused as a value. Throws EngineError for an
    // unknown case.
    StepOutcome fire(const Actor& by, const std::string& reference, const Trigger& trigger,
                     std::optional<int> expectedVersion = std::nullopt) const;

    std::vector<Case> list(const CaseQuery& query) const;
    CaseDetails details(const std::string& reference) const;  // throws EngineError if unknown

    // Reminds the case's open signers now (a mail with a fresh link each), outside the timers.
    // Returns how many were reminded. Throws EngineError for an unknown case.
    std::size_t remindNow(const Actor& by, const std::string& reference) const;

    // Registers a paper signature of `signerRole` ("nurse", "leader", "party" for the next
    // unsigned party) signed on `signedOn` (YYYY-MM-DD, not in the future; empty: today) with
    // its scan: a PDF of at most kMaxScanBytes, kept with the case and archived with it. The
    // scan and the step are one transaction. Throws EngineError for a bad scan or date.
    static constexpr std::size_t kMaxScanBytes = 10 * 1024 * 1024;
    StepOutcome registerPaperSignature(const Actor& by, const std::string& reference,
                                       const std::string& signerRole, const std::string& scanPath,
                                       const std::string& signedOn) const;

    // The case's document as a PDF: as sent for signing, or (`final`) with the signature page
    // and the event log; sealed with the installation's seal if `sealed`. Throws EngineError
    // for a case without a document template or a template value that is missing.
    std::string renderCase(const std::string& reference, bool final, bool sealed) const;
    // The stored final (sealed) PDF of a signed case, if there is one.
    std::optional<std::string> finalDocument(const std::string& reference) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
