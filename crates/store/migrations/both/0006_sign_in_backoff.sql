-- Sign-in backoff (issue 11), replacing the account lock-out of 0002 (the
-- columns users.failed_sign_ins and users.locked_until are no longer used).
-- Times are whole seconds since 1970-01-01 UTC.
--
-- One row per (username as typed, source address) with recent attempts; the
-- address '*' is the account's row across every address. A password check is
-- reserved here (checks + 1) before it runs, in the write transaction, so
-- parallel attempts and several servers on one database share the limit.
-- Rows idle for an hour and not waiting are dropped as attempts go.
CREATE TABLE sign_in_gates (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    -- Password checks in the current round.
    checks BIGINT NOT NULL DEFAULT 0,
    -- When the round's counting window began (0: at the next check).
    window_start BIGINT NOT NULL DEFAULT 0,
    -- Rounds filled so far: each one doubles the next wait.
    strikes BIGINT NOT NULL DEFAULT 0,
    -- No check before this time.
    wait_until BIGINT NOT NULL DEFAULT 0,
    -- The last check reserved.
    last_at BIGINT NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX sign_in_gates_last_at ON sign_in_gates (last_at);

-- Each failed password check (sign-in or the current password when changing
-- it), kept for a day: the users page tells an admin about them.
CREATE TABLE sign_in_failures (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_username_at ON sign_in_failures (username, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
