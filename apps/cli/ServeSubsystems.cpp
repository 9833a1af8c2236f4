#include "ServeSubsystems.h"

#include <Poco/Logger.h>

namespace avtaleflyt::cli {

HttpSubsystem::HttpSubsystem(engine::Installation& installation,
                             const portal::PortalSettings& settings)
    : installation_(installation), settings_(settings) {}

HttpSubsystem::~HttpSubsystem() {
    uninitialize();
}

void HttpSubsystem::initialize(Poco::Util::Application&) {
    portal_.emplace(installation_, settings_);
    portal_->start();
}

void HttpSubsystem::uninitialize() {
    if (!portal_)
        return;
    portal_->stop();
    portal_.reset();
}

PeriodicSubsystem::PeriodicSubsystem(std::string name, std::string what,
                                     std::chrono::seconds period, std::function<void()> round)
    : name_(std::move(name)), what_(std::move(what)), period_(period), round_(std::move(round)) {}

PeriodicSubsystem::~PeriodicSubsystem() {
    uninitialize();
}

void PeriodicSubsystem::initialize(Poco::Util::Application&) {
    Poco::Logger::get(name_).information("running every %d s", static_cast<int>(period_.count()));
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
}

void PeriodicSubsystem::uninitialize() {
    if (!thread_.joinable())
        return;
    {
        std::lock_guard<std::mutex> guard(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    Poco::Logger::get(name_).information("stopped");
}

void PeriodicSubsystem::loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            round_();
        } catch (const std::exception& e) {
            Poco::Logger::get(name_).error("%s: %s", what_, std::string(e.what()));
        }
        lock.lock();
        wake_.wait_for(lock, period_, [this] { return stopping_; });
    }
}

}  // namespace avtaleflyt::cli
