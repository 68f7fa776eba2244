-- Issue 23 (ERR-1): a referral entered by mistake is marked, with the day,
-- the reason and who marked it, instead of being deleted: it stays stored
-- and audited, is left out of every figure and can be restored (the three
-- columns cleared). All three are set together or none is.
ALTER TABLE referrals ADD COLUMN error_date TEXT;
ALTER TABLE referrals ADD COLUMN error_reason TEXT;
ALTER TABLE referrals ADD COLUMN error_by TEXT;
