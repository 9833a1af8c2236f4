#pragma once
// The shipped XML schemas (Noark 5, arkivmelding): list them, check files against them, and
// write them out for other tools (xmllint, Arkade 5).

namespace avtaleflyt::cli {

class Context;

int runSchemaList(Context& ctx);
int runSchemaCheck(Context& ctx);
int runSchemaExport(Context& ctx);

}  // namespace avtaleflyt::cli
