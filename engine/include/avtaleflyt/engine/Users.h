#pragma once
// Dashboard users: accounts with scrypt password hashes, sign-in with lock-out, sessions and API
// tokens. Every change is an audit event. Owns the user, session and API token tables.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "avtaleflyt/engine/Basics.h"

namespace avtaleflyt::engine {

class Core;  // engine-private: what the services share (engine/src/Core.h)

// A dashboard user (Users.cpp). Roles: "network_leader" (everything in the network),
// "area_leader" (their area only), "records_office" (archive and audit; read-only elsewhere).
struct WebUser {
    std::int64_t id = 0;
    std::string username, name, role, network, area;
    bool disabled = false;
};

struct SignIn {
    bool ok = false;
    std::string refusal;  // the same words for an unknown user and a wrong password
    std::string token;    // the session cookie's value
    WebUser user;
};

class Users {
  public:
    explicit Users(Core& core) : core_(core) {}

    // Passwords (at least kMinPasswordLength characters) are stored as scrypt hashes. Throws
    // EngineError for a bad role, area, password or an unknown user.
    static constexpr std::size_t kMinPasswordLength = 10;
    static constexpr int kMaxFailedSignIns = 5;  // then locked for kLockMinutes
    static constexpr int kLockMinutes = 15;
    static constexpr int kSessionHours = 8;
    void add(const Actor& by, const std::string& username, const std::string& name,
             const std::string& role, const std::string& network, const std::string& area,
             const std::string& password) const;
    void setPassword(const Actor& by, const std::string& username,
                     const std::string& password) const;
    void disable(const Actor& by, const std::string& username) const;
    std::vector<WebUser> list() const;
    // A sign-in attempt (by `by`, the one trying: the audit log names the attempt).
    SignIn signIn(const Actor& by, const std::string& username,
                  const std::string& password) const;
    // The signed-in user and the session's CSRF token, if the session is valid now.
    std::optional<std::pair<WebUser, std::string>> sessionUser(const std::string& token) const;
    void signOut(const std::string& token) const;
    // A new API token for the user (shown once; stored as a hash).
    std::string createApiToken(const Actor& by, const std::string& username) const;
    std::optional<WebUser> apiUser(const std::string& token) const;
    // The key of the CSRF tokens of the forms `purpose` ("portal", "sign-in"): 32 random bytes
    // as hex, made once for the installation and shared by all its servers, so that a form shown
    // by one server, or before a restart, is accepted by another.
    std::string formSecret(const std::string& purpose) const;

  private:
    Core& core_;
};

}  // namespace avtaleflyt::engine
