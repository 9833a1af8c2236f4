#pragma once
// serve: the portal and the dashboard over HTTP, the outbox dispatcher and the reminder sweep, each
// a subsystem (ServeSubsystems.h), in one process until a termination request.

#include <Poco/Util/ServerApplication.h>

#include <ostream>

#include "Commands.h"

namespace avtaleflyt::cli {

// The application every avtaleflyt command runs in (main.cpp's derives from it): a
// Poco::Util::ServerApplication, so that serve waits for SIGINT, SIGTERM or SIGQUIT the way Poco
// servers do. It never daemonizes, since systemd runs serve in the foreground: run() is
// Application::run, and ServerApplication's --daemon, --umask and --pidfile are not options.
class CliApplication : public Poco::Util::ServerApplication {
  public:
    int run() override;
    // The serve command: starts the HTTP subsystem, then the dispatcher and the sweep, each on a
    // thread of its own and every --dispatch-every seconds; on a termination request stops them
    // in reverse, the requests under way finished and the threads joined. Returns 0 once stopped.
    int serve(Context& ctx);

  protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
};

// The serve command of the command table: serve() of the running CliApplication.
int runServe(Context& ctx);

// What a run of the dispatcher did, one line per message (outbox send, serve).
void printDispatch(std::ostream& out, const engine::DispatchReport& report);

}  // namespace avtaleflyt::cli
