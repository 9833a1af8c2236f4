-- When each case was last sent for signing (the send or resend step), so that reports and the
-- dashboard count outstanding and overdue signatures with a query instead of reading the audit
-- log case by case. Filled in from the audit log for cases sent before this version.

ALTER TABLE case_file ADD COLUMN sent_at TEXT;

UPDATE case_file SET sent_at = (
    SELECT MAX(e.occurred_at) FROM audit_event e
    WHERE e.subject = case_file.reference AND e.kind IN ('case.send', 'case.resend'));

CREATE INDEX signature_request_open ON signature_request (status, case_id);
CREATE INDEX case_file_network_sent ON case_file (network_id, sent_at);
