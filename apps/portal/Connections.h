#pragma once
// The server's connections, watched: what a slow or greedy client could otherwise hold.
// - At most `perAddress` connections are served at once for one client address (the trusted
//   proxy's excepted: behind it every client has its address); one more is answered 503 with
//   Retry-After and closed, and never reaches a request handler.
// - A request must arrive in time. From the moment a connection is ready for a request, its
//   headers must be in within `headerTime`; a body, within `bodyTime` of the handler starting
//   to read it. A connection past its time is shut down, which ends it and frees its thread.
//   Making the answer has no time limit (an archive download streams for as long as it takes).
// - stop(): a connection waiting for a request is shut down at once, one answering finishes
//   its answer; stop() returns when every connection has ended.
// Thread safety: the factory's connections run on the server's threads; the phase calls are
// made by a connection's own thread (through Connections::current()); all state is under one
// mutex, and a watchdog thread checks the times every 100 ms.

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace avtaleflyt::portal {

class Connections {
  public:
    struct Limits {
        std::size_t perAddress = 16;
        std::chrono::milliseconds headerTime{10000};
        std::chrono::milliseconds bodyTime{60000};
        std::string exempt;       // the trusted proxy's address: no per-address limit
        std::string refusedText;  // the body of the 503 for one connection too many
    };

    Connections(Poco::Net::HTTPServerParams::Ptr params,
                Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, Limits limits);
    ~Connections();  // stops
    Connections(const Connections&) = delete;
    Connections& operator=(const Connections&) = delete;

    // A factory for a Poco::Net::TCPServer (which takes it over) making watched HTTP
    // connections; it must not outlive this.
    Poco::Net::TCPServerConnectionFactory* factory();

    // The phases of the calling thread's request (no-ops on a thread that is not a connection's).
    static void answering();    // the headers are in: the handler runs
    static void readingBody();  // the handler reads the body (bodyTime from now)
    static void waiting();      // the answer is sent: ready for the next request

    void stop();
    std::size_t open() const;  // connections being served now

  private:
    class Watched;
    class Factory;
    enum class Phase { Waiting, Answering, Body };
    struct State {
        Phase phase;
        std::chrono::steady_clock::time_point since;
        std::string address;
    };

    bool admit(const std::string& address);  // counts it in, unless the address has its share
    void enter(Watched* c, const std::string& address);
    void leave(Watched* c);
    void set(Watched* c, Phase phase);
    void watch();

    const Poco::Net::HTTPServerParams::Ptr params_;
    const Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
    const Limits limits_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<Watched*, State> open_;
    std::map<std::string, std::size_t> perAddress_;  // admitted, not yet left
    bool stopping_ = false;
    std::thread watchdog_;
};

}  // namespace avtaleflyt::portal
