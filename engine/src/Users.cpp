// Dashboard users: accounts with scrypt password hashes, sign-in with lock-out, sessions and
// API tokens. Every change is an audit event.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "Core.h"
#include "avtaleflyt/domain/Text.h"

namespace avtaleflyt::engine {
namespace {

// scrypt parameters: 32 MiB and ~0.1 s a hash on this class of machine (memory-hard).
constexpr std::uint64_t kScryptN = 1u << 15;
constexpr std::uint64_t kScryptR = 8, kScryptP = 1;
constexpr std::size_t kHashBytes = 32;

std::string hexOf(const std::string& bytes) {
    return text::hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string scrypt(const std::string& password, const std::string& salt, std::uint64_t n,
                   std::uint64_t r, std::uint64_t p) {
    std::string key(kHashBytes, '\0');
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                       64u << 20, reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1)
        throw EngineError("cannot hash the password (scrypt)");
    return key;
}

// "scrypt$N$r$p$SALT$HASH", `salt` 16 random bytes.
std::string hashPassword(const std::string& password, const std::string& salt) {
    return "scrypt$" + std::to_string(kScryptN) + "$" + std::to_string(kScryptR) + "$" +
           std::to_string(kScryptP) + "$" + hexOf(salt) + "$" +
           hexOf(scrypt(password, salt, kScryptN, kScryptR, kScryptP));
}

bool passwordMatches(const std::string& password, const std::string& stored) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = stored.find('$', start)) != std::string::npos; start = at + 1)
        parts.push_back(stored.substr(start, at - start));
    parts.push_back(stored.substr(start));
    if (parts.size() != 6 || parts[0] != "scrypt")
        return false;
    const auto expected = text::fromHex(parts[5]);
    const auto salt = text::fromHex(parts[4]);
    if (!expected || !salt)
        return false;
    const std::string actual = scrypt(password, *salt, std::stoull(parts[1]),
                                      std::stoull(parts[2]), std::stoull(parts[3]));
    return expected->size() == actual.size() &&
           CRYPTO_memcmp(expected->data(), actual.data(), actual.size()) == 0;
}

void checkPassword(const std::string& password) {
    if (password.size() < Users::kMinPasswordLength)
        throw EngineError("the password is too short: at least " +
                          std::to_string(Users::kMinPasswordLength) + " characters");
}

WebUser viewOf(const storage::UserRecord& u) {
    return {u.id, u.username, u.name, u.role, u.network, u.area, u.disabled};
}

}  // namespace

void Users::add(const Actor& by, const std::string& username, const std::string& name,
                           const std::string& role, const std::string& network,
                           const std::string& area, const std::string& password) const {
    const Acting acting(by);
    guarded([&] {
        auto& st = core_;
        if (username.empty() || username.find_first_of(" \t\r\n") != std::string::npos)
            throw EngineError("a user name is one word, not \"" + username + "\"");
        if (role != "network_leader" && role != "area_leader" && role != "records_office")
            throw EngineError("the role is network_leader, area_leader or records_office, not \"" +
                              role + "\"");
        checkPassword(password);
        const auto record = st.networkRecord(network);
        std::string userArea;
        if (role == "area_leader") {
            if (area.empty())
                throw EngineError("an area leader needs --area");
            userArea = st.area(record, area);
        } else if (!area.empty()) {
            throw EngineError("only an area leader has an area");
        }
        const std::string hash = hashPassword(password, st.randomBytes(16));
        storage::Transaction tx(st.db);
        storage::UserRecord u;
        u.username = username;
        u.name = name.empty() ? username : name;
        u.role = role;
        u.networkId = record.id;
        u.area = userArea;
        u.passwordHash = hash;
        st.userRecords.add(u, st.clock.now());
        st.record("user.added", "user:" + username,
                  {{"name", u.name}, {"role", role}, {"network", record.name}, {"area", userArea}});
        tx.commit();
    });
}

std::string Users::formSecret(const std::string& purpose) const {
    return guarded([&] {
        auto& st = core_;
        storage::Transaction tx(st.db);
        const std::string secret = st.userRecords.secret("form." + purpose, st.randomHex(32));
        tx.commit();
        return secret;
    });
}

void Users::setPassword(const Actor& by, const std::string& username, const std::string& password) const {
    const Acting acting(by);
    guarded([&] {
        auto& st = core_;
        checkPassword(password);
        const auto u = st.userRecords.find(username);
        if (!u)
            throw EngineError("no user \"" + username + "\"");
        const std::string hash = hashPassword(password, st.randomBytes(16));
        storage::Transaction tx(st.db);
        st.userRecords.setPassword(u->id, hash);
        st.userRecords.endSessionsOf(u->id);
        st.record("user.password_changed", "user:" + u->username, {});
        tx.commit();
    });
}

void Users::disable(const Actor& by, const std::string& username) const {
    const Acting acting(by);
    guarded([&] {
        auto& st = core_;
        const auto u = st.userRecords.find(username);
        if (!u)
            throw EngineError("no user \"" + username + "\"");
        storage::Transaction tx(st.db);
        st.userRecords.setDisabled(u->id, true);
        st.userRecords.endSessionsOf(u->id);
        st.record("user.disabled", "user:" + u->username, {});
        tx.commit();
    });
}

std::vector<WebUser> Users::list() const {
    return guarded([&] {
        std::vector<WebUser> out;
        for (const auto& u : core_.userRecords.list()) out.push_back(viewOf(u));
        return out;
    });
}

SignIn Users::signIn(const Actor& by, const std::string& username, const std::string& password) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        const Timestamp now = st.clock.now();
        SignIn result;
        result.refusal = "wrong user name or password";
        const auto u = st.userRecords.find(username);
        // An unknown user costs one hash too, as a known one does, so the time taken does not
        // tell which names exist: checked against a hash no password matches, made once.
        static const std::string nobody = hashPassword(st.randomHex(32), st.randomBytes(16));
        const bool matches = passwordMatches(password, u ? u->passwordHash : nobody);
        storage::Transaction tx(st.db);
        if (!u || u->disabled) {
            st.record("user.sign_in_failed", "user:" + username, {{"why", u ? "disabled" : "unknown"}});
            tx.commit();
            return result;
        }
        if (!u->lockedUntil.empty() && u->lockedUntil > formatTimestamp(now)) {
            result.refusal = "too many failed attempts: locked until " + u->lockedUntil;
            st.record("user.sign_in_failed", "user:" + u->username, {{"why", "locked"}});
            tx.commit();
            return result;
        }
        if (!matches) {
            const int failures = u->failedLogins + 1;
            const std::string lock =
                failures >= kMaxFailedSignIns
                    ? formatTimestamp(now + std::chrono::minutes(kLockMinutes))
                    : std::string();
            st.userRecords.recordFailure(u->id, lock.empty() ? failures : 0, lock);
            st.record("user.sign_in_failed", "user:" + u->username,
                      {{"why", "password"}, {"locked_until", lock}});
            tx.commit();
            return result;
        }
        st.userRecords.recordSuccess(u->id);
        result.token = st.randomHex(32);
        st.userRecords.addSession(u->id, tokenHash(result.token), st.randomHex(32),
                                  now + std::chrono::hours(kSessionHours), now);
        st.record("user.signed_in", "user:" + u->username, {});
        tx.commit();
        result.ok = true;
        result.refusal.clear();
        result.user = viewOf(*u);
        return result;
    });
}

std::optional<std::pair<WebUser, std::string>> Users::sessionUser(
    const std::string& token) const {
    return guarded([&]() -> std::optional<std::pair<WebUser, std::string>> {
        auto& st = core_;
        const storage::Connection connection(st.db);
        if (token.size() != 64)
            return std::nullopt;
        const auto s = st.userRecords.session(tokenHash(token), st.clock.now());
        if (!s)
            return std::nullopt;
        const auto u = st.userRecords.byId(s->first);
        if (!u)
            return std::nullopt;
        return std::make_pair(viewOf(*u), s->second);
    });
}

void Users::signOut(const std::string& token) const {
    guarded([&] { core_.userRecords.endSession(tokenHash(token)); });
}

std::string Users::createApiToken(const Actor& by, const std::string& username) const {
    const Acting acting(by);
    return guarded([&] {
        auto& st = core_;
        const auto u = st.userRecords.find(username);
        if (!u)
            throw EngineError("no user \"" + username + "\"");
        const std::string token = st.randomHex(32);
        storage::Transaction tx(st.db);
        st.userRecords.addApiToken(u->id, tokenHash(token), st.clock.now());
        st.record("user.api_token_created", "user:" + u->username, {});
        tx.commit();
        return token;
    });
}

std::optional<WebUser> Users::apiUser(const std::string& token) const {
    return guarded([&]() -> std::optional<WebUser> {
        auto& st = core_;
        const storage::Connection connection(st.db);
        if (token.size() != 64)
            return std::nullopt;
        const auto id = st.userRecords.apiTokenUser(tokenHash(token));
        if (!id)
            return std::nullopt;
        const auto u = st.userRecords.byId(*id);
        return u ? std::optional<WebUser>(viewOf(*u)) : std::nullopt;
    });
}

}  // namespace avtaleflyt::engine
