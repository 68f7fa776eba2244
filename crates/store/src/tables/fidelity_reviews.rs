//! The fidelity_reviews table (issue 26): the service's fidelity reviews,
//! read into [`FidelityReviewDoc`]s and written one at a time (a form, the
//! API) or with an import, each write audited with its old and new values
//! and published to other servers as a change of fidelity reviews only.
//! Reviewers, items and actions are kept as the bundle's JSON for them.

use ipstrack_core::bundle::FidelityReviewDoc;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::audit::AuditRow;
use crate::changes::{Change, append};
use crate::sql::{Value, execute, int, json, opt_text, text};
use crate::tables::upsert;
use crate::{Result, StoreError};

/// The columns of a new row.
pub(crate) const COLUMNS: [&str; 9] = [
    "id",
    "position",
    "team_id",
    "period",
    "review_date",
    "stage",
    "reviewers",
    "items",
    "actions",
];

const SELECT: &str = "SELECT id, team_id, period, review_date, stage, reviewers, items, actions, \
                      version FROM fidelity_reviews";

/// A fidelity review as stored, with its version (counted up by each change).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedFidelityReview {
    pub review: FidelityReviewDoc,
    pub version: i64,
}

fn from_json<T: serde::de::DeserializeOwned>(r: &AnyRow, column: &str) -> Result<T> {
    serde_json::from_str(&text(r, column)?)
        .map_err(|e| StoreError::Corrupt(format!("fidelity_reviews.{column}: {e}")))
}

fn from_row(r: &AnyRow) -> Result<SavedFidelityReview> {
    Ok(SavedFidelityReview {
        review: FidelityReviewDoc {
            id: text(r, "id")?,
            team: opt_text(r, "team_id")?,
            period: text(r, "period")?,
            review_date: text(r, "review_date")?,
            stage: text(r, "stage")?,
            reviewers: from_json(r, "reviewers")?,
            items: from_json(r, "items")?,
            actions: from_json(r, "actions")?,
        },
        version: int(r, "version")?,
    })
}

/// A new row: id, position, fields. The review is as core's check gives it.
pub(crate) fn row(f: &FidelityReviewDoc, position: i64) -> Vec<Value> {
    vec![
        Value::text(&f.id),
        Value::Int(Some(position)),
        Value::opt_text(&f.team),
        Value::text(&f.period),
        Value::text(&f.review_date),
        Value::text(&f.stage),
        Value::text(&json(&f.reviewers)),
        Value::text(&json(&f.items)),
        Value::text(&json(&f.actions)),
    ]
}

/// Every stored review with its version, in the order they were first written.
async fn read_all_saved(conn: &mut AnyConnection) -> Result<Vec<SavedFidelityReview>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY position")))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Every stored review, in the order they were first written.
pub(crate) async fn read_all(conn: &mut AnyConnection) -> Result<Vec<FidelityReviewDoc>> {
    let saved = read_all_saved(conn).await?;
    Ok(saved.into_iter().map(|s| s.review).collect())
}

/// One stored review with its version.
pub(crate) async fn read_one(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SavedFidelityReview>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The stored review `id` at version `seen`: not found, or changed since.
pub(crate) async fn stored(
    conn: &mut AnyConnection,
    id: &str,
    seen: i64,
) -> Result<SavedFidelityReview> {
    let old = read_one(conn, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("fidelity review {id}")))?;
    if old.version != seen {
        return Err(StoreError::Changed(format!("fidelity review {id}")));
    }
    Ok(old)
}

/// The next free id (`fr<n>`) and position of a new review.
pub(crate) async fn next_id(conn: &mut AnyConnection) -> Result<(String, i64)> {
    let (next, position): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*) + 1, COALESCE(MAX(position) + 1, 0) FROM fidelity_reviews")
            .fetch_one(&mut *conn)
            .await?;
    let mut n = next;
    loop {
        let id = format!("fr{n}");
        if read_one(conn, &id).await?.is_none() {
            return Ok((id, position));
        }
        n += 1;
    }
}

/// Writes a changed review's fields over its row and counts its version up.
pub(crate) async fn update(conn: &mut AnyConnection, f: &FidelityReviewDoc) -> Result<()> {
    let mut values = row(f, 0);
    let id = values.remove(0);
    values.remove(0);
    values.push(id);
    execute(
        conn,
        "UPDATE fidelity_reviews SET team_id = $1, period = $2, review_date = $3, stage = $4, \
         reviewers = $5, items = $6, actions = $7, version = version + 1 WHERE id = $8",
        values,
    )
    .await
}

/// Appends a change of fidelity reviews to the change sequence: a server
/// reloads the reviews, nothing else.
pub(crate) async fn append_change(conn: &mut AnyConnection) -> Result<()> {
    append(conn, &Change::FidelityReviews).await
}

/// Writes an import's changed reviews (see [`upsert::write`]) and, if any
/// changed, appends a change of fidelity reviews.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    changed: (&[FidelityReviewDoc], &[(usize, Option<FidelityReviewDoc>)]),
    updated: &mut Vec<String>,
    audit: &mut Vec<AuditRow>,
) -> Result<()> {
    let table = upsert::Table {
        name: "fidelity_reviews",
        columns: &COLUMNS,
        record_type: "fidelity_review",
        noun: "fidelity review",
        id: |f: &FidelityReviewDoc| &f.id,
        row,
        change: Some(Change::FidelityReviews),
    };
    upsert::write(conn, table, changed, update, updated, audit).await
}

impl crate::Store {
    /// Every stored fidelity review (a server reloads them after a change).
    pub async fn fidelity_reviews(&self) -> Result<Vec<FidelityReviewDoc>> {
        let mut conn = self.read.acquire().await?;
        read_all(&mut conn).await
    }

    /// Every stored fidelity review with its version, in one read.
    pub async fn saved_fidelity_reviews(&self) -> Result<Vec<SavedFidelityReview>> {
        let mut conn = self.read.acquire().await?;
        read_all_saved(&mut conn).await
    }

    /// One fidelity review as stored, with its version.
    pub async fn fidelity_review(&self, id: &str) -> Result<Option<SavedFidelityReview>> {
        let mut conn = self.read.acquire().await?;
        read_one(&mut conn, id).await
    }
}
