-- Issue 13 (formats.md revision 2): who a client is. Every field optional;
-- codes as the NHS Data Dictionary gives them.
ALTER TABLE clients ADD COLUMN given_name TEXT;
ALTER TABLE clients ADD COLUMN family_name TEXT;
ALTER TABLE clients ADD COLUMN date_of_birth TEXT;
ALTER TABLE clients ADD COLUMN phone TEXT;
ALTER TABLE clients ADD COLUMN postcode TEXT;
ALTER TABLE clients ADD COLUMN gender TEXT;
ALTER TABLE clients ADD COLUMN ethnic_category TEXT;
