//! The teams table.

use ipstrack_core::bundle::TeamDoc;
use sqlx::AnyConnection;

use crate::Result;
use crate::audit::AuditRow;
use crate::sql::{Value, execute, text};
use crate::tables::upsert;

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

/// Writes an import's changed teams (see [`upsert::write`]).
pub(crate) async fn write(
    conn: &mut AnyConnection,
    changed: (&[TeamDoc], &[(usize, Option<TeamDoc>)]),
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let table = upsert::Table {
        name: "teams",
        columns: &COLUMNS,
        record_type: "team",
        noun: "team",
        id: |t: &TeamDoc| &t.id,
        row,
        change: None,
    };
    upsert::write(conn, table, changed, update, updated, audit).await
}

/// Writes a stored team's fields anew.
async fn update(conn: &mut AnyConnection, t: &TeamDoc) -> Result<()> {
    execute(
        conn,
        "UPDATE teams SET name = $1 WHERE id = $2",
        vec![Value::text(&t.name), Value::text(&t.id)],
    )
    .await
}
