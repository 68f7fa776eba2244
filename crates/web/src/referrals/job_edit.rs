//! Changing a job after its start: its kind (and a self-employment's
//! registration), employer, start and end, hours per week, the hours of each
//! of the first four weeks (zero-hours and self-employed work, JOB-2), the
//! day 4 hours of paid work were confirmed, and for a job-retention referral
//! whether it is the job held at referral and its return-to-work date.
//! Reached from the timeline's Change and from the worklist's "4 hours"
//! item. Checked field by field, then by core (BAD-1); refused if the
//! referral changed since the form was opened.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ipstrack_core::bundle::{self, JobDoc, accepts, referral_document};
use ipstrack_core::model::Group;
use ipstrack_core::{Day, Loaded};
use ipstrack_store::{Edit, Replacement, Step, StoreError};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{ReferralForm, SignedIn, referral_in_scope};
use crate::referrals::write::{OUT_OF_DATE, as_stored, seen_version};
use crate::referrals::{
    END_REASON_CHOICES, FieldErrors, NOT_REGISTERED, REGISTRATION_CHOICES, YES_NO_CHOICES,
    form_date, hours_field, self_employment, yes_no,
};
use crate::saved::saved_redirect_on;
use crate::ui::form::{FormState, error_summary, field, options, select};
use crate::ui::layout::layout;
use crate::{Shared, Viewer};

/// The job form as posted (every field text, as typed).
#[derive(Clone, Default, Deserialize, Serialize)]
pub(crate) struct JobEditForm {
    #[serde(default, skip_serializing)]
    version: String,
    /// The job start form's one-time token (the edit form has none).
    #[serde(default, skip_serializing)]
    pub(crate) once: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    hours_per_week: String,
    #[serde(default)]
    week1: String,
    #[serde(default)]
    week2: String,
    #[serde(default)]
    week3: String,
    #[serde(default)]
    week4: String,
    #[serde(default)]
    four_hours_confirmed: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    evidence: String,
    /// `yes` when ticked (a checkbox sends nothing otherwise).
    #[serde(default)]
    retained: String,
    #[serde(default)]
    return_to_work: String,
    /// `yes`, `no` or empty (not known): pays at least the minimum wage.
    #[serde(default)]
    minimum_wage: String,
    /// `yes`, `no` or empty (not known): open to anyone.
    #[serde(default)]
    open_to_anyone: String,
    /// Why the job ended (core's `JOB_END_REASONS`); empty when not recorded.
    #[serde(default)]
    end_reason: String,
    /// The one task the form was opened for (`end`, `hours`), if any.
    #[serde(default, skip_serializing)]
    task: String,
}

/// `?task=end` or `?task=hours`: the job's page for one task.
#[derive(Deserialize)]
pub(crate) struct JobTask {
    task: Option<String>,
}

/// A task's fields (shown; the rest of the job is carried unseen), its title
/// and its button: ending the job, or confirming 4 hours of paid work.
fn task_of(task: &str) -> Option<(&'static [&'static str], &'static str, &'static str)> {
    match task {
        "end" => Some((&["end", "end_reason"], "End", "Save the end of the job")),
        "hours" => Some((
            &["four_hours_confirmed", "week1", "week2", "week3", "week4"],
            "Confirm 4 hours of",
            "Save",
        )),
        _ => None,
    }
}

/// A yes-or-no answer in the form's words (empty: not known).
fn yes_no_text(answer: Option<bool>) -> String {
    match answer {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn text_of(n: &Option<serde_json::Number>) -> String {
    n.as_ref().map(|n| n.to_string()).unwrap_or_default()
}

impl JobEditForm {
    /// The form filled from a job as stored.
    fn of(j: &JobDoc) -> JobEditForm {
        let week = |i: usize| {
            j.weekly_hours
                .as_ref()
                .and_then(|w| w.get(i))
                .map(|n| n.to_string())
                .unwrap_or_default()
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        JobEditForm {
            version: String::new(),
            once: String::new(),
            kind: j.kind.clone(),
            employer: text(&j.employer),
            start: j.start.clone(),
            end: text(&j.end),
            hours_per_week: text_of(&j.hours_per_week),
            week1: week(0),
            week2: week(1),
            week3: week(2),
            week4: week(3),
            four_hours_confirmed: text(&j.four_hours_confirmed),
            // Self-employment without a registration is shown as such, not
            // as a choice to make again.
            registration: match (&j.self_employment_registration, j.kind.as_str()) {
                (Some(r), _) => r.clone(),
                (None, "self_employed") => NOT_REGISTERED.into(),
                (None, _) => String::new(),
            },
            evidence: text(&j.self_employment_evidence),
            retained: if j.retained == Some(true) {
                "yes".into()
            } else {
                String::new()
            },
            return_to_work: text(&j.return_to_work),
            minimum_wage: yes_no_text(j.pays_minimum_wage),
            open_to_anyone: yes_no_text(j.open_to_anyone),
            end_reason: text(&j.end_reason),
            task: String::new(),
        }
    }

    /// The job the form describes, each field checked (`errors` says what
    /// to enter); `received` is the referral's day, `employed` its group.
    pub(crate) fn job(
        &self,
        received: Day,
        employed: bool,
        today: Day,
        errors: &mut FieldErrors,
    ) -> JobDoc {
        if !accepts(&bundle::JOB_TYPES, &self.kind) {
            errors.push(("type", "Select the kind of paid work".into()));
        }
        let employer = match bundle::read_text(
            &self.employer,
            bundle::TextRule::line(bundle::limits::EMPLOYER_CHARS),
        ) {
            Ok(e) => e.unwrap_or_default(),
            Err(problem) => {
                errors.push((
                    "employer",
                    format!("The employer's name {}", problem.words()),
                ));
                ""
            }
        };
        // The job held at referral (job retention) started before it
        // (BAD-1 rev. 3); any other job starts on or after the referral.
        let retained = employed && self.retained == "yes";
        let date = |errors: &mut FieldErrors,
                    name: &'static str,
                    text: &str,
                    what: &str,
                    after: Option<(Day, &str)>| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            form_date(text, what, today, after)
                .map_err(|e| errors.push((name, e)))
                .ok()
        };
        let start = date(
            errors,
            "start",
            &self.start,
            "start date",
            (!retained).then_some((received, "referral")),
        );
        if self.start.trim().is_empty() {
            errors.push(("start", "Enter the start date".into()));
        }
        let after_start = start.map(|s| (s, "start date"));
        let end = date(errors, "end", &self.end, "end date", after_start);
        let confirmed = date(
            errors,
            "four_hours_confirmed",
            &self.four_hours_confirmed,
            "date 4 hours were confirmed",
            after_start,
        );
        let return_to_work = date(
            errors,
            "return_to_work",
            &self.return_to_work,
            "return-to-work date",
            None,
        );
        let hours_per_week = hours_field("hours_per_week", &self.hours_per_week, errors);
        // The first month's weeks, in order: a gap is a mistake.
        let weeks = [
            ("week1", &self.week1),
            ("week2", &self.week2),
            ("week3", &self.week3),
            ("week4", &self.week4),
        ];
        let mut weekly = Vec::new();
        let mut gap = None;
        for (name, text) in weeks {
            match hours_field(name, text, errors) {
                Some(h) if gap.is_none() => weekly.push(h),
                Some(_) => {
                    errors.push((
                        gap.expect("a gap"),
                        "Enter the hours of each week in order, from week 1".into(),
                    ));
                    break;
                }
                None if text.trim().is_empty() && gap.is_none() => gap = Some(name),
                None => {}
            }
        }
        let (registration, evidence) =
            self_employment(&self.kind, &self.registration, &self.evidence, errors);
        let mut answer = |name: &'static str, text: &str, question: &str| {
            yes_no(text)
                .map_err(|()| errors.push((name, format!("Select whether {question}"))))
                .unwrap_or_default()
        };
        let pays_minimum_wage = answer(
            "minimum_wage",
            &self.minimum_wage,
            "the job pays at least the minimum wage",
        );
        let open_to_anyone = answer(
            "open_to_anyone",
            &self.open_to_anyone,
            "the job is open to anyone",
        );
        let end_reason = Some(self.end_reason.trim()).filter(|r| !r.is_empty());
        if end_reason.is_some_and(|r| !accepts(&bundle::JOB_END_REASONS, r)) {
            errors.push(("end_reason", "Select why the job ended".into()));
        } else if end_reason.is_some() && self.end.trim().is_empty() {
            errors.push((
                "end_reason",
                "Enter the last day worked, or leave why the job ended as not recorded".into(),
            ));
        }
        JobDoc {
            id: String::new(),
            kind: self.kind.clone(),
            employer: Some(employer.to_string()).filter(|e| !e.is_empty()),
            start: self.start.trim().to_string(),
            end: end.map(|d| d.to_string()),
            hours_per_week,
            weekly_hours: (!weekly.is_empty()).then_some(weekly),
            four_hours_confirmed: confirmed.map(|d| d.to_string()),
            self_employment_registration: registration,
            self_employment_evidence: evidence,
            retained: Some(retained),
            return_to_work: retained
                .then_some(return_to_work)
                .flatten()
                .map(|d| d.to_string()),
            pays_minimum_wage,
            open_to_anyone,
            end_reason: end_reason.map(str::to_string),
        }
    }
}

/// The referral's `job` (its index and document), or 404.
fn job_of(data: &Loaded, i: usize, job: &str) -> WebResult<(usize, JobDoc)> {
    let doc = referral_document(&data.dataset, &data.dataset.referrals[i]);
    doc.jobs
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .find(|(_, j)| j.id == job)
        .ok_or(WebError::NotFound)
}

pub(crate) async fn job_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Path((id, job)): Path<(String, String)>,
    Query(JobTask { task }): Query<JobTask>,
) -> WebResult<Markup> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    let (_, doc) = job_of(&data, i, &job)?;
    let mut shown = JobEditForm::of(&doc);
    // The day a task records is usually today.
    match task.as_deref() {
        Some("end") if shown.end.is_empty() => shown.end = today.to_string(),
        Some("hours") if shown.four_hours_confirmed.is_empty() => {
            shown.four_hours_confirmed = today.to_string()
        }
        _ => {}
    }
    let form = FormState::again("job", &shown, Vec::new());
    let task = task.as_deref().filter(|t| task_of(t).is_some());
    Ok(job_html(&v, &data, i, (&job, task), &form, today))
}

pub(crate) async fn save_job(
    State(state): State<Shared>,
    Path((_, job)): Path<(String, String)>,
    posted: ReferralForm<JobEditForm>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let (index, _) = job_of(&data, i, &job)?;
    let r = &data.dataset.referrals[i];
    let mut errors: FieldErrors = Vec::new();
    let doc = form.job(
        r.received,
        r.status_at_referral == Group::Employed,
        today,
        &mut errors,
    );
    let again = |errors: FieldErrors| FormState::again("job", &form, errors);
    let task = Some(form.task.as_str()).filter(|t| task_of(t).is_some());
    if !errors.is_empty() {
        let page = job_html(&v, &data, i, (&job, task), &again(errors), today);
        return Err(WebError::Page(StatusCode::UNPROCESSABLE_ENTITY, page));
    }
    // The form again on the referral as it is now, with `message`.
    let stale = |message: &'static str| async {
        let (data, i) = as_stored(&state, &id).await?;
        // The whole job, as it is now, so that the change shows.
        let page = job_html(
            &v,
            &data,
            i,
            (&job, None),
            &again(vec![("type", message.into())]),
            today,
        );
        Err(WebError::Page(StatusCode::CONFLICT, page))
    };
    let Some(seen_version) = seen_version(&form.version) else {
        return stale(OUT_OF_DATE).await;
    };
    let step = Step::Edit {
        edit: Edit::Replace(Replacement::Job(index, Box::new(doc))),
        seen_version,
    };
    match state
        .store
        .change_referral_once(&id, &step, None, &v.session.user.username)
        .await
    {
        Ok(saved) => {
            state.publish(&saved).await;
            let to = format!("/referrals/{id}");
            Ok(match task {
                Some("end") => saved_redirect_on(&state, &to, "job_end", Day::parse(&form.end)),
                Some("hours") => saved_redirect_on(
                    &state,
                    &to,
                    "job_hours",
                    Day::parse(&form.four_hours_confirmed),
                ),
                _ => saved_redirect_on(&state, &to, "job", None),
            })
        }
        Err(StoreError::Conflict { .. }) => {
            let message = "This referral was changed by someone else since you opened this form, so your change was not saved. Check the job below and save it again if it is still needed.";
            stale(message).await
        }
        Err(StoreError::Invalid(bad)) => {
            // Core's refusal may name any field: the whole job is shown.
            let page = job_html(
                &v,
                &data,
                i,
                (&job, None),
                &again(crate::referrals::refusal_errors(&bad, "type")),
                today,
            );
            Err(WebError::Page(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(e) => Err(e.into()),
    }
}

/// The job's form: every field, with the referral's version; or, for a
/// task, the task's fields with the rest of the job carried unseen.
fn job_html(
    v: &Viewer,
    data: &Loaded,
    i: usize,
    (job, task): (&str, Option<&str>),
    state: &FormState,
    today: Day,
) -> Markup {
    if let Some((fields, verb, button)) = task.and_then(task_of) {
        return task_html(
            v,
            data,
            i,
            (job, task.unwrap_or_default()),
            state,
            (fields, verb, button),
            today,
        );
    }
    let d = &data.dataset;
    let r = &d.referrals[i];
    let name = d.client(r.client).display_name();
    let max = today.to_string();
    let kinds = options(&[
        ("employee", "Employee"),
        ("zero_hours", "Zero-hours contract"),
        ("self_employed", "Self-employed"),
        ("apprenticeship", "Apprenticeship"),
        ("paid_placement", "Paid placement"),
    ]);
    let registrations = options(&REGISTRATION_CHOICES);
    let retained = state
        .values
        .iter()
        .any(|(k, v)| k == "retained" && v == "yes");
    layout(
        v,
        &format!("Change {}", job_named(r, job)),
        html! {
            a class="back-link" href=(format!("/referrals/{}", r.id)) { "Back to " (name) }
            p class="caption" { "For " strong { (name) } }
            (error_summary(state))
            form method="post" action=(format!("/referrals/{}/jobs/{job}/edit", r.id)) novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                input type="hidden" name="version" value=(r.version);
                (select(state, "job", "type", "Kind of paid work", &kinds))
                (select(state, "job", "registration", "If self-employed: how are they registered?", &registrations))
                (field(state, "job", "evidence", "Evidence of the self-employment seen (a UTR, a payslip, accounts)", "text", None))
                (field(state, "job", "employer", "Employer", "text", None))
                (field(state, "job", "start", "Start date", "date", Some(&max)))
                (field(state, "job", "end", "Last day worked (empty: still in work)", "date", Some(&max)))
                (select(state, "job", "end_reason", "If it has ended: why", &options(&END_REASON_CHOICES)))
                (field(state, "job", "hours_per_week", "Hours per week (usual)", "text", None))
                (select(state, "job", "minimum_wage", "Does it pay at least the minimum wage?", &options(&YES_NO_CHOICES)))
                (select(state, "job", "open_to_anyone", "Is it open to anyone, not set aside for disabled people?", &options(&YES_NO_CHOICES)))
                fieldset {
                    legend { "Hours worked in each of the first four weeks (zero-hours and self-employed work)" }
                    @for n in 1..=4 {
                        (field(state, "job", &format!("week{n}"), &format!("Week {n}"), "text", None))
                    }
                }
                (field(state, "job", "four_hours_confirmed", "Date 4 hours of paid work were confirmed", "date", Some(&max)))
                @if r.status_at_referral == Group::Employed {
                    div class="field" {
                        input id="job-retained" name="retained" type="checkbox" value="yes" checked[retained];
                        " " label for="job-retained" { "This is the job the person held at referral (job retention)" }
                    }
                    (field(state, "job", "return_to_work", "Return-to-work date", "date", Some(&max)))
                }
                button type="submit" { "Save the job" }
            }
        },
    )
}

/// The job as a sentence names it ("the job at Co-op").
fn job_named(r: &ipstrack_core::model::Referral, job: &str) -> String {
    r.jobs
        .iter()
        .find(|j| j.id == job)
        .map_or_else(|| "the job".into(), crate::referrals::timeline::the_job)
}

/// One task on a job (its end, or 4 hours confirmed): its fields, and the
/// rest of the job as stored, unseen, so the save changes only the task's.
fn task_html(
    v: &Viewer,
    data: &Loaded,
    i: usize,
    (job, task): (&str, &str),
    state: &FormState,
    (fields, verb, button): (&[&str], &str, &str),
    today: Day,
) -> Markup {
    let d = &data.dataset;
    let r = &d.referrals[i];
    let name = d.client(r.client).display_name();
    let max = today.to_string();
    let carried = [
        "type",
        "registration",
        "evidence",
        "employer",
        "start",
        "end",
        "hours_per_week",
        "week1",
        "week2",
        "week3",
        "week4",
        "four_hours_confirmed",
        "retained",
        "return_to_work",
        "minimum_wage",
        "open_to_anyone",
        "end_reason",
    ];
    layout(
        v,
        &format!("{verb} {}", job_named(r, job)),
        html! {
            a class="back-link" href=(format!("/referrals/{}", r.id)) { "Back to " (name) }
            p class="caption" { "For " strong { (name) } }
            (error_summary(state))
            form method="post" action=(format!("/referrals/{}/jobs/{job}/edit", r.id)) novalidate {
                input type="hidden" name="csrf" value=(v.session.csrf);
                input type="hidden" name="version" value=(r.version);
                input type="hidden" name="task" value=(task);
                @for name in carried.iter().filter(|n| !fields.contains(n)) {
                    @let value = state.value("job", name);
                    @if !value.is_empty() { input type="hidden" name=(name) value=(value); }
                }
                @if task == "end" {
                    (crate::ui::form::date_input(state, "job", "end", "Last day worked", None))
                    (select(state, "job", "end_reason", "Why it ended (optional)", &options(&END_REASON_CHOICES)))
                } @else {
                    p { "A job counts once the person has worked 4 hours of paid work: the day that was confirmed, and for zero-hours or self-employed work the hours of each of the first four weeks if you have them." }
                    (field(state, "job", "four_hours_confirmed", "Date 4 hours of paid work were confirmed", "date", Some(&max)))
                    fieldset {
                        legend { "Hours worked in each of the first four weeks (optional)" }
                        @for n in 1..=4 {
                            (field(state, "job", &format!("week{n}"), &format!("Week {n}"), "text", None))
                        }
                    }
                }
                button type="submit" { (button) }
                " " a href=(format!("/referrals/{}", r.id)) { "Cancel" }
            }
        },
    )
}
