// serve: the signing portal and the dashboard over HTTP, with the reminder sweep and the outbox
// dispatcher beside them.
#include "Serve.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include "ServeSubsystems.h"

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

// Blocks the signals waitForTerminationRequest() waits for, in this thread and so in every thread
// started from it: they reach that wait only, never a thread that would die of them.
void blockTerminationSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

}  // namespace

// Not ServerApplication::run(argc, argv), which daemonizes on --daemon.
int CliApplication::run() {
    return Application::run();
}

// Application's options, without ServerApplication's --daemon, --umask and --pidfile.
void CliApplication::defineOptions(Poco::Util::OptionSet& options) {
    Application::defineOptions(options);
}

int CliApplication::serve(Context& ctx) {
    const unsigned port = portOption(ctx, "port", 8080);
    const std::string every = ctx.inv.value("dispatch-every", "30");
    int seconds = 0;
    try {
        seconds = std::stoi(every);
    } catch (const std::exception&) {
    }
    if (seconds < 1)
        throw UsageError("--dispatch-every: \"" + every + "\" is not a number of seconds (>= 1)");
    blockTerminationSignals();
    Poco::Logger& log = Poco::Logger::get("avtaleflyt.serve");
    log.information("starting avtaleflyt %s on the data folder %s", std::string(AVTALEFLYT_VERSION),
                    ctx.dataDir);
    engine::Installation& installation = ctx.installation();

    portal::PortalSettings settings;
    settings.bind = ctx.inv.value("bind", settings.bind);
    settings.port = port;
    settings.language = ctx.settings().language;
    settings.secureCookies = ctx.settings().portalUrl.rfind("https://", 0) == 0;
    settings.trustedProxy = ctx.settings().trustedProxy;
    settings.maxConnectionsPerAddress = ctx.settings().maxConnectionsPerAddress;
    std::mutex output;  // the lines of the dispatcher and of the sweep, each round's whole
    const std::chrono::seconds period(seconds);
    HttpSubsystem http(installation, settings);
    PeriodicSubsystem dispatcher("avtaleflyt.dispatcher", "sending the outbox", period, [&] {
        const engine::DispatchReport report = installation.outbox().deliver(ctx.by());
        if (!report.failed.empty())
            Poco::Logger::get("avtaleflyt.dispatcher")
                .warning(
                    "mails not sent: %z, tried again later ('avtaleflyt outbox list' says why)",
                    report.failed.size());
        std::lock_guard<std::mutex> guard(output);
        printDispatch(ctx.out, report);
        ctx.out.flush();
    });
    PeriodicSubsystem sweep("avtaleflyt.sweep", "the reminder sweep", period, [&] {
        const auto fired = installation.reminders().runDue(ctx.by(), false).fired;
        std::lock_guard<std::mutex> guard(output);
        for (const auto& line : fired) ctx.out << "  timer   " << line << '\n';
        ctx.out.flush();
    });

    http.initialize(*this);
    const std::string listening = listeningUrl(settings.bind, http.port());
    installation.listenAt(listening);
    // A send from the dashboard renders on all cores but one: the requests keep theirs.
    installation.renderWith(std::max(2u, std::thread::hardware_concurrency()) - 1);
    log.information("listening on http://%s:%u/, signing links start with %s/s/",
                    urlHost(settings.bind), http.port(), installation.portalUrl());
    if (const auto warning =
            portalUrlWarning(ctx.settings().portalUrl, settings.bind, http.port(), listening))
        log.warning(*warning);
    ctx.out << "Listening on http://" << urlHost(settings.bind) << ":" << http.port()
            << "/ (signing links start with " << installation.portalUrl() << "/s/)\n"
            << "Reminding and sending the outbox every " << seconds
            << " s. Stop with Ctrl-C or SIGTERM." << std::endl;
    dispatcher.initialize(*this);
    sweep.initialize(*this);

    waitForTerminationRequest();
    log.information("stopping");
    {
        std::lock_guard<std::mutex> guard(output);
        ctx.out << "Stopping..." << std::endl;
    }
    sweep.uninitialize();
    dispatcher.uninitialize();
    http.uninitialize();
    log.information("stopped");
    ctx.out << "Stopped." << std::endl;
    return 0;
}

int runServe(Context& ctx) {
    return dynamic_cast<CliApplication&>(Poco::Util::Application::instance()).serve(ctx);
}

}  // namespace avtaleflyt::cli
