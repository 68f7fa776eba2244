//! The clients table: one client's columns in one place, read into a
//! [`ClientDoc`] and written from one (import, data entry, restore).

use ipstrack_core::bundle::ClientDoc;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::Result;
use crate::records::{Value, execute, opt_text, text};

/// The columns of a client after its id and position, in [`values`]' order.
pub(crate) const FIELDS: [&str; 8] = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "phone",
    "postcode",
    "gender",
    "ethnic_category",
];

/// `SELECT` of every client column (`… FROM clients` follows).
pub(crate) const SELECT: &str = "SELECT id, nhs_number, given_name, family_name, date_of_birth, phone, postcode, gender, ethnic_category";

/// Every column of a new row: id, position, then [`FIELDS`].
pub(crate) fn columns() -> Vec<&'static str> {
    let mut all = vec!["id", "position"];
    all.extend(FIELDS);
    all
}

/// A client's [`FIELDS`] as values.
pub(crate) fn values(c: &ClientDoc) -> Vec<Value> {
    [
        &c.nhs_number,
        &c.given_name,
        &c.family_name,
        &c.date_of_birth,
        &c.phone,
        &c.postcode,
        &c.gender,
        &c.ethnic_category,
    ]
    .into_iter()
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
    })
}

/// Writes a stored client's fields anew.
pub(crate) async fn update(conn: &mut AnyConnection, c: &ClientDoc) -> Result<()> {
    let mut values = values(c);
    values.push(Value::Text(Some(c.id.clone())));
    execute(
        conn,
        "UPDATE clients SET nhs_number = $1, given_name = $2, family_name = $3, date_of_birth = $4, \
         phone = $5, postcode = $6, gender = $7, ethnic_category = $8 WHERE id = $9",
        values,
    )
    .await
}
