// The framework's own speed, as the reference for the signing portal (scripts/bench-portal.sh):
// Poco's HTTPServer, keep-alive, 16 request threads, answering every GET with the same page
// from memory (the bytes of a real signing page, with the portal's headers).
//   http_ceiling PORT PAGE_FILE            the page from memory: the ceiling
//   http_ceiling PORT PAGE_FILE DB_FILE    the same, after one SQLite point read per request
//                                          through a Poco::Data::SessionPool (WAL mode); the
//                                          database is made with 10,000 rows if it is new
// Prints "Listening on PORT" when it accepts connections; stops on SIGTERM or SIGINT.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/Types.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

using namespace Poco::Data::Keywords;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

namespace {

constexpr int kThreads = 16;
constexpr int kRows = 10000;

std::string keyOf(int i) {
    return "token-hash-" + std::to_string(i);
}

struct Shared {
    std::string page;
    std::unique_ptr<Poco::Data::SessionPool> pool;  // null: answer from memory only
    std::atomic<unsigned> next{0};
};

class Handler final : public Poco::Net::HTTPRequestHandler {
  public:
    explicit Handler(Shared& shared) : shared_(shared) {}
    void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
        if (shared_.pool) {
            // One indexed read by a text key, as the portal finds a link by its token's hash.
            const std::string key = keyOf(static_cast<int>(shared_.next++ % kRows) + 1);
            Poco::Int64 requestId = 0;
            Poco::Data::Session session(shared_.pool->get());
            session << "SELECT request_id FROM signing_token WHERE token_hash = ?", useRef(key),
                into(requestId), now;
            if (requestId == 0)
                throw std::runtime_error("no row for " + key);
        }
        response.setStatus(HTTPResponse::HTTP_OK);
        response.set("X-Content-Type-Options", "nosniff");
        response.set("Referrer-Policy", "no-referrer");
        response.set("Cache-Control", "no-store");
        response.setContentType("text/html; charset=utf-8");
        response.setContentLength(static_cast<std::streamsize>(shared_.page.size()));
        response.sendBuffer(shared_.page.data(), shared_.page.size());
    }

  private:
    Shared& shared_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    explicit Factory(Shared& shared) : shared_(shared) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new Handler(shared_);
    }

  private:
    Shared& shared_;
};

void makeDatabase(const std::string& path) {
    Poco::Data::Session session("SQLite", path);
    session << "PRAGMA journal_mode=WAL", now;
    session << "CREATE TABLE IF NOT EXISTS signing_token (id INTEGER PRIMARY KEY, token_hash "
               "TEXT NOT NULL UNIQUE, request_id INTEGER NOT NULL)",
        now;
    int rows = 0;
    session << "SELECT count(*) FROM signing_token", into(rows), now;
    if (rows >= kRows)
        return;
    session.begin();
    for (int i = rows + 1; i <= kRows; ++i) {
        std::string key = keyOf(i);
        int requestId = i;
        session << "INSERT INTO signing_token (token_hash, request_id) VALUES (?, ?)", use(key),
            use(requestId), now;
    }
    session.commit();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::cerr << "usage: http_ceiling PORT PAGE_FILE [DB_FILE]\n";
        return 2;
    }
    try {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);

        Shared shared;
        std::ifstream in(argv[2], std::ios::binary);
        if (!in)
            throw std::runtime_error(std::string("cannot read ") + argv[2]);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        shared.page = bytes.str();
        if (argc == 4) {
            Poco::Data::SQLite::Connector::registerConnector();
            makeDatabase(argv[3]);
            shared.pool =
                std::make_unique<Poco::Data::SessionPool>("SQLite", argv[3], 1, kThreads, 60);
        }

        Poco::ThreadPool threads(kThreads, kThreads);
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(kThreads);
        params->setMaxQueued(64);
        params->setKeepAlive(true);
        Poco::Net::ServerSocket socket(
            Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(std::stoi(argv[1]))));
        Poco::Net::HTTPServer server(new Factory(shared), threads, socket, params);
        server.start();
        std::cout << "Listening on " << server.port() << (shared.pool ? " (SQLite read)" : "")
                  << std::endl;
        int received = 0;
        sigwait(&signals, &received);
        server.stopAll(true);
        threads.joinAll();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "http_ceiling: " << e.what() << std::endl;
        return 1;
    }
}
