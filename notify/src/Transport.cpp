#include "avtaleflyt/notify/Transport.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureSMTPClientSession.h>

#include <cctype>

namespace avtaleflyt::notify {
namespace {

// A file name from a Message-ID: letters, digits, '.', '-', '_' kept, the rest as '_'.
std::string fileNameFor(const std::string& messageId) {
    std::string name;
    for (const char c : messageId)
        name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'
                    ? c
                    : '_';
    return name + ".eml";
}

// SMTP's transparency rule (RFC 5321 4.5.2): a line starting with '.' gets another.
std::string dotStuffed(const std::string& mime) {
    std::string out;
    out.reserve(mime.size() + 64);
    bool lineStart = true;
    for (const char c : mime) {
        if (lineStart && c == '.')
            out += '.';
        out += c;
        lineStart = c == '\n';
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)
        out += "\r\n";
    return out;
}

// The session, with its socket reachable: the final answer to DATA is the server's receipt.
class Session final : public Poco::Net::SecureSMTPClientSession {
  public:
    using SecureSMTPClientSession::SecureSMTPClientSession;
    using SecureSMTPClientSession::socket;
};

}  // namespace

std::string Transport::send(const std::string& from, const std::string& to,
                            const std::string& messageId, const std::string& mime,
                            const std::function<void(const std::string&)>& accepted) {
    std::string answer = deliver(from, to, messageId, mime);
    accepted(answer);
    return answer;
}

MaildirTransport::MaildirTransport(std::string dir, Env& env)
    : dir_(std::move(dir)), env_(env) {}

std::string MaildirTransport::deliver(const std::string&, const std::string&,
                                      const std::string& messageId, const std::string& mime) {
    const std::string name = fileNameFor(messageId);
    const std::string tmp = dir_ + "/tmp/" + name, target = dir_ + "/new/" + name;
    try {
        for (const char* sub : {"tmp", "new", "cur"}) env_.createDirectories(dir_ + "/" + sub);
        env_.writeFileSynced(tmp, mime);
        env_.rename(tmp, target);
    } catch (const EnvError& e) {
        try {
            env_.remove(tmp);
        } catch (const EnvError&) {
            // Not in new/ either way: a maildir reader ignores tmp/.
        }
        throw TransportError(std::string("maildir: ") + e.what());
    }
    return "written to new/" + name;
}

SmtpTransport::SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {}

std::string SmtpTransport::describe() const {
    return "smtp://" + settings_.host + ":" + std::to_string(settings_.port) +
           (settings_.startTls ? " (STARTTLS)" : "");
}

std::string SmtpTransport::deliver(const std::string& from, const std::string& to,
                                   const std::string& messageId, const std::string& mime) {
    return send(from, to, messageId, mime, [](const std::string&) {});
}

std::string SmtpTransport::send(const std::string& from, const std::string& to, const std::string&,
                                const std::string& mime,
                                const std::function<void(const std::string&)>& accepted) {
    using Poco::Net::SMTPClientSession;
    const std::string where = describe() + ": ";
    bool recording = false;
    try {
        Session session(settings_.host, static_cast<Poco::UInt16>(settings_.port));
        session.setTimeout(Poco::Timespan(settings_.timeoutSeconds, 0));
        session.login(settings_.heloName);
        if (settings_.startTls) {
            Poco::Net::Context::Ptr context(new Poco::Net::Context(
                Poco::Net::Context::TLS_CLIENT_USE, "", "", settings_.caFile,
                Poco::Net::Context::VERIFY_RELAXED, 9, settings_.caFile.empty()));
            if (!session.startTLS(context))
                throw TransportError(where + "the server does not offer STARTTLS");
        }
        if (!settings_.user.empty())
            session.login(settings_.heloName, SMTPClientSession::AUTH_LOGIN, settings_.user,
                          settings_.password);
        else if (settings_.startTls)
            session.login(settings_.heloName);  // EHLO again over TLS
        std::string answer;
        const auto expect = [&](int status, const std::string& what) {
            if (status / 100 != 2 && status / 100 != 3)
                throw TransportError(where + what + " refused: " + answer);
        };
        expect(session.sendCommand("MAIL FROM:", "<" + from + ">", answer), "MAIL FROM");
        expect(session.sendCommand("RCPT TO:", "<" + to + ">", answer), "RCPT TO " + to);
        expect(session.sendCommand("DATA", answer), "DATA");
        session.socket().sendString(dotStuffed(mime) + ".\r\n");
        const int status = session.socket().receiveStatusMessage(answer);
        if (status / 100 != 2)
            throw TransportError(where + "the message was refused: " + answer);
        // Accepted: the server has it now. Nothing before the caller records that, and what
        // the recording throws is the caller's, not a failed delivery.
        recording = true;
        accepted(answer);
        recording = false;
        try {
            session.close();
        } catch (const Poco::Exception&) {
            // Delivered; a failing QUIT changes nothing.
        }
        return answer;
    } catch (const TransportError&) {
        throw;
    } catch (const Poco::Exception& e) {
        if (recording)
            throw;
        throw TransportError(where + e.displayText());
    }
}

}  // namespace avtaleflyt::notify
