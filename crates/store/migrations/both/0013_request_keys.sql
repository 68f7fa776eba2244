-- Retry keys per user, target and request (issue 20). A write sent with a
-- key (a form's one-time token, an API request's Idempotency-Key) records
-- it in the same transaction: who sent it, what it was for (the referral
-- and the kind of write, or a new referral), a hash of the request (method,
-- path, body as parsed) and the referral it wrote. The same key from the
-- same user with the same request is a retry, answered with that referral;
-- with another target or request it is refused; another user's key of the
-- same text is another key. Form tokens and API keys are kept apart
-- (`kind`), so that one cannot be made to match the other. The key itself
-- is kept as its SHA-256. Keys older than two days are dropped as writes go.
--
-- form_tokens (0005) knew neither user nor request: its keys are dropped.
DROP TABLE form_tokens;
CREATE TABLE request_keys (
    kind TEXT NOT NULL CHECK (kind IN ('form', 'api')),
    user_name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    target TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (kind, user_name, key_hash)
);
CREATE INDEX request_keys_at ON request_keys (at);
