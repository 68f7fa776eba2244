//! BAD-1 checks of the bundle's `policy` object: each override of a default
//! in [`Policy`] within its range.

use super::document::PolicyDoc;
use super::errors::{Checker, share};
use super::vocabulary::AFTER_DISCHARGE;
use crate::policy::Policy;

/// The policy a bundle sets (the defaults where it sets none), or `None`
/// after an error naming the field.
pub(super) fn check_policy(c: &mut Checker, doc: Option<&PolicyDoc>) -> Option<Policy> {
    let mut p = Policy::default();
    let Some(doc) = doc else { return Some(p) };
    c.record = "policy".into();
    let before = c.errors.len();
    let days = |c: &mut Checker, field: &str, v: Option<i32>, target: &mut i32| {
        if let Some(v) = v {
            if v < 0 {
                c.error(field, format!("{field} {v} must not be negative"));
            } else {
                *target = v;
            }
        }
    };
    days(
        c,
        "contact_window_days",
        doc.contact_window_days,
        &mut p.contact_window_days,
    );
    days(
        c,
        "assertive_engagement_extra_days",
        doc.assertive_engagement_extra_days,
        &mut p.assertive_engagement_extra_days,
    );
    days(
        c,
        "hold_limit_days",
        doc.hold_limit_days,
        &mut p.hold_limit_days,
    );
    days(
        c,
        "sustainment_gap_days",
        doc.sustainment_gap_days,
        &mut p.sustainment_gap_days,
    );
    days(
        c,
        "contact_due_days",
        doc.contact_due_days,
        &mut p.contact_due_days,
    );
    days(
        c,
        "plan_review_days",
        doc.plan_review_days,
        &mut p.plan_review_days,
    );
    days(
        c,
        "rapid_search_days",
        doc.rapid_search_days,
        &mut p.rapid_search_days,
    );
    if let Some(text) = &doc.sustainment_after_discharge
        && let Some(v) = c.enumeration("sustainment_after_discharge", text, &AFTER_DISCHARGE)
    {
        p.sustainment_after_discharge = v;
    }
    if let Some(n) = &doc.job_hours_threshold
        && let Some(h) = c.hours("job_hours_threshold", n)
    {
        p.job_hours_threshold = h.0;
    }
    if let Some(v) = doc.access_target_year1 {
        p.access_target_year1 = v;
    }
    if let Some(v) = doc.access_target_year2 {
        p.access_target_year2 = v;
    }
    if let Some(v) = doc.training_months {
        if v > 12 {
            c.error(
                "training_months",
                format!("training_months {v} is more than 12"),
            );
        } else {
            p.training_months = v;
        }
    }
    for (field, value, target) in [
        (
            "job_outcome_rate_target",
            &doc.job_outcome_rate_target,
            &mut p.job_outcome_rate_target,
        ),
        (
            "sustainment_rate_target",
            &doc.sustainment_rate_target,
            &mut p.sustainment_rate_target,
        ),
        (
            "retention_share_max",
            &doc.retention_share_max,
            &mut p.retention_share_max,
        ),
    ] {
        if let Some(n) = value {
            match share(n) {
                Some(v) => *target = v,
                None => c.error(field, format!("{field} {n} is not a share between 0 and 1 with at most four decimal places")),
            }
        }
    }
    if let Some(v) = doc.fidelity_caseload {
        p.fidelity_caseload = v;
    }
    if let Some([lo, hi]) = doc.caseload_band {
        if hi < lo {
            c.error(
                "caseload_band",
                format!("caseload_band [{lo}, {hi}] ends before it starts"),
            );
        } else {
            p.caseload_band = (lo, hi);
        }
    }
    (c.errors.len() == before).then_some(p)
}
