#pragma once
// Carrying a MIME message to its recipient. A transport either delivers (returning what the
// other side answered) or throws TransportError saying why; it never half-delivers a message
// it reports as failed, except where SMTP itself cannot tell (the connection drops after the
// final dot): the stable Message-ID lets the receiving side drop the second copy.

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "avtaleflyt/domain/Env.h"

namespace avtaleflyt::notify {

class TransportError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Transport {
  public:
    virtual ~Transport() = default;
    // Delivers `mime` from `from` to `to`; returns the answer ("250 OK ...", the file written).
    virtual std::string deliver(const std::string& from, const std::string& to,
                                const std::string& messageId, const std::string& mime) = 0;
    // Delivers as deliver does, and calls `accepted` with the answer the moment the other side
    // has taken the message, before anything else (for SMTP: right after the 250 to the final
    // dot, before QUIT), so that the caller can record it as sent while the window in which a
    // crash makes it go again is as short as it can be. What `accepted` throws goes to the
    // caller. By default: deliver, then `accepted`.
    virtual std::string send(const std::string& from, const std::string& to,
                             const std::string& messageId, const std::string& mime,
                             const std::function<void(const std::string& answer)>& accepted);
    virtual std::string describe() const = 0;  // "maildir DIR", "smtp://host:port"
};

// Writes each message as an .eml file into DIR/new, named after its Message-ID, so delivering
// a message again replaces the same file: written whole and flushed into DIR/tmp, then renamed
// into DIR/new, all through `env`. A failed delivery leaves nothing in DIR/new or DIR/tmp.
class MaildirTransport final : public Transport {
  public:
    MaildirTransport(std::string dir, Env& env);
    std::string deliver(const std::string& from, const std::string& to,
                        const std::string& messageId, const std::string& mime) override;
    std::string describe() const override { return "maildir " + dir_; }

  private:
    std::string dir_;
    Env& env_;
};

struct SmtpSettings {
    std::string host = "127.0.0.1";
    unsigned port = 25;
    bool startTls = false;    // STARTTLS before anything else; the server's certificate is
    std::string caFile;       // checked against the system's CAs, or this file when given
    std::string user;         // empty: no login
    std::string password;
    std::string heloName = "avtaleflyt";
    int timeoutSeconds = 30;
};

class SmtpTransport final : public Transport {
  public:
    explicit SmtpTransport(SmtpSettings settings);
    std::string deliver(const std::string& from, const std::string& to,
                        const std::string& messageId, const std::string& mime) override;
    std::string send(const std::string& from, const std::string& to, const std::string& messageId,
                     const std::string& mime,
                     const std::function<void(const std::string& answer)>& accepted) override;
    std::string describe() const override;

  private:
    SmtpSettings settings_;
};

}  // namespace avtaleflyt::notify
