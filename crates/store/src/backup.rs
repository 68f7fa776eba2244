//! The JSON backup (`ipstrack-backup/1`): case data, audit log, submitted
//! returns and users read in one consistent snapshot, and restored into an
//! empty database in one transaction.
//!
//! Every table of the schema is either backed up whole or named in
//! [`NOT_BACKED_UP`] with the reason. A backup counts the rows of every table
//! in its snapshot and refuses to leave any out (a table it does not know
//! that holds rows, or fewer rows read than stored); a restore counts what it
//! wrote, table by table, against what the backup holds and rolls back if
//! they differ. [`Store::lost_records`] lets `doctor` notice records the
//! audit log has that the database does not (an incomplete restore of an
//! older version, a lost write).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use ipstrack_core::bundle::{BundleDoc, ReferralDoc, validate};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::audit::{AuditEntry, AuditFilter, read_audit};
use crate::changes::{Change, append};
use crate::sql::{Value, insert_rows, json};
use crate::tables::referrals::{self, ChildRows};
use crate::tables::submissions::{Submission, insert_submission};
use crate::tables::users::{self, BackupUser};
use crate::tables::{clients, employer_contacts, fidelity_reviews, staff, teams};
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
    /// The referrals' and employer contacts' versions above 1. Older
    /// backups without them restore with every version 1.
    #[serde(default)]
    pub versions: Versions,
}

/// Versions above 1 by id (each change to a record counts its version up):
/// restored as they were, so that a page or a script holding a version
/// (`If-Match`) from before the restore never matches a different record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    #[serde(default)]
    pub referrals: BTreeMap<String, i64>,
    #[serde(default)]
    pub employer_contacts: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fidelity_reviews: BTreeMap<String, i64>,
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
        "request_keys",
        "the retry keys of forms and API requests (one-time tokens, Idempotency-Keys): kept two days, only against repeats on that database",
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

/// Every table of the schema, as the database lists them (sqlite_master,
/// information_schema), SQLite's own tables left out.
pub(crate) async fn schema_tables(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"
    };
    Ok(sqlx::query_scalar(sql).fetch_all(&mut *conn).await?)
}

/// The number of rows of every table a backup keeps (every table of the
/// schema not in [`NOT_BACKED_UP`]).
async fn stored_rows(conn: &mut AnyConnection) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for table in schema_tables(conn).await? {
        if NOT_BACKED_UP.iter().any(|(t, _)| *t == table) {
            continue;
        }
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM \"{}\"",
            table.replace('"', "\"\"")
        )))
        .fetch_one(&mut *conn)
        .await?;
        out.insert(table, n);
    }
    Ok(out)
}

/// The rows of a referral's entries of one kind.
fn entries(doc: &BundleDoc, count: impl Fn(&ReferralDoc) -> Option<usize>) -> i64 {
    doc.referrals
        .iter()
        .map(|r| count(r).unwrap_or(0) as i64)
        .sum()
}

impl Backup {
    /// The rows a backup holds for each table it keeps, as they are stored.
    fn rows(&self) -> BTreeMap<&'static str, i64> {
        let doc = &self.bundle;
        let n = |len: usize| len as i64;
        BTreeMap::from([
            ("service", i64::from(!doc.service.start_date.is_empty())),
            ("teams", n(doc.teams.len())),
            ("staff", n(doc.staff.len())),
            ("clients", n(doc.clients.len())),
            ("referrals", n(doc.referrals.len())),
            (
                "transfers",
                entries(doc, |r| r.transfers.as_ref().map(Vec::len)),
            ),
            (
                "contacts",
                entries(doc, |r| r.contacts.as_ref().map(Vec::len)),
            ),
            ("holds", entries(doc, |r| r.holds.as_ref().map(Vec::len))),
            (
                "waiting_list",
                entries(doc, |r| r.waiting_list.as_ref().map(Vec::len)),
            ),
            (
                "engagement",
                entries(doc, |r| r.engagement.as_ref().map(Vec::len)),
            ),
            (
                "decisions",
                entries(doc, |r| r.decisions.as_ref().map(Vec::len)),
            ),
            ("jobs", entries(doc, |r| r.jobs.as_ref().map(Vec::len))),
            (
                "in_work_checks",
                entries(doc, |r| Some(r.in_work_checks.len())),
            ),
            ("employer_contacts", n(doc.employer_contacts.len())),
            ("fidelity_reviews", n(doc.fidelity_reviews.len())),
            ("audit_log", n(self.audit.len())),
            ("users", n(self.users.len())),
            ("submissions", n(self.submissions.len())),
        ])
    }
}

/// Compares the rows stored in each table with the rows a backup holds: the
/// tables that differ, one line each (`done` says whether the rows were
/// "read" by a backup or written by a restore).
fn missing_rows(
    stored: &BTreeMap<String, i64>,
    held: &BTreeMap<&'static str, i64>,
    done: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for (table, &n) in stored {
        match held.get(table.as_str()) {
            None if n > 0 => out.push(format!(
                "the table {table} holds {n} rows a backup does not know how to keep"
            )),
            None => {}
            Some(&h) if h != n => out.push(match done {
                "read" => format!("{table}: {h} of its {n} rows read"),
                _ => format!("{table}: {n} of the backup's {h} rows written"),
            }),
            Some(_) => {}
        }
    }
    for (table, &h) in held {
        if h > 0 && !stored.contains_key(*table) {
            out.push(format!("{table}: no such table for the backup's {h} rows"));
        }
    }
    out
}

impl Store {
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

    /// True when no table a backup keeps holds a row (no case data, audit
    /// entries, users or submitted returns): a restore goes only into such a
    /// database.
    pub async fn is_empty(&self) -> Result<bool> {
        let mut conn = self.read.acquire().await?;
        Ok(stored_rows(&mut conn).await?.values().all(|n| *n == 0))
    }

    /// Records the audit log says exist that the database does not hold
    /// (what an incomplete restore or a lost write leaves), one line per
    /// kind of record; none in a sound database.
    pub async fn lost_records(&self) -> Result<Vec<String>> {
        let mut conn = self.read.acquire().await?;
        let mut tx = self.snapshot(&mut conn).await?;
        let lost = lost_records(&mut tx).await?;
        tx.commit().await?;
        Ok(lost)
    }

    /// The whole database as a [`Backup`], read in one snapshot (on
    /// PostgreSQL one `REPEATABLE READ READ ONLY` transaction): the bundle,
    /// audit log, submitted returns and users agree with each other even
    /// while others write.
    pub async fn backup(&self) -> Result<Backup> {
        let mut conn = self.read.acquire().await?;
        let mut tx = self.snapshot(&mut conn).await?;
        let bundle = crate::tables::read_bundle(&mut tx).await?;
        let audit = read_audit(&mut tx, &AuditFilter::default()).await?;
        let submissions = crate::tables::submissions::read_submissions(&mut tx).await?;
        let users = users::read_for_backup(&mut tx).await?;
        let versions = Versions {
            referrals: read_versions(&mut tx, "referrals").await?,
            employer_contacts: read_versions(&mut tx, "employer_contacts").await?,
            fidelity_reviews: read_versions(&mut tx, "fidelity_reviews").await?,
        };
        let stored = stored_rows(&mut tx).await?;
        tx.commit().await?;
        let backup = Backup {
            format: BACKUP_FORMAT.into(),
            bundle,
            audit,
            submissions,
            users,
            versions,
        };
        // Nothing left out: every row of every table it keeps, read.
        let missing = missing_rows(&stored, &backup.rows(), "read");
        if !missing.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "the backup would leave rows out ({}): nothing was backed up",
                missing.join("; ")
            )));
        }
        Ok(backup)
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
        for (kind, ids, known) in [
            (
                "referral",
                &backup.versions.referrals,
                doc.referrals
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<HashSet<_>>(),
            ),
            (
                "employer contact",
                &backup.versions.employer_contacts,
                doc.employer_contacts
                    .iter()
                    .map(|e| e.id.as_str())
                    .collect(),
            ),
            (
                "fidelity review",
                &backup.versions.fidelity_reviews,
                doc.fidelity_reviews.iter().map(|f| f.id.as_str()).collect(),
            ),
        ] {
            if let Some(id) = ids.keys().find(|id| !known.contains(id.as_str())) {
                return Err(StoreError::Corrupt(format!(
                    "the backup gives a version to {kind} {id}, which it does not hold"
                )));
            }
        }
        let mut tx = self.begin_write().await?;
        if stored_rows(&mut tx).await?.values().any(|n| *n != 0) {
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
        let rows: Vec<Vec<Value>> = doc
            .teams
            .iter()
            .enumerate()
            .map(|(p, r)| teams::row(r, p as i64))
            .collect();
        insert_rows(conn, "teams", &teams::COLUMNS, &rows).await?;
        let rows: Vec<Vec<Value>> = doc
            .staff
            .iter()
            .enumerate()
            .map(|(p, s)| staff::row(s, p as i64))
            .collect();
        insert_rows(conn, "staff", &staff::COLUMNS, &rows).await?;
        let clients: Vec<Vec<Value>> = doc
            .clients
            .iter()
            .enumerate()
            .map(|(p, c)| clients::row(c, p as i64))
            .collect();
        insert_rows(conn, "clients", &clients::columns(), &clients).await?;
        let mut children = ChildRows::default();
        let version = |versions: &BTreeMap<String, i64>, id: &str| {
            Value::int(versions.get(id).copied().unwrap_or(1))
        };
        let referrals: Vec<Vec<Value>> = doc
            .referrals
            .iter()
            .enumerate()
            .map(|(p, r)| {
                children.add(r);
                let mut row = referrals::row(r, p as i64);
                row.push(version(&backup.versions.referrals, &r.id));
                row
            })
            .collect();
        let mut columns = referrals::COLUMNS.to_vec();
        columns.push("version");
        insert_rows(conn, "referrals", &columns, &referrals).await?;
        children.insert(conn).await?;
        let employer_contacts: Vec<Vec<Value>> = doc
            .employer_contacts
            .iter()
            .enumerate()
            .map(|(p, e)| {
                let mut row = employer_contacts::row(e, p as i64);
                row.push(version(&backup.versions.employer_contacts, &e.id));
                row
            })
            .collect();
        let mut columns = employer_contacts::COLUMNS.to_vec();
        columns.push("version");
        insert_rows(conn, "employer_contacts", &columns, &employer_contacts).await?;
        let reviews: Vec<Vec<Value>> = doc
            .fidelity_reviews
            .iter()
            .enumerate()
            .map(|(p, f)| {
                let mut row = fidelity_reviews::row(f, p as i64);
                row.push(version(&backup.versions.fidelity_reviews, &f.id));
                row
            })
            .collect();
        let mut columns = fidelity_reviews::COLUMNS.to_vec();
        columns.push("version");
        insert_rows(conn, "fidelity_reviews", &columns, &reviews).await?;

        users::restore(conn, &backup.users).await?;
        for s in &backup.submissions {
            insert_submission(conn, s).await?;
        }
        // Everything the backup holds, and nothing else: table by table, as
        // many rows as it holds (a table forgotten here, or rows dropped on
        // the way, fails the restore and writes nothing).
        let missing = missing_rows(&stored_rows(conn).await?, &backup.rows(), "wrote");
        if !missing.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "the restore did not write what the backup holds ({}): nothing was restored",
                missing.join("; ")
            )));
        }
        // Servers already following this database load it whole.
        append(conn, &Change::Everything).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The versions above 1 of a table's records, by id.
async fn read_versions(conn: &mut AnyConnection, table: &str) -> Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, version FROM {table} WHERE version <> 1"
    )))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The kinds of record the audit log names that a backup keeps: the audit's
/// record type, the table and its id column, and the words for one and many.
const AUDITED: [(&str, &str, &str, &str, &str); 9] = [
    ("service", "service", "'service'", "the service", "services"),
    ("team", "teams", "id", "team", "teams"),
    ("staff", "staff", "id", "staff member", "staff members"),
    ("client", "clients", "id", "client", "clients"),
    ("referral", "referrals", "id", "referral", "referrals"),
    (
        "employer_contact",
        "employer_contacts",
        "id",
        "employer contact",
        "employer contacts",
    ),
    (
        "fidelity_review",
        "fidelity_reviews",
        "id",
        "fidelity review",
        "fidelity reviews",
    ),
    ("user", "users", "username", "user", "users"),
    (
        "submission",
        "submissions",
        "period_label",
        "return",
        "returns",
    ),
];

/// Records the audit log says exist (their last entry an insert or an
/// update, not a delete) that the database does not hold: what an
/// incomplete restore, or a lost write, leaves. One line per kind of record.
pub(crate) async fn lost_records(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT record_type, record_id, action FROM audit_log \
         WHERE action IN ('insert', 'update', 'delete') ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut last: HashMap<(String, String), bool> = HashMap::new();
    for (kind, id, action) in rows {
        last.insert((kind, id), action != "delete");
    }
    let mut out = Vec::new();
    for (kind, table, id_column, one, many) in AUDITED {
        let mut expected: Vec<&str> = last
            .iter()
            .filter(|((k, _), exists)| k == kind && **exists)
            .map(|((_, id), _)| id.as_str())
            .collect();
        if expected.is_empty() {
            continue;
        }
        let present: HashSet<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {id_column} FROM {table}"
        )))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
        expected.retain(|id| !present.contains(*id));
        expected.sort_unstable();
        match expected.as_slice() {
            [] => {}
            [_] if kind == "service" => out.push(format!(
                "the audit log records {one}, which is not in the database: a restore or a write lost it"
            )),
            [id] => out.push(format!(
                "the audit log records {one} {id}, which is not in the database: a restore or a write lost it"
            )),
            ids => {
                let mut shown = ids.iter().take(5).copied().collect::<Vec<_>>().join(", ");
                if ids.len() > 5 {
                    shown.push_str(", …");
                }
                out.push(format!(
                    "the audit log records {} {many} that are not in the database ({shown}): a restore or a write lost them",
                    ids.len()
                ));
            }
        }
    }
    Ok(out)
}
