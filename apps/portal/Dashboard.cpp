#include "Dashboard.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <Poco/URI.h>
#include <Poco/Zip/Compress.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <sstream>

#include "Html.h"
#include "Template.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/engine/Files.h"
#include "avtaleflyt/engine/Texts.h"

namespace avtaleflyt::portal {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerResponse;
using Status = HTTPResponse::HTTPStatus;
using html::esc;

// Who tries to sign in, in the audit log (the attempt's subject names the account).
const engine::Actor kSignInActor{"web"};

// The sign-in form's CSRF token comes before any session (login CSRF: another site must not
// sign the browser in to an account of its choosing). Each sign-in form shown sets a cookie of
// its own, "SECONDS.NONCE" (when it was made, 128 random bits), and carries in a hidden field
// the HMAC of that cookie under a secret made at the server's start. A POST /app/login must
// bring both, the form no older than an hour.
constexpr const char* kSignInCookie = "avtaleflyt_signin";
constexpr std::int64_t kSignInFormSeconds = 3600;

std::int64_t unixSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string randomHex(std::size_t n) {
    std::string bytes(n, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n));
    return text::hex(reinterpret_cast<const unsigned char*>(bytes.data()), n);
}

// A yes/no for a template section: {{#name}} shows when not empty.
std::string flag(bool on) {
    return on ? "yes" : "";
}

// The query's parameters, the last of each name.
std::map<std::string, std::string> query(const Exchange& e) {
    std::map<std::string, std::string> q;
    for (const auto& [k, v] : Poco::URI(e.request.getURI()).getQueryParameters()) q[k] = v;
    return q;
}

}  // namespace

struct Dashboard::Impl {
    engine::Installation& installation;
    DashboardSettings settings;
    const engine::Texts m;
    html::Throttle signInFailures;
    const std::string signInSecret;  // for the sign-in form's CSRF token: the installation's

    Impl(engine::Installation& i, DashboardSettings s)
        : installation(i),
          settings(std::move(s)),
          m(settings.language),
          signInFailures(settings.maxFailedSignIns),
          signInSecret(i.users().formSecret("sign-in")) {}

    std::string t(const std::string& key, const std::vector<std::string>& args = {}) const {
        return m.text(key, args);
    }

    std::string render(const std::string& file, const Values& values) const {
        return Template::named(file).render(values, m);
    }

    // --- the routes ------------------------------------------------------------------------

    std::vector<Site> sites() {
        const auto h = [this](void (Impl::*f)(Exchange&)) { return handler(this, f); };
        const auto visible = [this](Exchange& e) {
            if (visibleCase(e.param("ref"), *e.who))
                return true;
            notFound(e, HTTPResponse::HTTP_NOT_FOUND);
            return false;
        };
        const auto signInAllowed = [this](Exchange& e) {
            if (!signInFailures.blocked(html::clientAddress(e.request, settings.trustedProxy)))
                return true;
            loginPage(e, HTTPResponse::HTTP_TOO_MANY_REQUESTS, t("app.login.locked"));
            return false;
        };
        const auto uploadRefused = [this](auto show) {
            return [this, show](Exchange& e, BodyError error) {
                (this->*show)(
                    e,
                    error == BodyError::TooLarge ? t("app.upload.too-large") : t("app.upload.bad"),
                    error == BodyError::TooLarge ? HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE
                                                 : HTTPResponse::HTTP_BAD_REQUEST);
            };
        };
        Site app;
        app.owns = [](const std::string& path) {
            return path == "/app" || path == "/app.css" || path.rfind("/app/", 0) == 0;
        };
        app.unknownNeeds = Need::SignedIn;
        app.routes = {
            {"GET", "/app.css", Need::Nobody, false, Body::None,
             [](Exchange& e) {
                 html::send(e.response, HTTPResponse::HTTP_OK, "text/css; charset=utf-8",
                            styleSheet("app.css"));
             }},
            {"GET", "/app/login", Need::Nobody, false, Body::None,
             [this](Exchange& e) { loginPage(e, HTTPResponse::HTTP_OK, ""); }},
            {"POST", "/app/login", Need::Nobody, true, Body::Form, h(&Impl::login), signInAllowed,
             [this](Exchange& e, BodyError) {
                 loginPage(e, HTTPResponse::HTTP_BAD_REQUEST, t("app.login.failed"));
             },
             [this](const Exchange& e) { return signInCsrf(e); },
             [this](Exchange& e) {
                 loginPage(e, HTTPResponse::HTTP_FORBIDDEN, t("app.login.forged"));
             }},
            {"POST", "/app/logout", Need::SignedIn, true, Body::Form, h(&Impl::logout)},
            {"GET", "/app", Need::SignedIn, false, Body::None, h(&Impl::overview)},
            {"POST", "/app/send", Need::Acting, true, Body::Form, h(&Impl::send)},
            {"GET", "/app/cases", Need::SignedIn, false, Body::None, h(&Impl::caseList)},
            {"GET", "/app/cases/{ref}", Need::SignedIn, false, Body::None, h(&Impl::casePage)},
            {"GET", "/app/cases/{ref}/dokument.pdf", Need::SignedIn, false, Body::None,
             h(&Impl::caseDocument)},
            {"POST", "/app/cases/{ref}/paper", Need::Acting, true, Body::Multipart,
             h(&Impl::paperSignature), visible, uploadRefused(&Impl::caseError)},
            {"POST", "/app/cases/{ref}/remind", Need::Acting, true, Body::Form, h(&Impl::remind),
             visible},
            {"POST", "/app/cases/{ref}/records-ref", Need::NotAreaLeader, true, Body::Form,
             h(&Impl::recordsReference), visible},
            {"GET", "/app/agreements", Need::NotAreaLeader, false, Body::None,
             h(&Impl::agreements)},
            {"POST", "/app/agreements", Need::NetworkLeader, true, Body::Form,
             h(&Impl::newAgreement)},
            {"GET", "/app/roster", Need::NetworkLeader, false, Body::None,
             [this](Exchange& e) { rosterPage(e, "", HTTPResponse::HTTP_OK); }},
            {"POST", "/app/roster", Need::NetworkLeader, true, Body::Multipart,
             h(&Impl::rosterUpload), nullptr, uploadRefused(&Impl::rosterError)},
            {"POST", "/app/roster/apply", Need::NetworkLeader, true, Body::Form,
             h(&Impl::rosterApply)},
            {"GET", "/app/archive", Need::NotAreaLeader, false, Body::None,
             [this](Exchange& e) { archivePage(e, "", HTTPResponse::HTTP_OK); }},
            {"GET", "/app/archive/download", Need::NotAreaLeader, false, Body::None,
             h(&Impl::download)},
            {"POST", "/app/archive/package", Need::NotAreaLeader, true, Body::Form,
             h(&Impl::archive)},
            {"POST", "/app/archive/audit", Need::NotAreaLeader, true, Body::Form, h(&Impl::audit)},
        };
        // The triggers of the case's workflow a leader fires from the case page.
        for (const char* trigger : {"withdraw", "resend", "review", "approve", "send"})
            app.routes.push_back({"POST", std::string("/app/cases/{ref}/") + trigger, Need::Acting,
                                  true, Body::Form, h(&Impl::fire), visible});
        app.expectedCsrf = [](const Exchange& e) { return e.who->csrf; };
        app.unauthenticated = [this](Exchange& e) {
            if (e.request.getMethod() == "GET" || e.head())
                return redirect(e, "/app/login");
            loginPage(e, HTTPResponse::HTTP_UNAUTHORIZED, t("app.login.expired"));
        };
        app.forbidden = [this](Exchange& e) {
            message(e, HTTPResponse::HTTP_FORBIDDEN, "app.forbidden");
        };
        app.notFound = [this](Exchange& e, Status status) { notFound(e, status); };
        app.badBody = [this](Exchange& e, BodyError) {
            message(e, HTTPResponse::HTTP_FORBIDDEN, "app.forbidden");
        };

        Site api;
        api.owns = [](const std::string& path) { return path.rfind("/api/", 0) == 0; };
        api.unknownNeeds = Need::ApiToken;
        api.routes = {
            {"GET", "/api/status", Need::ApiToken, false, Body::None,
             [this](Exchange& e) { apiStatus(e, false); }},
            {"GET", "/api/missing", Need::ApiToken, false, Body::None,
             [this](Exchange& e) { apiStatus(e, true); }},
            {"GET", "/api/cases", Need::ApiToken, false, Body::None, h(&Impl::apiCases)},
        };
        api.expectedCsrf = [](const Exchange&) { return std::string(); };
        api.unauthenticated = [](Exchange& e) {
            e.response.set("WWW-Authenticate", "Bearer");
            apiError(e, HTTPResponse::HTTP_UNAUTHORIZED,
                     "a valid API token is needed: Authorization: Bearer TOKEN");
        };
        api.forbidden = [](Exchange& e) { apiError(e, HTTPResponse::HTTP_FORBIDDEN, "forbidden"); };
        api.notFound = [](Exchange& e, Status status) {
            apiError(e, status, "no such API: " + e.path);
        };
        api.badBody = [](Exchange& e, BodyError) {
            apiError(e, HTTPResponse::HTTP_BAD_REQUEST, "bad request");
        };
        return {app, api};
    }

    // --- pages -----------------------------------------------------------------------------

    // A page in the dashboard's frame; the navigation if someone is signed in. `main` is HTML
    // built from escaped parts.
    void page(Exchange& e, Status status, const std::string& title, const std::string& main) const {
        Values header;
        header.rows["who"];
        if (e.who) {
            const Access& who = *e.who;
            Values row;
            row.text = {{"allAreas", flag(!who.areaOnly())},
                        {"importer", flag(who.may(Need::NetworkLeader))},
                        {"name", who.user.name},
                        {"area", who.areaOnly() ? who.user.area : ""},
                        {"csrf", who.csrf}};
            header.rows["who"].push_back(row);
        }
        html::send(e.response, status, "text/html; charset=utf-8",
                   html::page(settings.language, title + " – avtaleflyt",
                              render("app-header.html", header), main, "/app.css"));
    }

    // The values every page of a signed-in user has: the CSRF token of its forms.
    static Values values(const Exchange& e) {
        Values v;
        v.text["csrf"] = e.who->csrf;
        return v;
    }

    void message(Exchange& e, Status status, const std::string& key) const {
        page(e, status, t(key),
             render("message.html", {{{"title", t(key)}, {"text", t(key + ".text")}}, {}, {}}));
    }

    void notFound(Exchange& e, Status status) const { message(e, status, "app.not-found"); }

    void redirect(Exchange& e, const std::string& to) const {
        e.response.set("Location", to);
        html::send(e.response, HTTPResponse::HTTP_SEE_OTHER, "text/plain; charset=utf-8", "");
    }

    static std::string notice(const std::string& text) {
        return "<p class=\"notice\" role=\"status\">" + esc(text) + "</p>";
    }
    static std::string alert(const std::string& text) {
        return "<p class=\"error\" role=\"alert\">" + esc(text) + "</p>";
    }

    // --- sign-in ---------------------------------------------------------------------------

    // The token a sign-in form made at `cookie` ("SECONDS.NONCE") carries; "" (matching
    // nothing) for a cookie that is not one of ours or is too old.
    std::string signInToken(const std::string& cookie) const {
        const auto dot = cookie.find('.');
        if (dot == std::string::npos || dot == 0 || dot > 12 || cookie.size() - dot - 1 != 32)
            return "";
        std::int64_t made = 0;
        for (std::size_t i = 0; i < dot; ++i) {
            if (cookie[i] < '0' || cookie[i] > '9')
                return "";
            made = made * 10 + (cookie[i] - '0');
        }
        const std::int64_t age = unixSeconds() - made;
        if (age < -60 || age > kSignInFormSeconds)
            return "";
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        const std::string message = std::string("signin\n") + cookie;
        HMAC(EVP_sha256(), signInSecret.data(), static_cast<int>(signInSecret.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
        return text::hex(mac, len);
    }

    std::string signInCsrf(const Exchange& e) const {
        return signInToken(html::cookie(e.request, kSignInCookie));
    }

    // The sign-in page, with a fresh form: its cookie and its token.
    void loginPage(Exchange& e, Status status, const std::string& error) const {
        const std::string cookie = std::to_string(unixSeconds()) + "." + randomHex(16);
        e.response.add("Set-Cookie", std::string(kSignInCookie) + "=" + cookie +
                                         "; Path=/app/login; HttpOnly; SameSite=Strict; Max-Age=" +
                                         std::to_string(kSignInFormSeconds) +
                                         (settings.secureCookies ? "; Secure" : ""));
        page(e, status, t("app.login"),
             render("login.html", {{{"error", error}, {"csrf", signInToken(cookie)}}, {}, {}}));
    }

    void login(Exchange& e) {
        const auto result = installation.users().signIn(kSignInActor, e.form->get("username", ""),
                                                        e.form->get("password", ""));
        if (!result.ok) {
            signInFailures.failed(html::clientAddress(e.request, settings.trustedProxy));
            return loginPage(e, HTTPResponse::HTTP_UNAUTHORIZED,
                             result.refusal.rfind("too many", 0) == 0 ? t("app.login.locked")
                                                                      : t("app.login.failed"));
        }
        e.response.add("Set-Cookie", std::string(Router::kSessionCookie) + "=" + result.token +
                                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                         std::to_string(engine::Users::kSessionHours * 3600) +
                                         (settings.secureCookies ? "; Secure" : ""));
        e.response.add("Set-Cookie",
                       std::string(kSignInCookie) +
                           "=; Path=/app/login; HttpOnly; SameSite=Strict; Max-Age=0");
        redirect(e, "/app");
    }

    void logout(Exchange& e) {
        installation.users().signOut(html::cookie(e.request, Router::kSessionCookie));
        e.response.set("Set-Cookie", std::string(Router::kSessionCookie) +
                                         "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        redirect(e, "/app/login");
    }

    // --- overview --------------------------------------------------------------------------

    void overview(Exchange& e) {
        const Access& who = *e.who;
        const auto report = installation.reports().overview(who.user.network, who.area(""), 10);
        Values v = values(e);
        v.text["network"] = report.network;
        v.text["area"] = who.areaOnly() ? who.user.area : "";
        v.text["send"] = who.may(Need::Acting)
                             ? t("app.send", {who.areaOnly() ? who.user.area : report.network})
                             : "";
        v.html["chart"] = engine::Reports::chartSvg(report.areas, settings.language);
        std::istringstream columns(t("report.areas.columns"));
        for (std::string c; std::getline(columns, c, ';');)
            v.rows["columns"].push_back({{{"column", c}}, {}, {}});
        auto& areas = v.rows["areas"];
        for (const auto& a : report.areas)
            areas.push_back({{{"area", a.area},
                              {"nurses", std::to_string(a.activeNurses)},
                              {"signed", std::to_string(a.signedCount)},
                              {"outstanding", std::to_string(a.outstanding)},
                              {"overdue", std::to_string(a.overdue)},
                              {"notSent", std::to_string(a.notSent)}},
                             {},
                             {}});
        auto& rows = v.rows["oldest"];
        for (const auto& o : report.oldest)
            rows.push_back({{{"reference", o.reference},
                             {"signer", o.signerName},
                             {"role", t("role." + o.signerRole)},
                             {"area", o.area},
                             {"days", std::to_string(o.daysOutstanding)}},
                            {},
                            {}});
        auto& next = v.rows["next"];
        for (const auto& n : installation.reminders().upcoming(who.user.network, who.area(""), 10))
            next.push_back({{{"when", html::date(n.due, settings.language)},
                             {"reference", n.reference},
                             {"what", t("app.timer." + n.timer)}},
                            {},
                            {}});
        page(e, HTTPResponse::HTTP_OK, t("app.overview"), render("overview.html", v));
    }

    void send(Exchange& e) {
        const Access& who = *e.who;
        Values v;
        auto& cases = v.rows["cases"];
        const auto report = installation.cases().sendFunctionDescriptions(
            who.by(), who.user.network, who.area(""), false,
            [&](const engine::SendCandidate&, const engine::SentCase* c) {
                if (c)
                    cases.push_back({{{"reference", c->reference}, {"title", c->title}}, {}, {}});
            });
        v.text["sent"] =
            t("app.sent", {std::to_string(report.sent), std::to_string(report.covered)});
        page(e, HTTPResponse::HTTP_OK, t("app.overview"), render("sent.html", v));
    }

    // --- cases -----------------------------------------------------------------------------

    void caseList(Exchange& e) {
        const Access& who = *e.who;
        auto q = query(e);
        engine::CaseQuery filter{who.user.network, q["workflow"], q["state"], who.area(q["area"])};
        std::vector<Case> cases;
        Values v;
        v.text["error"] = "";
        try {
            cases = installation.cases().list(filter);
        } catch (const engine::EngineError& error) {
            v.text["error"] = error.what();
        }
        for (const char* s : {"draft", "sent", "partially_signed", "signed", "archived", "declined",
                              "withdrawn", "expired", "in_review", "approved"})
            v.rows["states"].push_back(
                {{{"value", s}, {"selected", flag(q["state"] == s)}}, {}, {}});
        for (const char* w : {"function-description", "collaboration-agreement"})
            v.rows["workflows"].push_back(
                {{{"value", w}, {"selected", flag(q["workflow"] == w)}}, {}, {}});
        v.text["allAreas"] = flag(!who.areaOnly());
        v.text["area"] = q["area"];
        for (const std::string f : {"unit", "leader"})
            v.rows["fields"].push_back(
                {{{"field", f}, {"label", t("app." + f)}, {"value", q[f]}}, {}, {}});
        // The nurse's unit and nearest leader, from the roster, for the columns and filters.
        const Roster roster =
            installation.rosters().roster(installation.rosters().network(who.user.network));
        const auto unitAndLeader = [&](const Case& c) -> std::pair<std::string, std::string> {
            const auto n = roster.nurses.find(c.subjectEmail);
            if (n == roster.nurses.end())
                return {"", ""};
            const Person* leader = roster.person(n->second.leaderEmail);
            return {n->second.unit.name, leader ? leader->name : ""};
        };
        const auto matches = [](const std::string& value, const std::string& wanted) {
            return wanted.empty() || text::foldCase(value).find(
                                         text::foldCase(text::trim(wanted))) != std::string::npos;
        };
        cases.erase(std::remove_if(cases.begin(), cases.end(),
                                   [&](const Case& c) {
                                       const auto [unit, leader] = unitAndLeader(c);
                                       return !who.sees(c) || !matches(unit, q["unit"]) ||
                                              !matches(leader, q["leader"]);
                                   }),
                    cases.end());
        v.text["count"] = t("app.count", {std::to_string(cases.size())});
        auto& rows = v.rows["cases"];
        for (const auto& c : cases)
            rows.push_back(
                {{{"reference", c.reference},
                  {"title", c.title},
                  {"area", c.area},
                  {"state", c.state},
                  {"deadline",
                   c.deadline ? html::date(formatDate(*c.deadline), settings.language) : ""}},
                 {},
                 {}});
        page(e, HTTPResponse::HTTP_OK, t("app.cases"), render("cases.html", v));
    }

    // The case, if it exists and the user may see it.
    std::optional<engine::CaseDetails> visibleCase(const std::string& reference,
                                                   const Access& who) {
        try {
            auto details = installation.cases().details(reference);
            if (who.sees(details.c))
                return details;
        } catch (const engine::EngineError&) {
        }
        return std::nullopt;
    }

    void casePage(Exchange& e) { showCase(e, "", "", HTTPResponse::HTTP_OK); }

    void caseError(Exchange& e, const std::string& error, Status status) {
        showCase(e, "", error, status);
    }

    void showCase(Exchange& e, const std::string& notice, const std::string& error, Status status) {
        const Access& who = *e.who;
        const auto details = visibleCase(e.param("ref"), who);
        if (!details)
            return notFound(e, HTTPResponse::HTTP_NOT_FOUND);
        const Case& c = details->c;
        const bool open = c.state == "sent" || c.state == "partially_signed";
        Values v;
        v.text = {
            {"csrf", who.csrf},
            {"reference", c.reference},
            {"title", c.title},
            {"notice", notice},
            {"error", error},
            {"state", c.state},
            {"deadline", c.deadline ? html::date(formatDate(*c.deadline), settings.language) : ""},
            {"acts", flag(who.may(Need::Acting))},
            {"resend", flag(c.state == "expired")},
            {"open", flag(open)},
            {"review", flag(c.state == "draft" && c.workflow == "collaboration-agreement")},
            {"approve", flag(c.state == "in_review")},
            {"send", flag(c.state == "approved")},
            {"withdraw",
             flag(c.state != "withdrawn" && c.state != "archived" && c.state != "signed")},
            {"records", flag(c.state == "archived" && who.may(Need::NotAreaLeader))},
            {"recordsReference",
             c.recordsReference.empty() ? t("app.records.none") : c.recordsReference}};
        for (const auto& r : c.signatures) {
            v.rows["signatures"].push_back({{{"name", r.name},
                                             {"organisation", r.organisation},
                                             {"roleName", t("role." + r.role)},
                                             {"status", std::string(toString(r.status))},
                                             {"signedAt", r.signedAt}},
                                            {},
                                            {}});
            if (r.status == SignatureStatus::Open)
                v.rows["openSigners"].push_back(
                    {{{"role", r.role}, {"name", r.name}, {"roleName", t("role." + r.role)}},
                     {},
                     {}});
        }
        v.rows["openSigners"];
        v.rows["signatures"];
        auto& timeline = v.rows["timeline"];
        for (const auto& event : details->timeline)
            timeline.push_back(
                {{{"when", event.occurredAt},
                  {"who", event.actor},
                  {"what", m.has("event." + event.kind) ? t("event." + event.kind) : event.kind}},
                 {},
                 {}});
        page(e, status, c.reference, render("case.html", v));
    }

    void remind(Exchange& e) {
        const auto n = installation.cases().remindNow(e.who->by(), e.param("ref"));
        showCase(e, t("app.reminded", {std::to_string(n)}), "", HTTPResponse::HTTP_OK);
    }

    void recordsReference(Exchange& e) {
        try {
            installation.records().setRecordsReference(e.who->by(), e.param("ref"),
                                                       text::trim(e.form->get("ref", "")));
        } catch (const engine::EngineError& error) {
            return caseError(e, error.what(), HTTPResponse::HTTP_BAD_REQUEST);
        }
        showCase(e, t("app.records.saved"), "", HTTPResponse::HTTP_OK);
    }

    // Fires the trigger the path names (the route's last segment).
    void fire(Exchange& e) {
        Trigger trigger;
        trigger.name = e.path.substr(e.path.rfind('/') + 1);
        trigger.reason = text::trim(e.form->get("reason", ""));
        trigger.approvalBody = text::trim(e.form->get("body", ""));
        trigger.approvalDate = e.form->get("date", "");
        const auto out = installation.cases().fire(e.who->by(), e.param("ref"), trigger);
        if (!out.done)
            return caseError(e, out.refusal, HTTPResponse::HTTP_CONFLICT);
        showCase(e, t("app.done", {out.to}), "", HTTPResponse::HTTP_OK);
    }

    void paperSignature(Exchange& e) {
        if (e.upload.tooLarge)
            return caseError(e, t("app.upload.too-large"),
                             HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE);
        const std::string& reference = e.param("ref");
        // Never a path from the upload: a fresh name in the data folder, removed after use.
        const std::string dir = installation.dataDir() + "/uploads";
        Poco::File(dir).createDirectories();
        const std::string path = dir + "/" + randomHex(16) + ".pdf";
        engine::writeFileAtomically(path, e.upload.bytes, 0600);
        std::string error;
        engine::StepOutcome out;
        try {
            out = installation.cases().registerPaperSignature(
                e.who->by(), reference, e.form->get("signer", ""), path, e.form->get("date", ""));
            if (!out.done)
                error = out.refusal;
        } catch (const engine::EngineError& failure) {
            error = failure.what();
        }
        std::remove(path.c_str());
        if (!error.empty()) {
            // The engine names the file it was given; the user knows it by its own name.
            for (auto at = error.find(path); at != std::string::npos; at = error.find(path))
                error.replace(at, path.size(),
                              e.upload.fileName.empty() ? "scan" : e.upload.fileName);
            return caseError(e, error, HTTPResponse::HTTP_BAD_REQUEST);
        }
        showCase(e, t("app.done", {out.to}), "", HTTPResponse::HTTP_OK);
    }

    void caseDocument(Exchange& e) {
        const std::string& reference = e.param("ref");
        if (!visibleCase(reference, *e.who))
            return notFound(e, HTTPResponse::HTTP_NOT_FOUND);
        std::string pdf;
        try {
            const auto final = installation.cases().finalDocument(reference);
            pdf = final ? *final : installation.cases().renderCase(reference, false, false);
        } catch (const engine::EngineError& error) {
            return caseError(e, error.what(), HTTPResponse::HTTP_CONFLICT);
        }
        e.response.set("Content-Disposition", "inline; filename=\"" + reference + ".pdf\"");
        html::send(e.response, HTTPResponse::HTTP_OK, "application/pdf", pdf);
    }

    // --- agreements ------------------------------------------------------------------------

    void agreements(Exchange& e) { agreementsPage(e, "", HTTPResponse::HTTP_OK); }

    void agreementsPage(Exchange& e, const std::string& error, Status status) {
        Values v = values(e);
        v.text["error"] = error;
        v.text["importer"] = flag(e.who->may(Need::NetworkLeader));
        auto& rows = v.rows["cases"];
        for (const auto& c :
             installation.cases().list({e.who->user.network, "collaboration-agreement", "", ""}))
            rows.push_back(
                {{{"reference", c.reference}, {"title", c.title}, {"state", c.state}}, {}, {}});
        page(e, status, t("app.agreements"), render("agreements.html", v));
    }

    void newAgreement(Exchange& e) {
        std::vector<engine::Party> parties;
        std::istringstream lines(e.form->get("parties", ""));
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
                const Case c = installation.cases().newAgreement(
                    e.who->by(), e.who->user.network, text::trim(e.form->get("title", "")), parties,
                    text::trim(e.form->get("revises", "")));
                return redirect(e, "/app/cases/" + c.reference);
            } catch (const engine::EngineError& failure) {
                error = failure.what();
            }
        }
        agreementsPage(e, error, HTTPResponse::HTTP_BAD_REQUEST);
    }

    // --- roster ----------------------------------------------------------------------------

    std::string uploadPath(const std::string& id, const std::string& extension) const {
        return installation.dataDir() + "/uploads/roster-" + id + extension;
    }

    // The roster page; `extra` is HTML built from escaped parts.
    void rosterPage(Exchange& e, const std::string& extra, Status status) {
        Values v = values(e);
        v.html["extra"] = extra;
        page(e, status, t("app.roster"), render("roster.html", v));
    }

    void rosterError(Exchange& e, const std::string& error, Status status) {
        rosterPage(e, alert(error), status);
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
                out += "<li>" +
                       esc(t("app.roster.line", {std::to_string(p.line), p.field, p.cause})) +
                       "</li>";
            return out + "</ul></div>";
        }
        out += "<p>" +
               esc(t("app.roster.diff",
                     {std::to_string(result.diff.count(RosterChange::Group::Added)),
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

    void rosterUpload(Exchange& e) {
        const Access& who = *e.who;
        const std::string name = e.upload.fileName;
        const auto dot = name.rfind('.');
        const std::string extension =
            dot == std::string::npos ? "" : text::foldCase(name.substr(dot));
        if (e.upload.tooLarge || (extension != ".csv" && extension != ".xlsx"))
            return rosterError(e,
                               e.upload.tooLarge ? t("app.upload.too-large") : t("app.roster.type"),
                               HTTPResponse::HTTP_BAD_REQUEST);
        const std::string id = randomHex(16);
        Poco::File(installation.dataDir() + "/uploads").createDirectories();
        engine::writeFileAtomically(uploadPath(id, extension), e.upload.bytes, 0600);
        engine::RosterImport result;
        try {
            result = installation.rosters().importRoster(who.by(), uploadPath(id, extension),
                                                         who.user.network, true);
        } catch (const engine::EngineError& error) {
            std::remove(uploadPath(id, extension).c_str());
            return rosterError(e, error.what(), HTTPResponse::HTTP_BAD_REQUEST);
        }
        // Problems name the file as the user knows it.
        for (auto& p : result.problems) p.source = name;
        std::string extra = "<h2>" + esc(name) + "</h2>" + diffHtml(result);
        if (!result.problems.empty()) {
            std::remove(uploadPath(id, extension).c_str());
            return rosterPage(e, extra, HTTPResponse::HTTP_UNPROCESSABLE_ENTITY);
        }
        extra +=
            "<form method=\"post\" action=\"/app/roster/apply\"><input type=\"hidden\" "
            "name=\"csrf\" value=\"" +
            esc(who.csrf) + "\"><input type=\"hidden\" name=\"upload\" value=\"" + id + extension +
            "\"><button class=\"primary\" type=\"submit\">" + esc(t("app.roster.apply")) +
            "</button></form>";
        rosterPage(e, extra, HTTPResponse::HTTP_OK);
    }

    void rosterApply(Exchange& e) {
        const Access& who = *e.who;
        // The upload's name is ours: 32 hex digits and .csv or .xlsx, nothing else.
        const std::string upload = e.form->get("upload", "");
        const auto dot = upload.find('.');
        const std::string id = upload.substr(0, dot),
                          extension = dot == std::string::npos ? "" : upload.substr(dot);
        if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos ||
            (extension != ".csv" && extension != ".xlsx") ||
            !Poco::File(uploadPath(id, extension)).exists())
            return rosterError(e, t("app.roster.gone"), HTTPResponse::HTTP_GONE);
        engine::RosterImport result;
        try {
            result = installation.rosters().importRoster(who.by(), uploadPath(id, extension),
                                                         who.user.network, false);
        } catch (const engine::EngineError& error) {
            std::remove(uploadPath(id, extension).c_str());
            return rosterError(e, error.what(), HTTPResponse::HTTP_BAD_REQUEST);
        }
        std::remove(uploadPath(id, extension).c_str());
        rosterPage(e,
                   notice(result.applied ? t("app.roster.applied") : t("app.roster.not-applied")) +
                       diffHtml(result),
                   HTTPResponse::HTTP_OK);
    }

    // --- archive ---------------------------------------------------------------------------

    // The archive page; `extra` is HTML built from escaped parts.
    void archivePage(Exchange& e, const std::string& extra, Status status) {
        const auto& network = e.who->user.network;
        const auto ready = installation.cases().list({network, "", "signed", ""});
        const auto archived = installation.cases().list({network, "", "archived", ""});
        Values v = values(e);
        v.html["extra"] = extra;
        v.text["counts"] = t("app.archive.counts",
                             {std::to_string(ready.size()), std::to_string(archived.size())});
        auto& rows = v.rows["packages"];
        for (const auto& name : packages()) rows.push_back({{{"name", name}}, {}, {}});
        page(e, status, t("app.archive"), render("archive.html", v));
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

    // A package as a zip file, streamed as it is made; only names the archive folder holds,
    // never a path from the URL.
    void download(Exchange& e) {
        const std::string wanted = query(e)["package"];
        const auto all = packages();
        if (std::find(all.begin(), all.end(), wanted) == all.end())
            return notFound(e, HTTPResponse::HTTP_NOT_FOUND);
        e.response.setStatus(HTTPResponse::HTTP_OK);
        html::securityHeaders(e.response);
        e.response.setContentType("application/zip");
        e.response.set("Content-Disposition", "attachment; filename=\"" + wanted + ".zip\"");
        e.response.setChunkedTransferEncoding(true);
        Poco::Zip::Compress compress(e.response.send(), false);
        Poco::Path folder(archiveDir() + "/" + wanted);
        folder.makeDirectory();
        compress.addRecursive(folder, Poco::Zip::ZipCommon::CL_NORMAL, false, Poco::Path(wanted));
        compress.close();
    }

    void archive(Exchange& e) {
        try {
            const auto report =
                installation.records().archive(e.who->by(), e.who->user.network, "", "", false);
            archivePage(e,
                        notice(t("app.archive.made",
                                 {std::to_string(report.references.size()), report.packageDir})),
                        HTTPResponse::HTTP_OK);
        } catch (const engine::EngineError& error) {
            archivePage(e, alert(error.what()), HTTPResponse::HTTP_CONFLICT);
        }
    }

    void audit(Exchange& e) {
        const auto findings = installation.records().auditArchivedCases();
        if (findings.empty())
            return archivePage(e, notice(t("app.archive.clean")), HTTPResponse::HTTP_OK);
        std::string extra = "<div class=\"warn\" role=\"alert\"><ul>";
        for (const auto& f : findings) extra += "<li>" + esc(f) + "</li>";
        archivePage(e, extra + "</ul></div>", HTTPResponse::HTTP_OK);
    }

    // --- API -------------------------------------------------------------------------------

    static void json(Exchange& e, Status status, const Poco::Dynamic::Var& value) {
        std::ostringstream out;
        Poco::JSON::Stringifier::stringify(value, out);
        html::send(e.response, status, "application/json; charset=utf-8", out.str());
    }

    static void apiError(Exchange& e, Status status, const std::string& text) {
        Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
        error->set("error", text);
        json(e, status, error);
    }

    // /api/status, and with the open requests /api/missing.
    void apiStatus(Exchange& e, bool withOpen) {
        const Access& who = *e.who;
        // The tally alone is a few queries; the open requests take the whole report.
        const auto& reports = installation.reports();
        const auto report = withOpen ? reports.missingSignatures(who.user.network, who.area(""))
                                     : engine::MissingReport{};
        const auto tally =
            withOpen ? engine::Overview{report.network, report.area, report.asOf, report.areas, {}}
                     : reports.overview(who.user.network, who.area(""), 0);
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("network", tally.network);
        out->set("asOf", tally.asOf);
        Poco::JSON::Array::Ptr areas = new Poco::JSON::Array;
        for (const auto& a : tally.areas) {
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
        if (withOpen) {
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
        json(e, HTTPResponse::HTTP_OK, out);
    }

    void apiCases(Exchange& e) {
        const Access& who = *e.who;
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& c : installation.cases().list({who.user.network, "", "", who.area("")})) {
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
        json(e, HTTPResponse::HTTP_OK, list);
    }
};

Dashboard::Dashboard(engine::Installation& installation, DashboardSettings settings)
    : impl_(std::make_unique<Impl>(installation, std::move(settings))) {}
Dashboard::~Dashboard() = default;

std::vector<Site> Dashboard::sites() {
    return impl_->sites();
}

}  // namespace avtaleflyt::portal
