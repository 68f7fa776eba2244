-- Issue 13: the ES's contacts with employers (visits, calls, emails), each
-- with its own version so that an edit from an older page is refused. The
-- note is personal data at times: never logged.
CREATE TABLE employer_contacts (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    position INTEGER NOT NULL,
    es_id TEXT NOT NULL REFERENCES staff (id),
    date TEXT NOT NULL,
    employer TEXT NOT NULL CHECK (employer <> ''),
    kind TEXT NOT NULL CHECK (kind IN ('visit', 'call', 'email')),
    note TEXT,
    client_id TEXT REFERENCES clients (id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX employer_contacts_es ON employer_contacts (es_id, date);

-- A change to employer contacts only: a server reloads them, not everything.
ALTER TABLE changes ADD COLUMN employer_contacts INTEGER NOT NULL DEFAULT 0;
