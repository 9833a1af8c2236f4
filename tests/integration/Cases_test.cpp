// Cases through the engine on a real database: sending, steps with their audit events and
// actions in one transaction, refusals, concurrency, timers and roster changes.
#include <catch2/catch.hpp>

#include "TestSupport.h"
#include "SendLog.h"
#include "Tester.h"
#include "avtaleflyt/digest/Sha256.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/documents/Seal.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/engine/Installation.h"
#include "avtaleflyt/storage/AuditLog.h"
#include "avtaleflyt/storage/CaseRepository.h"

using namespace avtaleflyt;
using namespace avtaleflyt::engine;
using test::kTester;
using namespace std::chrono_literals;

namespace {

using Rows = std::vector<std::vector<std::string>>;
const std::string kNetwork = "Nettverk Test";

const Rows kRoster = {
    {"Navn", "E-post", "Område", "Arbeidssted", "Leder", "Leders e-post", "Status", "Rolle"},
    {"Geir Lund", "geir@follo.example", "Follo", "", "", "", "", "områdeleder"},
    {"Åse Bø", "ase@frogn.example", "Follo", "Tunet", "Tor Li", "tor@frogn.example", "aktiv", ""},
    {"Kari Berg", "kari@frogn.example", "Follo", "Tunet", "Tor Li", "tor@frogn.example", "aktiv",
     ""},
    {"Liv Lie", "liv@ahus.example", "Ahus", "Post 1", "Eva Ask", "eva@ahus.example", "aktiv", ""},
    {"Per Vik", "per@ahus.example", "Ahus", "Post 1", "Eva Ask", "eva@ahus.example", "perm", ""},
};

struct CasesFixture {
    test::TempDir dir;
    FixedClock clock{*parseTimestamp("2026-11-02T09:00:00Z")};
    std::string data = dir.file("data");
    std::string database = test::newDatabase();
    Settings settings;

    CasesFixture() {
        settings.databaseUrl = database;
        Installation::init(data, clock, kTester, database);
        open().rosters().addNetwork(kTester, kNetwork, {"Follo", "Ahus"});
        importRoster(kRoster);
    }
    Installation open() { return Installation(data, clock, settings); }
    RosterImport importRoster(const Rows& rows) {
        test::writeFile(dir.file("liste.csv"), documents::formatCsv(rows));
        return open().rosters().importRoster(kTester, dir.file("liste.csv"), kNetwork, false);
    }
    std::string db() const { return test::databaseOf(data, database); }
    std::string count(const std::string& table) const {
        return test::querySql(db(), "SELECT count(*) FROM " + table);
    }
    Case caseOf(const std::string& email) {
        for (auto& c : open().cases().list({kNetwork, "function-description", "", ""}))
            if (c.subjectEmail == email)
                return c;
        FAIL("no case for " << email);
        throw;
    }
};

Trigger signer(const std::string& email, const std::string& trigger = "sign") {
    Trigger t;
    t.name = trigger;
    t.actor = ActorKind::Signer;
    t.actorEmail = email;
    return t;
}

Trigger leader(const std::string& trigger, const std::string& reason = "") {
    Trigger t;
    t.name = trigger;
    t.reason = reason;
    return t;
}

Rows with(Rows rows, std::size_t row, std::size_t col, const std::string& v) {
    rows.at(row).at(col) = v;
    return rows;
}

}  // namespace

TEST_CASE("every active nurse gets one function description, and nobody gets two", "[cases]") {
    CasesFixture f;
    const auto dry = test::sendLogged(f.open(), kNetwork, "", true);
    CHECK(dry.candidates.size() == 3);  // Per is on leave
    CHECK(dry.totals.candidates == 3);
    CHECK(dry.sent.empty());
    CHECK(f.count("case_file") == "0");

    const auto follo = test::sendLogged(f.open(), kNetwork, "follo", false);
    REQUIRE(follo.sent.size() == 2);
    CHECK(follo.sent[0].reference == "FB-2026-0001");
    CHECK(follo.sent[0].state == "sent");
    CHECK(follo.sent[0].templateVersion == 1);
    const auto all = test::sendLogged(f.open(), kNetwork, "", false);
    CHECK(all.sent.size() == 1);
    CHECK(all.totals.sent == 1);
    CHECK(all.totals.covered == 2);
    const auto again = f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    CHECK(again.sent == 0);
    CHECK(again.covered == 3);

    const auto d = f.open().cases().details("FB-2026-0001");
    std::vector<std::string> kinds;
    for (const auto& e : d.timeline) kinds.push_back(e.kind);
    // The document rendered for the send is stored after it, with its own event.
    CHECK(kinds == std::vector<std::string>{"case.opened", "case.send", "case.document_stored"});
    REQUIRE(d.actions.size() == 2);
    CHECK(d.actions[0].action == "render");
    CHECK(d.actions[1].action == "notify_signers");
    CHECK(d.actions[1].recipients ==
          std::vector<std::string>{"ase@frogn.example", "tor@frogn.example"});
    CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
    CHECK_THROWS_WITH(f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "Vest", true),
                      "no area \"Vest\" in \"Nettverk Test\" (there are: Follo, Ahus)");
}

TEST_CASE("signing through the engine: both sign, the case is signed and the completion is queued",
          "[cases]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const Case c = f.caseOf("kari@frogn.example");
    auto out = f.open().cases().fire(kTester, c.reference, signer("kari@frogn.example"));
    CHECK(out.done);
    CHECK(out.to == "partially_signed");
    CHECK(out.after.version == c.version + 1);
    out = f.open().cases().fire(kTester, c.reference, signer("tor@frogn.example"));
    CHECK(out.to == "signed");
    const auto d = f.open().cases().details(c.reference);
    CHECK(d.c.timers.empty());
    CHECK(d.actions.back().action == "notify_completed");
    // The last signature, then the final documents it made (the sealed one last).
    auto last = d.timeline.rbegin();
    while (last != d.timeline.rend() && last->kind == "case.document_stored") ++last;
    REQUIRE(last != d.timeline.rend());
    CHECK(last->kind == "case.sign");
    CHECK(last->actor == "cli:test");
    CHECK(last != d.timeline.rbegin());
    CHECK(d.timeline.back().payload.find("\"kind\":\"final\"") != std::string::npos);

    // The last signature made the final document: sealed, valid, signed by both, no e-mails.
    const auto pdf = f.open().cases().finalDocument(c.reference);
    REQUIRE(pdf);
    const auto seal = documents::verifySeal(*pdf);
    CHECK(seal.valid);
    CHECK(seal.wholeDocument);
    test::writeFile(f.dir.file("final.pdf"), *pdf);  // pdfsig reads it below
    const auto text = test::pdfText(*pdf, true);
    CHECK(text.find("Kari Berg") != std::string::npos);
    CHECK(text.find("Nærmeste leder") != std::string::npos);
    CHECK(text.find("Hendelseslogg") != std::string::npos);
    CHECK(text.find("@") == std::string::npos);
    CHECK(
        test::runTool("pdfsig '" + f.dir.file("final.pdf") + "'").out.find("Signature is Valid") !=
        std::string::npos);
}

TEST_CASE("sending renders the document for signing and keeps it with the case",
          "[cases][documents]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "follo", false);
    CHECK(test::querySql(f.db(), "SELECT count(*) FROM case_document WHERE kind = 'sent'") == "2");
    CHECK(test::querySql(
              f.db(), "SELECT size > 10000 AND length(sha256) = 64 FROM case_document LIMIT 1") ==
          "1");
    CHECK_FALSE(f.open().cases().finalDocument("FB-2026-0001"));
    const std::string preview = f.open().cases().renderCase("FB-2026-0001", false, false);
    const auto text = test::pdfText(preview, true);
    CHECK(text.find("Åse Bø, Tunet (Follo)") != std::string::npos);
    CHECK(text.find("Nærmeste leder er Tor Li.") != std::string::npos);
}

TEST_CASE("a draft agreement cannot be rendered before its approval is recorded",
          "[cases][documents]") {
    CasesFixture f;
    const Case c = f.open().cases().newAgreement(kTester, kNetwork, "Avtale",
                                         {{"Ahus", "Anne Ås", "anne@ahus.example"},
                                          {"Frogn kommune", "Bo Berg", "bo@frogn.example"}},
                                         "");
    CHECK_THROWS_WITH(
        f.open().cases().renderCase(c.reference, false, false),
        "cannot render SA-2026-0001:\n"
        "documents/templates/collaboration-agreement-v1.xml:41: {{approval.body}} has no value\n"
        "documents/templates/collaboration-agreement-v1.xml:41: {{approval.date}} has no value");
}

TEST_CASE("a refused trigger is a value and writes nothing", "[cases]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const std::string events = f.count("audit_event"), actions = f.count("case_action");
    const auto out = f.open().cases().fire(kTester, "FB-2026-0001", leader("withdraw"));
    CHECK_FALSE(out.done);
    CHECK(out.refusal == "case FB-2026-0001 (sent): cannot withdraw: a reason is required");
    CHECK(f.count("audit_event") == events);
    CHECK(f.count("case_action") == actions);
    CHECK_THROWS_WITH(f.open().cases().fire(kTester, "FB-2026-9999", leader("send")), "no case FB-2026-9999");
}

TEST_CASE("a step whose action fails leaves no trace: state, version, event and actions as before",
          "[cases]") {
    struct FailingPort : ActionPort {
        void perform(const Case&, const StepAction&) override {
            throw EngineError("the mail queue is full");
        }
    } failing;
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const Case before = f.caseOf("kari@frogn.example");
    const std::string events = f.count("audit_event"), actions = f.count("case_action");
    auto inst = f.open();
    inst.setActionPort(&failing);
    CHECK_THROWS_WITH(inst.cases().fire(kTester, before.reference, leader("withdraw", "sluttet")),
                      "the mail queue is full");
    const Case after = f.caseOf("kari@frogn.example");
    CHECK(after.state == "sent");
    CHECK(after.version == before.version);
    CHECK(after.signatures[0].status == SignatureStatus::Open);
    CHECK(f.count("audit_event") == events);
    CHECK(f.count("case_action") == actions);
    CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
}

TEST_CASE("two writers with the same version of a case cannot both win", "[cases]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const Case seen = f.caseOf("kari@frogn.example");
    auto first = f.open();
    auto second = f.open();  // a second connection, as a second process would have
    CHECK(first.cases().fire(kTester, seen.reference, signer("kari@frogn.example"), seen.version).done);
    Trigger withdraw = leader("withdraw", "feil person");
    const auto lost = second.cases().fire(kTester, seen.reference, withdraw, seen.version);
    CHECK_FALSE(lost.done);
    CHECK(lost.refusal == "case " + seen.reference +
                              " was changed by someone else (it is at version " +
                              std::to_string(seen.version + 1) + ", not " +
                              std::to_string(seen.version) + "); look at it again and retry");
    CHECK(f.caseOf("kari@frogn.example").state == "partially_signed");
}

TEST_CASE("a case written over a version no longer stored fails its whole transaction, and "
          "nothing of it is written",
          "[cases]") {
    // The version guard of CaseRepository::update, for a caller that read the case before its
    // transaction. On PostgreSQL the update is sent ahead: its guard answers with the commit.
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const Case seen = f.caseOf("kari@frogn.example");
    storage::Database db(f.db(), storage::Database::Mode::OpenExisting);
    storage::CaseRepository cases(db);
    storage::AuditLog log(db);
    Case first = seen;
    first.note = "first";
    Case second = seen;
    second.note = "second";
    {
        storage::Transaction tx(db);
        CHECK(cases.update(seen, first, f.clock.now()).version == seen.version + 1);
        tx.commit();
    }
    const std::int64_t events = log.head().seq;
    CHECK_THROWS_WITH(([&] {
                          storage::Transaction tx(db);
                          cases.update(seen, second, f.clock.now());  // one version behind
                          log.append({f.clock.now(), "cli:test", "case.note", seen.reference, "{}"});
                          tx.commit();
                      }()),
                      Catch::Contains("case " + seen.reference +
                                      " was changed by someone else while this was being stored"));
    const Case stored = f.caseOf("kari@frogn.example");
    CHECK(stored.note == "first");
    CHECK(stored.version == seen.version + 1);
    CHECK(log.head().seq == events);
    CHECK(log.verify().intact());
}

TEST_CASE("timers under a fixed clock: reminders queued, escalation to the area leader, expiry",
          "[cases][timers]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "follo", false);
    f.clock.set(*parseTimestamp("2026-11-09T10:00:00Z"));
    const auto dry = f.open().reminders().runDue(kTester, true);
    CHECK(dry.fired.size() == 2);
    CHECK(f.count("case_action WHERE action = 'remind'") == "0");
    const auto run = f.open().reminders().runDue(kTester, false);
    CHECK(run.fired ==
          std::vector<std::string>{
              "FB-2026-0001: reminder -> remind ase@frogn.example, tor@frogn.example",
              "FB-2026-0002: reminder -> remind kari@frogn.example, tor@frogn.example"});
    CHECK(f.open().reminders().runDue(kTester, false).fired.empty());  // nothing twice

    f.clock.set(*parseTimestamp("2026-12-08T10:00:00Z"));
    f.open().reminders().runDue(kTester, false);
    CHECK(test::querySql(f.db(),
                         "SELECT recipients FROM case_action WHERE action = "
                         "'escalate_to_area_leader' LIMIT 1") == "geir@follo.example");
    f.clock.set(*parseTimestamp("2027-01-02T10:00:00Z"));
    f.open().reminders().runDue(kTester, false);
    CHECK(f.caseOf("kari@frogn.example").state == "expired");
    const auto d = f.open().cases().details(f.caseOf("kari@frogn.example").reference);
    CHECK(d.timeline.back().kind == "case.expire");
    CHECK(d.timeline.back().actor == "system:timer");
}

TEST_CASE(
    "roster changes reach open cases: leaving withdraws, a new leader takes over, leave pauses",
    "[cases][roster]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    const Case ase = f.caseOf("ase@frogn.example");
    const Case kari = f.caseOf("kari@frogn.example");
    const Case liv = f.caseOf("liv@ahus.example");
    f.open().cases().fire(kTester, ase.reference, signer("tor@frogn.example"));  // Tor signed for Åse already
    f.clock.advance(24h * 3);

    Rows dec = with(kRoster, 2, 4, "Ny Leder");
    dec = with(dec, 2, 5, "ny@frogn.example");  // Åse: new leader, but Tor has signed
    dec = with(with(dec, 3, 4, "Ny Leder"), 3, 5, "ny@frogn.example");  // Kari: new leader
    dec = with(dec, 4, 6, "perm");                                      // Liv goes on leave
    dec = with(dec, 5, 6, "sluttet");                                   // Per has left (no case)
    const auto r = f.importRoster(dec);
    CHECK(r.caseEffects ==
          std::vector<std::string>{
              kari.reference + ": the leader's signature now goes to Ny Leder",
              liv.reference + ": reminders and deadline paused while the nurse is on leave"});
    const Case k = f.caseOf("kari@frogn.example");
    CHECK(k.signature("leader")->email == "ny@frogn.example");
    CHECK(k.signature("leader")->status == SignatureStatus::Open);
    CHECK(f.caseOf("ase@frogn.example").signature("leader")->email == "tor@frogn.example");
    const auto kd = f.open().cases().details(k.reference);
    CHECK(kd.actions.back().recipients == std::vector<std::string>{"ny@frogn.example"});
    CHECK(kd.timeline.back().kind == "case.signer_replaced");
    CHECK(kd.timeline.back().actor == "system:roster-import");
    for (const auto& t : f.caseOf("liv@ahus.example").timers) CHECK(t.pausedAt);

    // Ten days later Liv is back and Kari leaves.
    f.clock.advance(24h * 10);
    Rows jan = with(dec, 4, 6, "aktiv");
    jan.erase(jan.begin() + 3);
    const auto r2 = f.importRoster(jan);
    CHECK(r2.caseEffects ==
          std::vector<std::string>{liv.reference + ": reminders and deadline resumed",
                                   kari.reference + ": withdrawn, the nurse has left"});
    CHECK(f.caseOf("kari@frogn.example").state == "withdrawn");
    CHECK(f.caseOf("kari@frogn.example").note == "the nurse has left the network (roster import)");
    CHECK(formatTimestamp(*f.caseOf("liv@ahus.example").deadline) == "2027-01-11T09:00:00Z");
    CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
}

TEST_CASE("a dry-run import shows what it would do to cases and changes nothing",
          "[cases][roster]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "", false);
    Rows dec = kRoster;
    dec.erase(dec.begin() + 3);
    test::writeFile(f.dir.file("dec.csv"), documents::formatCsv(dec));
    const std::string events = f.count("audit_event");
    const auto r = f.open().rosters().importRoster(kTester, f.dir.file("dec.csv"), kNetwork, true);
    CHECK(r.caseEffects.size() == 1);
    CHECK_FALSE(r.applied);
    CHECK(f.caseOf("kari@frogn.example").state == "sent");
    CHECK(f.count("audit_event") == events);
}

TEST_CASE("sequential signing by setting: the leader is asked after the nurse", "[cases]") {
    CasesFixture f;
    f.settings.signingOrder["function-description"] = "sequential";
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "follo", false);
    const Case c = f.caseOf("kari@frogn.example");
    CHECK(c.signature("leader")->status == SignatureStatus::Waiting);
    const auto early = f.open().cases().fire(kTester, c.reference, signer("tor@frogn.example"));
    CHECK_FALSE(early.done);
    f.open().cases().fire(kTester, c.reference, signer("kari@frogn.example"));
    CHECK(f.caseOf("kari@frogn.example").signature("leader")->status == SignatureStatus::Open);
    f.settings.signingOrder["function-description"] = "alphabetical";
    CHECK_THROWS_WITH(f.open(),
                      "workflow.function-description.signing must be parallel or sequential, not "
                      "\"alphabetical\"");
}

TEST_CASE("an agreement from draft to archived, the next revision supersedes it",
          "[cases][agreement]") {
    CasesFixture f;
    const std::vector<Party> parties = {{"Ahus", "Anne Ås", "anne@ahus.example"},
                                        {"Nordre Follo kommune", "Bo Berg", "bo@nf.example"}};
    const Case draft =
        f.open().cases().newAgreement(kTester, kNetwork, "Samarbeidsavtale om lindrende behandling", parties, "");
    CHECK(draft.reference == "SA-2026-0001");
    CHECK(draft.state == "draft");
    auto inst = f.open();
    CHECK(inst.cases().fire(kTester, draft.reference, leader("send")).refusal ==
          "case SA-2026-0001 (draft): send is allowed only from approved");
    CHECK(inst.cases().fire(kTester, draft.reference, leader("review")).done);
    Trigger approve = leader("approve");
    approve.approvalBody = "Samarbeidsutvalget";
    approve.approvalDate = "2026-10-30";
    CHECK(inst.cases().fire(kTester, draft.reference, approve).done);
    CHECK(inst.cases().fire(kTester, draft.reference, leader("send")).done);
    CHECK(inst.cases().fire(kTester, draft.reference, signer("anne@ahus.example")).to == "partially_signed");
    CHECK(inst.cases().fire(kTester, draft.reference, signer("bo@nf.example")).to == "signed");
    CHECK(inst.cases().fire(kTester, draft.reference, leader("archive")).to == "archived");
    CHECK(inst.cases().details(draft.reference).c.approvalBody == "Samarbeidsutvalget");

    const Case next =
        inst.cases().newAgreement(kTester, kNetwork, "Samarbeidsavtale 2027", parties, draft.reference);
    inst.cases().fire(kTester, next.reference, leader("review"));
    inst.cases().fire(kTester, next.reference, approve);
    inst.cases().fire(kTester, next.reference, leader("send"));
    inst.cases().fire(kTester, next.reference, signer("anne@ahus.example"));
    inst.cases().fire(kTester, next.reference, signer("bo@nf.example"));
    inst.cases().fire(kTester, next.reference, leader("archive"));
    CHECK(inst.cases().details(draft.reference).c.state == "superseded");
    CHECK(inst.cases().details(draft.reference).c.note == "superseded by " + next.reference);
    CHECK(inst.cases().details(next.reference).c.state == "archived");

    CHECK_THROWS_WITH(inst.cases().newAgreement(kTester, kNetwork, "X", {parties[0]}, ""),
                      "an agreement needs at least two parties (--party)");
}

TEST_CASE("a send renders its documents on every core outside the case's transaction, each the "
          "same bytes as rendered alone",
          "[cases][documents]") {
    CasesFixture f;
    // More nurses than one chunk of the send (32).
    Rows rows = {kRoster.front()};
    for (int i = 0; i < 70; ++i)
        rows.push_back({"Sykepleier " + std::to_string(i), "s" + std::to_string(i) + "@frogn.example",
                        "Follo", "Tunet", "Tor Li", "tor@frogn.example"});
    f.importRoster(rows);
    const auto report = test::sendLogged(f.open(), kNetwork, "Follo", false);
    REQUIRE(report.sent.size() == 70);
    CHECK(f.count("case_document WHERE kind = 'sent'") == "70");
    // Rendering is deterministic for a fixed clock: the stored PDF is the one rendered alone.
    for (const auto& c : report.sent) {
        INFO(c.reference);
        CHECK(test::querySql(f.db(), "SELECT d.sha256 FROM case_document d JOIN case_file c ON "
                                     "c.id = d.case_id WHERE d.kind = 'sent' AND c.reference = '" +
                                         c.reference + "'") ==
              sha256Hex(f.open().cases().renderCase(c.reference, false, false)));
    }
    CHECK(f.open().records().verifyAuditLog().firstBadSeq == std::nullopt);
}

namespace {

// A one-page PDF whose catalogue also holds `extra` (an /OpenAction, /Names ...), its cross-
// reference table correct.
std::string pdfWith(const std::string& extra) {
    const std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R " + extra + " >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"};
    std::string out = "%PDF-1.7\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const auto at : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", at);
        out += line;
    }
    return out + "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
}

}  // namespace

TEST_CASE("a scan with JavaScript, actions or embedded files is refused, saying which, and "
          "nothing is stored (one was archived)",
          "[cases][paper]") {
    CasesFixture f;
    f.open().cases().sendFunctionDescriptions(kTester, kNetwork, "Follo", false);
    const Case c = f.open().cases().list({kNetwork, "function-description", "sent", ""}).front();
    const auto refusedWith = [&](const std::string& extra) {
        test::writeFile(f.dir.file("skann.pdf"), pdfWith(extra));
        try {
            f.open().cases().registerPaperSignature(kTester, c.reference, "nurse",
                                                    f.dir.file("skann.pdf"), "");
        } catch (const EngineError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    const std::string script = refusedWith("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>");
    INFO(script);
    CHECK(script.find(f.dir.file("skann.pdf") + ": the PDF holds ") == 0);
    CHECK(script.find("JavaScript") != std::string::npos);
    CHECK(script.find("an action when opened (/OpenAction)") != std::string::npos);
    CHECK(refusedWith("/Names << /EmbeddedFiles << /Names [] >> >>").find("embedded files") !=
          std::string::npos);
    CHECK(refusedWith("/AA << /WC << /S /Launch /F (calc.exe) >> >>").find("a launch action") !=
          std::string::npos);
    CHECK(f.count("case_document WHERE kind = 'scan'") == "0");
    CHECK(f.open().cases().details(c.reference).c.state == "sent");

    CHECK(refusedWith("") == "accepted");  // the same PDF without them is a scan like any other
    CHECK(f.count("case_document WHERE kind = 'scan'") == "1");
}
