#include "Logging.h"

#include <Poco/AsyncChannel.h>
#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SyslogChannel.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "CommandLine.h"

namespace avtaleflyt::cli {
namespace {

// Standard error, each line in one write(2): Poco's ConsoleChannel writes the text and its
// newline apart, so a line printed on standard output meanwhile (serve's "Listening on ...")
// landed inside a log line when both go to one file.
class LineChannel : public Poco::Channel {
  public:
    void log(const Poco::Message& message) override {
        const std::string line = message.getText() + "\n";
        for (std::size_t done = 0; done < line.size();) {
            const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return;  // nowhere to log to: nothing else to do with it
            done += static_cast<std::size_t>(n);
        }
    }
};

}  // namespace

void configureLogging(const LogSettings& settings, const std::string& configFile) {
    Poco::AutoPtr<Poco::Channel> channel;
    std::string pattern = "%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t";
    if (settings.channel == "syslog") {
        channel = new Poco::SyslogChannel("avtaleflyt");
        pattern = "%s: %t";
    } else if (settings.channel == "file") {
        Poco::AutoPtr<Poco::FileChannel> file = new Poco::FileChannel(settings.file);
        file->setProperty(Poco::FileChannel::PROP_TIMES, "utc");
        file->setProperty(Poco::FileChannel::PROP_ARCHIVE, "number");
        file->setProperty(Poco::FileChannel::PROP_PURGECOUNT, "5");
        try {
            file->setProperty(Poco::FileChannel::PROP_ROTATION, settings.rotation);
        } catch (const Poco::Exception&) {
            throw UsageError("logging.rotation in " + configFile +
                             " is a size (10 M, 500 K), daily, weekly, monthly or never, not \"" +
                             settings.rotation + "\"");
        }
        try {
            file->open();
        } catch (const Poco::Exception& e) {
            throw UsageError("logging.file in " + configFile + ": cannot write " + settings.file +
                             " (" + e.displayText() + ")");
        }
        channel = file;
    } else {
        channel = new LineChannel;
    }
    Poco::AutoPtr<Poco::PatternFormatter> formatter = new Poco::PatternFormatter(pattern);
    Poco::AutoPtr<Poco::FormattingChannel> formatting =
        new Poco::FormattingChannel(formatter, channel);
    // Formatted and written on a thread of its own: a request thread only queues its line.
    Poco::AutoPtr<Poco::AsyncChannel> async = new Poco::AsyncChannel(formatting);
    Poco::Logger::setChannel("", async);
    Poco::Logger::setLevel("", settings.level);
    // Every line queued is written before the process ends (close() drains the queue).
    static Poco::AsyncChannel* written = nullptr;
    if (!written)
        std::atexit([] { written->close(); });
    written = async.get();
    written->duplicate();  // kept until exit, whatever replaces the root channel
}

}  // namespace avtaleflyt::cli
