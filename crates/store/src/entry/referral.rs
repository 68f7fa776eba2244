//! Data entry on one referral: a step (see `Step`) or a new referral with,
//! for a new person, their client. The referral is read afresh inside the
//! transaction, the change checked (BAD-1) against the records it names,
//! its rows written by the referrals table, its version counted up, the
//! change appended to the sequence, the retry key kept and the audit entry
//! written.

use ipstrack_core::bundle::{ClientDoc, ReferralDoc};
use sqlx::AnyConnection;

use super::stored::{Saved, check_referral, read_saved};
use crate::audit::{AuditRow, write_audit};
use crate::changes::append_referral;
use crate::sql::json;
use crate::tables::clients;
use crate::tables::referrals::{self, Step, apply, read_referral, record_change, write_step};
use crate::tables::request_keys::{RequestKey, token_used, use_token};
use crate::{Result, StoreError};

/// The referral as stored now when the request's retry key was already
/// used for this same request: the request is a repeat and writes nothing.
/// A key used for another request is refused ([`StoreError::KeyReused`]).
pub(crate) async fn repeated(
    conn: &mut AnyConnection,
    key: Option<&RequestKey>,
) -> Result<Option<Saved>> {
    let Some(done) = token_used(conn, key).await? else {
        return Ok(None);
    };
    read_saved(conn, &done)
        .await?
        .map(Some)
        .ok_or_else(|| StoreError::NotFound(format!("referral {done}")))
}

/// Writes one step on referral `id` (see the module's documentation). A
/// retry key (`once`) already used for this request makes the write a
/// repeat: nothing is written and the referral is given back as it is.
pub(crate) async fn change_referral(
    conn: &mut AnyConnection,
    id: &str,
    step: &Step,
    once: Option<&RequestKey>,
    actor: &str,
) -> Result<Saved> {
    if let Some(repeat) = repeated(conn, once).await? {
        return Ok(repeat);
    }
    if let Step::Contact(contact) = step {
        // A contact's own checks first, naming the contact's fields as the
        // form has them (date, kind, mechanism).
        ipstrack_core::bundle::check_contact(&format!("referral {id}"), contact)
            .map_err(StoreError::Invalid)?;
    }
    let Some((old, version)) = read_referral(conn, id).await? else {
        return Err(StoreError::NotFound(format!("referral {id}")));
    };
    if let Step::Edit { seen_version, .. } = step
        && *seen_version != version
    {
        return Err(StoreError::Conflict {
            current: Box::new(old),
            version,
        });
    }
    let mut new = old.clone();
    apply(&mut new, step)?;
    ipstrack_core::bundle::check_referral_change(&old, &new).map_err(StoreError::Invalid)?;
    // The referral as it is stored: what the loader reads back.
    let (new, _) = check_referral(conn, &new, None).await?;

    write_step(conn, id, step, &new).await?;
    let version = record_change(conn, id).await?;
    use_token(conn, once, id).await?;
    let audit = match step {
        Step::Contact(_) => AuditRow {
            action: "insert",
            record_type: "contact",
            record_id: id.to_string(),
            old: None,
            new: new.contacts.as_ref().and_then(|c| c.last()).map(json),
        },
        _ => AuditRow {
            action: "update",
            record_type: "referral",
            record_id: id.to_string(),
            old: Some(json(&old)),
            new: Some(json(&new)),
        },
    };
    write_audit(conn, actor, vec![audit]).await?;
    let client = clients::read_one(conn, &new.client)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("referral {id}: its client is missing")))?;
    Ok(Saved {
        referral: new,
        client,
        version,
    })
}

/// Bumps the number at the end of an id: `r41` → `r42`, `x` → `x2`.
fn next_id(id: &str) -> String {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, number) = id.split_at(id.len() - digits);
    let n: u64 = number.parse().unwrap_or(1);
    format!("{prefix}{}", n + 1)
}

async fn taken(conn: &mut AnyConnection, table: &str, id: &str) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Creates a referral and, for a new person, their client. An id already
/// taken (by another server's write since the page was made) is replaced by
/// the next free one of the same form (`r41` → `r42`).
pub(crate) async fn create_referral(
    conn: &mut AnyConnection,
    new_client: Option<ClientDoc>,
    mut referral: ReferralDoc,
    once: Option<&RequestKey>,
    actor: &str,
) -> Result<Saved> {
    if let Some(repeat) = repeated(conn, once).await? {
        return Ok(repeat);
    }
    let mut audit = Vec::new();
    while taken(conn, "referrals", &referral.id).await? {
        referral.id = next_id(&referral.id);
    }
    referral.fill_absent();
    if let Some(mut client) = new_client {
        while taken(conn, "clients", &client.id).await? {
            client.id = next_id(&client.id);
        }
        referral.client = client.id.clone();
        let (checked, client) = check_referral(conn, &referral, Some(&client)).await?;
        referral = checked;
        clients::refuse_a_known_nhs_number(conn, &client).await?;
        clients::insert(conn, &client).await?;
        audit.push(AuditRow {
            action: "insert",
            record_type: "client",
            record_id: client.id.clone(),
            old: None,
            new: Some(json(&client)),
        });
    } else {
        referral = check_referral(conn, &referral, None).await?.0;
    }
    referrals::insert(conn, &referral).await?;
    append_referral(conn, &referral.id).await?;
    use_token(conn, once, &referral.id).await?;
    audit.push(AuditRow {
        action: "insert",
        record_type: "referral",
        record_id: referral.id.clone(),
        old: None,
        new: Some(json(&referral)),
    });
    write_audit(conn, actor, audit).await?;
    read_saved(conn, &referral.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the new referral cannot be read back".into()))
}
