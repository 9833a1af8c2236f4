#pragma once
// Where the process logs: the logging.* keys of avtaleflyt.properties, for every Poco::Logger
// (avtaleflyt.serve, avtaleflyt.http, ...). A line holds the time (ISO 8601, UTC), the level, the
// logger's name and the text:
//   2026-11-24T09:30:00.000Z Information avtaleflyt.serve: listening on http://127.0.0.1:8080/
// To syslog without the time and the level, which syslog records itself.

#include <Poco/Message.h>

#include <string>

namespace avtaleflyt::cli {

struct LogSettings {
    std::string channel = "console";  // console (standard error), file or syslog
    std::string file;                 // channel file: the log file
    std::string rotation = "10 M";    // channel file: when a new file begins (FileChannel)
    int level = Poco::Message::PRIO_INFORMATION;  // the least priority logged
};

// Sends every logger's messages of settings.level and above to settings.channel, written by a
// thread of its own (a logging thread never waits for the disk), every line queued written before
// the process exits; a log file is
// opened here, and its last five predecessors kept (FILE.0 the newest). Throws UsageError naming
// the key of `configFile` that is wrong: a rotation FileChannel does not know, a file that cannot
// be written.
void configureLogging(const LogSettings& settings, const std::string& configFile);

}  // namespace avtaleflyt::cli
