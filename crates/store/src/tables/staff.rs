//! The staff table: FTE stored in ten-thousandths (exact); one staff member
//! added or changed on the web through the import's checks.

use std::collections::HashSet;

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, StaffDoc};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{AuditRow, audit_row};
use crate::sql::{Value, execute, insert_rows, int, opt_text, scaled, scaled_fte, text};
use crate::tables::service;
use crate::{Result, Store, StoreError, WriteTx};

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

/// Writes an import's changed staff (see `teams::write`).
pub(crate) async fn write(
    conn: &mut AnyConnection,
    records: &[StaffDoc],
    changes: &[(usize, Option<StaffDoc>)],
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let mut new_rows = Vec::new();
    for (at, old) in changes {
        let s = &records[*at];
        match old {
            None => new_rows.push(row(s, *at as i64)),
            Some(_) => {
                let mut values = fields(s);
                values.push(Value::text(&s.id));
                execute(
                    conn,
                    "UPDATE staff SET name = $1, role = $2, team_id = $3, start_date = $4, end_date = $5, fte = $6 WHERE id = $7",
                    values,
                )
                .await?;
                updated.push(format!("staff {}", s.id));
            }
        }
        audit.push(audit_row("staff", &s.id, old.as_ref(), s));
    }
    insert_rows(conn, "staff", &COLUMNS, &new_rows).await
}

/// One thing of a staff member, changed on its own page.
#[derive(Clone, Debug, PartialEq)]
pub enum StaffChange {
    /// The team (its id).
    Team(String),
    /// The FTE, more than 0 and at most 1.
    Fte(serde_json::Number),
    /// The first day in post (YYYY-MM-DD).
    StartDate(String),
    /// The last day in post (YYYY-MM-DD); none: in post.
    EndDate(Option<String>),
}

impl Store {
    /// Saves one stored staff member as changed on the web (their team, FTE,
    /// start or leaving date): the same checks as an import (BAD-1: the
    /// whole result must load), only their row written, with its audit row
    /// (old and new) and a change telling other servers to reload, in one
    /// transaction. Gives the record as stored. Refused: no such staff
    /// member ([`StoreError::NotFound`]), a record the loader would refuse
    /// ([`StoreError::Invalid`]).
    pub async fn save_staff(&self, record: &StaffDoc, actor: &str) -> Result<StaffDoc> {
        let mut tx = self.begin_write().await?;
        if read_one(&mut tx, record.id.trim()).await?.is_none() {
            return Err(StoreError::NotFound(format!("staff {}", record.id.trim())));
        }
        let saved = write_one(&mut tx, record, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Changes one thing of a stored staff member (a staff page's one
    /// field), applied to the record as stored inside the write, so that a
    /// change made meanwhile by someone else to another field is kept; then
    /// as [`Store::save_staff`]. Gives the record as stored.
    pub async fn change_staff(
        &self,
        id: &str,
        change: StaffChange,
        actor: &str,
    ) -> Result<StaffDoc> {
        let mut tx = self.begin_write().await?;
        let Some(mut record) = read_one(&mut tx, id).await? else {
            return Err(StoreError::NotFound(format!("staff {id}")));
        };
        match change {
            StaffChange::Team(team) => record.team = team,
            StaffChange::Fte(fte) => record.fte = fte,
            StaffChange::StartDate(day) => record.start_date = day,
            StaffChange::EndDate(day) => record.end_date = day,
        }
        let saved = write_one(&mut tx, &record, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Adds a staff member under a new id the store chooses (`es4`, the
    /// first of its role's word and a number not taken; the id `record`
    /// gives is not used), with the same checks, audit and change as
    /// [`Store::save_staff`]. Gives the record as stored.
    pub async fn add_staff(&self, record: &StaffDoc, actor: &str) -> Result<StaffDoc> {
        let mut tx = self.begin_write().await?;
        let taken: Vec<(String,)> = sqlx::query_as("SELECT id FROM staff")
            .fetch_all(&mut *tx)
            .await?;
        let taken: HashSet<String> = taken.into_iter().map(|(id,)| id).collect();
        let prefix = match record.role.trim() {
            "" => "staff",
            role => role,
        };
        let id = (1..)
            .map(|n| format!("{prefix}{n}"))
            .find(|id| !taken.contains(id))
            .expect("a free id");
        let record = StaffDoc {
            id,
            ..record.clone()
        };
        let saved = write_one(&mut tx, &record, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// Writes one staff member through the import's door (the service kept as
/// stored, nothing else in the bundle), and reads it back as stored.
async fn write_one(tx: &mut WriteTx, record: &StaffDoc, actor: &str) -> Result<StaffDoc> {
    let (service, policy) = service::read(tx).await?;
    let doc = BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service,
        policy,
        teams: Vec::new(),
        staff: vec![record.clone()],
        clients: Vec::new(),
        referrals: Vec::new(),
        employer_contacts: Vec::new(),
        referral_versions: Default::default(),
    };
    crate::import::import(tx, &doc, actor).await?;
    read_one(tx, record.id.trim())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("staff {}", record.id.trim())))
}
