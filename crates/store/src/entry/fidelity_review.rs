//! Data entry of a fidelity review (issue 26): checked by core
//! (`check_fidelity_review`, FIDR-10..12) against the stored teams and
//! today, written by the fidelity reviews table with its audit entry and a
//! change of fidelity reviews, in one transaction.

use ipstrack_core::Day;
use ipstrack_core::bundle::{FidelityReviewDoc, check_fidelity_review};
use sqlx::AnyConnection;

use crate::audit::{AuditRow, write_audit};
use crate::sql::{insert_rows, json};
use crate::tables::fidelity_reviews::{
    COLUMNS, SavedFidelityReview, append_change, next_id, read_one, row, stored, update,
};
use crate::tables::teams;
use crate::{Result, Store, StoreError};

/// Checks a review as a bundle's, against the stored teams, its date not
/// after `today`: the review as it is stored, or why not.
async fn check(
    conn: &mut AnyConnection,
    review: &FidelityReviewDoc,
    today: Day,
) -> Result<FidelityReviewDoc> {
    let teams = teams::read_all(conn).await?;
    let ids: Vec<&str> = teams.iter().map(|t| t.id.as_str()).collect();
    check_fidelity_review(review, &ids, today).map_err(StoreError::Invalid)
}

/// Writes one review's audit entry and the change, then commits.
async fn audited(
    conn: &mut AnyConnection,
    actor: &str,
    action: &'static str,
    old: Option<&FidelityReviewDoc>,
    id: &str,
) -> Result<SavedFidelityReview> {
    let saved = read_one(conn, id).await?.expect("just written");
    write_audit(
        conn,
        actor,
        vec![AuditRow {
            action,
            record_type: "fidelity_review",
            record_id: id.to_string(),
            old: old.map(json),
            new: Some(json(&saved.review)),
        }],
    )
    .await?;
    append_change(conn).await?;
    Ok(saved)
}

impl Store {
    /// Records a new fidelity review; its id is the next free `fr<n>`.
    pub async fn record_fidelity_review(
        &self,
        review: &FidelityReviewDoc,
        today: Day,
        actor: &str,
    ) -> Result<SavedFidelityReview> {
        let mut tx = self.begin_write().await?;
        let (id, position) = next_id(&mut tx).await?;
        let review = FidelityReviewDoc {
            id,
            ..review.clone()
        };
        let review = check(&mut tx, &review, today).await?;
        insert_rows(
            &mut tx,
            "fidelity_reviews",
            &COLUMNS,
            &[row(&review, position)],
        )
        .await?;
        let saved = audited(&mut tx, actor, "insert", None, &review.id).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Changes a stored fidelity review, refused if it changed since the
    /// page showed version `seen`.
    pub async fn change_fidelity_review(
        &self,
        review: &FidelityReviewDoc,
        seen: i64,
        today: Day,
        actor: &str,
    ) -> Result<SavedFidelityReview> {
        let mut tx = self.begin_write().await?;
        let old = stored(&mut tx, &review.id, seen).await?;
        let review = check(&mut tx, review, today).await?;
        update(&mut tx, &review).await?;
        let saved = audited(&mut tx, actor, "update", Some(&old.review), &review.id).await?;
        tx.commit().await?;
        Ok(saved)
    }
}
