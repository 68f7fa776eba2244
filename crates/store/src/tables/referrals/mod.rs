//! The referrals table with its child rows (transfers, contacts, holds,
//! waiting list, engagement, decisions, in-work checks, jobs): one
//! aggregate, read whole and written whole by an import, or a step at a
//! time by data entry (`write`).

mod children;
mod read;
mod row;
mod steps;
mod write;

use ipstrack_core::bundle::ReferralDoc;
use sqlx::AnyConnection;

use children::CHILD_TABLES;
pub(crate) use children::ChildRows;
pub(crate) use read::read_all;
pub(crate) use row::{COLUMNS, row};
pub(crate) use steps::apply;
pub use steps::{Edit, Entry, Replacement, Step};
pub(crate) use write::{insert, write_step};

use crate::audit::{AuditRow, audit_row};
use crate::changes::append_referral;
use crate::sql::{Value, execute, insert_rows, rows};
use crate::{Result, Store};

/// One referral with its child records, read through its id.
pub(crate) async fn read_referral(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(ReferralDoc, i64)>> {
    let Some(version) = version_of(conn, id).await? else {
        return Ok(None);
    };
    let docs = read::read_referrals_where(conn, Some(id)).await?;
    Ok(docs.into_iter().next().map(|doc| (doc, version)))
}

pub(crate) async fn version_of(conn: &mut AnyConnection, id: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM referrals WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(v,)| v))
}

/// Counts the referral's version up and appends it to the change sequence.
pub(crate) async fn record_change(conn: &mut AnyConnection, id: &str) -> Result<i64> {
    execute(
        conn,
        "UPDATE referrals SET version = version + 1 WHERE id = $1",
        vec![Value::text(id)],
    )
    .await?;
    append_referral(conn, id).await?;
    Ok(version_of(conn, id).await?.unwrap_or(0))
}

/// The version of every referral, by id (an import of a bundle tells by
/// them which referrals changed since it was taken: issue 20).
pub(crate) async fn versions(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>> {
    rows(conn, "referrals", "id, version", "id").await
}

/// Writes an import's changed referrals (see `teams::write`): a changed
/// referral's row is updated (its version counted up) and its child rows
/// replaced whole; a new one inserted with its child rows.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    records: &[ReferralDoc],
    changes: &[(usize, Option<ReferralDoc>)],
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let mut new_rows = Vec::new();
    let mut child_rows = ChildRows::default();
    for (at, old) in changes {
        let r = &records[*at];
        if old.is_some() {
            for table in CHILD_TABLES {
                execute(
                    conn,
                    sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE referral_id = $1")),
                    vec![Value::text(&r.id)],
                )
                .await?;
            }
            let mut values = row(r, *at as i64);
            let id = values.remove(0);
            values.remove(0);
            values.push(id);
            execute(
                conn,
                "UPDATE referrals SET client_id = $1, received = $2, status_at_referral = $3, es_id = $4, access = $5, \
                 plan_start = $6, plan_end = $7, discharge_date = $8, discharge_reason = $9, \
                 plan_reviews = $10, plan_agreed = $11, error_date = $12, error_reason = $13, \
                 error_by = $14, better_off_date = $15, disclosure_choice = $16, disclosure_date = $17, \
                 plan_job_preferences = $18, version = version + 1 WHERE id = $19",
                values,
            )
            .await?;
            updated.push(format!("referral {}", r.id));
        } else {
            new_rows.push(row(r, *at as i64));
        }
        child_rows.add(r);
        audit.push(audit_row("referral", &r.id, old.as_ref(), r));
    }
    insert_rows(conn, "referrals", &COLUMNS, &new_rows).await?;
    child_rows.insert(conn).await
}

impl Store {
    /// The number of contacts recorded on a referral.
    pub async fn contact_count(&self, referral_id: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contacts WHERE referral_id = $1")
            .bind(referral_id)
            .fetch_one(&self.read)
            .await?;
        Ok(n)
    }
}
