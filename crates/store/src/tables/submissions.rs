//! The submissions table: submitted returns, a period's report frozen when
//! it was submitted (a period is submitted once).

use ipstrack_core::report::Report;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{AuditRow, write_audit};
use crate::{Result, Store, StoreError};

/// A submitted return: a period's report frozen when it was submitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub period_label: String,
    pub as_of: String,
    pub submitted_at: String,
    pub submitted_by: String,
    /// The report as submitted (`ipstrack-report/1` JSON).
    pub report: serde_json::Value,
}

impl Store {
    /// Freezes a period's report as submitted. A period is submitted once.
    pub async fn submit(&self, report: &Report, actor: &str) -> Result<Submission> {
        let mut tx = self.begin_write().await?;
        let label = report.period.label.clone();
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT period_label FROM submissions WHERE period_label = $1")
                .bind(&label)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            return Err(StoreError::Exists(format!(
                "{label} has already been submitted; submitted returns never change"
            )));
        }
        let value = serde_json::to_value(report).expect("reports serialise");
        let submission = Submission {
            period_label: label.clone(),
            as_of: report.as_of.to_string(),
            submitted_at: jiff::Timestamp::now().to_string(),
            submitted_by: actor.into(),
            report: value,
        };
        sqlx::query(
            "INSERT INTO submissions (period_label, period_start, period_end, as_of, submitted_at, submitted_by, report) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&label)
        .bind(report.period.start.to_string())
        .bind(report.period.end.to_string())
        .bind(&submission.as_of)
        .bind(&submission.submitted_at)
        .bind(actor)
        .bind(submission.report.to_string())
        .execute(&mut *tx)
        .await?;
        write_audit(
            &mut tx,
            actor,
            vec![AuditRow {
                action: "insert",
                record_type: "submission",
                record_id: label,
                old: None,
                new: Some(format!("{{\"as_of\":\"{}\"}}", submission.as_of)),
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(submission)
    }

    /// Every submitted return, by period.
    pub async fn submissions(&self) -> Result<Vec<Submission>> {
        let mut conn = self.read.acquire().await?;
        read_submissions(&mut conn).await
    }
}

/// Every submitted return, by period, on one connection.
pub(crate) async fn read_submissions(conn: &mut sqlx::AnyConnection) -> Result<Vec<Submission>> {
    let rows = sqlx::query(
        "SELECT period_label, as_of, submitted_at, submitted_by, report FROM submissions ORDER BY period_start, period_label",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let report: String = r.try_get("report")?;
            Ok(Submission {
                period_label: r.try_get("period_label")?,
                as_of: r.try_get("as_of")?,
                submitted_at: r.try_get("submitted_at")?,
                submitted_by: r.try_get("submitted_by")?,
                report: serde_json::from_str(&report)
                    .map_err(|e| StoreError::Corrupt(format!("submission: {e}")))?,
            })
        })
        .collect()
}

/// Puts back a submitted return from a backup (restore), inside the
/// restore's transaction.
pub(crate) async fn insert_submission(
    conn: &mut sqlx::AnyConnection,
    s: &Submission,
) -> Result<()> {
    let period = &s.report["period"];
    let (Some(start), Some(end)) = (period["start"].as_str(), period["end"].as_str()) else {
        return Err(StoreError::Corrupt(format!(
            "submission {}: no period in its report",
            s.period_label
        )));
    };
    sqlx::query(
        "INSERT INTO submissions (period_label, period_start, period_end, as_of, submitted_at, submitted_by, report) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.period_label)
    .bind(start)
    .bind(end)
    .bind(&s.as_of)
    .bind(&s.submitted_at)
    .bind(&s.submitted_by)
    .bind(s.report.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
