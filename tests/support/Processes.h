#pragma once
// Helpers for the crash and concurrency tests (tests/crash/, tests/integration/Pairwise_test.cpp):
// the avtaleflyt binary started as a child process whose id the test holds (to kill it with
// SIGKILL at a moment of the test's choosing, or stop it with SIGTERM), a signer signing through
// the portal over HTTP as a browser does, and what a maildir holds by Message-ID.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "TestSupport.h"

namespace avtaleflyt::test {

// The avtaleflyt binary running `args` (AVTALEFLYT_DATA and AVTALEFLYT_NOW unset, so only the
// arguments decide), its standard output and error going to `logPrefix`.out and .err. Killed
// with SIGKILL and reaped on destruction if it still runs.
class Spawned {
  public:
    Spawned(const std::vector<std::string>& args, std::string logPrefix);
    // Another program, `bin` (a full path), the same way.
    Spawned(const std::string& bin, const std::vector<std::string>& args, std::string logPrefix);
    ~Spawned();
    Spawned(const Spawned&) = delete;
    Spawned& operator=(const Spawned&) = delete;

    int pid() const { return pid_; }
    bool running();          // false once it has ended (then reaped)
    void signal(int sig);    // to this process only, while it runs
    // Waits until it ends: its exit code, or 128 + the signal that ended it.
    int wait();
    // Waits at most `limit`; true if it ended by then.
    bool waitFor(std::chrono::milliseconds limit);
    int exitCode() const { return exitCode_; }
    std::string out() const;
    std::string err() const;

  private:
    void reaped(int status);
    int pid_ = 0;
    int exitCode_ = -1;
    std::string logPrefix_;
};

// `avtaleflyt --data DATA serve --port PORT ARGS` on a free port; stopped with SIGTERM (requests
// under way finish first) by stop() or on destruction.
class Serving {
  public:
    Serving(const std::string& data, const std::vector<std::string>& args,
            const std::string& logPrefix);
    ~Serving();
    Serving(const Serving&) = delete;
    Serving& operator=(const Serving&) = delete;

    unsigned port() const { return port_; }
    // Waits until it accepts connections (at most `limit`); false if it ended or did not.
    bool waitUntilListening(std::chrono::milliseconds limit = std::chrono::seconds(20));
    // Its exit code, after SIGTERM once it listens (at most 30 s): a serve still starting up
    // has not yet taken SIGTERM over, and dies of it (143), as any process would.
    int stop();
    Spawned& process() { return process_; }

  private:
    unsigned port_;
    Spawned process_;
};

// nginx in front of serve processes on 127.0.0.1, configured with the operator guide's example
// (packaging/nginx-avtaleflyt.conf): its upstream servers replaced by `upstreams`, its TLS
// listener by a free port on 127.0.0.1, inside a main configuration of the test's own, in a
// temporary folder of its own (as the user nobody when the test runs as root, so a folder
// nobody can reach). Stopped, and the folder removed, on destruction.
class Balancer {
  public:
    explicit Balancer(const std::vector<unsigned>& upstreams);
    ~Balancer();
    Balancer(const Balancer&) = delete;
    Balancer& operator=(const Balancer&) = delete;

    unsigned port() const { return port_; }
    // Waits until it accepts connections (at most `limit`); false if it ended or did not.
    bool waitUntilListening(std::chrono::milliseconds limit = std::chrono::seconds(20));
    std::string errorLog() const;  // nginx's

  private:
    unsigned port_;
    std::string dir_;
    std::unique_ptr<Spawned> process_;
};

// A copy of the folder `from` (with everything in it) as `to`, which must not exist.
void copyFolder(const std::string& from, const std::string& to);

// Whether something accepts connections on 127.0.0.1:`port`.
bool portOpen(unsigned port);

// Signs with the link `token` through the portal on 127.0.0.1:`port` as a signer's browser does:
// the page (for its CSRF token), then the confirmed form. The HTTP status of the POST's answer
// (200: signed); minus the page's status if the page offers no form (the link used, closed,
// expired or unknown); 0 if no answer came (the server not there, or gone).
int signThroughPortal(unsigned port, const std::string& token);

// The signing token of every signing mail in the outbox of the database `db`, oldest first.
std::vector<std::string> signingTokens(const std::string& db);
// The status of the signature request the link `token` is for (open, signed, ...; "" if none).
std::string requestStatus(const std::string& db, const std::string& token);

// SQL counting the messages recorded as delivered more than once (a mail.sent event each).
extern const char* const kDeliveredTwice;

// `log verify` and `audit` of the fixture's installation both pass (checked, with their output).
void checkLogIntact(CliFixture& f);

// The Message-ID header of every message file in `maildir`/new, with how many files carry it.
std::map<std::string, int> messageIdsIn(const std::string& maildir);

}  // namespace avtaleflyt::test
