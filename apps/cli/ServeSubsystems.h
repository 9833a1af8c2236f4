#pragma once
// The parts of serve, each a Poco::Util::Subsystem that serve initializes in order and
// uninitializes in reverse (Serve.cpp). Their initialize and uninitialize are public for that,
// and destroying one uninitializes it, for a serve that fails half-way through starting.

#include <Poco/Util/Subsystem.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "Portal.h"

namespace avtaleflyt::cli {

// The portal and the dashboard over HTTP. initialize listens (or throws: a port in use);
// uninitialize stops the portal (Portal::stop).
class HttpSubsystem : public Poco::Util::Subsystem {
  public:
    HttpSubsystem(engine::Installation& installation, const portal::PortalSettings& settings);
    ~HttpSubsystem() override;

    const char* name() const override { return "avtaleflyt.http"; }
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;
    unsigned port() const { return portal_->port(); }  // once initialized

  private:
    engine::Installation& installation_;
    const portal::PortalSettings settings_;
    std::optional<portal::Portal> portal_;
};

// A round of work on a thread of its own: at once on initialize, then every `period` until
// uninitialize, which wakes the thread and joins it once the round under way is done. A round
// that throws is logged as an error ("WHAT: the error") by the logger named `name`, and the next
// round comes as usual. That logger also says when the thread starts and when it has stopped.
class PeriodicSubsystem : public Poco::Util::Subsystem {
  public:
    PeriodicSubsystem(std::string name, std::string what, std::chrono::seconds period,
                      std::function<void()> round);
    ~PeriodicSubsystem() override;

    const char* name() const override { return name_.c_str(); }
    void initialize(Poco::Util::Application& app) override;
    void uninitialize() override;

  private:
    void loop();

    const std::string name_, what_;
    const std::chrono::seconds period_;
    const std::function<void()> round_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace avtaleflyt::cli
