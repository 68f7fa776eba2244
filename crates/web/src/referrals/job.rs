//! Recording a job start on a referral: the same fields and checks as the
//! job's own edit form ([`JobEditForm::job`]), fewer of them asked.

use crate::error::WebResult;
use axum::extract::State;
use ipstrack_core::model::Group;
use ipstrack_store::Step;

use crate::Shared;
use crate::extract::ReferralForm;
use crate::referrals::job_edit::JobEditForm;
use crate::referrals::steps::{invalid, write_step};
use crate::ui::form::{FieldErrors, FormState};

pub(crate) async fn add_job(
    State(state): State<Shared>,
    posted: ReferralForm<JobEditForm>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let r = &data.dataset.referrals[i];
    let mut errors: FieldErrors = Vec::new();
    let mut job = form.job(
        r.received,
        r.status_at_referral == Group::Employed,
        today,
        &mut errors,
    );
    if !errors.is_empty() {
        let again = FormState::again("job", &form, errors);
        return Err(invalid(&v, &data, i, today, again));
    }
    let what = (id.as_str(), "job", "jobs");
    let once = crate::retry::referral_form_key(&v, &form.once, what, &form)?;
    // The store gives the next free id of the referral (j1, j2, …).
    job.id = String::new();
    let blank = FormState::blank("job");
    write_step(&state, &v, &id, (Step::Job(job), once), blank).await
}
