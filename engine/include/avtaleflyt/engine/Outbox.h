#pragma once
// Mail: every message is written to the outbox in the transaction of the step that caused it; the
// dispatcher delivers what is due. Owns the outbox table.

#include <cstddef>
#include <string>
#include <vector>

#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

// What one run of the outbox dispatcher did.
struct DispatchReport {
    std::vector<std::string> sent;    // "RECIPIENT: SUBJECT (answer)"
    std::vector<std::string> failed;  // "RECIPIENT: SUBJECT: error; next attempt at T"
};
// A message in the outbox (without its text).
struct OutboxEntry {
    std::string messageId, reference, kind, recipient, subject, status;
    int attempts = 0;
    std::string nextAttemptAt, lastError, serverAnswer, createdAt, sentAt;
};

class Outbox {
  public:
    explicit Outbox(Core& core) : core_(core) {}

    // Delivers the messages due (at most `limit`), each claimed first so that two dispatchers
    // at once send it once, marked sent (an audit event by `by`) once delivered; a failed one
    // stays queued with a later next attempt (1, 2, 4, ... minutes, at most 6 hours). Through the
    // settings' transport unless Installation::setTransport gave another.
    DispatchReport deliver(const Actor& by, std::size_t limit = 1000) const;
    std::vector<OutboxEntry> list(const std::string& status) const;  // "": all; newest first

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
