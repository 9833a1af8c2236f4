-- Cases (one function description or agreement revision or record each), their signature
-- requests, running timers, and the actions their steps asked for.

CREATE TABLE case_file (
    id                INTEGER PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,          -- PREFIX-YEAR-NNNN
    network_id        INTEGER NOT NULL REFERENCES network (id),
    workflow          TEXT NOT NULL,
    template          TEXT NOT NULL DEFAULT '',
    template_version  INTEGER NOT NULL DEFAULT 0,
    title             TEXT NOT NULL,
    series            TEXT NOT NULL DEFAULT '',      -- revisions of one agreement share it
    subject_person_id INTEGER REFERENCES person (id), -- the nurse of a function description
    area              TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,    -- +1 on every step (optimistic locking)
    deadline          TEXT,
    approval_body     TEXT NOT NULL DEFAULT '',
    approval_date     TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
        records_reference TEXT NOT NULL DEFAULT '',      -- the records system's number, once archived
    printed_at        TEXT,                          -- when it went into an area's print batch
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX case_file_subject ON case_file (subject_person_id);
CREATE INDEX case_file_network_state ON case_file (network_id, state);

CREATE TABLE signature_request (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES case_file (id),
    role         TEXT NOT NULL,
    person_id    INTEGER NOT NULL REFERENCES person (id),
    organisation TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('waiting', 'open', 'signed', 'declined', 'void')),
    signed_at    TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX signature_request_case ON signature_request (case_id);

CREATE TABLE case_timer (
    case_id   INTEGER NOT NULL REFERENCES case_file (id),
    name      TEXT NOT NULL,
    due_at    TEXT NOT NULL,
    fired     INTEGER NOT NULL DEFAULT 0,
    paused_at TEXT,
    PRIMARY KEY (case_id, name)
);
CREATE INDEX case_timer_due ON case_timer (due_at);

-- What steps asked of rendering, mail, sealing and archiving, queued in the step's transaction.
CREATE TABLE case_action (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES case_file (id),
    action     TEXT NOT NULL,
    recipients TEXT NOT NULL DEFAULT '',  -- e-mail addresses, separated by ' '
    created_at TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'queued'
);
CREATE INDEX case_action_case ON case_action (case_id);

CREATE TABLE case_counter (
    prefix TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);
