// End to end: every command's --format json, read back with Poco's JSON parser and checked
// against what the tables and the database say. The shapes are documented in
// docs/json-output.md; a test below keeps that document and the commands in step.
#include <catch2/catch.hpp>

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "TestSupport.h"

using namespace avtaleflyt;
using test::runCli;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const std::string kAreas[] = {"Bydelene i Oslo", "Follo",       "Nedre Romerike",
                              "Øvre Romerike",   "Kongsvinger", "Ahus"};

// The shared CLI fixture, and function descriptions sent to the nurses of Follo.
struct JsonFixture : test::CliFixture {
    void sentToFollo() {
        sample();
        REQUIRE(run({"send", "function-descriptions", "--area", "Follo", "--now",
                     "2026-11-03T09:00"})
                    .exitCode == 0);
    }
};

// The whole of standard output as one JSON document ending with a newline (the parser refuses
// anything after the document), from a run that exited with `exitCode`.
Poco::Dynamic::Var parse(const test::CliResult& r, int exitCode = 0) {
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exitCode == exitCode);
    REQUIRE(!r.out.empty());
    REQUIRE(r.out.back() == '\n');
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v;
    REQUIRE_NOTHROW(v = parser.parse(r.out));
    return v;
}
Object::Ptr object(const test::CliResult& r, int exitCode = 0) {
    const auto v = parse(r, exitCode);
    REQUIRE(v.type() == typeid(Object::Ptr));
    return v.extract<Object::Ptr>();
}
Array::Ptr array(const test::CliResult& r, int exitCode = 0) {
    const auto v = parse(r, exitCode);
    REQUIRE(v.type() == typeid(Array::Ptr));
    return v.extract<Array::Ptr>();
}

std::string str(const Object::Ptr& o, const std::string& key) {
    INFO(key);
    REQUIRE(o->has(key));
    REQUIRE(!o->isNull(key));
    return o->getValue<std::string>(key);
}
long long num(const Object::Ptr& o, const std::string& key) {
    INFO(key);
    REQUIRE(o->has(key));
    REQUIRE(o->get(key).isInteger());
    return o->getValue<long long>(key);
}
bool flag(const Object::Ptr& o, const std::string& key) {
    INFO(key);
    REQUIRE(o->has(key));
    REQUIRE(o->get(key).isBoolean());
    return o->getValue<bool>(key);
}
bool isNull(const Object::Ptr& o, const std::string& key) {
    INFO(key);
    REQUIRE(o->has(key));  // absent values are null, not left out
    return o->isNull(key);
}
Object::Ptr at(const Array::Ptr& a, std::size_t i) { return a->getObject(static_cast<unsigned>(i)); }
std::vector<std::string> keys(const Object::Ptr& o) {
    std::vector<std::string> k;
    o->getNames(k);
    std::sort(k.begin(), k.end());
    return k;
}
std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}
bool isTimestamp(const std::string& s) {
    return std::regex_match(s, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"));
}

std::string readSource(const std::string& relative) {
    return test::readFile(std::string(AVTALEFLYT_SOURCE_DIR) + "/" + relative);
}

// Every command of the command table, by its words, as `avtaleflyt --help` lists them: the
// names are read from the table's sources (the help cuts long names off) and each one checked
// to be a command of its own with its --help, and their number against the help's list.
std::vector<std::string> allCommands(JsonFixture& f) {
    std::set<std::string> names;
    const std::string dir = std::string(AVTALEFLYT_SOURCE_DIR) + "/apps/cli";
    std::vector<std::string> files;
    Poco::File(dir).list(files);
    const std::regex entry(R"re(\{\{"([a-z-]+)"(?:,\s*"([a-z-]+)")?\},)re");
    for (const auto& file : files) {
        if (file.size() < 4 || file.substr(file.size() - 4) != ".cpp")
            continue;
        const std::string source = test::readFile(dir + "/" + file);
        for (std::sregex_iterator it(source.begin(), source.end(), entry), end; it != end; ++it)
            names.insert((*it)[1].str() + ((*it)[2].matched ? " " + (*it)[2].str() : ""));
    }
    const auto help = f.run({"--help"});
    REQUIRE(help.exitCode == 0);
    const auto from = help.out.find("Commands:\n"), to = help.out.find("\n\n", from);
    REQUIRE(from != std::string::npos);
    const auto listed = test::countLines(help.out.substr(from, to - from), "  ");
    CHECK(names.size() == listed);
    std::vector<std::string> commands(names.begin(), names.end());
    for (const auto& name : commands) {
        std::vector<std::string> args;
        std::istringstream words(name);
        for (std::string w; words >> w;) args.push_back(w);
        args.push_back("--help");
        const auto r = f.run(args);
        INFO(name);
        CHECK(r.exitCode == 0);
        CHECK(r.out.rfind("Usage: avtaleflyt " + name, 0) == 0);
    }
    return commands;
}

// The formats a command's --format takes, as its --help names them ("table (default), csv or
// json ..."), in order; empty if it has no --format.
std::vector<std::string> formatsOf(JsonFixture& f, const std::string& command) {
    std::vector<std::string> args;
    std::istringstream words(command);
    for (std::string w; words >> w;) args.push_back(w);
    args.push_back("--help");
    const std::string help = f.run(args).out;
    std::smatch m;
    if (!std::regex_search(help, m, std::regex(R"(\n  --format FORMAT +([a-z, ()]+?)(?: \(json:|;|\n))")))
        return {};
    std::string list = std::regex_replace(m[1].str(), std::regex(R"( \(default\))"), "");
    list = std::regex_replace(list, std::regex(" or "), ", ");
    std::vector<std::string> formats;
    std::istringstream parts(list);
    for (std::string part; std::getline(parts, part, ',');) {
        part.erase(0, part.find_first_not_of(' '));
        formats.push_back(part);
    }
    return formats;
}

std::vector<std::string> jsonCommands(JsonFixture& f) {
    std::vector<std::string> out;
    for (const auto& c : allCommands(f)) {
        const auto formats = formatsOf(f, c);
        if (std::find(formats.begin(), formats.end(), "json") != formats.end())
            out.push_back(c);
    }
    return out;
}

// A positional argument for each command that needs one (the format is checked before it).
std::vector<std::string> withArguments(const std::string& command) {
    std::vector<std::string> args;
    std::istringstream words(command);
    for (std::string w; words >> w;) args.push_back(w);
    if (command == "case show")
        args.push_back("FB-2026-0001");
    else if (command == "import roster" || command == "seal verify")
        args.push_back("x");
    else if (command == "workflow check")
        args.push_back(".");
    return args;
}

}  // namespace

TEST_CASE("cli json: every command that writes JSON refuses --format xml, exit 2, naming its "
          "formats",
          "[cli][json]") {
    JsonFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    const std::string before = f.sql("SELECT count(*) FROM audit_event");
    const auto commands = jsonCommands(f);
    // The commands this change gave --format json, and those that had it before.
    for (const char* expected :
         {"network list", "network show", "import roster", "people list", "log verify",
          "log list", "send function-descriptions", "case list", "case show", "outbox list",
          "report missing", "status", "user list", "remind", "seal verify", "archive", "audit",
          "workflow list", "workflow check"})
        CHECK(std::find(commands.begin(), commands.end(), expected) != commands.end());
    for (const auto& command : commands) {
        auto args = withArguments(command);
        args.insert(args.end(), {"--format", "xml"});
        const auto r = f.run(args);
        INFO(command);
        CHECK(r.exitCode == 2);
        CHECK(r.out.empty());
        std::string names;
        const auto formats = formatsOf(f, command);
        for (std::size_t i = 0; i < formats.size(); ++i)
            names += (i == 0 ? "" : i + 1 == formats.size() ? " or " : ", ") + formats[i];
        CHECK(r.err == "avtaleflyt: unknown format \"xml\" (use " + names + ")\nRun 'avtaleflyt " +
                           command + " --help' for help.\n");
    }
    CHECK(f.run({"status", "--format", "xml"}).err ==
          "avtaleflyt: unknown format \"xml\" (use table or json)\n"
          "Run 'avtaleflyt status --help' for help.\n");
    CHECK(f.sql("SELECT count(*) FROM audit_event") == before);
}

TEST_CASE("cli json: docs/json-output.md documents exactly the commands that write JSON, with "
          "examples that parse",
          "[cli][json]") {
    JsonFixture f;
    const std::string doc = readSource("docs/json-output.md");
    std::set<std::string> documented;
    const std::regex heading(R"(\n## `avtaleflyt ([a-z -]+)`)");
    for (std::sregex_iterator it(doc.begin(), doc.end(), heading), end; it != end; ++it)
        documented.insert((*it)[1].str());
    const auto commands = jsonCommands(f);
    REQUIRE(commands.size() >= 19);
    for (const auto& c : commands) {
        INFO(c << " writes JSON but has no section \"## `avtaleflyt " << c << "`\"");
        CHECK(documented.count(c) == 1);
    }
    for (const auto& d : documented) {
        INFO("docs/json-output.md documents " << d << ", which has no --format json");
        CHECK(std::find(commands.begin(), commands.end(), d) != commands.end());
    }
    // Every example is JSON, and each section has one.
    std::size_t examples = 0;
    const std::regex block("```json\n([\\s\\S]*?)```");
    for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it) {
        Poco::JSON::Parser parser;
        INFO((*it)[1].str());
        CHECK_NOTHROW(parser.parse((*it)[1].str()));
        ++examples;
    }
    CHECK(examples >= documented.size());
    CHECK(readSource("README.md").find("(docs/json-output.md)") != std::string::npos);
    CHECK(readSource("docs/user-guide.md").find("(json-output.md)") != std::string::npos);
}

TEST_CASE("cli json: network list and network show count the imported roster", "[cli][json]") {
    JsonFixture f;
    f.sample();
    const auto networks = array(f.run({"network", "list", "--format", "json"}));
    REQUIRE(networks->size() == 1);
    const auto net = at(networks, 0);
    const std::string name = str(net, "name");
    CHECK(f.run({"network", "list"}).out.find(name) != std::string::npos);
    const auto areas = net->getArray("areas");
    REQUIRE(areas->size() == 6);
    for (unsigned i = 0; i < 6; ++i) CHECK(areas->getElement<std::string>(i) == kAreas[i]);
    CHECK(str(net, "created_at") == "2026-11-02T00:00:00Z");

    const auto show = object(f.run({"network", "show", "--format", "json"}));
    CHECK(str(show, "network") == name);
    const auto head = show->getObject("network_leader");
    REQUIRE(head);
    CHECK(f.run({"network", "show"}).out.find("Network leader: " + str(head, "name")) !=
          std::string::npos);
    CHECK(str(head, "email") == f.sql("SELECT p.email FROM network_leader l JOIN person p ON "
                                      "p.id = l.person_id"));
    const auto perArea = show->getArray("areas");
    REQUIRE(perArea->size() == 6);
    long long active = 0, leave = 0, left = 0;
    for (std::size_t i = 0; i < perArea->size(); ++i) {
        const auto a = at(perArea, i);
        CHECK(str(a, "area") == kAreas[i]);
        CHECK(!isNull(a, "area_leader"));
        active += num(a, "active");
        leave += num(a, "on_leave");
        left += num(a, "left");
        CHECK(num(a, "units") > 0);
        CHECK(num(a, "leaders") > 0);
    }
    const auto total = show->getObject("total");
    CHECK(num(total, "active") == active);
    CHECK(num(total, "on_leave") == leave);
    CHECK(num(total, "left") == left);
    CHECK(active == f.count("SELECT count(*) FROM membership WHERE status = 'active'"));
    CHECK(leave == f.count("SELECT count(*) FROM membership WHERE status = 'leave'"));
    CHECK(active + leave + left == 250);  // the nurses imported
}

TEST_CASE("cli json: people list and case list keep their shapes", "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    const auto people = array(f.run({"people", "list", "--format", "json", "--area", "Ahus"}));
    REQUIRE(people->size() > 0);
    CHECK(keys(at(people, 0)) == sorted({"name", "email", "phone", "area", "municipality", "unit",
                                         "unit_type", "leader", "leader_email", "status",
                                         "role"}));
    std::size_t nurses = 0;
    for (std::size_t i = 0; i < people->size(); ++i)
        nurses += str(at(people, i), "role") == "ressurssykepleier";
    const std::string table = f.run({"people", "list", "--area", "Ahus"}).out;
    CHECK(table.find("\n" + std::to_string(nurses) + " nurses\n") != std::string::npos);

    const auto cases = array(f.run({"case", "list", "--format", "json"}));
    CHECK(static_cast<long long>(cases->size()) == f.count("SELECT count(*) FROM case_file"));
    REQUIRE(cases->size() > 0);
    const auto first = at(cases, 0);
    CHECK(keys(first) == sorted({"reference", "workflow", "title", "area", "state",
                                 "signatures_given", "signatures_asked", "deadline"}));
    CHECK(str(first, "state") == "sent");
    CHECK(num(first, "signatures_given") == 0);
    CHECK(num(first, "signatures_asked") == 2);
    CHECK(str(first, "deadline") == "2027-01-02");
    CHECK(str(first, "area") == "Follo");
}

TEST_CASE("cli json: import roster says what it changes, dry run or not, and lists problems",
          "[cli][json]") {
    JsonFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    REQUIRE(f.run({"sample", "roster", "--out", "liste.csv", "--add-network"}).exitCode == 0);
    const long long before = f.count("SELECT count(*) FROM audit_event");

    const auto dry = object(f.run({"import", "roster", "liste.csv", "--dry-run", "--format", "json"}));
    CHECK(flag(dry, "dry_run"));
    CHECK_FALSE(flag(dry, "applied"));
    CHECK(str(dry, "source") == "liste.csv");
    const auto changes = dry->getArray("changes");
    std::size_t nurses = 0;
    for (std::size_t i = 0; i < changes->size(); ++i) {
        const auto c = at(changes, i);
        if (str(c, "kind") == "roster.nurse.added") {
            ++nurses;
            CHECK(str(c, "group") == "added");
            CHECK(str(c, "subject") == c->getObject("details")->getValue<std::string>("email"));
        }
    }
    CHECK(nurses == 250);
    CHECK(num(dry, "added") + num(dry, "changed") + num(dry, "left") ==
          static_cast<long long>(changes->size()));
    CHECK(dry->getArray("problems")->size() == 0);
    CHECK(f.count("SELECT count(*) FROM audit_event") == before);

    const auto real = object(f.run({"import", "roster", "liste.csv", "--format", "json"}));
    CHECK_FALSE(flag(real, "dry_run"));
    CHECK(flag(real, "applied"));
    CHECK(real->getArray("changes")->size() == changes->size());
    // One audit event per change.
    CHECK(f.count("SELECT count(*) FROM audit_event") ==
          before + static_cast<long long>(changes->size()));
    const auto again = object(f.run({"import", "roster", "liste.csv", "--format", "json"}));
    CHECK(again->getArray("changes")->size() == 0);
    CHECK(num(again, "added") == 0);

    test::writeFile(f.dir.file("feil.csv"),
                    "Navn;E-post;Område;Arbeidssted;Leder;Leders e-post;Status\r\n"
                    "Mia Berg;;Follo;Tunet;Tor Lie;tor@frogn.example;aktiv\r\n"
                    "Siri Moe;siri@frogn.example;Vestfold;Tunet;Tor Lie;tor@frogn.example;aktiv\r\n");
    const long long written = f.count("SELECT count(*) FROM audit_event");
    const auto bad = object(f.run({"import", "roster", "feil.csv", "--format", "json"}), 1);
    CHECK_FALSE(flag(bad, "applied"));
    const auto problems = bad->getArray("problems");
    REQUIRE(problems->size() == 2);
    CHECK(str(at(problems, 0), "source") == "feil.csv");
    CHECK(num(at(problems, 0), "line") == 2);
    CHECK(str(at(problems, 0), "field") == "E-post");
    CHECK(str(at(problems, 0), "cause") == "missing e-mail for Mia Berg");
    CHECK(num(at(problems, 1), "line") == 3);
    CHECK(str(at(problems, 1), "field") == "Område");
    CHECK(f.count("SELECT count(*) FROM audit_event") == written);
}

TEST_CASE("cli json: log verify and log list match the audit log", "[cli][json]") {
    JsonFixture f;
    f.sample();
    const long long events = f.count("SELECT count(*) FROM audit_event");
    auto v = object(f.run({"log", "verify", "--format", "json"}));
    CHECK(flag(v, "intact"));
    CHECK(num(v, "events_checked") == events);
    CHECK(str(v, "head_hash") == f.sql("SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1"));
    CHECK(isNull(v, "first_bad_event"));
    CHECK(isNull(v, "problem"));

    const auto list = array(f.run({"log", "list", "--last", "5", "--format", "json"}));
    REQUIRE(list->size() == 5);
    for (std::size_t i = 0; i < 5; ++i) {
        const auto e = at(list, i);
        CHECK(num(e, "seq") == events - 4 + static_cast<long long>(i));
        CHECK(str(e, "occurred_at") == "2026-11-02T08:00:00Z");
        CHECK(str(e, "kind") == f.sql("SELECT kind FROM audit_event WHERE seq = " +
                                      std::to_string(num(e, "seq"))));
        CHECK(e->getObject("details"));  // the payload, as an object
    }
    CHECK(str(at(list, 4), "subject") ==
          f.sql("SELECT subject FROM audit_event ORDER BY seq DESC LIMIT 1"));

    test::execSql(
        f.db(),
        "DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'x' WHERE seq = 7");
    v = object(f.run({"log", "verify", "--format", "json"}), 1);
    CHECK_FALSE(flag(v, "intact"));
    CHECK(num(v, "first_bad_event") == 7);
    CHECK(num(v, "events_checked") == 6);
    CHECK(str(v, "problem") ==
          "event 7 was changed after it was written (its hash does not match its contents)");
}

TEST_CASE("cli json: send function-descriptions names the nurses and the cases sent to them",
          "[cli][json]") {
    JsonFixture f;
    f.sample();
    const auto show = object(f.run({"network", "show", "--format", "json"}));
    const auto kongsvinger = at(show->getArray("areas"), 4);
    REQUIRE(str(kongsvinger, "area") == "Kongsvinger");

    const auto dry = object(f.run({"send", "function-descriptions", "--area", "Kongsvinger",
                                   "--dry-run", "--format", "json"}));
    CHECK(flag(dry, "dry_run"));
    CHECK(num(dry, "covered") == 0);
    const auto would = dry->getArray("nurses");
    CHECK(static_cast<long long>(would->size()) == num(kongsvinger, "active"));
    for (std::size_t i = 0; i < would->size(); ++i) {
        CHECK(str(at(would, i), "area") == "Kongsvinger");
        CHECK(isNull(at(would, i), "reference"));
    }
    CHECK(f.count("SELECT count(*) FROM case_file") == 0);

    const auto sent = object(f.run({"send", "function-descriptions", "--area", "Kongsvinger",
                                    "--format", "json", "--now", "2026-11-03T09:00"}));
    CHECK_FALSE(flag(sent, "dry_run"));
    const auto nurses = sent->getArray("nurses");
    CHECK(nurses->size() == would->size());
    CHECK(static_cast<long long>(nurses->size()) == f.count("SELECT count(*) FROM case_file"));
    for (std::size_t i = 0; i < nurses->size(); ++i) {
        const auto n = at(nurses, i);
        CHECK(str(n, "email") == str(at(would, i), "email"));
        CHECK(str(n, "state") == "sent");
        CHECK(str(n, "deadline") == "2027-01-02");
        CHECK(f.sql("SELECT p.email FROM case_file c JOIN person p ON p.id = c.subject_person_id "
                    "WHERE c.reference = '" +
                    str(n, "reference") + "'") == str(n, "email"));
    }
    const auto again = object(f.run({"send", "function-descriptions", "--format", "json",
                                     "--area", "Kongsvinger"}));
    CHECK(again->getArray("nurses")->size() == 0);
    CHECK(num(again, "covered") == static_cast<long long>(nurses->size()));
}

TEST_CASE("cli json: case show holds the case's state, signers, timers and timeline",
          "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    auto c = object(f.run({"case", "show", "FB-2026-0001", "--format", "json"}));
    CHECK(str(c, "reference") == "FB-2026-0001");
    CHECK(str(c, "state") == f.sql("SELECT state FROM case_file WHERE reference = 'FB-2026-0001'"));
    CHECK(str(c, "state") == "sent");
    CHECK(num(c, "version") == 2);
    CHECK(str(c, "deadline") == "2027-01-02");
    CHECK(str(c, "area") == "Follo");
    CHECK(str(c, "workflow") == "function-description");
    CHECK(num(c->getObject("template"), "version") == 1);
    CHECK(isNull(c, "approval"));
    CHECK(isNull(c, "note"));
    const auto signers = c->getArray("signers");
    REQUIRE(signers->size() == 2);
    const std::string caseId = "(SELECT id FROM case_file WHERE reference = 'FB-2026-0001')";
    for (std::size_t i = 0; i < 2; ++i) {
        const auto s = at(signers, i);
        const std::string where = " FROM signature_request r JOIN person p ON p.id = r.person_id "
                                  "WHERE r.case_id = " +
                                  caseId + " AND r.position = " + std::to_string(i + 1);
        CHECK(num(s, "position") == static_cast<long long>(i + 1));
        CHECK(str(s, "role") == f.sql("SELECT r.role" + where));
        CHECK(str(s, "name") == f.sql("SELECT p.name" + where));
        CHECK(str(s, "email") == f.sql("SELECT p.email" + where));
        CHECK(str(s, "status") == "open");
        CHECK(isNull(s, "signed_at"));
    }
    CHECK(str(at(signers, 0), "role") == "nurse");
    CHECK(str(at(signers, 1), "role") == "leader");
    const auto timers = c->getArray("timers");
    CHECK(static_cast<long long>(timers->size()) ==
          f.count("SELECT count(*) FROM case_timer WHERE case_id = " + caseId));
    for (std::size_t i = 0; i < timers->size(); ++i)
        CHECK(isTimestamp(str(at(timers, i), "due")));
    const auto timeline = c->getArray("timeline");
    CHECK(static_cast<long long>(timeline->size()) ==
          f.count("SELECT count(*) FROM audit_event WHERE subject = 'FB-2026-0001'"));
    CHECK(str(at(timeline, 0), "kind") == "case.opened");
    CHECK(str(at(timeline, 1), "kind") == "case.send");
    CHECK(str(at(timeline, 1)->getObject("details"), "to") == "sent");
    const auto actions = c->getArray("actions");
    REQUIRE(actions->size() >= 1);
    bool notified = false;
    for (std::size_t i = 0; i < actions->size(); ++i)
        if (str(at(actions, i), "action") == "notify_signers") {
            notified = true;
            CHECK(at(actions, i)->getArray("recipients")->size() == 2);
        }
    CHECK(notified);

    // A paper signature and a withdrawal show as they are stored.
    REQUIRE(f.run({"render", "FB-2026-0002", "--out", "skann.pdf"}).exitCode == 0);
    REQUIRE(f.run({"sign", "register", "FB-2026-0002", "--signer", "nurse", "--scan", "skann.pdf",
                   "--date", "2026-11-01", "--now", "2026-11-04T10:00"})
                .exitCode == 0);
    c = object(f.run({"case", "show", "FB-2026-0002", "--format", "json"}));
    CHECK(str(c, "state") == "partially_signed");
    const auto nurse = at(c->getArray("signers"), 0);
    CHECK(str(nurse, "status") == "signed");
    CHECK(str(nurse, "method") == "paper");
    CHECK(str(nurse, "signed_at") == "2026-11-01");
    CHECK(str(at(c->getArray("signers"), 1), "status") == "open");
    REQUIRE(f.run({"case", "withdraw", "FB-2026-0001", "--reason", "Feil person"}).exitCode == 0);
    c = object(f.run({"case", "show", "FB-2026-0001", "--format", "json"}));
    CHECK(str(c, "state") == "withdrawn");
    CHECK(str(c, "note") == "Feil person");
    // An error is no document: nothing on standard output, the message on standard error.
    const auto missing = f.run({"case", "show", "FB-0000", "--format", "json"});
    CHECK(missing.exitCode == 1);
    CHECK(missing.out.empty());
    CHECK(missing.err == "avtaleflyt: no case FB-0000\n");
}

TEST_CASE("cli json: outbox list holds the queued mail, then the sent mail", "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    const long long cases = f.count("SELECT count(*) FROM case_file");
    auto queued = array(f.run({"outbox", "list", "--format", "json"}));
    // One mail to the nurse and one to the leader of every case sent.
    CHECK(static_cast<long long>(queued->size()) == 2 * cases);
    CHECK(static_cast<long long>(queued->size()) ==
          f.count("SELECT count(*) FROM outbox WHERE status = 'queued'"));
    std::set<std::string> references;
    for (std::size_t i = 0; i < queued->size(); ++i) {
        const auto m = at(queued, i);
        CHECK(str(m, "status") == "queued");
        CHECK(str(m, "kind") == "sign");
        CHECK(num(m, "attempts") == 0);
        CHECK(str(m, "created_at") == "2026-11-03T09:00:00Z");
        CHECK(isTimestamp(str(m, "next_attempt_at")));
        CHECK(isNull(m, "sent_at"));
        CHECK(isNull(m, "last_error"));
        references.insert(str(m, "reference"));
    }
    CHECK(static_cast<long long>(references.size()) == cases);
    const auto table = f.run({"outbox", "list"}).out;
    CHECK(table.find(std::to_string(queued->size()) + " messages.") != std::string::npos);

    REQUIRE(f.run({"outbox", "send", "--now", "2026-11-03T10:00"}).exitCode == 0);
    CHECK(array(f.run({"outbox", "list", "--format", "json"}))->size() == 0);
    const auto sent = array(f.run({"outbox", "list", "--status", "sent", "--format", "json"}));
    CHECK(sent->size() == queued->size());
    for (std::size_t i = 0; i < sent->size(); ++i) {
        CHECK(str(at(sent, i), "status") == "sent");
        CHECK(str(at(sent, i), "sent_at") == "2026-11-03T10:00:00Z");
        CHECK(isNull(at(sent, i), "next_attempt_at"));
    }
}

TEST_CASE("cli json: status counts per area add up to the nurses imported", "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    const auto s = object(f.run({"status", "--format", "json", "--now", "2026-11-30T09:00"}));
    CHECK(str(s, "as_of") == "2026-11-30T09:00:00Z");
    CHECK(isNull(s, "area"));
    const auto areas = s->getArray("areas");
    REQUIRE(areas->size() == 6);
    long long nurses = 0, signedCount = 0, outstanding = 0, overdue = 0, notSent = 0;
    for (std::size_t i = 0; i < areas->size(); ++i) {
        const auto a = at(areas, i);
        CHECK(str(a, "area") == kAreas[i]);
        // Each active nurse is in exactly one count.
        CHECK(num(a, "signed") + num(a, "outstanding") + num(a, "overdue") + num(a, "not_sent") ==
              num(a, "active_nurses"));
        nurses += num(a, "active_nurses");
        signedCount += num(a, "signed");
        outstanding += num(a, "outstanding");
        overdue += num(a, "overdue");
        notSent += num(a, "not_sent");
    }
    CHECK(nurses == f.count("SELECT count(*) FROM membership WHERE status = 'active'"));
    const auto total = s->getObject("total");
    CHECK(num(total, "active_nurses") == nurses);
    CHECK(num(total, "signed") == signedCount);
    CHECK(num(total, "outstanding") + num(total, "overdue") ==
          f.count("SELECT count(*) FROM case_file"));
    CHECK(num(total, "overdue") == overdue);  // Follo: sent 27 days ago
    CHECK(overdue == num(at(areas, 1), "active_nurses"));
    CHECK(num(total, "not_sent") == notSent);
    CHECK(num(s->getObject("mail"), "queued") ==
          f.count("SELECT count(*) FROM outbox WHERE status = 'queued'"));
    CHECK(num(s->getObject("mail"), "failing") == 0);
    CHECK(f.run({"status", "--now", "2026-11-30T09:00"})
              .out.find("Mail waiting to go: " +
                        std::to_string(num(s->getObject("mail"), "queued"))) != std::string::npos);

    const auto follo =
        object(f.run({"status", "--format", "json", "--area", "Follo", "--now", "2026-11-30"}));
    CHECK(str(follo, "area") == "Follo");
    CHECK(follo->getArray("areas")->size() == 1);
}

TEST_CASE("cli json: report missing lists the open requests and the nurses without one",
          "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    const auto r = object(f.run({"report", "missing", "--format", "json", "--now",
                                 "2026-11-30T09:00"}));
    const auto open = r->getArray("open");
    CHECK(static_cast<long long>(open->size()) ==
          f.count("SELECT count(*) FROM signature_request WHERE status = 'open'"));
    for (std::size_t i = 0; i < open->size(); ++i) {
        const auto o = at(open, i);
        const std::string role = str(o, "signer_role");
        CHECK((role == "nurse" || role == "leader"));  // machine names, not translated
        CHECK(str(o, "state") == "sent");
        CHECK(str(o, "sent_on") == "2026-11-03");
        CHECK(num(o, "days_outstanding") == 27);
        CHECK(flag(o, "overdue"));
        CHECK(str(o, "area") == "Follo");
    }
    const auto total = r->getObject("total");
    const auto uncovered = r->getArray("uncovered");
    CHECK(static_cast<long long>(uncovered->size()) ==
          num(total, "active_nurses") - num(total, "signed"));
    std::size_t neverSent = 0;
    for (std::size_t i = 0; i < uncovered->size(); ++i)
        neverSent += isNull(at(uncovered, i), "case_reference");
    CHECK(static_cast<long long>(neverSent) == num(total, "not_sent"));
    CHECK(num(r, "overdue_days") == 21);

    // The same counts as the status.
    const auto s = object(f.run({"status", "--format", "json", "--now", "2026-11-30T09:00"}));
    CHECK(s->getObject("total")->getValue<long long>("overdue") == num(total, "overdue"));

    const auto written = f.run({"report", "missing", "--format", "json", "--out",
                                f.dir.file("r.json"), "--now", "2026-11-30T09:00"});
    CHECK(written.exitCode == 0);
    Poco::JSON::Parser parser;
    const auto file = parser.parse(test::readFile(f.dir.file("r.json"))).extract<Object::Ptr>();
    CHECK(file->getArray("open")->size() == open->size());
}

TEST_CASE("cli json: remind says which timers fire and what they mail", "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    // Tuesday evening: the reminders wait for the morning (08:00 in Oslo is 07:00 UTC).
    auto r = object(f.run({"remind", "--now", "2026-11-10T18:00", "--dry-run", "--format", "json"}));
    CHECK(str(r, "at") == "2026-11-10T18:00:00Z");
    CHECK(r->getArray("fired")->size() == 0);
    CHECK(num(r, "held") > 0);
    CHECK(str(r, "held_until") == "2026-11-11T07:00:00Z");

    r = object(f.run({"remind", "--now", "2026-11-10T12:00", "--dry-run", "--format", "json"}));
    CHECK(flag(r, "dry_run"));
    const auto would = r->getArray("fired");
    CHECK(static_cast<long long>(would->size()) == f.count("SELECT count(*) FROM case_file"));
    CHECK(r->getArray("mails")->size() == 2 * would->size());  // nurse and leader of each
    CHECK(isNull(r, "held_until"));
    CHECK(f.count("SELECT count(*) FROM case_action WHERE action = 'remind'") == 0);

    r = object(f.run({"remind", "--now", "2026-11-10T12:00", "--format", "json"}));
    CHECK_FALSE(flag(r, "dry_run"));
    const auto fired = r->getArray("fired");
    CHECK(static_cast<long long>(fired->size()) ==
          f.count("SELECT count(*) FROM case_action WHERE action = 'remind'"));
    for (std::size_t i = 0; i < fired->size(); ++i) {
        const auto t = at(fired, i);
        CHECK(str(t, "timer") == "reminder");
        CHECK(str(t, "result").rfind("remind ", 0) == 0);
        CHECK(f.count("SELECT count(*) FROM case_file WHERE reference = '" + str(t, "reference") +
                      "'") == 1);
    }
    const auto mails = r->getArray("mails");
    for (std::size_t i = 0; i < mails->size(); ++i) {
        const auto m = at(mails, i);
        CHECK(str(m, "subject").rfind("Påminnelse: ", 0) == 0);
        CHECK(f.count("SELECT count(*) FROM outbox WHERE kind = 'remind' AND recipient = '" +
                      str(m, "to") + "'") >= 1);
    }
    CHECK(static_cast<long long>(mails->size()) ==
          f.count("SELECT count(*) FROM outbox WHERE kind = 'remind'"));
}

TEST_CASE("cli json: user list shows the users added, with their roles and status",
          "[cli][json]") {
    JsonFixture f;
    f.sample();
    CHECK(array(f.run({"user", "list", "--format", "json"}))->size() == 0);
    REQUIRE(f.runWithInput({"user", "add", "nora", "--name", "Nora Nettverk", "--role",
                            "network_leader"},
                           "hemmelig-passord\n")
                .exitCode == 0);
    REQUIRE(f.runWithInput({"user", "add", "frida", "--name", "Frida Follo", "--role",
                            "area_leader", "--area", "Follo"},
                           "hemmelig-passord\n")
                .exitCode == 0);
    REQUIRE(f.run({"user", "disable", "frida"}).exitCode == 0);
    const auto users = array(f.run({"user", "list", "--format", "json"}));
    REQUIRE(users->size() == 2);
    CHECK(static_cast<long long>(users->size()) == f.count("SELECT count(*) FROM app_user"));
    std::map<std::string, Object::Ptr> byName;
    for (std::size_t i = 0; i < users->size(); ++i)
        byName[str(at(users, i), "username")] = at(users, i);
    REQUIRE(byName.count("nora") == 1);
    REQUIRE(byName.count("frida") == 1);
    CHECK(str(byName["nora"], "name") == "Nora Nettverk");
    CHECK(str(byName["nora"], "role") == "network_leader");
    CHECK(isNull(byName["nora"], "area"));
    CHECK(str(byName["nora"], "status") == "active");
    CHECK(str(byName["frida"], "role") == "area_leader");
    CHECK(str(byName["frida"], "area") == "Follo");
    CHECK(str(byName["frida"], "status") == "disabled");
    CHECK(str(byName["frida"], "network") ==
          str(at(array(f.run({"network", "list", "--format", "json"})), 0), "name"));
}

TEST_CASE("cli json: workflow list and workflow check", "[cli][json][workflows]") {
    JsonFixture f;
    REQUIRE(f.run({"init"}).exitCode == 0);
    const auto list = array(f.run({"workflow", "list", "--format", "json"}));
    const std::string table = f.run({"workflow", "list"}).out;
    std::map<std::string, Object::Ptr> byName;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const auto w = at(list, i);
        byName[str(w, "name")] = w;
        CHECK(table.find(str(w, "name")) != std::string::npos);
        CHECK(table.find(str(w, "title")) != std::string::npos);
    }
    CHECK(static_cast<std::size_t>(test::countLines(table, "")) == list->size() + 2);
    REQUIRE(byName.count("function-description") == 1);
    const auto fd = byName["function-description"];
    CHECK(str(fd, "reference_prefix") == "FB");
    CHECK(str(fd->getObject("template"), "name") == "function-description");
    const auto roles = fd->getArray("signer_roles");
    REQUIRE(roles->size() == 2);
    CHECK(roles->getElement<std::string>(0) == "nurse");
    CHECK(roles->getElement<std::string>(1) == "leader");
    CHECK(str(fd, "signing_order") == "parallel");
    const auto states = fd->getArray("states");
    std::size_t initial = 0;
    bool sent = false;
    for (std::size_t i = 0; i < states->size(); ++i) {
        initial += flag(at(states, i), "initial");
        sent = sent || str(at(states, i), "name") == "sent";
    }
    CHECK(initial == 1);
    CHECK(sent);
    REQUIRE(byName.count("record") == 1);
    CHECK(isNull(byName["record"], "template"));

    // The shipped definitions are valid; a broken one is not, with its place.
    const std::string good = f.dir.file("good"), bad = f.dir.file("bad");
    REQUIRE(test::runTool("mkdir '" + good + "' '" + bad + "' && cp '" +
                          std::string(AVTALEFLYT_SOURCE_DIR) + "'/workflows/*.xml '" + good + "'")
                .exitCode == 0);
    const auto valid = object(f.run({"workflow", "check", good, "--format", "json"}));
    CHECK(flag(valid, "valid"));
    CHECK(valid->getArray("workflows")->size() == list->size());
    CHECK(valid->getArray("problems")->size() == 0);
    test::writeFile(bad + "/bad.xml",
                    "<?xml version=\"1.0\"?>\n<workflow xmlns=\"urn:avtaleflyt:workflow:1\"/>\n");
    const auto invalid = object(f.run({"workflow", "check", bad, "--format", "json"}), 1);
    CHECK_FALSE(flag(invalid, "valid"));
    CHECK(invalid->getArray("workflows")->size() == 0);
    const auto problems = invalid->getArray("problems");
    REQUIRE(problems->size() >= 1);
    CHECK(problems->getElement<std::string>(0).rfind(bad + "/bad.xml:2: xml: ", 0) == 0);
}

TEST_CASE("cli json: seal verify says whether a PDF is sealed and intact", "[cli][json]") {
    JsonFixture f;
    f.sentToFollo();
    REQUIRE(f.run({"render", "FB-2026-0001", "--final", "--seal", "--out", "fb.pdf"}).exitCode == 0);
    auto v = object(f.run({"seal", "verify", "fb.pdf", "--format", "json"}));
    CHECK(str(v, "file") == "fb.pdf");
    CHECK(flag(v, "sealed"));
    CHECK(flag(v, "valid"));
    CHECK(flag(v, "whole_document"));
    CHECK(str(v, "signer") == "avtaleflyt");
    CHECK(str(v, "sub_filter") == "ETSI.CAdES.detached");
    CHECK(isNull(v, "problem"));

    std::string bytes = test::readFile(f.dir.file("fb.pdf"));
    bytes[bytes.find("/Producer") + 3] ^= 1;
    test::writeFile(f.dir.file("fb.pdf"), bytes);
    v = object(f.run({"seal", "verify", "fb.pdf", "--format", "json"}), 1);
    CHECK(flag(v, "sealed"));
    CHECK_FALSE(flag(v, "valid"));
    CHECK(str(v, "problem").rfind("the document was changed after it was sealed", 0) == 0);

    REQUIRE(f.run({"render", "FB-2026-0001", "--out", "plain.pdf"}).exitCode == 0);
    v = object(f.run({"seal", "verify", "plain.pdf", "--format", "json"}), 1);
    CHECK_FALSE(flag(v, "sealed"));
    CHECK_FALSE(flag(v, "valid"));
}

TEST_CASE("cli json: archive names the cases and the package, and audit finds it intact",
          "[cli][json][archive]") {
    JsonFixture f;
    f.sample();
    REQUIRE(f.run({"send", "function-descriptions", "--area", "Ahus"}).exitCode == 0);
    auto a = object(f.run({"archive", "--dry-run", "--format", "json"}));
    CHECK(a->getArray("references")->size() == 0);
    CHECK(isNull(a, "package"));
    REQUIRE(f.run({"render", "FB-2026-0001", "--out", "skann.pdf"}).exitCode == 0);
    for (const char* signer : {"nurse", "leader"})
        REQUIRE(f.run({"sign", "register", "FB-2026-0001", "--signer", signer, "--scan",
                       "skann.pdf"})
                    .exitCode == 0);
    a = object(f.run({"archive", "--dry-run", "--format", "json"}));
    CHECK(flag(a, "dry_run"));
    const auto would = a->getArray("references");
    REQUIRE(would->size() == 1);
    CHECK(would->getElement<std::string>(0) == "FB-2026-0001");
    CHECK(isNull(a, "package"));

    a = object(f.run({"archive", "--out", "arkiv", "--format", "json"}));
    CHECK_FALSE(flag(a, "dry_run"));
    CHECK(a->getArray("references")->size() == 1);
    const std::string package = str(a, "package");
    CHECK(package.rfind("arkiv/avtaleflyt-", 0) == 0);
    CHECK(Poco::File(f.dir.file(package) + "/manifest.sha256").exists());
    CHECK(f.sql("SELECT state FROM case_file WHERE reference = 'FB-2026-0001'") == "archived");

    CHECK(array(f.run({"audit", "--package", package, "--format", "json"}))->size() == 0);
    test::writeFile(f.dir.file(package) + "/dokumenter/ekstra.pdf", "%PDF-1.4 x");
    const auto findings = array(f.run({"audit", "--package", package, "--format", "json"}), 1);
    REQUIRE(findings->size() >= 1);
    bool unlisted = false;
    for (std::size_t i = 0; i < findings->size(); ++i) {
        const auto finding = at(findings, i);
        CHECK(keys(finding) == sorted({"package", "where", "finding"}));
        CHECK(str(finding, "package") == package);
        CHECK(str(finding, "where") == "dokumenter/ekstra.pdf");
        unlisted = unlisted || str(finding, "finding") == "not listed in manifest.sha256";
    }
    CHECK(unlisted);
}
