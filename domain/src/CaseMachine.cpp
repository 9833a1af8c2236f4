#include "avtaleflyt/domain/CaseMachine.h"

#include <algorithm>
#include <cstdio>

#include "EnumWords.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

template <typename T>
bool has(const std::vector<T>& v, T x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::string humanActor(ActorKind k) {
    std::string s(toString(k));
    std::replace(s.begin(), s.end(), '_', ' ');
    return s;
}

std::string withArticle(const std::string& noun) {
    return (noun.find_first_of("aeiou") == 0 ? "an " : "a ") + noun;
}

// "a, b or c"
std::string alternatives(const std::vector<std::string>& items) {
    if (items.size() <= 1)
        return items.empty() ? "" : items[0];
    std::vector<std::string> head(items.begin(), items.end() - 1);
    return text::join(head) + " or " + items.back();
}

bool unsignedRequest(const SignatureRequest& r) {
    return r.status == SignatureStatus::Waiting || r.status == SignatureStatus::Open;
}

// The request a sign or decline is about: the signer's own, or the role a paper signature is
// registered for.
SignatureRequest* requestFor(Case& c, const Trigger& t) {
    for (auto& r : c.signatures) {
        if (!unsignedRequest(r))
            continue;
        if (!t.signerRole.empty() ? r.role == t.signerRole
                                  : (!t.actorEmail.empty() && r.email == t.actorEmail))
            return &r;
    }
    return nullptr;
}

// Opens requests as the signing order says: all of them, or the first unsigned one.
void openInOrder(const WorkflowDef& def, Case& c) {
    std::vector<SignatureRequest*> pending;
    for (auto& r : c.signatures)
        if (unsignedRequest(r))
            pending.push_back(&r);
    std::sort(pending.begin(), pending.end(),
              [](const SignatureRequest* a, const SignatureRequest* b) {
                  return a->position < b->position;
              });
    for (std::size_t i = 0; i < pending.size(); ++i)
        pending[i]->status = def.order == SigningOrder::Parallel || i == 0
                                 ? SignatureStatus::Open
                                 : SignatureStatus::Waiting;
}

std::vector<std::string> openRecipients(const Case& c) {
    std::vector<std::string> out;
    for (const auto& r : c.signatures)
        if (r.status == SignatureStatus::Open)
            out.push_back(r.email);
    return out;
}

// Why a guard fails, or nothing if it holds.
std::optional<std::string> failedGuard(Guard g, const WorkflowDef& def, const Case& c,
                                       const Trigger& t) {
    Case probe = c;
    SignatureRequest* req = requestFor(probe, t);
    switch (g) {
        case Guard::ReasonGiven:
            if (text::trim(t.reason).empty())
                return std::string("a reason is required");
            return std::nullopt;
        case Guard::ApprovalRecorded:
            if (text::trim(t.approvalBody).empty() || !parseTimestamp(t.approvalDate))
                return std::string(
                    "the approving body and the approval date (YYYY-MM-DD) are required");
            return std::nullopt;
        case Guard::SignerMaySign:
            if (!req) {
                const std::string who = t.signerRole.empty() ? t.actorEmail : "the " + t.signerRole;
                return who + " has no unsigned signature request on this case";
            }
            if (req->status == SignatureStatus::Waiting)
                return "it is not " + req->name + "'s turn yet: the signers sign one after another";
            return std::nullopt;
        case Guard::MoreSignaturesNeeded:
        case Guard::LastSignature: {
            std::size_t remaining = 0;
            for (const auto& r : probe.signatures)
                if (unsignedRequest(r) && &r != req)
                    ++remaining;
            if (g == Guard::MoreSignaturesNeeded && remaining == 0)
                return std::string("this is the last signature");
            if (g == Guard::LastSignature && remaining > 0)
                return std::string("other signatures are still needed");
            return std::nullopt;
        }
    }
    (void)def;
    return std::nullopt;
}

// Starts the timers whose state set the case enters and cancels those it leaves.
void scheduleTimers(const WorkflowDef& def, Case& c, const std::string& from, Timestamp now) {
    std::vector<CaseTimer> kept;
    for (const auto& t : c.timers) {
        const TimerDef* td = nullptr;
        for (const auto& d : def.timers)
            if (d.name == t.name)
                td = &d;
        if (td && contains(td->states, c.state))
            kept.push_back(t);
    }
    for (const auto& d : def.timers) {
        if (!contains(d.states, c.state) || contains(d.states, from))
            continue;
        const bool running = std::any_of(kept.begin(), kept.end(),
                                         [&](const CaseTimer& t) { return t.name == d.name; });
        if (running)
            continue;
        kept.push_back({d.name, now + d.after, 0, std::nullopt});
        if (d.deadline)
            c.deadline = now + d.after;
    }
    c.timers = kept;
}

std::string refusalPrefix(const Case& c) {
    return "case " + c.reference + " (" + c.state + "): ";
}

}  // namespace

namespace {
const EnumWords<SignatureStatus>& signatureWords() {
    static const EnumWords<SignatureStatus> w = {{SignatureStatus::Waiting, "waiting", "", {}},
                                                 {SignatureStatus::Open, "open", "", {}},
                                                 {SignatureStatus::Signed, "signed", "", {}},
                                                 {SignatureStatus::Declined, "declined", "", {}},
                                                 {SignatureStatus::Void, "void", "", {}}};
    return w;
}
}  // namespace

std::string_view toString(SignatureStatus s) {
    return wordOf(signatureWords(), s).name;
}
std::optional<SignatureStatus> parseSignatureStatus(std::string_view s) {
    return byName(signatureWords(), s);
}

const SignatureRequest* Case::signature(const std::string& role) const {
    for (const auto& r : signatures)
        if (r.role == role && r.status != SignatureStatus::Void)
            return &r;
    return nullptr;
}

Step fire(const WorkflowDef& def, const Case& c, const Trigger& trigger, Timestamp now) {
    Step step;
    step.from = c.state;
    const auto refuse = [&](const std::string& why) {
        step.refusal = refusalPrefix(c) + why;
        return step;
    };

    std::vector<const TransitionDef*> named;
    for (const auto& t : def.transitions)
        if (t.trigger == trigger.name)
            named.push_back(&t);
    if (named.empty())
        return refuse("the " + def.name + " workflow has no trigger \"" + trigger.name + "\"");

    std::vector<const TransitionDef*> fromHere;
    std::vector<std::string> allowedFrom;
    for (const auto* t : named) {
        for (const auto& f : t->from)
            if (!contains(allowedFrom, f))
                allowedFrom.push_back(f);
        if (contains(t->from, c.state))
            fromHere.push_back(t);
    }
    if (fromHere.empty())
        return refuse(trigger.name + " is allowed only from " + alternatives(allowedFrom));

    std::vector<const TransitionDef*> byActor;
    std::vector<std::string> actors;
    for (const auto* t : fromHere) {
        for (auto a : t->actors)
            if (!contains(actors, humanActor(a)))
                actors.push_back(humanActor(a));
        if (has(t->actors, trigger.actor))
            byActor.push_back(t);
    }
    if (byActor.empty())
        return refuse(withArticle(humanActor(trigger.actor)) + " may not " + trigger.name +
                      " (only " + alternatives(actors) + ")");

    const TransitionDef* chosen = nullptr;
    std::string firstFailure;
    for (const auto* t : byActor) {
        std::optional<std::string> failure;
        for (auto g : t->guards)
            if ((failure = failedGuard(g, def, c, trigger)))
                break;
        if (!failure) {
            chosen = t;
            break;
        }
        if (firstFailure.empty())
            firstFailure = *failure;
    }
    if (!chosen)
        return refuse("cannot " + trigger.name + ": " + firstFailure);

    Case after = c;
    after.state = chosen->to;
    bool openedNext = false;
    for (auto a : chosen->actions) {
        switch (a) {
            case Action::OpenSignatures:
                for (auto& r : after.signatures)
                    if (r.status != SignatureStatus::Void) {
                        r.status = SignatureStatus::Waiting;
                        r.signedAt.clear();
                        r.method.clear();
                        r.reason.clear();
                    }
                openInOrder(def, after);
                break;
            case Action::ReopenSignatures:
                openInOrder(def, after);
                break;
            case Action::RecordSignature:
            case Action::RecordDecline: {
                SignatureRequest* r = requestFor(after, trigger);
                if (!r)
                    break;  // guarded by signer_may_sign
                r->status = a == Action::RecordSignature ? SignatureStatus::Signed
                                                         : SignatureStatus::Declined;
                r->signedAt = a == Action::RecordSignature && !trigger.signedOn.empty()
                                  ? trigger.signedOn
                                  : formatTimestamp(now);
                r->method = a == Action::RecordSignature ? trigger.method : "";
                r->reason = a == Action::RecordDecline ? text::trim(trigger.reason) : "";
                if (a == Action::RecordSignature && def.order == SigningOrder::Sequential) {
                    const auto before = openRecipients(after).size();
                    openInOrder(def, after);
                    openedNext = openRecipients(after).size() > before;
                }
                break;
            }
            case Action::VoidSignatures:
                for (auto& r : after.signatures)
                    if (unsignedRequest(r))
                        r.status = SignatureStatus::Void;
                break;
            case Action::RecordApproval:
                after.approvalBody = text::trim(trigger.approvalBody);
                after.approvalDate = formatDate(*parseTimestamp(trigger.approvalDate));
                break;
            case Action::RecordReason:
                after.note = text::trim(trigger.reason);
                break;
            default:
                break;
        }
    }
    for (auto a : chosen->actions) {
        if (changesCase(a))
            continue;
        if (a == Action::NotifyNextSigner && !openedNext)
            continue;
        StepAction sa{a, {}};
        if (a == Action::NotifySigners || a == Action::NotifyNextSigner || a == Action::Remind ||
            a == Action::NotifyWithdrawn) {
            sa.recipients =
                a == Action::NotifyWithdrawn ? openRecipients(c) : openRecipients(after);
        } else if (a == Action::NotifyCompleted) {
            for (const auto& r : after.signatures)
                if (r.status == SignatureStatus::Signed)
                    sa.recipients.push_back(r.email);
        }
        step.actions.push_back(sa);
    }
    scheduleTimers(def, after, c.state, now);
    if (trigger.name == "send" || trigger.name == "resend")
        after.sentAt = now;  // the document as sent is dated so; days outstanding count from it
    step.to = after.state;
    step.after = std::move(after);
    step.allowed = true;
    return step;
}

std::optional<CaseTimer> dueTimer(const Case& c, Timestamp now) {
    std::optional<CaseTimer> first;
    for (const auto& t : c.timers)
        if (!t.pausedAt && t.due <= now && (!first || t.due < first->due))
            first = t;
    return first;
}

Step fireActionTimer(const WorkflowDef& def, const Case& c, const std::string& timer,
                     Timestamp now) {
    Step step;
    step.from = step.to = c.state;
    step.after = c;
    step.allowed = true;
    const TimerDef* td = nullptr;
    for (const auto& d : def.timers)
        if (d.name == timer)
            td = &d;
    auto& timers = step.after.timers;
    const auto it = std::find_if(timers.begin(), timers.end(),
                                 [&](const CaseTimer& t) { return t.name == timer; });
    if (!td || it == timers.end()) {
        step.allowed = false;
        step.refusal = refusalPrefix(c) + "no running timer \"" + timer + "\"";
        return step;
    }
    ++it->fired;
        if (it->fired < td->max && td->every.count() > 0) {
        // A sweep that runs late (a weekend, a stopped server) sends one reminder, not one for
        // every period it missed: the next is a full period after this one goes out.
        it->due = std::max(it->due + td->every, now + td->every);
    } else {
        timers.erase(it);
    }
    if (td->action) {
        StepAction sa{*td->action, {}};
        if (sa.action == Action::Remind) {
            sa.recipients = openRecipients(c);
        } else if (sa.action == Action::EscalateToLeader) {
            if (const SignatureRequest* leader = c.signature("leader"))
                sa.recipients.push_back(leader->email);
        }
        step.actions.push_back(sa);
    }
    return step;
}

std::optional<std::string> timerTrigger(const WorkflowDef& def, const std::string& timer) {
    for (const auto& d : def.timers)
        if (d.name == timer && !d.trigger.empty())
            return d.trigger;
    return std::nullopt;
}

Case pauseTimers(const Case& c, Timestamp now) {
    Case out = c;
    for (auto& t : out.timers)
        if (!t.pausedAt)
            t.pausedAt = now;
    return out;
}

Case resumeTimers(const WorkflowDef& def, const Case& c, Timestamp now) {
    Case out = c;
    for (auto& t : out.timers) {
        if (!t.pausedAt)
            continue;
        t.due += now - *t.pausedAt;
        t.pausedAt.reset();
        for (const auto& d : def.timers)
            if (d.name == t.name && d.deadline)
                out.deadline = t.due;
    }
    return out;
}

std::optional<Case> replaceSigner(const Case& c, const std::string& role, const std::string& email,
                                  const std::string& name) {
    Case out = c;
    for (auto& r : out.signatures) {
        if (r.role != role || !unsignedRequest(r))
            continue;
        if (r.email == email)
            return std::nullopt;
        SignatureRequest next = r;
        next.id = 0;
        next.email = email;
        next.name = name;
        r.status = SignatureStatus::Void;
        out.signatures.push_back(next);
        return out;
    }
    return std::nullopt;
}

std::string caseReference(const std::string& prefix, int year, int number) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", number);
    return prefix + "-" + std::to_string(year) + "-" + buf;
}

}  // namespace avtaleflyt
