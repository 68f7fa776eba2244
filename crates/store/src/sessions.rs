//! Web sessions and the sign-in lock-out.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Result, Role, Store, StoreError, User};

/// Failed sign-ins in a row before an account is locked for a while.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a locked account waits, in minutes.
pub const LOCK_MINUTES: i64 = 15;

/// A random token, hex-encoded (32 bytes from the operating system).
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex::encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A signed-in user and the CSRF token of their session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// Why a sign-in failed (the message never says whether the user exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    Ok { token: String, session: Session },
    Refused,
    Locked,
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

impl Store {
    /// Checks a password, counting failures; five in a row lock the account
    /// for 15 minutes. On success a session is created.
    pub async fn sign_in(&self, username: &str, password: &str, hours: i64) -> Result<SignIn> {
        let row = sqlx::query("SELECT locked_until FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.read)
            .await?;
        if let Some(row) = &row {
            let locked: Option<String> = row.try_get("locked_until")?;
            if locked.is_some_and(|until| until > now().to_string()) {
                return Ok(SignIn::Locked);
            }
        }
        let Some(user) = self.verify_password(username, password).await? else {
            if row.is_some() {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE username = $1",
                )
                .bind(username)
                .execute(&mut *tx)
                .await?;
                let until = (now() + jiff::SignedDuration::from_mins(LOCK_MINUTES)).to_string();
                sqlx::query(
                    "UPDATE users SET locked_until = $1, failed_sign_ins = 0 WHERE username = $2 AND failed_sign_ins >= $3",
                )
                .bind(until)
                .bind(username)
                .bind(MAX_FAILED_SIGN_INS)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            return Ok(SignIn::Refused);
        };
        let token = random_token();
        let csrf = random_token();
        let expires = now() + jiff::SignedDuration::from_hours(hours);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE username = $1",
        )
        .bind(username)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(username)
            .bind(&csrf)
            .bind(now().to_string())
            .bind(expires.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(SignIn::Ok {
            token,
            session: Session { user, csrf },
        })
    }

    /// A token for scripts (`Authorization: Bearer …`) of an enabled user,
    /// valid for `days` days; like a session, it is stored only as a hash.
    pub async fn issue_token(&self, username: &str, days: i64, actor: &str) -> Result<String> {
        let user = self
            .users()
            .await?
            .into_iter()
            .find(|u| u.username == username && !u.disabled);
        if user.is_none() {
            return Err(StoreError::Refused(format!(
                "user {username} does not exist or is disabled"
            )));
        }
        let token = random_token();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash(&token))
            .bind(username)
            .bind(random_token())
            .bind(now().to_string())
            .bind((now() + jiff::SignedDuration::from_hours(24 * days)).to_string())
            .execute(&mut *tx)
            .await?;
        crate::records::write_audit(
            &mut tx,
            actor,
            vec![crate::records::AuditRow {
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
        if expires <= now().to_string() {
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

    /// Changes one's own password, checking the current one; other sessions end.
    pub async fn change_password(&self, username: &str, current: &str, new: &str) -> Result<bool> {
        if self.verify_password(username, current).await?.is_none() {
            return Ok(false);
        }
        self.reset_password(username, new, username).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}
