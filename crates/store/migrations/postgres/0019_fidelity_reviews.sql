-- Issue 26: the service's fidelity reviews, each of a team (team_id) or of
-- the whole service (team_id NULL) over a period (T-2's words). Reviewers,
-- items (each item's suggested score, score and note) and actions are the
-- bundle's JSON for them (docs/formats.md), checked by core before every
-- write; each review has its own version so that a change from an older
-- page is refused. Notes are never logged.
CREATE TABLE fidelity_reviews (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    position BIGINT NOT NULL,
    team_id TEXT REFERENCES teams (id),
    period TEXT NOT NULL,
    review_date TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('draft', 'finished')),
    reviewers TEXT NOT NULL,
    items TEXT NOT NULL,
    actions TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX fidelity_reviews_team ON fidelity_reviews (team_id, review_date);

-- A change to the fidelity reviews only: a server reloads them, not everything.
ALTER TABLE changes ADD COLUMN fidelity_reviews INTEGER NOT NULL DEFAULT 0;
