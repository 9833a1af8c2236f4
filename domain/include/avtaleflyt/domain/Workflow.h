#pragma once
// A workflow definition: the states a case can be in, the transitions between them (who may fire
// them, under which guards, with which actions) and the timers that run while a case waits.
// Definitions are written in XML (workflows/*.xml, docs/workflow-format.md); this is their
// in-memory form and the rules that make one consistent.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Table.h"

namespace avtaleflyt {

// Who fires a trigger.
enum class ActorKind { NetworkLeader, AreaLeader, Signer, System };
std::string_view toString(ActorKind k);  // network_leader, area_leader, signer, system
std::optional<ActorKind> parseActorKind(std::string_view s);

// Conditions a transition may require. Named in the XML; evaluated by the case machine.
enum class Guard {
    ReasonGiven,           // the trigger carries a non-empty reason
    ApprovalRecorded,      // the trigger carries the approving body and the approval date
    SignerMaySign,         // the signer has an open request, and it is their turn
    MoreSignaturesNeeded,  // after this signature, some request is still unsigned
    LastSignature,         // after this signature, every request is signed
};
std::string_view toString(Guard g);
std::optional<Guard> parseGuard(std::string_view s);

// What a transition or a timer does. The first group changes the case itself and is applied by
// the case machine; the rest is handed by the engine to ports (rendering, mail, sealing,
// archiving) in the same transaction as the step.
enum class Action {
    OpenSignatures,    // every request open (parallel) or the first open, the rest waiting
    ReopenSignatures,  // the same, keeping signatures already given
    RecordSignature,   // the signer's request is signed
    RecordDecline,     // the signer's request is declined, with the reason
    VoidSignatures,    // open and waiting requests are void
    RecordApproval,    // the approving body and date are kept on the case
    RecordReason,      // the trigger's reason is kept on the case

    Render,                // render the document for signing
    NotifySigners,         // ask every open signer to sign
    NotifyNextSigner,      // sequential signing: ask the signer whose turn it now is
    NotifyDeclined,        // tell the sender that a signer declined, with the reason
    NotifyWithdrawn,       // tell the open signers that the case was withdrawn
    RenderFinal,           // render the final document with the signature page
    Seal,                  // seal the final PDF
    NotifyCompleted,       // send the signed document to every signer
    Archive,               // hand the case to the archive
    SupersedePrevious,     // mark the previous archived revision superseded
    Remind,                // remind the open signers
    EscalateToLeader,      // tell the nurse's nearest leader what is outstanding
    EscalateToAreaLeader,  // tell the area leader what is outstanding
    NotifyReviewDue,       // tell the owner that the yearly review is due
};
std::string_view toString(Action a);
bool changesCase(Action a);  // the first group above
std::optional<Action> parseAction(std::string_view s);

enum class SigningOrder { Parallel, Sequential };

// Where a definition element came from, for error messages.
struct SourcePlace {
    std::string file;
    int line = 0;
};

struct StateDef {
    std::string name;
    bool initial = false;
    bool final = false;  // no transition leaves it
    bool open = false;   // a case here is still in progress (counted as open)
    SourcePlace place;
};

struct TransitionDef {
    std::string trigger;
    std::vector<std::string> from;
    std::string to;
    std::vector<ActorKind> actors;
    std::vector<Guard> guards;
    std::vector<Action> actions;
    SourcePlace place;
};

// A timer runs while a case stays within `states`: it starts when the case enters that set
// and is cancelled when the case leaves it. It fires `after` the start, then every `every`
// (if set) until it has fired `max` times. It either queues `action` or fires `trigger` as
// the system.
struct TimerDef {
    std::string name;
    std::vector<std::string> states;
    std::chrono::seconds after{0};
    std::chrono::seconds every{0};
    int max = 1;
    std::optional<Action> action;
    std::string trigger;
    bool deadline = false;  // this timer's due time is the case's deadline
    SourcePlace place;
};

struct WorkflowDef {
    std::string name;             // "function-description"
    std::string title;            // for people: "Funksjonsbeskrivelse"
    std::string referencePrefix;  // case references: PREFIX-YEAR-NNNN
    std::string templateName;     // the document template the cases are rendered from
    int templateVersion = 0;      // 0: no document template (records)
    SigningOrder order = SigningOrder::Parallel;
    std::vector<std::string> signerRoles;  // "nurse", "leader", "party"; empty: no signatures
    std::vector<StateDef> states;
    std::vector<TransitionDef> transitions;
    std::vector<TimerDef> timers;
    SourcePlace place;

    const StateDef* state(const std::string& name) const;
    const StateDef& initialState() const;
};

// The consistency rules an XSD cannot express: one initial state, every state named in a
// transition or timer exists, final states have no way out, every state but the initial one
// can be reached, timers fire triggers that exist, signing workflows have signer roles.
// Returns every problem found, located at the element it concerns.
std::vector<InputProblem> checkWorkflow(const WorkflowDef& def);

// "P7D", "PT12H", "P1DT6H", "P1Y" (365 days), "PT30M": what the definitions use for durations.
std::optional<std::chrono::seconds> parseIsoDuration(std::string_view text);

}  // namespace avtaleflyt
