-- Secrets every server of the installation shares, made once by whichever asks first: the keys
-- of the CSRF tokens in the signing portal's and the sign-in page's forms, so that a form shown
-- by one server (or before a restart) is accepted by another. Never in an export or a log.
CREATE TABLE installation_secret (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
