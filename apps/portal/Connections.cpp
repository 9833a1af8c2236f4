#include "Connections.h"

#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>

#include <vector>

namespace avtaleflyt::portal {

using Clock = std::chrono::steady_clock;

// An HTTP connection that tells its owner when it starts, ends and what it is doing.
class Connections::Watched final : public Poco::Net::HTTPServerConnection {
  public:
    Watched(const Poco::Net::StreamSocket& socket, Connections& owner, const std::string& address)
        : HTTPServerConnection(socket, owner.params_, owner.handlers_), owner_(owner) {
        owner_.enter(this, address);
    }
    ~Watched() override { owner_.leave(this); }

    void run() override {
        current_ = this;
        HTTPServerConnection::run();
        current_ = nullptr;
    }

    // Ends the connection from another thread: its blocked read returns.
    void shutDown() {
        try {
            socket().shutdown();
        } catch (const Poco::Exception&) {
            // closed already
        }
    }

    static thread_local Watched* current_;
    Connections& owner_;
};

thread_local Connections::Watched* Connections::Watched::current_ = nullptr;

namespace {

// One connection too many from an address: told so, and closed.
class Refused final : public Poco::Net::TCPServerConnection {
  public:
    Refused(const Poco::Net::StreamSocket& socket, const std::string& text)
        : TCPServerConnection(socket), text_(text) {}
    void run() override {
        const std::string answer =
            "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
            std::to_string(text_.size()) + "\r\n\r\n" + text_;
        try {
            socket().sendBytes(answer.data(), static_cast<int>(answer.size()));
            socket().shutdown();
        } catch (const Poco::Exception&) {
            // the client went away: nothing to tell
        }
    }

  private:
    const std::string text_;
};

}  // namespace

class Connections::Factory final : public Poco::Net::TCPServerConnectionFactory {
  public:
    explicit Factory(Connections& owner) : owner_(owner) {}
    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override {
        std::string address;
        try {
            address = socket.peerAddress().host().toString();
        } catch (const Poco::Exception&) {
            // no peer (it left already): counted under ""
        }
        if (!owner_.admit(address))
            return new Refused(socket, owner_.limits_.refusedText);
        return new Watched(socket, owner_, address);
    }

  private:
    Connections& owner_;
};

Connections::Connections(Poco::Net::HTTPServerParams::Ptr params,
                         Poco::Net::HTTPRequestHandlerFactory::Ptr handlers, Limits limits)
    : params_(std::move(params)),
      handlers_(std::move(handlers)),
      limits_(std::move(limits)),
      watchdog_([this] { watch(); }) {}

Connections::~Connections() {
    stop();
    watchdog_.join();
}

Poco::Net::TCPServerConnectionFactory* Connections::factory() {
    return new Factory(*this);
}

bool Connections::admit(const std::string& address) {
    const std::lock_guard lock(mutex_);
    auto& count = perAddress_[address];
    if (address != limits_.exempt && count >= limits_.perAddress) {
        if (count == 0)
            perAddress_.erase(address);
        return false;
    }
    ++count;
    return true;
}

void Connections::enter(Watched* c, const std::string& address) {
    const std::lock_guard lock(mutex_);
    open_[c] = {Phase::Waiting, Clock::now(), address};
}

void Connections::leave(Watched* c) {
    {
        const std::lock_guard lock(mutex_);
        const auto it = open_.find(c);
        if (it == open_.end())
            return;
        if (--perAddress_[it->second.address] == 0)
            perAddress_.erase(it->second.address);
        open_.erase(it);
    }
    changed_.notify_all();
}

void Connections::set(Watched* c, Phase phase) {
    const std::lock_guard lock(mutex_);
    const auto it = open_.find(c);
    if (it == open_.end())
        return;
    it->second.phase = phase;
    it->second.since = Clock::now();
    if (phase == Phase::Waiting && stopping_)
        c->shutDown();  // no further request while stopping
}

void Connections::answering() {
    if (auto* c = Watched::current_)
        c->owner_.set(c, Phase::Answering);
}

void Connections::readingBody() {
    if (auto* c = Watched::current_)
        c->owner_.set(c, Phase::Body);
}

void Connections::waiting() {
    if (auto* c = Watched::current_)
        c->owner_.set(c, Phase::Waiting);
}

void Connections::watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_ || !open_.empty()) {
        changed_.wait_for(lock, std::chrono::milliseconds(100));
        const auto now = Clock::now();
        for (auto& [c, state] : open_) {
            const bool late =
                (state.phase == Phase::Waiting && now - state.since > limits_.headerTime) ||
                (state.phase == Phase::Body && now - state.since > limits_.bodyTime);
            if (late || (stopping_ && state.phase == Phase::Waiting)) {
                c->shutDown();
                state.phase = Phase::Answering;  // shut once
            }
        }
        if (stopping_ && open_.empty())
            return;
    }
}

void Connections::stop() {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_.empty(); });
}

std::size_t Connections::open() const {
    const std::lock_guard lock(mutex_);
    return open_.size();
}

}  // namespace avtaleflyt::portal
