// Signing links: what a link shows, and signing or declining through it.
#include "Core.h"
#include "avtaleflyt/documents/Pdf.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::engine {

std::string tokenHash(const std::string& token) { return sha256Hex(token); }

std::string evidenceHash(const std::string& ip, const std::string& userAgent,
                         const std::string& recordedAt) {
    return sha256Hex(ip + '\n' + userAgent + '\n' + recordedAt);
}

Core::Link Core::resolveLink(const std::string& token, bool forStep) {
    auto& st = *this;
    Link link;
    // Tokens are 43 characters of base64url; anything else is not looked up at all.
    if (token.size() != 43 ||
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
            std::string::npos)
        return link;
    const auto found = st.tokens.find(tokenHash(token));
    if (!found)
        return link;
    link.token = *found;
    // To show it, the case as kept for its current version: one indexed read a visit while the
    // case is unchanged. For a step, as stored, with its timers, inside the step's transaction.
    std::shared_ptr<const Case> shown =
        forStep ? nullptr : st.shownCases.find(found->caseId, found->caseVersion);
    if (!shown) {
        auto c = st.cases.find(found->caseReference, forStep);
        if (!c)
            return link;  // cannot happen (foreign keys), but is no reason to crash
        shown = std::make_shared<const Case>(std::move(*c));
        if (!forStep)
            st.shownCases.keep(shown->id, shown->version, shown);
    }
    link.c = std::move(shown);
    for (const auto& r : link.c->signatures)
        if (r.id == found->requestId)
            link.request = r;
    if (!link.token.usedAt.empty() || link.request.status == SignatureStatus::Signed ||
        link.request.status == SignatureStatus::Declined)
        link.status = SigningView::Status::Used;
    else if (formatTimestamp(st.clock.now()) > link.token.expiresAt)
        link.status = SigningView::Status::Expired;
    else if (link.request.status != SignatureStatus::Open)
        link.status = SigningView::Status::Closed;
    else
        link.status = SigningView::Status::Open;
    return link;
}

LinkOutcome Core::useLink(const std::string& token, Trigger trigger,
                                         const std::string& ip, const std::string& userAgent) {
    auto& st = *this;
    storage::Transaction tx(st.db);
    const Link link = st.resolveLink(token, true);
    LinkOutcome out;
    out.status = link.status;
    if (link.c)
        out.caseState = link.c->state;
    if (link.status != SigningView::Status::Open)
        return out;
    // The signer the link was made for does what follows, in the audit log too.
    const Acting acting({"signer:" + link.request.email});
    trigger.actor = ActorKind::Signer;
    trigger.actorEmail = link.request.email;
    trigger.method = "link";
    const StepOutcome step = st.step(*link.c, trigger);
    if (!step.done) {
        out.refusal = step.refusal;
        return out;
    }
    const Timestamp now = st.clock.now();
    if (!st.tokens.markUsed(link.token.id, now)) {
        out.status = SigningView::Status::Used;  // used at the same moment elsewhere
        return out;
    }
    st.tokens.storeEvidence(link.request.id, ip, userAgent, now);
    // The log keeps that the link is spent and a hash of the evidence (not the address itself).
    st.record("case.link_used", link.c->reference,
              {{"role", link.request.role},
               {"link", std::to_string(link.token.id)},
               {"request", std::to_string(link.request.id)},
               {"used_at", formatTimestamp(now)},
               {"evidence_sha256", evidenceHash(ip, userAgent, formatTimestamp(now))}});
    tx.commit();
    out.caseState = step.to;
    return out;
}

SigningView Signing::view(const std::string& token, bool withDocument) const {
    return guarded([&] {
        auto& st = core_;
        const storage::Connection connection(st.db);  // one borrowed connection per request
        const auto link = st.resolveLink(token);
        SigningView view;
        view.status = link.status;
        if (link.status == SigningView::Status::Unknown)
            return view;
        view.reference = link.c->reference;
        view.title = link.c->title;
        view.network = link.c->network;
        view.state = link.c->state;
        view.signerName = link.request.name;
        view.signerRole = link.request.role;
        view.organisation = link.request.organisation;
        view.signedAt = link.request.signedAt;
        view.caseVersion = link.c->version;
        if (link.c->deadline)
            view.deadline = formatDate(*link.c->deadline);
        if (withDocument && link.status == SigningView::Status::Open) {
            // The text as sent: dated the day it was (last) sent, like the PDF.
            view.document = st.sentDocument(*link.c);
        }
        return view;
    });
}

std::optional<std::string> Signing::document(const std::string& token) const {
    return guarded([&]() -> std::optional<std::string> {
        auto& st = core_;
        const storage::Connection connection(st.db);
        const auto link = st.resolveLink(token);
        if (link.status != SigningView::Status::Open)
            return std::nullopt;
        if (auto pdf = st.cases.document(*link.c, "sent"))
            return pdf;
        // A send renders after opening the case: until it is stored (or if that send was
        // stopped before), the document as sent is made now, dated as the case was sent.
        const auto composed = st.compose(*link.c, false, link.c->sentAt);
        try {
            return documents::renderPdf(composed.document, composed.options, nullptr);
        } catch (const documents::PdfError& e) {
            throw EngineError("cannot render " + link.c->reference + ": " + e.what());
        }
    });
}

LinkOutcome Signing::sign(const std::string& token, const std::string& ip,
                                     const std::string& userAgent) const {
    return guarded([&] {
        Trigger t;
        t.name = "sign";
        return core_.useLink(token, t, ip, userAgent);
    });
}

LinkOutcome Signing::decline(const std::string& token, const std::string& reason,
                                        const std::string& ip, const std::string& userAgent) const {
    return guarded([&] {
        Trigger t;
        t.name = "decline";
        t.reason = reason;
        return core_.useLink(token, t, ip, userAgent);
    });
}

}  // namespace avtaleflyt::engine
