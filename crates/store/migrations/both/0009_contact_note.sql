-- Issue 13: a short note on each contact (what happened, next step).
-- Personal data: never logged; kept with the contact.
ALTER TABLE contacts ADD COLUMN note TEXT;
