#pragma once
// Dashboard users, their sessions and API tokens. Secrets are stored only as hashes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "avtaleflyt/domain/Clock.h"
#include "avtaleflyt/storage/Database.h"

namespace avtaleflyt::storage {

struct UserRecord {
    std::int64_t id = 0;
    std::string username, name, role, network, area, passwordHash;
    std::int64_t networkId = 0;
    bool disabled = false;
    int failedLogins = 0;
    std::string lockedUntil;
};

class UserRepository {
  public:
    explicit UserRepository(Database& db) : db_(db) {}

    // Throws StorageError if the username is taken (ignoring case).
    void add(const UserRecord& u, Timestamp now);
    std::optional<UserRecord> find(const std::string& username) const;
    std::optional<UserRecord> byId(std::int64_t id) const;
    std::vector<UserRecord> list() const;
    void setPassword(std::int64_t id, const std::string& hash);
    // The installation's secret `name`: `candidate` stored as it if there is none yet (the first
    // to ask wins, on any server), else the one stored. Inside a transaction.
    std::string secret(const std::string& name, const std::string& candidate);
    void setDisabled(std::int64_t id, bool disabled);
    // Records a failed or a successful sign-in (the latter clears the count and any lock).
    void recordFailure(std::int64_t id, int failures, const std::string& lockedUntil);
    void recordSuccess(std::int64_t id);

    void addSession(std::int64_t userId, const std::string& tokenSha256, const std::string& csrf,
                    Timestamp expires, Timestamp now);
    // The session's user and CSRF token, if the session exists and has not expired at `now`.
    std::optional<std::pair<std::int64_t, std::string>> session(const std::string& tokenSha256,
                                                                Timestamp now) const;
    void endSession(const std::string& tokenSha256);
    void endSessionsOf(std::int64_t userId);

    void addApiToken(std::int64_t userId, const std::string& tokenSha256, Timestamp now);
    std::optional<std::int64_t> apiTokenUser(const std::string& tokenSha256) const;

  private:
    Database& db_;
};

}  // namespace avtaleflyt::storage
