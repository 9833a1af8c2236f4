#include "avtaleflyt/domain/Workflow.h"

#include "EnumWords.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <utility>

namespace avtaleflyt {
namespace {

const EnumWords<ActorKind>& actorNames() {
    static const EnumWords<ActorKind> n = {{ActorKind::NetworkLeader, "network_leader", "", {}},
                                           {ActorKind::AreaLeader, "area_leader", "", {}},
                                           {ActorKind::Signer, "signer", "", {}},
                                           {ActorKind::System, "system", "", {}}};
    return n;
}

const EnumWords<Guard>& guardNames() {
    static const EnumWords<Guard> n = {
        {Guard::ReasonGiven, "reason_given", "", {}},
        {Guard::ApprovalRecorded, "approval_recorded", "", {}},
        {Guard::SignerMaySign, "signer_may_sign", "", {}},
        {Guard::MoreSignaturesNeeded, "more_signatures_needed", "", {}},
        {Guard::LastSignature, "last_signature", "", {}}};
    return n;
}

const EnumWords<Action>& actionNames() {
    static const EnumWords<Action> n = {
        {Action::OpenSignatures, "open_signatures", "", {}},
        {Action::ReopenSignatures, "reopen_signatures", "", {}},
        {Action::RecordSignature, "record_signature", "", {}},
        {Action::RecordDecline, "record_decline", "", {}},
        {Action::VoidSignatures, "void_signatures", "", {}},
        {Action::RecordApproval, "record_approval", "", {}},
        {Action::RecordReason, "record_reason", "", {}},
        {Action::Render, "render", "", {}},
        {Action::NotifySigners, "notify_signers", "", {}},
        {Action::NotifyNextSigner, "notify_next_signer", "", {}},
        {Action::NotifyDeclined, "notify_declined", "", {}},
        {Action::NotifyWithdrawn, "notify_withdrawn", "", {}},
        {Action::RenderFinal, "render_final", "", {}},
        {Action::Seal, "seal", "", {}},
        {Action::NotifyCompleted, "notify_completed", "", {}},
        {Action::Archive, "archive", "", {}},
        {Action::SupersedePrevious, "supersede_previous", "", {}},
        {Action::Remind, "remind", "", {}},
        {Action::EscalateToLeader, "escalate_to_leader", "", {}},
        {Action::EscalateToAreaLeader, "escalate_to_area_leader", "", {}},
        {Action::NotifyReviewDue, "notify_review_due", "", {}}};
    return n;
}

}  // namespace

std::string_view toString(ActorKind k) {
    return wordOf(actorNames(), k).name;
}
std::optional<ActorKind> parseActorKind(std::string_view s) {
    return byName(actorNames(), s);
}
std::string_view toString(Guard g) {
    return wordOf(guardNames(), g).name;
}
std::optional<Guard> parseGuard(std::string_view s) {
    return byName(guardNames(), s);
}
std::string_view toString(Action a) {
    return wordOf(actionNames(), a).name;
}
std::optional<Action> parseAction(std::string_view s) {
    return byName(actionNames(), s);
}
bool changesCase(Action a) {
    return a <= Action::RecordReason;
}

const StateDef* WorkflowDef::state(const std::string& stateName) const {
    for (const auto& s : states)
        if (s.name == stateName)
            return &s;
    return nullptr;
}

const StateDef& WorkflowDef::initialState() const {
    for (const auto& s : states)
        if (s.initial)
            return s;
    throw std::logic_error("workflow " + name + " has no initial state");
}

std::vector<InputProblem> checkWorkflow(const WorkflowDef& def) {
    std::vector<InputProblem> problems;
    const auto problem = [&](const SourcePlace& at, const std::string& field,
                             const std::string& cause) {
        problems.push_back({at.file, at.line, field, cause});
    };
    std::set<std::string> names;
    int initials = 0;
    for (const auto& s : def.states) {
        if (!names.insert(s.name).second)
            problem(s.place, "state", "state \"" + s.name + "\" is declared twice");
        if (s.initial)
            ++initials;
    }
    if (initials != 1)
        problem(
            def.place, "states",
            "a workflow needs exactly one initial state, this one has " + std::to_string(initials));
    const auto known = [&](const std::string& s) { return names.count(s) > 0; };

    std::set<std::string> reached;
    std::set<std::string> triggers;
    for (const auto& t : def.transitions) {
        triggers.insert(t.trigger);
        for (const auto& f : t.from) {
            if (!known(f)) {
                problem(t.place, "transition " + t.trigger, "unknown state \"" + f + "\" in from");
            } else if (def.state(f)->final) {
                problem(t.place, "transition " + t.trigger,
                        "state \"" + f + "\" is final; no transition may leave it");
            }
        }
        if (!known(t.to))
            problem(t.place, "transition " + t.trigger, "unknown state \"" + t.to + "\" in to");
        reached.insert(t.to);
        const bool signs =
            std::find(t.guards.begin(), t.guards.end(), Guard::SignerMaySign) != t.guards.end();
        if (signs && def.signerRoles.empty())
            problem(t.place, "transition " + t.trigger,
                    "guard signer_may_sign in a workflow without signers");
    }
    for (const auto& s : def.states)
        if (!s.initial && !reached.count(s.name))
            problem(s.place, "state",
                    "state \"" + s.name + "\" cannot be reached by any transition");

    std::set<std::string> timerNames;
    for (const auto& t : def.timers) {
        if (!timerNames.insert(t.name).second)
            problem(t.place, "timer", "timer \"" + t.name + "\" is declared twice");
        for (const auto& s : t.states)
            if (!known(s))
                problem(t.place, "timer " + t.name, "unknown state \"" + s + "\"");
        if (t.action.has_value() == !t.trigger.empty())
            problem(t.place, "timer " + t.name,
                    "a timer has either an action or a trigger, not both or neither");
        if (!t.trigger.empty() && !triggers.count(t.trigger))
            problem(t.place, "timer " + t.name,
                    "no transition has the trigger \"" + t.trigger + "\"");
        if (t.after.count() <= 0)
            problem(t.place, "timer " + t.name, "after must be a positive duration");
        if (t.max > 1 && t.every.count() <= 0)
            problem(t.place, "timer " + t.name, "a timer that fires more than once needs every");
    }
    return problems;
}

std::optional<std::chrono::seconds> parseIsoDuration(std::string_view text) {
    if (text.size() < 3 || text[0] != 'P')
        return std::nullopt;
    long long total = 0;
    bool inTime = false, any = false;
    long long number = -1;
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            number = (number < 0 ? 0 : number) * 10 + (c - '0');
            if (number > 100000)
                return std::nullopt;
            continue;
        }
        if (c == 'T' && !inTime && number < 0) {
            inTime = true;
            continue;
        }
        if (number < 0)
            return std::nullopt;
        long long unit = 0;
        if (!inTime && c == 'Y')
            unit = 365 * 86400LL;
        else if (!inTime && c == 'W')
            unit = 7 * 86400LL;
        else if (!inTime && c == 'D')
            unit = 86400;
        else if (inTime && c == 'H')
            unit = 3600;
        else if (inTime && c == 'M')
            unit = 60;
        else if (inTime && c == 'S')
            unit = 1;
        else
            return std::nullopt;
        total += number * unit;
        number = -1;
        any = true;
    }
    if (!any || number >= 0)
        return std::nullopt;
    return std::chrono::seconds(total);
}

}  // namespace avtaleflyt
