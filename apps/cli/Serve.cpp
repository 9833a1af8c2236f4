// serve: the signing portal and the dashboard over HTTP, with the reminder sweep and the outbox
// dispatcher beside them.
#include "Serve.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "Portal.h"

namespace avtaleflyt::cli {

void printDispatch(std::ostream& out, const engine::DispatchReport& report) {
    for (const auto& line : report.sent) out << "  sent    " << line << '\n';
    for (const auto& line : report.failed) out << "  failed  " << line << '\n';
}

namespace {

unsigned portOption(const Context& ctx, const std::string& name, unsigned fallback) {
    const std::string value = ctx.inv.value(name, std::to_string(fallback));
    try {
        std::size_t used = 0;
        const unsigned long port = std::stoul(value, &used);
        if (used == value.size() && port <= 65535)
            return static_cast<unsigned>(port);
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + ": \"" + value + "\" is not a port number (0-65535)");
}

// A host as it stands in a URL: IPv6 literals in brackets.
std::string urlHost(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// Where signing links point when portal.url is not set: the address serve listens on, or this
// machine's loopback address when it listens on every address.
std::string listeningUrl(const std::string& bind, unsigned port) {
    const bool everywhere = bind == "0.0.0.0" || bind == "::";
    return "http://" + (everywhere ? std::string("127.0.0.1") : urlHost(bind)) + ":" +
           std::to_string(port);
}

bool isLoopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// What is wrong with the signing links' address for a serve listening on `bind`:`port`, if
// anything: a configured portal.url on this machine at another port, or no portal.url while
// listening on every address (the links then open on this machine only).
std::optional<std::string> portalUrlWarning(const std::string& configured, const std::string& bind,
                                            unsigned port, const std::string& listening) {
    if (configured.empty()) {
        if (bind == "0.0.0.0" || bind == "::")
            return "portal.url is not set, so signing links point to " + listening +
                   ", which opens on this machine only: set portal.url to the address signers "
                   "use";
        return std::nullopt;
    }
    Poco::URI uri;
    try {
        uri = Poco::URI(configured);
    } catch (const Poco::Exception&) {
        return "portal.url \"" + configured + "\" is not a URL: signing links will not work";
    }
    const bool here = isLoopback(uri.getHost()) || uri.getHost() == bind;
    if (here && uri.getPort() != port)
        return "portal.url is " + configured + ", but serve listens on port " +
               std::to_string(port) +
               ": signing links will not reach it (correct portal.url, or leave it out to "
               "follow serve)";
    return std::nullopt;
}

}  // namespace

int runServe(Context& ctx) {
    const unsigned port = portOption(ctx, "port", 8080);
    const std::string every = ctx.inv.value("dispatch-every", "30");
    int seconds = 0;
    try {
        seconds = std::stoi(every);
    } catch (const std::exception&) {
    }
    if (seconds < 1)
        throw UsageError("--dispatch-every: \"" + every + "\" is not a number of seconds (>= 1)");
    engine::Installation& installation = ctx.installation();

    // SIGINT and SIGTERM are blocked in every thread; this one waits for them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    std::mutex output;  // the dispatcher's lines and the stopping message, whole
    portal::PortalSettings settings;
    settings.bind = ctx.inv.value("bind", settings.bind);
    settings.port = port;
    settings.language = ctx.settings().language;
        settings.secureCookies = ctx.settings().portalUrl.rfind("https://", 0) == 0;
    settings.trustedProxy = ctx.settings().trustedProxy;
    portal::Portal portal(installation, settings);
    portal.start();
    {
        std::lock_guard<std::mutex> guard(output);
        const std::string listening = listeningUrl(settings.bind, portal.port());
        installation.listenAt(listening);
        // A send from the dashboard renders on all cores but one: the requests keep theirs.
        installation.renderWith(std::max(2u, std::thread::hardware_concurrency()) - 1);
        if (const auto warning = portalUrlWarning(ctx.settings().portalUrl, settings.bind,
                                                  portal.port(), listening))
            ctx.err << "avtaleflyt serve: warning: " << *warning << std::endl;
        ctx.out << "Listening on http://" << urlHost(settings.bind) << ":" << portal.port()
                << "/ (signing links start with " << installation.portalUrl() << "/s/)\n"
                << "Reminding and sending the outbox every " << seconds
                << " s. Stop with Ctrl-C or SIGTERM."
                << std::endl;
    }
    std::atomic<bool> stopping{false};
    std::mutex wake;
    std::condition_variable wakeUp;
    std::thread dispatcher([&] {
        while (!stopping) {
            {
                std::lock_guard<std::mutex> guard(output);
                try {
                    for (const auto& line : installation.reminders().runDue(ctx.by(), false).fired)
                        ctx.out << "  timer   " << line << '\n';
                    printDispatch(ctx.out, installation.outbox().deliver(ctx.by()));
                    ctx.out.flush();
                } catch (const std::exception& e) {
                    ctx.err << "avtaleflyt serve: sending the outbox: " << e.what() << std::endl;
                }
            }
            std::unique_lock<std::mutex> sleeping(wake);
            wakeUp.wait_for(sleeping, std::chrono::seconds(seconds), [&] { return stopping.load(); });
        }
    });
    int received = 0;
    sigwait(&signals, &received);
    {
        std::lock_guard<std::mutex> guard(output);
        ctx.out << "Stopping (" << (received == SIGTERM ? "SIGTERM" : "SIGINT") << ")..."
                << std::endl;
    }
    {
        std::lock_guard<std::mutex> guard(wake);
        stopping = true;
    }
    wakeUp.notify_all();
    portal.stop();
    dispatcher.join();
    ctx.out << "Stopped." << std::endl;
    return 0;
}

}  // namespace avtaleflyt::cli
