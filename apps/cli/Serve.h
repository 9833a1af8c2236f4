#pragma once
// serve: the portal, the dashboard, the sweep and the dispatcher in one process, until SIGINT or
// SIGTERM.

#include <ostream>

#include "Commands.h"

namespace avtaleflyt::cli {

int runServe(Context& ctx);

// What a run of the dispatcher did, one line per message (outbox send, serve).
void printDispatch(std::ostream& out, const engine::DispatchReport& report);

}  // namespace avtaleflyt::cli
