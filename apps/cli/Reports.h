#pragma once
// The reports leaders read: outstanding signatures (table, CSV, HTML with a chart, PDF) and the
// one-screen status.

namespace avtaleflyt::cli {

class Context;

int runReportMissing(Context& ctx);
int runStatus(Context& ctx);

}  // namespace avtaleflyt::cli
