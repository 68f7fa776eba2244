//! An import's changed records of one table written: new ones inserted
//! after the others, changed ones written anew, each named (an update) and
//! audited with its old and new values. Each table gives its columns, its
//! row and how one record is written anew.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::Result;
use crate::audit::{AuditRow, audit_row};
use crate::changes::{Change, append};
use crate::sql::{Value, insert_rows};

/// A table as an import writes it.
pub(crate) struct Table<'a, T> {
    /// The table's name in the database.
    pub name: &'static str,
    pub columns: &'a [&'a str],
    /// The record's kind in the audit log (`employer_contact`).
    pub record_type: &'static str,
    /// The record's kind in the list of updates (`employer contact`).
    pub noun: &'static str,
    pub id: fn(&T) -> &str,
    /// The record as a row at a position.
    pub row: fn(&T, i64) -> Vec<Value>,
    /// The change servers follow when records of this table changed, if
    /// the table has one of its own (else the import says what changed).
    pub change: Option<Change>,
}

/// Writes an import's changed records (`changes`: the position in
/// `records` and the stored record if it is an update): new rows inserted,
/// changed ones written by `update`, each named in `updated` (updates) and
/// audited; the table's own change appended when any changed.
pub(crate) async fn write<T: Serialize>(
    conn: &mut AnyConnection,
    table: Table<'_, T>,
    (records, changes): (&[T], &[(usize, Option<T>)]),
    mut update: impl AsyncFnMut(&mut AnyConnection, &T) -> Result<()>,
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let mut new_rows = Vec::new();
    for (at, old) in changes {
        let record = &records[*at];
        let id = (table.id)(record);
        match old {
            None => new_rows.push((table.row)(record, *at as i64)),
            Some(_) => {
                update(conn, record).await?;
                updated.push(format!("{} {id}", table.noun));
            }
        }
        audit.push(audit_row(table.record_type, id, old.as_ref(), record));
    }
    insert_rows(conn, table.name, table.columns, &new_rows).await?;
    match table.change {
        Some(change) if !changes.is_empty() => append(conn, &change).await,
        _ => Ok(()),
    }
}
