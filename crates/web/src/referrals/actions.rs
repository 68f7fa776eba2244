//! The actions on a referral, one page each (GOV.UK: one thing per page):
//! "Record a contact", "Record a job start", "Put on hold", "Discharge"…
//! The referral's summary links to those that fit its state; each page has
//! one short form, posted to the handler of its step, which comes back to the
//! summary with a message naming what was recorded, or to this page with
//! the errors beside the fields.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::Shared;
use crate::Viewer;
use crate::error::{WebError, WebResult};
use crate::extract::{SignedIn, referral_in_scope};
use crate::referrals::assignable;
use crate::referrals::preparation::{self, ACTIONS as PREPARATION};
use crate::referrals::timeline::timeline_entries;
use crate::ui::dates::uk_date;
use crate::ui::form::{FormState, date_input, error_summary, field, options, select, textarea};
use crate::ui::layout::{layout, once_field};
use ipstrack_core::model::{Group, Referral};
use ipstrack_core::{Day, Loaded};

/// Each action: its name (the form's and the step's), and its title.
pub(crate) const ACTIONS: [(&str, &str); 15] = [
    ("contact", "Record a contact"),
    ("job", "Record a job start"),
    ("access", "Record access"),
    ("plan", "Start the vocational plan"),
    ("in_work_check", "Record an in-work check"),
    PREPARATION[0],
    PREPARATION[1],
    PREPARATION[2],
    ("hold", "Put on hold"),
    ("waiting", "Put on the waiting list"),
    ("engagement", "Record a change of engagement"),
    ("decision", "Record a team decision"),
    ("transfer", "Transfer to another specialist"),
    ("discharge", "Discharge"),
    ("person", "Change the person's details"),
];

/// The title of an action, if `name` is one.
pub(crate) fn action_title(name: &str) -> Option<&'static str> {
    ACTIONS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Whether the referral is closed on `today` (discharged on or before it).
pub(crate) fn closed(r: &Referral, today: Day) -> bool {
    r.discharge.as_ref().is_some_and(|x| x.date <= today)
}

/// The actions that fit the referral on `today`, in the order a person
/// looks for them: a closed referral takes only in-work checks and the
/// person's details (and "Reopen", a button of its own).
pub(crate) fn available(r: &Referral, today: Day, can_transfer: bool) -> Vec<&'static str> {
    let jobs = !r.jobs.is_empty();
    if closed(r, today) {
        let mut names = Vec::new();
        if jobs {
            names.push("in_work_check");
        }
        names.push("person");
        return names;
    }
    let mut names = Vec::new();
    if r.access.is_none() {
        names.push("access");
    }
    if r.access.is_some() && r.vocational_plan.is_none() {
        names.push("plan");
    }
    names.extend(["contact", "job"]);
    if jobs {
        names.push("in_work_check");
    }
    names.extend(["better_off", "disclosure"]);
    if r.vocational_plan.is_some() {
        names.push("job_preferences");
    }
    names.extend(["hold", "waiting", "engagement", "decision"]);
    if can_transfer {
        names.push("transfer");
    }
    if r.discharge.is_none() {
        names.push("discharge");
    }
    names.push("person");
    names
}

/// `GET /referrals/{id}/record/{action}`: the action's page.
pub(crate) async fn action_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Path((id, action)): Path<(String, String)>,
) -> WebResult<Markup> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    let specialists = assignable(&v, &data.dataset, today);
    let r = &data.dataset.referrals[i];
    // An action that does not fit the referral now is not offered (nor
    // any on a referral entered in error: it can only be restored).
    if !r.is_counted() || !available(r, today, !specialists.is_empty()).contains(&action.as_str()) {
        return Err(WebError::NotFound);
    }
    let name = ACTIONS
        .iter()
        .find(|(n, _)| *n == action)
        .map(|(n, _)| *n)
        .ok_or(WebError::NotFound)?;
    // Issue 26's pages show what is recorded, to change it.
    let form = match PREPARATION.iter().any(|(n, _)| *n == name) {
        true => FormState {
            form: name,
            values: preparation::stored_values(r, name),
            ..FormState::default()
        },
        false => FormState::default(),
    };
    let view = ReferralView {
        v: &v,
        data: &data,
        index: i,
        today,
        form: &form,
        specialists: &specialists,
    };
    Ok(action_html(&view, name))
}

/// What a referral's page is drawn from: who looks, the data, the
/// referral's index, today, the form as posted (or blank) and the
/// specialists a referral may be assigned to.
#[derive(Clone, Copy)]
pub(crate) struct ReferralView<'a> {
    pub(crate) v: &'a Viewer,
    pub(crate) data: &'a Loaded,
    pub(crate) index: usize,
    pub(crate) today: Day,
    pub(crate) form: &'a FormState,
    pub(crate) specialists: &'a [(String, String)],
}

/// An action's page: its title, the person it is for, a way back, and its
/// one form (with the errors of a refused save, if any).
pub(crate) fn action_html(view: &ReferralView, action: &'static str) -> Markup {
    let (v, form, today) = (view.v, view.form, view.today);
    let d = &view.data.dataset;
    let r = &d.referrals[view.index];
    let client = d.client(r.client);
    let name = client.display_name();
    let title = action_title(action).unwrap_or("Record");
    let title = if action == "discharge" {
        format!("Discharge {name}")
    } else {
        title.to_string()
    };
    let back = format!("/referrals/{}", r.id);
    layout(
        v,
        &title,
        html! {
            a class="back-link" href=(back) { "Back to " (name) }
            @if action != "discharge" { p class="caption" { "For " strong { (name) } } }
            @if let Some(w) = &form.warning { (w) }
            (error_summary(form))
            @if action == "person" {
                (crate::referrals::person::person_form(v, &r.id, &ipstrack_core::bundle::client_document(client), form, today))
            } @else {
                @let (post, hint, fields, button) = action_form(r, form, today, view.specialists, action);
                @if let Some(hint) = hint { p { (hint) } }
                form method="post" action=(format!("/referrals/{}/{post}", r.id)) novalidate {
                    input type="hidden" name="csrf" value=(v.session.csrf);
                    (once_field())
                    input type="hidden" name="version" value=(r.version);
                    (fields)
                    button type="submit" class=(if action == "discharge" { "warning" } else { "" }) { (button) }
                    " " a href=(back) { "Cancel" }
                }
            }
            // A refused save shows what the referral holds now (someone
            // else may have changed it meanwhile).
            @if !form.errors.is_empty() {
                @let entries = timeline_entries(view.data, view.index);
                details class="panel" id="latest-entries" {
                    summary { "The referral as it is now (" (crate::ui::layout::plural(entries.len() as i64, "entry", "entries")) ")" }
                    table {
                        thead { tr { th scope="col" { "Date" } th scope="col" { "Entry" } } }
                        tbody { @for (day, what, _) in &entries {
                            tr { td { (uk_date(*day)) } td { (what) } }
                        } }
                    }
                }
            }
        },
    )
}

/// An action's form: where it posts (after `/referrals/{id}/`), its hint,
/// its fields and the words of its button.
fn action_form(
    r: &Referral,
    form: &FormState,
    today: Day,
    specialists: &[(String, String)],
    action: &'static str,
) -> (&'static str, Option<&'static str>, Markup, &'static str) {
    let max = today.to_string();
    let max = max.as_str();
    let on_today = Some(today);
    match action {
        "better_off" | "disclosure" | "job_preferences" => {
            let (hint, fields) = preparation::fields(form, action, today);
            let button = match action {
                "better_off" => "Save better-off calculation",
                "disclosure" => "Save disclosure choice",
                _ => "Save job preferences",
            };
            (action, Some(hint), fields, button)
        }
        "contact" => (
            "contacts",
            None,
            html! {
                (date_input(form, "contact", "date", "Date of contact", on_today))
                (select(form, "contact", "kind", "Kind of contact", &options(&[
                    ("face_to_face", "Face to face"), ("remote", "Remote (phone or video)"),
                    ("in_work_support", "In-work support"), ("assertive_engagement", "Attempt, no reply (assertive engagement)")])))
                (select(form, "contact", "mechanism", "How it was held (optional)", &options(&[
                    ("", "Not recorded"), ("face_to_face", "Face to face"), ("telephone", "Telephone"), ("video", "Video"),
                    ("email", "Email"), ("text_message", "Text message"), ("other", "Other")])))
                (select(form, "contact", "location", "Where it was held (optional)", &options(&crate::referrals::LOCATION_CHOICES)))
                (textarea(form, "contact", "note", "Note: what happened, next step (optional)", ipstrack_core::bundle::MAX_NOTE_CHARS))
            },
            "Save contact",
        ),
        "job" => (
            "jobs",
            Some(
                "Paid work of any hours: 4 hours a week or more counts as a job outcome once confirmed.",
            ),
            html! {
                (select(form, "job", "type", "Kind of paid work", &options(&[
                    ("employee", "Employee"), ("zero_hours", "Zero-hours contract"), ("self_employed", "Self-employed"),
                    ("apprenticeship", "Apprenticeship"), ("paid_placement", "Paid placement")])))
                (select(form, "job", "registration", "If self-employed: how are they registered?", &options(&crate::referrals::REGISTRATION_CHOICES)))
                (field(form, "job", "evidence", "If self-employed: evidence seen (a UTR, a payslip, accounts; optional)", "text", None))
                (field(form, "job", "employer", "Employer", "text", None))
                (field(form, "job", "start", "Start date", "date", Some(max)))
                (field(form, "job", "hours_per_week", "Hours per week", "text", None))
                (select(form, "job", "minimum_wage", "Does it pay at least the minimum wage?", &options(&crate::referrals::YES_NO_CHOICES)))
                (select(form, "job", "open_to_anyone", "Is it open to anyone, not set aside for disabled people?", &options(&crate::referrals::YES_NO_CHOICES)))
                @if r.status_at_referral == Group::Employed {
                    @let retained = form.form == "job" && form.values.iter().any(|(k, v)| k == "retained" && v == "yes");
                    div class="field" {
                        input id="job-retained" name="retained" type="checkbox" value="yes" checked[retained];
                        " " label for="job-retained" { "This is the job they held when referred (job retention): its start may be before the referral" }
                    }
                    (field(form, "job", "return_to_work", "If off sick: the day they returned to work (optional)", "date", Some(max)))
                }
            },
            "Save job start",
        ),
        "access" => (
            "access",
            Some("Access is the first meaningful contact after the person agreed to take part."),
            html! {
                (date_input(form, "access", "date", "Date of access", on_today))
            },
            "Save access",
        ),
        "plan" => (
            "plan",
            Some("A client is active only with a vocational plan."),
            html! {
                (date_input(form, "plan", "date", "Start of the vocational plan", on_today))
            },
            "Save plan",
        ),
        "in_work_check" => (
            "in_work_check",
            Some(
                "A payslip, the employer or the person confirming they are still in work. After discharge, sustainment counts only as far as a check shows.",
            ),
            html! {
                (in_work_check_fields(form, max))
            },
            "Save in-work check",
        ),
        "hold" => (
            "hold",
            Some(
                "On hold, the person stays on the caseload without counting as out of contact, up to the policy's limit.",
            ),
            html! {
                (date_input(form, "hold", "start", "Start of the hold", on_today))
                (field(form, "hold", "end", "Last day of the hold (leave empty while still on hold)", "date", None))
            },
            "Save hold",
        ),
        "waiting" => (
            "waiting",
            None,
            html! {
                (date_input(form, "waiting", "start", "Start on the waiting list", on_today))
                (field(form, "waiting", "end", "Last day on the waiting list (leave empty while still waiting)", "date", None))
                (field(form, "waiting", "expected_return", "Expected return (optional)", "date", None))
            },
            "Save waiting list",
        ),
        "engagement" => (
            "engagement",
            None,
            html! {
                (date_input(form, "engagement", "date", "From", on_today))
                (select(form, "engagement", "status", "Engagement", &options(&[
                    ("seeking_work", "Seeking work"), ("in_work_support", "In-work support"),
                    ("not_seeking_work", "Receiving support but not seeking work")])))
            },
            "Save engagement",
        ),
        "decision" => (
            "decision",
            Some(
                "A team decision keeps a person active, or inactive, whatever their contacts say, for as long as it lasts.",
            ),
            html! {
                (date_input(form, "decision", "start", "From", on_today))
                (field(form, "decision", "end", "Until (optional)", "date", None))
                (select(form, "decision", "status", "The team decided the person is", &options(&[("active", "Active"), ("inactive", "Inactive")])))
                (field(form, "decision", "reason", "Reason", "text", None))
                (field(form, "decision", "agreed_by", AGREED_BY_LABEL, "text", None))
            },
            "Save team decision",
        ),
        "transfer" => (
            "transfer",
            None,
            html! {
                (date_input(form, "transfer", "date", "From", on_today))
                (select(form, "transfer", "es", "Employment specialist", specialists))
            },
            "Save transfer",
        ),
        _ => (
            "discharge",
            Some(
                "The discharge date is the first day the referral is closed. You will be asked to confirm.",
            ),
            html! {
                (date_input(form, "discharge", "date", "Date of discharge", on_today))
                (field(form, "discharge", "reason", "Reason (optional)", "text", None))
            },
            "Continue",
        ),
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
