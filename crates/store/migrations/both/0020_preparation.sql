-- Issue 26: what the IPS fidelity review's work incentives planning and
-- disclosure items need, and the job preferences on the vocational plan:
-- the day a better-off calculation was offered, the person's disclosure
-- choice (full, partial, none) with the day it was discussed, and the kind
-- of work the person wants.
ALTER TABLE referrals ADD COLUMN better_off_date TEXT;
ALTER TABLE referrals ADD COLUMN disclosure_choice TEXT;
ALTER TABLE referrals ADD COLUMN disclosure_date TEXT;
ALTER TABLE referrals ADD COLUMN plan_job_preferences TEXT;
