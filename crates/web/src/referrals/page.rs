//! A referral's page: a summary that leads with its status and why, the
//! next thing to do, the last few contacts, and the actions that fit it,
//! each opening its own page ([`crate::referrals::actions`]); the full
//! timeline is a page of its own ([`crate::referrals::timeline`]).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::Shared;
use crate::caseload::{alert_action, alert_words};
use crate::error::WebResult;
use crate::extract::{SignedIn, referral_in_scope};
use crate::referrals::actions::{
    ACTIONS, ReferralView, action_html, action_title, available, closed,
};
use crate::referrals::assignable;
use crate::referrals::person::person_summary;
use crate::referrals::timeline::{contact_words, milestone_words, the_job, timeline_entries};
use crate::saved::{message_of, success_banner, take_saved_on};
use crate::ui::dates::uk_date;
use crate::ui::figures::status_tag;
use crate::ui::form::{FormState, error_summary};
use crate::ui::layout::{layout, once_field, plural};
use ipstrack_core::Day;
use ipstrack_core::alert::Alert;
use ipstrack_core::attribution::assigned_on;
use ipstrack_core::caseload::status_on;
use ipstrack_core::jobs::{MILESTONE_WEEKS, milestone_day, outcomes, runs};
use ipstrack_core::model::Group;
use ipstrack_core::worklist::referral_alerts;
use maud::{Markup, html};

/// How many contacts the summary shows (the timeline has them all).
const RECENT_CONTACTS: usize = 3;

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
    let saved = take_saved_on(&state, &headers);
    let d = &data.dataset;
    let name = d.client(d.referrals[i].client).display_name();
    let form = FormState {
        saved: saved
            .as_ref()
            .map(|(word, day, _)| saved_words(word, *day, &name)),
        warning,
        ..FormState::default()
    };
    let specialists = assignable(&v, d, today);
    let page = summary_html(&ReferralView {
        v: &v,
        data: &data,
        index: i,
        today,
        form: &form,
        specialists: &specialists,
    });
    let mut response = match saved {
        Some((_, _, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    };
    if let Some((name, value)) = clear_warning
        && let Ok(value) = value.parse()
    {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// What a save on a referral says on its page, naming the person and the
/// entry's day: "Contact on 6 Dec 2026 recorded for Andrzej Green."
pub(crate) fn saved_words(word: &str, day: Option<Day>, name: &str) -> String {
    match (word, day.map(uk_date)) {
        ("contact", Some(on)) => format!("Contact on {on} recorded for {name}."),
        ("job", Some(on)) => format!("Job start on {on} recorded for {name}."),
        ("job", None) => format!("Job changes saved for {name}."),
        ("job_end", Some(on)) => format!("Job ended on {on} for {name}."),
        ("job_hours", Some(on)) => {
            format!("4 hours of paid work confirmed on {on} for {name}.")
        }
        ("access", Some(on)) => format!("Access on {on} recorded for {name}."),
        ("plan", _) => format!("Vocational plan saved for {name}."),
        ("discharge", Some(on)) => format!("{name} discharged on {on}: the referral is closed."),
        ("hold", Some(on)) => format!("{name} on hold from {on}."),
        ("waiting", Some(on)) => format!("{name} on the waiting list from {on}."),
        ("engagement", Some(on)) => format!("Change of engagement from {on} recorded for {name}."),
        ("decision", Some(on)) => format!("Team decision from {on} recorded for {name}."),
        ("transfer", Some(on)) => format!("Transfer on {on} recorded for {name}."),
        ("in_work_check", Some(on)) => format!("In-work check of {on} recorded for {name}."),
        ("remove", _) => {
            format!("Entry removed from {name}'s referral. The audit log keeps a copy.")
        }
        ("person", _) => format!("{name}'s details are saved."),
        ("better_off", _) => format!("Better-off calculation saved for {name}."),
        ("disclosure", _) => format!("Disclosure choice saved for {name}."),
        ("job_preferences", _) => format!("Job preferences saved for {name}."),
        ("reopened", _) => format!("The referral of {name} is reopened."),
        ("referral", _) => format!("Referral saved for {name}."),
        (word, _) => message_of(word).to_string(),
    }
}

/// The referral page as a form's save left it: the page of the action whose
/// form was refused (its errors beside the fields), else the summary.
pub(crate) fn referral_html(view: &ReferralView) -> Markup {
    match ACTIONS.iter().find(|(name, _)| *name == view.form.form) {
        Some((name, _)) => action_html(view, name),
        None => summary_html(view),
    }
}

/// The referral's summary: status and why, what is due, recent contacts,
/// the actions, sustainment and the person.
pub(crate) fn summary_html(view: &ReferralView) -> Markup {
    let ReferralView {
        v,
        data,
        index,
        today,
        form,
        specialists,
    } = *view;
    let d = &data.dataset;
    let r = &d.referrals[index];
    let policy = &d.policy;
    let status = status_on(r, today, policy);
    let outcomes = outcomes(r, today, policy);
    let runs = runs(r, &outcomes, today, policy);
    let es = assigned_on(r, today, today)
        .map(|e| d.staff_member(e).name.clone())
        .unwrap_or_else(|| "nobody (unallocated)".into());
    let client = d.client(r.client);
    let due = referral_alerts(d, index, today);
    let actions = available(r, today, !specialists.is_empty());
    let mut contacts: Vec<&ipstrack_core::model::Contact> = r.contacts.iter().collect();
    contacts.sort_by_key(|c| std::cmp::Reverse(c.date));
    let entries = timeline_entries(data, index).len();
    let closed = closed(r, today);
    layout(
        v,
        &client.display_name(),
        html! {
            (success_banner(form.saved.as_deref()))
            @if let Some(w) = &form.warning { (w) }
            (error_summary(form))
            @if let Some(x) = r.discharge.as_ref().filter(|_| closed) {
                section aria-labelledby="closed" class="panel" id="closed-panel" {
                    h2 id="closed" { "Closed" }
                    p { "Discharged on " (uk_date(x.date))
                        @if let Some(reason) = &x.reason { ": " (reason) } "." }
                    p { "Sustainment after discharge counts only as far as an in-work check or a recorded end shows." }
                    form method="post" action=(format!("/referrals/{}/remove", r.id)) {
                        input type="hidden" name="csrf" value=(v.session.csrf);
                        (once_field())
                        input type="hidden" name="kind" value="discharge";
                        input type="hidden" name="index" value="0";
                        input type="hidden" name="version" value=(r.version);
                        button type="submit" class="secondary" { "Reopen the referral" }
                    }
                }
            }
            div class="panel" {
                p id="referral-status" { (status_tag(&status))
                    @if let Some(n) = status.days_until_inactive(today) { " – inactive in " (plural(i64::from(n), "day", "days")) " without a two-way contact." } }
                p id="referral-summary" { "Referred on " (uk_date(r.received))
                    @if let Some(n) = &client.nhs_number { " (NHS number " (n) ")" }
                    ", " (if r.status_at_referral == Group::Employed { "in work (job retention)" } else { "unemployed" })
                    " at referral, with " (es) "." }
                @if !due.is_empty() {
                    h2 id="next" { "Next to do" }
                    ul class="worklist" id="referral-due" {
                        @for (day, alert) in due.iter().take(3) {
                            li { strong { (uk_date(*day)) } " – " (alert_words(alert))
                                @if let Some((href, words)) = alert_action(&r.id, alert) { " – " a href=(href) { (words) } } }
                        }
                    }
                }
            }
            section aria-labelledby="actions" {
                h2 id="actions" { "What do you want to do?" }
                ul class="action-list" id="referral-actions" {
                    @for name in &actions {
                        @if *name != "person" {
                            li { a href=(format!("/referrals/{}/record/{name}", r.id)) { (action_title(name).unwrap_or_default()) } }
                        }
                    }
                    @for (job, words) in job_actions(r, &due, today) {
                        li { a href=(job) { (words) } }
                    }
                }
            }
            section aria-labelledby="recent" {
                h2 id="recent" { "Recent contacts" }
                @if contacts.is_empty() { p { "No contact recorded yet." } }
                ul id="recent-contacts" {
                    @for c in contacts.iter().take(RECENT_CONTACTS) {
                        li { strong { (uk_date(c.date)) } ": " (contact_words(c.kind))
                            @if let Some(n) = &c.note { " – " (n) } }
                    }
                }
                p { a href=(format!("/referrals/{}/timeline", r.id)) { "Full timeline (" (plural(entries as i64, "entry", "entries")) "): change or remove an entry" } }
            }
            section aria-labelledby="sustainment" {
                h2 id="sustainment" { "Sustainment" }
                @if runs.is_empty() { p { "No job outcome yet." } }
                @for run in &runs {
                    p { "In work since " (uk_date(run.start)) ": " (plural(i64::from(run.weeks_in_work()), "week", "weeks")) ". "
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
            (preparing(r))
            section aria-labelledby="the-person" {
                h2 id="the-person" { "The person" }
                (person_summary(client))
                p { a href=(format!("/referrals/{}/record/person", r.id)) { "Change the person's details" } }
            }
            (crate::referrals::entered_in_error::action_link(r))
        },
    )
}

/// Issue 26: what is recorded of the person's preparation for work — a
/// better-off calculation offered, their disclosure choice, the kind of
/// work they want — or that it is not yet.
fn preparing(r: &ipstrack_core::model::Referral) -> Markup {
    use crate::referrals::preparation::choice_words;
    html! {
        section aria-labelledby="preparing" {
            h2 id="preparing" { "Preparing for work" }
            ul id="referral-preparing" {
                li { "Better-off calculation: "
                    @match r.better_off_calculation { Some(d) => { "offered on " (uk_date(d)) "." } None => { "not recorded." } } }
                li { "Disclosure: "
                    @match r.disclosure { Some(x) => { "chose " (choice_words(x.choice)) " (" (uk_date(x.on)) ")." } None => { "not recorded." } } }
                li { "Job preferences: "
                    @match &r.job_preferences { Some(p) => { (p) } None => { "not recorded." } } }
            }
        }
    }
}

/// The actions on the referral's jobs: "End the job at Co-op" for each job
/// still going (not on a closed referral), and "Confirm 4 hours at Co-op"
/// for each awaiting that confirmation.
fn job_actions(
    r: &ipstrack_core::model::Referral,
    due: &[(Day, Alert)],
    today: Day,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, alert) in due {
        if let Alert::AwaitingFourHours { job } = alert
            && let Some(j) = r.jobs.iter().find(|j| j.id == *job)
        {
            out.push((
                format!("/referrals/{}/jobs/{}/edit?task=hours", r.id, j.id),
                format!("Confirm 4 hours of {}", the_job(j)),
            ));
        }
    }
    if !closed(r, today) {
        for j in r.jobs.iter().filter(|j| j.end.is_none()) {
            out.push((
                format!("/referrals/{}/jobs/{}/edit?task=end", r.id, j.id),
                format!("End {}", the_job(j)),
            ));
        }
    }
    out
}
