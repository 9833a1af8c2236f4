#include "SchemaCommands.h"

#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>

#include <ostream>

#include "CommandLine.h"
#include "Commands.h"
#include "Output.h"
#include "avtaleflyt/archive/Package.h"
#include "avtaleflyt/archive/Schemas.h"
#include "avtaleflyt/documents/Files.h"

namespace avtaleflyt::cli {
namespace {

struct NamedSet {
    const char* name;  // the folder it comes from and is exported to: noark5, arkivmelding
    const archive::SchemaFiles* files;
};

std::vector<NamedSet> shippedSets() {
    return {{"noark5", &archive::noark5Schemas()},
            {"arkivmelding", &archive::arkivmeldingSchemas()}};
}

}  // namespace

int runSchemaList(Context& ctx) {
    const std::string format = ctx.inv.value("format", "table");
    if (format != "table" && format != "json")
        throw UsageError("unknown format \"" + format + "\" (use table or json)");
    Poco::JSON::Array list;
    std::vector<std::vector<std::string>> rows;
    for (const auto& set : shippedSets())
        for (const auto& [name, text] : *set.files) {
            const std::string sha = archive::sha256Hex(text);
            rows.push_back({set.name, name, std::to_string(text.size()), sha});
            Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
            o.set("set", std::string(set.name));
            o.set("file", name);
            o.set("bytes", static_cast<Poco::UInt64>(text.size()));
            o.set("sha256", sha);
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
        const Poco::File file(path);
        if (!file.exists() || !file.isFile()) {
            ctx.out << path << ": no such file\n";
            ++bad;
            continue;
        }
        const auto ns = archive::rootNamespace(path);
        if (!ns) {
            ctx.out << path << ":1: xml: not well-formed XML\n";
            ++bad;
            continue;
        }
        const auto choice = archive::shippedSchemaFor(*ns);
        if (!choice) {
            ctx.out << path << ": no shipped schema for its root element's namespace \"" << *ns
                    << "\"\n";
            ++bad;
            continue;
        }
        const auto problems = archive::validateXmlFile(path, path, *choice->files, choice->main);
        for (const auto& p : problems) ctx.out << p << '\n';
        if (problems.empty())
            ctx.out << path << ": valid (" << choice->set << ", " << choice->main << ")\n";
        else
            ++bad;
    }
    return bad == 0 ? 0 : 1;
}

int runSchemaExport(Context& ctx) {
    const std::string dir = ctx.inv.args.at(0);
    for (const auto& set : shippedSets()) {
        const std::string folder = Poco::Path(dir).append(set.name).toString();
        Poco::File(folder).createDirectories();
        for (const auto& [name, text] : *set.files)
            documents::writeFileAtomically(Poco::Path(folder).append(name).toString(), text);
    }
    ctx.out << "Wrote the shipped schemas to " << dir << "/noark5 and " << dir
            << "/arkivmelding.\n";
    return 0;
}

}  // namespace avtaleflyt::cli
