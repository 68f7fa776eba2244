//! BAD-1 checks of one job of a referral (JOB-1, JOB-2, JOB-3's dates).

use serde_json::Number;

use super::document::JobDoc;
use super::errors::Checker;
use super::limits;
use super::text::TextRule;
use super::vocabulary::{JOB_END_REASONS, JOB_TYPES, REGISTRATIONS};
use crate::model::*;

/// One job as stored, or `None` after an error naming the field.
pub(super) fn check_job(c: &mut Checker, j: &JobDoc) -> Option<Job> {
    let before = c.errors.len();
    let kind = if matches!(
        j.kind.trim(),
        "volunteering" | "volunteer" | "unpaid_placement"
    ) {
        c.error(
            "type",
            format!(
                "type `{}` is not paid work and is not a job (JOB-1)",
                j.kind
            ),
        );
        None
    } else {
        c.enumeration("type", &j.kind, &JOB_TYPES)
    };
    let start = c.date("start", &j.start);
    let end = c.opt_date("end", &j.end);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        c.error("end", format!("end {e} is before start {s}"));
    }
    let hours_per_week = j
        .hours_per_week
        .as_ref()
        .and_then(|n| c.hours("hours_per_week", n));
    let employer = c.text(
        "employer",
        j.employer.as_deref(),
        TextRule::line(limits::EMPLOYER_CHARS),
    );
    let weekly: &[Number] = j.weekly_hours.as_deref().unwrap_or_default();
    if weekly.len() > 4 {
        c.error(
            "weekly_hours",
            format!(
                "weekly_hours has {} weeks; at most 4 (the first month) are recorded",
                weekly.len()
            ),
        );
    }
    let weekly_hours: Vec<Hours> = weekly
        .iter()
        .enumerate()
        .filter_map(|(i, n)| c.hours(&format!("weekly_hours[{i}]"), n))
        .collect();
    let four_hours_confirmed = c.opt_date("four_hours_confirmed", &j.four_hours_confirmed);
    if let (Some(s), Some(f)) = (start, four_hours_confirmed)
        && f < s
    {
        c.error(
            "four_hours_confirmed",
            format!("four_hours_confirmed {f} is before start {s}"),
        );
    }
    let registration = j
        .self_employment_registration
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| c.enumeration("self_employment_registration", t, &REGISTRATIONS));
    let return_to_work = c.opt_date("return_to_work", &j.return_to_work);
    let evidence = c.text(
        "self_employment_evidence",
        j.self_employment_evidence.as_deref(),
        TextRule::line(limits::EVIDENCE_CHARS),
    );
    let end_reason = j
        .end_reason
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .and_then(|t| c.enumeration("end_reason", t, &JOB_END_REASONS));
    if end_reason.is_some() && j.end.as_deref().is_none_or(|e| e.trim().is_empty()) {
        c.error(
            "end_reason",
            "end_reason is given but the job has no end: record the day it ended too".to_string(),
        );
    }
    if c.errors.len() != before {
        return None;
    }
    Some(Job {
        id: j.id.trim().to_string(),
        kind: kind?,
        employer: employer.ok()?,
        start: start?,
        end,
        hours_per_week,
        weekly_hours,
        four_hours_confirmed,
        self_employment_registration: registration,
        self_employment_evidence: evidence.ok()?.map(Box::from),
        retained: j.retained.unwrap_or(false),
        return_to_work,
        pays_minimum_wage: j.pays_minimum_wage,
        open_to_anyone: j.open_to_anyone,
        end_reason,
    })
}
