-- The PDFs of a case: the document sent for signing, the final sealed one, and the scans of
-- paper signatures.
CREATE TABLE case_document (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES case_file (id),
    kind       TEXT NOT NULL CHECK (kind IN ('sent', 'final', 'scan')),
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_document_case ON case_document (case_id, kind);
