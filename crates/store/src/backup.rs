//! The JSON backup (`ipstrack-backup/1`): case data, audit log, submitted
//! returns and users read in one consistent snapshot, and restored into an
//! empty database in one transaction.

use ipstrack_core::bundle::{BundleDoc, validate};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::admin::{AuditEntry, AuditFilter, Submission, insert_submission, read_audit};
use crate::records::{
    ChildRows, REFERRAL_COLUMNS, STAFF_COLUMNS, Value, insert_rows, json, referral_row, t,
};
use crate::{Backend, Result, Store, StoreError};

/// The format name of a JSON backup.
pub const BACKUP_FORMAT: &str = "ipstrack-backup/1";

/// A whole database as JSON. Older backups without `users` restore with no
/// users.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub bundle: BundleDoc,
    pub audit: Vec<AuditEntry>,
    pub submissions: Vec<Submission>,
    #[serde(default)]
    pub users: Vec<BackupUser>,
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
}

/// The tables a backup deliberately leaves out, each with the reason. Every
/// other table of the schema is backed up and restored whole, row for row: a
/// backup refuses to leave out rows of a table it does not know, and a
/// restore checks it wrote, table by table, as many rows as the backup holds.
pub const NOT_BACKED_UP: &[(&str, &str)] = &[
    (
        "_sqlx_migrations",
        "the schema's version: written by the migrations when the database is opened",
    ),
    (
        "sessions",
        "sign-ins and API tokens: after a restore people sign in again and scripts need new tokens",
    ),
    (
        "form_tokens",
        "the one-time tokens of forms open at the time: kept two days, only against repeats on that database",
    ),
    (
        "sign_in_gates",
        "sign-in backoff: the last hour's password checks",
    ),
    (
        "sign_in_failures",
        "failed sign-ins of the last day, shown to admins",
    ),
    (
        "changes",
        "the change sequence servers follow: a restore starts it again with one change that reloads everything",
    ),
];

/// Counts every row a restore must find absent: case data, audit log, users
/// and submitted returns.
const ROWS: &str = "SELECT (SELECT COUNT(*) FROM service) + (SELECT COUNT(*) FROM referrals) \
     + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM submissions)";

/// FTE as stored: ten-thousandths, exact (as an import stores it).
fn fte(n: &serde_json::Number) -> i64 {
    n.as_i64()
        .map(|i| i * 10_000)
        .unwrap_or_else(|| (n.as_f64().unwrap_or(0.0) * 10_000.0).round() as i64)
}

fn int(v: i64) -> Value {
    Value::Int(Some(v))
}

fn text(v: &Option<String>) -> Value {
    Value::Text(v.clone())
}

async fn read_users(conn: &mut AnyConnection) -> Result<Vec<BackupUser>> {
    let rows = sqlx::query(
        "SELECT username, password_hash, role, staff_id, disabled, created_at FROM users ORDER BY username",
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
            })
        })
        .collect()
}

impl Store {
    /// True when the database holds no case data, audit entries, users or
    /// submitted returns (a restore goes only into such a database).
    pub async fn is_empty(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(ROWS).fetch_one(&self.read).await?;
        Ok(n == 0)
    }

    /// The whole database as a [`Backup`], read in one snapshot (on
    /// PostgreSQL one `REPEATABLE READ READ ONLY` transaction): the bundle,
    /// audit log, submitted returns and users agree with each other even
    /// while others write.
    pub async fn backup(&self) -> Result<Backup> {
        let mut conn = self.read.acquire().await?;
        let mut tx = self.snapshot(&mut conn).await?;
        let bundle = crate::records::read_bundle(&mut tx).await?;
        let audit = read_audit(&mut tx, &AuditFilter::default()).await?;
        let submissions = crate::admin::read_submissions(&mut tx).await?;
        let users = read_users(&mut tx).await?;
        tx.commit().await?;
        Ok(Backup {
            format: BACKUP_FORMAT.into(),
            bundle,
            audit,
            submissions,
            users,
        })
    }

    /// Restores a backup into this database, which must be empty, in one
    /// transaction: a failure anywhere (a bad record, a broken reference, a
    /// killed process) leaves it empty, so the restore can simply be run
    /// again. The restored audit log is the log: no entry is added per
    /// restored row, and each entry keeps its number.
    pub async fn restore(&self, backup: &Backup) -> Result<()> {
        if backup.format != BACKUP_FORMAT {
            return Err(StoreError::NotAllowed(format!(
                "format {} is not {BACKUP_FORMAT}",
                backup.format
            )));
        }
        let doc = &backup.bundle;
        if !doc.service.start_date.is_empty() {
            validate(doc).map_err(StoreError::Invalid)?;
        }
        let mut tx = self.begin_write().await?;
        let (n,): (i64,) = sqlx::query_as(ROWS).fetch_one(&mut *tx).await?;
        if n != 0 {
            return Err(StoreError::Exists(
                "the database is not empty: restore into a new database".into(),
            ));
        }
        let conn: &mut AnyConnection = &mut tx;

        let audit_sql = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO audit_log (seq, at, actor, action, record_type, record_id, old_value, new_value) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            }
            Backend::Postgres => {
                "INSERT INTO audit_log (seq, at, actor, action, record_type, record_id, old_value, new_value) \
                 OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            }
        };
        for (i, e) in backup.audit.iter().enumerate() {
            // Entries of backups made before numbers were kept get theirs in order.
            let seq = if e.seq > 0 { e.seq } else { i as i64 + 1 };
            sqlx::query(audit_sql)
                .bind(seq)
                .bind(&e.at)
                .bind(&e.actor)
                .bind(&e.action)
                .bind(&e.record_type)
                .bind(&e.record_id)
                .bind(&e.old_value)
                .bind(&e.new_value)
                .execute(&mut *conn)
                .await?;
        }
        if self.backend == Backend::Postgres && !backup.audit.is_empty() {
            sqlx::query(
                "SELECT setval(pg_get_serial_sequence('audit_log', 'seq'), (SELECT MAX(seq) FROM audit_log))",
            )
            .execute(&mut *conn)
            .await?;
        }

        if !doc.service.start_date.is_empty() {
            sqlx::query(
                "INSERT INTO service (id, name, start_date, policy) VALUES (1, $1, $2, $3)",
            )
            .bind(&doc.service.name)
            .bind(&doc.service.start_date)
            .bind(doc.policy.as_ref().map(json))
            .execute(&mut *conn)
            .await?;
        }
        let teams: Vec<Vec<Value>> = doc
            .teams
            .iter()
            .enumerate()
            .map(|(p, r)| vec![t(&r.id), int(p as i64), t(&r.name)])
            .collect();
        insert_rows(conn, "teams", &["id", "position", "name"], &teams).await?;
        let staff: Vec<Vec<Value>> = doc
            .staff
            .iter()
            .enumerate()
            .map(|(p, s)| {
                vec![
                    t(&s.id),
                    int(p as i64),
                    t(&s.name),
                    t(&s.role),
                    t(&s.team),
                    t(&s.start_date),
                    text(&s.end_date),
                    int(fte(&s.fte)),
                ]
            })
            .collect();
        insert_rows(conn, "staff", &STAFF_COLUMNS, &staff).await?;
        let clients: Vec<Vec<Value>> = doc
            .clients
            .iter()
            .enumerate()
            .map(|(p, c)| crate::clients::row(c, p as i64))
            .collect();
        insert_rows(conn, "clients", &crate::clients::columns(), &clients).await?;
        let mut children = ChildRows::default();
        let referrals: Vec<Vec<Value>> = doc
            .referrals
            .iter()
            .enumerate()
            .map(|(p, r)| {
                children.add(r);
                referral_row(r, p as i64)
            })
            .collect();
        insert_rows(conn, "referrals", &REFERRAL_COLUMNS, &referrals).await?;
        children.insert(conn).await?;

        let users: Vec<Vec<Value>> = backup
            .users
            .iter()
            .map(|u| {
                vec![
                    t(&u.username),
                    t(&u.password_hash),
                    t(&u.role),
                    text(&u.staff_id),
                    int(i64::from(u.disabled)),
                    t(&u.created_at),
                ]
            })
            .collect();
        let user_columns = [
            "username",
            "password_hash",
            "role",
            "staff_id",
            "disabled",
            "created_at",
        ];
        insert_rows(conn, "users", &user_columns, &users).await?;
        for s in &backup.submissions {
            insert_submission(conn, s).await?;
        }
        // Servers already following this database load it whole.
        crate::writes::append_change(conn, None).await?;
        tx.commit().await?;
        Ok(())
    }
}
