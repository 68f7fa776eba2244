-- ipstrack schema, version 1 (SQLite). Dates are ISO text (YYYY-MM-DD), hours
-- integer hundredths, FTE integer ten-thousandths: exact and portable.
-- Checks mirror BAD-1 of rules.md; the engine validates everything before a write.

CREATE TABLE service (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    start_date TEXT NOT NULL CHECK (start_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    policy TEXT
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    position INTEGER NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('es', 'team_lead', 'manager', 'admin')),
    team_id TEXT NOT NULL REFERENCES teams (id),
    start_date TEXT NOT NULL,
    end_date TEXT CHECK (end_date IS NULL OR end_date >= start_date),
    fte INTEGER NOT NULL CHECK (fte > 0 AND fte <= 10000)
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    position INTEGER NOT NULL,
    nhs_number TEXT
);

CREATE TABLE referrals (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    position INTEGER NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id),
    received TEXT NOT NULL,
    status_at_referral TEXT NOT NULL CHECK (status_at_referral IN ('unemployed', 'employed')),
    es_id TEXT REFERENCES staff (id),
    access TEXT CHECK (access IS NULL OR access >= received),
    plan_start TEXT,
    plan_end TEXT CHECK (plan_end IS NULL OR (plan_start IS NOT NULL AND plan_end >= plan_start)),
    discharge_date TEXT CHECK (discharge_date IS NULL OR discharge_date >= received),
    discharge_reason TEXT
);
CREATE INDEX referrals_client ON referrals (client_id);
CREATE INDEX referrals_es ON referrals (es_id);
CREATE INDEX referrals_received ON referrals (received);

CREATE TABLE transfers (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    date TEXT NOT NULL,
    es_id TEXT NOT NULL REFERENCES staff (id),
    PRIMARY KEY (referral_id, position)
);
CREATE INDEX transfers_es ON transfers (es_id);

CREATE TABLE contacts (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('face_to_face', 'remote', 'in_work_support', 'assertive_engagement')),
    PRIMARY KEY (referral_id, position)
);

CREATE TABLE holds (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT CHECK (end_date IS NULL OR end_date >= start_date),
    PRIMARY KEY (referral_id, position)
);

CREATE TABLE waiting_list (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT CHECK (end_date IS NULL OR end_date >= start_date),
    expected_return TEXT,
    PRIMARY KEY (referral_id, position)
);

CREATE TABLE engagement (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('seeking_work', 'in_work_support', 'not_seeking_work')),
    PRIMARY KEY (referral_id, position)
);

CREATE TABLE decisions (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT CHECK (end_date IS NULL OR end_date >= start_date),
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    reason TEXT,
    PRIMARY KEY (referral_id, position)
);

CREATE TABLE jobs (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    id TEXT NOT NULL CHECK (id <> ''),
    type TEXT NOT NULL CHECK (type IN ('employee', 'zero_hours', 'self_employed', 'apprenticeship', 'paid_placement')),
    employer TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT CHECK (end_date IS NULL OR end_date >= start_date),
    hours_per_week INTEGER CHECK (hours_per_week IS NULL OR (hours_per_week >= 0 AND hours_per_week <= 16800)),
    weekly_hours TEXT,
    four_hours_confirmed TEXT CHECK (four_hours_confirmed IS NULL OR four_hours_confirmed >= start_date),
    self_employment_registration TEXT CHECK (self_employment_registration IN ('sole_trader', 'company')),
    retained INTEGER NOT NULL CHECK (retained IN (0, 1)),
    return_to_work TEXT,
    PRIMARY KEY (referral_id, position),
    UNIQUE (referral_id, id)
);

-- Every insert, update and delete of case data: who, when, what, old and new.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_log_record ON audit_log (record_id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE users (
    username TEXT PRIMARY KEY CHECK (username <> ''),
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('es', 'team_lead', 'manager', 'admin')),
    staff_id TEXT REFERENCES staff (id),
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL
);

-- Submitted returns: frozen reports, never changed.
CREATE TABLE submissions (
    period_label TEXT PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    as_of TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    report TEXT NOT NULL
);
CREATE TRIGGER submissions_no_update BEFORE UPDATE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is never changed');
END;
CREATE TRIGGER submissions_no_delete BEFORE DELETE ON submissions
BEGIN
    SELECT RAISE(ABORT, 'a submitted return is never changed');
END;
