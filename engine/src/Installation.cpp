#include "avtaleflyt/engine/Installation.h"

#include <Poco/FileStream.h>
#include <Poco/Path.h>

#include <set>
#include <sstream>

#include "Core.h"
#include "avtaleflyt/storage/Copy.h"
#include "avtaleflyt/documents/PosixEnv.h"
#include "avtaleflyt/documents/TableFile.h"
#include "avtaleflyt/domain/RosterSheet.h"
#include "avtaleflyt/domain/Text.h"
#include "avtaleflyt/workflows/Workflows.h"

namespace avtaleflyt::engine {
namespace {

const char* kDefaultConfig =
    "# avtaleflyt configuration for this data folder (Java properties format).\n"
    "# Every key is optional; the value shown is the default. See docs/operator-guide.md.\n"
    "\n"
    "# The database: without database.url, the SQLite file avtaleflyt.db in this folder. With\n"
    "# it, a PostgreSQL database that several servers can share: postgresql://USER@HOST/DB or\n"
    "# host=HOST dbname=DB user=USER (a password belongs in ~/.pgpass, not here).\n"
    "#database.url =\n"
    "\n"
    "# The network that commands use when --network is not given. Needed only when the\n"
    "# installation holds more than one network.\n"
    "#network.default =\n"
    "\n"
    "# A folder of workflow definitions (*.xml) to use instead of the ones built in.\n"
    "#workflows.dir =\n"
    "\n"
    "# Whether the signers of a workflow sign all at once or one after another.\n"
    "#workflow.function-description.signing = parallel\n"
    "\n"
    "# A PKCS#12 file (and its password) to seal PDFs with, instead of seal-certificate.pem and\n"
    "# seal-key.pem in this folder (which avtaleflyt init creates, self-signed).\n"
    "#seal.pkcs12 =\n"
    "#seal.password =\n"
    "\n"
    "# Archive packages (docs/archive.md).\n"
    "#archive.case-file = workflow-year\n"
    "#workflow.function-description.screened = true\n"
    "#archive.access-code = 13\n"
    "#archive.screening-authority = Offl. § 13 jf. fvl. § 13 første ledd nr. 1\n"
    "#archive.format = fmt/477\n"
    "\n"
    "# The language of mails, the portal and the dashboard: nb or en.\n"
    "#language = nb\n"
    "\n"
    "# The address signers and leaders see (signing links start with it), and the reverse\n"
    "# proxy in front of `avtaleflyt serve`, whose X-Forwarded-For is believed. Without\n"
    "# portal.url, links point to where serve listens (http://127.0.0.1:8080 by default).\n"
    "#portal.url = https://signering.example.no\n"
    "#portal.trusted-proxy =\n"
    "# Connections served at once from one address (a slow or greedy client holds no more);\n"
    "# behind the trusted proxy, its own connections are not limited.\n"
    "#portal.max-connections-per-address = 16\n"
    "\n"
    "# Mail: into the maildir DATA/mail (the default), or to an SMTP server.\n"
    "#mail.from = avtaleflyt@localhost\n"
    "#mail.transport = maildir\n"
    "#smtp.host = 127.0.0.1\n"
    "#smtp.port = 25\n"
    "#smtp.starttls = false\n"
    "#smtp.ca-file =\n"
    "#smtp.user =\n"
    "#smtp.password =\n"
    "#smtp.helo = avtaleflyt\n"
    "#smtp.timeout = 30\n"
    "\n"
    "# The log of `avtaleflyt serve` (starting, listening, failures, one line per request; no\n"
    "# personal data): console (standard error), file or syslog, and the least level logged\n"
    "# (fatal, critical, error, warning, notice, information, debug, trace).\n"
    "#logging.channel = console\n"
    "#logging.level = information\n"
    "# With logging.channel = file: the file (a relative path is in this folder) and when it\n"
    "# starts anew (10 M, 500 K, daily, weekly, monthly or never; the five before it are kept).\n"
    "#logging.file =\n"
    "#logging.rotation = 10 M\n";

std::string databasePath(const std::string& dataDir) {
    return Poco::Path(dataDir).append(Installation::kDatabaseFile).toString();
}

// The SQLite file in the data folder, or the PostgreSQL database `url` names.
std::string databaseLocation(const std::string& dataDir, const std::string& url) {
    return url.empty() ? databasePath(dataDir) : url;
}

// What is there once an installation is: its SQLite file, or (on PostgreSQL) its data folder.
std::string installedMarker(const std::string& dataDir, const Settings& settings) {
    return settings.databaseUrl.empty() ? databasePath(dataDir) : dataDir;
}

// Whether the configuration text sets database.url (a line that is not a comment).
bool namesDatabase(const std::string& config) {
    std::size_t at = 0;
    while (at < config.size()) {
        const std::size_t end = std::min(config.find('\n', at), config.size());
        const std::string line = text::trim(config.substr(at, end - at));
        if (line.rfind("database.url", 0) == 0)
            return true;
        at = end + 1;
    }
    return false;
}

// Adds database.url = `url` to the configuration file `config`, unless it names one already.
void nameDatabase(const std::string& config, const std::string& url, Env& env) {
    const std::string text = env.readFile(config);
    if (!namesDatabase(text))
        env.writeFileSynced(config, text + (text.empty() || text.back() == '\n' ? "" : "\n") +
                                        "database.url = " + url + "\n");
}

std::string networkNames(const std::vector<storage::NetworkRecord>& all) {
    std::vector<std::string> names;
    for (const auto& n : all) names.push_back(n.name);
    return text::join(names);
}

Network toNetwork(const storage::NetworkRecord& r) {
    return {r.name, r.areas, r.createdAt};
}

}  // namespace

Core::Core(std::string dir, const Clock& c, const Settings& initial, Env& files)
    : dataDir(std::move(dir)),
      clock(c),
      env(files),
      db(databaseLocation(dataDir, initial.databaseUrl), storage::Database::Mode::OpenExisting),
      audit(db),
      rosters(db),
      cases(db),
      settings(initial),
                  outboxMessages(db),
      userRecords(db),
      tokens(db),
      queueingPort(cases, c),
      mailPort(std::make_unique<MailActionPort>(*this, queueingPort)),
      documentPort(std::make_unique<DocumentActionPort>(*this, *mailPort)),
      port(documentPort.get()) {
    try {
        workflows = settings.workflowsDir.empty()
                        ? workflows::shippedWorkflows()
                        : workflows::loadWorkflowDir(settings.workflowsDir);
    } catch (const workflows::WorkflowError& e) {
        throw InstallationError(std::string("the workflow definitions cannot be used:\n") +
                                e.what());
    }
    for (const auto& setting : settings.signingOrder) {
        const std::string& name = setting.first;
        const std::string& order = setting.second;
        auto it = std::find_if(workflows.begin(), workflows.end(),
                               [&](const WorkflowDef& d) { return d.name == name; });
        if (it == workflows.end())
            throw InstallationError("signing order set for unknown workflow \"" + name + "\"");
        if (order != "parallel" && order != "sequential")
            throw InstallationError("workflow." + name +
                                    ".signing must be parallel or sequential, not \"" + order +
                                    "\"");
        it->order = order == "sequential" ? SigningOrder::Sequential : SigningOrder::Parallel;
    }
}

void Core::record(const std::string& kind, const std::string& subject,
                                 const Fields& payload, const std::string& who) {
    audit.append({clock.now(), who.empty() ? currentCall().by.name : who, kind, subject, json(payload)});
}

storage::NetworkRecord Core::networkRecord(const std::string& name) const {
    if (!name.empty())
        if (auto n = rosters.findNetwork(name))
            return *n;  // one indexed read; the list of networks only for the error
    const auto all = rosters.networks();
    if (name.empty()) {
        if (all.size() == 1)
            return all.front();
        if (all.empty())
            throw EngineError("there is no network yet; create one with 'avtaleflyt network add'");
        throw EngineError("this installation holds several networks (" + networkNames(all) +
                          "); say which with --network");
    }
    const std::string names = networkNames(all);
    throw EngineError(
        "no network named \"" + name + "\"" +
        (names.empty() ? std::string(" (there are none yet)") : " (there are: " + names + ")"));
}

std::string Core::area(const storage::NetworkRecord& network,
                                      const std::string& name) const {
    for (const auto& a : network.areas)
        if (text::equalsFolded(a, name))
            return a;
    throw EngineError("no area \"" + name + "\" in \"" + network.name +
                      "\" (there are: " + text::join(network.areas) + ")");
}

std::string Core::areaOrAll(const storage::NetworkRecord& network,
                            const std::string& name) const {
    return name.empty() ? std::string() : area(network, name);
}

Case Core::caseNamed(const std::string& reference) const {
    auto c = cases.find(reference);
    if (!c)
        throw EngineError("no case " + text::trim(reference));
    return std::move(*c);
}

std::string Core::randomBytes(std::size_t n) {
    try {
        return env.randomBytes(n);
    } catch (const EnvError& e) {
        throw EngineError(e.what());
    }
}

std::string Core::randomHex(std::size_t n) {
    const std::string bytes = randomBytes(n);
    return text::hex(reinterpret_cast<const unsigned char*>(bytes.data()), n);
}

bool Installation::init(const std::string& dataDir, const Clock& clock, const Actor& by,
                        const std::string& databaseUrl) {
    return init(dataDir, clock, by, documents::defaultEnv(), databaseUrl);
}

bool Installation::init(const std::string& dataDir, const Clock& clock, const Actor& by,
                        Env& env, const std::string& databaseUrl) {
    return guarded([&] {
        const std::string config = Poco::Path(dataDir).append(kConfigFile).toString();
        const std::string cert = Poco::Path(dataDir).append(kSealCertificate).toString();
        const std::string key = Poco::Path(dataDir).append(kSealKey).toString();
        if (!databaseUrl.empty() && env.exists(databasePath(dataDir)))
            throw InstallationError(
                dataDir + " holds an installation on SQLite (" + kDatabaseFile +
                "): 'avtaleflyt migrate-to URL' copies it into an empty PostgreSQL database");
        try {
            env.createDirectories(dataDir);
            if (!env.exists(config)) {
                std::string text = kDefaultConfig;
                if (!databaseUrl.empty())
                    text.replace(text.find("#database.url ="), 15,
                                 "database.url = " + databaseUrl);
                env.writeFileSynced(config, text);
            } else if (!databaseUrl.empty()) {
                nameDatabase(config, databaseUrl, env);
            }
            if (!env.exists(cert) || !env.exists(key))
                documents::SealKey::create(cert, key, "avtaleflyt", env);
        } catch (const std::runtime_error& e) {  // EnvError, SealError
            throw InstallationError(e.what());
        }
        storage::Database db(databaseLocation(dataDir, databaseUrl),
                             storage::Database::Mode::CreateIfMissing);
        storage::AuditLog audit(db);
        storage::Transaction tx(db);
        // New: nothing recorded yet (asked inside the write transaction: two inits at once
        // record the installation once).
        const bool fresh = audit.head().seq == 0;
        if (fresh) {
            audit.append({clock.now(), by.name, "installation.initialized", dataDir,
                          json({{"schema_version", std::to_string(db.schemaVersion())}})});
            tx.commit();
        }
        return fresh;
    });
}

// The shared part and the services over it.
struct Installation::Parts {
    Parts(const std::string& dataDir, const Clock& clock, const Settings& settings, Env& env)
        : core(dataDir, clock, settings, env),
          rosters(core),
          cases(core),
          signing(core),
          outbox(core),
          reminders(core),
          records(core),
          reports(core),
          users(core) {}
    Core core;
    Rosters rosters;
    Cases cases;
    Signing signing;
    Outbox outbox;
    Reminders reminders;
    Records records;
    Reports reports;
    Users users;
};

Installation::Installation(const std::string& dataDir, const Clock& clock,
                           const Settings& settings)
    : Installation(dataDir, clock, settings, documents::defaultEnv()) {}

Installation::Installation(const std::string& dataDir, const Clock& clock,
                           const Settings& settings, Env& env) {
    if (!env.exists(installedMarker(dataDir, settings)))
        throw InstallationError("no avtaleflyt installation in " + dataDir +
                                " (run 'avtaleflyt init' first, or give the right --data folder)");
    parts_ = guarded([&] { return std::make_unique<Parts>(dataDir, clock, settings, env); });
}

bool Installation::exists(const std::string& dataDir, const Settings& settings) {
    return documents::defaultEnv().exists(installedMarker(dataDir, settings));
}

Installation::~Installation() = default;
Installation::Installation(Installation&&) noexcept = default;

const std::string& Installation::dataDir() const {
    return parts_->core.dataDir;
}

MigrationReport Installation::migrateTo(const Actor& by, const std::string& databaseUrl) const {
    auto& core = parts_->core;
    const std::string config = Poco::Path(core.dataDir).append(kConfigFile).toString();
    if (!core.settings.databaseUrl.empty() || core.db.dialect() != storage::Dialect::SQLite)
        throw InstallationError("this installation is on " + core.db.name() +
                                " already: migrate-to copies an installation on SQLite");
    if (core.env.exists(config) && namesDatabase(core.env.readFile(config)))
        throw InstallationError(config + " names a database (database.url) already");
    return guarded([&] {
        const auto copied = storage::copyToPostgresql(core.db, databaseUrl);
        MigrationReport report{copied.target, copied.rows, copied.headSeq, copied.headHash};
        {
            // The copy's own log goes on from the same head: the move is its next event.
            storage::Database target(databaseUrl, storage::Database::Mode::OpenExisting);
            storage::AuditLog log(target);
            storage::Transaction tx(target);
            log.append({core.clock.now(), by.name, "installation.migrated", core.dataDir,
                        json({{"from", core.db.name()},
                              {"events", std::to_string(copied.headSeq)},
                              {"head", copied.headHash}})});
            tx.commit();
        }
        try {
            nameDatabase(config, databaseUrl, core.env);
        } catch (const std::runtime_error& e) {  // EnvError
            throw InstallationError(e.what());
        }
        return report;
    });
}

const std::string& Installation::databaseName() const {
    return parts_->core.db.name();
}

int Installation::schemaVersion() const {
    return guarded([&] { return parts_->core.db.schemaVersion(); });
}

const Rosters& Installation::rosters() const {
    return parts_->rosters;
}
const Cases& Installation::cases() const {
    return parts_->cases;
}
const Signing& Installation::signing() const {
    return parts_->signing;
}
const Outbox& Installation::outbox() const {
    return parts_->outbox;
}
const Reminders& Installation::reminders() const {
    return parts_->reminders;
}
const Records& Installation::records() const {
    return parts_->records;
}
const Reports& Installation::reports() const {
    return parts_->reports;
}
const Users& Installation::users() const {
    return parts_->users;
}

void Installation::listenAt(const std::string& url) {
    parts_->core.listeningUrl = url;
}

void Installation::renderWith(unsigned workers) {
    parts_->core.renderWorkers = workers;
}

std::string Installation::portalUrl() const {
    return parts_->core.portalUrl();
}

void Installation::setActionPort(ActionPort* port) {
    auto& core = parts_->core;
    core.port = port ? port : core.documentPort.get();
}

void Installation::setTransport(notify::Transport* transport) {
    parts_->core.transportOverride = transport;
}

namespace {
thread_local Call* current = nullptr;
}

Acting::Acting(Actor by) : outer_(current) {
    call_.by = std::move(by);
    current = &call_;
}

Acting::~Acting() {
    current = outer_;
}

Call& currentCall() {
    if (!current)
        throw std::logic_error("an engine call that changes something was made without an actor");
    return *current;
}

Network Rosters::addNetwork(const Actor& by, const std::string& nameIn,
                                 const std::vector<std::string>& areasIn) const {
    const Acting acting(by);
    const std::string name = text::trim(nameIn);
    if (name.empty())
        throw EngineError("a network needs a name");
    std::vector<std::string> areas;
    for (const auto& a : areasIn) {
        const std::string area = text::trim(a);
        if (area.empty())
            continue;
        for (const auto& seen : areas)
            if (text::equalsFolded(seen, area))
                throw EngineError("area \"" + area + "\" is given twice");
        areas.push_back(area);
    }
    if (areas.empty())
        throw EngineError("network \"" + name + "\" needs at least one area (--area)");
    return guarded([&] {
        if (core_.rosters.findNetwork(name))
            throw EngineError("a network named \"" + name + "\" exists already");
        storage::Transaction tx(core_.db);
        const auto record = core_.rosters.createNetwork(name, areas, core_.clock.now());
        core_.record("network.created", name,
                       {{"name", name}, {"areas", text::join(areas, "; ")}});
        tx.commit();
        return toNetwork(record);
    });
}

void Rosters::addArea(const Actor& by, const std::string& networkName, const std::string& areaIn) const {
    const Acting acting(by);
    const std::string area = text::trim(areaIn);
    if (area.empty())
        throw EngineError("an area needs a name");
    guarded([&] {
        const auto record = core_.networkRecord(networkName);
        for (const auto& a : record.areas)
            if (text::equalsFolded(a, area))
                throw EngineError("network \"" + record.name + "\" already has an area \"" + a +
                                  "\"");
        storage::Transaction tx(core_.db);
        core_.rosters.addArea(record, area);
        core_.record("network.area_added", record.name, {{"area", area}});
        tx.commit();
    });
}

std::vector<Network> Rosters::networks() const {
    return guarded([&] {
        std::vector<Network> out;
        for (const auto& r : core_.rosters.networks()) out.push_back(toNetwork(r));
        return out;
    });
}

Network Rosters::network(const std::string& name) const {
    return guarded([&] { return toNetwork(core_.networkRecord(name)); });
}

RosterImport Rosters::importRoster(const Actor& by, const std::string& path, const std::string& networkName,
                                        bool dryRun) const {
    const Acting acting(by);
    Table table;
    try {
        table = documents::readTableFile(path, core_.env);
    } catch (const documents::TableFileError& e) {
        throw EngineError(e.what());
    }
    return guarded([&] {
        const auto record = core_.networkRecord(networkName);
        // One transaction from reading the stored roster to writing the changes, so that the
        // diff printed is the diff applied.
        storage::Transaction tx(core_.db);
        const Roster stored = core_.rosters.load(record);
        // The table goes row by row as the roster grows: never both whole (memory).
        RosterSheet sheet = readRosterSheet(std::move(table), record.areas, stored.people);

        RosterImport result;
        result.network = toNetwork(record);
        result.source = path;
        result.problems = std::move(sheet.problems);
        result.warnings = std::move(sheet.warnings);
        if (!result.problems.empty())
            return result;
        result.diff = diffRoster(stored, sheet.roster);
        if (result.diff.empty())
            return result;

        // A dry run does all of it and rolls back, so that it shows exactly what would happen.
        core_.rosters.save(record, sheet.roster, core_.clock.now());
        currentCall().networkLeaders.clear();  // the roster may name another
        for (const auto& change : result.diff.changes) {
            auto payload = change.details;
            payload.insert(payload.begin(), {"network", record.name});
            payload.push_back({"source", Poco::Path(path).getFileName()});
            core_.record(change.kind, change.subject, payload);
        }
        result.caseEffects = core_.applyRosterToCases(record, result.diff, sheet.roster);
        if (dryRun)
            return result;
        tx.commit();
        result.applied = true;
        return result;
    });
}

Roster Rosters::roster(const Network& network) const {
    return guarded([&] { return core_.rosters.load(core_.networkRecord(network.name)); });
}

AuditCheck Records::verifyAuditLog() const {
    return guarded([&] {
        const auto v = core_.audit.verify();
        return AuditCheck{v.eventsChecked, v.headHash, v.firstBadSeq, v.problem};
    });
}

std::vector<AuditEventView> Records::auditEvents(std::int64_t after, std::size_t limit) const {
    return guarded([&] {
        std::vector<AuditEventView> out;
        for (auto& e : core_.audit.list(after, limit))
            out.push_back({e.seq, e.occurredAt, e.actor, e.kind, e.subject, e.payload});
        return out;
    });
}

}  // namespace avtaleflyt::engine
