//! The audit log, users and roles, submitted returns, backup and restore.

use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use ipstrack_core::report::Report;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{AuditRow, write_audit};
use crate::{Backend, Result, Store, StoreError, WriteTx};
use ipstrack_core::model::{OutOfScope, Role};

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log (given again on restore).
    #[serde(default)]
    pub seq: i64,
    /// When (UTC timestamp).
    pub at: String,
    /// Who.
    pub actor: String,
    /// `insert`, `update`, `delete` (a client entered twice and merged says
    /// into whom in its new value), or `out-of-scope` (a request matched the
    /// record outside the user's scope).
    pub action: String,
    /// `service`, `team`, `staff`, `client`, `referral`, `user`, `submission`.
    pub record_type: String,
    pub record_id: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Which entries of the audit log to show.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub record: Option<String>,
    /// Entries on or after this day (YYYY-MM-DD) or timestamp.
    pub since: Option<String>,
}

/// A user (never with the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub username: String,
    pub role: Role,
    pub staff_id: Option<String>,
    pub disabled: bool,
}

/// A submitted return: a period's report frozen when it was submitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub period_label: String,
    pub as_of: String,
    pub submitted_at: String,
    pub submitted_by: String,
    /// The report as submitted (`ipstrack-report/1` JSON).
    pub report: serde_json::Value,
}

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
    /// The audit log, oldest first.
    pub async fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut conn = self.read.acquire().await?;
        read_audit(&mut conn, filter).await
    }

    /// Writes to the audit log that a request of `actor` matched records
    /// outside their scope (a referral page of another team, an import row
    /// naming another team's client): action `out-of-scope`, the record, and
    /// how it was matched. The user was told nothing of the record.
    pub async fn audit_out_of_scope(&self, actor: &str, matched: &[OutOfScope]) -> Result<()> {
        if matched.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        write_audit(
            &mut tx,
            actor,
            matched
                .iter()
                .map(|m| AuditRow {
                    action: "out-of-scope",
                    record_type: m.record_type,
                    record_id: m.record_id.clone(),
                    old: None,
                    new: Some(serde_json::json!({ "matched_by": m.matched_by }).to_string()),
                })
                .collect(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

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
        if let Some(staff) = staff_id {
            let found: Option<(String,)> = sqlx::query_as("SELECT id FROM staff WHERE id = $1")
                .bind(staff)
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::NotAllowed(format!(
                    "staff {staff} is not a staff member"
                )));
            }
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
        crate::sessions::end_sessions(&mut tx, username, None).await?;
        crate::sessions::clear_gates(&mut tx, username).await?;
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
        crate::sessions::end_sessions(&mut tx, username, None).await?;
        tx.commit().await?;
        Ok(())
    }

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

    /// Freezes a period's report as submitted. A period is submitted once.
    pub async fn submit(&self, report: &Report, actor: &str) -> Result<Submission> {
        let mut tx = self.begin_write().await?;
        let label = report.period.label.clone();
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT period_label FROM submissions WHERE period_label = $1")
                .bind(&label)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(StoreError::Exists(format!(
                "{label} has already been submitted; submitted returns never change"
            )));
        }
        let value = serde_json::to_value(report).expect("reports serialise");
        let submission = Submission {
            period_label: label.clone(),
            as_of: report.as_of.to_string(),
            submitted_at: jiff::Timestamp::now().to_string(),
            submitted_by: actor.into(),
            report: value,
        };
        sqlx::query(
            "INSERT INTO submissions (period_label, period_start, period_end, as_of, submitted_at, submitted_by, report) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&label)
        .bind(report.period.start.to_string())
        .bind(report.period.end.to_string())
        .bind(&submission.as_of)
        .bind(&submission.submitted_at)
        .bind(actor)
        .bind(submission.report.to_string())
        .execute(&mut *tx)
        .await?;
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "insert",
                record_type: "submission",
                record_id: label,
                old: None,
                new: Some(format!("{{\"as_of\":\"{}\"}}", submission.as_of)),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(submission)
    }

    /// Every submitted return, by period.
    pub async fn submissions(&self) -> Result<Vec<Submission>> {
        let mut conn = self.read.acquire().await?;
        read_submissions(&mut conn).await
    }

    /// A consistent copy of a SQLite database while it is in use
    /// (`VACUUM INTO`), written into `out`, which must not exist or be an
    /// empty file (the CLI gives a temporary file beside the final name and
    /// renames it when complete). PostgreSQL deployments back up with
    /// [`Store::backup`].
    pub async fn backup_sqlite(&self, out: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::NotAllowed(
                "VACUUM INTO is for SQLite databases".into(),
            ));
        }
        if std::fs::metadata(out).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::Exists(format!(
                "{} already exists",
                out.display()
            )));
        }
        let path = out
            .to_str()
            .ok_or_else(|| StoreError::NotAllowed("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.read)
            .await?;
        Ok(())
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

/// The audit log on one connection (a backup reads it in its snapshot).
pub(crate) async fn read_audit(
    conn: &mut sqlx::AnyConnection,
    filter: &AuditFilter,
) -> Result<Vec<AuditEntry>> {
    let mut sql = "SELECT seq, at, actor, action, record_type, record_id, old_value, new_value FROM audit_log WHERE 1 = 1"
        .to_string();
    let mut binds = Vec::new();
    if let Some(record) = &filter.record {
        binds.push(record.clone());
        sql.push_str(&format!(" AND record_id = ${}", binds.len()));
    }
    if let Some(since) = &filter.since {
        binds.push(since.clone());
        sql.push_str(&format!(" AND at >= ${}", binds.len()));
    }
    sql.push_str(" ORDER BY seq");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                record_type: r.try_get("record_type")?,
                record_id: r.try_get("record_id")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
            })
        })
        .collect()
}

/// Every submitted return, by period, on one connection.
pub(crate) async fn read_submissions(conn: &mut sqlx::AnyConnection) -> Result<Vec<Submission>> {
    let rows = sqlx::query(
        "SELECT period_label, as_of, submitted_at, submitted_by, report FROM submissions ORDER BY period_start, period_label",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let report: String = r.try_get("report")?;
            Ok(Submission {
                period_label: r.try_get("period_label")?,
                as_of: r.try_get("as_of")?,
                submitted_at: r.try_get("submitted_at")?,
                submitted_by: r.try_get("submitted_by")?,
                report: serde_json::from_str(&report)
                    .map_err(|e| StoreError::Corrupt(format!("submission: {e}")))?,
            })
        })
        .collect()
}

/// Puts back a submitted return from a backup (restore), inside the
/// restore's transaction.
pub(crate) async fn insert_submission(
    conn: &mut sqlx::AnyConnection,
    s: &Submission,
) -> Result<()> {
    let period = &s.report["period"];
    let (Some(start), Some(end)) = (period["start"].as_str(), period["end"].as_str()) else {
        return Err(StoreError::Corrupt(format!(
            "submission {}: no period in its report",
            s.period_label
        )));
    };
    sqlx::query(
        "INSERT INTO submissions (period_label, period_start, period_end, as_of, submitted_at, submitted_by, report) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.period_label)
    .bind(start)
    .bind(end)
    .bind(&s.as_of)
    .bind(&s.submitted_at)
    .bind(&s.submitted_by)
    .bind(s.report.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
