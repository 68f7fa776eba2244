//! The teams table.

use ipstrack_core::bundle::TeamDoc;
use sqlx::AnyConnection;

use crate::Result;
use crate::audit::{AuditRow, audit_row};
use crate::sql::{Value, execute, insert_rows, text};

/// The columns of a new row.
pub(crate) const COLUMNS: [&str; 3] = ["id", "position", "name"];

/// A new row: id, position, name.
pub(crate) fn row(r: &TeamDoc, position: i64) -> Vec<Value> {
    vec![
        Value::text(&r.id),
        Value::int(position),
        Value::text(&r.name),
    ]
}

/// Every team, in the order they were first written.
pub(crate) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<TeamDoc>> {
    sqlx::query("SELECT id, name FROM teams ORDER BY position")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(TeamDoc {
                id: text(r, "id")?,
                name: text(r, "name")?,
            })
        })
        .collect()
}

/// One team, which must exist.
pub(crate) async fn read_one(conn: &mut AnyConnection, id: &str) -> Result<TeamDoc> {
    let row = sqlx::query("SELECT id, name FROM teams WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(TeamDoc {
        id: text(&row, "id")?,
        name: text(&row, "name")?,
    })
}

/// Writes an import's changed teams (`changes`: the position in `records`
/// and the stored team if it is an update): new rows inserted, changed ones
/// updated, each named in `updated` (updates) and audited.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    records: &[TeamDoc],
    changes: &[(usize, Option<TeamDoc>)],
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let mut new_rows = Vec::new();
    for (at, old) in changes {
        let r = &records[*at];
        match old {
            None => new_rows.push(row(r, *at as i64)),
            Some(_) => {
                execute(
                    conn,
                    "UPDATE teams SET name = $1 WHERE id = $2",
                    vec![Value::text(&r.name), Value::text(&r.id)],
                )
                .await?;
                updated.push(format!("team {}", r.id));
            }
        }
        audit.push(audit_row("team", &r.id, old.as_ref(), r));
    }
    insert_rows(conn, "teams", &COLUMNS, &new_rows).await
}
