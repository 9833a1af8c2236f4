#pragma once
// The reports leaders read: outstanding signatures (table, CSV, HTML with a chart, PDF, JSON)
// and the one-screen status.

#include "Output.h"

namespace avtaleflyt::cli {

class Context;

// What report missing writes: table, csv, html, pdf, json.
const Formats& reportFormats();

int runReportMissing(Context& ctx);
int runStatus(Context& ctx);

}  // namespace avtaleflyt::cli
