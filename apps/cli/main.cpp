// avtaleflyt: the command-line entry point. Parses the command line with
// Poco::Util::Application against the command table (Commands.cpp), runs the command and maps
// the outcome to an exit code: 0 ok, 1 problems found or the operation failed, 2 wrong usage.

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>

#include "Commands.h"
#include "Logging.h"
#include "Serve.h"
#include "avtaleflyt/engine/Installation.h"

namespace avtaleflyt::cli {
namespace {

const char* kVersion = AVTALEFLYT_VERSION;  // project() in CMakeLists.txt

std::string wrap(const std::string& text, std::size_t width, const std::string& indent) {
    std::istringstream words(text);
    std::string word, line, out;
    while (words >> word) {
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            out += indent + line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty())
        out += indent + line + "\n";
    return out;
}

std::string spelledName(const CommandSpec& c) {
    std::string s;
    for (const auto& w : c.words) s += (s.empty() ? "" : " ") + w;
    return s;
}

void printOptions(std::ostream& out, const std::vector<OptionSpec>& options) {
    for (const auto& o : options) {
        std::string flag = "  --" + o.name + (o.argument.empty() ? "" : " " + o.argument);
        if (flag.size() < 22)
            flag.resize(22, ' ');
        else
            flag += "\n" + std::string(22, ' ');
        out << flag << o.help << (o.repeatable ? " (repeatable)" : "") << '\n';
    }
}

void printGeneralHelp(std::ostream& out) {
    out << "Usage: avtaleflyt [--data DIR] [--now DATETIME] COMMAND [ARGUMENTS] [OPTIONS]\n\n"
        << wrap(
               "avtaleflyt drives the function descriptions and collaboration agreements of a "
               "competence network of resource nurses through send, sign, remind and archive.",
               78, "")
        << "\nCommands:\n";
    // The column fits the longest name (it cut "send function-descriptions" short).
    std::size_t width = 0;
    for (const auto& c : commands()) width = std::max(width, spelledName(c).size());
    for (const auto& c : commands()) {
        std::string name = "  " + spelledName(c);
        name.resize(width + 4, ' ');
        out << name << c.summary << '\n';
    }
    out << "\nGlobal options (before or after the command):\n";
    printOptions(out, globalOptions());
    out << "\nExit codes: 0 ok, 1 problems found or the operation failed, 2 wrong usage.\n"
        << "Run 'avtaleflyt COMMAND --help' for a command's arguments and options.\n";
}

void printCommandHelp(std::ostream& out, const CommandSpec& c) {
    out << "Usage: avtaleflyt " << spelledName(c) << (c.arguments.empty() ? "" : " " + c.arguments)
        << (c.options.empty() ? "" : " [OPTIONS]") << "\n\n"
        << wrap(c.description, 78, "");
    if (!c.options.empty()) {
        out << "\nOptions:\n";
        printOptions(out, c.options);
    }
    out << "\nGlobal options:\n";
    printOptions(out, globalOptions());
}

class AvtaleflytApp : public CliApplication {
  public:
    // Poco hands argv() out only after defineOptions(), which needs it: keep a copy first.
    AvtaleflytApp(int argc, char** argv) : words_(argv, argv + argc) { setUnixOptions(true); }

  protected:
    // The command is known from the words on the command line before options are parsed, so
    // that the option set holds the global options and exactly that command's options.
    void defineOptions(Poco::Util::OptionSet& options) override {
        CliApplication::defineOptions(options);
        command_ = findCommand();
        auto add = [&](const OptionSpec& o) {
            Poco::Util::Option opt(o.name, o.name == "help" ? "h" : "", o.help);
            opt.required(false).repeatable(true);
            if (!o.argument.empty())
                opt.argument(o.argument, true);
            options.addOption(opt);
        };
        for (const auto& o : globalOptions()) add(o);
        if (command_)
            for (const auto& o : command_->options) add(o);
    }

    void handleOption(const std::string& name, const std::string& value) override {
        Application::handleOption(name, value);
        if (command_)
            for (const auto& o : command_->options)
                if (o.name == name && !o.repeatable && invocation_.values.count(name))
                    throw Poco::Util::DuplicateOptionException("--" + name + " is given twice");
        invocation_.values[name].push_back(value);
    }

    int main(const ArgVec& args) override {
        try {
            return dispatch(args);
        } catch (const UsageError& e) {
            std::cerr << "avtaleflyt: " << e.what() << "\n"
                      << "Run 'avtaleflyt " << (command_ ? spelledName(*command_) + " " : "")
                      << "--help' for help.\n";
            return 2;
        } catch (const engine::InstallationError& e) {
            std::cerr << "avtaleflyt: " << e.what() << '\n';
            return 1;
        } catch (const engine::EngineError& e) {
            std::cerr << "avtaleflyt: " << e.what() << '\n';
            return 1;
        } catch (const Poco::Exception& e) {
            std::cerr << "avtaleflyt: " << e.displayText() << '\n';
            return 1;
        } catch (const std::exception& e) {
            std::cerr << "avtaleflyt: " << e.what() << '\n';
            return 1;
        }
    }

  private:
    // Words that are not options and not the value of an option, in order.
    std::vector<std::string> positionalWords() const {
        std::set<std::string> takeValue;
        for (const auto& o : globalOptions())
            if (!o.argument.empty())
                takeValue.insert(o.name);
        for (const auto& c : commands())
            for (const auto& o : c.options)
                if (!o.argument.empty())
                    takeValue.insert(o.name);
        std::vector<std::string> words;
        const auto& all = words_;
        for (std::size_t i = 1; i < all.size(); ++i) {
            const std::string& a = all[i];
            if (a.rfind("--", 0) == 0) {
                if (a.find('=') == std::string::npos && takeValue.count(a.substr(2)))
                    ++i;
                continue;
            }
            if (a.size() > 1 && a[0] == '-')
                continue;
            words.push_back(a);
        }
        return words;
    }

    const CommandSpec* findCommand() const {
        const auto words = positionalWords();
        const CommandSpec* best = nullptr;
        for (const auto& c : commands()) {
            if (c.words.size() > words.size())
                continue;
            if (!std::equal(c.words.begin(), c.words.end(), words.begin()))
                continue;
            if (!best || c.words.size() > best->words.size())
                best = &c;
        }
        return best;
    }

    int dispatch(const ArgVec& args) {
        if (invocation_.has("version")) {
            std::cout << "avtaleflyt " << kVersion << '\n';
            return 0;
        }
        if (!command_) {
            if (invocation_.has("help") || args.empty()) {
                printGeneralHelp(invocation_.has("help") ? std::cout : std::cerr);
                return invocation_.has("help") ? 0 : 2;
            }
            std::string given;
            for (const auto& a : args) given += (given.empty() ? "" : " ") + a;
            throw UsageError("unknown command \"" + given + "\"");
        }
        if (invocation_.has("help")) {
            printCommandHelp(std::cout, *command_);
            return 0;
        }
        invocation_.command = command_;
        invocation_.args.assign(args.begin() + static_cast<std::ptrdiff_t>(command_->words.size()),
                                args.end());
        const std::size_t n = invocation_.args.size();
        if (n < command_->minArgs)
            throw UsageError(spelledName(*command_) + " needs " + command_->arguments);
        if (n > command_->maxArgs)
            throw UsageError(spelledName(*command_) + " does not take \"" +
                             invocation_.args[command_->maxArgs] + "\"");

        std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
        // --now, else $AVTALEFLYT_NOW (a demo or a script that tells a story on one clock).
        const std::string now =
            invocation_.value("now", Poco::Environment::get("AVTALEFLYT_NOW", ""));
        if (!now.empty()) {
            const auto t = parseTimestamp(now);
            if (!t)
                throw UsageError(std::string(invocation_.has("now") ? "--now" : "AVTALEFLYT_NOW") +
                                 ": cannot read \"" + now +
                                 "\" as a date or time (write 2026-11-24 or 2026-11-24T09:30)");
            clock = std::make_unique<FixedClock>(*t);
        }

        std::string dataDir =
            invocation_.value("data", Poco::Environment::get("AVTALEFLYT_DATA", ""));
        if (dataDir.empty())
            dataDir = "avtaleflyt-data";
        const std::string configFile =
            Poco::Path(dataDir).append(engine::Installation::kConfigFile).toString();
        if (Poco::File(configFile).exists())
            loadConfiguration(configFile);
        const std::string defaultNetwork = config().getString("network.default", "");
        engine::Settings settings;
        settings.databaseUrl = config().getString("database.url", "");
        settings.workflowsDir = config().getString("workflows.dir", "");
        settings.sealPkcs12 = config().getString("seal.pkcs12", "");
        settings.sealPassword = config().getString("seal.password", "");
        settings.archiveAccessCode =
            config().getString("archive.access-code", settings.archiveAccessCode);
        settings.archiveScreeningAuthority =
            config().getString("archive.screening-authority", settings.archiveScreeningAuthority);
        settings.archiveFormat = config().getString("archive.format", settings.archiveFormat);
        const std::string caseFile = config().getString("archive.case-file", "workflow-year");
        if (caseFile != "workflow-year" && caseFile != "case")
            throw UsageError("archive.case-file in " + configFile +
                             " is workflow-year or case, not \"" + caseFile + "\"");
        settings.archiveCaseFilePerCase = caseFile == "case";
        Poco::Util::AbstractConfiguration::Keys workflows;
        config().keys("workflow", workflows);
        for (const auto& name : workflows)
            if (config().has("workflow." + name + ".signing"))
                settings.signingOrder[name] = config().getString("workflow." + name + ".signing");
        for (const auto& name : workflows)
            if (config().has("workflow." + name + ".screened"))
                settings.archiveScreened[name] = config().getBool("workflow." + name + ".screened");

        // Mail and the portal.
        settings.language = config().getString("language", settings.language);
        if (settings.language != "nb" && settings.language != "en")
            throw UsageError("language in " + configFile + " is nb or en, not \"" +
                             settings.language + "\"");
        settings.portalUrl = config().getString("portal.url", settings.portalUrl);
        settings.trustedProxy = config().getString("portal.trusted-proxy", "");
        const int perAddress = config().getInt("portal.max-connections-per-address",
                                               static_cast<int>(settings.maxConnectionsPerAddress));
        if (perAddress < 1)
            throw UsageError("portal.max-connections-per-address in " + configFile +
                             " is a number of connections (>= 1), not " +
                             std::to_string(perAddress));
        settings.maxConnectionsPerAddress = static_cast<std::size_t>(perAddress);
        settings.mailFrom = config().getString("mail.from", settings.mailFrom);
        settings.mailTransport = config().getString("mail.transport", settings.mailTransport);
        if (settings.mailTransport != "maildir" && settings.mailTransport != "smtp")
            throw UsageError("mail.transport in " + configFile + " is maildir or smtp, not \"" +
                             settings.mailTransport + "\"");
        settings.smtp.host = config().getString("smtp.host", settings.smtp.host);
        settings.smtp.port = config().getUInt("smtp.port", settings.smtp.port);
        settings.smtp.startTls = config().getBool("smtp.starttls", settings.smtp.startTls);
        settings.smtp.caFile = config().getString("smtp.ca-file", "");
        settings.smtp.user = config().getString("smtp.user", "");
        settings.smtp.password = config().getString("smtp.password", "");
        settings.smtp.heloName = config().getString("smtp.helo", settings.smtp.heloName);
        settings.smtp.timeoutSeconds = config().getInt("smtp.timeout", settings.smtp.timeoutSeconds);

        // Logging, for every command (only serve logs).
        LogSettings logging;
        logging.channel = config().getString("logging.channel", logging.channel);
        if (logging.channel != "console" && logging.channel != "file" &&
            logging.channel != "syslog")
            throw UsageError("logging.channel in " + configFile +
                             " is console, file or syslog, not \"" + logging.channel + "\"");
        logging.file = config().getString("logging.file", "");
        if (logging.channel == "file" && logging.file.empty())
            throw UsageError("logging.file in " + configFile +
                             " is needed with logging.channel = file");
        if (!logging.file.empty())  // a relative one is in the data folder
            logging.file = Poco::Path(dataDir).makeDirectory().resolve(logging.file).toString();
        logging.rotation = config().getString("logging.rotation", logging.rotation);
        const std::string level = config().getString("logging.level", "information");
        try {
            logging.level = Poco::Logger::parseLevel(level);
        } catch (const Poco::InvalidArgumentException&) {
            throw UsageError("logging.level in " + configFile +
                             " is fatal, critical, error, warning, notice, information, debug "
                             "or trace, not \"" + level + "\"");
        }
        configureLogging(logging, configFile);

        Context ctx(invocation_, dataDir, std::move(clock), defaultNetwork, std::move(settings),
                    std::cout, std::cerr);
        return command_->run(ctx);
    }

    const std::vector<std::string> words_;
    const CommandSpec* command_ = nullptr;
    Invocation invocation_;
};

}  // namespace
}  // namespace avtaleflyt::cli

int main(int argc, char** argv) {
    avtaleflyt::engine::prepareProcessForRendering();
    avtaleflyt::cli::AvtaleflytApp app(argc, argv);
    try {
        app.init(argc, argv);
    } catch (const Poco::Util::OptionException& e) {
        std::cerr << "avtaleflyt: " << e.displayText() << "\nRun 'avtaleflyt --help' for help.\n";
        return 2;
    } catch (const Poco::Exception& e) {
        std::cerr << "avtaleflyt: " << e.displayText() << '\n';
        return 1;
    }
    return app.run();
}
