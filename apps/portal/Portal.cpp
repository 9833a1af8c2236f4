#include "Portal.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "Connections.h"
#include "Dashboard.h"
#include "Html.h"
#include "Template.h"
#include "avtaleflyt/domain/RecentVersions.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/engine/Texts.h"

namespace avtaleflyt::portal {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Status = engine::SigningView::Status;
using html::esc;

constexpr std::size_t kMaxReasonChars = 2000;
constexpr int kMaxConnections = 64;  // connections served at once, each on a thread of its own

}  // namespace

struct Portal::Impl {
    engine::Installation& installation;
    PortalSettings settings;
    const engine::Texts messages;
    const std::string secret;  // for CSRF tokens: the installation's, shared by its servers
    html::Throttle throttle;
    // The signing pages last shown, by link, each for the case version it shows. Shared by the
    // request threads (RecentVersions guards itself).
    RecentVersions<std::string, std::string> signingPages{1024};
    Dashboard dashboard;
    Router router;
    Poco::Logger& log = Poco::Logger::get("avtaleflyt.http");
    // A keep-alive connection holds its thread while it is open: enough threads that every
    // connection a busy hour brings is answered (with 8, 24 of 32 browsers waited for minutes).
    Poco::ThreadPool threads{4, kMaxConnections};
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers;
    std::unique_ptr<Connections> connections;  // watched by the server's factory
    std::unique_ptr<Poco::Net::TCPServer> server;  // stopped before `connections` goes

    Impl(engine::Installation& i, const PortalSettings& s)
        : installation(i),
          settings(s),
          messages(s.language),
          secret(i.users().formSecret("portal")),
          throttle(s.maxUnknownLinks),
          dashboard(i, {s.language, s.secureCookies, s.trustedProxy, s.maxUnknownLinks}),
          router(i, withPortal(dashboard.sites())) {
        // A template that does not parse stops the server here, not at its page's first request.
        for (const auto& name : Template::names()) Template::named(name);
    }

    std::vector<Site> withPortal(std::vector<Site> sites) {
        sites.push_back(site());
        return sites;
    }

    // The signing portal: every path the dashboard and the API do not own.
    Site site() {
        const auto h = [this](void (Impl::*f)(Exchange&)) { return handler(this, f); };
        const auto linkOpen = [this](Exchange& e) { return this->linkOpen(e); };
        Site s;
        s.owns = [](const std::string&) { return true; };
        s.routes = {
            {"GET", "/", Need::Nobody, false, Body::None, h(&Impl::home)},
            {"GET", "/portal.css", Need::Nobody, false, Body::None,
             [](Exchange& e) {
                 html::send(e.response, HTTPResponse::HTTP_OK, "text/css; charset=utf-8",
                            styleSheet("portal.css"));
             }},
            {"GET", "/s/{token}", Need::Nobody, false, Body::None, h(&Impl::signingPage)},
            {"GET", "/s/{token}/dokument.pdf", Need::Nobody, false, Body::None, h(&Impl::pdf)},
            {"POST", "/s/{token}/sign", Need::Nobody, true, Body::Form, h(&Impl::sign), linkOpen},
            {"POST", "/s/{token}/decline", Need::Nobody, true, Body::Form, h(&Impl::decline),
             linkOpen},
        };
        s.expectedCsrf = [this](const Exchange& e) { return csrfFor(e.param("token")); };
        s.unauthenticated = [](Exchange&) {
            throw std::logic_error("the portal needs no sign-in");
        };
        s.forbidden = [this](Exchange& e) {
            message(e.response, HTTPResponse::HTTP_FORBIDDEN, "portal.forbidden");
        };
        s.notFound = [this](Exchange& e, HTTPResponse::HTTPStatus status) {
            message(e.response, status, "portal.unknown");
        };
        s.badBody = [this](Exchange& e, BodyError) {
            message(e.response, HTTPResponse::HTTP_BAD_REQUEST, "portal.forbidden");
        };
        return s;
    }

    std::string t(const std::string& key, const std::vector<std::string>& args = {}) const {
        return messages.text(key, args);
    }

    // The CSRF token of the forms for link `token`: bound to the link and this server's secret.
    std::string csrfFor(const std::string& token) const {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &len);
        return text::hex(mac, len);
    }

    void page(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const std::string& title, const std::string& main) const {
        html::send(response, status, "text/html; charset=utf-8",
                   html::page(settings.language, title, "", main, "/portal.css"));
    }

    void message(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
                 const std::string& key, const std::vector<std::string>& args = {}) const {
        page(response, status, t(key + ".title"),
             Template::named("message.html")
                 .render({{{"title", t(key + ".title")}, {"text", t(key + ".text", args)}}, {}, {}},
                         messages));
    }

    // A link looked up: its view, and whether it was an unknown link from an address that has
    // already tried too many.
    struct Lookup {
        engine::SigningView view;
        bool guessing = false;
    };

    // The page for a link that cannot be used, with the status that says why; an unknown link
    // from an address that keeps guessing gets 429.
    void unusable(Exchange& e, const Lookup& lookup) const {
        if (lookup.guessing && lookup.view.status == Status::Unknown)
            return message(e.response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "portal.too-many");
        unusable(e.response, lookup.view.status);
    }

    void unusable(HTTPServerResponse& response, Status status) const {
        switch (status) {
            case Status::Used:
                return message(response, HTTPResponse::HTTP_GONE, "portal.used");
            case Status::Expired:
                return message(response, HTTPResponse::HTTP_GONE, "portal.expired");
            case Status::Closed:
                return message(response, HTTPResponse::HTTP_CONFLICT, "portal.closed");
            default:
                return message(response, HTTPResponse::HTTP_NOT_FOUND, "portal.unknown");
        }
    }

    // Guard: a form is only taken for an open link.
    bool linkOpen(Exchange& e) {
        const auto lookup = view(e, false);
        if (lookup.view.status != Status::Open)
            unusable(e, lookup);
        return lookup.view.status == Status::Open;
    }

    std::string address(const Exchange& e) const {
        return html::clientAddress(e.request, settings.trustedProxy);
    }

    // The link's view. Only an unknown link counts against the address (a guess: a link is 256
    // random bits), and only an unknown link is refused once the address has made too many
    // guesses: a link that exists is answered as it is whatever its address tried before, since
    // many nurses can come from one address (a hospital's NAT).
    Lookup view(Exchange& e, bool withDocument) {
        Lookup lookup{installation.signing().view(e.param("token"), withDocument)};
        if (lookup.view.status == Status::Unknown)
            lookup.guessing = throttle.failedOverLimit(address(e));
        return lookup;
    }

    void home(Exchange& e) { message(e.response, HTTPResponse::HTTP_OK, "portal.home"); }

    // The page of an open link. Made once for each version of its case, then served as made
    // (signingPages): a visit costs the link's lookup, not the page's making.
    void signingPage(Exchange& e) {
        const std::string& token = e.param("token");
        const auto lookup = view(e, false);
        if (lookup.view.status != Status::Open)
            return unusable(e, lookup);
        auto v = lookup.view;
        auto made = signingPages.find(token, v.caseVersion);
        if (!made) {
            v = installation.signing().view(token, true);
            if (v.status != Status::Open)
                return unusable(e.response, v.status);
            made = std::make_shared<const std::string>(signingHtml(token, v, ""));
            signingPages.keep(token, v.caseVersion, made);
        }
        html::send(e.response, HTTPResponse::HTTP_OK, "text/html; charset=utf-8", *made);
    }

    // The signing page again after a refused form, saying why.
    void showSigning(Exchange& e, const engine::SigningView& view, HTTPResponse::HTTPStatus status,
                     const std::string& error) const {
        html::send(e.response, status, "text/html; charset=utf-8",
                   signingHtml(e.param("token"), view, error));
    }

    std::string signingHtml(const std::string& token, const engine::SigningView& view,
                            const std::string& error) const {
        std::string document;
        bool inList = false;
        static const FilledDocument kNone;
        const FilledDocument& text = view.document ? *view.document : kNone;
        for (const auto& b : text.blocks) {
            const bool item = b.kind == TemplateBlock::Kind::ListItem;
            if (inList && !item)
                document += "</ul>";
            if (item && !inList)
                document += "<ul>";
            inList = item;
            if (b.kind == TemplateBlock::Kind::Heading)
                document +=
                    b.level <= 1 ? "<h2>" + esc(b.text) + "</h2>" : "<h3>" + esc(b.text) + "</h3>";
            else if (item)
                document += "<li>" + esc(b.text) + "</li>";
            else
                document += "<p>" + esc(b.text) + "</p>";
        }
        if (inList)
            document += "</ul>";
        Values values;
        values.text = {
            {"network", view.network},
            {"title", view.title},
            {"for", t("portal.for", {view.signerName, t("role." + view.signerRole)})},
            {"organisation", view.organisation},
            {"deadline", view.deadline.empty() ? ""
                                               : t("portal.deadline",
                                                   {html::date(view.deadline, settings.language)})},
            {"error", error},
            {"documentTitle", text.title},
            {"token", token},
            {"csrf", csrfFor(token)},
            {"maxReason", std::to_string(kMaxReasonChars)},
        };
        values.html = {{"document", document}};
        return html::page(settings.language, t("portal.title") + " – " + view.reference, "",
                          Template::named("signing.html").render(values, messages), "/portal.css");
    }

    void pdf(Exchange& e) {
        const auto lookup = view(e, false);
        const auto& v = lookup.view;
        if (v.status != Status::Open)
            return unusable(e, lookup);
        const auto pdf = installation.signing().document(e.param("token"));
        if (!pdf)
            return unusable(e.response, Status::Unknown);
        e.response.set("Content-Disposition", "inline; filename=\"" + v.reference + ".pdf\"");
        html::send(e.response, HTTPResponse::HTTP_OK, "application/pdf", *pdf);
    }

    void sign(Exchange& e) {
        const std::string& token = e.param("token");
        if (e.form->get("confirm", "") != "yes")
            return showSigning(e, installation.signing().view(token),
                               HTTPResponse::HTTP_BAD_REQUEST, t("portal.confirm-missing"));
        const auto v = installation.signing().view(token, false);
        const auto out =
            installation.signing().sign(token, address(e), e.request.get("User-Agent", ""));
        if (out.status != Status::Open || !out.refusal.empty())
            return unusable(e.response, out.status == Status::Open ? Status::Closed : out.status);
        message(e.response, HTTPResponse::HTTP_OK, "portal.signed", {v.title, v.reference});
    }

    void decline(Exchange& e) {
        const std::string& token = e.param("token");
        std::string reason = text::trim(e.form->get("reason", ""));
        if (reason.empty())
            return showSigning(e, installation.signing().view(token),
                               HTTPResponse::HTTP_BAD_REQUEST, t("portal.reason-missing"));
        reason = text::truncateUtf8(reason, kMaxReasonChars);
        const auto v = installation.signing().view(token, false);
        const auto out = installation.signing().decline(token, reason, address(e),
                                                        e.request.get("User-Agent", ""));
        if (out.status != Status::Open || !out.refusal.empty())
            return unusable(e.response, out.status == Status::Open ? Status::Closed : out.status);
        message(e.response, HTTPResponse::HTTP_OK, "portal.declined", {v.title, v.reference});
    }

    // One line per request: method, path with any link token redacted, status, milliseconds.
    // Nothing that names the one asking: no address, user, e-mail or query.
    void logRequest(const HTTPServerRequest& request, const HTTPServerResponse& response,
                    std::chrono::steady_clock::time_point start) const {
        if (!log.information())
            return;
        std::string path = request.getURI();
        path.resize(std::min(path.find('?'), path.size()));
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        char figures[32];
        std::snprintf(figures, sizeof figures, " %d %.1f ms", static_cast<int>(response.getStatus()),
                      ms);
        log.information(request.getMethod() + " " + redactedPath(path) + figures);
    }
};

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(Portal::Impl& impl) : impl_(impl) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        const auto start = std::chrono::steady_clock::now();
        try {
            impl_.router.dispatch(request, response);
        } catch (const engine::Unavailable& e) {
            // The database is down or restarting: nothing was written; the pool reconnects
            // by itself once it is back.
            std::cerr << "avtaleflyt serve: " << request.getMethod() << " "
                      << request.getURI().substr(0, 3) << "...: " << e.what() << std::endl;
            if (!response.sent()) {
                response.set("Retry-After", "30");
                impl_.message(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
                              "portal.unavailable");
            }
        } catch (const std::exception& e) {
            std::cerr << "avtaleflyt serve: " << request.getMethod() << " "
                      << request.getURI().substr(0, 3) << "...: " << e.what() << std::endl;
            if (!response.sent()) {
                response.setStatus(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                response.setContentType("text/plain; charset=utf-8");
                response.send() << "Internal error\n";
            }
        }
        impl_.logRequest(request, response, start);
        Connections::waiting();
    }

  private:
    Portal::Impl& impl_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(Portal::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        Connections::answering();
        return new Handler(impl_);
    }
    // Each connection ends after the request it is answering (as HTTPServer::stopAll does).
    void stopConnections() { serverStopped(this, false); }

  private:
    Portal::Impl& impl_;
};

}  // namespace

Portal::Portal(engine::Installation& installation, const PortalSettings& settings)
    : impl_(std::make_unique<Impl>(installation, settings)) {
    Poco::Net::ServerSocket socket(
        Poco::Net::SocketAddress(settings.bind, static_cast<Poco::UInt16>(settings.port)));
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;  // shared
    params->setMaxThreads(kMaxConnections);
    params->setMaxQueued(256);
    params->setTimeout(Poco::Timespan(30, 0));
    // An idle connection gives its thread back after 5 s, a busy one after 100 requests, so a
    // few keep-alive clients cannot hold every thread.
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setMaxKeepAliveRequests(100);
    impl_->handlers = new Factory(*impl_);
    Connections::Limits limits;
    limits.perAddress = settings.maxConnectionsPerAddress;
    limits.headerTime = settings.headerTime;
    limits.bodyTime = settings.bodyTime;
    limits.exempt = settings.trustedProxy;
    limits.refusedText = impl_->messages.text("portal.too-many-connections") + "\n";
    impl_->connections = std::make_unique<Connections>(params, impl_->handlers, limits);
    impl_->server = std::make_unique<Poco::Net::TCPServer>(impl_->connections->factory(),
                                                           impl_->threads, socket, params);
}

Portal::~Portal() {
    stop();
}

void Portal::start() {
    impl_->server->start();
}

void Portal::stop() {
    if (!impl_->server)
        return;
    impl_->server->stop();  // nothing new accepted
    static_cast<Factory&>(*impl_->handlers).stopConnections();  // no request after the current
    impl_->connections->stop();  // the waiting ones shut, the answering ones finish
    impl_->threads.joinAll();
}

unsigned Portal::port() const {
    return impl_->server->port();
}

std::vector<const Route*> Portal::routes() const {
    return impl_->router.routes();
}

}  // namespace avtaleflyt::portal
