//! The users table: who may sign in, with which role, linked to which staff
//! record; passwords kept as argon2id hashes.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use ipstrack_core::model::Role;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::audit::{AuditRow, write_audit};
use crate::sql::{Value, insert_rows};
use crate::{Result, Store, StoreError, WriteTx};

/// A user (never with the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub username: String,
    pub role: Role,
    pub staff_id: Option<String>,
    pub disabled: bool,
}

/// An argon2id hash of a new password (of at least 10 characters).
pub(crate) fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < 10 {
        return Err(StoreError::NotAllowed(
            "a password needs at least 10 characters".into(),
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::NotAllowed(format!("could not hash the password: {e}")))
}

impl Store {
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows =
            sqlx::query("SELECT username, role, staff_id, disabled FROM users ORDER BY username")
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                let disabled: i64 = row.try_get("disabled")?;
                Ok(User {
                    username: row.try_get("username")?,
                    role: Role::parse(&role)
                        .ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
                    staff_id: row.try_get("staff_id")?,
                    disabled: disabled != 0,
                })
            })
            .collect()
    }
}

/// Changes a user's row (`sql`, binding `bind` then the username) and
/// audits it, in the caller's transaction.
pub(crate) async fn change_user(
    tx: &mut WriteTx,
    username: &str,
    actor: &str,
    sql: &'static str,
    bind: Option<String>,
    what: &str,
) -> Result<()> {
    let mut query = sqlx::query(sql);
    if let Some(b) = bind {
        query = query.bind(b);
    }
    let done = query.bind(username).execute(&mut **tx).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("user {username}")));
    }
    write_audit(
        tx,
        actor,
        vec![AuditRow {
            action: "update",
            record_type: "user",
            record_id: username.into(),
            old: None,
            new: Some(format!("{{\"change\":\"{what}\"}}")),
        }],
    )
    .await?;
    Ok(())
}

/// A user as backed up: with the password hash (so they can sign in after a
/// restore), role, staff link and whether disabled. Sessions, API tokens and
/// failed sign-in counts are not kept: after a restore people sign in again
/// and scripts need new tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupUser {
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub staff_id: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    /// The link to the person at the identity provider (SIGN-1): their
    /// subject, or the e-mail address awaiting their first sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_email: Option<String>,
}

/// Every user with the password hash, by username (a backup).
pub(crate) async fn read_for_backup(conn: &mut AnyConnection) -> Result<Vec<BackupUser>> {
    let rows = sqlx::query(
        "SELECT username, password_hash, role, staff_id, disabled, created_at, identity_subject, identity_email FROM users ORDER BY username",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let disabled: i64 = r.try_get("disabled")?;
            Ok(BackupUser {
                username: r.try_get("username")?,
                password_hash: r.try_get("password_hash")?,
                role: r.try_get("role")?,
                staff_id: r.try_get("staff_id")?,
                disabled: disabled != 0,
                created_at: r.try_get("created_at")?,
                identity_subject: r.try_get("identity_subject")?,
                identity_email: r.try_get("identity_email")?,
            })
        })
        .collect()
}

/// Puts back the users of a backup (restore), inside the restore's
/// transaction.
pub(crate) async fn restore(conn: &mut AnyConnection, users: &[BackupUser]) -> Result<()> {
    let rows: Vec<Vec<Value>> = users
        .iter()
        .map(|u| {
            vec![
                Value::text(&u.username),
                Value::text(&u.password_hash),
                Value::text(&u.role),
                Value::opt_text(&u.staff_id),
                Value::int(i64::from(u.disabled)),
                Value::text(&u.created_at),
                Value::opt_text(&u.identity_subject),
                Value::opt_text(&u.identity_email),
            ]
        })
        .collect();
    let columns = [
        "username",
        "password_hash",
        "role",
        "staff_id",
        "disabled",
        "created_at",
        "identity_subject",
        "identity_email",
    ];
    insert_rows(conn, "users", &columns, &rows).await
}
