// Cases: opening them, firing their triggers, their timers, and what roster changes do to them.
#include <algorithm>

#include "Core.h"
#include "avtaleflyt/domain/Email.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/domain/WorkingTime.h"

namespace avtaleflyt::engine {
namespace {

constexpr const char* kFunctionDescription = "function-description";
constexpr const char* kAgreement = "collaboration-agreement";
constexpr const char* kSystemTimer = "system:timer";
constexpr const char* kSystemRoster = "system:roster-import";

int yearOf(Timestamp t) {
    return std::stoi(formatDate(t).substr(0, 4));
}

bool isOpen(const WorkflowDef& def, const Case& c) {
    const StateDef* s = def.state(c.state);
    return s && s->open;
}

// A new case of `def` in its initial state.
Case draftCase(const WorkflowDef& def, const storage::NetworkRecord& network,
               const std::string& title) {
    Case c;
    c.network = network.name;
    c.workflow = def.name;
    c.templateName = def.templateName;
    c.templateVersion = def.templateVersion;
    c.title = title;
    c.state = def.initialState().name;
    return c;
}

std::string detail(const RosterChange& change, const std::string& key) {
    for (const auto& [k, v] : change.details)
        if (k == key)
            return v;
    return {};
}

}  // namespace

const WorkflowDef& Core::workflow(const std::string& name) const {
    for (const auto& d : workflows)
        if (d.name == name)
            return d;
    throw EngineError("no workflow named \"" + name + "\"");
}

std::string caseSnapshot(const Case& c) {
    std::string out = "state=" + c.state + "; version=" + std::to_string(c.version);
    for (const auto& r : c.signatures) {
        out += "; " + r.role + " " + r.email + "=" + std::string(toString(r.status));
        if (!r.signedAt.empty())
            out += " " + r.signedAt;
        if (!r.method.empty())
            out += " " + r.method;
    }
    return out;
}

void Core::recordCase(const std::string& kind, const Case& stored, Fields payload,
                      const std::string& who) {
    payload.push_back({"stored", caseSnapshot(stored)});
    record(kind, stored.reference, payload, who);
}

Case Core::commitStep(const Case& before, const Step& s, const std::string& kind,
                                     Fields payload, const std::string& who) {
    const Case stored = cases.update(before, s.after, clock.now());
    payload.insert(payload.begin(), {{"from", s.from}, {"to", s.to}});
    recordCase(kind, stored, payload, who);
    for (const auto& a : s.actions) {
        if (a.action == Action::SupersedePrevious) {
            for (const auto& old : cases.list({0, stored.workflow, "", "", ""}))
                if (old.series == stored.series && old.id != stored.id && old.state == "archived")
                    step(old,
                         makeTrigger("supersede", ActorKind::System,
                                     "superseded by " + stored.reference),
                         "system");
            continue;
        }
        StepAction out = a;
        if (a.action == Action::EscalateToAreaLeader && out.recipients.empty()) {
                        if (const auto leader = rosters.areaLeader(networkRecord(stored.network), stored.area))
                out.recipients.push_back(*leader);
        }
        port->perform(stored, out);
    }
    return stored;
}

StepOutcome Core::step(const Case& c, const Trigger& trigger,
                                      const std::string& who) {
    const Step s = avtaleflyt::fire(workflow(c.workflow), c, trigger, clock.now());
    if (!s.allowed)
        return {false, s.refusal, c.state, c.state, c};
    Fields payload;
    if (!trigger.reason.empty())
        payload.push_back({"reason", text::trim(trigger.reason)});
    if (!trigger.signerRole.empty())
        payload.push_back({"signer_role", trigger.signerRole});
    if (!trigger.actorEmail.empty())
        payload.push_back({"signer", trigger.actorEmail});
    if (!trigger.approvalBody.empty())
        payload.push_back({"approved_by", s.after.approvalBody});
    if (!trigger.approvalDate.empty())
        payload.push_back({"approved_on", s.after.approvalDate});
    Case stored = commitStep(c, s, "case." + trigger.name, payload, who);
    return {true, "", s.from, s.to, std::move(stored)};
}

std::vector<std::string> Core::applyRosterToCases(
    const storage::NetworkRecord& network, const RosterDiff& diff, const Roster& roster) {
    std::vector<std::string> effects;
    const auto openCasesOf = [&](const std::string& email) {
        std::vector<Case> out;
        for (auto& c : cases.list({network.id, "", "", "", email}))
            if (isOpen(workflow(c.workflow), c))
                out.push_back(std::move(c));
        return out;
    };
    const auto store = [&](const Case& before, const Case& after, const std::string& kind,
                           const Fields& payload) {
        const Case stored = cases.update(before, after, clock.now());
        recordCase(kind, stored, payload, kSystemRoster);
        return stored;
    };
    for (const auto& change : diff.changes) {
        const std::string& email = change.subject;
        const bool left =
            change.kind == "roster.nurse.left" ||
            (change.kind == "roster.nurse.status_changed" && detail(change, "after") == "left");
        if (left) {
            for (const auto& c : openCasesOf(email)) {
                const auto out = step(c,
                                      makeTrigger("withdraw", ActorKind::System,
                                                  "the nurse has left the network (roster import)"),
                                      kSystemRoster);
                effects.push_back(c.reference + ": " +
                                  (out.done ? "withdrawn, the nurse has left" : out.refusal));
            }
        } else if (change.kind == "roster.nurse.leader_changed") {
            const std::string leader = detail(change, "after");
            const Person* p = roster.person(leader);
            for (const auto& c : openCasesOf(email)) {
                const auto replaced = replaceSigner(c, "leader", leader, p ? p->name : leader);
                if (!replaced)
                    continue;
                const Case stored = store(
                    c, *replaced, "case.signer_replaced",
                    {{"role", "leader"}, {"before", detail(change, "before")}, {"after", leader}});
                const SignatureRequest* r = stored.signature("leader");
                if (r && r->status == SignatureStatus::Open)
                    port->perform(stored, {Action::NotifySigners, {leader}});
                effects.push_back(c.reference + ": the leader's signature now goes to " +
                                  (p ? p->name : leader));
            }
        } else if (change.kind == "roster.nurse.status_changed") {
            const std::string before = detail(change, "before"), after = detail(change, "after");
            for (const auto& c : openCasesOf(email)) {
                if (after == "leave" && before == "active") {
                    store(c, pauseTimers(c, clock.now()), "case.timers_paused",
                          {{"because", "the nurse is on leave"}});
                    effects.push_back(
                        c.reference +
                        ": reminders and deadline paused while the nurse is on leave");
                } else if (after == "active" && before == "leave") {
                    store(c, resumeTimers(workflow(c.workflow), c, clock.now()),
                          "case.timers_resumed", {{"because", "the nurse is back from leave"}});
                    effects.push_back(c.reference + ": reminders and deadline resumed");
                }
            }
        }
    }
    return effects;
}

const std::vector<WorkflowDef>& Cases::workflows() const {
    return core_.workflows;
}

const WorkflowDef& Cases::workflow(const std::string& name) const {
    return core_.workflow(name);
}

SendReport Cases::sendFunctionDescriptions(const Actor& by, const std::string& networkName,
                                           const std::string& areaIn, bool dryRun,
                                           const SendListener& each) const {
    Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        const std::string area = st.areaOrAll(network, areaIn);
        const WorkflowDef& def = st.workflow(kFunctionDescription);
        SendReport report;
        const auto tell = [&](const SendCandidate& nurse, const SentCase* sent) {
            if (each)
                each(nurse, sent);
        };

        // Each case opened in a short transaction of its own (the mail with its link queued with
        // it); once committed, its document goes to the render workers, which fill it in, render
        // and store it beside the next cases; signers' writes get in between. No render workers
        // are started for a dry run or for nobody.
        constexpr std::size_t kQueued = 64, kPage = 256;
        std::optional<RenderPool> renderers;
        std::vector<PendingRender> pending;
        acting.call().deferredRenders = &pending;
        std::string after;
        for (;;) {
            const auto page = st.rosters.activeWithoutCase(network, area, def.name,
                                                           def.templateVersion, after, kPage);
            for (const auto& n : page) {
                const SendCandidate nurse{n.email, n.name.empty() ? n.email : n.name, n.area,
                                          n.unit, n.leaderName.empty() ? n.leaderEmail
                                                                       : n.leaderName};
                ++report.candidates;
                if (dryRun) {
                    tell(nurse, nullptr);
                    continue;
                }
                storage::Transaction tx(st.db);
                // Asked again inside the write transaction: a send running beside this one may
                // have opened the nurse's case since the page was read.
                if (st.cases.isCovered(network.id, def.name, def.templateVersion, n.email)) {
                    tell(nurse, nullptr);
                    continue;
                }
                Case c = draftCase(def, network, def.title + ": " + nurse.name);
                c.subjectEmail = n.email;
                c.area = n.area;
                c.signatures.push_back({0, "nurse", n.email, nurse.name, "", 1,
                                        SignatureStatus::Waiting, "", "", ""});
                c.signatures.push_back({0, "leader", n.leaderEmail, nurse.leaderName, "", 2,
                                        SignatureStatus::Waiting, "", "", ""});
                std::optional<Case> opened;
                try {
                    opened = st.cases.create(c, network.id, def.referencePrefix,
                                             yearOf(st.clock.now()), st.clock.now());
                } catch (const storage::AlreadyExists&) {
                    // Another writer's case got in first after all (the database says so):
                    // she has one already. The transaction rolls back, nothing of this stays.
                    tell(nurse, nullptr);
                    continue;
                }
                const Case& created = *opened;
                st.recordCase("case.opened", created,
                          {{"workflow", def.name},
                           {"template",
                            def.templateName + " v" + std::to_string(def.templateVersion)},
                           {"nurse", n.email},
                           {"leader", n.leaderEmail}});
                const auto out = st.step(created, makeTrigger("send", ActorKind::NetworkLeader));
                if (!out.done)
                    throw EngineError(out.refusal);
                tx.commit();
                ++report.sent;
                const Case& sent = out.after;
                const SentCase told{n.email,  sent.reference,        sent.title,
                                    sent.state, sent.templateVersion, sent.deadline};
                if (!renderers)
                    renderers.emplace(st, st.renderWorkers, kQueued);
                for (auto& p : pending) renderers->add(std::move(p));
                pending.clear();
                tell(nurse, &told);
            }
            if (page.size() < kPage)
                break;
            after = page.back().email;
        }
        if (renderers)
            renderers->finish();
        // Counted once the walk is done, in one read: whoever opened a nurse's case meanwhile
        // (this send or one beside it), she is in exactly one of the two numbers.
        report.covered =
            st.rosters.activeWithCase(network, area, def.name, def.templateVersion) - report.sent;
        return report;
    });
}

Case Cases::newAgreement(const Actor& by, const std::string& networkName, const std::string& titleIn,
                                const std::vector<Party>& parties, const std::string& revises) const {
    const Acting acting(by);
    const std::string title = text::trim(titleIn);
    if (title.empty())
        throw EngineError("an agreement needs a title");
    if (parties.size() < 2)
        throw EngineError("an agreement needs at least two parties (--party)");
    return guarded([&] {
        auto& st = core_;
        const auto network = st.networkRecord(networkName);
        const WorkflowDef& def = st.workflow(kAgreement);
        Case c = draftCase(def, network, title);
        c.series = title;
        if (!revises.empty()) {
            const auto previous = st.cases.find(revises);
            if (!previous || previous->workflow != def.name)
                throw EngineError("no collaboration agreement " + revises + " to revise");
            c.series = previous->series;
        }
        storage::Transaction tx(st.db);
        const auto known = st.rosters.people();
        int position = 0;
        for (const auto& party : parties) {
            const std::string email = normalizeEmail(party.email);
            if (text::trim(party.organisation).empty() || text::trim(party.name).empty() ||
                !isWellFormedEmail(email))
                throw EngineError(
                    "a party is \"ORGANISATION|SIGNATORY|E-MAIL\", e.g. \"Ahus|Kari "
                    "Berg|kari@ahus.no\"; "
                    "not \"" +
                    party.organisation + "|" + party.name + "|" + party.email + "\"");
            if (!known.count(email))
                st.rosters.addPerson({email, text::trim(party.name), ""}, st.clock.now());
            c.signatures.push_back({0, "party", email, text::trim(party.name),
                                    text::trim(party.organisation), ++position,
                                    SignatureStatus::Waiting, "", "", ""});
        }
        const Case created = st.cases.create(c, network.id, def.referencePrefix,
                                             yearOf(st.clock.now()), st.clock.now());
        std::vector<std::string> names;
        for (const auto& p : parties) names.push_back(text::trim(p.organisation));
        st.recordCase("case.opened", created,
                  {{"workflow", def.name},
                   {"title", title},
                   {"parties", text::join(names, "; ")},
                   {"revises", revises}});
        tx.commit();
        return created;
    });
}

StepOutcome Cases::fire(const Actor& by, const std::string& reference, const Trigger& trigger,
                               std::optional<int> expectedVersion) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        storage::Transaction tx(st.db);
        const std::optional<Case> c = st.caseNamed(reference);
        if (expectedVersion && *expectedVersion != c->version)
            return StepOutcome{
                false,
                "case " + c->reference + " was changed by someone else (it is at version " +
                    std::to_string(c->version) + ", not " + std::to_string(*expectedVersion) +
                    "); look at it again and retry",
                c->state, c->state, *c};
        auto out = st.step(*c, trigger);
        if (out.done)
            tx.commit();
        return out;
    });
}

std::size_t Cases::remindNow(const Actor& by, const std::string& reference) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        storage::Transaction tx(st.db);
        const Case c = st.caseNamed(reference);
        StepAction remind{Action::Remind, {}};
        for (const auto& r : c.signatures)
            if (r.status == SignatureStatus::Open && !r.email.empty())
                remind.recipients.push_back(r.email);
        if (remind.recipients.empty())
            return std::size_t{0};
        st.port->perform(c, remind);
        st.record("case.remind_now", c.reference, {{"to", text::join(remind.recipients, " ")}});
        tx.commit();
        return remind.recipients.size();
    });
}

std::vector<Case> Cases::list(const CaseQuery& q) const {
    return guarded([&] {
        const storage::Connection connection(core_.db);
        const auto network = core_.networkRecord(q.network);
        const std::string area = core_.areaOrAll(network, q.area);
        return core_.cases.list({network.id, q.workflow, q.state, area, ""});
    });
}

CaseDetails Cases::details(const std::string& reference) const {
    return guarded([&] {
        const storage::Connection connection(core_.db);
        const std::optional<Case> c = core_.caseNamed(reference);
        CaseDetails d{*c, {}, {}};
        for (const auto& e : core_.audit.forSubject(c->reference))
            d.timeline.push_back({e.seq, e.occurredAt, e.actor, e.kind, e.subject, e.payload});
        for (const auto& a : core_.cases.actions(*c))
            d.actions.push_back({a.action, a.recipients, a.createdAt, a.status});
        return d;
    });
}

TimerReport Reminders::runDue(const Actor& by, bool dryRun) const {
    Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        const Timestamp now = st.clock.now();
        const bool office = isOfficeTime(now);
        TimerReport report;
        acting.call().mailLog = &report.mails;
        // A dry run does everything in one transaction and rolls it back.
        std::optional<storage::Transaction> dryTx;
        if (dryRun)
            dryTx.emplace(st.db);
        // Fires the due timers of `c`, read in this transaction, one after the other.
        const auto fireDue = [&](Case c) {
            const std::string reference = c.reference;
            for (;;) {
                const WorkflowDef& def = st.workflow(c.workflow);
                // The first due timer that may run now: outside office hours only triggers.
                std::optional<CaseTimer> timer;
                std::size_t held = 0;
                for (const auto& t : c.timers) {
                    if (t.pausedAt || t.due > now)
                        continue;
                    if (!office && !timerTrigger(def, t.name)) {
                        ++held;
                        continue;
                    }
                    if (!timer || t.due < timer->due)
                        timer = t;
                }
                if (!timer) {
                    report.held += held;
                    break;
                }
                if (const auto trigger = timerTrigger(def, timer->name)) {
                    auto out = st.step(c, makeTrigger(*trigger, ActorKind::System), kSystemTimer);
                    if (out.done) {
                        report.fired.push_back(reference + ": " + timer->name + " -> " + *trigger +
                                               " (now " + out.to + ")");
                        c = std::move(out.after);
                        continue;
                    }
                    report.fired.push_back(reference + ": " + timer->name + " could not " +
                                           *trigger + ": " + out.refusal);
                }
                const Step s = fireActionTimer(def, c, timer->name, now);
                std::string what = "timer ran out";
                for (const auto& a : s.actions)
                    what = std::string(toString(a.action)) + " " + text::join(a.recipients);
                c = st.commitStep(c, s, "case.timer",
                                  {{"timer", timer->name}, {"due", formatTimestamp(timer->due)}},
                                  kSystemTimer);
                report.fired.push_back(reference + ": " + timer->name + " -> " + what);
            }
        };
        // Due cases go kCasesPerTransaction to a write transaction: one commit for many
        // (on PostgreSQL a commit is a round trip and a WAL flush), while the writer lock is
        // held for a few milliseconds only, so a signer waits no longer than that.
        constexpr std::size_t kCasesPerTransaction = 25;
        std::optional<storage::Transaction> tx;
        const std::vector<std::string> due = st.cases.withDueTimers(now);
        for (std::size_t first = 0; first < due.size(); first += kCasesPerTransaction) {
            if (tx)
                tx->commit();
            if (!dryRun)
                tx.emplace(st.db);
            const std::vector<std::string> batch(
                due.begin() + static_cast<std::ptrdiff_t>(first),
                due.begin() +
                    static_cast<std::ptrdiff_t>(std::min(due.size(), first + kCasesPerTransaction)));
            // Read inside the transaction: a sweep beside this one has fired what it fired.
            for (Case& c : st.cases.findMany(batch)) fireDue(std::move(c));
        }
        if (!dryRun && !tx)
            tx.emplace(st.db);
        st.mailEscalationDigests();
        if (tx)
            tx->commit();
        if (report.held > 0)
            report.heldUntil = osloLocalTime(nextOfficeTime(now));
        return report;
    });
}

std::optional<Party> parseParty(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t bar; (bar = text.find('|', start)) != std::string::npos; start = bar + 1)
        parts.push_back(text::trim(text.substr(start, bar - start)));
    parts.push_back(text::trim(text.substr(start)));
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
        return std::nullopt;
    return Party{parts[0], parts[1], parts[2]};
}

}  // namespace avtaleflyt::engine
