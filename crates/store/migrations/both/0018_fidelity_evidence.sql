-- Issue 26: what the IPS fidelity review needs that was not recorded: where
-- a contact was held (community-based services), whether a job pays at least
-- the minimum wage and is open to anyone (competitive jobs), and why a job
-- ended (follow-along).
ALTER TABLE contacts ADD COLUMN location TEXT;
ALTER TABLE jobs ADD COLUMN pays_minimum_wage INTEGER CHECK (pays_minimum_wage IN (0, 1));
ALTER TABLE jobs ADD COLUMN open_to_anyone INTEGER CHECK (open_to_anyone IN (0, 1));
ALTER TABLE jobs ADD COLUMN end_reason TEXT;
