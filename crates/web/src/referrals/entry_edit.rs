//! Correcting an entry of a referral in place ("Change" beside each entry of
//! the timeline): a contact, a hold, a waiting-list spell, an engagement
//! change, a team decision, a transfer, access, the vocational plan (its
//! end too) or the discharge. The form is the entry's own, filled with it;
//! it posts to the entry kind's route with the entry's position (`edit`) and
//! the referral's version, is checked as an addition is, and replaces the
//! entry whole — refused if the referral changed since the form was opened.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ipstrack_core::bundle::referral_document;
use ipstrack_core::{Day, Loaded};
use ipstrack_store::{Edit, Replacement, Step, StoreError};
use maud::{Markup, html};

use crate::error::{WebError, WebResult};
use crate::extract::{SignedIn, referral_in_scope};
use crate::referrals::actions::{AGREED_BY_LABEL, in_work_check_fields};
use crate::referrals::write::{Asked, OUT_OF_DATE, as_stored};
use crate::ui::form::{FormState, error_summary, field, options, select, textarea};
use crate::ui::layout::layout;
use crate::{AppState, Shared, Viewer};

/// The fields of entry `index` of `kind` as stored (none: no such entry).
fn stored_values(
    data: &Loaded,
    i: usize,
    kind: &str,
    index: usize,
) -> Option<Vec<(String, String)>> {
    let doc = referral_document(&data.dataset, &data.dataset.referrals[i]);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let pairs: Vec<(&str, String)> = match kind {
        "contact" => {
            let c = doc.contacts?.into_iter().nth(index)?;
            vec![
                ("date", c.date),
                ("kind", c.kind),
                ("mechanism", text(&c.mechanism)),
                ("location", text(&c.location)),
                ("note", text(&c.note)),
            ]
        }
        "hold" => {
            let h = doc.holds?.into_iter().nth(index)?;
            vec![("start", h.start), ("end", text(&h.end))]
        }
        "waiting" => {
            let w = doc.waiting_list?.into_iter().nth(index)?;
            vec![
                ("start", w.start),
                ("end", text(&w.end)),
                ("expected_return", text(&w.expected_return)),
            ]
        }
        "engagement" => {
            let e = doc.engagement?.into_iter().nth(index)?;
            vec![("date", e.date), ("status", e.status)]
        }
        "decision" => {
            let x = doc.decisions?.into_iter().nth(index)?;
            vec![
                ("start", x.start),
                ("end", text(&x.end)),
                ("status", x.status),
                ("reason", text(&x.reason)),
                ("agreed_by", x.agreed_by.join(", ")),
            ]
        }
        "in_work_check" => {
            let c = doc.in_work_checks.into_iter().nth(index)?;
            vec![
                ("date", c.date),
                ("source", c.source),
                ("note", text(&c.note)),
            ]
        }
        "transfer" => {
            let t = doc.transfers?.into_iter().nth(index)?;
            vec![("date", t.date), ("es", t.es)]
        }
        "access" if index == 0 => vec![("date", doc.access?)],
        "plan" if index == 0 => {
            let p = doc.vocational_plan?;
            let agreed = match p.agreed_with_clinical_team {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            };
            let mut pairs = vec![
                ("date", p.start),
                ("end", text(&p.end)),
                ("agreed", agreed.into()),
            ];
            for (name, day) in ["review1", "review2", "review3", "review4"]
                .into_iter()
                .zip(p.reviews)
            {
                pairs.push((name, day));
            }
            pairs
        }
        "discharge" if index == 0 => {
            let x = doc.discharge?;
            vec![("date", x.date), ("reason", text(&x.reason))]
        }
        "better_off" if index == 0 && doc.better_off_calculation.is_some() => {
            return Some(stored(data, i, kind));
        }
        "disclosure" if index == 0 && doc.disclosure.is_some() => {
            return Some(stored(data, i, kind));
        }
        _ => return None,
    };
    Some(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Issue 26's entries, as their own pages fill their forms.
fn stored(data: &Loaded, i: usize, kind: &str) -> Vec<(String, String)> {
    crate::referrals::preparation::stored_values(&data.dataset.referrals[i], kind)
}

pub(crate) async fn edit_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Path((id, kind, index)): Path<(String, String, usize)>,
) -> WebResult<Markup> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    let values = stored_values(&data, i, &kind, index).ok_or(WebError::NotFound)?;
    let kind: &'static str = KINDS
        .iter()
        .find(|k| **k == kind)
        .ok_or(WebError::NotFound)?;
    let form = FormState {
        form: kind,
        values,
        errors: Vec::new(),
        saved: None,
        warning: None,
    };
    Ok(entry_html(&v, &data, i, index, &form, today))
}

/// The kinds of entry corrected here.
const KINDS: [&str; 12] = [
    "contact",
    "in_work_check",
    "hold",
    "waiting",
    "engagement",
    "decision",
    "transfer",
    "access",
    "plan",
    "discharge",
    "better_off",
    "disclosure",
];

/// Writes a correction made in an entry's edit form (what the form asked
/// for, for entry `index`, at the version its page showed); errors, a stale
/// version or none bring the edit form back.
pub(crate) async fn save_entry(
    state: &AppState,
    v: &Viewer,
    data: &Loaded,
    i: usize,
    (index, asked, seen): (usize, Asked, Option<i64>),
    form: FormState,
    today: Day,
) -> WebResult {
    if !form.errors.is_empty() {
        return Err(WebError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            entry_html(v, data, i, index, &form, today),
        ));
    }
    let edit = match asked {
        Asked::Add(Step::Contact(c)) => Edit::Replace(Replacement::Contact(index, c)),
        Asked::Add(Step::Hold(h)) => Edit::Replace(Replacement::Hold(index, h)),
        Asked::Add(Step::Waiting(w)) => Edit::Replace(Replacement::Waiting(index, w)),
        Asked::Add(Step::Engagement(e)) => Edit::Replace(Replacement::Engagement(index, e)),
        Asked::Add(Step::Decision(x)) => Edit::Replace(Replacement::Decision(index, x)),
        Asked::Add(Step::Transfer(t)) => Edit::Replace(Replacement::Transfer(index, t)),
        Asked::Add(Step::InWorkCheck(c)) => Edit::Replace(Replacement::InWorkCheck(index, c)),
        Asked::Edit(
            edit @ (Edit::Access(_)
            | Edit::Plan(_)
            | Edit::Discharge(_)
            | Edit::BetterOffCalculation(_)
            | Edit::Disclosure(_)),
        ) => edit,
        _ => return Err(WebError::NotFound),
    };
    let id = data.dataset.referrals[i].id.clone();
    let stale = |form, message| stale_entry(state, v, (&id, index), form, message, today);
    let Some(seen_version) = seen else {
        return Err(stale(form, OUT_OF_DATE).await);
    };
    let step = Step::Edit { edit, seen_version };
    let before = state.data();
    match state
        .store
        .change_referral_once(&id, &step, None, &v.session.user.username)
        .await
    {
        Ok(saved) => Ok(crate::referrals::write::saved_and_told(
            state, &before, &step, &saved, "edit",
        )
        .await),
        Err(StoreError::Conflict { .. }) => {
            let message = "This referral was changed by someone else since you opened this form, so your change was not saved. Check it and save it again if it is still needed.";
            Err(stale(form, message).await)
        }
        Err(StoreError::NotFound(_)) => Err(WebError::Text(
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is no such entry: reload the page.".into(),
        )),
        Err(StoreError::Invalid(bad)) => {
            let again = FormState {
                errors: crate::referrals::refusal_errors(&bad, first_field(form.form)),
                ..form
            };
            Err(WebError::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                entry_html(v, data, i, index, &again, today),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The edit form of entry `index` of referral `id` again (409), on the
/// referral as it is now, with `message` beside its first field.
async fn stale_entry(
    state: &AppState,
    v: &Viewer,
    (id, index): (&str, usize),
    form: FormState,
    message: &str,
    today: Day,
) -> WebError {
    let (data, i) = match as_stored(state, id).await {
        Ok(found) => found,
        Err(e) => return e,
    };
    let again = FormState {
        errors: vec![(first_field(form.form), message.into())],
        ..form
    };
    WebError::Page(
        StatusCode::CONFLICT,
        entry_html(v, &data, i, index, &again, today),
    )
}

fn first_field(kind: &str) -> &'static str {
    match kind {
        "hold" | "waiting" | "decision" => "start",
        _ => "date",
    }
}

/// What each kind is called on its form.
fn heading(kind: &str) -> &'static str {
    match kind {
        "contact" => "contact",
        "hold" => "hold",
        "waiting" => "waiting-list spell",
        "engagement" => "engagement change",
        "decision" => "team decision",
        "in_work_check" => "in-work check",
        "transfer" => "transfer",
        "access" => "access",
        "plan" => "vocational plan",
        "better_off" => "better-off calculation",
        "disclosure" => "disclosure choice",
        _ => "discharge",
    }
}

/// The edit form of an entry, filled with `form`'s values.
fn entry_html(
    v: &Viewer,
    data: &Loaded,
    i: usize,
    index: usize,
    form: &FormState,
    today: Day,
) -> Markup {
    let d = &data.dataset;
    let r = &d.referrals[i];
    let name = d.client(r.client).display_name();
    let kind = form.form;
    let max = today.to_string();
    let specialists = crate::referrals::assignable(v, d, today);
    let fields = match kind {
        "contact" => html! {
            (field(form, kind, "date", "Date of contact", "date", Some(&max)))
            (select(form, kind, "kind", "Kind of contact", &options(&[
                ("face_to_face", "Face to face"), ("remote", "Remote (phone or video)"),
                ("in_work_support", "In-work support"), ("assertive_engagement", "Attempt, no reply (assertive engagement)")])))
            (select(form, kind, "mechanism", "How it was held (optional)", &options(&[
                ("", "Not recorded"), ("face_to_face", "Face to face"), ("telephone", "Telephone"), ("video", "Video"),
                ("email", "Email"), ("text_message", "Text message"), ("other", "Other")])))
            (select(form, kind, "location", "Where it was held (optional)", &options(&crate::referrals::LOCATION_CHOICES)))
            (textarea(form, kind, "note", "Note: what happened, next step (optional)", ipstrack_core::bundle::MAX_NOTE_CHARS))
        },
        "hold" => html! {
            (field(form, kind, "start", "Start of the hold", "date", Some(&max)))
            (field(form, kind, "end", "Last day of the hold (empty: still on hold)", "date", None))
        },
        "waiting" => html! {
            (field(form, kind, "start", "Start on the waiting list", "date", Some(&max)))
            (field(form, kind, "end", "Last day on the waiting list (empty: still waiting)", "date", None))
            (field(form, kind, "expected_return", "Expected return", "date", None))
        },
        "engagement" => html! {
            (field(form, kind, "date", "From", "date", Some(&max)))
            (select(form, kind, "status", "Engagement status", &options(&[
                ("seeking_work", "Seeking work"), ("in_work_support", "In-work support"),
                ("not_seeking_work", "Receiving support but not seeking work")])))
        },
        "decision" => html! {
            (field(form, kind, "start", "From", "date", Some(&max)))
            (field(form, kind, "end", "Until (optional)", "date", None))
            (select(form, kind, "status", "The team decided the client is", &options(&[("active", "Active"), ("inactive", "Inactive")])))
            (field(form, kind, "reason", "Reason", "text", None))
            (field(form, kind, "agreed_by", AGREED_BY_LABEL, "text", None))
        },
        "in_work_check" => in_work_check_fields(form, &max),
        "transfer" => html! {
            (field(form, kind, "date", "From", "date", Some(&max)))
            (select(form, kind, "es", "Employment specialist", &specialists))
        },
        "access" => html! { (field(form, kind, "date", "Date of access", "date", Some(&max))) },
        "plan" => html! {
            (field(form, kind, "date", "Start of the vocational plan", "date", Some(&max)))
            (field(form, kind, "end", "End of the vocational plan (empty: still going)", "date", Some(&max)))
            fieldset {
                legend { "Reviews of the plan" }
                @for n in 1..=4 { (field(form, kind, &format!("review{n}"), &format!("Review {n}"), "date", Some(&max))) }
            }
            (select(form, kind, "agreed", "Agreed with the clinical team", &options(&[("", "Not recorded"), ("yes", "Yes"), ("no", "No")])))
        },
        "better_off" | "disclosure" => crate::referrals::preparation::fields(form, kind, today).1,
        _ => html! {
            (field(form, kind, "date", "Date of discharge", "date", Some(&max)))
            (field(form, kind, "reason", "Reason (optional)", "text", None))
        },
    };
    let action = if kind == "contact" { "contacts" } else { kind };
    layout(
        v,
        &format!("Change the {} – {name}", heading(kind)),
        html! {
            (error_summary(form))
            p { a href=(format!("/referrals/{}", r.id)) { "Back to " (name) } }
            form method="post" action=(format!("/referrals/{}/{action}", r.id)) novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                input type="hidden" name="edit" value=(index);
                input type="hidden" name="version" value=(r.version);
                (fields)
                button type="submit" { "Save the change" }
            }
        },
    )
}
