//! The change sequence other servers follow: every write appends what it
//! changed ([`Change`]), and a server that loaded the data at one number
//! applies the changes after it (on PostgreSQL woken by a notice).

use sqlx::AnyConnection;

use crate::sql::{Value, execute, now};
use crate::{Result, Store};

/// What one change of the change sequence changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// One referral (its rows, or its client's).
    Referral(String),
    /// The employer contacts, nothing else.
    EmployerContacts,
    /// The fidelity reviews, nothing else.
    FidelityReviews,
    /// More than that (service, policy, teams, staff, clients, many
    /// referrals): a server reloads everything.
    Everything,
}

/// The channel a write notifies on PostgreSQL (see [`Store::wait_for_change`]).
pub(crate) const CHANGES_CHANNEL: &str = "ipstrack_changes";

/// Appends one change to the sequence, in the caller's transaction: on
/// PostgreSQL every listening server is told when it commits.
pub(crate) async fn append(conn: &mut AnyConnection, change: &Change) -> Result<()> {
    let (referral, employer_contacts, fidelity_reviews) = match change {
        Change::Referral(id) => (Some(id.clone()), false, false),
        Change::EmployerContacts => (None, true, false),
        Change::FidelityReviews => (None, false, true),
        Change::Everything => (None, false, false),
    };
    execute(
        conn,
        "INSERT INTO changes (referral_id, at, employer_contacts, fidelity_reviews) \
         VALUES ($1, $2, $3, $4)",
        vec![
            Value::Text(referral),
            Value::text(&now()),
            Value::int(i64::from(employer_contacts)),
            Value::int(i64::from(fidelity_reviews)),
        ],
    )
    .await?;
    if conn.backend_name() == "PostgreSQL" {
        // Delivered when the transaction commits, to every listening server.
        execute(
            conn,
            sqlx::AssertSqlSafe(format!("NOTIFY {CHANGES_CHANNEL}")),
            vec![],
        )
        .await?;
    }
    Ok(())
}

/// Appends a change of one referral.
pub(crate) async fn append_referral(conn: &mut AnyConnection, id: &str) -> Result<()> {
    append(conn, &Change::Referral(id.to_string())).await
}

impl Store {
    /// The last change of the sequence (0 when there is none): a cheap
    /// read, used by a server's readiness check and its change-feed lag.
    pub async fn latest_change(&self) -> Result<i64> {
        let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&self.read)
            .await?;
        Ok(seq)
    }

    /// The changes after `seq`, oldest first (at most `limit`), each with
    /// its number and what it changed.
    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<(i64, Change)>> {
        let rows: Vec<(i64, Option<String>, i64, i64)> = sqlx::query_as(
            "SELECT seq, referral_id, employer_contacts, fidelity_reviews FROM changes \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, referral, employer_contacts, fidelity_reviews)| {
                let change = match (referral, employer_contacts, fidelity_reviews) {
                    (Some(id), _, _) => Change::Referral(id),
                    (None, 0, 0) => Change::Everything,
                    (None, 0, _) => Change::FidelityReviews,
                    (None, _, _) => Change::EmployerContacts,
                };
                (seq, change)
            })
            .collect())
    }
}
