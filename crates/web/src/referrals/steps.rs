//! Recording and removing the other steps of a referral (access, vocational
//! plan, holds, waiting list, engagement, team decisions, transfers,
//! discharge): each checked, written with its audit entry and version check,
//! and published as a new snapshot. A refused one shows the referral page
//! again with the form and its errors (`invalid`, `page_again`, `stale`,
//! shared by every step's form); what writes share below the page is in
//! `write`.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ipstrack_core::bundle::{self, accepts};
use ipstrack_core::{Day, Loaded};
use ipstrack_store::{Edit, Entry, RequestKey, Step, StoreError};

use crate::error::{WebError, WebResult};
use crate::extract::ReferralForm;
use crate::referrals::write::{Asked, OUT_OF_DATE, as_stored, saved_and_told, seen_version};
use crate::referrals::{assignable, form_date};
use crate::ui::form::{FieldErrors, FormState};
use crate::viewer::Viewer;
use crate::{AppState, Shared};
use maud::Markup;

/// Shows the referral page again with the form's errors (422).
pub(crate) fn invalid(
    v: &Viewer,
    data: &Loaded,
    i: usize,
    today: Day,
    state: crate::ui::form::FormState,
) -> WebError {
    WebError::Page(
        StatusCode::UNPROCESSABLE_ENTITY,
        page_again(v, data, i, today, &state),
    )
}

/// The referral page again, the form kept with its errors.
pub(crate) fn page_again(
    v: &Viewer,
    data: &Loaded,
    i: usize,
    today: Day,
    state: &FormState,
) -> Markup {
    let specialists = assignable(v, &data.dataset, today);
    crate::referrals::page::referral_html(&crate::referrals::actions::ReferralView {
        v,
        data,
        index: i,
        today,
        form: state,
        specialists: &specialists,
    })
}

/// The answer to an edit from a page that showed an older version.
const CHANGED: &str = "This referral was changed by someone else since you opened it, so your change was not saved. \
     The referral as it is now is shown below the form; your change is still in the form: check it and save it again if it is still needed.";

/// Records one step on a referral in the store (only its own rows), puts the
/// referral as stored into the snapshot and shows it (303). An edit from a page
/// that showed an older version is refused: the page comes back (409) with the
/// referral as it is now and the change, not saved, still in its form.
pub(crate) async fn write_step(
    state: &AppState,
    v: &Viewer,
    id: &str,
    (step, once): (Step, Option<RequestKey>),
    form: crate::ui::form::FormState,
) -> WebResult {
    let before = state.data();
    match crate::referrals::write::change_as(state, v, id, &step, once.as_ref()).await {
        Ok(saved) => Ok(saved_and_told(state, &before, &step, &saved, form.form).await),
        Err(StoreError::Conflict { .. }) => Err(stale(state, v, id, form, CHANGED).await),
        // Core's checks of the record refused it: beside the form's fields.
        Err(StoreError::Invalid(bad)) => {
            let (data, i) = as_stored(state, id).await?;
            let today = state.today();
            let first = match form.form {
                "hold" | "waiting" | "decision" => "start",
                _ => "date",
            };
            let state_form = crate::ui::form::FormState {
                errors: crate::referrals::refusal_errors(&bad, first),
                ..form
            };
            Err(WebError::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                page_again(v, &data, i, today, &state_form),
            ))
        }
        // The entry to change or remove is no longer there.
        Err(StoreError::NotFound(_)) => Err(WebError::Text(
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is no such entry: reload the page.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The referral page again (409) with the referral as it is now, and the
/// change, not saved, still in its form with `message` beside its first
/// field.
pub(crate) async fn stale(
    state: &AppState,
    v: &Viewer,
    id: &str,
    form: FormState,
    message: &str,
) -> WebError {
    // Show the referral as it is now: load it into the snapshot first.
    let (data, i) = match as_stored(state, id).await {
        Ok(found) => found,
        Err(e) => return e,
    };
    let today = state.today();
    // The error links to the form's first field.
    let field = match form.form {
        "hold" | "waiting" | "decision" => "start",
        _ => "date",
    };
    let state_form = FormState {
        errors: vec![(field, message.into())],
        ..form
    };
    WebError::Page(
        StatusCode::CONFLICT,
        page_again(v, &data, i, today, &state_form),
    )
}

/// The steps of an episode recorded from the referral page, each a small
/// form: access, the vocational plan, discharge, a hold, a waiting-list spell,
/// an engagement change, a team decision and a transfer. Every date is checked
/// (real, not in the future, not before the referral; an end not before its
/// start), and the referral is saved through the same checks as an import.
pub(crate) async fn record_step(
    State(state): State<Shared>,
    Path((_, step)): Path<(String, String)>,
    posted: ReferralForm<HashMap<String, String>>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let d = &data.dataset;
    let r = &d.referrals[i];
    let value = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors: FieldErrors = Vec::new();
    let after_received = Some((r.received, "referral"));
    let mut date = |name: &'static str,
                    what: &str,
                    optional: bool,
                    earliest: Option<(Day, &str)>|
     -> Option<Day> {
        let text = value(name);
        if optional && text.is_empty() {
            return None;
        }
        form_date(&text, what, today, earliest)
            .map_err(|e| errors.push((name, e)))
            .ok()
    };
    use ipstrack_core::bundle::{
        DecisionDoc, DischargeDoc, EngagementDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
    };
    let text = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
    let (step_name, change): (&'static str, Asked) = match step.as_str() {
        "better_off" | "disclosure" | "job_preferences" => {
            crate::referrals::preparation::asked(&step, &value, r, today, &mut errors)
                .ok_or(WebError::NotFound)?
        }
        "access" => {
            let day = date("date", "date of access", false, after_received);
            ("access", Asked::Edit(Edit::Access(text(day))))
        }
        "plan" => {
            let day = date(
                "date",
                "start of the vocational plan",
                false,
                after_received,
            );
            // An end, when the plan is changed (its edit form).
            let end = date(
                "end",
                "end of the vocational plan",
                true,
                day.map(|d| (d, "start")),
            );
            // Its reviews and the clinical team's agreement (the edit form).
            let mut reviews = Vec::new();
            for name in ["review1", "review2", "review3", "review4"] {
                let after_start = day.map(|d| (d, "start of the plan"));
                if let Some(r) = date(name, "review date", true, after_start) {
                    reviews.push(r.to_string());
                }
            }
            let agreed = match value("agreed").as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            (
                "plan",
                Asked::Edit(Edit::Plan(ipstrack_core::bundle::PlanDoc {
                    start: text(day),
                    end: end.map(|d| d.to_string()),
                    reviews,
                    agreed_with_clinical_team: agreed,
                    // Kept as recorded: they have a page of their own.
                    job_preferences: r.job_preferences.as_deref().map(str::to_string),
                })),
            )
        }
        "discharge" => {
            let day = date("date", "date of discharge", false, after_received);
            let reason = Some(value("reason")).filter(|r| !r.is_empty());
            (
                "discharge",
                Asked::Edit(Edit::Discharge(DischargeDoc {
                    date: text(day),
                    reason,
                })),
            )
        }
        "hold" | "waiting" | "decision" => {
            let start = date("start", "start date", false, after_received);
            let end = date("end", "end date", true, start.map(|s| (s, "start")));
            let (start, end) = (text(start), end.map(|d| d.to_string()));
            match step.as_str() {
                "hold" => ("hold", Asked::Add(Step::Hold(SpellDoc { start, end }))),
                "waiting" => {
                    let expected = value("expected_return");
                    let expected_return = if expected.is_empty() {
                        None
                    } else if Day::parse(&expected).is_some() {
                        Some(expected)
                    } else {
                        errors.push((
                            "expected_return",
                            "Enter the expected return as a real date".into(),
                        ));
                        None
                    };
                    (
                        "waiting",
                        Asked::Add(Step::Waiting(WaitingSpellDoc {
                            start,
                            end,
                            expected_return,
                        })),
                    )
                }
                _ => {
                    let status = value("status");
                    if !accepts(&bundle::DECISIONS, &status) {
                        errors.push((
                            "status",
                            "Select whether the team decided active or inactive".into(),
                        ));
                    }
                    let reason = value("reason");
                    if reason.is_empty() {
                        errors.push(("reason", "Give the reason the team agreed".into()));
                    }
                    let es = ipstrack_core::attribution::assigned_on(r, today, today);
                    let agreed_by = agreed_by(d, es, &value("agreed_by"), &mut errors);
                    (
                        "decision",
                        Asked::Add(Step::Decision(DecisionDoc {
                            start,
                            end,
                            status,
                            reason: Some(reason),
                            agreed_by,
                        })),
                    )
                }
            }
        }
        "in_work_check" => {
            let day = date("date", "date of the check", false, after_received);
            let source = value("source");
            if !accepts(&bundle::CHECK_SOURCES, &source) {
                errors.push((
                    "source",
                    "Select how you know they are still in work".into(),
                ));
            }
            let note = match bundle::read_text(
                &value("note"),
                bundle::TextRule::lines(bundle::MAX_NOTE_CHARS),
            ) {
                Ok(n) => n.map(str::to_string),
                Err(problem) => {
                    errors.push(("note", format!("The note {}", problem.words())));
                    None
                }
            };
            (
                "in_work_check",
                Asked::Add(Step::InWorkCheck(ipstrack_core::bundle::InWorkCheckDoc {
                    date: text(day),
                    source,
                    note,
                })),
            )
        }
        "engagement" => {
            let day = date("date", "date of the change", false, after_received);
            let status = value("status");
            if !accepts(&bundle::ENGAGEMENTS, &status) {
                errors.push(("status", "Select the engagement status".into()));
            }
            (
                "engagement",
                Asked::Add(Step::Engagement(EngagementDoc {
                    date: text(day),
                    status,
                })),
            )
        }
        "transfer" => {
            let day = date("date", "date of the transfer", false, after_received);
            let to = value("es");
            let allowed = assignable(&v, d, today);
            if !allowed.iter().any(|(id, _)| *id == to) {
                errors.push(("es", "Select an employment specialist in your scope".into()));
            }
            (
                "transfer",
                Asked::Add(Step::Transfer(TransferDoc {
                    date: text(day),
                    es: to,
                })),
            )
        }
        "remove" => {
            // A correction: take one recorded item out (the audit log keeps the old value).
            let index: usize = value("index").parse().unwrap_or(usize::MAX);
            let entry = match value("kind").as_str() {
                "access" => Entry::Access,
                "plan" => Entry::Plan,
                "discharge" => Entry::Discharge,
                "contact" => Entry::Contact,
                "hold" => Entry::Hold,
                "waiting" => Entry::Waiting,
                "engagement" => Entry::Engagement,
                "decision" => Entry::Decision,
                "transfer" => Entry::Transfer,
                "job" => Entry::Job,
                "in_work_check" => Entry::InWorkCheck,
                "better_off" => Entry::BetterOffCalculation,
                "disclosure" => Entry::Disclosure,
                _ => {
                    return Err(WebError::Text(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "There is no such entry to remove: reload the page.".into(),
                    ));
                }
            };
            // Taking the discharge out reopens the referral, and says so.
            let word = if entry == Entry::Discharge {
                "reopened"
            } else {
                "remove"
            };
            (word, Asked::Edit(Edit::Remove { entry, index }))
        }
        _ => return Err(WebError::NotFound),
    };
    let values: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version" | "once" | "edit"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // A correction from an entry's edit form: the entry replaced.
    if let Some(index) = form
        .get("edit")
        .and_then(|e| e.trim().parse::<usize>().ok())
    {
        let seen = form.get("version").and_then(|v| seen_version(v));
        let state_form = FormState {
            form: step_name,
            values,
            errors,
            saved: None,
            warning: None,
        };
        return crate::referrals::entry_edit::save_entry(
            &state,
            &v,
            &data,
            i,
            (index, change, seen),
            state_form,
            today,
        )
        .await;
    }
    if !errors.is_empty() {
        return Err(invalid(
            &v,
            &data,
            i,
            today,
            crate::ui::form::FormState {
                form: step_name,
                values,
                errors,
                saved: None,
                warning: None,
            },
        ));
    }
    // A discharge closes the referral: asked once more, on a page of its
    // own, before it is saved (a correction from its edit form is not).
    if step_name == "discharge" && form.get("confirm").map(String::as_str) != Some("yes") {
        return Ok(axum::response::IntoResponse::into_response(
            crate::referrals::discharge::confirmation(&v, &data, i, &form),
        ));
    }
    // The form's one-time token, for this referral and kind of step and
    // this form's fields.
    let fields: std::collections::BTreeMap<&str, &str> = form
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "once"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let once = crate::retry::referral_form_key(
        &v,
        form.get("once").map_or("", String::as_str),
        (id.as_str(), step_name, &step),
        &fields,
    )?;
    let state_form = crate::ui::form::FormState {
        form: step_name,
        values,
        errors: Vec::new(),
        saved: None,
        warning: None,
    };
    // The version the page showed: an edit is refused without it, or if the
    // referral changed since.
    let change = match change {
        Asked::Add(step) => step,
        Asked::Edit(edit) => match form.get("version").and_then(|v| seen_version(v)) {
            Some(seen_version) => Step::Edit { edit, seen_version },
            None => return Err(stale(&state, &v, &id, state_form, OUT_OF_DATE).await),
        },
    };
    write_step(&state, &v, &id, (change, once), state_form).await
}

/// Who agreed a team decision, as typed (names separated by commas or on
/// lines of their own), each read by core's text rule; refused, with the
/// reason, unless it is a team's decision — the ES and at least one other
/// (ENG-3, core's [`ipstrack_core::standards::agreement`]).
pub(crate) fn agreed_by(
    d: &ipstrack_core::model::Dataset,
    es: Option<ipstrack_core::model::StaffIdx>,
    typed: &str,
    errors: &mut FieldErrors,
) -> Vec<String> {
    use ipstrack_core::bundle::{TextRule, limits, read_text};
    let mut names = Vec::new();
    for part in typed.split([',', '\n']) {
        match read_text(part, TextRule::line(limits::AGREED_BY_CHARS)) {
            Ok(Some(name)) => names.push(name.to_string()),
            Ok(None) => {}
            Err(problem) => {
                errors.push(("agreed_by", format!("Each name {}", problem.words())));
                return names;
            }
        }
    }
    if names.len() > limits::AGREED_BY {
        errors.push((
            "agreed_by",
            format!("Name at most {} people who agreed it", limits::AGREED_BY),
        ));
    } else if let Some(problem) = ipstrack_core::standards::agreement(d, es, &names).problem() {
        errors.push(("agreed_by", problem.into()));
    }
    names
}
