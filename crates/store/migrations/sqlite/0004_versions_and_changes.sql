-- Row-level writes (issue 10): each referral carries a version, counted up by
-- every change to it, so an edit made from a page that showed an older version
-- is refused rather than written over; and every write adds to the change
-- sequence, so a server notices writes it did not make (another server, a CLI
-- import) and loads only the referrals they changed. A change with no referral
-- (service, policy, teams, staff, clients) asks for a whole reload.
ALTER TABLE referrals ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    referral_id TEXT,
    at TEXT NOT NULL
);
