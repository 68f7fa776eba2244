//! Data entry of an employer contact: checked (BAD-1) against the stored
//! staff member it is for and the client it may name, written by the
//! employer contacts table with its audit entry and a change of employer
//! contacts.

use ipstrack_core::bundle::{EmployerContactDoc, check_employer_contact};
use ipstrack_core::model::Role;
use sqlx::AnyConnection;

use crate::audit::{AuditRow, write_audit};
use crate::sql::{insert_rows, json};
use crate::tables::employer_contacts::{
    COLUMNS, SavedEmployerContact, append_change, read_one, row, stored, update,
};
use crate::tables::{clients, staff};
use crate::{Result, Store, StoreError};

/// Checks a contact as a bundle's (BAD-1), against the stored staff and
/// clients: the contact as it is stored (trimmed), or why not.
async fn check(conn: &mut AnyConnection, e: &EmployerContactDoc) -> Result<EmployerContactDoc> {
    let role = staff::read_one(conn, e.es.trim())
        .await?
        .and_then(|s| Role::parse(&s.role));
    let client_known = match e.client.as_deref().map(str::trim) {
        None | Some("") => true,
        Some(id) => clients::read_one(conn, id).await?.is_some(),
    };
    check_employer_contact(e, role, client_known).map_err(StoreError::Invalid)
}

impl Store {
    /// Records a new employer contact; its id is the next free `ec<n>`.
    pub async fn record_employer_contact(
        &self,
        contact: &EmployerContactDoc,
        actor: &str,
    ) -> Result<SavedEmployerContact> {
        let mut tx = self.begin_write().await?;
        let (next, position): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*) + 1, COALESCE(MAX(position) + 1, 0) FROM employer_contacts",
        )
        .fetch_one(&mut *tx)
        .await?;
        let mut n = next;
        let id = loop {
            let id = format!("ec{n}");
            if read_one(&mut tx, &id).await?.is_none() {
                break id;
            }
            n += 1;
        };
        let contact = EmployerContactDoc {
            id,
            ..contact.clone()
        };
        let contact = check(&mut tx, &contact).await?;
        insert_rows(
            &mut tx,
            "employer_contacts",
            &COLUMNS,
            &[row(&contact, position)],
        )
        .await?;
        let saved = read_one(&mut tx, &contact.id).await?.expect("just written");
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "insert",
                record_type: "employer_contact",
                record_id: contact.id.clone(),
                old: None,
                new: Some(json(&saved.contact)),
            }],
        )
        .await?;
        append_change(&mut tx).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Changes a stored employer contact, refused if it changed since the
    /// form showed version `seen`.
    pub async fn change_employer_contact(
        &self,
        contact: &EmployerContactDoc,
        seen: i64,
        actor: &str,
    ) -> Result<SavedEmployerContact> {
        let mut tx = self.begin_write().await?;
        let old = stored(&mut tx, &contact.id, seen).await?;
        let contact = &check(&mut tx, contact).await?;
        update(&mut tx, contact).await?;
        let saved = read_one(&mut tx, &contact.id).await?.expect("just written");
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "update",
                record_type: "employer_contact",
                record_id: contact.id.clone(),
                old: Some(json(&old.contact)),
                new: Some(json(&saved.contact)),
            }],
        )
        .await?;
        append_change(&mut tx).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
