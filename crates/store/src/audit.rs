//! The audit entry of a change: who, when, what record, its old and new
//! values, written in the same transaction as the change; and reading the
//! log back.

use ipstrack_core::model::OutOfScope;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::sql::{Value, insert_rows, json, now};
use crate::{Result, Store};

/// The audit log's columns, in the order its rows are made.
pub(crate) const COLUMNS: [&str; 7] = [
    "at",
    "actor",
    "action",
    "record_type",
    "record_id",
    "old_value",
    "new_value",
];

/// One audit row: who, when, what record, old and new values.
pub(crate) struct AuditRow {
    pub action: &'static str,
    pub record_type: &'static str,
    pub record_id: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

pub(crate) async fn write_audit(
    conn: &mut AnyConnection,
    actor: &str,
    rows: Vec<AuditRow>,
) -> Result<()> {
    let at = now();
    let rows: Vec<Vec<Value>> = rows
        .into_iter()
        .map(|a| {
            vec![
                Value::text(&at),
                Value::text(actor),
                Value::text(a.action),
                Value::text(a.record_type),
                Value::Text(Some(a.record_id)),
                Value::Text(a.old),
                Value::Text(a.new),
            ]
        })
        .collect();
    insert_rows(conn, "audit_log", &COLUMNS, &rows).await
}

/// The audit row of an inserted (no `old`) or updated record.
pub(crate) fn audit_row<T: Serialize>(
    record_type: &'static str,
    id: &str,
    old: Option<&T>,
    new: &T,
) -> AuditRow {
    AuditRow {
        action: if old.is_some() { "update" } else { "insert" },
        record_type,
        record_id: id.to_string(),
        old: old.map(json),
        new: Some(json(new)),
    }
}

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

/// One page of the audit log, newest first, as the audit page asks for it.
#[derive(Clone, Debug, Default)]
pub struct AuditSearch {
    /// Who made the changes (a username).
    pub actor: Option<String>,
    /// The record's id.
    pub record: Option<String>,
    /// The kind of record (`referral`, `staff`, `user`…).
    pub record_type: Option<String>,
    /// Entries at or after this moment (an RFC 3339 timestamp).
    pub from: Option<String>,
    /// Entries before this moment.
    pub until: Option<String>,
    /// Entries older than this position in the log (the next page).
    pub before: Option<i64>,
    /// At most this many entries (at most [`AUDIT_PAGE_MOST`]).
    pub limit: u32,
}

/// The most entries one page of the audit log reads.
pub const AUDIT_PAGE_MOST: u32 = 200;

impl Store {
    /// One page of the audit log, newest first: the entries matching
    /// `search`, at most its limit (bounded by [`AUDIT_PAGE_MOST`]), read by
    /// the log's index on position, whatever the log's size.
    pub async fn audit_search(&self, search: &AuditSearch) -> Result<Vec<AuditEntry>> {
        let mut sql = "SELECT seq, at, actor, action, record_type, record_id, old_value, new_value FROM audit_log WHERE 1 = 1"
            .to_string();
        let mut texts = Vec::new();
        for (column, op, value) in [
            ("actor", "=", &search.actor),
            ("record_id", "=", &search.record),
            ("record_type", "=", &search.record_type),
            ("at", ">=", &search.from),
            ("at", "<", &search.until),
        ] {
            if let Some(v) = value {
                texts.push(v.clone());
                sql.push_str(&format!(" AND {column} {op} ${}", texts.len()));
            }
        }
        if search.before.is_some() {
            sql.push_str(&format!(" AND seq < ${}", texts.len() + 1));
        }
        sql.push_str(&format!(
            " ORDER BY seq DESC LIMIT {}",
            search.limit.min(AUDIT_PAGE_MOST)
        ));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for t in texts {
            query = query.bind(t);
        }
        if let Some(before) = search.before {
            query = query.bind(before);
        }
        let mut conn = self.read.acquire().await?;
        query
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(entry_of)
            .collect()
    }

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
    rows.iter().map(entry_of).collect()
}

/// An audit entry from its row.
fn entry_of(r: &sqlx::any::AnyRow) -> Result<AuditEntry> {
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
}
