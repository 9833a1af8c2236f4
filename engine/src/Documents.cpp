// A case's documents: the values its template is filled with, rendering, sealing, storing.
#include <Poco/Path.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "Core.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/documents/PdfContent.h"
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

std::shared_ptr<const FilledDocument> Core::sentDocument(const Case& c) {
    if (auto kept = sentDocuments.find(c.id, c.version))
        return kept;
    // The text as sent: dated the day it was (last) sent, like the PDF.
    auto document =
        std::make_shared<const FilledDocument>(compose(c, false, c.sentAt).document);
    sentDocuments.keep(c.id, c.version, document);
    return document;
}

RenderPool::RenderPool(Core& core, unsigned workers, std::size_t capacity)
    : core_(core), capacity_(capacity) {
    const unsigned n = workers ? workers : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned t = 0; t < n; ++t) threads_.emplace_back([this] { work(); });
}

RenderPool::~RenderPool() {
    {
        const std::lock_guard<std::mutex> guard(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    for (auto& t : threads_) t.join();
}

void RenderPool::rethrow() {
    if (!failure_.empty())
        throw EngineError(failure_);
}

void RenderPool::add(PendingRender document) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < capacity_ || !failure_.empty(); });
    rethrow();
    queue_.push_back(std::move(document));
    changed_.notify_all();
}

void RenderPool::finish() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return (queue_.empty() && busy_ == 0) || !failure_.empty(); });
    rethrow();
}

void RenderPool::work() {
    // Below the request threads: a signer's page is answered before the next document.
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    for (;;) {
        PendingRender p;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_ || !failure_.empty())
                return;
            p = std::move(queue_.front());
            queue_.pop_front();
            ++busy_;
        }
        std::string failed;
        try {
            const storage::Connection connection(core_.db);
            const auto composed = core_.compose(p.c, false, p.at);
            const std::string pdf = documents::renderPdf(composed.document, composed.options, nullptr);
            storage::Transaction tx(core_.db);
            core_.storeDocument(p.c, "sent", pdf, p.at, p.by);
            tx.commit();
        } catch (const std::exception& e) {
            failed = "cannot render " + p.c.reference + ": " + e.what();
        }
        {
            const std::lock_guard<std::mutex> guard(mutex_);
            --busy_;
            if (!failed.empty() && failure_.empty())
                failure_ = failed;
        }
        changed_.notify_all();
    }
}

void Core::storeDocument(const Case& c, const std::string& kind, const std::string& pdf,
                         Timestamp at, const std::string& who) {
    const std::string sha256 = cases.storeDocument(c, kind, pdf, at);
    record("case.document_stored", c.reference,
           {{"kind", kind}, {"sha256", sha256}, {"size", std::to_string(pdf.size())}}, who);
}

void DocumentActionPort::perform(const Case& c, const StepAction& action) {
    switch (action.action) {
        case Action::Render:
            if (auto* deferred = currentCall().deferredRenders)
                deferred->push_back({c, state_.clock.now(), currentCall().by.name});
            else
                state_.storeDocument(c, "sent", state_.render(c, false, false),
                                     state_.clock.now());
            break;
        case Action::RenderFinal:
            state_.storeDocument(c, "final", state_.render(c, true, false), state_.clock.now());
            break;
        case Action::Seal:
            state_.storeDocument(c, "final", state_.render(c, true, true), state_.clock.now());
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
    std::vector<std::string> active;
    try {
        active = documents::activeContent(scan);
    } catch (const documents::PdfError& e) {
        throw EngineError(scanPath + ": " + e.what() + " (a scan must be saved as PDF)");
    }
    if (!active.empty())
        throw EngineError(scanPath + ": the PDF holds " + text::join(active, ", ") +
                          "; a scan for the archive may hold none of it (scan the paper again, "
                          "or print the file to a new PDF)");
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
        st.storeDocument(out.after, "scan", scan, st.clock.now());
        tx.commit();
        return out;
    });
}

}  // namespace avtaleflyt::engine
