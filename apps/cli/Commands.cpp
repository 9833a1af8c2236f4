#include "Commands.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "Output.h"
#include "Portal.h"
#include "Reports.h"
#include "SchemaCommands.h"
#include "Serve.h"
#include "avtaleflyt/domain/RosterSheet.h"
#include "avtaleflyt/domain/RosterSummary.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/domain/WorkingTime.h"
#include "avtaleflyt/engine/Files.h"
#include "avtaleflyt/engine/SampleNetwork.h"

namespace avtaleflyt::cli {

Context::Context(const Invocation& i, std::string dir, std::unique_ptr<Clock> clock,
                 std::string defaultNetwork, engine::Settings settings, std::ostream& o,
                 std::ostream& e)
    : inv(i),
      dataDir(std::move(dir)),
      out(o),
      err(e),
      clock_(std::move(clock)),
      defaultNetwork_(std::move(defaultNetwork)),
      settings_(std::move(settings)) {}

std::string Context::actor() const {
    const std::string user = Poco::Environment::get("USER", Poco::Environment::get("LOGNAME", ""));
    return user.empty() ? "cli" : "cli:" + user;
}

engine::Installation& Context::installation() {
    if (!installation_)
        installation_.emplace(dataDir, *clock_, settings_);
    return *installation_;
}

std::string Context::network() const {
    return inv.value("network", defaultNetwork_);
}

namespace {

const OptionSpec kNetworkOption{"network", "NAME",
                                "the network (default: network.default in the configuration, or "
                                "the only network there is)"};

using engine::formatCsv;
using engine::readFile;
using engine::writeFileAtomically;

// What the commands with --format write (tableOrJson() for most; docs/json-output.md).
const Formats kTableCsvJson = {"table", "csv", "json"};
const Formats kTextOrJson = {"text", "json"};

// A person as JSON: {"name", "email"}, or null when there is nobody.
json::Var personJson(const Person* p) {
    if (!p)
        return json::null();
    json::ObjectPtr o = json::object();
    o->set("name", p->name);
    o->set("email", p->email);
    return o;
}

// --- init -----------------------------------------------------------------------------------

int runInit(Context& ctx) {
    const std::string configured = ctx.settings().databaseUrl;
    const std::string given = ctx.inv.value("database", "");
    if (!given.empty() && !configured.empty() && given != configured)
        throw UsageError("--database: " + ctx.dataDir + "/" + engine::Installation::kConfigFile +
                         " names another database (database.url = " + configured +
                         "); change it there, or leave out --database");
    const std::string url = given.empty() ? configured : given;
    const bool created = engine::Installation::init(ctx.dataDir, ctx.clock(), ctx.by(), url);
    ctx.useDatabase(url);
    auto& inst = ctx.installation();
    const std::string where = url.empty() ? "" : ", its database " + inst.databaseName();
    if (created)
        ctx.out << "Created an avtaleflyt installation in " << ctx.dataDir << where
                << " (schema version " << inst.schemaVersion() << ").\n"
                << "Next: add a network with 'avtaleflyt network add NAME --area AREA ...'.\n";
    else
        ctx.out << "An installation exists in " << ctx.dataDir << where
                << " already (schema version " << inst.schemaVersion()
                << "); nothing was changed.\n";
    return 0;
}

int runMigrateTo(Context& ctx) {
    const std::string url = ctx.inv.args.at(0);
    const auto report = ctx.installation().migrateTo(ctx.by(), url);
    ctx.out << "Copied the installation in " << ctx.dataDir << " into " << report.target
            << ":\n";
    for (const auto& [table, rows] : report.rows)
        ctx.out << "  " << table << ": " << rows << " rows\n";
    ctx.out << "Proved: every table has as many rows as " << engine::Installation::kDatabaseFile
            << ", the audit log verifies, and its head is the same (event " << report.events
            << ", " << report.headHash << ").\n"
            << "The move is recorded as the next audit event, and " << ctx.dataDir << "/"
            << engine::Installation::kConfigFile << " now says database.url = " << url
            << ": from now on the installation runs on PostgreSQL. "
            << engine::Installation::kDatabaseFile << " is left as it was.\n";
    return 0;
}

// --- network ----------------------------------------------------------------------------------

int runNetworkAdd(Context& ctx) {
    const auto it = ctx.inv.values.find("area");
    const std::vector<std::string> areas =
        it == ctx.inv.values.end() ? std::vector<std::string>{} : it->second;
    if (areas.empty())
        throw UsageError("network add needs at least one --area");
    const auto net = ctx.installation().rosters().addNetwork(ctx.by(), ctx.inv.args.at(0), areas);
    ctx.out << "Added network \"" << net.name << "\" with " << net.areas.size() << " areas.\n";
    return 0;
}

int runNetworkAddArea(Context& ctx) {
    auto& inst = ctx.installation();
    inst.rosters().addArea(ctx.by(), ctx.network(), ctx.inv.args.at(0));
    ctx.out << "Added area \"" << text::trim(ctx.inv.args.at(0)) << "\" to \""
            << inst.rosters().network(ctx.network()).name << "\".\n";
    return 0;
}

int runNetworkList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const auto networks = ctx.installation().rosters().networks();
    if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& n : networks) {
            json::ObjectPtr o = json::object();
            o->set("name", n.name);
            o->set("areas", json::strings(n.areas));
            o->set("created_at", json::timestamp(n.createdAt));
            list->add(o);
        }
        json::print(ctx.out, list);
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : networks) {
        rows.push_back({n.name, text::join(n.areas), n.createdAt.substr(0, 10)});
    }
    if (rows.empty()) {
        ctx.out << "No networks yet. Add one with 'avtaleflyt network add NAME --area AREA ...'.\n";
        return 0;
    }
    printTable(ctx.out, {"Network", "Areas", "Created"}, rows);
    return 0;
}

// The counts of network show's table, set on `o`.
json::ObjectPtr setAreaCounts(json::ObjectPtr o, const AreaSummary& s) {
    o->set("units", s.units);
    o->set("leaders", s.leaders);
    o->set("active", s.active);
    o->set("on_leave", s.onLeave);
    o->set("left", s.left);
    return o;
}

int runNetworkShow(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    auto& inst = ctx.installation();
    const auto net = inst.rosters().network(ctx.network());
    const Roster roster = inst.rosters().roster(net);
    const Person* head = roster.person(roster.networkLeader);
    if (format == "json") {
        const auto summary = summarizeRoster(roster, net.areas);
        json::ObjectPtr doc = json::object();
        doc->set("network", net.name);
        doc->set("network_leader", personJson(head));
        json::ArrayPtr areas = json::array();
        for (std::size_t i = 0; i + 1 < summary.size(); ++i) {
            const auto& s = summary[i];
            const auto leader = roster.areaLeaders.find(s.area);
            json::ObjectPtr o = json::object();
            o->set("area", s.area);
            o->set("area_leader",
                   personJson(leader == roster.areaLeaders.end() ? nullptr
                                                                 : roster.person(leader->second)));
            areas->add(setAreaCounts(o, s));
        }
        doc->set("areas", areas);
        doc->set("total", setAreaCounts(json::object(), summary.back()));
        json::print(ctx.out, doc);
        return 0;
    }
    ctx.out << net.name << "\n";
    ctx.out << "Network leader: " << (head ? head->name : "(none)") << "\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : summarizeRoster(roster, net.areas)) {
        rows.push_back({s.area, s.areaLeader, std::to_string(s.units), std::to_string(s.leaders),
                        std::to_string(s.active), std::to_string(s.onLeave),
                        std::to_string(s.left)});
    }
    if (rows.size() > 1)
        rows.insert(rows.end() - 1, std::vector<std::string>(7, ""));
    printTable(ctx.out, {"Area", "Area leader", "Units", "Leaders", "Active", "On leave", "Left"},
               rows);
    return 0;
}

// --- import roster ----------------------------------------------------------------------------

const char* groupName(RosterChange::Group g) {
    return g == RosterChange::Group::Added ? "added"
           : g == RosterChange::Group::Changed ? "changed"
                                               : "left";
}

// The import's outcome as JSON: what changed (or would), and the problems that stopped it.
void printImportJson(Context& ctx, const engine::RosterImport& result, bool dryRun) {
    using G = RosterChange::Group;
    json::ObjectPtr doc = json::object();
    doc->set("source", result.source);
    doc->set("network", json::text(result.network.name));
    doc->set("dry_run", dryRun);
    doc->set("applied", result.applied);
    doc->set("added", result.diff.count(G::Added));
    doc->set("changed", result.diff.count(G::Changed));
    doc->set("left", result.diff.count(G::Left));
    json::ArrayPtr changes = json::array();
    for (const auto& c : result.diff.changes) {
        json::ObjectPtr o = json::object();
        o->set("group", std::string(groupName(c.group)));
        o->set("kind", c.kind);
        o->set("subject", c.subject);
        o->set("summary", c.summary);
        json::ObjectPtr details = json::object();
        for (const auto& [key, value] : c.details) details->set(key, value);
        o->set("details", details);
        changes->add(o);
    }
    doc->set("changes", changes);
    doc->set("case_effects", json::strings(result.caseEffects));
    doc->set("warnings", json::strings(result.warnings));
    json::ArrayPtr problems = json::array();
    for (const auto& p : result.problems) {
        json::ObjectPtr o = json::object();
        o->set("source", p.source);
        o->set("line", p.line);
        o->set("field", p.field);
        o->set("cause", p.cause);
        problems->add(o);
    }
    doc->set("problems", problems);
    json::print(ctx.out, doc);
}

int runImportRoster(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const bool dryRun = ctx.inv.has("dry-run");
    const auto result = ctx.installation().rosters().importRoster(ctx.by(), ctx.inv.args.at(0), ctx.network(), dryRun);
    if (format == "json") {
        printImportJson(ctx, result, dryRun);
        return result.problems.empty() ? 0 : 1;
    }
    for (const auto& w : result.warnings) ctx.err << "warning: " << w << '\n';
    if (!result.problems.empty()) {
        for (const auto& p : result.problems) ctx.err << p.toString() << '\n';
        ctx.err << result.problems.size()
                << (result.problems.size() == 1 ? " problem" : " problems") << " in "
                << result.source << "; nothing was imported.\n";
        return 1;
    }
    ctx.out << "Roster " << result.source << " for \"" << result.network.name << "\"";
    ctx.out << (dryRun ? " (dry run: nothing is written)\n" : "\n");
    if (result.diff.empty()) {
        ctx.out << "No changes: the stored roster matches the file.\n";
        return 0;
    }
    using G = RosterChange::Group;
    const std::pair<G, const char*> groups[] = {
        {G::Added, "Added"}, {G::Changed, "Changed"}, {G::Left, "Left"}};
    for (const auto& [group, title] : groups) {
        const std::size_t n = result.diff.count(group);
        if (n == 0)
            continue;
        ctx.out << "\n" << title << " (" << n << "):\n";
        const char mark = group == G::Added ? '+' : group == G::Changed ? '~' : '-';
        for (const auto& c : result.diff.changes)
            if (c.group == group)
                ctx.out << "  " << mark << ' ' << c.summary << '\n';
    }
    if (!result.caseEffects.empty()) {
        ctx.out << "\nOpen cases (" << result.caseEffects.size() << "):\n";
        for (const auto& e : result.caseEffects) ctx.out << "  * " << e << '\n';
    }
    ctx.out << "\n"
            << result.diff.count(G::Added) << " added, " << result.diff.count(G::Changed)
            << " changed, " << result.diff.count(G::Left) << " left. "
            << (result.applied
                    ? "Saved, with one audit-log event per change.\n"
                    : "Nothing written (dry run); run again without --dry-run to apply.\n");
    return 0;
}

// --- people list ------------------------------------------------------------------------------

// The roster narrowed to one area and/or status (leaders outside the area are dropped).
Roster filterRoster(const Roster& all, const std::string& area,
                    std::optional<MemberStatus> status) {
    Roster r;
    r.people = all.people;
    for (const auto& [email, n] : all.nurses) {
        if (!area.empty() && n.unit.area != area)
            continue;
        if (status && n.status != *status)
            continue;
        r.nurses[email] = n;
    }
    for (const auto& [a, email] : all.areaLeaders)
        if (area.empty() || a == area)
            r.areaLeaders[a] = email;
    if (area.empty())
        r.networkLeader = all.networkLeader;
    return r;
}

int runPeopleList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, kTableCsvJson);
    auto& inst = ctx.installation();
    const auto net = inst.rosters().network(ctx.network());
    std::string area;
    if (ctx.inv.has("area")) {
        const std::string wanted = ctx.inv.value("area");
        for (const auto& a : net.areas)
            if (text::equalsFolded(a, wanted))
                area = a;
        if (area.empty()) {
            throw UsageError("no area \"" + wanted + "\" in \"" + net.name +
                             "\" (there are: " + text::join(net.areas) + ")");
        }
    }
    std::optional<MemberStatus> status;
    if (ctx.inv.has("status")) {
        status = parseMemberStatus(ctx.inv.value("status"));
        if (!status)
            throw UsageError("unknown status \"" + ctx.inv.value("status") +
                             "\" (use active, leave or left; or aktiv, perm, sluttet)");
    }
    const Roster roster = filterRoster(inst.rosters().roster(net), area, status);
    const auto sheet = writeRosterSheet(roster, net.areas);

    if (format == "csv") {
        ctx.out << formatCsv(sheet);
        return 0;
    }
    if (format == "json") {
        // The rows of the CSV, keyed by the columns' English names (every value a string).
        json::ArrayPtr list = json::array();
        const auto& header = sheet.front();
        for (std::size_t r = 1; r < sheet.size(); ++r) {
            json::ObjectPtr obj = json::object();
            for (std::size_t c = 0; c < header.size(); ++c) {
                const auto& spec = rosterColumns()[c];
                std::string key = text::foldCase(spec.english);
                for (auto& ch : key)
                    if (ch == ' ')
                        ch = '_';
                obj->set(key, sheet[r][c]);
            }
            list->add(obj);
        }
        json::print(ctx.out, list);
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [email, n] : roster.nurses) {
        const Person* p = roster.person(email);
        const Person* l = roster.person(n.leaderEmail);
        rows.push_back({p ? p->name : email, email, p ? p->phone : "", n.unit.area, n.unit.name,
                        l ? l->name : "", std::string(describe(n.status))});
    }
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        return std::tie(a[3], a[4], a[0]) < std::tie(b[3], b[4], b[0]);
    });
    printTable(ctx.out, {"Name", "E-mail", "Phone", "Area", "Unit", "Nearest leader", "Status"},
               rows);
    ctx.out << rows.size() << (rows.size() == 1 ? " nurse\n" : " nurses\n");
    return 0;
}

// --- log --------------------------------------------------------------------------------------

// The head kept in the file `path` ("SEQ HASH", as `log head --out` writes it).
engine::AuditLogHead keptHead(const std::string& path) {
    std::string text;
    try {
        text = engine::readFile(path);
    } catch (const std::runtime_error& e) {
        throw UsageError(e.what());
    }
    const auto head = engine::AuditLogHead::parse(text);
    if (!head)
        throw UsageError(path + ": not an audit-log head (\"SEQ HASH\", as 'avtaleflyt log head "
                                "--out' writes it)");
    return *head;
}

int runLogVerify(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const auto& records = ctx.installation().records();
    const auto check = records.verifyAuditLog();
    std::string headProblem;
    std::optional<engine::AuditLogHead> kept;
    if (ctx.inv.has("head")) {
        kept = keptHead(ctx.inv.value("head"));
        headProblem = records.checkAuditLogHead(*kept);
    }
    const bool intact = !check.firstBadSeq && headProblem.empty();
    if (format == "json") {
        json::ObjectPtr doc = json::object();
        doc->set("intact", intact);
        doc->set("events_checked", check.eventsChecked);
        doc->set("head_hash", json::text(check.headHash));
        doc->set("first_bad_event", check.firstBadSeq ? json::Var(*check.firstBadSeq) : json::null());
        doc->set("problem", json::text(check.problem));
        if (kept)
            doc->set("kept_head", json::text(headProblem.empty() ? "in the log" : headProblem));
        json::print(ctx.out, doc);
        return intact ? 0 : 1;
    }
    if (check.firstBadSeq) {
        ctx.err << "The audit log is broken at event " << *check.firstBadSeq << ": "
                << check.problem << ".\n"
                << "Events 1 to " << check.eventsChecked << " are intact.\n";
        return 1;
    }
    if (!headProblem.empty()) {
        ctx.err << "The audit log's chain holds, but not the head kept in "
                << ctx.inv.value("head") << ": " << headProblem << ".\n";
        return 1;
    }
    ctx.out << "The audit log is intact: " << check.eventsChecked << " events, newest hash "
            << check.headHash;
    if (kept)
        ctx.out << "; the kept head (event " << kept->seq << ") is in it unchanged";
    ctx.out << ".\n";
    return 0;
}

int runLogHead(Context& ctx) {
    const engine::AuditLogHead head = ctx.installation().records().auditLogHead();
    if (!ctx.inv.has("out")) {
        ctx.out << head.text() << '\n';
        return 0;
    }
    const std::string out = ctx.inv.value("out");
    writeFileAtomically(out, head.text() + "\n");
    ctx.notes(out) << "Wrote " << out << ": event " << head.seq << ", hash " << head.hash
                   << ". Keep it away from this machine; 'avtaleflyt log verify --head " << out
                   << "' later proves the log up to it unchanged.\n";
    return 0;
}

// An audit event as JSON; its payload as the object it is.
json::ObjectPtr auditEventJson(const engine::AuditEventView& e) {
    json::ObjectPtr o = json::object();
    o->set("seq", e.seq);
    o->set("occurred_at", json::timestamp(e.occurredAt));
    o->set("actor", e.actor);
    o->set("kind", e.kind);
    o->set("subject", json::text(e.subject));
    o->set("details", json::parsed(e.payload));
    return o;
}

int runLogList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    std::int64_t last = 20;
    if (ctx.inv.has("last")) {
        try {
            last = std::stoll(ctx.inv.value("last"));
        } catch (const std::exception&) {
            last = -1;
        }
        if (last < 1)
            throw UsageError("--last needs a positive number, not \"" + ctx.inv.value("last") +
                             "\"");
    }
    auto& inst = ctx.installation();
    const std::int64_t total = inst.records().auditLogHead().seq;
    const auto events =
        inst.records().auditEvents(std::max<std::int64_t>(0, total - last), static_cast<std::size_t>(last));
    if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& e : events) list->add(auditEventJson(e));
        json::print(ctx.out, list);
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : events)
        rows.push_back({std::to_string(e.seq), e.occurredAt, e.actor, e.kind, e.subject});
    printTable(ctx.out, {"#", "Time (UTC)", "Actor", "Kind", "Subject"}, rows);
    return 0;
}

// --- sample -----------------------------------------------------------------------------------

int runSampleRoster(Context& ctx) {
    int nurses = 250;
    std::uint32_t seed = 2024;
    try {
        if (ctx.inv.has("nurses"))
            nurses = std::stoi(ctx.inv.value("nurses"));
        if (ctx.inv.has("seed"))
            seed = static_cast<std::uint32_t>(std::stoul(ctx.inv.value("seed")));
    } catch (const std::exception&) {
        throw UsageError("--nurses and --seed take whole numbers");
    }
    if (nurses < 1 || nurses > 100000)
        throw UsageError("--nurses must be between 1 and 100000");
    const auto sample = engine::makeSampleNetwork(seed, nurses);
    const std::string csv = formatCsv(writeRosterSheet(sample.roster, sample.areas));
    const std::string out = ctx.inv.value("out");
    if (out.empty() || out == "-") {
        ctx.out << csv;
    } else {
        writeFileAtomically(out, csv);
        ctx.err << "Wrote " << sample.roster.nurses.size() << " nurses of \"" << sample.name
                << "\" to " << out << ".\n";
    }
    if (ctx.inv.has("add-network")) {
        auto& inst = ctx.installation();
        bool exists = false;
        for (const auto& n : inst.rosters().networks()) exists = exists || n.name == sample.name;
        if (!exists) {
            inst.rosters().addNetwork(ctx.by(), sample.name, sample.areas);
            ctx.err << "Added network \"" << sample.name << "\" with its " << sample.areas.size()
                    << " areas.\n";
        }
    }
    return 0;
}

// --- cases ------------------------------------------------------------------------------------

int printOutcome(Context& ctx, const engine::StepOutcome& out) {
    if (!out.done) {
        ctx.err << out.refusal << '\n';
        return 1;
    }
    ctx.out << out.after.reference << ": " << out.from << " -> " << out.to << '\n';
    return 0;
}

// Signatures given and asked for (void requests not counted).
struct SignatureCount {
    int given = 0, asked = 0;
};

SignatureCount countSignatures(const Case& c) {
    SignatureCount n;
    for (const auto& r : c.signatures)
        if (r.status != SignatureStatus::Void) {
            ++n.asked;
            n.given += r.status == SignatureStatus::Signed;
        }
    return n;
}

std::string signedCount(const Case& c) {
    const SignatureCount n = countSignatures(c);
    return n.asked ? std::to_string(n.given) + "/" + std::to_string(n.asked) : "-";
}

// A template as JSON: {"name", "version"}, or null for a workflow without one.
json::Var templateJson(const std::string& name, int version) {
    if (!version)
        return json::null();
    json::ObjectPtr t = json::object();
    t->set("name", name);
    t->set("version", version);
    return t;
}

std::string dateOrDash(const std::optional<Timestamp>& t) {
    return t ? formatDate(*t) : "-";
}

int runSendFunctionDescriptions(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const bool dryRun = ctx.inv.has("dry-run");
    auto& cases = ctx.installation().cases();
    if (format == "json") {
        // The nurses who would get one (dry run) or got one, each with the case sent to her,
        // written as the send comes to her.
        json::ObjectPtr head = json::object();
        head->set("dry_run", dryRun);
        json::StreamedList nurses(ctx.out, head, "nurses");
        const auto report = cases.sendFunctionDescriptions(
            ctx.by(), ctx.network(), ctx.inv.value("area"), dryRun,
            [&](const engine::SendCandidate& c, const engine::SentCase* sent) {
                json::ObjectPtr o = json::object();
                o->set("email", c.email);
                o->set("name", c.name);
                o->set("area", c.area);
                o->set("unit", c.unit);
                o->set("leader_name", json::text(c.leaderName));
                o->set("reference", sent ? json::Var(sent->reference) : json::null());
                o->set("state", sent ? json::Var(sent->state) : json::null());
                o->set("deadline", sent ? json::date(sent->deadline) : json::null());
                nurses.add(o);
            });
        json::ObjectPtr tail = json::object();
        tail->set("covered", report.covered);
        nurses.finish(tail);
        return 0;
    }
    if (dryRun) {
        std::vector<std::vector<std::string>> rows;  // a table's columns fit its widest cell
        const auto report = cases.sendFunctionDescriptions(
            ctx.by(), ctx.network(), ctx.inv.value("area"), true,
            [&](const engine::SendCandidate& c, const engine::SentCase*) {
                rows.push_back({c.name, c.area, c.unit, c.leaderName});
            });
        if (!rows.empty())
            printTable(ctx.out, {"Nurse", "Area", "Unit", "Nearest leader"}, rows);
        ctx.out << report.candidates << " function descriptions would be sent; "
                << report.covered << " nurses have one already. Nothing written (dry run).\n";
        return 0;
    }
    const auto report = cases.sendFunctionDescriptions(
        ctx.by(), ctx.network(), ctx.inv.value("area"), false,
        [&](const engine::SendCandidate&, const engine::SentCase* c) {
            if (c)
                ctx.out << "  " << c->reference << "  " << c->title << "  (deadline "
                        << dateOrDash(c->deadline) << ")\n";
        });
    ctx.out << report.sent << " function descriptions sent; " << report.covered
            << " nurses have one already.\n";
    return 0;
}

int runAgreementNew(Context& ctx) {
    std::vector<engine::Party> parties;
    const auto it = ctx.inv.values.find("party");
    if (it != ctx.inv.values.end()) {
                for (const auto& p : it->second) {
            const auto party = engine::parseParty(p);
            if (!party)
                throw UsageError("--party takes \"ORGANISATION|SIGNATORY|E-MAIL\", not \"" + p +
                                 "\"");
            parties.push_back(*party);
        }
    }
    if (!ctx.inv.has("title"))
        throw UsageError("agreement new needs --title");
    const Case c = ctx.installation().cases().newAgreement(ctx.by(), ctx.network(), ctx.inv.value("title"), parties,
                                                   ctx.inv.value("revises"));
    ctx.out << c.reference << ": " << c.title << " (" << c.state << ", " << c.signatures.size()
            << " parties)\n";
    return 0;
}

int runAgreementStep(Context& ctx, const std::string& trigger) {
    Trigger t;
    t.name = trigger;
    t.approvalBody = ctx.inv.value("body");
    t.approvalDate = ctx.inv.value("date");
    t.reason = ctx.inv.value("reason");
    return printOutcome(ctx, ctx.installation().cases().fire(ctx.by(), ctx.inv.args.at(0), t));
}

int runCaseWithdraw(Context& ctx) {
    Trigger t;
    t.name = "withdraw";
    t.reason = ctx.inv.value("reason");
    return printOutcome(ctx, ctx.installation().cases().fire(ctx.by(), ctx.inv.args.at(0), t));
}

int runCaseList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, kTableCsvJson);
    engine::CaseQuery q{ctx.network(), ctx.inv.value("workflow"), ctx.inv.value("state"),
                        ctx.inv.value("area")};
    const auto cases = ctx.installation().cases().list(q);
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : cases)
        rows.push_back({c.reference, c.workflow, c.title, c.area, c.state, signedCount(c),
                        dateOrDash(c.deadline)});
    const std::vector<std::string> header = {"Reference", "Workflow", "Title",   "Area",
                                             "State",     "Signed",   "Deadline"};
    if (format == "csv") {
        rows.insert(rows.begin(), header);
        ctx.out << formatCsv(rows);
    } else if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& c : cases) {
            json::ObjectPtr obj = json::object();
            obj->set("reference", c.reference);
            obj->set("workflow", c.workflow);
            obj->set("title", c.title);
            obj->set("area", json::text(c.area));
            obj->set("state", c.state);
            const SignatureCount n = countSignatures(c);
            obj->set("signatures_given", n.given);
            obj->set("signatures_asked", n.asked);
            obj->set("deadline", json::date(c.deadline));
            list->add(obj);
        }
        json::print(ctx.out, list);
    } else {
        printTable(ctx.out, header, rows);
        ctx.out << rows.size() << (rows.size() == 1 ? " case\n" : " cases\n");
    }
    return 0;
}

// case show's record as JSON.
json::ObjectPtr caseJson(const engine::CaseDetails& d) {
    const Case& c = d.c;
    json::ObjectPtr o = json::object();
    o->set("reference", c.reference);
    o->set("title", c.title);
    o->set("workflow", c.workflow);
    o->set("template", templateJson(c.templateName, c.templateVersion));
    o->set("state", c.state);
    o->set("version", c.version);
    o->set("deadline", json::date(c.deadline));
    o->set("area", json::text(c.area));
    o->set("subject_email", json::text(c.subjectEmail));
    if (!c.approvalBody.empty() || !c.approvalDate.empty()) {
        json::ObjectPtr a = json::object();
        a->set("body", json::text(c.approvalBody));
        a->set("date", json::date(c.approvalDate));
        o->set("approval", a);
    } else {
        o->set("approval", json::null());
    }
    o->set("note", json::text(c.note));
    o->set("records_reference", json::text(c.recordsReference));
    json::ArrayPtr signers = json::array();
    for (const auto& r : c.signatures) {
        json::ObjectPtr s = json::object();
        s->set("position", r.position);
        s->set("role", r.role);
        s->set("name", r.name);
        s->set("email", json::text(r.email));
        s->set("organisation", json::text(r.organisation));
        s->set("status", std::string(toString(r.status)));
        // A paper signature is dated, not timed.
        s->set("signed_at", r.signedAt.size() == 10 ? json::date(r.signedAt)
                                                     : json::timestamp(r.signedAt));
        s->set("method", json::text(r.method));
        s->set("reason", json::text(r.reason));
        signers->add(s);
    }
    o->set("signers", signers);
    json::ArrayPtr timers = json::array();
    for (const auto& t : c.timers) {
        json::ObjectPtr j = json::object();
        j->set("name", t.name);
        j->set("due", json::timestamp(t.due));
        j->set("fired", t.fired);
        j->set("paused_at", json::timestamp(t.pausedAt));
        timers->add(j);
    }
    o->set("timers", timers);
    json::ArrayPtr timeline = json::array();
    for (const auto& e : d.timeline) timeline->add(auditEventJson(e));
    o->set("timeline", timeline);
    json::ArrayPtr actions = json::array();
    for (const auto& a : d.actions) {
        json::ObjectPtr j = json::object();
        j->set("created_at", json::timestamp(a.createdAt));
        j->set("action", a.action);
        j->set("recipients", json::strings(a.recipients));
        j->set("status", a.status);
        actions->add(j);
    }
    o->set("actions", actions);
    return o;
}

int runCaseShow(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const auto d = ctx.installation().cases().details(ctx.inv.args.at(0));
    if (format == "json") {
        json::print(ctx.out, caseJson(d));
        return 0;
    }
    const Case& c = d.c;
    ctx.out << c.reference << "  " << c.title << "\n"
            << "Workflow: " << c.workflow;
    if (c.templateVersion)
        ctx.out << " (template " << c.templateName << " v" << c.templateVersion << ")";
    ctx.out << "\nState:    " << c.state << " (version " << c.version << ")\n"
            << "Deadline: " << dateOrDash(c.deadline) << "\n";
    if (!c.area.empty())
        ctx.out << "Area:     " << c.area << "\n";
    if (!c.approvalBody.empty())
        ctx.out << "Approved: " << c.approvalBody << ", " << c.approvalDate << "\n";
    if (!c.note.empty())
        ctx.out << "Note:     " << c.note << "\n";
    if (!c.recordsReference.empty())
        ctx.out << "Records:  " << c.recordsReference << "\n";
    if (!c.signatures.empty()) {
        ctx.out << "\nSigners:\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : c.signatures)
            rows.push_back({std::to_string(r.position), r.role, r.name, r.organisation,
                            std::string(toString(r.status)), r.signedAt, r.method, r.reason});
        printTable(ctx.out,
                   {"#", "Role", "Name", "Organisation", "Status", "When", "How", "Reason"}, rows);
    }
    if (!c.timers.empty()) {
        ctx.out << "\nTimers:\n";
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : c.timers)
            rows.push_back({t.name, formatTimestamp(t.due), std::to_string(t.fired),
                            t.pausedAt ? "paused" : ""});
        printTable(ctx.out, {"Timer", "Due (UTC)", "Fired", ""}, rows);
    }
    ctx.out << "\nTimeline:\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : d.timeline) rows.push_back({e.occurredAt, e.actor, e.kind, e.payload});
    printTable(ctx.out, {"Time (UTC)", "Actor", "Event", "Details"}, rows);
    if (!d.actions.empty()) {
        ctx.out << "\nActions asked for:\n";
        std::vector<std::vector<std::string>> arows;
        for (const auto& a : d.actions)
            arows.push_back({a.createdAt, a.action, text::join(a.recipients), a.status});
        printTable(ctx.out, {"Time (UTC)", "Action", "For", "Status"}, arows);
    }
    return 0;
}

// The sweep as JSON. The engine reports each timer as "REF: TIMER -> WHAT" (or "REF: TIMER
// could not TRIGGER: WHY") and each mail as "to ADDRESS: SUBJECT"; they are taken apart here.
void printRemindJson(Context& ctx, const engine::TimerReport& report, bool dryRun) {
    const auto cut = [](const std::string& s, const std::string& at) {
        const auto p = s.find(at);
        return p == std::string::npos ? std::make_pair(std::string(), s)
                                      : std::make_pair(s.substr(0, p), s.substr(p + at.size()));
    };
    json::ObjectPtr doc = json::object();
    doc->set("at", json::timestamp(ctx.clock().now()));
    doc->set("dry_run", dryRun);
    json::ArrayPtr fired = json::array();
    for (const auto& line : report.fired) {
        const auto [reference, rest] = cut(line, ": ");
        auto [timer, result] = cut(rest, " ");
        if (timer.empty())
            std::swap(timer, result);
        if (result.rfind("-> ", 0) == 0)
            result = result.substr(3);
        json::ObjectPtr o = json::object();
        o->set("reference", reference);
        o->set("timer", timer);
        o->set("result", result);
        fired->add(o);
    }
    doc->set("fired", fired);
    json::ArrayPtr mails = json::array();
    for (const auto& line : report.mails) {
        const auto [to, subject] = cut(line.rfind("to ", 0) == 0 ? line.substr(3) : line, ": ");
        json::ObjectPtr o = json::object();
        o->set("to", to);
        o->set("subject", subject);
        mails->add(o);
    }
    doc->set("mails", mails);
    doc->set("held", report.held);
    doc->set("held_until", report.held > 0 ? json::timestamp(nextOfficeTime(ctx.clock().now()))
                                           : json::null());
    json::print(ctx.out, doc);
}

int runRemind(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const bool dryRun = ctx.inv.has("dry-run");
    const auto report = ctx.installation().reminders().runDue(ctx.by(), dryRun);
    if (format == "json") {
        printRemindJson(ctx, report, dryRun);
        return 0;
    }
    for (const auto& line : report.fired) ctx.out << "  " << line << '\n';
    if (!report.mails.empty())
        ctx.out << (dryRun ? "Mail that would be written:\n" : "Mail written to the outbox:\n");
    for (const auto& line : report.mails) ctx.out << "  " << line << '\n';
    ctx.out << report.fired.size() << (report.fired.size() == 1 ? " timer" : " timers")
            << " due at " << formatTimestamp(ctx.clock().now()) << ", " << report.mails.size()
            << (report.mails.size() == 1 ? " mail" : " mails");
    if (report.held > 0)
        ctx.out << "; " << report.held << " reminders and escalations wait for office hours ("
                << report.heldUntil << " Oslo time)";
    ctx.out << (dryRun ? "; nothing written (dry run).\n" : ".\n");
    return 0;
}

// --- documents --------------------------------------------------------------------------------

int runRender(Context& ctx) {
    const std::string reference = ctx.inv.args.at(0);
    const bool final = ctx.inv.has("final"), sealed = ctx.inv.has("seal");
    const std::string pdf = ctx.installation().cases().renderCase(reference, final, sealed);
    const std::string out = ctx.inv.value("out", text::trim(reference) + ".pdf");
    writeFileAtomically(out, pdf);
    ctx.notes(out) << "Wrote " << out << " (" << pdf.size() / 1024 << " KiB" << (sealed ? ", sealed" : "")
            << ").\n";
    return 0;
}

int runCaseDocument(Context& ctx) {
    const std::string reference = ctx.inv.args.at(0);
    const auto pdf = ctx.installation().cases().finalDocument(reference);
    if (!pdf) {
        ctx.err << "case " << reference
                << " has no final document yet (it is made when the last signer signs)\n";
        return 1;
    }
    const std::string out = ctx.inv.value("out", text::trim(reference) + ".pdf");
    writeFileAtomically(out, *pdf);
    ctx.notes(out) << "Wrote " << out << " (" << pdf->size() / 1024 << " KiB, sealed).\n";
    return 0;
}

int runSealVerify(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    std::string pdf;
    try {
        pdf = readFile(ctx.inv.args.at(0));
    } catch (const std::exception& e) {
        ctx.err << "avtaleflyt: " << e.what() << '\n';
        return 1;
    }
    const auto check = engine::Records::checkSeal(pdf);
    const bool ok = check.sealed && check.valid && check.wholeDocument;
    if (format == "json") {
        json::ObjectPtr doc = json::object();
        doc->set("file", ctx.inv.args.at(0));
        doc->set("sealed", check.sealed);
        doc->set("valid", check.sealed && check.valid);
        doc->set("whole_document", check.sealed && check.valid && check.wholeDocument);
        doc->set("signer", json::text(check.signer));
        doc->set("sub_filter", json::text(check.subFilter));
        doc->set("problem", json::text(check.problem));
        json::print(ctx.out, doc);
        return ok ? 0 : 1;
    }
    if (!check.sealed) {
        ctx.err << ctx.inv.args.at(0) << ": not sealed\n";
        return 1;
    }
    if (!check.valid) {
        ctx.err << ctx.inv.args.at(0) << ": the seal is broken: " << check.problem << '\n';
        return 1;
    }
    ctx.out << ctx.inv.args.at(0) << ": seal valid (" << check.subFilter << ", sealed by "
            << check.signer << ")"
            << (check.wholeDocument ? "" : "; but bytes were added after the seal") << '\n';
    return ok ? 0 : 1;
}

int runSignRegister(Context& ctx) {
    if (!ctx.inv.has("signer"))
        throw UsageError("sign register needs --signer nurse|leader|party");
    if (!ctx.inv.has("scan"))
        throw UsageError("sign register needs --scan FILE.pdf");
    const std::string role = ctx.inv.value("signer");
    if (role != "nurse" && role != "leader" && role != "party")
        throw UsageError("--signer is nurse, leader or party, not \"" + role + "\"");
    return printOutcome(
        ctx, ctx.installation().cases().registerPaperSignature(ctx.by(), 
                 ctx.inv.args.at(0), role, ctx.inv.value("scan"), ctx.inv.value("date")));
}

// --- mail and the portal ---------------------------------------------------------------------

int runOutboxList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const std::string status = ctx.inv.value("status", "queued");
    if (status != "queued" && status != "sent" && status != "all")
        throw UsageError("--status is queued, sent or all, not \"" + status + "\"");
    const auto messages = ctx.installation().outbox().list(status == "all" ? "" : status);
    if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& m : messages) {
            const bool sent = m.status == "sent";
            json::ObjectPtr o = json::object();
            o->set("message_id", m.messageId);
            o->set("created_at", json::timestamp(m.createdAt));
            o->set("reference", json::text(m.reference));
            o->set("kind", m.kind);
            o->set("recipient", m.recipient);
            o->set("subject", m.subject);
            o->set("status", m.status);
            o->set("attempts", m.attempts);
            o->set("next_attempt_at", sent ? json::null() : json::timestamp(m.nextAttemptAt));
            o->set("last_error", json::text(m.lastError));
            o->set("server_answer", json::text(m.serverAnswer));
            o->set("sent_at", json::timestamp(m.sentAt));
            list->add(o);
        }
        json::print(ctx.out, list);
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : messages)
        rows.push_back({m.createdAt, m.reference, m.kind, m.recipient, m.status,
                        std::to_string(m.attempts),
                        m.status == "sent" ? m.serverAnswer
                                           : (m.lastError.empty() ? "" : m.lastError + "; ") +
                                                 "next " + m.nextAttemptAt});
    printTable(ctx.out, {"created", "case", "kind", "to", "status", "attempts", "answer / error"},
               rows);
    ctx.out << messages.size() << (messages.size() == 1 ? " message" : " messages") << ".\n";
    return 0;
}

int runOutboxSend(Context& ctx) {
    const auto report = ctx.installation().outbox().deliver(ctx.by());
    printDispatch(ctx.out, report);
    ctx.out << report.sent.size() << " sent, " << report.failed.size()
            << " failed (kept queued).\n";
    return report.failed.empty() ? 0 : 1;
}

// --- users --------------------------------------------------------------------------------

// A password from standard input (first line), never from the command line (where `ps` shows
// it). On a terminal it asks, without echo.
std::string readPassword(Context& ctx) {
    termios saved{};
    const bool terminal = ::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        ctx.err << "Password (at least " << engine::Users::kMinPasswordLength
                << " characters): " << std::flush;
        termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    std::string password;
    std::getline(std::cin, password);
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        ctx.err << '\n';
    }
    if (!password.empty() && password.back() == '\r')
        password.pop_back();
    return password;
}

int runUserAdd(Context& ctx) {
    const std::string username = ctx.inv.args.at(0);
    ctx.installation().users().add(ctx.by(), username, ctx.inv.value("name"), ctx.inv.value("role"),
                               ctx.network(), ctx.inv.value("area"), readPassword(ctx));
    ctx.out << "Added " << username << " (" << ctx.inv.value("role")
            << (ctx.inv.has("area") ? ", " + ctx.inv.value("area") : std::string()) << ").\n";
    return 0;
}

int runUserPasswd(Context& ctx) {
    ctx.installation().users().setPassword(ctx.by(), ctx.inv.args.at(0), readPassword(ctx));
    ctx.out << "Changed the password of " << ctx.inv.args.at(0)
            << "; their sessions are ended.\n";
    return 0;
}

int runUserDisable(Context& ctx) {
    ctx.installation().users().disable(ctx.by(), ctx.inv.args.at(0));
    ctx.out << "Disabled " << ctx.inv.args.at(0) << "; their sessions are ended.\n";
    return 0;
}

int runUserList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const auto users = ctx.installation().users().list();
    if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& u : users) {
            json::ObjectPtr o = json::object();
            o->set("username", u.username);
            o->set("name", json::text(u.name));
            o->set("role", u.role);
            o->set("network", json::text(u.network));
            o->set("area", json::text(u.area));
            o->set("status", std::string(u.disabled ? "disabled" : "active"));
            list->add(o);
        }
        json::print(ctx.out, list);
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& u : users)
        rows.push_back({u.username, u.name, u.role, u.network, u.area,
                        u.disabled ? "disabled" : "active"});
    printTable(ctx.out, {"User", "Name", "Role", "Network", "Area", "Status"}, rows);
    return 0;
}

int runUserToken(Context& ctx) {
    ctx.out << ctx.installation().users().createApiToken(ctx.by(), ctx.inv.args.at(0)) << '\n';
    ctx.err << "This API token is shown once; keep it secret. Send it as "
               "'Authorization: Bearer TOKEN' to /api/.\n";
    return 0;
}

// --- archive ----------------------------------------------------------------------------------

int runArchive(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const bool dryRun = ctx.inv.has("dry-run");
        const std::string out = ctx.inv.value("out");
    const auto report =
        ctx.installation().records().archive(ctx.by(), ctx.network(), out, ctx.inv.value("schemas"), dryRun);
    if (format == "json") {
        json::ObjectPtr doc = json::object();
        doc->set("dry_run", dryRun);
        doc->set("references", json::strings(report.references));
        doc->set("package", json::text(report.packageDir));
        json::print(ctx.out, doc);
        return 0;
    }
    if (report.references.empty()) {
        ctx.out << "Nothing to archive: no signed case is waiting.\n";
        return 0;
    }
    for (const auto& r : report.references) ctx.out << "  " << r << '\n';
    if (dryRun)
        ctx.out << report.references.size()
                << " cases would be archived. Nothing written (dry run).\n";
    else
        ctx.out << report.references.size() << " cases archived in " << report.packageDir << ".\n";
    return 0;
}

int runPrintBatch(Context& ctx) {
    if (!ctx.inv.has("area"))
        throw UsageError("print-batch needs --area");
    const std::string out = ctx.inv.value("out", "utskrift.pdf");
    const auto batch = ctx.installation().records().printBatch(ctx.by(), ctx.network(), ctx.inv.value("area"), out,
                                                     !ctx.inv.has("again"));
    if (batch.references.empty()) {
        ctx.out << "Nothing new to print for " << ctx.inv.value("area") << ".\n";
        return 0;
    }
    ctx.notes(out) << "Wrote " << out << " with " << batch.references.size()
            << " documents: " << text::join(batch.references) << ".\n";
    return 0;
}

int runArchiveRef(Context& ctx) {
    const Case c = ctx.installation().records().setRecordsReference(ctx.by(), ctx.inv.args.at(0), ctx.inv.args.at(1));
    ctx.out << c.reference << ": records system reference " << c.recordsReference << '\n';
    return 0;
}

int runAudit(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, kTextOrJson);
    const auto it = ctx.inv.values.find("package");
    std::vector<std::pair<std::string, engine::Finding>> findings;
    std::vector<std::string> packages;
    if (it != ctx.inv.values.end())
        packages = it->second;
    // A progress bar on a terminal, for large packages.
    const bool terminal = isatty(STDERR_FILENO) != 0;
    const auto bar = [&](const std::string& dir, std::size_t done, std::size_t total) {
        if (!terminal || total < 1000)
            return;
        const std::size_t width = 40, filled = total ? done * width / total : width;
        ctx.err << "\r" << dir << " [" << std::string(filled, '#')
                << std::string(width - filled, '.') << "] " << done << "/" << total
                << (done == total ? "\n" : "") << std::flush;
    };
    const bool installed = engine::Installation::exists(ctx.dataDir, ctx.settings());
    // Whose signature a manifest must carry: the certificate given, else the installation's seal.
    std::string seal;
    if (ctx.inv.has("seal-certificate"))
        seal = engine::Records::certificateSha256(ctx.inv.value("seal-certificate"));
    else if (installed && !packages.empty())
        seal = ctx.installation().records().sealCertificateSha256();
    const auto audited =
        engine::Records::auditPackages(packages, ctx.inv.value("schemas"), bar, seal);
    for (std::size_t i = 0; i < packages.size(); ++i) {
        for (const auto& f : audited[i]) findings.push_back({packages[i], f});
        if (installed)
            for (const auto& f : ctx.installation().records().auditPackageAgainstLog(packages[i]))
                findings.push_back({packages[i], f});
    }
    std::string logLine = "not checked (no installation)";
    if (installed) {
        const auto log = ctx.installation().records().verifyAuditLog();
        if (log.firstBadSeq)
            findings.push_back(
                {ctx.dataDir,
                 {"audit log",
                  "broken at event " + std::to_string(*log.firstBadSeq) + ": " + log.problem}});
        logLine = log.firstBadSeq ? "broken"
                                  : "intact (" + std::to_string(log.eventsChecked) + " events)";
        auto lines = ctx.installation().records().auditArchivedCases();
        for (auto& line : ctx.installation().records().reconcileWithLog())
            lines.push_back(std::move(line));
        for (const auto& line : lines) {
            const auto colon = line.find(": ");
            findings.push_back({ctx.dataDir, {line.substr(0, colon), line.substr(colon + 2)}});
        }
        for (const auto& left : engine::Records::leftoverTemporaryFolders(ctx.dataDir + "/archive"))
            findings.push_back({ctx.dataDir,
                                {left, "a package an archive run did not finish (it was stopped): "
                                       "it may hold personal PDFs; the next archive removes it"}});
    }
    if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& [pkg, f] : findings) {
            json::ObjectPtr o = json::object();
            o->set("package", pkg);
            o->set("where", f.where);
            o->set("finding", f.what);
            list->add(o);
        }
        json::print(ctx.out, list);
    } else {
        for (const auto& [pkg, f] : findings)
            ctx.out << pkg << ": " << f.where << ": " << f.what << '\n';
        ctx.out << packages.size() << (packages.size() == 1 ? " package" : " packages")
                << " checked; audit log " << logLine << "; " << findings.size()
                << (findings.size() == 1 ? " finding" : " findings") << ".\n";
    }
    return findings.empty() ? 0 : 1;
}

// --- workflows --------------------------------------------------------------------------------

int runWorkflowList(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    const auto& defs = ctx.installation().cases().workflows();
    if (format == "json") {
        json::ArrayPtr list = json::array();
        for (const auto& d : defs) {
            json::ObjectPtr o = json::object();
            o->set("name", d.name);
            o->set("title", d.title);
            o->set("reference_prefix", d.referencePrefix);
            o->set("template", templateJson(d.templateName, d.templateVersion));
            o->set("signer_roles", json::strings(d.signerRoles));
            o->set("signing_order",
                   std::string(d.order == SigningOrder::Sequential ? "sequential" : "parallel"));
            json::ArrayPtr states = json::array();
            for (const auto& st : d.states) {
                json::ObjectPtr j = json::object();
                j->set("name", st.name);
                j->set("initial", st.initial);
                j->set("final", st.final);
                j->set("open", st.open);
                states->add(j);
            }
            o->set("states", states);
            list->add(o);
        }
        json::print(ctx.out, list);
        return 0;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : defs) {
        std::vector<std::string> states;
        for (const auto& s : d.states) states.push_back(s.name);
        rows.push_back(
            {d.name, d.title,
             d.templateVersion ? d.templateName + " v" + std::to_string(d.templateVersion) : "-",
             d.signerRoles.empty() ? "-"
                                   : text::join(d.signerRoles) +
                                         (d.order == SigningOrder::Sequential ? " (in turn)" : ""),
             text::join(states)});
    }
    printTable(ctx.out, {"Workflow", "Title", "Template", "Signers", "States"}, rows);
    return 0;
}

int runWorkflowDiagram(Context& ctx) {
    ctx.out << ctx.installation().cases().stateDiagram(ctx.inv.args.at(0));
    return 0;
}

int runWorkflowCheck(Context& ctx) {
    const std::string format = chosenFormat(ctx.inv, tableOrJson());
    std::vector<WorkflowDef> defs;
    std::vector<std::string> problems;
    try {
        defs = engine::Cases::checkWorkflowDir(ctx.inv.args.at(0));
    } catch (const engine::EngineError& e) {
        std::istringstream lines(e.what());
        for (std::string line; std::getline(lines, line);)
            if (!text::trim(line).empty())
                problems.push_back(line);
        if (format != "json") {
            ctx.err << e.what() << '\n';
            return 1;
        }
    }
    if (format == "json") {
        json::ObjectPtr doc = json::object();
        doc->set("valid", problems.empty());
        json::ArrayPtr list = json::array();
        for (const auto& d : defs) {
            json::ObjectPtr o = json::object();
            o->set("file", d.place.file);
            o->set("name", d.name);
            list->add(o);
        }
        doc->set("workflows", list);
        doc->set("problems", json::strings(problems));
        json::print(ctx.out, doc);
        return problems.empty() ? 0 : 1;
    }
    for (const auto& d : defs) ctx.out << d.place.file << ": " << d.name << " is valid\n";
    return 0;
}

}  // namespace

const std::vector<CommandSpec>& commands() {
    static const std::vector<CommandSpec> table = {
        {{"init"},
         "",
         0,
         0,
         "create the data folder and its database",
         "Creates the data folder, the database (avtaleflyt.db) and a commented configuration "
         "file (avtaleflyt.properties). With --database, the database is a PostgreSQL database "
         "instead (it must exist and may be empty; several servers can share it), and the "
         "configuration says so (database.url). Running it again changes nothing.",
         {{"database", "URL",
           "a PostgreSQL database: postgresql://USER@HOST/DB or 'host=HOST dbname=DB user=USER'"}},
         runInit},
        {{"migrate-to"},
         "URL",
         1,
         1,
         "copy the installation into an empty PostgreSQL database",
         "Copies every row of this installation's SQLite database into the PostgreSQL database "
         "URL (postgresql://USER@HOST/DB or 'host=HOST dbname=DB user=USER'), which must be "
         "empty, keeping every id; proves the copy (the rows of every table, the audit chain "
         "and its head), records the move in the audit log and sets database.url in "
         "avtaleflyt.properties. Stop serve first: other writers wait while it runs.",
         {},
         runMigrateTo},
        {{"network", "add"},
         "NAME",
         1,
         1,
         "add a network with its areas",
         "Adds a competence network. Give each area with its own --area; the roster import "
         "accepts only these areas.",
         {{"area", "AREA", "an area of the network (repeat for each area)", true}},
         runNetworkAdd},
        {{"network", "add-area"},
         "AREA",
         1,
         1,
         "add an area to a network",
         "Adds an area at the end of the network's list.",
         {kNetworkOption},
         runNetworkAddArea},
        {{"network", "list"},
         "",
         0,
         0,
         "list the networks and their areas",
         "Lists every network of the installation.",
         {formatOption(tableOrJson())},
         runNetworkList},
        {{"network", "show"},
         "",
         0,
         0,
         "summarise a network's roster per area",
         "Prints the network leader and, per area, the area leader and the number of units, "
         "nearest leaders, and nurses who are active, on leave and have left.",
         {kNetworkOption, formatOption(tableOrJson())},
         runNetworkShow},
        {{"import", "roster"},
         "FILE",
         1,
         1,
         "import a name list (CSV or .xlsx)",
         "Reads FILE as the network's complete roster and shows what changes: people added, "
         "moved, with a new leader, on leave or back, and who left (a nurse missing from the "
         "list has left). Without --dry-run the changes are saved, each as an audit-log event. "
         "Any problem in the file is reported as FILE:LINE: column: cause, all of them at once, "
         "and then nothing is saved. See docs/roster-import.md for the columns.",
         {kNetworkOption,
          {"dry-run", "", "show the changes without saving them"},
          formatOption(tableOrJson())},
         runImportRoster},
        {{"people", "list"},
         "",
         0,
         0,
         "list the nurses of a network",
         "Lists nurses with their unit, nearest leader and status. --format csv writes the same "
         "columns the import reads (leaders included), so an unfiltered export can be imported "
         "again without changes.",
         {kNetworkOption,
          {"area", "AREA", "only this area"},
          {"status", "STATUS", "only this status: active, leave or left (aktiv, perm, sluttet)"},
          formatOption(kTableCsvJson)},
         runPeopleList},
        {{"log", "verify"},
         "",
         0,
         0,
         "check the audit log's hash chain",
         "Recomputes every event's hash and its link to the event before. Exit code 1 and the "
         "first bad event if any event was edited, inserted or deleted. With --head, also that the "
         "event a copy of the head names (from 'log head --out', or a package's "
         "audit-log-head.txt) is still in the log with that hash: a log rewritten from start to "
         "end, whose chain holds again, fails there.",
         {{"head", "FILE", "a head kept elsewhere (\"SEQ HASH\") to check the log against"},
          formatOption(tableOrJson())},
         runLogVerify},
        {{"log", "head"},
         "",
         0,
         0,
         "print the audit log's newest event number and hash",
         "Prints \"SEQ HASH\" of the newest event, or writes it to --out. Keep the copy away "
         "from the installation (a mail to the records office, another machine): 'log verify "
         "--head FILE' later proves nothing up to it was changed. Each archive package keeps one "
         "too (audit-log-head.txt).",
         {{"out", "FILE", "write it to this file (atomically) instead"}},
         runLogHead},
        {{"log", "list"},
         "",
         0,
         0,
         "show the newest audit-log events",
         "Shows the newest events, oldest first.",
         {{"last", "N", "how many events (default 20)"}, formatOption(tableOrJson())},
         runLogList},
        {{"sample", "roster"},
         "",
         0,
         0,
         "write an invented sample network's name list",
         "Writes the name list of an invented network of six areas (CSV as Excel writes it in "
         "Norway). With --add-network the network and its areas are added to the installation.",
         {{"out", "FILE", "where to write (default and -: standard output)"},
          {"nurses", "N", "how many nurses (default 250)"},
          {"seed", "N", "another seed gives other people (default 2024)"},
          {"add-network", "", "also add the sample network and its areas to the installation"}},
         runSampleRoster},
        {{"send", "function-descriptions"},
         "",
         0,
         0,
         "send function descriptions to nurses who lack one",
         "Opens a function description case for every active nurse who has none of the current "
         "template "
         "version (signed, or under way) and sends it to the nurse and the nearest leader. Nobody "
         "is "
         "forgotten and nobody gets two: running it again sends only to nurses added since.",
         {kNetworkOption,
          {"area", "AREA", "only nurses in this area"},
          {"dry-run", "", "only list who would get one"},
          formatOption(tableOrJson())},
         runSendFunctionDescriptions},
        {{"agreement", "new"},
         "",
         0,
         0,
         "start a collaboration agreement (a draft)",
         "Creates a collaboration agreement in draft with one signatory per party. Then: agreement "
         "review, agreement approve, agreement send.",
         {kNetworkOption,
          {"title", "TITLE", "the agreement's title"},
          {"party", "ORG|NAME|E-MAIL", "a party and its signatory", true},
          {"revises", "REF", "the archived agreement this revision replaces"}},
         runAgreementNew},
        {{"agreement", "review"},
         "REF",
         1,
         1,
         "put a draft agreement up for review",
         "Moves the draft to in_review.",
         {},
         [](Context& c) { return runAgreementStep(c, "review"); }},
        {{"agreement", "approve"},
         "REF",
         1,
         1,
         "record the approval of an agreement under review",
         "Records who approved the agreement (e.g. the collaboration committee) and when.",
         {{"body", "BODY", "the approving body"},
          {"date", "YYYY-MM-DD", "the date of the approval"}},
         [](Context& c) { return runAgreementStep(c, "approve"); }},
        {{"agreement", "send"},
         "REF",
         1,
         1,
         "send an approved agreement to its signatories",
         "Sends the approved agreement to every party's signatory.",
         {},
         [](Context& c) { return runAgreementStep(c, "send"); }},
        {{"case", "list"},
         "",
         0,
         0,
         "list cases",
         "Lists the network's cases with their state, signatures and deadline.",
         {kNetworkOption,
          {"state", "STATE", "only cases in this state"},
          {"area", "AREA", "only cases of this area"},
          {"workflow", "NAME", "only cases of this workflow"},
          formatOption(kTableCsvJson)},
         runCaseList},
        {{"case", "show"},
         "REF",
         1,
         1,
         "show a case with its signers, timers and timeline",
         "Shows the case's state, deadline, each signer's status, running timers, every event in "
         "the "
         "audit log about it, and the actions its steps asked for.",
         {formatOption(tableOrJson())},
         runCaseShow},
        {{"case", "withdraw"},
         "REF",
         1,
         1,
         "withdraw a case",
         "Withdraws an open case; a reason is required.",
         {{"reason", "TEXT", "why (required)"}},
         runCaseWithdraw},
        {{"outbox", "list"},
         "",
         0,
         0,
         "show the mail waiting to go (or sent)",
         "Lists the outbox: every message with its case, kind, recipient, attempts and the "
         "server's answer or the last error and the next attempt. Messages are written with the "
         "step that caused them and sent by 'outbox send' or 'serve'.",
         {{"status", "STATUS", "queued (default), sent or all"}, formatOption(tableOrJson())},
         runOutboxList},
        {{"outbox", "send"},
         "",
         0,
         0,
         "send the mail that is due",
         "Delivers every queued message that is due through the configured transport (a maildir "
         "in the data folder by default, or SMTP). A failed message stays queued and is tried "
         "again after 1, 2, 4, ... minutes (at most 6 hours). Exit code 1 if any failed.",
         {},
         runOutboxSend},
        {{"serve"},
         "",
         0,
         0,
         "run the signing portal and send mail",
         "Serves the signing portal over HTTP, and every --dispatch-every seconds runs the "
         "reminder sweep (as 'remind') and sends the outbox, until Ctrl-C or SIGTERM (requests under way finish first). Put it behind a "
         "reverse proxy with TLS and set portal.url to the address signers see.",
         {{"port", "PORT", "the port to listen on (default 8080; 0: any free port)"},
          {"bind", "ADDRESS", "the address to listen on (default 127.0.0.1)"},
          {"dispatch-every", "SECONDS", "how often to sweep and send the outbox (default 30)"}},
         runServe},
        {{"report", "missing"},
         "",
         0,
         0,
         "who has not signed: open requests and nurses without a function description",
         "Every open signature request by area, unit and leader, with the days it has waited and "
         "the reminders sent, and every active nurse without a signed function description of "
         "the current version (whether or not a case was ever opened), with the count per area. "
         "HTML and PDF show a chart of signed, waiting and overdue per area. In the language of "
         "the installation.",
         {{"area", "AREA", "one area only"},
          {"network", "NAME", "the network (default: the only one, or network.default)"},
          formatOption(reportFormats(), "csv: the open requests only"),
          {"out", "FILE", "write to FILE (-: standard output, the default but for pdf: manglende-signaturer.pdf)"}},
         runReportMissing},
        {{"status"},
         "",
         0,
         0,
         "the morning glance: signed, waiting and overdue per area",
         "One screen: per area the active nurses, how many have signed their function "
         "description, how many wait, are overdue or were never sent one; and the mail waiting "
         "to go.",
         {{"area", "AREA", "one area only"},
          {"network", "NAME", "the network (default: the only one, or network.default)"},
          formatOption(tableOrJson())},
         runStatus},
        {{"user", "add"},
         "USERNAME",
         1,
         1,
         "add a dashboard user (password from standard input)",
         "Adds a user who signs in to the dashboard of 'serve'. Roles: network_leader "
         "(everything in the network), area_leader (their --area only), records_office (archive "
         "and audit, read-only elsewhere). The password (at least 10 characters) is read from "
         "standard input, never from the command line, and stored as a scrypt hash.",
         {{"name", "NAME", "the person's name"},
          {"role", "ROLE", "network_leader, area_leader or records_office"},
          {"area", "AREA", "an area leader's area"},
          {"network", "NAME", "the network (default: the only one, or network.default)"}},
         runUserAdd},
        {{"user", "passwd"},
         "USERNAME",
         1,
         1,
         "set a user's password (from standard input)",
         "Sets a new password (read from standard input) and ends the user's sessions.",
         {},
         runUserPasswd},
        {{"user", "disable"},
         "USERNAME",
         1,
         1,
         "stop a user from signing in",
         "Disables the user and ends their sessions; their API tokens stop working.",
         {},
         runUserDisable},
        {{"user", "list"},
         "",
         0,
         0,
         "list the dashboard users",
         "Lists the users with their roles.",
         {formatOption(tableOrJson())},
         runUserList},
        {{"user", "token"},
         "USERNAME",
         1,
         1,
         "make an API token for a user",
         "Prints a new API token for the JSON API under /api/ (shown once, stored as a hash). "
         "The API sees what the user may see.",
         {},
         runUserToken},
        {{"remind"},
         "",
         0,
         0,
         "chase missing signatures: fire the timers that are due",
         "One sweep: reminders mail the open signers a fresh link, escalations become one digest "
         "per nearest leader and per area leader, cases past their deadline expire. Reminders "
         "and escalations go out only in office hours (08-16 Oslo time, Norwegian working days), "
         "never to someone on leave, never after signing. Running it twice, or twice at once, "
         "sends nothing extra; 'serve' runs it on its own. Use --now to run as of another time.",
         {{"dry-run", "", "print what would be fired and mailed, to whom and why, without writing"},
          formatOption(tableOrJson())},
         runRemind},
        {{"render"},
         "REF",
         1,
         1,
         "render a case's document as PDF",
         "Renders the case's document as it stands: the text filled in from the roster and the "
         "case, "
         "as PDF/A with embedded fonts. --final adds the signature page and the event log; --seal "
         "seals it with the installation's seal.",
         {{"out", "FILE", "where to write (default: REF.pdf; -: standard output)"},
          {"final", "", "with the signature page and the event log"},
          {"seal", "", "seal the PDF"}},
         runRender},
        {{"case", "document"},
         "REF",
         1,
         1,
         "write a signed case's final sealed PDF",
         "Writes the final document made when the last signer signed: sealed, with the signature "
         "page "
         "and the event log.",
         {{"out", "FILE", "where to write (default: REF.pdf; -: standard output)"}},
         runCaseDocument},
        {{"seal", "verify"},
         "FILE",
         1,
         1,
         "check the seal of a PDF",
         "Checks the PAdES seal of any PDF: that the signed bytes are unchanged and cover the "
         "whole "
         "file. Exit code 1 if it is not sealed or the seal is broken. (Trust in the certificate "
         "is "
         "not checked.)",
         {formatOption(tableOrJson())},
         runSealVerify},
        {{"sign", "register"},
         "REF",
         1,
         1,
         "register a paper signature with its scan",
         "Records that the nurse, the leader or the next party signed the case on paper, on --date "
         "(default today), and keeps the scan (a PDF of at most 10 MiB) with the case; it goes to "
         "the archive with it. The case moves on as for any signature.",
         {{"signer", "ROLE", "nurse, leader or party"},
          {"scan", "FILE", "the scanned signed document (PDF)"},
          {"date", "YYYY-MM-DD", "when it was signed on paper (default today)"}},
         runSignRegister},
        {{"archive"},
         "",
         0,
         0,
         "archive the signed cases as one Noark 5 package",
         "Writes every signed case's final sealed PDF with Noark 5 arkivstruktur.xml and a "
         "manifest.sha256 as one package folder (atomically), and moves the cases to archived. "
         "Function descriptions are screened (workflow.NAME.screened). The package holds the "
         "Noark 5 v5.0 schemas, and arkivstruktur.xml is validated against them first (the "
         "shipped ones, or those of --schemas). See docs/archive.md.",
         {kNetworkOption,
          {"out", "DIR", "where packages go (default: DATA/archive)"},
          {"schemas", "DIR",
           "another Noark 5 schema folder (its *.xsd) to copy in and validate against (default: "
           "the shipped v5.0 schemas)"},
          {"dry-run", "", "only list what would be archived"},
          formatOption(tableOrJson())},
         runArchive},
        {{"print-batch"},
         "",
         0,
         0,
         "one PDF of an area's newly archived originals",
         "Collects the area's archived documents that were not printed before into one PDF, to "
         "hand "
         "out at the next area gathering, and marks them printed.",
         {kNetworkOption,
          {"area", "AREA", "the area"},
          {"out", "FILE", "where to write (default: utskrift.pdf; -: standard output)"},
          {"again", "", "do not mark them printed (a test print)"}},
         runPrintBatch},
        {{"archive", "ref"},
         "REF NUMBER",
         2,
         2,
         "record the records system's number on an archived case",
         "Records the document number the records system (e.g. Public 360) gave the archived case, "
         "as "
         "an audit-log event.",
         {},
         runArchiveRef},
        {{"audit"},
         "",
         0,
         0,
         "prove archive packages complete and untouched",
         "Checks each --package on its own (manifest, checksums and sizes, missing, extra, empty "
         "and doubly referenced files, unique systemIDs, seals, arkivstruktur.xml and "
         "arkivuttrekk.xml against the Noark 5 schemas, symbolic links and other files that are not "
         "regular, the manifest's signature manifest.sha256.p7s). With the installation at hand "
         "also each package against what the audit log recorded when it was written (file by "
         "file) and the head it kept, the audit log's chain, the tables replayed against the "
         "log (case states, signatures, documents, used links, evidence), and archive runs left "
         "unfinished. Prints every finding with the package and file; exit code 1 if there is "
         "any.",
         {{"package", "DIR", "a package folder to check", true},
          {"schemas", "DIR",
           "another Noark 5 schema folder to validate against (default: the shipped v5.0 "
           "schemas)"},
          {"seal-certificate", "FILE",
           "the PEM certificate the manifests must be signed with (default: the installation's "
           "seal; without an installation any valid signature passes)"},
          formatOption(kTextOrJson)},
         runAudit},
        {{"workflow", "list"},
         "",
         0,
         0,
         "list the workflows in use",
         "Lists the workflow definitions in use.",
         {formatOption(tableOrJson())},
         runWorkflowList},
        {{"workflow", "diagram"},
         "NAME",
         1,
         1,
         "print a workflow's state diagram (Mermaid)",
         "Prints the state diagram of the workflow as Mermaid text, drawn from its definition.",
         {},
         runWorkflowDiagram},
        {{"workflow", "check"},
         "DIR",
         1,
         1,
         "validate a folder of workflow definitions",
         "Validates every *.xml in DIR against the workflow schema and the consistency rules, and "
         "prints each problem as FILE:LINE. Exit code 1 if any is invalid.",
         {formatOption(tableOrJson())},
         runWorkflowCheck},
        {{"schema", "list"},
         "",
         0,
         0,
         "list the shipped XML schemas",
         "Lists the official schemas compiled into avtaleflyt: the Noark 5 v5.0 set (copied "
         "into every archive package) and eFormidling's arkivmelding, with their sizes and SHA-256 "
         "sums. Where each comes from and its licence: archive/schemas/SOURCE.md.",
         {{"format", "FORMAT", "table (default) or json"}},
         runSchemaList},
        {{"schema", "check"},
         "FILE...",
         1,
         static_cast<std::size_t>(-1),
         "validate XML files against the shipped schemas",
         "Validates each FILE against the shipped schema its root element's namespace names "
         "(arkivstruktur, addml, endringslogg, loependeJournal, offentligJournal or arkivmelding) "
         "and prints every problem as FILE:LINE. Exit code 1 if any file is not valid.",
         {},
         runSchemaCheck},
        {{"schema", "export"},
         "DIR",
         1,
         1,
         "write the shipped schemas to a folder",
         "Writes the shipped schemas to DIR/noark5 and DIR/arkivmelding, byte for byte, for "
         "other tools (xmllint, Arkade 5).",
         {},
         runSchemaExport},
    };
    return table;
}

}  // namespace avtaleflyt::cli
