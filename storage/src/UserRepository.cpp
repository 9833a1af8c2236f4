#include "avtaleflyt/storage/UserRepository.h"

#include "DatabaseImpl.h"

namespace avtaleflyt::storage {
namespace {

const std::string kSelect =
    "SELECT u.id, u.username, u.name, u.role, n.name, u.area, u.password_hash, u.network_id, "
    "u.disabled, u.failed_logins, u.locked_until FROM app_user u JOIN network n ON n.id = "
    "u.network_id ";

// The columns of kSelect, of the row `q` is on.
UserRecord userFrom(const Query& q) {
    UserRecord u;
    u.id = q.integer(0);
    u.username = q.text(1);
    u.name = q.text(2);
    u.role = q.text(3);
    u.network = q.text(4);
    u.area = q.text(5);
    u.passwordHash = q.text(6);
    u.networkId = q.integer(7);
    u.disabled = q.integer(8) != 0;
    u.failedLogins = static_cast<int>(q.integer(9));
    u.lockedUntil = q.text(10);
    return u;
}

std::optional<UserRecord> oneUser(Query& select) {
    if (!select.step())
        return std::nullopt;
    return userFrom(select);
}

}  // namespace

void UserRepository::add(const UserRecord& u, Timestamp at) {
    Lease db(db_);
    try {
        Query(db,
              "INSERT INTO app_user (username, name, role, network_id, area, password_hash, "
              "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(1, u.username)
            .bind(2, u.name)
            .bind(3, u.role)
            .bind(4, u.networkId)
            .bind(5, u.area)
            .bind(6, u.passwordHash)
            .bind(7, formatTimestamp(at))
            .run();
    } catch (const AlreadyExists&) {
        throw AlreadyExists("the user name \"" + u.username + "\" is taken");
    }
}

std::optional<UserRecord> UserRepository::find(const std::string& username) const {
    static const std::string sql = kSelect + "WHERE u.username = $1";
    Lease db(db_);
    Query select(db, sql.c_str());
    select.bind(1, username);
    return oneUser(select);
}

std::optional<UserRecord> UserRepository::byId(std::int64_t id) const {
    static const std::string sql = kSelect + "WHERE u.id = $1";
    Lease db(db_);
    Query select(db, sql.c_str());
    select.bind(1, id);
    return oneUser(select);
}

std::vector<UserRecord> UserRepository::list() const {
    static const std::string sql = kSelect + "ORDER BY u.username";
    Lease db(db_);
    Query select(db, sql.c_str());
    std::vector<UserRecord> out;
    while (select.step()) out.push_back(userFrom(select));
    return out;
}

std::string UserRepository::secret(const std::string& name, const std::string& candidate) {
    Lease db(db_);
    Query(db, "INSERT INTO installation_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) "
              "DO NOTHING")
        .bind(1, name)
        .bind(2, candidate)
        .run();
    Query select(db, "SELECT value FROM installation_secret WHERE name = $1");
    if (!select.bind(1, name).step())
        throw StorageError(db.name + ": no secret " + name);
    return select.text(0);
}

void UserRepository::setPassword(std::int64_t id, const std::string& hash) {
    Lease db(db_);
    Query(db,
          "UPDATE app_user SET password_hash = $1, failed_logins = 0, locked_until = NULL "
          "WHERE id = $2")
        .bind(1, hash)
        .bind(2, id)
        .run();
}

void UserRepository::setDisabled(std::int64_t id, bool disabled) {
    Lease db(db_);
    Query(db, "UPDATE app_user SET disabled = $1 WHERE id = $2")
        .bind(1, disabled ? 1 : 0)
        .bind(2, id)
        .run();
}

void UserRepository::recordFailure(std::int64_t id, int failures, const std::string& lockedUntil) {
    Lease db(db_);
    Query(db, "UPDATE app_user SET failed_logins = $1, locked_until = NULLIF($2, '') WHERE id = $3")
        .bind(1, failures)
        .bind(2, lockedUntil)
        .bind(3, id)
        .run();
}

void UserRepository::recordSuccess(std::int64_t id) {
    Lease db(db_);
    Query(db, "UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(1, id)
        .run();
}

void UserRepository::addSession(std::int64_t userId, const std::string& tokenSha256,
                                const std::string& csrf, Timestamp expires, Timestamp at) {
    Lease db(db_);
    Query(db,
          "INSERT INTO web_session (token_sha256, user_id, csrf, expires_at, created_at) "
          "VALUES ($1, $2, $3, $4, $5)")
        .bind(1, tokenSha256)
        .bind(2, userId)
        .bind(3, csrf)
        .bind(4, formatTimestamp(expires))
        .bind(5, formatTimestamp(at))
        .run();
}

std::optional<std::pair<std::int64_t, std::string>> UserRepository::session(
    const std::string& tokenSha256, Timestamp at) const {
    Lease db(db_);
    Query select(db,
                 "SELECT s.user_id, s.csrf FROM web_session s JOIN app_user u ON u.id = s.user_id "
                 "WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.disabled = 0");
    if (!select.bind(1, tokenSha256).bind(2, formatTimestamp(at)).step())
        return std::nullopt;
    return std::make_pair(select.integer(0), select.text(1));
}

void UserRepository::endSession(const std::string& tokenSha256) {
    Lease db(db_);
    Query(db, "DELETE FROM web_session WHERE token_sha256 = $1").bind(1, tokenSha256).run();
}

void UserRepository::endSessionsOf(std::int64_t userId) {
    Lease db(db_);
    Query(db, "DELETE FROM web_session WHERE user_id = $1").bind(1, userId).run();
}

void UserRepository::addApiToken(std::int64_t userId, const std::string& tokenSha256,
                                 Timestamp at) {
    Lease db(db_);
    Query(db, "INSERT INTO api_token (token_sha256, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(1, tokenSha256)
        .bind(2, userId)
        .bind(3, formatTimestamp(at))
        .run();
}

std::optional<std::int64_t> UserRepository::apiTokenUser(const std::string& tokenSha256) const {
    Lease db(db_);
    Query select(db,
                 "SELECT t.user_id FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE "
                 "t.token_sha256 = $1 AND u.disabled = 0");
    if (!select.bind(1, tokenSha256).step())
        return std::nullopt;
    return select.integer(0);
}

}  // namespace avtaleflyt::storage
