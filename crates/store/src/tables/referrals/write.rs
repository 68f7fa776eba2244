//! Row-level writes to one referral (data entry).
//!
//! Each kind of write changes only its own rows, inside one transaction with
//! its audit entry: a contact inserts a contact, a hold inserts a hold, access
//! updates the referral's row, a correction deletes one row. The referral is
//! read afresh inside the transaction (never from a server's cached copy), the
//! change is checked with the rules engine's BAD-1 checks against the records
//! it names (its client, its specialists and their teams, the service's
//! policy: each found through its index), and the referral's version is
//! counted up. An edit (access, plan, discharge, a correction) names the
//! version its page showed — it cannot be made without one ([`Step::Edit`]) —
//! and is refused with [`StoreError::Conflict`] if the referral changed
//! since; an addition never conflicts. Every write appends to the change
//! sequence, so other servers load just this referral. A write sent with a
//! retry key ([`RequestKey`]) records it: the same request sent again is
//! answered with what the first wrote, another request under the key is
//! refused ([`StoreError::KeyReused`]).

use ipstrack_core::bundle::{ClientDoc, ReferralDoc};
use sqlx::{AnyConnection, Connection};

use super::children::ChildRows;
use super::steps::{Edit, Entry, Step, apply, last_entry, whole_list};
use super::{next_position, read_referral, record_change};
use crate::audit::{AuditRow, write_audit};
use crate::changes::append_referral;
use crate::sql::{Value, execute, insert_rows, json};
use crate::tables::request_keys::{RequestKey, token_used, use_token};
use crate::tables::{Saved, check_referral, clients, read_saved};
use crate::{Result, Store, StoreError};

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

    match step {
        Step::Edit {
            edit: Edit::Access(_),
            ..
        } => {
            execute(
                conn,
                "UPDATE referrals SET access = $1 WHERE id = $2",
                vec![Value::Text(new.access.clone()), Value::text(id)],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::Plan(_),
            ..
        } => {
            let p = new.vocational_plan.as_ref();
            execute(
                conn,
                "UPDATE referrals SET plan_start = $1, plan_end = $2, plan_reviews = $3, plan_agreed = $4 WHERE id = $5",
                vec![
                    Value::Text(p.map(|p| p.start.clone())),
                    Value::Text(p.and_then(|p| p.end.clone())),
                    Value::Text(super::plan_reviews(p)),
                    Value::Int(super::plan_agreed(p)),
                    Value::text(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::Discharge(_),
            ..
        } => {
            let d = new.discharge.as_ref();
            execute(
                conn,
                "UPDATE referrals SET discharge_date = $1, discharge_reason = $2 WHERE id = $3",
                vec![
                    Value::Text(d.map(|d| d.date.clone())),
                    Value::Text(d.and_then(|d| d.reason.clone())),
                    Value::text(id),
                ],
            )
            .await?
        }
        Step::Edit {
            edit: Edit::Remove { entry, index },
            ..
        } => match entry.table() {
            None => {
                let columns = match entry {
                    Entry::Access => "access = NULL",
                    Entry::Plan => {
                        "plan_start = NULL, plan_end = NULL, plan_reviews = NULL, plan_agreed = NULL"
                    }
                    _ => "discharge_date = NULL, discharge_reason = NULL",
                };
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!("UPDATE referrals SET {columns} WHERE id = $1")),
                    vec![Value::text(id)],
                )
                .await?
            }
            Some(table) => {
                let (position,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT position FROM {table} WHERE referral_id = $1 ORDER BY position LIMIT 1 OFFSET {index}"
                )))
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!(
                        "DELETE FROM {table} WHERE referral_id = $1 AND position = $2"
                    )),
                    vec![Value::text(id), Value::Int(Some(position))],
                )
                .await?
            }
        },
        Step::Edit {
            edit: Edit::Replace(replacement),
            ..
        } => {
            // The list the entry is in is written anew, in its order.
            let (table, only) = whole_list(&new, replacement);
            execute(
                conn,
                sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE referral_id = $1")),
                vec![Value::text(id)],
            )
            .await?;
            let mut rows = ChildRows::default();
            rows.add(&only);
            rows.insert(conn).await?;
        }
        addition => {
            // The new entry is the last of its list in `new`: its rows are
            // made as an import makes them, at the next free position.
            let (table, only) = last_entry(&new, addition);
            let mut rows = ChildRows::default();
            rows.add(&only);
            let next = next_position(conn, table, id).await?;
            rows.set_position(next);
            rows.insert(conn).await?;
        }
    }
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
        let (position,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(position) + 1, 0) FROM clients")
                .fetch_one(&mut *conn)
                .await?;
        insert_rows(
            conn,
            "clients",
            &clients::columns(),
            &[clients::row(&client, position)],
        )
        .await?;
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
    let (position,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(position) + 1, 0) FROM referrals")
            .fetch_one(&mut *conn)
            .await?;
    insert_rows(
        conn,
        "referrals",
        &super::COLUMNS,
        &[super::row(&referral, position)],
    )
    .await?;
    let mut rows = ChildRows::default();
    rows.add(&referral);
    rows.insert(conn).await?;
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

impl Store {
    /// The referral a retry key (a form's one-time token, an API request's
    /// `Idempotency-Key`) already wrote for this same request, if it did: a
    /// retry answers with it. A key the user used for another request is
    /// refused ([`StoreError::KeyReused`]).
    pub async fn done_with(&self, key: &RequestKey) -> Result<Option<Saved>> {
        let mut conn = self.read.acquire().await?;
        let mut tx = conn.begin().await?;
        let saved = repeated(&mut tx, Some(key)).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// One referral as stored now, with its client and version.
    pub async fn referral(&self, id: &str) -> Result<Option<Saved>> {
        let mut conn = self.read.acquire().await?;
        let mut tx = conn.begin().await?;
        let saved = read_saved(&mut tx, id).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Records one step on a referral, writing only its own rows (see
    /// [`Step`]); an edit names the version its page showed
    /// ([`Step::Edit`]) and is refused with [`StoreError::Conflict`] if the
    /// referral changed.
    pub async fn change_referral(&self, id: &str, step: &Step, actor: &str) -> Result<Saved> {
        self.change_referral_once(id, step, None, actor).await
    }

    /// [`Store::change_referral`] with a retry key: the same request sent
    /// again with it (a retry after a time-out or a crash) writes nothing and
    /// gives the referral back as it is; another request under the key is
    /// refused ([`StoreError::KeyReused`]).
    pub async fn change_referral_once(
        &self,
        id: &str,
        step: &Step,
        once: Option<&RequestKey>,
        actor: &str,
    ) -> Result<Saved> {
        let mut tx = self.begin_write().await?;
        let saved = change_referral(&mut tx, id, step, once, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Creates a referral and, for a new person, their client (data entry):
    /// checked against the records it names and audited; an id taken since
    /// the form was made is replaced by the next free one.
    /// A retry key (`once`) sent again with the same request gives back the
    /// referral the first request created, and writes nothing.
    pub async fn create_referral(
        &self,
        client: Option<ClientDoc>,
        referral: ReferralDoc,
        once: Option<&RequestKey>,
        actor: &str,
    ) -> Result<Saved> {
        let mut tx = self.begin_write().await?;
        let saved = create_referral(&mut tx, client, referral, once, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Records a contact on a referral (data entry), in its own transaction.
    pub async fn add_contact(
        &self,
        referral_id: &str,
        contact: &ipstrack_core::bundle::ContactDoc,
        actor: &str,
    ) -> Result<()> {
        self.change_referral(referral_id, &Step::Contact(contact.clone()), actor)
            .await
            .map(|_| ())
    }

    /// The number of contacts recorded on a referral.
    pub async fn contact_count(&self, referral_id: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contacts WHERE referral_id = $1")
            .bind(referral_id)
            .fetch_one(&self.read)
            .await?;
        Ok(n)
    }
}
