-- Issue 27: signing in with the organisation's account (OpenID Connect).
-- A user is linked to the person's identifier at the provider (the claim
-- that names them, `sub` by default), or, until their first sign-in, to
-- their work e-mail address; each names at most one user.
ALTER TABLE users ADD COLUMN identity_subject TEXT;
ALTER TABLE users ADD COLUMN identity_email TEXT;
CREATE UNIQUE INDEX users_identity_subject ON users (identity_subject);
CREATE UNIQUE INDEX users_identity_email ON users (identity_email);
