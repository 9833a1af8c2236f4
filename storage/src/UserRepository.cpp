#include "avtaleflyt/storage/UserRepository.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "DatabaseImpl.h"
#include "Rows.h"

using namespace Poco::Data::Keywords;
using Poco::Data::RecordSet;
using Poco::Data::Statement;

namespace avtaleflyt::storage {
namespace {

constexpr const char* kSelect =
    "SELECT u.id, u.username, u.name, u.role, n.name, u.area, u.password_hash, u.network_id, "
    "u.disabled, u.failed_logins, u.locked_until FROM app_user u JOIN network n ON n.id = "
    "u.network_id ";

UserRecord userAt(const RecordSet& rs, std::size_t row) {
    UserRecord u;
    u.id = integerAt(rs, row, 0);
    u.username = textAt(rs, row, 1);
    u.name = textAt(rs, row, 2);
    u.role = textAt(rs, row, 3);
    u.network = textAt(rs, row, 4);
    u.area = textAt(rs, row, 5);
    u.passwordHash = textAt(rs, row, 6);
    u.networkId = integerAt(rs, row, 7);
    u.disabled = integerAt(rs, row, 8) != 0;
    u.failedLogins = static_cast<int>(integerAt(rs, row, 9));
    u.lockedUntil = textAt(rs, row, 10);
    return u;
}

}  // namespace

void UserRepository::add(const UserRecord& u, Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    try {
        db.session << "INSERT INTO app_user (username, name, role, network_id, area, "
                      "password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            bind(u.username), bind(u.name), bind(u.role), bind(u.networkId), bind(u.area),
            bind(u.passwordHash), bind(stamp), now;
    } catch (const Poco::Exception&) {
        throw StorageError("the user name \"" + u.username + "\" is taken");
    }
}

std::optional<UserRecord> UserRepository::find(const std::string& username) const {
    Lease db(db_);
    Statement select(db.session);
    select << std::string(kSelect) + "WHERE u.username = ?", bind(username), now;
    RecordSet rs(select);
    if (rs.rowCount() == 0)
        return std::nullopt;
    return userAt(rs, 0);
}

std::optional<UserRecord> UserRepository::byId(std::int64_t id) const {
    Lease db(db_);
    Statement select(db.session);
    select << std::string(kSelect) + "WHERE u.id = ?", bind(id), now;
    RecordSet rs(select);
    if (rs.rowCount() == 0)
        return std::nullopt;
    return userAt(rs, 0);
}

std::vector<UserRecord> UserRepository::list() const {
    Lease db(db_);
    Statement select(db.session);
    select << std::string(kSelect) + "ORDER BY u.username", now;
    RecordSet rs(select);
    std::vector<UserRecord> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(userAt(rs, row));
    return out;
}

void UserRepository::setPassword(std::int64_t id, const std::string& hash) {
    Lease db(db_);
    db.session << "UPDATE app_user SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                  "WHERE id = ?",
        bind(hash), bind(id), now;
}

void UserRepository::setDisabled(std::int64_t id, bool disabled) {
    Lease db(db_);
    const int flag = disabled ? 1 : 0;
    db.session << "UPDATE app_user SET disabled = ? WHERE id = ?", bind(flag), bind(id), now;
}

void UserRepository::recordFailure(std::int64_t id, int failures, const std::string& lockedUntil) {
    Lease db(db_);
    db.session << "UPDATE app_user SET failed_logins = ?, locked_until = NULLIF(?, '') WHERE id = ?",
        bind(failures), bind(lockedUntil), bind(id), now;
}

void UserRepository::recordSuccess(std::int64_t id) {
    Lease db(db_);
    db.session << "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = ?",
        bind(id), now;
}

void UserRepository::addSession(std::int64_t userId, const std::string& tokenSha256,
                                const std::string& csrf, Timestamp expires, Timestamp at) {
    Lease db(db_);
    const std::string expiresAt = formatTimestamp(expires), stamp = formatTimestamp(at);
    db.session << "INSERT INTO web_session (token_sha256, user_id, csrf, expires_at, created_at) "
                  "VALUES (?, ?, ?, ?, ?)",
        bind(tokenSha256), bind(userId), bind(csrf), bind(expiresAt), bind(stamp), now;
}

std::optional<std::pair<std::int64_t, std::string>> UserRepository::session(
    const std::string& tokenSha256, Timestamp at) const {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    Statement select(db.session);
    select << "SELECT s.user_id, s.csrf FROM web_session s JOIN app_user u ON u.id = s.user_id "
              "WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.disabled = 0",
        bind(tokenSha256), bind(stamp), now;
    RecordSet rs(select);
    if (rs.rowCount() == 0)
        return std::nullopt;
    return std::make_pair(integerAt(rs, 0, 0), textAt(rs, 0, 1));
}

void UserRepository::endSession(const std::string& tokenSha256) {
    Lease db(db_);
    db.session << "DELETE FROM web_session WHERE token_sha256 = ?", bind(tokenSha256), now;
}

void UserRepository::endSessionsOf(std::int64_t userId) {
    Lease db(db_);
    db.session << "DELETE FROM web_session WHERE user_id = ?", bind(userId), now;
}

void UserRepository::addApiToken(std::int64_t userId, const std::string& tokenSha256,
                                 Timestamp at) {
    Lease db(db_);
    const std::string stamp = formatTimestamp(at);
    db.session << "INSERT INTO api_token (token_sha256, user_id, created_at) VALUES (?, ?, ?)",
        bind(tokenSha256), bind(userId), bind(stamp), now;
}

std::optional<std::int64_t> UserRepository::apiTokenUser(const std::string& tokenSha256) const {
    Lease db(db_);
    std::vector<std::int64_t> found;
    db.session << "SELECT t.user_id FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE "
                  "t.token_sha256 = ? AND u.disabled = 0",
        bind(tokenSha256), into(found), now;
    return found.empty() ? std::nullopt : std::optional<std::int64_t>(found.front());
}

}  // namespace avtaleflyt::storage
