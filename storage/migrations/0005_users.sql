-- People who sign in to the dashboard, their sessions, and API tokens for integrations.

CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('network_leader', 'area_leader', 'records_office')),
    network_id    INTEGER NOT NULL REFERENCES network (id),
    area          TEXT NOT NULL DEFAULT '',  -- an area leader's area
    password_hash TEXT NOT NULL,             -- scrypt$N$r$p$SALT$HASH (hex)
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE web_session (
    id           INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,  -- the cookie's token is never stored
    user_id      INTEGER NOT NULL REFERENCES app_user (id),
    csrf         TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES app_user (id),
    created_at   TEXT NOT NULL
);
