-- Mail waiting to go (the outbox, written in the same transaction as the step that caused it),
-- the signing links handed out (only their hashes), and the evidence kept of link signatures.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL UNIQUE,    -- the Message-ID header, the same on every attempt
    case_id         INTEGER REFERENCES case_file (id),
    kind            TEXT NOT NULL,           -- what it says: sign, remind, completed, ...
    recipient       TEXT NOT NULL,           -- e-mail address
    subject         TEXT NOT NULL,
    mime            BLOB NOT NULL,           -- the whole message as it is sent
    status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    server_answer   TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE signing_token (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES signature_request (id),
    token_sha256 TEXT NOT NULL UNIQUE,       -- hex SHA-256 of the link's token; never the token
    expires_at   TEXT NOT NULL,
    used_at      TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX signing_token_request ON signing_token (request_id);

CREATE TABLE signature_evidence (
    request_id  INTEGER PRIMARY KEY REFERENCES signature_request (id),
    ip_address  TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
