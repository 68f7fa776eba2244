//! The staff table: FTE stored in ten-thousandths (exact).

use ipstrack_core::bundle::StaffDoc;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::Result;
use crate::audit::AuditRow;
use crate::sql::{Value, execute, int, opt_text, scaled, scaled_fte, text};
use crate::tables::upsert;

/// The columns of a staff row, in the order the rows are made.
pub(crate) const COLUMNS: [&str; 8] = [
    "id",
    "position",
    "name",
    "role",
    "team_id",
    "start_date",
    "end_date",
    "fte",
];

const SELECT: &str = "SELECT id, name, role, team_id, start_date, end_date, fte FROM staff";

/// A staff member's columns after id and position.
fn fields(s: &StaffDoc) -> Vec<Value> {
    vec![
        Value::text(&s.name),
        Value::text(&s.role),
        Value::text(&s.team),
        Value::text(&s.start_date),
        Value::opt_text(&s.end_date),
        Value::int(scaled(&s.fte, 10_000.0)),
    ]
}

/// A new row: id, position, fields.
pub(crate) fn row(s: &StaffDoc, position: i64) -> Vec<Value> {
    let mut row = vec![Value::text(&s.id), Value::int(position)];
    row.extend(fields(s));
    row
}

fn from_row(r: &AnyRow) -> Result<StaffDoc> {
    Ok(StaffDoc {
        id: text(r, "id")?,
        name: text(r, "name")?,
        role: text(r, "role")?,
        team: text(r, "team_id")?,
        start_date: text(r, "start_date")?,
        end_date: opt_text(r, "end_date")?,
        fte: scaled_fte(int(r, "fte")?),
    })
}

/// Every staff member, in the order they were first written.
pub(crate) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<StaffDoc>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY position")))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// One staff member, if stored.
pub(crate) async fn read_one(conn: &mut AnyConnection, id: &str) -> Result<Option<StaffDoc>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Writes an import's changed staff (see [`upsert::write`]).
pub(crate) async fn write(
    conn: &mut AnyConnection,
    changed: (&[StaffDoc], &[(usize, Option<StaffDoc>)]),
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let table = upsert::Table {
        name: "staff",
        columns: &COLUMNS,
        record_type: "staff",
        noun: "staff",
        id: |s: &StaffDoc| &s.id,
        row,
        change: None,
    };
    upsert::write(conn, table, changed, update, updated, audit).await
}

/// Writes a stored staff member's fields anew.
async fn update(conn: &mut AnyConnection, s: &StaffDoc) -> Result<()> {
    let mut values = fields(s);
    values.push(Value::text(&s.id));
    execute(
        conn,
        "UPDATE staff SET name = $1, role = $2, team_id = $3, start_date = $4, end_date = $5, fte = $6 WHERE id = $7",
        values,
    )
    .await
}
