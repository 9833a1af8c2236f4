#include "CommandLine.h"

namespace avtaleflyt::cli {

const std::vector<OptionSpec>& globalOptions() {
    static const std::vector<OptionSpec> options = {
        {"data", "DIR", "the data folder (default: $AVTALEFLYT_DATA, else ./avtaleflyt-data)",
         false},
        {"now", "DATETIME",
         "act as if it were this time, e.g. 2026-11-24 or 2026-11-24T09:30 (UTC; default: "
         "$AVTALEFLYT_NOW, else the real time); for demos and tests",
         false},
        {"help", "", "show help for the command and exit", false},
        {"version", "", "print the version and exit", false},
    };
    return options;
}

std::string Invocation::value(const std::string& option, const std::string& fallback) const {
    const auto it = values.find(option);
    return it == values.end() || it->second.empty() ? fallback : it->second.back();
}

}  // namespace avtaleflyt::cli
