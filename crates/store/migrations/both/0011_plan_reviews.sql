-- Issue 13: a vocational plan's review dates (a JSON array of dates) and
-- whether it was agreed with the clinical team (1 yes, 0 no, NULL not recorded).
ALTER TABLE referrals ADD COLUMN plan_reviews TEXT;
ALTER TABLE referrals ADD COLUMN plan_agreed INTEGER;
