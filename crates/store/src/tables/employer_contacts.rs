//! The employer_contacts table (issue 13): the ES's contacts with employers,
//! read into [`EmployerContactDoc`]s and written one at a time (data entry)
//! or with an import, each write audited with its old and new values and
//! published to other servers as a change of employer contacts only.

use ipstrack_core::bundle::EmployerContactDoc;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::{AuditRow, write_audit};
use crate::changes::{Change, append};
use crate::sql::{Value, execute, int, json, opt_text, text};
use crate::tables::upsert;
use crate::{Result, StoreError};

/// The columns of a new row.
pub(crate) const COLUMNS: [&str; 8] = [
    "id",
    "position",
    "es_id",
    "date",
    "employer",
    "kind",
    "note",
    "client_id",
];

const SELECT: &str =
    "SELECT id, es_id, date, employer, kind, note, client_id, version FROM employer_contacts";

/// An employer contact as stored, with its version (counted up by each change).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedEmployerContact {
    pub contact: EmployerContactDoc,
    pub version: i64,
}

fn from_row(r: &AnyRow) -> Result<SavedEmployerContact> {
    Ok(SavedEmployerContact {
        contact: EmployerContactDoc {
            id: text(r, "id")?,
            es: text(r, "es_id")?,
            date: text(r, "date")?,
            employer: text(r, "employer")?,
            kind: text(r, "kind")?,
            note: opt_text(r, "note")?,
            client: opt_text(r, "client_id")?,
        },
        version: int(r, "version")?,
    })
}

/// A new row: id, position, fields.
pub(crate) fn row(e: &EmployerContactDoc, position: i64) -> Vec<Value> {
    vec![
        Value::text(&e.id),
        Value::Int(Some(position)),
        Value::text(&e.es),
        Value::text(&e.date),
        Value::text(e.employer.trim()),
        Value::text(&e.kind),
        Value::Text(
            e.note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        ),
        Value::Text(e.client.clone()),
    ]
}

/// Every stored employer contact, in the order they were first written.
pub(crate) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<EmployerContactDoc>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY position")))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| from_row(r).map(|s| s.contact))
        .collect()
}

/// One stored employer contact with its version.
pub(crate) async fn read_one(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SavedEmployerContact>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Writes a changed contact's fields over its row and counts its version up.
pub(crate) async fn update(conn: &mut AnyConnection, e: &EmployerContactDoc) -> Result<()> {
    let mut values = row(e, 0);
    let id = values.remove(0);
    values.remove(0);
    values.push(id);
    execute(
        conn,
        "UPDATE employer_contacts SET es_id = $1, date = $2, employer = $3, kind = $4, note = $5, \
         client_id = $6, version = version + 1 WHERE id = $7",
        values,
    )
    .await
}

/// Appends a change of employer contacts to the change sequence: a server
/// reloads the employer contacts, nothing else.
pub(crate) async fn append_change(conn: &mut AnyConnection) -> Result<()> {
    append(conn, &Change::EmployerContacts).await
}

/// Writes an import's changed employer contacts (see [`upsert::write`])
/// and, if any changed, appends a change of employer contacts.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    changed: (
        &[EmployerContactDoc],
        &[(usize, Option<EmployerContactDoc>)],
    ),
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let table = upsert::Table {
        name: "employer_contacts",
        columns: &COLUMNS,
        record_type: "employer_contact",
        noun: "employer contact",
        id: |e: &EmployerContactDoc| &e.id,
        row,
        change: Some(Change::EmployerContacts),
    };
    upsert::write(conn, table, changed, update, updated, audit).await
}

impl crate::Store {
    /// Every stored employer contact (a server reloads them after a change).
    pub async fn employer_contacts(&self) -> Result<Vec<EmployerContactDoc>> {
        let mut conn = self.read.acquire().await?;
        read_all(&mut conn).await
    }

    /// One employer contact as stored, with its version.
    pub async fn employer_contact(&self, id: &str) -> Result<Option<SavedEmployerContact>> {
        let mut conn = self.read.acquire().await?;
        read_one(&mut conn, id).await
    }

    /// Removes a stored employer contact, refused if it changed since the
    /// page showed version `seen`.
    pub async fn remove_employer_contact(&self, id: &str, seen: i64, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let old = stored(&mut tx, id, seen).await?;
        execute(
            &mut tx,
            "DELETE FROM employer_contacts WHERE id = $1",
            vec![Value::text(id)],
        )
        .await?;
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "delete",
                record_type: "employer_contact",
                record_id: id.to_string(),
                old: Some(json(&old.contact)),
                new: None,
            }],
        )
        .await?;
        append_change(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The stored contact `id` at version `seen`: not found, or changed since.
pub(crate) async fn stored(
    conn: &mut AnyConnection,
    id: &str,
    seen: i64,
) -> Result<SavedEmployerContact> {
    let old = read_one(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("employer contact {id}")))?;
    if old.version != seen {
        return Err(StoreError::Changed(format!("employer contact {id}")));
    }
    Ok(old)
}
