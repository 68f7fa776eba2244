-- Idempotent submissions (issue 10): each data-entry form carries a one-time
-- token; a write records it in the same transaction, so a request sent again
-- (after a time-out, a crash, a double click) is applied once. Tokens older
-- than two days are dropped as writes go.
CREATE TABLE form_tokens (
    token TEXT PRIMARY KEY,
    referral_id TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX form_tokens_at ON form_tokens (at);
