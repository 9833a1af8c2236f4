#pragma once
// The command table: one entry per subcommand drives parsing, --help and the docs.

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace avtaleflyt::cli {

// A mistake in how the command was called; exit code 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// An operation that found problems or failed, already reported; exit code 1.
struct Findings {
    int exitCode = 1;
};

struct OptionSpec {
    std::string name;      // long name, used as --name
    std::string argument;  // placeholder for its value ("FILE"); empty for a flag
    std::string help;
    bool repeatable = false;
};

class Context;  // defined in Commands.h

struct CommandSpec {
    std::vector<std::string> words;  // e.g. {"import", "roster"}
    std::string arguments;           // positional arguments, e.g. "FILE"
    std::size_t minArgs = 0, maxArgs = 0;
    std::string summary;      // one line
    std::string description;  // a paragraph for --help
    std::vector<OptionSpec> options;
    std::function<int(Context&)> run;
};

// Options common to every command.
const std::vector<OptionSpec>& globalOptions();

// What the user asked for, once parsed.
struct Invocation {
    const CommandSpec* command = nullptr;
    std::vector<std::string> args;                           // positional, after the command words
    std::map<std::string, std::vector<std::string>> values;  // option name -> values given
    bool has(const std::string& option) const { return values.count(option) > 0; }
    // The last value given for `option`, or `fallback`.
    std::string value(const std::string& option, const std::string& fallback = "") const;
};

}  // namespace avtaleflyt::cli
