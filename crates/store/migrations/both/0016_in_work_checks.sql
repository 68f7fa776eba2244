-- Rules revision 3 (issue 22). In-work checks (SUS-6): dated confirmations
-- that the person is still in work, with their source and an optional note
-- (personal data: never logged). Who agreed a team decision (ENG-3): a JSON
-- array of names or staff ids.
CREATE TABLE in_work_checks (
    referral_id TEXT NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    date TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('payslip', 'employer', 'client', 'other')),
    note TEXT,
    PRIMARY KEY (referral_id, position)
);
ALTER TABLE decisions ADD COLUMN agreed_by TEXT;
