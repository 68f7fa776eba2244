-- Issue 21: a client entered with an NHS number that a client outside the
-- enterer's scope already has is kept apart, as a possible duplicate of
-- that client, until a manager merges the two (the enterer is never told).
ALTER TABLE clients ADD COLUMN possible_duplicate_of TEXT;
