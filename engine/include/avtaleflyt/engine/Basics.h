#pragma once
// What every engine service shares: its errors, who acts, and the network a call is about.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace avtaleflyt::engine {

// An operation that could not be done; the message says what and why, for the user.
// Nothing was changed when it is thrown.
class EngineError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The installation is missing or unusable (no data folder, a database from a newer version).
class InstallationError : public EngineError {
  public:
    using EngineError::EngineError;
};

// The database cannot be reached now (its server is down or restarting): nothing was changed,
// and the same call may succeed later.
class Unavailable : public EngineError {
  public:
    using EngineError::EngineError;
};

// Who does what a call changes, as the audit log names them: "cli:USER" for the command line,
// "web:USERNAME" for a dashboard user, "system:sweep" for the reminder sweep. Every call that
// changes something takes one; a signer acting through a link is named by the link instead.
struct Actor {
    std::string name;
};

struct Network {
    std::string name;
    std::vector<std::string> areas;
    std::string createdAt;
};

struct AuditEventView {
    std::int64_t seq;
    std::string occurredAt, actor, kind, subject, payload;
};

}  // namespace avtaleflyt::engine
