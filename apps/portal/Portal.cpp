#include "Portal.h"

#include "Dashboard.h"
#include "Html.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/ThreadPool.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <iostream>

#include "avtaleflyt/documents/Messages.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::portal {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Status = engine::SigningView::Status;

constexpr std::size_t kMaxFormBytes = 16 * 1024;
constexpr std::size_t kMaxReasonChars = 2000;

const char* kStyle = R"(
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,sans-serif;font-size:17px;line-height:1.5;color:#1a1a1a;background:#f3f5f7}
main{max-width:46rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}
h2{font-size:1.15rem;margin:1.25rem 0 .25rem}
.network{color:#555;margin:0;font-size:.95rem}
.notice{padding:.75rem 1rem;border-radius:6px;background:#fff4d6;border:1px solid #e0c060}
.document{border:1px solid #d0d5da;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0;max-height:60vh;overflow:auto}
form{margin:1rem 0}
label{display:block;margin:.5rem 0}
input[type=checkbox]{width:1.3rem;height:1.3rem;vertical-align:middle;margin-right:.5rem}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem}
button{font:inherit;font-size:1.1rem;padding:.75rem 1.5rem;border:0;border-radius:6px;background:#1d5c96;color:#fff;width:100%;max-width:20rem}
.decline button{background:#7a2e2e}
details{margin:1.5rem 0}
summary{cursor:pointer;color:#1d5c96}
.error{color:#a00000;font-weight:bold}
)";

using html::esc;


}  // namespace

constexpr int kMaxConnections = 64;  // connections served at once, each on a thread of its own

struct Portal::Impl {
    engine::Installation& installation;
    PortalSettings settings;
    const documents::Messages& messages;
    std::string secret;  // for CSRF tokens; new for every start of the server
    html::Throttle throttle;
    Dashboard dashboard;
    // A keep-alive connection holds its thread while it is open: enough threads that every
    // connection a busy hour brings is answered (with 8, 24 of 32 browsers waited for minutes).
    Poco::ThreadPool threads{4, kMaxConnections};
    std::unique_ptr<Poco::Net::HTTPServer> server;  // stopped before `threads` goes

    Impl(engine::Installation& i, const PortalSettings& s)
        : installation(i),
          settings(s),
          messages(documents::Messages::forLanguage(s.language)),
          secret(32, '\0'),
          throttle(s.maxUnknownLinks),
          dashboard(i, {s.language, s.secureCookies, s.trustedProxy, s.maxUnknownLinks}) {
        RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), static_cast<int>(secret.size()));
    }

    std::string t(const std::string& key, const std::vector<std::string>& args = {}) const {
        return messages.text(key, args);
    }

    
    std::string csrfFor(const std::string& token) const {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &len);
        return text::hex(mac, len);
    }


    void page(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
              const std::string& title, const std::string& body) const {
        html::send(response, status, "text/html; charset=utf-8",
                   html::page(settings.language, title, "<main>" + body + "</main>", "/portal.css"));
    }

    void message(HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
                 const std::string& key, const std::vector<std::string>& args = {}) const {
        page(response, status, t(key + ".title"),
             "<h1>" + esc(t(key + ".title")) + "</h1><p>" + esc(t(key + ".text", args)) + "</p>");
    }

    // The page for a link that cannot be used, with the status that says why.
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

    void signingPage(HTTPServerResponse& response, const std::string& token,
                     const engine::SigningView& view, HTTPResponse::HTTPStatus status,
                     const std::string& error) const {
        std::string body = "<p class=\"network\">" + esc(view.network) + "</p><h1>" +
                           esc(view.title) + "</h1><p>" +
                           esc(t("portal.for", {view.signerName, t("role." + view.signerRole)})) +
                           (view.organisation.empty() ? "" : ", " + esc(view.organisation)) +
                           "</p>";
        if (!view.deadline.empty())
                        body += "<p>" + esc(t("portal.deadline", {html::date(view.deadline, settings.language)})) + "</p>";
        if (!error.empty())
            body += "<p class=\"notice error\" role=\"alert\">" + esc(error) + "</p>";
        body += "<article class=\"document\" aria-label=\"" + esc(t("portal.document")) +
                "\"><h2>" + esc(view.document.title) + "</h2>";
        bool inList = false;
        for (const auto& b : view.document.blocks) {
            const bool item = b.kind == TemplateBlock::Kind::ListItem;
            if (inList && !item)
                body += "</ul>";
            if (item && !inList)
                body += "<ul>";
            inList = item;
            if (b.kind == TemplateBlock::Kind::Heading)
                body += b.level <= 1 ? "<h2>" + esc(b.text) + "</h2>" : "<h3>" + esc(b.text) + "</h3>";
            else if (item)
                body += "<li>" + esc(b.text) + "</li>";
            else
                body += "<p>" + esc(b.text) + "</p>";
        }
        body += std::string(inList ? "</ul>" : "") + "</article>";
        const std::string base = "/s/" + esc(token);
        const std::string csrf =
            "<input type=\"hidden\" name=\"csrf\" value=\"" + csrfFor(token) + "\">";
        body += "<p><a href=\"" + base + "/dokument.pdf\">" + esc(t("portal.pdf")) + "</a></p>";
        body += "<form method=\"post\" action=\"" + base + "/sign\" class=\"sign\">" + csrf +
                "<label><input type=\"checkbox\" name=\"confirm\" value=\"yes\" required>" +
                esc(t("portal.confirm")) + "</label><button type=\"submit\">" +
                esc(t("portal.sign")) + "</button></form>";
        body += "<details><summary>" + esc(t("portal.decline.title")) +
                "</summary><form method=\"post\" action=\"" + base +
                "/decline\" class=\"decline\">" + csrf + "<label for=\"reason\">" +
                esc(t("portal.decline.reason")) +
                "</label><textarea id=\"reason\" name=\"reason\" required maxlength=\"" +
                std::to_string(kMaxReasonChars) + "\"></textarea><button type=\"submit\">" +
                esc(t("portal.decline")) + "</button></form></details>";
        page(response, status, t("portal.title") + " – " + view.reference, body);
    }

    void handle(HTTPServerRequest& request, HTTPServerResponse& response) {
        const std::string address = html::clientAddress(request, settings.trustedProxy);
        std::string path = request.getURI();
        if (const auto q = path.find('?'); q != std::string::npos)
            path.resize(q);
        if (dashboard.handle(request, response, path))
            return;
        const bool get = request.getMethod() == "GET" || request.getMethod() == "HEAD";
        const bool post = request.getMethod() == "POST";
        if (path == "/" && get)
            return page(response, HTTPResponse::HTTP_OK, t("portal.title"),
                        "<h1>" + esc(t("portal.title")) + "</h1><p>" + esc(t("portal.home.text")) +
                            "</p>");
        if (path == "/portal.css" && get) {
            return html::send(response, HTTPResponse::HTTP_OK, "text/css; charset=utf-8", kStyle);
        }
        if (path.rfind("/s/", 0) != 0)
            return message(response, HTTPResponse::HTTP_NOT_FOUND, "portal.unknown");
        std::string rest = path.substr(3), action;
        if (const auto slash = rest.find('/'); slash != std::string::npos) {
            action = rest.substr(slash + 1);
            rest.resize(slash);
        }
        const std::string token = rest;
        if (throttle.blocked(address))
            return message(response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "portal.too-many");

        // Only a page that shows the document needs its text.
        const engine::SigningView view =
            installation.signing().view(token, get && action.empty());
        if (view.status == Status::Unknown)
            throttle.failed(address);
        if (get && action.empty()) {
            if (view.status != Status::Open)
                return unusable(response, view.status);
            return signingPage(response, token, view, HTTPResponse::HTTP_OK, "");
        }
        if (get && action == "dokument.pdf") {
            const auto pdf = installation.signing().document(token);
            if (!pdf)
                return unusable(response, view.status == Status::Open ? Status::Unknown : view.status);
            response.set("Content-Disposition", "inline; filename=\"" + view.reference + ".pdf\"");
            return html::send(response, HTTPResponse::HTTP_OK, "application/pdf", *pdf);
        }
        if (!post || (action != "sign" && action != "decline")) {
            response.set("Allow", action.empty() || action == "dokument.pdf" ? "GET" : "POST");
            return message(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "portal.unknown");
        }
        if (view.status != Status::Open)
            return unusable(response, view.status);

        // The form: bounded, url-encoded, with the CSRF token of this link.
        const auto form = html::readForm(request, kMaxFormBytes);
        if (!form)
            return message(response, HTTPResponse::HTTP_BAD_REQUEST, "portal.forbidden");
        if (form->get("csrf", "") != csrfFor(token))
            return message(response, HTTPResponse::HTTP_FORBIDDEN, "portal.forbidden");
        const std::string agent = request.get("User-Agent", "");
        if (action == "sign") {
            if (form->get("confirm", "") != "yes")
                return signingPage(response, token, installation.signing().view(token),
                                   HTTPResponse::HTTP_BAD_REQUEST, t("portal.confirm-missing"));
            const auto out = installation.signing().sign(token, address, agent);
            if (out.status != Status::Open || !out.refusal.empty())
                return unusable(response, out.status == Status::Open ? Status::Closed : out.status);
            return message(response, HTTPResponse::HTTP_OK, "portal.signed",
                           {view.title, view.reference});
        }
        std::string reason = text::trim(form->get("reason", ""));
        if (reason.empty())
            return signingPage(response, token, installation.signing().view(token),
                               HTTPResponse::HTTP_BAD_REQUEST, t("portal.reason-missing"));
        if (reason.size() > kMaxReasonChars)
            reason.resize(kMaxReasonChars);
        const auto out = installation.signing().decline(token, reason, address, agent);
        if (out.status != Status::Open || !out.refusal.empty())
            return unusable(response, out.status == Status::Open ? Status::Closed : out.status);
        return message(response, HTTPResponse::HTTP_OK, "portal.declined",
                       {view.title, view.reference});
    }
};

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(Portal::Impl& impl) : impl_(impl) {}
    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        try {
            impl_.handle(request, response);
                } catch (const std::exception& e) {
            std::cerr << "avtaleflyt serve: " << request.getMethod() << " "
                      << request.getURI().substr(0, 3) << "...: " << e.what() << std::endl;
            if (!response.sent()) {
                response.setStatus(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                response.setContentType("text/plain; charset=utf-8");
                response.send() << "Internal error\n";
            }
        }
    }

  private:
    Portal::Impl& impl_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(Portal::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(impl_);
    }

  private:
    Portal::Impl& impl_;
};

}  // namespace

Portal::Portal(engine::Installation& installation, const PortalSettings& settings)
    : impl_(std::make_unique<Impl>(installation, settings)) {
    Poco::Net::ServerSocket socket(
        Poco::Net::SocketAddress(settings.bind, static_cast<Poco::UInt16>(settings.port)));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kMaxConnections);
    params->setMaxQueued(256);
    params->setTimeout(Poco::Timespan(30, 0));
    // An idle connection gives its thread back after 5 s, a busy one after 100 requests, so a
    // few keep-alive clients cannot hold every thread.
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setMaxKeepAliveRequests(100);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), impl_->threads,
                                                            socket, params);
}

Portal::~Portal() {
    stop();
}

void Portal::start() {
    impl_->server->start();
}

void Portal::stop() {
    if (impl_->server)
        impl_->server->stopAll(true);
}

unsigned Portal::port() const {
    return impl_->server->port();
}

}  // namespace avtaleflyt::portal
