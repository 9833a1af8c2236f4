// Crash tests: the commands that write killed with SIGKILL (kill -9) at random moments, then
// what a user would check after such a crash: no case or mail lost or there twice, only whole
// archive packages, the audit log and the audit clean; and the command run again finishes the
// job.
//
// Each scenario prepares an installation once (through the CLI, from `sample roster`) and times
// the command on a copy of it; each trial then runs the command on a fresh copy and kills it
// after a random delay between 0 and that time.
//
//   AVTALEFLYT_CRASH_TRIALS  trials per scenario (default 3: the quick set ctest runs)
//   AVTALEFLYT_CRASH_SEED    the random seed (default: a new one, printed with the results)
//   AVTALEFLYT_CRASH_TABLE   a file each scenario appends its row of results to (Markdown);
//                            scripts/crashtest.sh (`make crashtest`) prints it
//
// A mail delivered twice to the SMTP server after a crash is the documented at-least-once
// behaviour (the server took it, the process died before it could write that down): it is
// counted, not failed. A hidden .NAME.tmp folder a killed archive leaves is counted too; the
// next archive of that name removes it.
#include <catch2/catch.hpp>

#include <Poco/File.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "Processes.h"
#include "TestSupport.h"

using namespace avtaleflyt;
using Seconds = std::chrono::duration<double>;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr int kNurses = 60;  // the sample network's size: a send of it takes about a second

int trialCount() {
    const char* v = std::getenv("AVTALEFLYT_CRASH_TRIALS");
    return v && *v ? std::max(1, std::atoi(v)) : 3;
}

unsigned seed() {
    static const unsigned s = [] {
        const char* v = std::getenv("AVTALEFLYT_CRASH_SEED");
        return v && *v ? static_cast<unsigned>(std::strtoul(v, nullptr, 10))
                       : std::random_device{}();
    }();
    return s;
}

// One scenario's results: a row of the table.
struct Row {
    std::string scenario;
    int trials = 0;
    int killedMidway = 0;  // killed before it was done (the rest had finished already)
    int lost = 0;          // cases, mails, signatures or reminders missing once it was run again
    int duplicatedCases = 0;
    int duplicatedMails = 0;  // one Message-ID delivered twice (SMTP: at-least-once)
    int halfWrittenPackages = 0;
    int logAuditFailures = 0;  // `log verify` or `audit` not clean
    int tmpFolders = 0;        // hidden .NAME.tmp folders left by a killed archive
    int orphanPackages = 0;    // whole packages the killed archive wrote but did not record
    int resumeFailures = 0;    // the command run again failed or did not finish the job
    Seconds took{};

    void publish() const {
        std::ostringstream line;
        line << "| " << scenario << " | " << trials << " | " << killedMidway << " | " << lost
             << " | " << duplicatedCases << " | " << duplicatedMails << " | "
             << halfWrittenPackages << " | " << logAuditFailures << " | " << tmpFolders << " | "
             << orphanPackages << " | " << resumeFailures << " | "
             << static_cast<int>(took.count()) << " |";
        std::cout << "crash results (seed " << seed() << "): " << line.str() << std::endl;
        if (const char* table = std::getenv("AVTALEFLYT_CRASH_TABLE"); table && *table)
            std::ofstream(table, std::ios::app) << line.str() << "\n";
    }
};

// An installation's data folder in the test's folder, driven through the CLI.
struct Data {
    std::string dir, data;
    test::CliResult run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--data", data});
        return test::runCli(args, dir);
    }
    std::string db() const { return data + "/avtaleflyt.db"; }
    long long count(const std::string& sql) const { return std::stoll(test::querySql(db(), sql)); }
};

void removeFolder(const std::string& path) {
    Poco::File f(path);
    if (f.exists())
        f.remove(true);
}

// `init`, and the invented sample network of kNurses nurses imported on 2 November 2026.
void sampleInstallation(const Data& d) {
    REQUIRE(d.run({"init", "--now", "2026-11-02"}).exitCode == 0);
    REQUIRE(d.run({"sample", "roster", "--nurses", std::to_string(kNurses), "--out",
                   d.dir + "/liste.csv", "--add-network", "--now", "2026-11-02"})
                .exitCode == 0);
    REQUIRE(d.run({"import", "roster", d.dir + "/liste.csv", "--now", "2026-11-02T08:00"})
                .exitCode == 0);
}

const std::vector<std::string> kSend = {"send", "function-descriptions", "--now",
                                        "2026-11-03T09:00"};

// How long `args` takes, run whole (it must succeed) on a copy of `from` as `d`: the shortest of
// three runs (a first run on a cold cache would stretch the kills past the end); `prepare`
// readies each copy. `d` is left as the last run left it.
Seconds timed(const Data& from, const Data& d, const std::vector<std::string>& args,
              const std::function<void(const Data&)>& prepare = {}) {
    Seconds shortest{1e9};
    for (int run = 0; run < 3; ++run) {
        removeFolder(d.data);
        test::copyFolder(from.data, d.data);
        if (prepare)
            prepare(d);
        const auto start = SteadyClock::now();
        const auto r = d.run(args);
        INFO(r.out << r.err);
        REQUIRE(r.exitCode == 0);
        shortest = std::min<Seconds>(shortest, SteadyClock::now() - start);
    }
    return shortest;
}

// A random moment between the start and `whole` (the time of a whole run); in every other
// trial one in the last third, where a command writes its last and commits.
std::chrono::microseconds killDelay(std::mt19937& rng, Seconds whole, int trial) {
    std::uniform_real_distribution<double> at(trial % 2 ? whole.count() * 2 / 3 : 0.0,
                                              whole.count());
    return std::chrono::microseconds(static_cast<long long>(at(rng) * 1e6));
}

// Runs `args` on `d` and kills it with SIGKILL after `delay`: true if it still ran then.
bool runKilled(const Data& d, std::vector<std::string> args, std::chrono::microseconds delay) {
    args.insert(args.begin(), {"--data", d.data});
    test::Spawned p(args, d.dir + "/killed");
    std::this_thread::sleep_for(delay);
    if (!p.running())
        return false;
    p.signal(SIGKILL);
    p.wait();
    return true;
}

// What audit says of the hidden folder a killed archive leaves (until the next archive).
const std::string kUnfinishedArchive = "a package an archive run did not finish";

// Whether `audit`'s text output holds no finding but unfinished archive runs.
bool onlyUnfinishedArchives(const std::string& out) {
    std::istringstream lines(out);
    std::string line;
    bool any = false;
    while (std::getline(lines, line))
        if (line.find(" checked; audit log ") == std::string::npos) {
            if (line.find(kUnfinishedArchive) == std::string::npos)
                return false;
            any = true;
        }
    return any;
}

// `log verify` and `audit` on `d`: how many of them found anything (0, 1 or 2). With
// `unfinishedArchive` (right after an archive was killed), audit's report of the hidden folder
// it left is expected, and nothing else.
int logAuditFailures(const Data& d, bool unfinishedArchive = false) {
    int failures = 0;
    for (const std::vector<std::string>& check : {std::vector<std::string>{"log", "verify"},
                                                  std::vector<std::string>{"audit"}}) {
        const auto r = d.run(check);
        INFO(check.front() << ": " << r.out << r.err);
        const bool clean = r.exitCode == 0 || (unfinishedArchive && check.front() == "audit" &&
                                               r.exitCode == 1 && onlyUnfinishedArchives(r.out));
        CHECK(clean);
        if (!clean)
            ++failures;
    }
    return failures;
}

const std::string kDuplicatedCases =
    "SELECT count(*) FROM (SELECT 1 FROM case_file WHERE workflow = 'function-description' "
    "AND state <> 'withdrawn' GROUP BY network_id, subject_person_id HAVING count(*) > 1) AS twice";
const std::string kCases =
    "SELECT count(*) FROM case_file WHERE workflow = 'function-description'";
const std::string kActiveNurses = "SELECT count(*) FROM membership WHERE status = 'active'";
// Cases opened without a signing mail to each of their two signers.
const std::string kCasesWithoutTheirMails =
    "SELECT count(*) FROM case_file c WHERE (SELECT count(*) FROM outbox o WHERE o.case_id = "
    "c.id AND o.kind = 'sign') <> 2";

// A copy of `templateData` as the trial's installation, in the scenario's folder.
Data freshCopy(const test::TempDir& dir, const Data& templateData) {
    Data d{dir.path(), dir.file("trial")};
    removeFolder(d.data);
    test::copyFolder(templateData.data, d.data);
    return d;
}

}  // namespace

TEST_CASE("crash: a send of function descriptions killed at any moment opens no case twice and "
          "loses none, and the send run again opens the rest",
          "[crash]") {
    Row row{"send function-descriptions"};
    const auto started = SteadyClock::now();
    std::mt19937 rng(seed());
    test::TempDir dir;
    const Data tmpl{dir.path(), dir.file("template")};
    sampleInstallation(tmpl);
    const Data calibration{dir.path(), dir.file("calibration")};
    const Seconds whole = timed(tmpl, calibration, kSend);
    const long long nurses = calibration.count(kActiveNurses);
    REQUIRE(nurses > 10);
    REQUIRE(calibration.count(kCases) == nurses);

    for (int trial = 0; trial < trialCount(); ++trial) {
        ++row.trials;
        const Data d = freshCopy(dir, tmpl);
        const auto delay = killDelay(rng, whole, trial);
        INFO("trial " << trial << ", killed after " << delay.count() << " µs (seed " << seed()
                      << ")");
        row.killedMidway += runKilled(d, kSend, delay);
        // After the crash: each case opened with its two mails, none twice.
        auto duplicated = d.count(kDuplicatedCases);
        auto withoutMails = d.count(kCasesWithoutTheirMails);
        CHECK(duplicated == 0);
        CHECK(withoutMails == 0);
        row.duplicatedCases += static_cast<int>(duplicated);
        row.lost += static_cast<int>(withoutMails);
        row.logAuditFailures += logAuditFailures(d);

        // The send run again opens the rest: one case per active nurse.
        const auto again = d.run(kSend);
        INFO(again.out << again.err);
        CHECK(again.exitCode == 0);
        const long long cases = d.count(kCases);
        CHECK(cases == nurses);
        if (again.exitCode != 0 || cases != nurses)
            ++row.resumeFailures;
        row.lost += static_cast<int>(std::max(0LL, nurses - cases));
        duplicated = d.count(kDuplicatedCases);
        withoutMails = d.count(kCasesWithoutTheirMails);
        CHECK(duplicated == 0);
        CHECK(withoutMails == 0);
        row.duplicatedCases += static_cast<int>(duplicated);
        row.lost += static_cast<int>(withoutMails);
        row.logAuditFailures += logAuditFailures(d);
    }
    row.took = SteadyClock::now() - started;
    row.publish();
}

namespace {

// The outbox sent by `outbox send`, killed at random, to `sink` (a maildir: DATA/mail, or the
// SMTP server's), then sent again. `smtp`: the server of the sink, emptied before each trial.
void outboxTrials(Row& row, const test::TempDir& dir, const Data& tmpl,
                  const std::function<std::string(const Data&)>& sinkOf, bool smtp) {
    const auto started = SteadyClock::now();
    std::mt19937 rng(seed() + 1);
    const std::vector<std::string> send = {"outbox", "send", "--now", "2026-11-03T09:05"};
    // A message the killed run had claimed is left alone for its lease (10 minutes): the run
    // after the crash is later than that.
    const std::vector<std::string> again = {"outbox", "send", "--now", "2026-11-03T09:20"};
    const auto emptySink = [&](const Data& d) {
        std::vector<std::string> files;
        if (Poco::File(sinkOf(d) + "/new").exists())
            Poco::File(sinkOf(d) + "/new").list(files);
        for (const auto& f : files) Poco::File(sinkOf(d) + "/new/" + f).remove();
    };

    const Data calibration{dir.path(), dir.file("calibration")};
    const Seconds whole = timed(tmpl, calibration, send, emptySink);
    const long long messages = calibration.count("SELECT count(*) FROM outbox");
    REQUIRE(messages > 20);
    REQUIRE(static_cast<long long>(test::messageIdsIn(sinkOf(calibration)).size()) == messages);

    for (int trial = 0; trial < trialCount(); ++trial) {
        ++row.trials;
        const Data d = freshCopy(dir, tmpl);
        emptySink(d);
        const auto delay = killDelay(rng, whole, trial);
        INFO("trial " << trial << ", killed after " << delay.count() << " µs (seed " << seed()
                      << ")");
        row.killedMidway += runKilled(d, send, delay);
        // After the crash: every message marked sent is there.
        auto delivered = test::messageIdsIn(sinkOf(d));
        int lost = 0;
        for (const auto& id :
             test::queryColumn(d.db(), "SELECT message_id FROM outbox WHERE status = 'sent'"))
            lost += delivered.count(id) == 0;
        CHECK(lost == 0);
        row.logAuditFailures += logAuditFailures(d);

        const auto r = d.run(again);
        INFO(r.out << r.err);
        CHECK(r.exitCode == 0);
        const long long queued = d.count("SELECT count(*) FROM outbox WHERE status <> 'sent'");
        CHECK(queued == 0);
        if (r.exitCode != 0 || queued != 0)
            ++row.resumeFailures;
        // Every message of the outbox delivered; none twice, but SMTP's at-least-once.
        delivered = test::messageIdsIn(sinkOf(d));
        for (const auto& id : test::queryColumn(d.db(), "SELECT message_id FROM outbox"))
            lost += delivered.count(id) == 0;
        int twice = 0;
        for (const auto& [id, n] : delivered) twice += n - 1;
        CHECK(lost == 0);
        CHECK(static_cast<long long>(delivered.size()) == messages);  // nothing else
        if (!smtp)
            CHECK(twice == 0);
        row.lost += lost;
        row.duplicatedMails += twice;
        row.logAuditFailures += logAuditFailures(d);
    }
    row.took = SteadyClock::now() - started;
    row.publish();
}

}  // namespace

TEST_CASE("crash: an outbox send to a maildir killed at any moment loses no mail and writes none "
          "twice, and the outbox send run again delivers the rest",
          "[crash][mail]") {
    Row row{"outbox send (maildir)"};
    test::TempDir dir;
    const Data tmpl{dir.path(), dir.file("template")};
    sampleInstallation(tmpl);
    REQUIRE(tmpl.run(kSend).exitCode == 0);
    outboxTrials(row, dir, tmpl, [](const Data& d) { return d.data + "/mail"; }, false);
}

TEST_CASE("crash: an outbox send to an SMTP server killed at any moment loses no mail (one the "
          "server took just before the kill may come twice), and the outbox send run again "
          "delivers the rest",
          "[crash][mail][smtp]") {
    Row row{"outbox send (SMTP)"};
    test::TempDir dir;
    test::SmtpServer server(test::freePort(), dir.file("smtp-mailbox"));
    server.start();
    const Data tmpl{dir.path(), dir.file("template")};
    sampleInstallation(tmpl);
    REQUIRE(tmpl.run(kSend).exitCode == 0);
    std::ofstream(tmpl.data + "/avtaleflyt.properties", std::ios::app)
        << "\nmail.transport = smtp\nsmtp.port = " << server.port() << "\nsmtp.timeout = 5\n";
    const std::string mailbox = dir.file("smtp-mailbox");
    outboxTrials(row, dir, tmpl, [&](const Data&) { return mailbox; }, true);
}

namespace {

// Signs every link of `tokens` through the portal on `port`, again and again until each is
// signed (its answer seen) or shows no form (used), or until `stop`. Records which were
// answered as signed.
void signAll(unsigned port, const std::vector<std::string>& tokens, std::set<std::string>& acked,
             std::set<std::string>& noForm, const std::atomic<bool>& stop) {
    while (!stop) {
        bool left = false;
        for (const auto& token : tokens) {
            if (stop)
                return;
            if (acked.count(token) || noForm.count(token))
                continue;
            left = true;
            const int status = test::signThroughPortal(port, token);
            if (status == 200)
                acked.insert(token);
            else if (status < 0)
                noForm.insert(token);
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!left)
            return;
    }
}

// The files in the package folders under `archiveDir`: for each case reference, how many
// packages hold its document (dokumenter/REF.pdf).
std::map<std::string, int> archivedReferences(const std::string& archiveDir) {
    std::map<std::string, int> refs;
    std::vector<std::string> packages;
    if (Poco::File(archiveDir).exists())
        Poco::File(archiveDir).list(packages);
    for (const auto& p : packages) {
        if (p.empty() || p[0] == '.' || !Poco::File(archiveDir + "/" + p + "/dokumenter").exists())
            continue;
        std::vector<std::string> files;
        Poco::File(archiveDir + "/" + p + "/dokumenter").list(files);
        for (const auto& f : files)
            if (f.size() > 4 && f.compare(f.size() - 4, 4, ".pdf") == 0 &&
                f.find("-skann-") == std::string::npos)
                ++refs[f.substr(0, f.size() - 4)];
    }
    return refs;
}

// `d` with the sample network's function descriptions sent and signed by every nurse and
// leader through the portal.
void signedInstallation(const Data& d) {
    sampleInstallation(d);
    REQUIRE(d.run(kSend).exitCode == 0);
    test::Serving served(d.data, {"--dispatch-every", "3600", "--now", "2026-11-04T10:00"},
                         d.dir + "/signing");
    REQUIRE(served.waitUntilListening());
    std::set<std::string> acked, noForm;
    const auto tokens = test::signingTokens(d.db());
    signAll(served.port(), tokens, acked, noForm, std::atomic<bool>{false});
    REQUIRE(acked.size() == tokens.size());
    REQUIRE(served.stop() == 0);
}

}  // namespace

// What a kill between renaming the package into place and committing leaves, made on purpose:
// the random kills of the next test hit that moment about once in 200 trials.
TEST_CASE("crash: a package an archive wrote but did not live to record is replaced by the next "
          "archive, so that no case is in two packages, and nothing else there is touched",
          "[crash][archive]") {
    test::TempDir dir;
    const Data tmpl{dir.path(), dir.file("template")};
    signedInstallation(tmpl);
    const long long cases = tmpl.count("SELECT count(*) FROM case_file WHERE state = 'signed'");
    // The package an archive writes at 10:00, taken from a copy where it finished.
    const Data finished{dir.path(), dir.file("finished")};
    test::copyFolder(tmpl.data, finished.data);
    REQUIRE(finished.run({"archive", "--now", "2026-11-20T10:00"}).exitCode == 0);
    const std::string name = "avtaleflyt-20261120T100000Z";
    REQUIRE(Poco::File(finished.data + "/archive/" + name).exists());

    for (const std::string again : {"2026-11-20T10:05", "2026-11-20T10:00"}) {
        INFO("archive run again at " << again);
        const Data d = freshCopy(dir, tmpl);
        Poco::File(d.data + "/archive").createDirectories();
        test::copyFolder(finished.data + "/archive/" + name, d.data + "/archive/" + name);
        // Another installation's package in the same folder (same references, other documents).
        const std::string other = "avtaleflyt-20261001T080000Z";
        Poco::File(d.data + "/archive/" + other + "/dokumenter").createDirectories();
        test::writeFile(d.data + "/archive/" + other + "/dokumenter/FB-2026-0001.pdf", "%PDF-1.7");

        const auto r = d.run({"archive", "--now", again});
        INFO(r.out << r.err);
        CHECK(r.exitCode == 0);
        CHECK(r.out.find(std::to_string(cases) + " cases archived in ") != std::string::npos);
        std::vector<std::string> entries;
        Poco::File(d.data + "/archive").list(entries);
        std::sort(entries.begin(), entries.end());
        const std::string written = again == "2026-11-20T10:00" ? name : "avtaleflyt-20261120T100500Z";
        CHECK(entries == std::vector<std::string>{other, written});
        CHECK(test::readFile(d.data + "/archive/" + other + "/dokumenter/FB-2026-0001.pdf") ==
              "%PDF-1.7");
        const auto audit = d.run({"audit", "--package", d.data + "/archive/" + written});
        INFO(audit.out << audit.err);
        CHECK(audit.exitCode == 0);
        CHECK(d.count("SELECT count(*) FROM audit_event WHERE kind = "
                      "'archive.unrecorded_package_removed' AND subject = '" + name +
                      "' AND json_extract(payload, '$.replaced_by') = '" + written + "'") == 1);
        CHECK(d.count("SELECT count(*) FROM case_file WHERE state = 'archived'") == cases);
        logAuditFailures(d);
    }
}

TEST_CASE("crash: an archive killed at any moment leaves only whole packages and archives no case "
          "twice, and the archive run again archives the rest",
          "[crash][archive]") {
    Row row{"archive"};
    const auto started = SteadyClock::now();
    std::mt19937 rng(seed() + 3);
    test::TempDir dir;
    const Data tmpl{dir.path(), dir.file("template")};
    signedInstallation(tmpl);
    const long long cases = tmpl.count("SELECT count(*) FROM case_file WHERE state = 'signed'");
    REQUIRE(cases == tmpl.count(kCases));

    const std::vector<std::string> archive = {"archive", "--now", "2026-11-20T10:00"};
    // Run again later (the package's name is its time; a user's run again comes later too).
    const std::vector<std::string> again = {"archive", "--now", "2026-11-20T10:05"};
    const Data calibration{dir.path(), dir.file("calibration")};
    const Seconds whole = timed(tmpl, calibration, archive);
    REQUIRE(archivedReferences(calibration.data + "/archive").size() ==
            static_cast<std::size_t>(cases));

    // Every package folder whole; the hidden temporary ones counted once, after the kill.
    const auto checkPackages = [&](const Data& d, bool afterKill) {
        std::vector<std::string> entries;
        if (Poco::File(d.data + "/archive").exists())
            Poco::File(d.data + "/archive").list(entries);
        for (const auto& e : entries) {
            if (e[0] == '.') {
                if (afterKill)
                    row.tmpFolders += e.size() > 4 && e.compare(e.size() - 4, 4, ".tmp") == 0;
                continue;
            }
            const auto r = d.run({"audit", "--package", d.data + "/archive/" + e});
            INFO("audit --package " << e << ": " << r.out << r.err);
            // Killed between renaming the folder into place and committing: a whole package
            // that the log has no record of (the audit says so, and only that), which the next
            // archive replaces.
            const bool orphan =
                afterKill && d.count("SELECT count(*) FROM audit_event WHERE kind = "
                                     "'archive.package_written' AND subject = '" + e + "'") == 0;
            const bool intact =
                orphan ? r.exitCode == 1 && r.out.find("; 1 finding.") != std::string::npos &&
                             r.out.find("has no record of writing a package named " + e) !=
                                 std::string::npos
                       : r.exitCode == 0;
            CHECK(intact);
            row.halfWrittenPackages += !intact;
            row.orphanPackages += orphan;
        }
    };
    for (int trial = 0; trial < trialCount(); ++trial) {
        ++row.trials;
        const Data d = freshCopy(dir, tmpl);
        const auto delay = killDelay(rng, whole, trial);
        INFO("trial " << trial << ", killed after " << delay.count() << " µs (seed " << seed()
                      << ")");
        row.killedMidway += runKilled(d, archive, delay);
        // After the crash: all the cases archived or none, each package folder whole.
        const long long archived = d.count("SELECT count(*) FROM case_file WHERE state = 'archived'");
        CHECK((archived == 0 || archived == cases));
        checkPackages(d, true);
        row.logAuditFailures += logAuditFailures(d, true);

        const auto r = d.run(again);
        INFO(r.out << r.err);
        CHECK(r.exitCode == 0);
        const long long archivedNow =
            d.count("SELECT count(*) FROM case_file WHERE state = 'archived'");
        CHECK(archivedNow == cases);
        if (r.exitCode != 0 || archivedNow != cases)
            ++row.resumeFailures;
        row.lost += static_cast<int>(std::max(0LL, cases - archivedNow));
        // Each case's document in exactly one package.
        int twice = 0, missing = 0;
        const auto refs = archivedReferences(d.data + "/archive");
        for (const auto& ref :
             test::queryColumn(d.db(), "SELECT reference FROM case_file")) {
            const auto found = refs.find(ref);
            missing += found == refs.end();
            twice += found != refs.end() && found->second > 1;
        }
        CHECK(missing == 0);
        CHECK(twice == 0);
        row.lost += missing;
        row.duplicatedCases += twice;
        checkPackages(d, false);
        row.logAuditFailures += logAuditFailures(d);
    }
    row.took = SteadyClock::now() - started;
    row.publish();
}

TEST_CASE("crash: serve killed at any moment while signers sign, it sends the outbox and runs the "
          "reminder sweep, loses and repeats no signature, mail or reminder, and serve run again "
          "finishes the job",
          "[crash][serve]") {
    Row row{"serve"};
    const auto started = SteadyClock::now();
    std::mt19937 rng(seed() + 4);
    test::TempDir dir;
    const Data tmpl{dir.path(), dir.file("template")};
    sampleInstallation(tmpl);
    REQUIRE(tmpl.run(kSend).exitCode == 0);
    // Signers sign the first links while serve sends the outbox and, a week after the send,
    // reminds the others.
    const auto allTokens = test::signingTokens(tmpl.db());
    REQUIRE(allTokens.size() > 12);
    const std::vector<std::string> tokens(allTokens.begin(), allTokens.begin() + 8);
    // The cases of those links: whether they are reminded depends on when they are signed.
    std::string touched;
    for (const auto& id : test::queryColumn(
             tmpl.db(), "SELECT case_id FROM outbox WHERE kind = 'sign' ORDER BY id LIMIT 8"))
        touched += (touched.empty() ? "" : ",") + id;
    const std::string reminders =
        "SELECT count(*) FROM outbox WHERE kind = 'remind' AND case_id NOT IN (" + touched + ")";
    const std::string now = "2026-11-10T10:00", later = "2026-11-10T10:11";

    // Serve on `d` at `at` until the job is done (every link of `tokens` signed, the reminders
    // written and the outbox sent) or `killAfter` (then SIGKILL). True if it was done.
    const auto serveUntil = [&](const Data& d, const std::string& at,
                                std::optional<std::chrono::microseconds> killAfter,
                                std::set<std::string>& acked) {
        const auto start = SteadyClock::now();
        std::set<std::string> noForm;
        std::atomic<bool> stop{false};
        test::Serving served(d.data, {"--dispatch-every", "1", "--now", at}, d.dir + "/serve");
        std::thread signer([&] {
            while (!stop && !test::portOpen(served.port()))
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            signAll(served.port(), tokens, acked, noForm, stop);
        });
        // Joined however this ends (a failed read below must fail the test, not abort it).
        const std::unique_ptr<std::thread, std::function<void(std::thread*)>> joined(
            &signer, [&](std::thread* t) {
                stop = true;
                if (t->joinable())
                    t->join();
            });
        bool done = false;
        while (!done && served.process().running()) {
            if (killAfter && SteadyClock::now() - start >= *killAfter)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            if (SteadyClock::now() - start > std::chrono::seconds(60))
                break;
            done = d.count("SELECT count(*) FROM outbox WHERE status = 'queued'") == 0 &&
                   d.count("SELECT count(*) FROM outbox WHERE kind = 'remind'") > 0 &&
                   std::all_of(tokens.begin(), tokens.end(), [&](const std::string& t) {
                       return test::requestStatus(d.db(), t) == "signed";
                   });
        }
        if (killAfter && served.process().running()) {
            served.process().signal(SIGKILL);
            served.process().wait();
        }
        stop = true;
        signer.join();
        INFO(served.process().err());
        if (!killAfter)
            CHECK(served.stop() == 0);
        return done;
    };

    const Data calibration{dir.path(), dir.file("calibration")};
    test::copyFolder(tmpl.data, calibration.data);
    const auto start = SteadyClock::now();
    std::set<std::string> calibrationAcks;
    REQUIRE(serveUntil(calibration, now, std::nullopt, calibrationAcks));
    const Seconds whole = SteadyClock::now() - start;
    const long long expectedReminders = calibration.count(reminders);
    REQUIRE(expectedReminders > 0);

    const auto checkNothingTwice = [&](const Data& d) {
        const long long twiceTimers = d.count(
            "SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'case.timer' GROUP BY "
            "subject, json_extract(payload, '$.timer'), json_extract(payload, '$.due') HAVING "
            "count(*) > 1) AS twice");
        const long long twiceMails = d.count(
            "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind = 'remind' GROUP BY case_id, "
            "recipient HAVING count(*) > 1) AS twice");
        const long long twiceSigned = d.count(
            "SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'case.sign' GROUP BY "
            "subject, json_extract(payload, '$.signer'), json_extract(payload, '$.signer_role') HAVING count(*) > 1) AS twice");
        CHECK(twiceTimers == 0);
        CHECK(twiceMails == 0);
        CHECK(twiceSigned == 0);
        row.duplicatedMails += static_cast<int>(twiceMails);
        row.duplicatedCases += static_cast<int>(twiceTimers + twiceSigned);
    };
    for (int trial = 0; trial < trialCount(); ++trial) {
        ++row.trials;
        const Data d = freshCopy(dir, tmpl);
        const auto delay = killDelay(rng, whole, trial);
        INFO("trial " << trial << ", killed after " << delay.count() << " µs (seed " << seed()
                      << ")");
        std::set<std::string> acked;
        row.killedMidway += !serveUntil(d, now, delay, acked);
        // After the crash: every signature the portal confirmed is kept; every mail marked
        // sent is in the maildir; nothing twice.
        int lost = 0;
        for (const auto& t : acked) lost += test::requestStatus(d.db(), t) != "signed";
        auto delivered = test::messageIdsIn(d.data + "/mail");
        for (const auto& id :
             test::queryColumn(d.db(), "SELECT message_id FROM outbox WHERE status = 'sent'"))
            lost += delivered.count(id) == 0;
        CHECK(lost == 0);
        checkNothingTwice(d);
        row.logAuditFailures += logAuditFailures(d);

        // Serve again, past the lease of the mail the killed one had claimed: the rest done.
        std::set<std::string> ackedAgain;
        const bool done = serveUntil(d, later, std::nullopt, ackedAgain);
        CHECK(done);
        row.resumeFailures += !done;
        for (const auto& t : tokens) lost += test::requestStatus(d.db(), t) != "signed";
        delivered = test::messageIdsIn(d.data + "/mail");
        for (const auto& id : test::queryColumn(d.db(), "SELECT message_id FROM outbox"))
            lost += delivered.count(id) == 0;
        const long long remindersSent = d.count(reminders);
        CHECK(remindersSent == expectedReminders);
        lost += static_cast<int>(std::max(0LL, expectedReminders - remindersSent));
        row.duplicatedMails += static_cast<int>(std::max(0LL, remindersSent - expectedReminders));
        CHECK(lost == 0);
        row.lost += lost;
        checkNothingTwice(d);
        row.logAuditFailures += logAuditFailures(d);
    }
    row.took = SteadyClock::now() - started;
    row.publish();
}
