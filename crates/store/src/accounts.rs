//! What changes a user's account across its tables: a new user is linked to
//! a stored staff record; a password set anew or the user disabled ends
//! every session and API token of the user, and a new password forgets
//! their sign-in counts and waits.

use ipstrack_core::model::Role;
use sqlx::Row;

use crate::audit::{AuditRow, write_audit};
use crate::tables::sessions::end_sessions;
use crate::tables::sign_in_gates::clear_gates;
use crate::tables::staff;
use crate::tables::users::{User, change_user, hash_password};
use crate::{Result, Store, StoreError, WriteTx};

impl Store {
    /// Adds a user with an argon2id password hash, linked to a staff record.
    pub async fn add_user(
        &self,
        username: &str,
        password: &str,
        role: Role,
        staff_id: Option<&str>,
        actor: &str,
    ) -> Result<User> {
        if username.trim().is_empty() {
            return Err(StoreError::NotAllowed("a username is needed".into()));
        }
        let hash = hash_password(password)?;
        let mut tx = self.begin_write().await?;
        if let Some(staff) = staff_id
            && staff::read_one(&mut tx, staff).await?.is_none()
        {
            return Err(StoreError::NotAllowed(format!(
                "staff {staff} is not a staff member"
            )));
        }
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT username FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(StoreError::Exists(format!(
                "user {username} already exists"
            )));
        }
        sqlx::query(
            "INSERT INTO users (username, password_hash, role, staff_id, disabled, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(username)
        .bind(&hash)
        .bind(role.as_str())
        .bind(staff_id)
        .bind(jiff::Timestamp::now().to_string())
        .execute(&mut *tx)
        .await?;
        let user = User {
            username: username.into(),
            role,
            staff_id: staff_id.map(str::to_string),
            disabled: false,
        };
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "insert",
                record_type: "user",
                record_id: username.into(),
                old: None,
                new: Some(serde_json::to_string(&user).expect("serialises")),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a new password (an admin, or the CLI): every session and API
    /// token of the user ends, and their sign-in counts and waits are
    /// forgotten.
    pub async fn reset_password(&self, username: &str, password: &str, actor: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let mut tx = self.begin_write().await?;
        change_user(
            &mut tx,
            username,
            actor,
            "UPDATE users SET password_hash = $1 WHERE username = $2",
            Some(hash),
            "password reset",
        )
        .await?;
        end_sessions(&mut tx, username, None).await?;
        clear_gates(&mut tx, username).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables a user (kept for the audit log): every session and API
    /// token of the user ends. Refused: no such user
    /// ([`StoreError::NotFound`]), one already disabled
    /// ([`StoreError::Exists`]), and the last enabled admin
    /// ([`StoreError::NotAllowed`]: nobody could manage users after it).
    pub async fn disable_user(&self, username: &str, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (user, enabled_admins) = account_and_admins(&mut tx, username).await?;
        match user {
            None => return Err(StoreError::NotFound(format!("user {username}"))),
            Some((_, true)) => {
                return Err(StoreError::Exists(format!(
                    "user {username} is already disabled"
                )));
            }
            Some((role, false)) if role == Role::Admin.as_str() && enabled_admins == 1 => {
                return Err(StoreError::NotAllowed(format!(
                    "{username} is the last enabled admin: add another admin first"
                )));
            }
            Some(_) => {}
        }
        change_user(
            &mut tx,
            username,
            actor,
            "UPDATE users SET disabled = 1 WHERE username = $1",
            None,
            "disabled",
        )
        .await?;
        end_sessions(&mut tx, username, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lets a disabled user sign in again (with the password they had; an
    /// admin resets it if need be). Refused: no such user
    /// ([`StoreError::NotFound`]), one not disabled ([`StoreError::Exists`]).
    pub async fn enable_user(&self, username: &str, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match account_and_admins(&mut tx, username).await?.0 {
            None => return Err(StoreError::NotFound(format!("user {username}"))),
            Some((_, false)) => {
                return Err(StoreError::Exists(format!(
                    "user {username} is not disabled: they can already sign in"
                )));
            }
            Some(_) => {}
        }
        change_user(
            &mut tx,
            username,
            actor,
            "UPDATE users SET disabled = 0 WHERE username = $1",
            None,
            "enabled",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives a user another role, audited with the old and the new. Refused:
    /// no such user ([`StoreError::NotFound`]), the role they have
    /// ([`StoreError::Exists`]), the last enabled admin losing the admin
    /// role ([`StoreError::NotAllowed`]: nobody could manage users after it).
    pub async fn change_role(&self, username: &str, role: Role, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (user, enabled_admins) = account_and_admins(&mut tx, username).await?;
        let admin = Role::Admin.as_str();
        match user {
            None => return Err(StoreError::NotFound(format!("user {username}"))),
            Some((old, _)) if old == role.as_str() => {
                return Err(StoreError::Exists(format!(
                    "user {username} already has that role"
                )));
            }
            Some((old, false)) if old == admin && enabled_admins == 1 => {
                return Err(StoreError::NotAllowed(format!(
                    "{username} is the last enabled admin: add another admin first"
                )));
            }
            Some((old, _)) => {
                sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
                    .bind(role.as_str())
                    .bind(username)
                    .execute(&mut *tx)
                    .await?;
                let json = |r: &str| serde_json::json!({ "role": r }).to_string();
                write_audit(
                    &mut tx,
                    actor,
                    vec![AuditRow {
                        action: "update",
                        record_type: "user",
                        record_id: username.into(),
                        old: Some(json(&old)),
                        new: Some(json(role.as_str())),
                    }],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A user's role and whether disabled (`None`: no such user), and how many
/// enabled admins there are, read in the caller's transaction.
async fn account_and_admins(
    tx: &mut WriteTx,
    username: &str,
) -> Result<(Option<(String, bool)>, usize)> {
    let rows = sqlx::query(
        "SELECT username, role, disabled FROM users WHERE disabled = 0 OR username = $1",
    )
    .bind(username)
    .fetch_all(&mut **tx)
    .await?;
    let mut user = None;
    let mut enabled_admins = 0;
    for row in &rows {
        let (name, role, disabled): (String, String, i64) = (
            row.try_get("username")?,
            row.try_get("role")?,
            row.try_get("disabled")?,
        );
        if disabled == 0 && role == Role::Admin.as_str() {
            enabled_admins += 1;
        }
        if name == username {
            user = Some((role, disabled != 0));
        }
    }
    Ok((user, enabled_admins))
}

/// A one-time password for an admin's reset: 16 letters and digits from
/// the operating system's randomness (about 80 bits), in four groups of
/// four, without the characters people misread (0/O, 1/l/I). It is shown
/// once; the store keeps only its hash ([`Store::reset_password`]).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::with_capacity(19);
    let mut chosen = 0;
    while chosen < 16 {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
        // Bytes above the last whole multiple of the alphabet are skipped, so
        // that every character is as likely.
        let limit = 256 - 256 % ALPHABET.len();
        for b in bytes.iter().filter(|b| usize::from(**b) < limit) {
            if chosen == 16 {
                break;
            }
            if chosen > 0 && chosen % 4 == 0 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
            chosen += 1;
        }
    }
    out
}
