//! Recording a job start on a referral.

use crate::error::WebResult;
use axum::extract::State;
use ipstrack_core::bundle::{self, accepts};
use ipstrack_store::Step;
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::extract::ReferralForm;
use crate::referrals::steps::{invalid, write_step};
use crate::referrals::{FieldErrors, form_date, hours_field, self_employment};
use crate::ui::form::FormState;

#[derive(Deserialize, Serialize)]
pub(crate) struct JobFormData {
    #[serde(default, skip_serializing)]
    once: String,
    #[serde(rename = "type")]
    kind: String,
    employer: String,
    start: String,
    hours_per_week: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    evidence: String,
}

pub(crate) async fn add_job(
    State(state): State<Shared>,
    posted: ReferralForm<JobFormData>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let r = &data.dataset.referrals[i];
    let mut errors: FieldErrors = Vec::new();
    if !accepts(&bundle::JOB_TYPES, &form.kind) {
        errors.push(("type", "Select the kind of paid work".into()));
    }
    if let Err(e) = form_date(
        &form.start,
        "start date",
        today,
        Some((r.received, "referral")),
    ) {
        errors.push(("start", e));
    }
    let parsed = hours_field("hours_per_week", &form.hours_per_week, &mut errors);
    let (registration, evidence) =
        self_employment(&form.kind, &form.registration, &form.evidence, &mut errors);
    if !errors.is_empty() {
        let again = FormState::again("job", &form, errors);
        return Err(invalid(&v, &data, i, today, again));
    }
    let once = crate::retry::form_key(
        &v,
        &form.once,
        format!("referral {id}: job"),
        &format!("/referrals/{id}/jobs"),
        &form,
    )?;
    let kind = form.kind.clone();
    let job = ipstrack_core::bundle::JobDoc {
        // The store gives the next free id of the referral (j1, j2, …).
        id: String::new(),
        self_employment_registration: registration,
        self_employment_evidence: evidence,
        kind,
        employer: Some(form.employer.trim().to_string()).filter(|e| !e.is_empty()),
        start: form.start.trim().to_string(),
        end: None,
        hours_per_week: parsed,
        weekly_hours: None,
        four_hours_confirmed: None,
        retained: Some(false),
        return_to_work: None,
    };
    write_step(
        &state,
        &v,
        &id,
        (Step::Job(job), once),
        crate::ui::form::FormState {
            form: "job",
            ..Default::default()
        },
    )
    .await
}
