#include "SchemaCommands.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <ostream>

#include "CommandLine.h"
#include "Commands.h"
#include "Output.h"

namespace avtaleflyt::cli {

int runSchemaList(Context& ctx) {
    const std::string format = ctx.inv.value("format", "table");
    if (format != "table" && format != "json")
        throw UsageError("unknown format \"" + format + "\" (use table or json)");
    Poco::JSON::Array list;
    std::vector<std::vector<std::string>> rows;
    for (const auto& schema : engine::Records::shippedSchemas()) {
        rows.push_back({schema.set, schema.file, std::to_string(schema.bytes), schema.sha256});
        Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
        o.set("set", schema.set);
        o.set("file", schema.file);
        o.set("bytes", static_cast<Poco::UInt64>(schema.bytes));
        o.set("sha256", schema.sha256);
        list.add(o);
    }
    if (format == "json") {
        list.stringify(ctx.out, 2);
        ctx.out << '\n';
    } else {
        printTable(ctx.out, {"SET", "FILE", "BYTES", "SHA-256"}, rows);
    }
    return 0;
}

int runSchemaCheck(Context& ctx) {
    int bad = 0;
    for (const auto& path : ctx.inv.args) {
        const auto check = engine::Records::checkXmlFile(path);
        for (const auto& p : check.problems) ctx.out << p << '\n';
        if (check.problems.empty())
            ctx.out << path << ": valid (" << check.set << ", " << check.schema << ")\n";
        else
            ++bad;
    }
    return bad == 0 ? 0 : 1;
}

int runSchemaExport(Context& ctx) {
    const std::string dir = ctx.inv.args.at(0);
    engine::Records::exportSchemas(dir);
    ctx.out << "Wrote the shipped schemas to " << dir << "/noark5 and " << dir
            << "/arkivmelding.\n";
    return 0;
}

}  // namespace avtaleflyt::cli
