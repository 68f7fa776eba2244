//! The audit entry of a change: who, when, what record, its old and new
//! values, written in the same transaction as the change.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::Result;
use crate::sql::{Value, insert_rows, json, now};

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
    insert_rows(
        conn,
        "audit_log",
        &[
            "at",
            "actor",
            "action",
            "record_type",
            "record_id",
            "old_value",
            "new_value",
        ],
        &rows,
    )
    .await
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
