//! The referrals table's columns, and a referral as its row.

use ipstrack_core::bundle::{PlanDoc, ReferralDoc};

use crate::sql::Value;

pub(crate) const COLUMNS: [&str; 20] = [
    "id",
    "position",
    "client_id",
    "received",
    "status_at_referral",
    "es_id",
    "access",
    "plan_start",
    "plan_end",
    "discharge_date",
    "discharge_reason",
    "plan_reviews",
    "plan_agreed",
    "error_date",
    "error_reason",
    "error_by",
    "better_off_date",
    "disclosure_choice",
    "disclosure_date",
    "plan_job_preferences",
];

pub(crate) fn row(r: &ReferralDoc, position: i64) -> Vec<Value> {
    vec![
        Value::text(&r.id),
        Value::int(position),
        Value::text(&r.client),
        Value::text(&r.received),
        Value::text(&r.status_at_referral),
        Value::opt_text(&r.es),
        Value::opt_text(&r.access),
        Value::Text(r.vocational_plan.as_ref().map(|p| p.start.clone())),
        Value::Text(r.vocational_plan.as_ref().and_then(|p| p.end.clone())),
        Value::Text(r.discharge.as_ref().map(|d| d.date.clone())),
        Value::Text(r.discharge.as_ref().and_then(|d| d.reason.clone())),
        Value::Text(plan_reviews(r.vocational_plan.as_ref())),
        Value::Int(plan_agreed(r.vocational_plan.as_ref())),
        Value::Text(r.entered_in_error.as_ref().map(|e| e.date.clone())),
        Value::Text(r.entered_in_error.as_ref().map(|e| e.reason.clone())),
        Value::Text(r.entered_in_error.as_ref().map(|e| e.recorded_by.clone())),
        Value::opt_text(&r.better_off_calculation),
        Value::Text(r.disclosure.as_ref().map(|d| d.choice.clone())),
        Value::Text(r.disclosure.as_ref().map(|d| d.date.clone())),
        Value::Text(plan_job_preferences(r.vocational_plan.as_ref())),
    ]
}

/// The job preferences on a plan, as stored (issue 26).
pub(crate) fn plan_job_preferences(p: Option<&PlanDoc>) -> Option<String> {
    p.and_then(|p| p.job_preferences.clone())
}

/// A plan's review days as stored: a JSON array, none when there are none.
pub(crate) fn plan_reviews(p: Option<&PlanDoc>) -> Option<String> {
    p.filter(|p| !p.reviews.is_empty())
        .map(|p| serde_json::to_string(&p.reviews).expect("dates serialise"))
}

/// Whether a plan was agreed with the clinical team, as stored (1, 0, none).
pub(crate) fn plan_agreed(p: Option<&PlanDoc>) -> Option<i64> {
    p.and_then(|p| p.agreed_with_clinical_team).map(i64::from)
}
