-- Issue 20 (BAD-1, revision 3): an NHS number is kept as its ten digits, as
-- core reads it (spaces people type between its groups left out), so that a
-- write compares numbers as equal text and never stores a second client
-- with a number the loader would find twice.
UPDATE clients SET nhs_number = REPLACE(TRIM(nhs_number), ' ', '') WHERE nhs_number IS NOT NULL;
UPDATE clients SET nhs_number = NULL WHERE nhs_number = '';
