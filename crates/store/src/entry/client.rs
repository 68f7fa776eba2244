//! Data entry on a person: their details changed, or a possible duplicate
//! merged into the client it duplicates (issue 21) — the client's row, the
//! referrals and employer contacts that name it, the change sequence and the
//! audit log, in one transaction.

use ipstrack_core::bundle::ClientDoc;

use super::stored::read_saved;
use crate::audit::{AuditRow, write_audit};
use crate::changes::{Change, append, append_referral};
use crate::sql::{Value, execute};
use crate::tables::clients::{as_stored, fingerprint, read_one, refuse_a_known_nhs_number, update};
use crate::{Result, StoreError};

impl crate::Store {
    /// Changes who a client is (the person's edit form, reached from
    /// `referral`): checked as a bundle's client is (BAD-1) with an NHS
    /// number no other client has, refused if the client changed since the
    /// form showed it (`seen`, its [`fingerprint`]), audited with the old and
    /// new values, and published as a change of `referral` (whose client it
    /// is, its version counted up) so every server shows the new details.
    pub async fn update_client(
        &self,
        referral: &str,
        client: &ClientDoc,
        seen: &str,
        actor: &str,
    ) -> Result<crate::Saved> {
        let mut tx = self.begin_write().await?;
        let saved = read_saved(&mut tx, referral)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("referral {referral}")))?;
        if saved.client.id != client.id {
            return Err(StoreError::NotFound(format!("client {}", client.id)));
        }
        if fingerprint(&saved.client) != seen {
            return Err(StoreError::Changed(format!("client {}", client.id)));
        }
        // The client as stored: trimmed, the NHS number its ten digits.
        let client = &as_stored(client)?;
        refuse_a_known_nhs_number(&mut tx, client).await?;
        update(&mut tx, client).await?;
        let whole_reload = client.nhs_number != saved.client.nhs_number;
        if whole_reload {
            // Clients kept as possible duplicates of this one no longer share
            // its number: they are no longer taken for the same person.
            execute(
                &mut tx,
                "UPDATE clients SET possible_duplicate_of = NULL WHERE possible_duplicate_of = $1",
                vec![Value::Text(Some(client.id.clone()))],
            )
            .await?;
            append(&mut tx, &Change::Everything).await?;
        }
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "update",
                record_type: "client",
                record_id: client.id.clone(),
                old: Some(serde_json::to_string(&saved.client).expect("serialises")),
                new: Some(serde_json::to_string(client).expect("serialises")),
            }],
        )
        .await?;
        // The referral shows its client: a new version of it, so that every
        // server takes the new details.
        execute(
            &mut tx,
            "UPDATE referrals SET version = version + 1 WHERE id = $1",
            vec![Value::Text(Some(referral.to_string()))],
        )
        .await?;
        append_referral(&mut tx, referral).await?;
        tx.commit().await?;
        Ok(crate::Saved {
            client: client.clone(),
            version: saved.version + 1,
            ..saved
        })
    }

    /// Merges client `duplicate`, kept as a possible duplicate of `into`
    /// (issue 21), into it: a manager found them one person. Every referral
    /// of `duplicate` (and employer contact naming it) becomes `into`'s
    /// (a referral's version counted up), the
    /// duplicate's record is removed, each change audited, in one
    /// transaction; every server reloads. The known client's details are
    /// kept. Refused (not found) unless `duplicate` names `into`.
    pub async fn merge_clients(&self, duplicate: &str, into: &str, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let doc = read_one(&mut tx, duplicate).await?;
        let Some(doc) = doc.filter(|d| d.possible_duplicate_of.as_deref() == Some(into)) else {
            return Err(StoreError::NotFound(format!("client {duplicate}")));
        };
        let moved: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM referrals WHERE client_id = $1 ORDER BY id")
                .bind(duplicate)
                .fetch_all(&mut *tx)
                .await?;
        // Every row naming the duplicate names the known client instead.
        for statement in [
            "UPDATE referrals SET client_id = $1, version = version + 1 WHERE client_id = $2",
            "UPDATE employer_contacts SET client_id = $1 WHERE client_id = $2",
            "UPDATE clients SET possible_duplicate_of = $1 WHERE possible_duplicate_of = $2",
        ] {
            let ids = vec![
                Value::Text(Some(into.to_string())),
                Value::Text(Some(duplicate.to_string())),
            ];
            execute(&mut tx, statement, ids).await?;
        }
        execute(
            &mut tx,
            "DELETE FROM clients WHERE id = $1",
            vec![Value::Text(Some(duplicate.to_string()))],
        )
        .await?;
        let mut audit: Vec<AuditRow> = moved
            .into_iter()
            .map(|(referral,)| AuditRow {
                action: "update",
                record_type: "referral",
                record_id: referral,
                old: Some(serde_json::json!({ "client": duplicate }).to_string()),
                new: Some(serde_json::json!({ "client": into }).to_string()),
            })
            .collect();
        // Removed, and the audit entry says into whom.
        audit.push(AuditRow {
            action: "delete",
            record_type: "client",
            record_id: duplicate.to_string(),
            old: Some(serde_json::to_string(&doc).expect("serialises")),
            new: Some(serde_json::json!({ "merged_into": into }).to_string()),
        });
        write_audit(&mut tx, actor, audit).await?;
        append(&mut tx, &Change::Everything).await?;
        tx.commit().await?;
        Ok(())
    }
}
