// The case machine over the shipped workflow definitions, under a fake clock.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "avtaleflyt/domain/CaseMachine.h"
#include "avtaleflyt/workflows/Workflows.h"

using namespace avtaleflyt;
using namespace std::chrono_literals;

namespace {

const WorkflowDef& def(const std::string& name) {
    for (const auto& d : workflows::shippedWorkflows())
        if (d.name == name)
            return d;
    FAIL("no shipped workflow " << name);
    throw;
}

Timestamp t0() {
    return *parseTimestamp("2026-11-02T09:00:00Z");
}

Case functionDescription() {
    Case c;
    c.reference = "FB-2026-0001";
    c.workflow = "function-description";
    c.state = "draft";
    c.version = 1;
    c.signatures = {
        {1, "nurse", "kari@x.example", "Kari Berg", "", 1, SignatureStatus::Waiting, "", "", ""},
        {2, "leader", "tor@x.example", "Tor Li", "", 2, SignatureStatus::Waiting, "", "", ""}};
    return c;
}

Trigger by(const std::string& name, ActorKind actor = ActorKind::NetworkLeader) {
    Trigger t;
    t.name = name;
    t.actor = actor;
    return t;
}

Trigger signedBy(const std::string& email, const std::string& name = "sign") {
    Trigger t = by(name, ActorKind::Signer);
    t.actorEmail = email;
    return t;
}

// Fires and requires it to be allowed.
Case step(const WorkflowDef& d, const Case& c, const Trigger& t, Timestamp now = t0()) {
    const Step s = fire(d, c, t, now);
    INFO(s.refusal);
    REQUIRE(s.allowed);
    return s.after;
}

std::vector<std::string> actionNames(const Step& s) {
    std::vector<std::string> out;
    for (const auto& a : s.actions) out.push_back(std::string(toString(a.action)));
    return out;
}

// Everything a trigger may need to pass its guards.
Trigger complete(const WorkflowDef& d, const Case& c, const std::string& trigger) {
    Trigger t = by(trigger);
    t.reason = "a reason";
    t.approvalBody = "Samarbeidsutvalget";
    t.approvalDate = "2026-11-01";
    for (const auto& tr : d.transitions) {
        if (tr.trigger != trigger)
            continue;
        if (std::find(tr.actors.begin(), tr.actors.end(), ActorKind::NetworkLeader) ==
            tr.actors.end())
            t.actor = tr.actors.front();
    }
    for (const auto& r : c.signatures)
        if (r.status == SignatureStatus::Open) {
            t.actorEmail = r.email;
            if (t.actor == ActorKind::NetworkLeader)
                t.signerRole = r.role;
            break;
        }
    if (trigger == "decline")
        t.actor = ActorKind::Signer, t.signerRole.clear();
    return t;
}

}  // namespace

TEST_CASE(
    "every trigger of every shipped workflow is allowed exactly from the states its transitions "
    "name",
    "[machine]") {
    for (const auto& d : workflows::shippedWorkflows()) {
        std::set<std::string> triggers;
        for (const auto& t : d.transitions) triggers.insert(t.trigger);
        for (const auto& state : d.states) {
            for (const auto& trigger : triggers) {
                Case c = functionDescription();
                c.workflow = d.name;
                c.state = state.name;
                if (d.signerRoles.empty())
                    c.signatures.clear();
                for (auto& r : c.signatures) r.status = SignatureStatus::Open;
                bool declared = false;
                for (const auto& t : d.transitions)
                    if (t.trigger == trigger &&
                        std::find(t.from.begin(), t.from.end(), state.name) != t.from.end())
                        declared = true;
                const Step s = fire(d, c, complete(d, c, trigger), t0());
                INFO(d.name << ": " << trigger << " from " << state.name << ": " << s.refusal);
                CHECK(s.allowed == declared);
                if (!declared)
                    CHECK(s.refusal.find("is allowed only from") != std::string::npos);
            }
        }
    }
}

TEST_CASE("a function description is sent, signed by both in parallel, and archived", "[machine]") {
    const auto& d = def("function-description");
    const Step sent = fire(d, functionDescription(), by("send"), t0());
    REQUIRE(sent.allowed);
    CHECK(sent.to == "sent");
    CHECK(actionNames(sent) == std::vector<std::string>{"render", "notify_signers"});
    CHECK(sent.actions[1].recipients ==
          std::vector<std::string>{"kari@x.example", "tor@x.example"});
    CHECK(sent.after.signatures[0].status == SignatureStatus::Open);
    CHECK(sent.after.signatures[1].status == SignatureStatus::Open);
    CHECK(formatTimestamp(*sent.after.deadline) == "2027-01-01T09:00:00Z");

    Case c = step(d, sent.after, signedBy("tor@x.example"), t0() + 24h);
    CHECK(c.state == "partially_signed");
    CHECK(c.signatures[1].status == SignatureStatus::Signed);
    CHECK(c.signatures[1].signedAt == "2026-11-03T09:00:00Z");
    CHECK(c.signatures[1].method == "link");

    const Step last = fire(d, c, signedBy("kari@x.example"), t0() + 48h);
    REQUIRE(last.allowed);
    CHECK(last.to == "signed");
    CHECK(actionNames(last) ==
          std::vector<std::string>{"render_final", "seal", "notify_completed"});
    CHECK(last.after.timers.empty());  // no reminders after signing
    CHECK(step(d, last.after, by("archive")).state == "archived");
}

TEST_CASE("a paper signature is registered by the network leader for a signer role", "[machine]") {
    const auto& d = def("function-description");
    Case c = step(d, functionDescription(), by("send"));
    Trigger paper = by("sign");
    paper.signerRole = "nurse";
    paper.method = "paper";
    c = step(d, c, paper);
    CHECK(c.signatures[0].status == SignatureStatus::Signed);
    CHECK(c.signatures[0].method == "paper");
}

TEST_CASE("refusals name the case, the state, the trigger and why", "[machine]") {
    const auto& d = def("function-description");
    const Case draft = functionDescription();
    CHECK(fire(d, draft, by("sign", ActorKind::Signer), t0()).refusal ==
          "case FB-2026-0001 (draft): sign is allowed only from sent or partially_signed");
    CHECK(fire(d, draft, by("send", ActorKind::Signer), t0()).refusal ==
          "case FB-2026-0001 (draft): a signer may not send (only network leader or area leader)");
    CHECK(fire(d, draft, by("fly"), t0()).refusal ==
          "case FB-2026-0001 (draft): the function-description workflow has no trigger \"fly\"");
    CHECK(fire(d, draft, by("withdraw"), t0()).refusal ==
          "case FB-2026-0001 (draft): cannot withdraw: a reason is required");
    const Case sent = step(d, draft, by("send"));
    CHECK(fire(d, sent, signedBy("eve@x.example"), t0()).refusal ==
          "case FB-2026-0001 (sent): cannot sign: eve@x.example has no unsigned signature request "
          "on this case");
    CHECK(fire(d, sent, signedBy("kari@x.example", "decline"), t0()).refusal ==
          "case FB-2026-0001 (sent): cannot decline: a reason is required");
    CHECK(fire(d, sent, by("expire"), t0()).refusal ==
          "case FB-2026-0001 (sent): a network leader may not expire (only system)");
}

TEST_CASE(
    "a decline needs a reason, voids the signatures, and after editing the case is sent afresh",
    "[machine]") {
    const auto& d = def("function-description");
    Case c = step(d, functionDescription(), by("send"));
    c = step(d, c, signedBy("tor@x.example"));
    Trigger decline = signedBy("kari@x.example", "decline");
    decline.reason = "  Feil arbeidssted  ";
    const Step s = fire(d, c, decline, t0());
    REQUIRE(s.allowed);
    CHECK(s.to == "declined");
    CHECK(s.after.note == "Feil arbeidssted");
    CHECK(s.after.signatures[0].status == SignatureStatus::Declined);
    CHECK(s.after.signatures[0].reason == "Feil arbeidssted");
    CHECK(actionNames(s) == std::vector<std::string>{"notify_declined"});
    CHECK(s.after.timers.empty());
    c = step(d, step(d, s.after, by("edit")), by("send"));
    CHECK(c.state == "sent");
    CHECK(c.signatures[0].status == SignatureStatus::Open);
    CHECK(c.signatures[1].status ==
          SignatureStatus::Open);  // the leader signs the edited text again
    CHECK(c.signatures[1].signedAt.empty());
}

TEST_CASE("sequential signing: the leader is asked only after the nurse has signed", "[machine]") {
    WorkflowDef d = def("function-description");
    d.order = SigningOrder::Sequential;
    const Step sent = fire(d, functionDescription(), by("send"), t0());
    CHECK(sent.after.signatures[0].status == SignatureStatus::Open);
    CHECK(sent.after.signatures[1].status == SignatureStatus::Waiting);
    CHECK(sent.actions[1].recipients == std::vector<std::string>{"kari@x.example"});
    CHECK(fire(d, sent.after, signedBy("tor@x.example"), t0()).refusal ==
          "case FB-2026-0001 (sent): cannot sign: it is not Tor Li's turn yet: the signers sign "
          "one after another");
    const Step s = fire(d, sent.after, signedBy("kari@x.example"), t0());
    CHECK(actionNames(s) == std::vector<std::string>{"notify_next_signer"});
    CHECK(s.actions[0].recipients == std::vector<std::string>{"tor@x.example"});
    CHECK(s.after.signatures[1].status == SignatureStatus::Open);
}

TEST_CASE("timers: reminders every 7 days at most 3 times, escalations, expiry at the deadline",
          "[machine][timers]") {
    const auto& d = def("function-description");
    Case c = step(d, functionDescription(), by("send"));
    REQUIRE(c.timers.size() == 4);
    CHECK_FALSE(dueTimer(c, t0() + 24h * 7 - 1s));
    std::vector<std::string> fired;
    Timestamp now = t0();
    for (int day = 1; day <= 70 && c.state == "sent"; ++day) {
        now = t0() + 24h * day;
        while (const auto t = dueTimer(c, now)) {
            if (const auto trig = timerTrigger(d, t->name)) {
                c = step(d, c, by(*trig, ActorKind::System), now);
                fired.push_back("day " + std::to_string(day) + " " + *trig);
                continue;
            }
            const Step s = fireActionTimer(d, c, t->name, now);
            fired.push_back("day " + std::to_string(day) + " " +
                            std::string(toString(s.actions.at(0).action)));
            c = s.after;
        }
    }
    CHECK(fired == std::vector<std::string>{"day 7 remind", "day 14 remind", "day 21 remind",
                                            "day 21 escalate_to_leader",
                                            "day 35 escalate_to_area_leader", "day 60 expire"});
    CHECK(c.state == "expired");
    CHECK(c.signatures[0].status == SignatureStatus::Void);
    const Case again = step(d, c, by("resend"), now);
    CHECK(again.state == "sent");
    CHECK(formatTimestamp(*again.deadline) == formatTimestamp(now + 24h * 60));
}

TEST_CASE("timers keep running from sent to partially_signed and stop on signing",
          "[machine][timers]") {
    const auto& d = def("function-description");
    Case c = step(d, functionDescription(), by("send"));
    const auto due = c.timers;
    c = step(d, c, signedBy("kari@x.example"), t0() + 72h);
    REQUIRE(c.timers.size() == due.size());
    for (std::size_t i = 0; i < due.size(); ++i) CHECK(c.timers[i].due == due[i].due);
}

TEST_CASE("timers pause while the nurse is on leave and resume with the deadline moved",
          "[machine][timers]") {
    const auto& d = def("function-description");
    Case c = step(d, functionDescription(), by("send"));
    c = pauseTimers(c, t0() + 24h * 5);
    CHECK_FALSE(dueTimer(c, t0() + 24h * 100));
    c = resumeTimers(d, c, t0() + 24h * 15);
    CHECK(formatTimestamp(*c.deadline) == "2027-01-11T09:00:00Z");
    const auto next = dueTimer(c, t0() + 24h * 17);
    REQUIRE(next);
    CHECK(next->name == "reminder");
}

TEST_CASE("a new nearest leader takes over an unsigned leader signature, not a signed one",
          "[machine]") {
    const auto& d = def("function-description");
    Case c = step(d, functionDescription(), by("send"));
    const auto replaced = replaceSigner(c, "leader", "ny@x.example", "Ny Leder");
    REQUIRE(replaced);
    CHECK(replaced->signature("leader")->email == "ny@x.example");
    CHECK(replaced->signature("leader")->status == SignatureStatus::Open);
    CHECK(replaced->signatures[1].status == SignatureStatus::Void);
    c = step(d, c, signedBy("tor@x.example"));
    CHECK_FALSE(replaceSigner(c, "leader", "ny@x.example", "Ny Leder"));
}

TEST_CASE("an agreement is reviewed, approved with body and date, signed by every party, archived",
          "[machine]") {
    const auto& d = def("collaboration-agreement");
    Case c;
    c.reference = "SA-2026-0001";
    c.workflow = d.name;
    c.state = "draft";
    c.signatures = {
        {1, "party", "a@ahus.example", "Anne", "Ahus", 1, SignatureStatus::Waiting, "", "", ""},
        {2, "party", "b@ski.example", "Bo", "Nordre Follo", 2, SignatureStatus::Waiting, "", "",
         ""},
        {3, "party", "c@as.example", "Cy", "Ås", 3, SignatureStatus::Waiting, "", "", ""}};
    c = step(d, c, by("review"));
    Trigger approve = by("approve");
    CHECK(fire(d, c, approve, t0()).refusal ==
          "case SA-2026-0001 (in_review): cannot approve: the approving body and the approval date "
          "(YYYY-MM-DD) are "
          "required");
    approve.approvalBody = "Samarbeidsutvalget";
    approve.approvalDate = "2026-10-30";
    c = step(d, c, approve);
    CHECK(c.approvalBody == "Samarbeidsutvalget");
    CHECK(c.approvalDate == "2026-10-30");
    c = step(d, step(d, c, by("send")), signedBy("a@ahus.example"));
    c = step(d, c, signedBy("b@ski.example"));
    CHECK(c.state == "partially_signed");
    c = step(d, c, signedBy("c@as.example"));
    CHECK(c.state == "signed");
    const Step archived = fire(d, c, by("archive"), t0());
    CHECK(actionNames(archived) == std::vector<std::string>{"archive", "supersede_previous"});
    REQUIRE(archived.after.timers.size() == 1);
    CHECK(archived.after.timers[0].name == "yearly-review");
    CHECK(formatTimestamp(archived.after.timers[0].due) == "2027-11-02T09:00:00Z");
    CHECK(step(d, archived.after, by("supersede", ActorKind::System)).state == "superseded");
}

TEST_CASE("a record is archived without signatures", "[machine]") {
    const auto& d = def("record");
    Case c;
    c.reference = "AD-2026-0001";
    c.workflow = d.name;
    c.state = "draft";
    const Step s = fire(d, c, by("archive"), t0());
    CHECK(s.to == "archived");
    CHECK(actionNames(s) == std::vector<std::string>{"archive"});
}

TEST_CASE("ISO durations read as the definitions use them", "[machine]") {
    CHECK(parseIsoDuration("P7D") == std::chrono::seconds(7 * 86400));
    CHECK(parseIsoDuration("PT12H") == std::chrono::seconds(12 * 3600));
    CHECK(parseIsoDuration("P1DT6H30M") == std::chrono::seconds(86400 + 6 * 3600 + 1800));
    CHECK(parseIsoDuration("P1Y") == std::chrono::seconds(365 * 86400));
    for (const char* bad : {"7D", "P", "PT", "P7", "P7H", "PT7D", "P-1D"}) {
        INFO(bad);
        CHECK_FALSE(parseIsoDuration(bad));
    }
}
