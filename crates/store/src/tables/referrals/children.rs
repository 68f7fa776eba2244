//! A referral's child rows (transfers, contacts, holds, waiting list,
//! engagement, decisions, in-work checks, jobs): made from a referral and
//! inserted in batches.

use ipstrack_core::bundle::ReferralDoc;
use sqlx::AnyConnection;

use crate::Result;
use crate::sql::{Value, insert_rows, json, scaled};

/// The rows of one referral's child tables.
#[derive(Default)]
pub(crate) struct ChildRows {
    transfers: Vec<Vec<Value>>,
    contacts: Vec<Vec<Value>>,
    holds: Vec<Vec<Value>>,
    waiting: Vec<Vec<Value>>,
    engagement: Vec<Vec<Value>>,
    decisions: Vec<Vec<Value>>,
    jobs: Vec<Vec<Value>>,
    in_work_checks: Vec<Vec<Value>>,
}

impl ChildRows {
    /// Every row made gets `position` (one new entry written after the others).
    pub(crate) fn set_position(&mut self, position: i64) {
        for rows in [
            &mut self.transfers,
            &mut self.contacts,
            &mut self.holds,
            &mut self.waiting,
            &mut self.engagement,
            &mut self.decisions,
            &mut self.jobs,
            &mut self.in_work_checks,
        ] {
            for row in rows.iter_mut() {
                row[1] = Value::int(position);
            }
        }
    }

    pub(crate) fn add(&mut self, r: &ReferralDoc) {
        let id = || Value::text(&r.id);
        for (p, x) in r.transfers.iter().flatten().enumerate() {
            self.transfers.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.date),
                Value::text(&x.es),
            ]);
        }
        for (p, x) in r.contacts.iter().flatten().enumerate() {
            self.contacts.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.date),
                Value::text(&x.kind),
                Value::opt_text(&x.mechanism),
                Value::opt_text(&x.note),
                Value::opt_text(&x.location),
            ]);
        }
        for (p, x) in r.holds.iter().flatten().enumerate() {
            self.holds.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.start),
                Value::opt_text(&x.end),
            ]);
        }
        for (p, x) in r.waiting_list.iter().flatten().enumerate() {
            self.waiting.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.start),
                Value::opt_text(&x.end),
                Value::opt_text(&x.expected_return),
            ]);
        }
        for (p, x) in r.engagement.iter().flatten().enumerate() {
            self.engagement.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.date),
                Value::text(&x.status),
            ]);
        }
        for (p, x) in r.decisions.iter().flatten().enumerate() {
            self.decisions.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.start),
                Value::opt_text(&x.end),
                Value::text(&x.status),
                Value::opt_text(&x.reason),
                Value::Text((!x.agreed_by.is_empty()).then(|| json(&x.agreed_by))),
            ]);
        }
        for (p, x) in r.in_work_checks.iter().enumerate() {
            self.in_work_checks.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&x.date),
                Value::text(&x.source),
                Value::opt_text(&x.note),
            ]);
        }
        for (p, j) in r.jobs.iter().flatten().enumerate() {
            // Exact decimals as written (normalised), e.g. [1.5,2].
            let weekly = j.weekly_hours.as_ref().map(json);
            self.jobs.push(vec![
                id(),
                Value::int(p as i64),
                Value::text(&j.id),
                Value::text(&j.kind),
                Value::opt_text(&j.employer),
                Value::text(&j.start),
                Value::opt_text(&j.end),
                Value::Int(j.hours_per_week.as_ref().map(|h| scaled(h, 100.0))),
                Value::Text(weekly),
                Value::opt_text(&j.four_hours_confirmed),
                Value::opt_text(&j.self_employment_registration),
                Value::int(i64::from(j.retained.unwrap_or(false))),
                Value::opt_text(&j.return_to_work),
                Value::opt_text(&j.self_employment_evidence),
                Value::Int(j.pays_minimum_wage.map(i64::from)),
                Value::Int(j.open_to_anyone.map(i64::from)),
                Value::opt_text(&j.end_reason),
            ]);
        }
    }

    pub(crate) async fn insert(self, conn: &mut AnyConnection) -> Result<()> {
        insert_rows(
            conn,
            "transfers",
            &["referral_id", "position", "date", "es_id"],
            &self.transfers,
        )
        .await?;
        insert_rows(
            conn,
            "contacts",
            &[
                "referral_id",
                "position",
                "date",
                "kind",
                "mechanism",
                "note",
                "location",
            ],
            &self.contacts,
        )
        .await?;
        insert_rows(
            conn,
            "holds",
            &["referral_id", "position", "start_date", "end_date"],
            &self.holds,
        )
        .await?;
        insert_rows(
            conn,
            "waiting_list",
            &[
                "referral_id",
                "position",
                "start_date",
                "end_date",
                "expected_return",
            ],
            &self.waiting,
        )
        .await?;
        insert_rows(
            conn,
            "engagement",
            &["referral_id", "position", "date", "status"],
            &self.engagement,
        )
        .await?;
        insert_rows(
            conn,
            "decisions",
            &[
                "referral_id",
                "position",
                "start_date",
                "end_date",
                "status",
                "reason",
                "agreed_by",
            ],
            &self.decisions,
        )
        .await?;
        insert_rows(
            conn,
            "in_work_checks",
            &["referral_id", "position", "date", "source", "note"],
            &self.in_work_checks,
        )
        .await?;
        insert_rows(
            conn,
            "jobs",
            &[
                "referral_id",
                "position",
                "id",
                "type",
                "employer",
                "start_date",
                "end_date",
                "hours_per_week",
                "weekly_hours",
                "four_hours_confirmed",
                "self_employment_registration",
                "retained",
                "return_to_work",
                "self_employment_evidence",
                "pays_minimum_wage",
                "open_to_anyone",
                "end_reason",
            ],
            &self.jobs,
        )
        .await
    }
}

pub(crate) const CHILD_TABLES: [&str; 8] = [
    "transfers",
    "contacts",
    "holds",
    "waiting_list",
    "engagement",
    "decisions",
    "jobs",
    "in_work_checks",
];
