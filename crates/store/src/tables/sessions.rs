//! The sessions table: web sessions and API tokens, each stored only as the
//! hash of its token.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::audit::{AuditRow, write_audit};
use crate::{Result, Role, Store, StoreError, User, WriteTx};

/// The longest an API token lives, in days.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// A random token, hex-encoded (32 bytes from the operating system).
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex::encode(bytes)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A signed-in user and the CSRF token of their session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Stores a new session (or API token) of `username` until `expires`.
pub(crate) async fn insert(
    tx: &mut WriteTx,
    token: &str,
    username: &str,
    csrf: &str,
    expires: jiff::Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash(token))
        .bind(username)
        .bind(csrf)
        .bind(now().to_string())
        .bind(expires.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// A token for scripts (`Authorization: Bearer …`) of an enabled user,
    /// valid for `days` days (1 to [`MAX_TOKEN_DAYS`]); like a session, it is
    /// stored only as a hash.
    pub async fn issue_token(&self, username: &str, days: i64, actor: &str) -> Result<String> {
        if !(1..=MAX_TOKEN_DAYS).contains(&days) {
            return Err(StoreError::NotAllowed(format!(
                "a token lasts 1 to {MAX_TOKEN_DAYS} days, not {days}"
            )));
        }
        let user = self
            .users()
            .await?
            .into_iter()
            .find(|u| u.username == username);
        match user {
            None => return Err(StoreError::NotFound(format!("user {username}"))),
            Some(u) if u.disabled => {
                return Err(StoreError::NotAllowed(format!(
                    "user {username} is disabled"
                )));
            }
            Some(_) => {}
        }
        let token = random_token();
        let mut tx = self.begin_write().await?;
        let expires = now() + jiff::SignedDuration::from_hours(24 * days);
        insert(&mut tx, &token, username, &random_token(), expires).await?;
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "insert",
                record_type: "api_token",
                record_id: username.to_string(),
                old: None,
                new: Some(format!("{{\"days\":{days}}}")),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The session of a token, if it exists, has not expired and its user is enabled.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.username, u.role, u.staff_id, s.csrf, s.expires_at FROM sessions s \
             JOIN users u ON u.username = s.username WHERE s.token_hash = $1 AND u.disabled = 0",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: String = row.try_get("expires_at")?;
        let expires: jiff::Timestamp = expires
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("session expiry: {e}")))?;
        if expires <= now() {
            return Ok(None);
        }
        let role: String = row.try_get("role")?;
        Ok(Some(Session {
            user: User {
                username: row.try_get("username")?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
                staff_id: row.try_get("staff_id")?,
                disabled: false,
            },
            csrf: row.try_get("csrf")?,
        }))
    }

    /// Ends a session (sign-out).
    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Ends every session and API token of a user but the one of `keep`.
pub(crate) async fn end_sessions(
    tx: &mut WriteTx,
    username: &str,
    keep: Option<&str>,
) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE username = $1 AND token_hash <> $2")
        .bind(username)
        .bind(keep.map(token_hash).unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
