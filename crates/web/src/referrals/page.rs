//! A referral's page: its timeline, facts and the forms to record each step.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::Shared;
use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{SignedIn, referral_in_scope};
use crate::referrals::assignable;
use crate::ui::dates::uk_date;
use crate::ui::figures::status_tag;
use crate::ui::form::{
    FormState, date_input, dated_form, error_summary, field, options, select, step_form, textarea,
};
use crate::ui::layout::layout;
use crate::ui::layout::once_field;
use crate::ui::saved::{success_banner, take_saved};
use ipstrack_core::caseload::status_on;
use ipstrack_core::jobs::{MILESTONE_WEEKS, milestone_day, outcomes, runs};
use ipstrack_core::model::ContactKind;
use ipstrack_core::report::assigned_on;
use ipstrack_core::{Day, Loaded};
use maud::{Markup, html};

pub(crate) async fn referral_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    SignedIn { v, data }: SignedIn,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    // A referral entered in error has its own page (banner, restore).
    if let Some(marked) =
        crate::referrals::entered_in_error::marked_page(&state, &headers, &v, &data, i, today)
    {
        return Ok(marked);
    }
    // After a save: its message, once; and a submitted return it changed.
    let warning = crate::returns::affected::take_warning(&state, &headers);
    let (warning, clear_warning) = match warning {
        Some((markup, [clear])) => (Some(markup), Some(clear)),
        None => (None, None),
    };
    let page = |saved: Option<&str>| {
        let form = FormState {
            saved: saved.map(str::to_string),
            warning: warning.clone(),
            ..FormState::default()
        };
        referral_html(
            &v,
            &data,
            i,
            today,
            &form,
            &assignable(&v, &data.dataset, today),
        )
    };
    let mut response = match take_saved(&state, &headers) {
        Some((message, clear)) => (clear, page(Some(message))).into_response(),
        None => page(None).into_response(),
    };
    if let Some((name, value)) = clear_warning
        && let Ok(value) = value.parse()
    {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// A referral: its timeline, sustainment clock and the add-contact form.
pub fn referral_html(
    v: &Viewer,
    data: &Loaded,
    index: usize,
    today: Day,
    form: &FormState,
    specialists: &[(String, String)],
) -> Markup {
    let d = &data.dataset;
    let r = &d.referrals[index];
    let policy = &d.policy;
    let status = status_on(r, today, policy);
    // (day, what happened, what a "Remove" button would remove: kind and position)
    let mut events: Vec<TimelineEntry> = vec![(r.received, "Referral received".into(), None)];
    if let Some(a) = r.access {
        events.push((
            a,
            "Access: first meaningful contact".into(),
            Some(("access", 0)),
        ));
    }
    for (i, k) in r.contacts.iter().enumerate() {
        let kind = match k.kind {
            ContactKind::FaceToFace => "face to face",
            ContactKind::Remote => "remote",
            ContactKind::InWorkSupport => "in-work support",
            ContactKind::AssertiveEngagement => "attempt, no reply (assertive engagement)",
        };
        let note = k
            .note
            .as_deref()
            .map(|n| format!(". Note: {n}"))
            .unwrap_or_default();
        events.push((
            k.date,
            format!("Contact: {kind}{note}"),
            Some(("contact", i)),
        ));
    }
    if let Some(p) = &r.vocational_plan {
        let mut text = "Vocational plan started".to_string();
        match r.plan_agreed {
            Some(true) => text.push_str(", agreed with the clinical team"),
            Some(false) => text.push_str(", not agreed with the clinical team"),
            None => {}
        }
        if !r.plan_reviews.is_empty() {
            let days: Vec<String> = r.plan_reviews.iter().map(|d| uk_date(*d)).collect();
            text.push_str(&format!("; reviewed {}", days.join(", ")));
        }
        if let Some(end) = p.end {
            text.push_str(&format!("; ended {}", uk_date(end)));
        }
        events.push((p.start, text, Some(("plan", 0))));
    }
    let until = |end: Option<Day>| {
        end.map(|e| format!(" until {}", uk_date(e)))
            .unwrap_or_default()
    };
    for (i, h) in r.holds.iter().enumerate() {
        events.push((
            h.start,
            format!("On hold{}", until(h.end)),
            Some(("hold", i)),
        ));
    }
    for (i, w) in r.waiting_list.iter().enumerate() {
        events.push((
            w.spell.start,
            format!("Waiting list{}", until(w.spell.end)),
            Some(("waiting", i)),
        ));
    }
    for (i, e) in r.engagement.iter().enumerate() {
        events.push((
            e.date,
            format!("Engagement: {}", engagement_words(e.status)),
            Some(("engagement", i)),
        ));
    }
    for (i, x) in r.decisions.iter().enumerate() {
        let status = if x.active { "active" } else { "inactive" };
        let reason = x.reason.as_deref().unwrap_or("no reason given");
        let agreed = if x.agreed_by.is_empty() {
            "; who agreed it not recorded".to_string()
        } else {
            format!("; agreed by {}", x.agreed_by.join(", "))
        };
        events.push((
            x.spell.start,
            format!(
                "Team decision: {status}{} ({reason}){agreed}",
                until(x.spell.end)
            ),
            Some(("decision", i)),
        ));
    }
    for (i, c) in r.in_work_checks.iter().enumerate() {
        let note = c
            .note
            .as_deref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        events.push((
            c.date,
            format!(
                "Still in work, confirmed by {}{note}",
                check_source_words(c.source)
            ),
            Some(("in_work_check", i)),
        ));
    }
    for (i, t) in r.transfers.iter().enumerate() {
        events.push((
            t.date,
            format!("Transferred to {}", d.staff[t.es as usize].name),
            Some(("transfer", i)),
        ));
    }
    for (i, j) in r.jobs.iter().enumerate() {
        events.push((j.start, job_words(j), Some(("job", i))));
        if let Some(e) = j.end {
            events.push((e, format!("Job {} ended", j.id), None));
        }
    }
    if let Some(x) = &r.discharge {
        events.push((x.date, "Discharged".into(), Some(("discharge", 0))));
    }
    events.sort_by_key(|(day, _, _)| std::cmp::Reverse(*day));
    let outcomes = outcomes(r, today, policy);
    let runs = runs(r, &outcomes, today, policy);
    let es = assigned_on(r, today, today)
        .map(|e| d.staff[e as usize].name.clone())
        .unwrap_or_else(|| "unallocated".into());
    let client = &d.clients[r.client as usize];
    layout(
        v,
        &client.display_name(),
        html! {
            (success_banner(form.saved.as_deref()))
            @if let Some(w) = &form.warning { (w) }
            (error_summary(form))
            div class="panel" {
                p id="referral-summary" { "Referred on " (uk_date(r.received))
                    @if let Some(n) = &client.nhs_number { " (NHS number " (n) ")" }
                    ", " (if r.status_at_referral == ipstrack_core::model::Group::Employed { "in work (job retention)" } else { "unemployed" })
                    " at referral, with " (es) "." }
                (person_summary(client))
                (crate::referrals::person::person_form(v, &r.id, &ipstrack_core::bundle::client_document(client), form, today))
                p id="referral-status" { (status_tag(&status))
                    @if let Some(n) = status.days_until_inactive(today) { " – inactive in " (crate::ui::layout::plural(i64::from(n), "day", "days")) " without a two-way contact." } }
            }
            section aria-labelledby="sustainment" {
                h2 id="sustainment" { "Sustainment" }
                @if runs.is_empty() { p { "No job outcome yet." } }
                @for run in &runs {
                    p { "In work since " (uk_date(run.start)) ": " (run.weeks_in_work()) " weeks. "
                        @for n in MILESTONE_WEEKS {
                            (n) " weeks: " @if run.first_worked_on_or_after(milestone_day(run.start, n)).is_some() { "reached" } @else { (uk_date(milestone_day(run.start, n))) } ". "
                        }
                    }
                }
                @let evidence = ipstrack_core::evidence::milestone_evidence(r, today, policy);
                @if !evidence.is_empty() {
                    ul id="milestone-evidence" {
                        @for m in &evidence { li { (milestone_words(m)) } }
                    }
                }
            }
            @let max = today.to_string();
            @if let Some(x) = r.discharge.as_ref().filter(|x| x.date <= today) {
                section aria-labelledby="closed" class="panel" id="closed-panel" {
                    h2 id="closed" { "Closed" }
                    p { "Discharged on " (uk_date(x.date))
                        @if let Some(reason) = &x.reason { ": " (reason) } "." }
                    p { "Sustainment after discharge counts only as far as an in-work check or a recorded end shows: record checks below." }
                    form method="post" action=(format!("/referrals/{}/remove", r.id)) {
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        (once_field())
                        input type="hidden" name="kind" value="discharge";
                        input type="hidden" name="index" value="0";
                        input type="hidden" name="version" value=(r.version);
                        button type="submit" class="secondary" { "Reopen the referral" }
                    }
                }
            } @else {
                @if r.access.is_none() {
                    (dated_form(v, r, form, "access", "Record access", "Access is the first meaningful contact after the person agreed to take part.", "Date of access", "Save access", &max))
                }
                @if r.access.is_some() && r.vocational_plan.is_none() {
                    (dated_form(v, r, form, "plan", "Start the vocational plan", "A client is active only with a vocational plan.", "Start of the vocational plan", "Save plan", &max))
                }
                section aria-labelledby="add-contact" class="panel" {
                    h2 id="add-contact" { "Record a contact" }
                    form method="post" action=(format!("/referrals/{}/contacts", r.id)) novalidate {
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        (once_field())
                        (date_input(form, "contact", "date", "Date of contact", Some(today)))
                        (select(form, "contact", "kind", "Kind of contact", &options(&[
                            ("face_to_face", "Face to face"), ("remote", "Remote (phone or video)"),
                            ("in_work_support", "In-work support"), ("assertive_engagement", "Attempt, no reply (assertive engagement)")])))
                        (select(form, "contact", "mechanism", "How it was held (optional)", &options(&[
                            ("", "Not recorded"), ("face_to_face", "Face to face"), ("telephone", "Telephone"), ("video", "Video"),
                            ("email", "Email"), ("text_message", "Text message"), ("other", "Other")])))
                        (textarea(form, "contact", "note", "Note: what happened, next step (optional)", ipstrack_core::bundle::MAX_NOTE_CHARS))
                        button type="submit" { "Save contact" }
                    }
                }
                section aria-labelledby="add-job" class="panel" {
                    h2 id="add-job" { "Record a job start" }
                    form method="post" action=(format!("/referrals/{}/jobs", r.id)) novalidate {
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        (once_field())
                        (select(form, "job", "type", "Kind of paid work", &options(&[
                            ("employee", "Employee"), ("zero_hours", "Zero-hours contract"), ("self_employed", "Self-employed"),
                            ("apprenticeship", "Apprenticeship"), ("paid_placement", "Paid placement")])))
                        (select(form, "job", "registration", "If self-employed: how are they registered?", &options(&crate::referrals::REGISTRATION_CHOICES)))
                        (field(form, "job", "evidence", "If self-employed: evidence seen (a UTR, a payslip, accounts; optional)", "text", None))
                        (field(form, "job", "employer", "Employer", "text", None))
                        (field(form, "job", "start", "Start date", "date", Some(&max)))
                        (field(form, "job", "hours_per_week", "Hours per week", "text", None))
                        @if r.status_at_referral == ipstrack_core::model::Group::Employed {
                            @let retained = form.form == "job" && form.values.iter().any(|(k, v)| k == "retained" && v == "yes");
                            div class="field" {
                                input id="job-retained" name="retained" type="checkbox" value="yes" checked[retained];
                                " " label for="job-retained" { "This is the job they held when referred (job retention): its start may be before the referral" }
                            }
                            (field(form, "job", "return_to_work", "If off sick: the day they returned to work (optional)", "date", Some(&max)))
                        }
                        button type="submit" { "Save job" }
                    }
                }
                details class="panel" open[matches!(form.form, "hold" | "waiting" | "engagement" | "decision" | "transfer")] {
                    summary { strong { "More: hold, waiting list, engagement, team decision, transfer" } }
                    (step_form(v, r, "hold", "Put on hold", html! {
                        (field(form, "hold", "start", "Start of the hold", "date", Some(&max)))
                        (field(form, "hold", "end", "Last day of the hold (empty: still on hold)", "date", None))
                    }))
                    (step_form(v, r, "waiting", "Waiting list", html! {
                        (field(form, "waiting", "start", "Start on the waiting list", "date", Some(&max)))
                        (field(form, "waiting", "end", "Last day on the waiting list (empty: still waiting)", "date", None))
                        (field(form, "waiting", "expected_return", "Expected return", "date", None))
                    }))
                    (step_form(v, r, "engagement", "Engagement change", html! {
                        (field(form, "engagement", "date", "From", "date", Some(&max)))
                        (select(form, "engagement", "status", "Engagement status", &options(&[
                            ("seeking_work", "Seeking work"), ("in_work_support", "In-work support"),
                            ("not_seeking_work", "Receiving support but not seeking work")])))
                    }))
                    (step_form(v, r, "decision", "Team status decision", html! {
                        (field(form, "decision", "start", "From", "date", Some(&max)))
                        (field(form, "decision", "end", "Until (optional)", "date", None))
                        (select(form, "decision", "status", "The team decided the client is", &options(&[("active", "Active"), ("inactive", "Inactive")])))
                        (field(form, "decision", "reason", "Reason", "text", None))
                        (field(form, "decision", "agreed_by", AGREED_BY_LABEL, "text", None))
                    }))
                    (step_form(v, r, "transfer", "Transfer to another specialist", html! {
                        (field(form, "transfer", "date", "From", "date", Some(&max)))
                        (select(form, "transfer", "es", "Employment specialist", specialists))
                    }))
                }
            }
            @if !r.jobs.is_empty() {
                section aria-labelledby="in-work-check" class="panel" {
                    h2 id="in-work-check" { "Record an in-work check" }
                    p { "A payslip, the employer or the person confirming they are still in work. After discharge, sustainment counts only as far as a check shows." }
                    form method="post" action=(format!("/referrals/{}/in_work_check", r.id)) novalidate {
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        (once_field())
                        (in_work_check_fields(form, &max))
                        button type="submit" { "Save in-work check" }
                    }
                }
            }
            (crate::referrals::entered_in_error::action_link(r))
            @if r.discharge.is_none() {
                (dated_form(v, r, form, "discharge", "Discharge", "The discharge date is the first day the referral is closed.", "Date of discharge", "Discharge", &max))
            }
            table {
                caption { "Timeline" }
                thead { tr { th scope="col" { "Date" } th scope="col" { "Event" } th scope="col" { span class="visually-hidden" { "Correct" } } } }
                tbody { @for (day, what, remove) in &events { tr {
                    td { (uk_date(*day)) } td { (what) }
                    td class="actions" { @if let Some((kind, index)) = remove {
                        @let change = if *kind == "job" {
                            format!("/referrals/{}/jobs/{}/edit", r.id, r.jobs[*index].id)
                        } else {
                            format!("/referrals/{}/edit/{kind}/{index}", r.id)
                        };
                        a class="button secondary" href=(change) aria-label=(format!("Change: {what}")) { "Change" } " "
                        form method="post" action=(format!("/referrals/{}/remove", r.id)) {
                            input type="hidden" name="csrf" value=(v.session.csrf);
                            (once_field())
                            input type="hidden" name="kind" value=(kind);
                            input type="hidden" name="index" value=(index);
                            input type="hidden" name="version" value=(r.version);
                            button type="submit" class="secondary" aria-label=(format!("Remove: {what} on {}", uk_date(*day))) { "Remove" }
                        }
                    } }
                } } }
            }
        },
    )
}

/// One line of a referral's timeline: the day, what happened, and what its
/// "Remove" button takes out (kind and position), if it can be removed.
type TimelineEntry = (Day, String, Option<(&'static str, usize)>);

/// Who the person is, as recorded (nothing when nothing is).
pub(crate) fn person_summary(c: &ipstrack_core::model::Client) -> Markup {
    use ipstrack_core::bundle::{ETHNIC_CATEGORIES, GENDERS, code_words};
    let rows: Vec<(&str, String)> = [
        ("Date of birth", c.date_of_birth.map(uk_date)),
        ("Phone", c.phone.clone()),
        ("Postcode", c.postcode.clone()),
        (
            "Gender",
            c.gender
                .as_deref()
                .map(|g| code_words(&GENDERS, g).to_string()),
        ),
        (
            "Ethnic category",
            c.ethnic_category
                .as_deref()
                .map(|e| code_words(&ETHNIC_CATEGORIES, e).to_string()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    html! {
        @if !rows.is_empty() {
            dl class="person" id="person" {
                @for (k, v) in &rows { dt { (k) } dd { (v) } }
            }
        }
    }
}

/// A job start on the timeline: "Job j1 started: employee at Co-op, 16 hours a week".
fn job_words(j: &ipstrack_core::model::Job) -> String {
    use ipstrack_core::model::JobType;
    let kind = match j.kind {
        JobType::Employee => "employee",
        JobType::ZeroHours => "zero-hours contract",
        JobType::SelfEmployed => "self-employed",
        JobType::Apprenticeship => "apprenticeship",
        JobType::PaidPlacement => "paid placement",
    };
    let mut text = format!("Job {} started: {kind}", j.id);
    if let Some(e) = &j.employer {
        text.push_str(&format!(" at {e}"));
    }
    if let Some(h) = j.hours_per_week {
        text.push_str(&format!(
            ", {} hours a week",
            ipstrack_core::bundle::hours_number(h)
        ));
    }
    if let Some(c) = j.four_hours_confirmed {
        text.push_str(&format!("; 4 hours confirmed on {}", uk_date(c)));
    }
    if j.kind == JobType::SelfEmployed && j.self_employment_registration.is_none() {
        text.push_str("; not counted until registered");
    }
    text
}

/// An engagement status in words.
fn engagement_words(e: ipstrack_core::model::Engagement) -> &'static str {
    use ipstrack_core::model::Engagement;
    match e {
        Engagement::SeekingWork => "seeking work",
        Engagement::InWorkSupport => "in-work support",
        Engagement::NotSeekingWork => "receiving support but not seeking work",
    }
}

/// The label of a team decision's "who agreed it" field (ENG-3).
pub(crate) const AGREED_BY_LABEL: &str = "Who agreed it: the specialist and at least one other member of the team (names, separated by commas)";

/// The fields of an in-work check (SUS-6): its date, how it is known, a note.
pub(crate) fn in_work_check_fields(form: &FormState, max: &str) -> Markup {
    html! {
        (field(form, "in_work_check", "date", "Date of the check", "date", Some(max)))
        (select(form, "in_work_check", "source", "How you know they are still in work", &options(&[
            ("", "Select"), ("payslip", "A payslip seen"), ("employer", "The employer"),
            ("client", "The person told us"), ("other", "Another way")])))
        (textarea(form, "in_work_check", "note", "Note (optional)", ipstrack_core::bundle::MAX_NOTE_CHARS))
    }
}

/// Who confirmed a person is still in work, in words.
fn check_source_words(source: ipstrack_core::model::CheckSource) -> &'static str {
    use ipstrack_core::model::CheckSource;
    match source {
        CheckSource::Payslip => "a payslip",
        CheckSource::Employer => "the employer",
        CheckSource::Client => "the person",
        CheckSource::Other => "another way",
    }
}

/// A milestone and what it rests on (SUS-6), in words: "13 weeks: counted
/// on 3 Feb 2025, resting on an in-work check of 10 Feb 2025".
fn milestone_words(m: &ipstrack_core::evidence::MilestoneEvidence) -> String {
    use ipstrack_core::jobs::WorkedTo;
    let (weeks, last) = (m.weeks, uk_date(m.last_worked));
    match (m.achieved, m.evidence) {
        (Some(day), why) => {
            let why = match why {
                WorkedTo::StillInWork => "work while in touch".to_string(),
                WorkedTo::RecordedEnd => format!("the job's recorded end on {last}"),
                WorkedTo::InWorkCheck(check) => format!("an in-work check of {}", uk_date(check)),
                WorkedTo::Discharge => format!("work up to discharge ({last})"),
            };
            format!(
                "{weeks} weeks: counted on {}, resting on {why}",
                uk_date(day)
            )
        }
        (None, WorkedTo::StillInWork) => {
            format!("{weeks} weeks: due {}, still in work", uk_date(m.due))
        }
        (None, WorkedTo::RecordedEnd) => {
            format!("{weeks} weeks: not reached, the job ended on {last}")
        }
        (None, WorkedTo::InWorkCheck(check)) => format!(
            "{weeks} weeks: not counted yet (due {}), work confirmed up to an in-work check of {}",
            uk_date(m.due),
            uk_date(check)
        ),
        (None, WorkedTo::Discharge) => format!(
            "{weeks} weeks: not counted (due {}), discharged and nobody has confirmed work after {last}",
            uk_date(m.due)
        ),
    }
}
