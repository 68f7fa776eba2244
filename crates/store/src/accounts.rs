//! What changes a user's account across its tables: a password set anew or
//! the user disabled ends every session and API token of the user, and a new
//! password forgets their sign-in counts and waits.

use ipstrack_core::model::Role;
use sqlx::Row;

use crate::tables::sessions::end_sessions;
use crate::tables::sign_in_gates::clear_gates;
use crate::tables::users::{change_user, hash_password};
use crate::{Result, Store, StoreError};

impl Store {
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
        let rows = sqlx::query(
            "SELECT username, role, disabled FROM users WHERE disabled = 0 OR username = $1",
        )
        .bind(username)
        .fetch_all(&mut *tx)
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
}
