//! The clients table: one client's columns in one place, read into a
//! [`ClientDoc`] and written from one (import, data entry, restore).

use ipstrack_core::bundle::ClientDoc;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::AuditRow;
use crate::sql::{Value, execute, insert_rows, opt_text, text};
use crate::tables::upsert;
use crate::{Result, StoreError};

/// The columns of a client after its id and position: the bundle's client
/// fields, in [`values`]' order, then the client it may be a duplicate of.
pub(crate) const FIELDS: [&str; 9] = [
    ClientDoc::FIELDS[0],
    ClientDoc::FIELDS[1],
    ClientDoc::FIELDS[2],
    ClientDoc::FIELDS[3],
    ClientDoc::FIELDS[4],
    ClientDoc::FIELDS[5],
    ClientDoc::FIELDS[6],
    ClientDoc::FIELDS[7],
    "possible_duplicate_of",
];

/// `SELECT` of every client column (`… FROM clients` follows).
pub(crate) const SELECT: &str = "SELECT id, nhs_number, given_name, family_name, date_of_birth, phone, postcode, gender, ethnic_category, possible_duplicate_of";

/// Every column of a new row: id, position, then [`FIELDS`].
pub(crate) fn columns() -> Vec<&'static str> {
    let mut all = vec!["id", "position"];
    all.extend(FIELDS);
    all
}

/// A client's [`FIELDS`] as values.
pub(crate) fn values(c: &ClientDoc) -> Vec<Value> {
    c.values()
        .into_iter()
        .chain([&c.possible_duplicate_of])
        .map(|v| Value::Text(v.clone()))
        .collect()
}

/// A new row: id, position, fields.
pub(crate) fn row(c: &ClientDoc, position: i64) -> Vec<Value> {
    let mut row = vec![Value::Text(Some(c.id.clone())), Value::Int(Some(position))];
    row.extend(values(c));
    row
}

/// A client read from a row of [`SELECT`].
pub(crate) fn from_row(r: &AnyRow) -> Result<ClientDoc> {
    Ok(ClientDoc {
        id: text(r, "id")?,
        nhs_number: opt_text(r, "nhs_number")?,
        given_name: opt_text(r, "given_name")?,
        family_name: opt_text(r, "family_name")?,
        date_of_birth: opt_text(r, "date_of_birth")?,
        phone: opt_text(r, "phone")?,
        postcode: opt_text(r, "postcode")?,
        gender: opt_text(r, "gender")?,
        ethnic_category: opt_text(r, "ethnic_category")?,
        possible_duplicate_of: opt_text(r, "possible_duplicate_of")?,
    })
}

/// Every client, in the order they were first written.
pub(crate) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<ClientDoc>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} FROM clients ORDER BY position"
    )))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// One client, if stored.
pub(crate) async fn read_one(conn: &mut AnyConnection, id: &str) -> Result<Option<ClientDoc>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} FROM clients WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Writes an import's changed clients (see [`upsert::write`]).
pub(crate) async fn write(
    conn: &mut AnyConnection,
    changed: (&[ClientDoc], &[(usize, Option<ClientDoc>)]),
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let table = upsert::Table {
        name: "clients",
        columns: &columns(),
        record_type: "client",
        noun: "client",
        id: |c: &ClientDoc| &c.id,
        row,
        change: None,
    };
    upsert::write(conn, table, changed, update, updated, audit).await
}

/// Inserts a new client after the others.
pub(crate) async fn insert(conn: &mut AnyConnection, c: &ClientDoc) -> Result<()> {
    let (position,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position) + 1, 0) FROM clients")
        .fetch_one(&mut *conn)
        .await?;
    insert_rows(conn, "clients", &columns(), &[row(c, position)]).await
}

/// Writes a stored client's fields anew.
pub(crate) async fn update(conn: &mut AnyConnection, c: &ClientDoc) -> Result<()> {
    let mut values = values(c);
    values.push(Value::Text(Some(c.id.clone())));
    execute(
        conn,
        "UPDATE clients SET nhs_number = $1, given_name = $2, family_name = $3, date_of_birth = $4, \
         phone = $5, postcode = $6, gender = $7, ethnic_category = $8, possible_duplicate_of = $9 \
         WHERE id = $10",
        values,
    )
    .await
}

/// What an edit form shows a client was when it was opened: a hash of the
/// client as stored, so that an edit from an older page is refused.
/// The client is taken as core reads it (trimmed, the postcode in
/// capitals), so that the stored row and the page's copy agree however the
/// row was written.
pub fn fingerprint(c: &ClientDoc) -> String {
    use sha2::{Digest, Sha256};
    let mut normal = ipstrack_core::bundle::client_as_stored(c).unwrap_or_else(|_| c.clone());
    // Not what the client may be a duplicate of: the fingerprint is shown
    // to users who must not learn of it (issue 21).
    normal.possible_duplicate_of = None;
    let text = serde_json::to_string(&normal).expect("a client serialises");
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

/// A client as it is stored (core's form of it, which the loader reads back
/// unchanged), or why it cannot be (BAD-1).
pub(crate) fn as_stored(c: &ClientDoc) -> Result<ClientDoc> {
    ipstrack_core::bundle::client_as_stored(c).map_err(StoreError::Invalid)
}

/// Refuses a client (as stored) whose NHS number another client has: one
/// person is one client — unless one of the two was kept as a possible
/// duplicate of the other, for a manager to merge (issue 21). A client that
/// names another as its possible duplicate must share its number. Numbers
/// are stored as their ten digits (migration 0014 made older rows so), so
/// equal numbers are equal text.
pub(crate) async fn refuse_a_known_nhs_number(
    conn: &mut AnyConnection,
    c: &ClientDoc,
) -> Result<()> {
    if let Some(other) = &c.possible_duplicate_of {
        let theirs: Option<(Option<String>,)> =
            sqlx::query_as("SELECT nhs_number FROM clients WHERE id = $1")
                .bind(other)
                .fetch_optional(&mut *conn)
                .await?;
        if theirs.is_none_or(|(n,)| n.is_none() || n != c.nhs_number) {
            return Err(StoreError::Invalid(ipstrack_core::bundle::BundleErrors(
                vec![ipstrack_core::bundle::BundleError {
                    record: format!("client {}", c.id),
                    field: "possible_duplicate_of".into(),
                    message: format!(
                        "possible_duplicate_of names client {other}, whose NHS number is not this client's"
                    ),
                }],
            )));
        }
    }
    let Some(n) = &c.nhs_number else {
        return Ok(());
    };
    let others: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, possible_duplicate_of FROM clients WHERE nhs_number = $1 AND id <> $2",
    )
    .bind(n)
    .bind(&c.id)
    .fetch_all(&mut *conn)
    .await?;
    let mine = c.possible_duplicate_of.as_ref();
    let allowed = |(id, theirs): &(String, Option<String>)| {
        mine == Some(id)
            || theirs.as_ref() == Some(&c.id)
            || (mine.is_some() && theirs.as_ref() == mine)
    };
    if others.iter().all(allowed) {
        Ok(())
    } else {
        Err(StoreError::Exists(format!(
            "NHS number {n} is already another client's: one person is one client"
        )))
    }
}
