#include "Processes.h"

#include <catch2/catch.hpp>

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace avtaleflyt::test {

Spawned::Spawned(const std::vector<std::string>& args, std::string logPrefix)
    : Spawned(avtaleflytBinary(), args, std::move(logPrefix)) {}

Spawned::Spawned(const std::string& bin, const std::vector<std::string>& args,
                 std::string logPrefix)
    : logPrefix_(std::move(logPrefix)) {
    std::vector<std::string> argStore{bin};
    argStore.insert(argStore.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argStore) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "AVTALEFLYT_DATA=", 16) != 0 &&
            std::strncmp(*e, "AVTALEFLYT_NOW=", 15) != 0)
            envp.push_back(*e);
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string outFile = logPrefix_ + ".out", errFile = logPrefix_ + ".err";
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outFile.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errFile.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        throw std::runtime_error("cannot start " + bin + ": " + std::strerror(rc));
    pid_ = pid;
}

Spawned::~Spawned() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
}

void Spawned::reaped(int status) {
    exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = 0;
}

bool Spawned::running() {
    if (pid_ <= 0)
        return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_)
        reaped(status);
    return pid_ > 0;
}

void Spawned::signal(int sig) {
    if (pid_ > 0)
        ::kill(pid_, sig);
}

int Spawned::wait() {
    if (pid_ > 0) {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        reaped(status);
    }
    return exitCode_;
}

bool Spawned::waitFor(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (running()) {
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::string Spawned::out() const { return readFile(logPrefix_ + ".out"); }
std::string Spawned::err() const { return readFile(logPrefix_ + ".err"); }

namespace {

std::vector<std::string> serveArguments(const std::string& data, unsigned port,
                                        const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--data", data, "serve", "--port", std::to_string(port)};
    all.insert(all.end(), args.begin(), args.end());
    return all;
}

}  // namespace

Serving::Serving(const std::string& data, const std::vector<std::string>& args,
                 const std::string& logPrefix)
    : port_(freePort()), process_(serveArguments(data, port_, args), logPrefix) {}

Serving::~Serving() { stop(); }

namespace {

// Whether `process` accepts connections on `port` within `limit` (false once it has ended).
bool listening(Spawned& process, unsigned port, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (process.running()) {
        if (portOpen(port))
            return true;
        if (std::chrono::steady_clock::now() >= until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

}  // namespace

bool Serving::waitUntilListening(std::chrono::milliseconds limit) {
    return listening(process_, port_, limit);
}

int Serving::stop() {
    if (process_.running())
        listening(process_, port_, std::chrono::seconds(30));
    process_.signal(SIGTERM);
    return process_.wait();
}

Balancer::Balancer(const std::vector<unsigned>& upstreams)
    : port_(freePort()), dir_(Poco::TemporaryFile::tempName()) {
    const std::string& dir = dir_;
    std::string site = readFile(AVTALEFLYT_SOURCE_DIR "/packaging/nginx-avtaleflyt.conf");
    std::string servers;
    for (const unsigned u : upstreams)
        servers += "    server 127.0.0.1:" + std::to_string(u) + " max_fails=2 fail_timeout=10s;\n";
    site = std::regex_replace(site, std::regex("( *server [0-9.]+:[0-9]+ [^\n]*\n)+"), servers);
    site = std::regex_replace(site, std::regex("listen 443 ssl;"),
                              "listen 127.0.0.1:" + std::to_string(port_) + ";");
    if (site.find("127.0.0.1:" + std::to_string(port_)) == std::string::npos ||
        site.find("127.0.0.1:" + std::to_string(upstreams.front())) == std::string::npos)
        throw std::runtime_error("packaging/nginx-avtaleflyt.conf: no upstream server lines or "
                                 "no 'listen 443 ssl;' to replace");
    Poco::File(dir).createDirectories();
    writeFile(dir + "/site.conf", site);
    writeFile(dir + "/nginx.conf",
              "daemon off;\nworker_processes 1;\npid " + dir + "/nginx.pid;\nerror_log " + dir +
                  "/error.log;\nevents { worker_connections 256; }\nhttp {\n  access_log " +
                  dir + "/access.log;\n  client_body_temp_path " + dir +
                  "/body;\n  proxy_temp_path " + dir + "/proxy;\n  fastcgi_temp_path " + dir +
                  "/fastcgi;\n  uwsgi_temp_path " + dir + "/uwsgi;\n  scgi_temp_path " + dir +
                  "/scgi;\n  include " + dir + "/site.conf;\n}\n");
    std::vector<std::string> args = {"-p", dir, "-e", dir + "/error.log", "-c", dir + "/nginx.conf"};
    std::string bin = "/usr/sbin/nginx";
    if (::geteuid() == 0) {  // nginx's workers would run as nobody anyway; the whole of it does
        const auto chowned = runTool("chown -R nobody:nogroup '" + dir + "'");
        if (chowned.exitCode != 0)
            throw std::runtime_error("cannot give " + dir + " to nobody: " + chowned.err);
        args.insert(args.begin(), {"--reuid=nobody", "--regid=nogroup", "--clear-groups", bin});
        bin = "/usr/bin/setpriv";
    }
    process_ = std::make_unique<Spawned>(bin, args, dir + "/nginx");
}

Balancer::~Balancer() {
    if (process_ && process_->running()) {
        process_->signal(SIGQUIT);  // nginx's graceful stop
        if (!process_->waitFor(std::chrono::seconds(5)))
            process_->signal(SIGKILL);
        process_->wait();
    }
    Poco::File(dir_).remove(true);
}

std::string Balancer::errorLog() const {
    return Poco::File(dir_ + "/error.log").exists() ? readFile(dir_ + "/error.log") : "";
}

bool Balancer::waitUntilListening(std::chrono::milliseconds limit) {
    return listening(*process_, port_, limit);
}

void copyFolder(const std::string& from, const std::string& to) {
    const auto r = runTool("cp -a '" + from + "' '" + to + "'");
    if (r.exitCode != 0)
        throw std::runtime_error("cannot copy " + from + " to " + to + ": " + r.out);
}

bool portOpen(unsigned port) {
    try {
        Poco::Net::StreamSocket probe;
        probe.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                      Poco::Timespan(0, 200000));
        return true;
    } catch (const Poco::Exception&) {
        return false;
    }
}

int signThroughPortal(unsigned port, const std::string& token) {
    try {
        Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
        session.setTimeout(Poco::Timespan(20, 0));
        Poco::Net::HTTPRequest get(Poco::Net::HTTPRequest::HTTP_GET, "/s/" + token,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        session.sendRequest(get);
        Poco::Net::HTTPResponse page;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(page), body);
        std::smatch m;
        if (!std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")))
            return -static_cast<int>(page.getStatus());  // no form: used, closed or unknown
        const std::string form = "confirm=yes&csrf=" + m[1].str();
        Poco::Net::HTTPRequest post(Poco::Net::HTTPRequest::HTTP_POST, "/s/" + token + "/sign",
                                    Poco::Net::HTTPMessage::HTTP_1_1);
        post.setContentType("application/x-www-form-urlencoded");
        post.setContentLength(static_cast<std::streamsize>(form.size()));
        session.sendRequest(post) << form;
        Poco::Net::HTTPResponse answer;
        std::string ignored;
        Poco::StreamCopier::copyToString(session.receiveResponse(answer), ignored);
        return answer.getStatus();
    } catch (const Poco::Exception&) {
        return 0;
    } catch (const std::ios_base::failure&) {
        return 0;
    }
}

std::vector<std::string> signingTokens(const std::string& db) {
    std::vector<std::string> tokens;
    for (const auto& mime :
         queryColumn(db, "SELECT mime FROM outbox WHERE kind = 'sign' ORDER BY id"))
        tokens.push_back(signingTokenIn(mime));
    return tokens;
}

std::string requestStatus(const std::string& db, const std::string& token) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(token);
    return querySql(db, "SELECT r.status FROM signature_request r JOIN signing_token t ON "
                        "t.request_id = r.id WHERE t.token_sha256 = '" +
                            Poco::DigestEngine::digestToHex(sha.digest()) + "'");
}

std::map<std::string, int> messageIdsIn(const std::string& maildir) {
    std::map<std::string, int> ids;
    Poco::File dir(maildir + "/new");
    if (!dir.exists())
        return ids;
    std::vector<std::string> names;
    dir.list(names);
    for (const auto& name : names) {
        std::istringstream in(readFile(maildir + "/new/" + name));
        std::string id;
        for (std::string line; std::getline(in, line) && line != "\r" && !line.empty();) {
            std::string head = line.substr(0, 11);
            std::transform(head.begin(), head.end(), head.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (head == "message-id:") {
                id = line.substr(11);
                id.erase(0, id.find_first_not_of(" \t"));
                while (!id.empty() && (id.back() == '\r' || id.back() == ' ')) id.pop_back();
                if (id.size() >= 2 && id.front() == '<' && id.back() == '>')
                    id = id.substr(1, id.size() - 2);
                break;
            }
        }
        ++ids[id];  // "" counts the files without one
    }
    return ids;
}

const char* const kDeliveredTwice =
    "SELECT count(*) FROM (SELECT 1 FROM audit_event WHERE kind = 'mail.sent' GROUP BY "
    "json_extract(payload, '$.message_id') HAVING count(*) > 1) AS twice";

void checkLogIntact(CliFixture& f) {
    const auto verify = f.run({"log", "verify"});
    INFO(verify.out << verify.err);
    CHECK(verify.exitCode == 0);
    const auto audit = f.run({"audit"});
    INFO(audit.out << audit.err);
    CHECK(audit.exitCode == 0);
}

}  // namespace avtaleflyt::test
