// Mail: the messages steps ask for, written to the outbox in the step's transaction, with their
// signing links; and the dispatcher that delivers the outbox.

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "Core.h"
#include "avtaleflyt/documents/Messages.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::engine {
namespace {

constexpr std::chrono::hours kDefaultLinkLife{24 * 60};
constexpr std::chrono::minutes kSendLease{10};  // how long a claimed message is left alone
constexpr std::chrono::minutes kMaxBackoff{6 * 60};

// "dd.mm.yyyy" for Norwegian readers, ISO otherwise.
std::string shownDate(Timestamp t, const std::string& language) {
    const std::string iso = formatDate(t);
    if (language != "nb")
        return iso;
    return iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
}

// A role as it reads mid-sentence: "Ressurssykepleier" -> "ressurssykepleier".
std::string roleInSentence(const documents::Messages& m, const std::string& role) {
    std::string label = m.text("role." + role);
    if (!label.empty() && label[0] >= 'A' && label[0] <= 'Z')
        label[0] = static_cast<char>(label[0] - 'A' + 'a');
    return label;
}

// The HTML part: the text's paragraphs, escaped, with the link as a button.
std::string htmlBody(const std::string& text, const std::string& link, const std::string& button) {
    std::string html =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head>"
        "<body style=\"font-family:sans-serif;font-size:16px;line-height:1.5;max-width:40em\">";
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find("\n\n", start);
        if (end == std::string::npos)
            end = text.size();
        const std::string paragraph = text.substr(start, end - start);
        if (!link.empty() && paragraph.find(link) != std::string::npos) {
            const std::string before = text::trim(paragraph.substr(0, paragraph.find(link)));
            if (!before.empty())
                html += "<p>" + text::escapeXml(before) + "</p>";
            html += "<p><a href=\"" + text::escapeXml(link) +
                    "\" style=\"display:inline-block;padding:12px 20px;background:#1d5c96;"
                    "color:#fff;text-decoration:none;border-radius:6px\">" +
                    text::escapeXml(button) + "</a></p><p style=\"font-size:13px;color:#555\">" +
                    text::escapeXml(link) + "</p>";
        } else if (!paragraph.empty()) {
            std::string escaped = text::escapeXml(paragraph);
            for (auto pos = escaped.find('\n'); pos != std::string::npos;
                 pos = escaped.find('\n', pos))
                escaped.replace(pos, 1, "<br>");
            html += "<p>" + escaped + "</p>";
        }
        start = end + 2;
    }
    return html + "</body></html>";
}

bool addressed(const StepAction& action, const std::string& email) {
    return std::find(action.recipients.begin(), action.recipients.end(), email) !=
           action.recipients.end();
}

}  // namespace

std::string Core::portalUrl() const {
    std::string base = !settings.portalUrl.empty()  ? settings.portalUrl
                       : !listeningUrl.empty()      ? listeningUrl
                                                    : std::string(kDefaultPortalUrl);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

std::string Core::issueLink(const Case& c, const SignatureRequest& r) {
    const std::string token = text::base64(randomBytes(32), true);  // 256 bits
    const Timestamp now = clock.now();
    tokens.store(r.id, tokenHash(token), c.deadline.value_or(now + kDefaultLinkLife), now);
    return portalUrl() + "/s/" + token;
}

const std::optional<Person>& Core::networkLeaderOf(const std::string& network) {
    auto& known = currentCall().networkLeaders;
    const auto it = known.find(network);
    if (it != known.end())
        return it->second;
    return known.emplace(network, rosters.networkLeader(networkRecord(network))).first->second;
}

void Core::queueMail(const Case& c, const Letter& letter) {
    queueMail(c.network, c.id, c.reference, letter);
}

void Core::queueMail(const std::string& network, std::int64_t caseId,
                                    const std::string& idPrefix, const Letter& letter) {
    const auto& m = documents::Messages::forLanguage(settings.language);
    notify::Mail mail;
    mail.messageId = idPrefix + "." + letter.kind + "." + randomHex(12) + "@avtaleflyt";
    mail.fromAddress = settings.mailFrom;
    mail.fromName = network;
    mail.toAddress = letter.toEmail;
    mail.toName = letter.toName;
    mail.subject = m.text(letter.subjectKey, letter.args);
    mail.text = m.text(letter.bodyKey, letter.args) + "\n\n-- \n" + m.text("mail.footer", {network});
    mail.html = htmlBody(mail.text, letter.link, m.text("mail.sign.button"));
    mail.date = clock.now();
    mail.attachments = letter.attachments;
    if (const auto& leader = networkLeaderOf(network))
        mail.replyTo = leader->email;
    storage::OutboxMessage out;
    out.messageId = mail.messageId;
    out.caseId = caseId;
    out.kind = letter.kind;
    out.recipient = letter.toEmail;
    out.subject = mail.subject;
    out.mime = notify::toMime(mail);
    outboxMessages.enqueue(out, clock.now());
    if (auto* mailLog = currentCall().mailLog)
        mailLog->push_back("to " + letter.toEmail + ": " + mail.subject);
}

void Core::mailEscalationDigests() {
    const auto& m = documents::Messages::forLanguage(settings.language);
    // (network, recipient) -> the cases, in the order they were escalated, each once.
    std::map<std::pair<std::string, std::string>, std::vector<Case>> digests;
    for (const char* action : {"escalate_to_leader", "escalate_to_area_leader"}) {
        for (const auto& [reference, queued] : cases.queuedActions(action)) {
            cases.setActionStatus(queued.id, "mailed");
            const auto c = cases.find(reference);
            const bool waiting =
                c && std::any_of(c->signatures.begin(), c->signatures.end(),
                                 [](const auto& r) { return r.status == SignatureStatus::Open; });
            if (!waiting)
                continue;  // signed or closed since: nothing to tell
            for (const auto& to : queued.recipients) {
                auto& list = digests[{c->network, to}];
                if (std::none_of(list.begin(), list.end(),
                                 [&](const Case& d) { return d.id == c->id; }))
                    list.push_back(*c);
            }
        }
    }
    for (const auto& [key, list] : digests) {
        const auto& [network, to] = key;
        const auto person = rosters.person(to);
        const auto& leader = networkLeaderOf(network);
        std::string items;
        for (const Case& c : list) {
            std::vector<std::string> missing;
            for (const auto& r : c.signatures)
                if (r.status == SignatureStatus::Open)
                    missing.push_back(r.name + " (" + roleInSentence(m, r.role) + ")");
            items += m.text("mail.digest.item",
                            {c.reference, c.title, text::join(missing, ", "),
                             c.deadline ? shownDate(*c.deadline, settings.language)
                                        : m.text("mail.no-deadline")}) +
                     "\n";
        }
        const std::string name = person ? person->name : to;
        queueMail(network, 0, "digest", {"digest", to, name, "mail.digest.subject", "mail.digest.body",
                                         {name, std::to_string(list.size()), network, items,
                                          leader ? leader->name + " (" + leader->email + ")" : network},
                                         "", {}});
    }
}

void MailActionPort::perform(const Case& c, const StepAction& action) {
    auto& st = state_;
    const auto& m = documents::Messages::forLanguage(st.settings.language);
    const auto& leader = st.networkLeaderOf(c.network);
    const std::string contact =
        leader ? leader->name + " (" + leader->email + ")" : c.network;
    const std::string deadline =
        c.deadline ? shownDate(*c.deadline, st.settings.language) : m.text("mail.no-deadline");
    const auto args = [&](const SignatureRequest& r, const std::string& link) {
        return std::vector<std::string>{r.name,      c.network, c.title, c.reference,
                                        roleInSentence(m, r.role), link, deadline, contact};
    };
    bool mailed = true;
    switch (action.action) {
        case Action::NotifySigners:
        case Action::NotifyNextSigner:
        case Action::Remind: {
            const bool remind = action.action == Action::Remind;
            for (const auto& r : c.signatures) {
                if (r.status != SignatureStatus::Open || r.email.empty() ||
                    !addressed(action, r.email))
                    continue;
                const std::string link = st.issueLink(c, r);
                st.queueMail(c, {remind ? "remind" : "sign", r.email, r.name,
                                 remind ? "mail.remind.subject" : "mail.sign.subject",
                                 remind ? "mail.remind.body" : "mail.sign.body", args(r, link),
                                 link, {}});
            }
            break;
        }
        case Action::NotifyCompleted: {
            const auto pdf = st.cases.document(c, "final");
            std::vector<notify::Attachment> attachments;
            if (pdf)
                attachments.push_back({c.reference + ".pdf", "application/pdf", *pdf});
            for (const auto& r : c.signatures)
                if (r.status == SignatureStatus::Signed && !r.email.empty())
                    st.queueMail(c, {"completed", r.email, r.name, "mail.completed.subject",
                                     "mail.completed.body", args(r, ""), "", attachments});
            break;
        }
        case Action::NotifyDeclined: {
            const auto decliner = std::find_if(
                c.signatures.begin(), c.signatures.end(),
                [](const SignatureRequest& r) { return r.status == SignatureStatus::Declined; });
            if (leader && decliner != c.signatures.end())
                st.queueMail(c, {"declined", leader->email, leader->name, "mail.declined.subject",
                                 "mail.declined.body",
                                 {leader->name, c.network, c.title, c.reference, decliner->name,
                                  decliner->reason.empty() ? c.note : decliner->reason},
                                 "", {}});
            else
                mailed = false;
            break;
        }
        case Action::NotifyWithdrawn:
            for (const auto& r : c.signatures)
                if (!r.email.empty() && !!addressed(action, r.email))
                    st.queueMail(c, {"withdrawn", r.email, r.name, "mail.withdrawn.subject",
                                     "mail.withdrawn.body",
                                     {r.name, c.network, c.title, c.reference, c.note}, "", {}});
            break;
        default:
            mailed = false;
    }
    if (mailed)
        st.cases.queueAction(c, action, st.clock.now(), "mailed");
    else
        next_.perform(c, action);
}

notify::Transport& Core::transport() {
    if (transportOverride)
        return *transportOverride;
    const std::lock_guard<std::mutex> making(transportMaking);
    if (!ownTransport) {
        if (settings.mailTransport == "smtp")
            ownTransport = std::make_unique<notify::SmtpTransport>(settings.smtp);
        else
            ownTransport = std::make_unique<notify::MaildirTransport>(dataDir + "/mail", env);
    }
    return *ownTransport;
}

DispatchReport Outbox::deliver(const Actor& by, std::size_t limit) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        DispatchReport report;
        notify::Transport& transport = st.transport();
        // Claimed one at a time, just before it is sent: a dispatcher that dies holds back no
        // more than the message it was sending, until the lease runs out.
        for (std::size_t claimed = 0; claimed < limit; ++claimed) {
            const Timestamp now = st.clock.now();
            const auto next = st.outboxMessages.claimNext(now, now + kSendLease);
            if (!next)
                break;
            const storage::OutboxMessage& message = *next;
            const std::string what = message.recipient + ": " + message.subject;
            // Marked sent the moment the server has accepted it, before the transport says
            // goodbye: a crash after the server's answer and before this commit delivers the
            // message again under the same Message-ID (at least once: SMTP cannot do better),
            // so nothing else happens in between. The audit event goes in the same
            // transaction, so that no delivery is ever unrecorded.
            std::optional<std::string> accepted;
            const auto markSent = [&](const std::string& answer) {
                storage::Transaction tx(st.db);
                st.outboxMessages.markSent(message.id, answer, st.clock.now());
                st.record("mail.sent",
                          message.caseReference.empty() ? message.recipient : message.caseReference,
                          {{"message_id", message.messageId},
                           {"kind", message.kind},
                           {"to", message.recipient},
                           {"answer", answer}});
                tx.commit();
                accepted = answer;
            };
            try {
                const std::string answer =
                    transport.send(st.settings.mailFrom, message.recipient, message.messageId,
                                   message.mime, markSent);
                if (!accepted)  // a transport that returned without saying so: delivered
                    markSent(answer);
                report.sent.push_back(what + " (" + *accepted + ")");
            } catch (const notify::TransportError& e) {
                if (accepted) {  // failed after the server took it (a lost goodbye): sent
                    report.sent.push_back(what + " (" + *accepted + ")");
                    continue;
                }
                const auto backoff = std::min<std::chrono::minutes>(
                    kMaxBackoff, std::chrono::minutes(1LL << std::min(message.attempts, 16)));
                const Timestamp retry = st.clock.now() + backoff;
                storage::Transaction tx(st.db);
                st.outboxMessages.markFailed(message.id, e.what(), retry);
                tx.commit();
                report.failed.push_back(what + ": " + e.what() + "; next attempt at " +
                                        formatTimestamp(retry));
            }
        }
        return report;
    });
}

std::vector<OutboxEntry> Outbox::list(const std::string& status) const {
    return guarded([&] {
        std::vector<OutboxEntry> out;
        for (const auto& m : core_.outboxMessages.list(status))
            out.push_back({m.messageId, m.caseReference, m.kind, m.recipient, m.subject, m.status,
                           m.attempts, m.nextAttemptAt, m.lastError, m.serverAnswer, m.createdAt,
                           m.sentAt});
        return out;
    });
}

}  // namespace avtaleflyt::engine
