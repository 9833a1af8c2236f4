#include "Dashboard.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/URI.h>
#include <openssl/rand.h>

#include <algorithm>
#include <sstream>

#include "Html.h"
#include "avtaleflyt/documents/Chart.h"
#include "avtaleflyt/documents/Files.h"
#include "avtaleflyt/documents/Messages.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::portal {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using html::esc;

constexpr const char* kCookie = "avtaleflyt_session";
constexpr std::size_t kMaxForm = 16 * 1024;
// Who tries to sign in, in the audit log (the attempt's subject names the account).
const engine::Actor kSignInActor{"web"};
constexpr std::size_t kMaxUpload = engine::Cases::kMaxScanBytes;

const char* kAppStyle = R"(
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,sans-serif;font-size:16px;line-height:1.45;color:#1a1a1a;background:#f3f5f7}
header{background:#1d5c96;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header a,header button{color:#fff;background:none;border:0;font:inherit;text-decoration:underline;cursor:pointer;padding:0}
header .who{margin-left:auto}
header form{display:inline}
main{max-width:70rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
h1{font-size:1.4rem;margin:.25rem 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}
th,td{border-bottom:1px solid #d0d5da;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f4}
.scroll{overflow-x:auto}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input,select,textarea{font:inherit;padding:.4rem;max-width:100%}
textarea{width:100%;min-height:4rem}
button.primary{font:inherit;padding:.5rem 1.2rem;border:0;border-radius:6px;background:#1d5c96;color:#fff;cursor:pointer}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end}
.error{color:#a00000;font-weight:bold}
.notice{padding:.6rem .9rem;border-radius:6px;background:#e8f4ea;border:1px solid #5c9a66}
.warn{padding:.6rem .9rem;border-radius:6px;background:#fff4d6;border:1px solid #e0c060}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f9a825;outline-offset:2px}
svg{max-width:100%;height:auto}
)";

std::string randomHex(std::size_t n) {
    std::string bytes(n, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n));
    return text::hex(reinterpret_cast<const unsigned char*>(bytes.data()), n);
}

// An uploaded file, kept in memory up to a limit.
class Upload final : public Poco::Net::PartHandler {
  public:
    explicit Upload(std::size_t limit) : limit_(limit) {}
    void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
        std::string disposition;
        Poco::Net::NameValueCollection params;
        Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""),
                                                  disposition, params);
        fileName = params.get("filename", "");
        char buf[65536];
        while (stream.read(buf, sizeof buf) || stream.gcount() > 0) {
            bytes.append(buf, static_cast<std::size_t>(stream.gcount()));
            if (bytes.size() > limit_) {
                tooLarge = true;
                bytes.clear();
                return;
            }
        }
    }
    std::string fileName, bytes;
    bool tooLarge = false;

  private:
    std::size_t limit_;
};

// What a signed-in user may do.
struct Access {
    engine::WebUser user;
    std::string csrf;
    bool areaOnly() const { return user.role == "area_leader"; }
    bool mayAct() const { return user.role != "records_office"; }
    bool mayImport() const { return user.role == "network_leader"; }
    bool mayArchive() const { return user.role != "area_leader"; }
    bool sees(const Case& c) const {
        return c.network == user.network && (!areaOnly() || c.area == user.area);
    }
    std::string area(const std::string& asked) const { return areaOnly() ? user.area : asked; }
    // Everything the user does is the user's in the audit log.
    engine::Actor by() const { return {"web:" + user.username}; }
};

}  // namespace

struct Dashboard::Impl {
    engine::Installation& installation;
    DashboardSettings settings;
    const documents::Messages& m;
    html::Throttle signInFailures;

    Impl(engine::Installation& i, DashboardSettings s)
        : installation(i),
          settings(std::move(s)),
          m(documents::Messages::forLanguage(settings.language)),
          signInFailures(settings.maxFailedSignIns) {}

    std::string t(const std::string& key, const std::vector<std::string>& args = {}) const {
        return m.text(key, args);
    }

    void page(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const Access* who,
              const std::string& title, const std::string& body) const {
        std::string top = "<header><strong>avtaleflyt</strong>";
        if (who) {
            top += "<nav aria-label=\"" + esc(t("app.nav")) + "\"><a href=\"/app\">" +
                   esc(t("app.overview")) + "</a> · <a href=\"/app/cases\">" + esc(t("app.cases")) +
                   "</a>";
            if (!who->areaOnly())
                top += " · <a href=\"/app/agreements\">" + esc(t("app.agreements")) + "</a>";
            if (who->mayImport())
                top += " · <a href=\"/app/roster\">" + esc(t("app.roster")) + "</a>";
            if (who->mayArchive())
                top += " · <a href=\"/app/archive\">" + esc(t("app.archive")) + "</a>";
            top += "</nav><span class=\"who\">" + esc(who->user.name) +
                   (who->areaOnly() ? " (" + esc(who->user.area) + ")" : std::string()) +
                   "</span><form method=\"post\" action=\"/app/logout\">" + csrfField(*who) +
                   "<button type=\"submit\">" + esc(t("app.logout")) + "</button></form>";
        }
        top += "</header>";
        html::send(response, status, "text/html; charset=utf-8",
                   html::page(settings.language, title + " – avtaleflyt",
                              top + "<main>" + body + "</main>", "/app.css"));
    }

    static std::string csrfField(const Access& who) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(who.csrf) + "\">";
    }

    void redirect(HTTPServerResponse& response, const std::string& to) const {
        response.set("Location", to);
        html::send(response, HTTPResponse::HTTP_SEE_OTHER, "text/plain; charset=utf-8", "");
    }

    void notFound(HTTPServerResponse& response, const Access* who) const {
        page(response, HTTPResponse::HTTP_NOT_FOUND, who, t("app.not-found"),
             "<h1>" + esc(t("app.not-found")) + "</h1><p>" + esc(t("app.not-found.text")) + "</p>");
    }

    void forbidden(HTTPServerResponse& response, const Access* who) const {
        page(response, HTTPResponse::HTTP_FORBIDDEN, who, t("app.forbidden"),
             "<h1>" + esc(t("app.forbidden")) + "</h1><p>" + esc(t("app.forbidden.text")) + "</p>");
    }

    // --- sign-in ---------------------------------------------------------------------------

    void loginPage(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
                   const std::string& error) const {
        page(response, status, nullptr, t("app.login"),
             "<h1>" + esc(t("app.login")) + "</h1>" +
                 (error.empty() ? "" : "<p class=\"error\" role=\"alert\">" + esc(error) + "</p>") +
                 "<form method=\"post\" action=\"/app/login\"><label for=\"username\">" +
                 esc(t("app.username")) +
                 "</label><input id=\"username\" name=\"username\" autocomplete=\"username\" "
                 "required><label for=\"password\">" +
                 esc(t("app.password")) +
                 "</label><input id=\"password\" name=\"password\" type=\"password\" "
                 "autocomplete=\"current-password\" required><p><button class=\"primary\" "
                 "type=\"submit\">" +
                 esc(t("app.login.button")) + "</button></p></form>");
    }

    void login(HTTPServerRequest& request, HTTPServerResponse& response) {
        const std::string address = html::clientAddress(request, settings.trustedProxy);
        if (signInFailures.blocked(address))
            return loginPage(response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, t("app.login.locked"));
        const auto form = html::readForm(request, kMaxForm);
        if (!form)
            return loginPage(response, HTTPResponse::HTTP_BAD_REQUEST, t("app.login.failed"));
        const auto result =
            installation.users().signIn(kSignInActor, form->get("username", ""), form->get("password", ""));
        if (!result.ok)
            signInFailures.failed(address);
        if (!result.ok)
            return loginPage(response, HTTPResponse::HTTP_UNAUTHORIZED,
                             result.refusal.rfind("too many", 0) == 0 ? t("app.login.locked")
                                                                      : t("app.login.failed"));
        response.set("Set-Cookie",
                     std::string(kCookie) + "=" + result.token +
                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                         std::to_string(engine::Users::kSessionHours * 3600) +
                         (settings.secureCookies ? "; Secure" : ""));
        redirect(response, "/app");
    }

    // --- overview --------------------------------------------------------------------------

    void overview(HTTPServerResponse& response, const Access& who) {
        const auto report = installation.reports().missingSignatures(who.user.network, who.area(""));
        std::string rows;
        for (const auto& a : report.areas) {
            rows += "<tr><td>" + esc(a.area) + "</td><td>" + std::to_string(a.activeNurses) +
                    "</td><td>" + std::to_string(a.signedCount) + "</td><td>" +
                    std::to_string(a.outstanding) + "</td><td>" + std::to_string(a.overdue) +
                    "</td><td>" + std::to_string(a.notSent) + "</td></tr>";
        }
        std::string body = "<h1>" + esc(t("app.overview")) + " – " + esc(report.network) +
                           (who.areaOnly() ? ", " + esc(who.user.area) : std::string()) + "</h1>" +
                           documents::chartSvg(html::areaChart(report, m)) +
                           "<div class=\"scroll\"><table><thead><tr>";
        std::istringstream columns(t("report.areas.columns"));
        for (std::string c; std::getline(columns, c, ';');) body += "<th scope=\"col\">" + esc(c) + "</th>";
        body += "</tr></thead><tbody>" + rows + "</tbody></table></div>";
        if (who.mayAct())
            body += "<form method=\"post\" action=\"/app/send\">" + csrfField(who) +
                    "<p><button class=\"primary\" type=\"submit\">" +
                    esc(t("app.send", {who.areaOnly() ? who.user.area : report.network})) +
                    "</button></p></form>";

        auto oldest = report.open;
        std::stable_sort(oldest.begin(), oldest.end(), [](const auto& a, const auto& b) {
            return a.daysOutstanding > b.daysOutstanding;
        });
        oldest.resize(std::min<std::size_t>(oldest.size(), 10));
        body += "<h2>" + esc(t("app.oldest")) + "</h2><div class=\"scroll\"><table><thead><tr><th>" +
                esc(t("app.case")) + "</th><th>" + esc(t("app.signer")) + "</th><th>" +
                esc(t("app.area")) + "</th><th>" + esc(t("app.days")) + "</th></tr></thead><tbody>";
        for (const auto& o : oldest)
            body += "<tr><td><a href=\"/app/cases/" + esc(o.reference) + "\">" + esc(o.reference) +
                    "</a></td><td>" + esc(o.signerName) + " (" + esc(t("role." + o.signerRole)) +
                    ")</td><td>" + esc(o.area) + "</td><td>" + std::to_string(o.daysOutstanding) +
                    "</td></tr>";
        body += "</tbody></table></div><h2>" + esc(t("app.next")) +
                "</h2><div class=\"scroll\"><table><thead><tr><th>" + esc(t("app.when")) +
                "</th><th>" + esc(t("app.case")) + "</th><th>" + esc(t("app.what")) +
                "</th></tr></thead><tbody>";
        for (const auto& next : installation.reminders().upcoming(who.user.network, who.area(""), 10))
            body += "<tr><td>" + esc(html::date(next.due, settings.language)) + "</td><td><a "
                    "href=\"/app/cases/" + esc(next.reference) + "\">" + esc(next.reference) +
                    "</a></td><td>" + esc(t("app.timer." + next.timer)) + "</td></tr>";
        body += "</tbody></table></div>";
        page(response, HTTPResponse::HTTP_OK, &who, t("app.overview"), body);
    }

    void send(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who) {
        const auto form = html::readForm(request, kMaxForm);
        if (!form || form->get("csrf", "") != who.csrf || !who.mayAct())
            return forbidden(response, &who);
        const auto report = installation.cases().sendFunctionDescriptions(who.by(), who.user.network, who.area(""), false);
        std::string body = "<h1>" + esc(t("app.overview")) + "</h1><p class=\"notice\" role=\"status\">" +
                           esc(t("app.sent", {std::to_string(report.sent.size()),
                                              std::to_string(report.covered)})) +
                           "</p><ul>";
        for (const auto& c : report.sent)
            body += "<li><a href=\"/app/cases/" + esc(c.reference) + "\">" + esc(c.reference) +
                    "</a> " + esc(c.title) + "</li>";
        body += "</ul><p><a href=\"/app\">" + esc(t("app.overview")) + "</a></p>";
        page(response, HTTPResponse::HTTP_OK, &who, t("app.overview"), body);
    }

    // --- cases -----------------------------------------------------------------------------

    void caseList(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who) {
        const Poco::URI uri(request.getURI());
        std::map<std::string, std::string> q;
        for (const auto& [k, v] : uri.getQueryParameters()) q[k] = v;
        engine::CaseQuery query{who.user.network, q["workflow"], q["state"], who.area(q["area"])};
        std::vector<Case> cases;
        std::string error;
        try {
            cases = installation.cases().list(query);
        } catch (const engine::EngineError& e) {
            error = e.what();
        }
        std::string body = "<h1>" + esc(t("app.cases")) + "</h1><form method=\"get\" "
                           "class=\"filters\"><div><label for=\"state\">" + esc(t("app.state")) +
                           "</label><select id=\"state\" name=\"state\"><option value=\"\">" +
                           esc(t("app.any")) + "</option>";
        for (const char* s : {"draft", "sent", "partially_signed", "signed", "archived", "declined",
                              "withdrawn", "expired", "in_review", "approved"})
            body += "<option" + std::string(q["state"] == s ? " selected" : "") + ">" + s + "</option>";
        body += "</select></div><div><label for=\"workflow\">" + esc(t("app.workflow")) +
                "</label><select id=\"workflow\" name=\"workflow\"><option value=\"\">" +
                esc(t("app.any")) + "</option>";
        for (const char* w : {"function-description", "collaboration-agreement"})
            body += "<option" + std::string(q["workflow"] == w ? " selected" : "") + ">" + w + "</option>";
        body += "</select></div>";
        if (!who.areaOnly())
            body += "<div><label for=\"area\">" + esc(t("app.area")) +
                    "</label><input id=\"area\" name=\"area\" value=\"" + esc(q["area"]) + "\"></div>";
        for (const char* f : {"unit", "leader"})
            body += std::string("<div><label for=\"") + f + "\">" + esc(t(std::string("app.") + f)) +
                    "</label><input id=\"" + f + "\" name=\"" + f + "\" value=\"" + esc(q[f]) +
                    "\"></div>";
        body += "<div><button class=\"primary\" type=\"submit\">" + esc(t("app.filter")) +
                "</button></div></form>";
        if (!error.empty())
            body += "<p class=\"error\" role=\"alert\">" + esc(error) + "</p>";
        // The nurse's unit and nearest leader, from the roster, for the columns and filters.
        const Roster roster = installation.rosters().roster(installation.rosters().network(who.user.network));
        const auto unitAndLeader = [&](const Case& c) -> std::pair<std::string, std::string> {
            const auto n = roster.nurses.find(c.subjectEmail);
            if (n == roster.nurses.end())
                return {"", ""};
            const Person* leader = roster.person(n->second.leaderEmail);
            return {n->second.unit.name, leader ? leader->name : ""};
        };
        const auto matches = [](const std::string& value, const std::string& wanted) {
            return wanted.empty() ||
                   text::foldCase(value).find(text::foldCase(text::trim(wanted))) != std::string::npos;
        };
        cases.erase(std::remove_if(cases.begin(), cases.end(),
                                   [&](const Case& c) {
                                       const auto [unit, leader] = unitAndLeader(c);
                                       return !who.sees(c) || !matches(unit, q["unit"]) ||
                                              !matches(leader, q["leader"]);
                                   }),
                    cases.end());
        body += "<p>" + esc(t("app.count", {std::to_string(cases.size())})) +
                "</p><div class=\"scroll\"><table><thead><tr><th>" + esc(t("app.case")) +
                "</th><th>" + esc(t("app.title")) + "</th><th>" + esc(t("app.area")) + "</th><th>" +
                esc(t("app.state")) + "</th><th>" + esc(t("app.deadline")) + "</th></tr></thead><tbody>";
        for (const auto& c : cases) {
            if (!who.sees(c))
                continue;
            body += "<tr><td><a href=\"/app/cases/" + esc(c.reference) + "\">" + esc(c.reference) +
                    "</a></td><td>" + esc(c.title) + "</td><td>" + esc(c.area) + "</td><td>" +
                    esc(c.state) + "</td><td>" +
                    esc(c.deadline ? html::date(formatDate(*c.deadline), settings.language) : "") +
                    "</td></tr>";
        }
        body += "</tbody></table></div>";
        page(response, HTTPResponse::HTTP_OK, &who, t("app.cases"), body);
    }

    // The case, if it exists and the user may see it.
    std::optional<engine::CaseDetails> visibleCase(const std::string& reference, const Access& who) {
        try {
            auto details = installation.cases().details(reference);
            if (who.sees(details.c))
                return details;
        } catch (const engine::EngineError&) {
        }
        return std::nullopt;
    }

    void casePage(HTTPServerResponse& response, const Access& who, const std::string& reference,
                  const std::string& notice, const std::string& error,
                  HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK) {
        const auto details = visibleCase(reference, who);
        if (!details)
            return notFound(response, &who);
        const Case& c = details->c;
        std::string body = "<p><a href=\"/app/cases\">" + esc(t("app.cases")) + "</a></p><h1>" +
                           esc(c.reference) + ": " + esc(c.title) + "</h1>";
        if (!notice.empty())
            body += "<p class=\"notice\" role=\"status\">" + esc(notice) + "</p>";
        if (!error.empty())
            body += "<p class=\"error\" role=\"alert\">" + esc(error) + "</p>";
        body += "<p>" + esc(t("app.state")) + ": <strong>" + esc(c.state) + "</strong>";
        if (c.deadline)
            body += " · " + esc(t("app.deadline")) + ": " +
                    esc(html::date(formatDate(*c.deadline), settings.language));
        body += " · <a href=\"/app/cases/" + esc(c.reference) + "/dokument.pdf\">" +
                esc(t("app.pdf")) + "</a></p><h2>" + esc(t("app.signers")) +
                "</h2><div class=\"scroll\"><table><thead><tr><th>" + esc(t("app.signer")) +
                "</th><th>" + esc(t("app.role")) + "</th><th>" + esc(t("app.state")) + "</th><th>" +
                esc(t("app.when")) + "</th></tr></thead><tbody>";
        for (const auto& r : c.signatures)
            body += "<tr><td>" + esc(r.name) + (r.organisation.empty() ? "" : ", " + esc(r.organisation)) +
                    "</td><td>" + esc(t("role." + r.role)) + "</td><td>" +
                    esc(std::string(toString(r.status))) + "</td><td>" + esc(r.signedAt) +
                    "</td></tr>";
        body += "</tbody></table></div>";
        if (who.mayAct()) {
            const std::string action = "/app/cases/" + esc(c.reference);
            body += "<h2>" + esc(t("app.actions")) + "</h2>";
            if (c.state == "expired")
                body += "<form method=\"post\" action=\"" + action + "/resend\">" + csrfField(who) +
                        "<button class=\"primary\" type=\"submit\">" + esc(t("app.resend")) +
                        "</button></form>";
            if (c.state == "sent" || c.state == "partially_signed") {
                body += "<form method=\"post\" action=\"" + action +
                        "/paper\" enctype=\"multipart/form-data\">" + csrfField(who) +
                        "<label for=\"signer\">" + esc(t("app.paper.signer")) +
                        "</label><select id=\"signer\" name=\"signer\">";
                for (const auto& r : c.signatures)
                    if (r.status == SignatureStatus::Open)
                        body += "<option value=\"" + esc(r.role) + "\">" + esc(r.name) + " (" +
                                esc(t("role." + r.role)) + ")</option>";
                body += "</select><label for=\"date\">" + esc(t("app.paper.date")) +
                        "</label><input id=\"date\" name=\"date\" type=\"date\"><label for=\"scan\">" +
                        esc(t("app.paper.scan")) +
                        "</label><input id=\"scan\" name=\"scan\" type=\"file\" accept=\"application/pdf\" "
                        "required><p><button class=\"primary\" type=\"submit\">" +
                        esc(t("app.paper.register")) + "</button></p></form>";
            }
            const auto button = [&](const std::string& trigger, const std::string& label) {
                body += "<form method=\"post\" action=\"" + action + "/" + trigger + "\">" +
                        csrfField(who) + "<p><button class=\"primary\" type=\"submit\">" +
                        esc(label) + "</button></p></form>";
            };
            if (c.state == "sent" || c.state == "partially_signed")
                button("remind", t("app.remind"));
            if (c.state == "draft" && c.workflow == "collaboration-agreement")
                button("review", t("app.agreement.review"));
            if (c.state == "in_review")
                body += "<form method=\"post\" action=\"" + action + "/approve\">" +
                        csrfField(who) + "<label for=\"body\">" + esc(t("app.agreement.body")) +
                        "</label><input id=\"body\" name=\"body\" required><label for=\"date\">" +
                        esc(t("app.agreement.date")) +
                        "</label><input id=\"date\" name=\"date\" type=\"date\" required><p><button "
                        "class=\"primary\" type=\"submit\">" + esc(t("app.agreement.approve")) +
                        "</button></p></form>";
            if (c.state == "approved")
                button("send", t("app.agreement.send"));
            if (c.state != "withdrawn" && c.state != "archived" && c.state != "signed")
                body += "<form method=\"post\" action=\"" + action + "/withdraw\">" +
                        csrfField(who) + "<label for=\"reason\">" + esc(t("app.withdraw.reason")) +
                        "</label><textarea id=\"reason\" name=\"reason\" required></textarea><p>"
                        "<button class=\"primary\" type=\"submit\">" + esc(t("app.withdraw")) +
                        "</button></p></form>";
        }
        if (c.state == "archived" && who.mayArchive())
            body += "<h2>" + esc(t("app.records.title")) + "</h2><p>" +
                    esc(c.recordsReference.empty() ? t("app.records.none") : c.recordsReference) +
                    "</p><form method=\"post\" action=\"/app/cases/" + esc(c.reference) +
                    "/records-ref\">" + csrfField(who) + "<label for=\"ref\">" +
                    esc(t("app.records.label")) + "</label><input id=\"ref\" name=\"ref\" required>"
                    "<p><button class=\"primary\" type=\"submit\">" + esc(t("app.records.save")) +
                    "</button></p></form>";
        body += "<h2>" + esc(t("app.timeline")) + "</h2><div class=\"scroll\"><table><thead><tr><th>" +
                esc(t("app.when")) + "</th><th>" + esc(t("app.who")) + "</th><th>" +
                esc(t("app.what")) + "</th></tr></thead><tbody>";
        for (const auto& e : details->timeline)
            body += "<tr><td>" + esc(e.occurredAt) + "</td><td>" + esc(e.actor) + "</td><td>" +
                    esc(m.has("event." + e.kind) ? t("event." + e.kind) : e.kind) + "</td></tr>";
        body += "</tbody></table></div>";
        page(response, status, &who, c.reference, body);
    }

    void caseAction(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who,
                    const std::string& reference, const std::string& action) {
        if (!visibleCase(reference, who))
            return notFound(response, &who);
        if (action == "records-ref" ? !who.mayArchive() : !who.mayAct())
            return forbidden(response, &who);
        if (action == "paper")
            return paperSignature(request, response, who, reference);
        const auto form = html::readForm(request, kMaxForm);
        if (!form || form->get("csrf", "") != who.csrf)
            return forbidden(response, &who);
        if (action == "remind") {
            const auto n = installation.cases().remindNow(who.by(), reference);
            return casePage(response, who, reference, t("app.reminded", {std::to_string(n)}), "");
        }
        if (action == "records-ref") {
            try {
                installation.records().setRecordsReference(who.by(), reference, text::trim(form->get("ref", "")));
            } catch (const engine::EngineError& e) {
                return casePage(response, who, reference, "", e.what(), HTTPResponse::HTTP_BAD_REQUEST);
            }
            return casePage(response, who, reference, t("app.records.saved"), "");
        }
        Trigger trigger;
        trigger.name = action;
        trigger.reason = text::trim(form->get("reason", ""));
        trigger.approvalBody = text::trim(form->get("body", ""));
        trigger.approvalDate = form->get("date", "");
        const auto out = installation.cases().fire(who.by(), reference, trigger);
        if (!out.done)
            return casePage(response, who, reference, "", out.refusal, HTTPResponse::HTTP_CONFLICT);
        casePage(response, who, reference, t("app.done", {out.to}), "");
    }

    void paperSignature(HTTPServerRequest& request, HTTPServerResponse& response,
                        const Access& who, const std::string& reference) {
        if (request.getContentLength() > static_cast<std::streamsize>(kMaxUpload + kMaxForm))
            return casePage(response, who, reference, "", t("app.upload.too-large"),
                            HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE);
        Upload scan(kMaxUpload);
        Poco::Net::HTMLForm form;
        try {
            form.load(request, request.stream(), scan);
        } catch (const Poco::Exception&) {
            return casePage(response, who, reference, "", t("app.upload.bad"),
                            HTTPResponse::HTTP_BAD_REQUEST);
        }
        if (form.get("csrf", "") != who.csrf)
            return forbidden(response, &who);
        if (scan.tooLarge)
            return casePage(response, who, reference, "", t("app.upload.too-large"),
                            HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE);
        // Never a path from the upload: a fresh name in the data folder, removed after use.
        const std::string dir = installation.dataDir() + "/uploads";
        Poco::File(dir).createDirectories();
        const std::string path = dir + "/" + randomHex(16) + ".pdf";
        documents::writeFileAtomically(path, scan.bytes, 0600);
        std::string error;
        engine::StepOutcome out;
        try {
            out = installation.cases().registerPaperSignature(who.by(), reference, form.get("signer", ""), path,
                                                      form.get("date", ""));
            if (!out.done)
                error = out.refusal;
        } catch (const engine::EngineError& e) {
            error = e.what();
        }
        std::remove(path.c_str());
        if (!error.empty()) {
            // The engine names the file it was given; the user knows it by its own name.
            for (auto at = error.find(path); at != std::string::npos; at = error.find(path))
                error.replace(at, path.size(), scan.fileName.empty() ? "scan" : scan.fileName);
            return casePage(response, who, reference, "", error, HTTPResponse::HTTP_BAD_REQUEST);
        }
        casePage(response, who, reference, t("app.done", {out.to}), "");
    }

    void caseDocument(HTTPServerResponse& response, const Access& who, const std::string& reference) {
        const auto details = visibleCase(reference, who);
        if (!details)
            return notFound(response, &who);
        std::string pdf;
        try {
            const auto final = installation.cases().finalDocument(reference);
            pdf = final ? *final : installation.cases().renderCase(reference, false, false);
        } catch (const engine::EngineError& e) {
            return casePage(response, who, reference, "", e.what(), HTTPResponse::HTTP_CONFLICT);
        }
        response.set("Content-Disposition", "inline; filename=\"" + reference + ".pdf\"");
        html::send(response, HTTPResponse::HTTP_OK, "application/pdf", pdf);
    }

    // --- agreements ------------------------------------------------------------------------

    void agreements(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who,
                    bool post) {
        std::string extra;
        auto status = HTTPResponse::HTTP_OK;
        if (post) {
            const auto form = html::readForm(request, kMaxForm);
            if (!form || form->get("csrf", "") != who.csrf || !who.mayImport())
                return forbidden(response, &who);
            std::vector<engine::Party> parties;
            std::istringstream lines(form->get("parties", ""));
            std::string error;
            for (std::string line; std::getline(lines, line);) {
                if (text::trim(line).empty())
                    continue;
                if (const auto party = engine::parseParty(line))
                    parties.push_back(*party);
                else
                    error = t("app.agreement.party-bad", {text::trim(line)});
            }
            if (error.empty()) {
                try {
                    const Case c = installation.cases().newAgreement(who.by(), who.user.network,
                                                             text::trim(form->get("title", "")),
                                                             parties, text::trim(form->get("revises", "")));
                    return redirect(response, "/app/cases/" + c.reference);
                } catch (const engine::EngineError& e) {
                    error = e.what();
                }
            }
            extra = "<p class=\"error\" role=\"alert\">" + esc(error) + "</p>";
            status = HTTPResponse::HTTP_BAD_REQUEST;
        }
        std::string body = "<h1>" + esc(t("app.agreements")) + "</h1>" + extra +
                           "<div class=\"scroll\"><table><thead><tr><th>" + esc(t("app.case")) +
                           "</th><th>" + esc(t("app.title")) + "</th><th>" + esc(t("app.state")) +
                           "</th></tr></thead><tbody>";
        for (const auto& c : installation.cases().list({who.user.network, "collaboration-agreement", "", ""}))
            body += "<tr><td><a href=\"/app/cases/" + esc(c.reference) + "\">" + esc(c.reference) +
                    "</a></td><td>" + esc(c.title) + "</td><td>" + esc(c.state) + "</td></tr>";
        body += "</tbody></table></div>";
        if (who.mayImport())
            body += "<h2>" + esc(t("app.agreement.new")) + "</h2><form method=\"post\" "
                    "action=\"/app/agreements\">" + csrfField(who) + "<label for=\"title\">" +
                    esc(t("app.title")) + "</label><input id=\"title\" name=\"title\" required "
                    "size=\"50\"><label for=\"parties\">" + esc(t("app.agreement.parties")) +
                    "</label><textarea id=\"parties\" name=\"parties\" required></textarea>"
                    "<label for=\"revises\">" + esc(t("app.agreement.revises")) +
                    "</label><input id=\"revises\" name=\"revises\"><p><button class=\"primary\" "
                    "type=\"submit\">" + esc(t("app.agreement.create")) + "</button></p></form>";
        page(response, status, &who, t("app.agreements"), body);
    }

    // --- roster ----------------------------------------------------------------------------

    std::string uploadPath(const std::string& id, const std::string& extension) const {
        return installation.dataDir() + "/uploads/roster-" + id + extension;
    }

    void rosterPage(HTTPServerResponse& response, const Access& who, const std::string& extra,
                    HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK) {
        page(response, status, &who, t("app.roster"),
             "<h1>" + esc(t("app.roster")) + "</h1>" + extra + "<h2>" + esc(t("app.roster.upload")) +
                 "</h2><form method=\"post\" action=\"/app/roster\" "
                 "enctype=\"multipart/form-data\">" + csrfField(who) + "<label for=\"file\">" +
                 esc(t("app.roster.file")) +
                 "</label><input id=\"file\" name=\"file\" type=\"file\" accept=\".csv,.xlsx\" "
                 "required><p><button class=\"primary\" type=\"submit\">" +
                 esc(t("app.roster.check")) + "</button></p></form>");
    }

    // A roster change in the installation's language (the diff's own summary is English).
    std::string changeText(const RosterChange& c) const {
        const std::string key = "app." + c.kind;
        if (!m.has(key))
            return c.summary;
        std::map<std::string, std::string> d(c.details.begin(), c.details.end());
        const auto status = [&](const std::string& s) {
            return m.has("app.status." + s) ? t("app.status." + s) : s;
        };
        const auto place = [&](const std::string& unit, const std::string& area) {
            return unit.empty() ? area : unit + " (" + area + ")";
        };
        if (c.kind == "roster.nurse.added")
            return t(key, {d["name"], c.subject, place(d["unit"], d["area"]), d["leader"]});
        if (c.kind == "roster.nurse.moved")
            return t(key, {c.subject, place(d["from_unit"], d["from_area"]),
                           place(d["to_unit"], d["to_area"])});
        if (c.kind == "roster.nurse.status_changed" || c.kind == "roster.nurse.left")
            return t(key, {c.subject, status(d["before"]), status(d["after"])});
        if (c.kind == "roster.person.added")
            return t(key, {d.count("name") ? d["name"] : c.summary, c.subject});
        const auto orNone = [&](const std::string& v) { return v.empty() ? t("app.none") : v; };
        return t(key, {c.subject, orNone(d["before"]), orNone(d["after"])});
    }

    std::string diffHtml(const engine::RosterImport& result) const {
        std::string out;
        if (!result.problems.empty()) {
            out += "<div class=\"warn\" role=\"alert\"><p class=\"error\">" +
                   esc(t("app.roster.problems", {std::to_string(result.problems.size())})) +
                   "</p><ul>";
            for (const auto& p : result.problems)
                out += "<li>" + esc(t("app.roster.line", {std::to_string(p.line), p.field, p.cause})) +
                       "</li>";
            return out + "</ul></div>";
        }
        out += "<p>" + esc(t("app.roster.diff", {std::to_string(result.diff.count(RosterChange::Group::Added)),
                                                 std::to_string(result.diff.count(RosterChange::Group::Changed)),
                                                 std::to_string(result.diff.count(RosterChange::Group::Left))})) +
               "</p><ul>";
        for (const auto& c : result.diff.changes) out += "<li>" + esc(changeText(c)) + "</li>";
        out += "</ul>";
        if (!result.caseEffects.empty()) {
            out += "<h3>" + esc(t("app.roster.effects")) + "</h3><ul>";
            for (const auto& e : result.caseEffects) out += "<li>" + esc(e) + "</li>";
            out += "</ul>";
        }
        return out;
    }

    void rosterUpload(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who) {
        if (request.getContentLength() > static_cast<std::streamsize>(kMaxUpload + kMaxForm))
            return rosterPage(response, who,
                              "<p class=\"error\" role=\"alert\">" + esc(t("app.upload.too-large")) + "</p>",
                              HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE);
        Upload file(kMaxUpload);
        Poco::Net::HTMLForm form;
        try {
            form.load(request, request.stream(), file);
        } catch (const Poco::Exception&) {
            return rosterPage(response, who, "<p class=\"error\">" + esc(t("app.upload.bad")) + "</p>",
                              HTTPResponse::HTTP_BAD_REQUEST);
        }
        if (form.get("csrf", "") != who.csrf)
            return forbidden(response, &who);
        std::string name = file.fileName;
        const auto dot = name.rfind('.');
        const std::string extension = dot == std::string::npos ? "" : text::foldCase(name.substr(dot));
        if (file.tooLarge || (extension != ".csv" && extension != ".xlsx"))
            return rosterPage(response, who,
                              "<p class=\"error\" role=\"alert\">" +
                                  esc(file.tooLarge ? t("app.upload.too-large") : t("app.roster.type")) +
                                  "</p>",
                              HTTPResponse::HTTP_BAD_REQUEST);
        const std::string id = randomHex(16);
        Poco::File(installation.dataDir() + "/uploads").createDirectories();
        documents::writeFileAtomically(uploadPath(id, extension), file.bytes, 0600);
        engine::RosterImport result;
        try {
            result = installation.rosters().importRoster(who.by(), uploadPath(id, extension), who.user.network, true);
        } catch (const engine::EngineError& e) {
            std::remove(uploadPath(id, extension).c_str());
            return rosterPage(response, who, "<p class=\"error\" role=\"alert\">" + esc(e.what()) + "</p>",
                              HTTPResponse::HTTP_BAD_REQUEST);
        }
        // Problems name the file as the user knows it.
        for (auto& p : result.problems) p.source = name;
        std::string extra = "<h2>" + esc(name) + "</h2>" + diffHtml(result);
        if (!result.problems.empty()) {
            std::remove(uploadPath(id, extension).c_str());
            return rosterPage(response, who, extra, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY);
        }
        extra += "<form method=\"post\" action=\"/app/roster/apply\">" + csrfField(who) +
                 "<input type=\"hidden\" name=\"upload\" value=\"" + id + extension +
                 "\"><button class=\"primary\" type=\"submit\">" + esc(t("app.roster.apply")) +
                 "</button></form>";
        rosterPage(response, who, extra);
    }

    void rosterApply(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who) {
        const auto form = html::readForm(request, kMaxForm);
        if (!form || form->get("csrf", "") != who.csrf)
            return forbidden(response, &who);
        // The upload's name is ours: 32 hex digits and .csv or .xlsx, nothing else.
        const std::string upload = form->get("upload", "");
        const auto dot = upload.find('.');
        const std::string id = upload.substr(0, dot), extension = dot == std::string::npos ? "" : upload.substr(dot);
        if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos ||
            (extension != ".csv" && extension != ".xlsx") ||
            !Poco::File(uploadPath(id, extension)).exists())
            return rosterPage(response, who, "<p class=\"error\" role=\"alert\">" + esc(t("app.roster.gone")) + "</p>",
                              HTTPResponse::HTTP_GONE);
        engine::RosterImport result;
        try {
            result = installation.rosters().importRoster(who.by(), uploadPath(id, extension), who.user.network, false);
        } catch (const engine::EngineError& e) {
            std::remove(uploadPath(id, extension).c_str());
            return rosterPage(response, who, "<p class=\"error\">" + esc(e.what()) + "</p>",
                              HTTPResponse::HTTP_BAD_REQUEST);
        }
        std::remove(uploadPath(id, extension).c_str());
        rosterPage(response, who,
                   "<p class=\"notice\" role=\"status\">" +
                       esc(result.applied ? t("app.roster.applied") : t("app.roster.not-applied")) +
                       "</p>" + diffHtml(result));
    }

    // --- archive ---------------------------------------------------------------------------

    void archivePage(HTTPServerResponse& response, const Access& who, const std::string& extra,
                     HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK) {
        std::string body = "<h1>" + esc(t("app.archive")) + "</h1>" + extra;
        const auto ready = installation.cases().list({who.user.network, "", "signed", ""});
        const auto archived = installation.cases().list({who.user.network, "", "archived", ""});
        body += "<p>" + esc(t("app.archive.counts", {std::to_string(ready.size()), std::to_string(archived.size())})) +
                "</p><form method=\"post\" action=\"/app/archive/package\">" + csrfField(who) +
                "<button class=\"primary\" type=\"submit\">" + esc(t("app.archive.make")) +
                "</button></form><form method=\"post\" action=\"/app/archive/audit\">" + csrfField(who) +
                "<p><button class=\"primary\" type=\"submit\">" + esc(t("app.archive.audit")) +
                "</button></p></form><h2>" + esc(t("app.archive.packages")) + "</h2><ul>";
        for (const auto& name : packages())
            body += "<li><a href=\"/app/archive/download?package=" + esc(name) + "\">" + esc(name) +
                    ".zip</a></li>";
        body += "</ul>";
        page(response, status, &who, t("app.archive"), body);
    }

    std::string archiveDir() const { return installation.dataDir() + "/archive"; }

    // The packages in the data folder's archive, newest first.
    std::vector<std::string> packages() const {
        std::vector<std::string> names;
        if (!Poco::File(archiveDir()).exists())
            return names;
        for (Poco::DirectoryIterator it(archiveDir()), end; it != end; ++it)
            if (it->isDirectory() && it.name().rfind("avtaleflyt-", 0) == 0)
                names.push_back(it.name());
        std::sort(names.rbegin(), names.rend());
        return names;
    }

    // A package as a zip file; only names the archive folder holds, never a path from the URL.
    void download(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who) {
        std::string wanted;
        for (const auto& [k, v] : Poco::URI(request.getURI()).getQueryParameters())
            if (k == "package")
                wanted = v;
        const auto all = packages();
        if (std::find(all.begin(), all.end(), wanted) == all.end())
            return notFound(response, &who);
        std::ostringstream zip;
        Poco::Zip::Compress compress(zip, true);
        Poco::Path folder(archiveDir() + "/" + wanted);
        folder.makeDirectory();
        compress.addRecursive(folder, Poco::Zip::ZipCommon::CL_NORMAL, false, Poco::Path(wanted));
        compress.close();
        response.set("Content-Disposition", "attachment; filename=\"" + wanted + ".zip\"");
        html::send(response, HTTPResponse::HTTP_OK, "application/zip", zip.str());
    }

    void archiveAction(HTTPServerRequest& request, HTTPServerResponse& response, const Access& who,
                       const std::string& action) {
        const auto form = html::readForm(request, kMaxForm);
        if (!form || form->get("csrf", "") != who.csrf)
            return forbidden(response, &who);
        if (action == "package") {
            try {
                const auto report = installation.records().archive(who.by(), who.user.network, "", "", false);
                return archivePage(response, who,
                                   "<p class=\"notice\" role=\"status\">" +
                                       esc(t("app.archive.made", {std::to_string(report.references.size()),
                                                                 report.packageDir})) + "</p>");
            } catch (const engine::EngineError& e) {
                return archivePage(response, who, "<p class=\"error\" role=\"alert\">" + esc(e.what()) + "</p>",
                                   HTTPResponse::HTTP_CONFLICT);
            }
        }
        const auto findings = installation.records().auditArchivedCases();
        std::string extra = findings.empty()
                                ? "<p class=\"notice\" role=\"status\">" + esc(t("app.archive.clean")) + "</p>"
                                : "<div class=\"warn\" role=\"alert\"><ul>";
        for (const auto& f : findings) extra += "<li>" + esc(f) + "</li>";
        if (!findings.empty())
            extra += "</ul></div>";
        archivePage(response, who, extra);
    }

    // --- API -------------------------------------------------------------------------------

    void api(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& path) {
        const std::string auth = request.get("Authorization", "");
        const auto user = auth.rfind("Bearer ", 0) == 0 ? installation.users().apiUser(auth.substr(7))
                                                         : std::nullopt;
        const auto json = [&](HTTPResponse::HTTPStatus status, const Poco::Dynamic::Var& value) {
            std::ostringstream out;
            Poco::JSON::Stringifier::stringify(value, out);
            html::send(response, status, "application/json; charset=utf-8", out.str());
        };
        Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
        if (!user) {
            error->set("error", "a valid API token is needed: Authorization: Bearer TOKEN");
            response.set("WWW-Authenticate", "Bearer");
            return json(HTTPResponse::HTTP_UNAUTHORIZED, error);
        }
        const Access who{*user, ""};
        if (path == "/api/status" || path == "/api/missing") {
            const auto report = installation.reports().missingSignatures(user->network, who.area(""));
            Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
            out->set("network", report.network);
            out->set("asOf", report.asOf);
            Poco::JSON::Array::Ptr areas = new Poco::JSON::Array;
            for (const auto& a : report.areas) {
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
                o->set("area", a.area);
                o->set("activeNurses", a.activeNurses);
                o->set("signed", a.signedCount);
                o->set("outstanding", a.outstanding);
                o->set("overdue", a.overdue);
                o->set("notOutForSigning", a.notSent);
                areas->add(o);
            }
            out->set("areas", areas);
            if (path == "/api/missing") {
                Poco::JSON::Array::Ptr open = new Poco::JSON::Array;
                for (const auto& o : report.open) {
                    Poco::JSON::Object::Ptr r = new Poco::JSON::Object;
                    r->set("reference", o.reference);
                    r->set("area", o.area);
                    r->set("unit", o.unit);
                    r->set("leader", o.leaderName);
                    r->set("signer", o.signerName);
                    r->set("role", o.signerRole);
                    r->set("daysOutstanding", o.daysOutstanding);
                    r->set("reminders", o.remindersSent);
                    r->set("overdue", o.overdue);
                    open->add(r);
                }
                out->set("open", open);
            }
            return json(HTTPResponse::HTTP_OK, out);
        }
        if (path == "/api/cases") {
            Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
            for (const auto& c : installation.cases().list({user->network, "", "", who.area("")})) {
                if (!who.sees(c))
                    continue;
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
                o->set("reference", c.reference);
                o->set("workflow", c.workflow);
                o->set("title", c.title);
                o->set("area", c.area);
                o->set("state", c.state);
                o->set("deadline", c.deadline ? formatDate(*c.deadline) : "");
                list->add(o);
            }
            return json(HTTPResponse::HTTP_OK, list);
        }
        error->set("error", "no such API: " + path);
        json(HTTPResponse::HTTP_NOT_FOUND, error);
    }

    // --- routing ---------------------------------------------------------------------------

    bool handle(HTTPServerRequest& request, HTTPServerResponse& response, const std::string& path) {
        const bool get = request.getMethod() == "GET" || request.getMethod() == "HEAD";
        const bool post = request.getMethod() == "POST";
        if (path == "/app.css" && get) {
            html::send(response, HTTPResponse::HTTP_OK, "text/css; charset=utf-8", kAppStyle);
            return true;
        }
        const bool app = path == "/app" || path.rfind("/app/", 0) == 0;
        if (!app && path.rfind("/api/", 0) != 0)
            return false;
        if (!app) {
            api(request, response, path);
            return true;
        }
        if (path == "/app/login") {
            if (post)
                login(request, response);
            else
                loginPage(response, HTTPResponse::HTTP_OK, "");
            return true;
        }
        const std::string token = html::cookie(request, kCookie);
        const auto session = token.empty() ? std::nullopt : installation.users().sessionUser(token);
        if (!session) {
            if (get)
                redirect(response, "/app/login");
            else
                loginPage(response, HTTPResponse::HTTP_UNAUTHORIZED, t("app.login.expired"));
            return true;
        }
        const Access who{session->first, session->second};

        if (path == "/app/logout" && post) {
            const auto form = html::readForm(request, kMaxForm);
            if (!form || form->get("csrf", "") != who.csrf) {
                forbidden(response, &who);
                return true;
            }
            installation.users().signOut(token);
            response.set("Set-Cookie", std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            redirect(response, "/app/login");
            return true;
        }
        if (path == "/app" && get)
            overview(response, who);
        else if (path == "/app/send" && post)
            send(request, response, who);
        else if (path == "/app/cases" && get)
            caseList(request, response, who);
        else if (path.rfind("/app/cases/", 0) == 0) {
            std::string rest = path.substr(11), action;
            if (const auto slash = rest.find('/'); slash != std::string::npos) {
                action = rest.substr(slash + 1);
                rest.resize(slash);
            }
            if (get && action.empty())
                casePage(response, who, rest, "", "");
            else if (get && action == "dokument.pdf")
                caseDocument(response, who, rest);
            else if (post && (action == "withdraw" || action == "resend" || action == "paper" ||
                              action == "review" || action == "approve" || action == "send" ||
                              action == "records-ref" || action == "remind"))
                caseAction(request, response, who, rest, action);
            else
                notFound(response, &who);
        } else if (path == "/app/agreements" && !who.areaOnly()) {
            agreements(request, response, who, post);
        } else if (path == "/app/roster" || path == "/app/roster/apply") {
            if (!who.mayImport())
                forbidden(response, &who);
            else if (get && path == "/app/roster")
                rosterPage(response, who, "");
            else if (post && path == "/app/roster")
                rosterUpload(request, response, who);
            else if (post)
                rosterApply(request, response, who);
            else
                notFound(response, &who);
        } else if (path == "/app/archive" || path == "/app/archive/package" ||
                   path == "/app/archive/audit" || path == "/app/archive/download") {
            if (!who.mayArchive())
                forbidden(response, &who);
            else if (get && path == "/app/archive")
                archivePage(response, who, "");
            else if (get && path == "/app/archive/download")
                download(request, response, who);
            else if (post && path != "/app/archive" && path != "/app/archive/download")
                archiveAction(request, response, who, path.substr(13));
            else
                notFound(response, &who);
        } else {
            notFound(response, &who);
        }
        return true;
    }
};

Dashboard::Dashboard(engine::Installation& installation, DashboardSettings settings)
    : impl_(std::make_unique<Impl>(installation, std::move(settings))) {}
Dashboard::~Dashboard() = default;

bool Dashboard::handle(HTTPServerRequest& request, HTTPServerResponse& response,
                       const std::string& path) {
    return impl_->handle(request, response, path);
}

}  // namespace avtaleflyt::portal
