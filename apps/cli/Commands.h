#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::cli {

// What a command runs with: its invocation, the data folder, the clock, the configuration.
class Context {
  public:
    Context(const Invocation& inv, std::string dataDir, std::unique_ptr<Clock> clock,
            std::string defaultNetwork, engine::Settings settings, std::ostream& out,
            std::ostream& err);

    const Invocation& inv;
    const std::string dataDir;
    std::ostream& out;
    std::ostream& err;

    const Clock& clock() const { return *clock_; }
    // "cli:<login name>", recorded on audit events.
    std::string actor() const;
    engine::Actor by() const { return {actor()}; }
    // The installation in dataDir, opened on first use.
    engine::Installation& installation();
    // --network, else network.default from the configuration, else empty (the only network).
    std::string network() const;
    const engine::Settings& settings() const { return settings_; }
    // The database to open the installation on, set by a command that has just made it there
    // (init --database) before installation() is first used.
    void useDatabase(const std::string& url) { settings_.databaseUrl = url; }
    // Where a command says what it wrote to `outPath`: standard error when that is "-" (the file
    // itself goes to standard output), else standard output.
    std::ostream& notes(const std::string& outPath) { return outPath == "-" ? err : out; }


  private:
    std::unique_ptr<Clock> clock_;
    std::string defaultNetwork_;
    engine::Settings settings_;
    std::optional<engine::Installation> installation_;
};

// Every command, in the order --help lists them.
const std::vector<CommandSpec>& commands();

}  // namespace avtaleflyt::cli
