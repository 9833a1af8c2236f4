-- Networks, their areas and units, people and their roles in a network, and the audit log.
-- Times are UTC ISO-8601 text ("2026-11-24T16:17:49Z"), dates "2026-11-24".

CREATE TABLE network (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

CREATE TABLE area (
    id         INTEGER PRIMARY KEY,
    network_id INTEGER NOT NULL REFERENCES network (id),
    name       TEXT NOT NULL COLLATE NOCASE,
    position   INTEGER NOT NULL,
    UNIQUE (network_id, name)
);

CREATE TABLE person (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,  -- normalized: trimmed, lower case; the identity
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE unit (
    id           INTEGER PRIMARY KEY,
    area_id      INTEGER NOT NULL REFERENCES area (id),
    name         TEXT NOT NULL,
    municipality TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL,
    UNIQUE (area_id, name, municipality)
);

-- A resource nurse in a network: at one unit, under one nearest leader.
CREATE TABLE membership (
    id           INTEGER PRIMARY KEY,
    network_id   INTEGER NOT NULL REFERENCES network (id),
    person_id    INTEGER NOT NULL REFERENCES person (id),
    unit_id      INTEGER NOT NULL REFERENCES unit (id),
    leader_id    INTEGER REFERENCES person (id),  -- NULL only for a nurse who left without one
    status       TEXT NOT NULL CHECK (status IN ('active', 'leave', 'left')),
    status_since TEXT NOT NULL,
    member_since TEXT NOT NULL,
    UNIQUE (network_id, person_id)
);
CREATE INDEX membership_leader ON membership (leader_id);

CREATE TABLE area_leader (
    area_id   INTEGER PRIMARY KEY REFERENCES area (id),
    person_id INTEGER NOT NULL REFERENCES person (id),
    since     TEXT NOT NULL
);

CREATE TABLE network_leader (
    network_id INTEGER PRIMARY KEY REFERENCES network (id),
    person_id  INTEGER NOT NULL REFERENCES person (id),
    since      TEXT NOT NULL
);

-- The append-only audit log. Each event's hash is the SHA-256 of its fields and of the hash of
-- the event before it (docs/audit-log.md gives the exact encoding).
CREATE TABLE audit_event (
    seq         INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_event_subject ON audit_event (subject);

-- The newest event, kept in the same transaction as each append, so that removing events from
-- the end of the log is detected too.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
