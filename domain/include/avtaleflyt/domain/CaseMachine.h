#pragma once
// The case machine: what a trigger does to a case under its workflow. Pure: it takes a case and
// returns the case after the step (or a refusal), with the actions to hand on. Persisting the
// step, its audit event and its actions in one transaction is the engine's job.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/domain/Workflow.h"

namespace avtaleflyt {

enum class SignatureStatus { Waiting, Open, Signed, Declined, Void };
std::string_view toString(SignatureStatus s);  // waiting, open, signed, declined, void
std::optional<SignatureStatus> parseSignatureStatus(std::string_view s);

// One signer's part in a case.
struct SignatureRequest {
    std::int64_t id = 0;  // 0 until stored
    std::string role;     // "nurse", "leader", "party"
    std::string email;
    std::string name;
    std::string organisation;  // the party, for agreements
    int position = 0;          // signing order, from 1
    SignatureStatus status = SignatureStatus::Waiting;
    std::string signedAt;  // timestamp text, when signed or declined
    std::string method;    // "link" or "paper" once signed
    std::string reason;    // why it was declined
};

struct CaseTimer {
    std::string name;
    Timestamp due;
    int fired = 0;
    std::optional<Timestamp> pausedAt;
};

struct Case {
    std::int64_t id = 0;    // 0 until stored
    std::string reference;  // "FB-2026-0001"
    std::string network;
    std::string workflow;
    std::string templateName;
    int templateVersion = 0;
    std::string title;
    std::string series;        // revisions of one agreement share it
    std::string subjectEmail;  // the nurse of a function description; empty otherwise
    std::string area;          // the nurse's area; empty otherwise
    std::string state;
    int version = 0;  // bumped by every stored step; for optimistic locking
    std::optional<Timestamp> deadline;
    std::string approvalBody;      // agreements: who approved it
    std::string approvalDate;      // agreements: when (YYYY-MM-DD)
    std::string note;              // the reason given with the last decline or withdrawal
    std::string recordsReference;  // the records system's document number, once archived
    std::optional<Timestamp> sentAt;  // when it was last sent for signing (send, resend)
    std::vector<SignatureRequest> signatures;
    std::vector<CaseTimer> timers;

    const SignatureRequest* signature(const std::string& role) const;
};

// A trigger as someone fires it.
struct Trigger {
    std::string name;  // "send", "sign", ...
    ActorKind actor = ActorKind::NetworkLeader;
    std::string actorEmail;       // who, for a signer
    std::string signerRole;       // a paper signature registered for this role ("nurse")
    std::string method = "link";  // how a signature was given: "link" or "paper"
    std::string signedOn;         // a paper signature's date (YYYY-MM-DD); empty: now
    std::string reason;
    std::string approvalBody;
    std::string approvalDate;
};

// A trigger fired by `actor` (not a signer), with an optional reason.
inline Trigger makeTrigger(std::string name, ActorKind actor, std::string reason = "") {
    Trigger t;
    t.name = std::move(name);
    t.actor = actor;
    t.reason = std::move(reason);
    return t;
}

// An action handed on by a step: what to do and for which signature requests (by e-mail).
struct StepAction {
    Action action;
    std::vector<std::string> recipients;
};

struct Step {
    bool allowed = false;
    std::string refusal;  // when not allowed: names the case, the state and the trigger
    std::string from;
    std::string to;
    Case after;                       // the case after the step
    std::vector<StepAction> actions;  // external actions, in declaration order
};

// Fires `trigger` on `c`. A trigger that is not allowed from the case's state, by this actor,
// or whose guards fail, gives a Step with allowed = false and a refusal; never throws for that.
Step fire(const WorkflowDef& def, const Case& c, const Trigger& trigger, Timestamp now);

// The timer that is due first at `now` (not paused), if any.
std::optional<CaseTimer> dueTimer(const Case& c, Timestamp now);

// Records that `timer` fired and queues its next run (or ends it after max runs). For an
// action timer the Step carries the action: a reminder goes to the open signers, an escalation
// to the leader's request holder; other recipients (the area leader) the caller knows.
// A trigger timer's trigger is fired by the caller.
Step fireActionTimer(const WorkflowDef& def, const Case& c, const std::string& timer,
                     Timestamp now);
// For a trigger timer: the timer's run is recorded; returns the trigger to fire as the system.
std::optional<std::string> timerTrigger(const WorkflowDef& def, const std::string& timer);

// A signer on leave: timers stop counting. A signer back: they resume where they stopped, and
// the deadline moves by the time paused.
Case pauseTimers(const Case& c, Timestamp now);
Case resumeTimers(const WorkflowDef& def, const Case& c, Timestamp now);

// A new person takes over the request of `role` if it is not signed yet: the old request is
// voided and a new one takes its place and status. Nothing if the role's request is signed
// (or the case has none).
std::optional<Case> replaceSigner(const Case& c, const std::string& role, const std::string& email,
                                  const std::string& name);

// Case references: PREFIX-YEAR-NNNN.
std::string caseReference(const std::string& prefix, int year, int number);

}  // namespace avtaleflyt
