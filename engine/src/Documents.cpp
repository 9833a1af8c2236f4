// A case's documents: the values its template is filled with, rendering, sealing, storing.
#include <Poco/Path.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "Core.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/Templates.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::engine {
namespace {

// "A, B og C"
std::string enumerate(const std::vector<std::string>& items) {
    if (items.size() <= 1)
        return items.empty() ? "" : items.front();
    return text::join(std::vector<std::string>(items.begin(), items.end() - 1)) + " og " +
           items.back();
}

}  // namespace

const documents::SealKey& Core::sealKey() {
    const std::lock_guard<std::mutex> loading(sealLoading);
    if (!seal) {
        try {
            seal = std::make_unique<documents::SealKey>(
                settings.sealPkcs12.empty()
                    ? documents::SealKey::loadPem(
                          Poco::Path(dataDir).append(Installation::kSealCertificate).toString(),
                          Poco::Path(dataDir).append(Installation::kSealKey).toString(), env)
                    : documents::SealKey::loadPkcs12(settings.sealPkcs12, settings.sealPassword,
                                                     env));
        } catch (const documents::SealError& e) {
            throw EngineError(std::string("cannot seal: ") + e.what());
        }
    }
    return *seal;
}

Core::Composed Core::compose(const Case& c, bool final,
                                                           std::optional<Timestamp> dated) {
    if (c.templateName.empty())
        throw EngineError("case " + c.reference + " (" + c.workflow +
                          ") has no document template to render");
    try {
        const DocumentTemplate& tmpl =
            documents::shippedTemplate(c.templateName, c.templateVersion);
        std::map<std::string, std::string> values = {
            {"case.reference", c.reference},
                        {"case.date", formatDate(dated.value_or(clock.now()))},
            {"template.version", std::to_string(c.templateVersion)},
            {"network.name", c.network},
            {"agreement.title", c.title},
            {"approval.body", c.approvalBody},
            {"approval.date", c.approvalDate}};
        std::string unit;
        if (!c.subjectEmail.empty()) {
            // Two indexed reads: what one document needs, never the network's whole roster.
            if (const auto p = rosters.person(c.subjectEmail))
                values["nurse.name"] = p->name;
            if (const auto n = rosters.membership(networkRecord(c.network), c.subjectEmail)) {
                unit = n->unit.name;
                values["nurse.unit"] = unit;
                values["nurse.municipality"] =
                    n->unit.municipality.empty() ? n->unit.area : n->unit.municipality;
                values["nurse.area"] = n->unit.area;
            }
        }
        std::vector<std::string> parties;
        documents::PdfOptions o;
        for (const auto& r : c.signatures) {
            if (r.status == SignatureStatus::Void)
                continue;
            if (r.role == "leader")
                values["leader.name"] = r.name;
            if (r.role == "party")
                parties.push_back(r.organisation);
            // Names, roles, units and times only: no e-mail or IP address in a PDF.
            o.signatures.push_back({r.name, r.role, r.role == "party" ? r.organisation : unit,
                                    r.status == SignatureStatus::Signed ? r.signedAt : "",
                                    r.method});
        }
        values["agreement.parties"] = enumerate(parties);

        o.language = tmpl.language;
        o.networkName = c.network;
        o.caseReference = c.reference;
        o.templateLabel = c.templateName + " v" + std::to_string(c.templateVersion);
        o.created = clock.now();
        o.signaturePage = final;
        if (final)
            for (const auto& e : audit.forSubject(c.reference))
                o.trail.push_back({e.occurredAt, e.kind});
        return {fillTemplate(tmpl, values), o};
    } catch (const TemplateError& e) {
        throw EngineError("cannot render " + c.reference + ":\n" + e.what());
    }
}

std::string Core::render(const Case& c, bool final, bool sealed) {
    const Composed composed = compose(c, final);
    try {
        return documents::renderPdf(composed.document, composed.options,
                                    sealed ? &sealKey() : nullptr);
    } catch (const documents::PdfError& e) {
        throw EngineError("cannot render " + c.reference + ": " + e.what());
    }
}

std::optional<Timestamp> Core::sentAt(const Case& c) const {
    std::optional<Timestamp> sent;
    for (const auto& e : audit.forSubject(c.reference))
        if (e.kind == "case.send" || e.kind == "case.resend")
            sent = parseTimestamp(e.occurredAt);
    return sent;
}

void Core::renderDeferred(std::vector<PendingRender>& pending) {
    // Filled in here (the database is this thread's), laid out on the workers, stored here.
    std::vector<Composed> composed;
    composed.reserve(pending.size());
    for (const auto& p : pending) composed.push_back(compose(p.c, false, p.at));
    std::vector<std::string> pdfs(pending.size());
    std::vector<std::exception_ptr> failures(pending.size());
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
        for (std::size_t i; (i = next++) < composed.size();) {
            try {
                pdfs[i] = documents::renderPdf(composed[i].document, composed[i].options, nullptr);
            } catch (...) {
                failures[i] = std::current_exception();
            }
        }
    };
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t workers = std::min<std::size_t>(renderWorkers ? renderWorkers : cores,
                                                      std::max<std::size_t>(1, pending.size()));
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < pending.size(); ++i) {
        if (failures[i]) {
            try {
                std::rethrow_exception(failures[i]);
            } catch (const std::exception& e) {
                throw EngineError("cannot render " + pending[i].c.reference + ": " + e.what());
            }
        }
        storage::Transaction tx(db);
        cases.storeDocument(pending[i].c, "sent", pdfs[i], pending[i].at);
        tx.commit();
    }
    pending.clear();
}

void DocumentActionPort::perform(const Case& c, const StepAction& action) {
    switch (action.action) {
        case Action::Render:
            if (auto* deferred = currentCall().deferredRenders)
                deferred->push_back({c, state_.clock.now()});
            else
                state_.cases.storeDocument(c, "sent", state_.render(c, false, false),
                                           state_.clock.now());
            break;
        case Action::RenderFinal:
            state_.cases.storeDocument(c, "final", state_.render(c, true, false),
                                       state_.clock.now());
            break;
        case Action::Seal:
            state_.cases.storeDocument(c, "final", state_.render(c, true, true),
                                       state_.clock.now());
            break;
        default:
            break;
    }
    next_.perform(c, action);
}

std::string Cases::renderCase(const std::string& reference, bool final, bool sealed) const {
    return guarded([&] {
        const std::optional<Case> c = core_.caseNamed(reference);
        return core_.render(*c, final, sealed);
    });
}

std::optional<std::string> Cases::finalDocument(const std::string& reference) const {
    return guarded([&] {
        const std::optional<Case> c = core_.caseNamed(reference);
        return core_.cases.document(*c, "final");
    });
}

}  // namespace avtaleflyt::engine

namespace avtaleflyt::engine {

StepOutcome Cases::registerPaperSignature(const Actor& by, const std::string& reference,
                                                 const std::string& signerRole,
                                                 const std::string& scanPath,
                                                 const std::string& signedOnIn) const {
    const Acting acting(by);
    const auto size = core_.env.fileSize(scanPath);
    if (!size)
        throw EngineError(scanPath + ": no such file");
    if (*size > kMaxScanBytes)
        throw EngineError(scanPath + ": the scan is larger than " +
                          std::to_string(kMaxScanBytes / (1024 * 1024)) + " MiB");
    std::string scan;
    try {
        scan = core_.env.readFile(scanPath);
    } catch (const EnvError& e) {
        throw EngineError(e.what());
    }
    const auto tail = scan.size() > 1024 ? scan.substr(scan.size() - 1024) : scan;
    if (scan.compare(0, 5, "%PDF-") != 0 || tail.find("%%EOF") == std::string::npos)
        throw EngineError(scanPath + ": not a PDF (a scan must be saved as PDF)");
    const Timestamp today = core_.clock.now();
    std::string signedOn = formatDate(today);
    if (!text::trim(signedOnIn).empty()) {
        const auto parsed = parseTimestamp(text::trim(signedOnIn));
        if (!parsed || text::trim(signedOnIn).size() != 10)
            throw EngineError("--date: \"" + signedOnIn + "\" is not a date (write 2026-11-24)");
        if (*parsed > today)
            throw EngineError("--date: " + signedOnIn + " is in the future");
        signedOn = formatDate(*parsed);
    }
    return guarded([&] {
        auto& st = core_;
        storage::Transaction tx(st.db);
        const std::optional<Case> c = st.caseNamed(reference);
        Trigger t;
        t.name = "sign";
        t.actor = ActorKind::NetworkLeader;
        t.signerRole = signerRole;
        t.method = "paper";
        t.signedOn = signedOn;
        auto out = st.step(*c, t);
        if (!out.done)
            return out;
        st.cases.storeDocument(out.after, "scan", scan, st.clock.now());
        tx.commit();
        return out;
    });
}

}  // namespace avtaleflyt::engine
