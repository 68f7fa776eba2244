//! BAD-2: the data-quality warnings of a valid dataset. The data is kept and
//! each record with something to look at is listed.

use serde::Serialize;

use super::vocabulary::{JOB_TYPES, name_of};
use crate::model::*;

/// A BAD-2 data-quality warning: the data is kept and the record listed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "BAD-2"))]
    pub rule: &'static str,
    /// The record: a referral id, or `referral/job` for a job.
    pub record: String,
    pub message: String,
}

/// BAD-2: data-quality warnings of a valid dataset, sorted by record.
pub fn warnings(data: &Dataset) -> Vec<Warning> {
    let mut out: Vec<Warning> = data
        .counted_referrals()
        .flat_map(|(_, r)| referral_warnings(r))
        .collect();
    out.sort();
    out
}

/// BAD-2: the data-quality warnings of one referral (its own records only).
pub fn referral_warnings(r: &Referral) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |record: String, message: String| {
        out.push(Warning {
            rule: "BAD-2",
            record,
            message,
        })
    };
    {
        if let Some(d) = &r.discharge {
            for k in r.contacts.iter().filter(|k| k.date > d.date) {
                warn(
                    r.id.clone(),
                    format!("contact on {} is after discharge on {}", k.date, d.date),
                );
            }
        }
        let mut holds: Vec<&Spell> = r.holds.iter().collect();
        holds.sort_by_key(|h| h.start);
        for pair in holds.windows(2) {
            if pair[0].end.is_none_or(|end| pair[1].start <= end) {
                warn(
                    r.id.clone(),
                    format!(
                        "hold from {} overlaps hold from {}",
                        pair[1].start, pair[0].start
                    ),
                );
            }
        }
        for d in &r.decisions {
            if d.reason.as_deref().is_none_or(|s| s.trim().is_empty()) {
                warn(
                    r.id.clone(),
                    format!("team decision from {} has no reason", d.spell.start),
                );
            }
        }
        for j in &r.jobs {
            let record = format!("{}/{}", r.id, j.id);
            if j.retained {
                if r.status_at_referral == Group::Unemployed {
                    warn(
                        record.clone(),
                        "retained job on an unemployed referral (not counted)".into(),
                    );
                }
            } else {
                if j.start < r.received {
                    warn(
                        record.clone(),
                        format!(
                            "job starts {} before the referral was received {}",
                            j.start, r.received
                        ),
                    );
                }
                if let Some(d) = &r.discharge
                    && j.start > d.date
                {
                    warn(
                        record.clone(),
                        format!("job starts {} after discharge {}", j.start, d.date),
                    );
                }
            }
            if j.kind == JobType::SelfEmployed && j.self_employment_registration.is_none() {
                warn(
                    record.clone(),
                    "self-employment without a registration (UTR): not a job outcome".into(),
                );
            }
            if j.hours_per_week.is_none() && j.weekly_hours.is_empty() {
                warn(record.clone(), "job with no hours recorded".into());
            }
            if !j.kind.has_variable_hours() && !j.weekly_hours.is_empty() {
                warn(
                    record,
                    format!(
                        "first-month weekly hours on a fixed-hours {} job",
                        name_of(&JOB_TYPES, j.kind)
                    ),
                );
            }
        }
    }
    out.sort();
    out
}
