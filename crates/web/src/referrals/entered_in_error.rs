//! A referral entered by mistake (issue 23, ERR-1): marked "entered in
//! error" on a page of its own — the reason required, a warning that it
//! leaves every figure — by anyone whose scope holds it (the ES it is
//! assigned to, their team lead, managers, admins); shown with a banner and
//! no recording forms; restored by a team lead, manager or admin. Both are
//! edits of the referral through the store's one write path (its version
//! checked, its audit entry and its change written with it), and core's
//! checks (the reason's limit, the date, no other change to a marked
//! referral) are the same as for the API and imports.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use ipstrack_core::attribution::assigned_on;
use ipstrack_core::bundle::{EnteredInErrorDoc, TextRule, limits, read_text};
use ipstrack_core::model::{EnteredInError, Referral};
use ipstrack_core::{Day, Loaded};
use ipstrack_store::{Edit, Entry, Step, StoreError};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{LEADS, ReferralForm, SignedIn, referral_in_scope};
use crate::referrals::write::{OUT_OF_DATE, change_as, saved_and_told, seen_version};
use crate::saved::{success_banner, take_saved};
use crate::ui::dates::uk_date;
use crate::ui::form::{FormState, error_summary, textarea};
use crate::ui::layout::{layout, once_field};
use crate::viewer::Viewer;
use crate::{AppState, Shared};

/// The form's name (its fields' ids are `entered_in_error-reason`).
const FORM: &str = "entered_in_error";

/// What a refused stale mark or restore says.
const CHANGED: &str = "This referral was changed by someone else since you opened it, so nothing was saved. Check it and try again.";

/// Whether the viewer may restore a referral entered in error: team leads,
/// managers and admins (an ES may mark their own referral, not undo a mark).
pub(crate) fn may_restore(v: &Viewer) -> bool {
    LEADS.contains(&v.session.user.role)
}

/// Whether a referral is listed by search for the viewer: a referral entered
/// in error is not, for an ES (it left their caseload); leads and managers
/// find it, to restore it.
pub(crate) fn listed(v: &Viewer, r: &Referral) -> bool {
    r.is_counted() || may_restore(v)
}

/// The name a mark records as who made it: the user's staff name, else the
/// username.
pub(crate) fn recorded_by(v: &Viewer, data: &Loaded) -> String {
    v.staff
        .map(|i| data.dataset.staff[i].name.clone())
        .unwrap_or_else(|| v.session.user.username.clone())
}

/// The link on a referral's page to its "entered in error" page (none for a
/// referral already marked).
pub(crate) fn action_link(r: &Referral) -> Markup {
    html! {
        @if r.is_counted() {
            p class="no-print" {
                a id="entered-in-error-link" href=(format!("/referrals/{}/entered-in-error", r.id)) {
                    "Entered in error? Mark this referral"
                }
            }
        }
    }
}

/// The banner of a referral entered in error: "Entered in error on 6 Dec
/// 2026 by Sam Lead: referred twice".
pub(crate) fn banner(mark: &EnteredInError) -> Markup {
    html! {
        div class="warning-message entered-in-error" id="entered-in-error" role="region" aria-label="Entered in error" {
            p { strong { "Entered in error on " (uk_date(mark.on)) " by " (mark.by) ": " } (mark.reason) }
            p { "It is left out of every figure, caseload, worklist and search count, and nothing more can be recorded on it." }
        }
    }
}

/// The page of a referral entered in error, in place of its usual page (the
/// referral page's handler asks this first): the banner, who was referred
/// and when, and for a team lead, manager or admin the Restore button.
/// `None` for a referral that counts.
pub(crate) fn marked_page(
    state: &AppState,
    headers: &HeaderMap,
    v: &Viewer,
    data: &Loaded,
    i: usize,
    today: Day,
) -> Option<Response> {
    let r = &data.dataset.referrals[i];
    r.entered_in_error.as_ref()?;
    let saved = take_saved(state, headers);
    // A submitted return the mark changed: said once, as after any save.
    let warning = crate::returns::affected::take_warning(state, headers);
    let told = Told {
        saved: saved.as_ref().map(|(m, _)| *m),
        warning: warning.as_ref().map(|(w, _)| w),
        problem: None,
    };
    let page = marked_html(v, data, i, today, told);
    let mut response = match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    };
    if let Some((_, [(name, value)])) = warning
        && let Ok(value) = value.parse()
    {
        response.headers_mut().append(name, value);
    }
    Some(response)
}

/// What the page of a referral entered in error says above its banner: a
/// save's message, a submitted return it changed, a refused restore.
#[derive(Default)]
struct Told<'a> {
    saved: Option<&'a str>,
    warning: Option<&'a Markup>,
    problem: Option<&'a str>,
}

fn marked_html(v: &Viewer, data: &Loaded, i: usize, today: Day, told: Told) -> Markup {
    let d = &data.dataset;
    let r = &d.referrals[i];
    let client = d.client(r.client);
    let es = assigned_on(r, today, today)
        .map(|e| d.staff_member(e).name.clone())
        .unwrap_or_else(|| "unallocated".into());
    layout(
        v,
        &client.display_name(),
        html! {
            (success_banner(told.saved))
            @if let Some(w) = told.warning { (w) }
            (crate::ui::form::problem_summary(told.problem, "restore"))
            @if let Some(mark) = &r.entered_in_error { (banner(mark)) }
            div class="panel" {
                p id="referral-summary" { "Referred on " (uk_date(r.received)) ", with " (es) "." }
                (crate::referrals::person::person_summary(client))
            }
            @if may_restore(v) {
                form method="post" action=(format!("/referrals/{}/restore", r.id)) class="panel" {
                    input type="hidden" name="csrf" value=(v.session.csrf);
                    (once_field())
                    input type="hidden" name="version" value=(r.version);
                    p { "Restoring puts the referral back in the caseload and every figure, as it was. The audit log keeps both changes." }
                    button type="submit" id="restore" { "Restore the referral" }
                }
            } @else {
                p { "A team lead can restore it if it was marked by mistake." }
            }
        },
    )
}

/// The "Mark this referral as entered in error" page.
fn mark_html(v: &Viewer, data: &Loaded, i: usize, form: &FormState) -> Markup {
    let d = &data.dataset;
    let r = &d.referrals[i];
    let name = d.client(r.client).display_name();
    layout(
        v,
        "Mark this referral as entered in error",
        html! {
            (error_summary(form))
            p { "Referral of " strong { (name) } ", received on " (uk_date(r.received)) "." }
            p { "Use this when the referral should never have been recorded: the person was referred twice, it was recorded for the wrong person, or it was a test." }
            div class="warning-message" id="entered-in-error-warning" {
                p { strong { "The referral will leave every figure: " }
                    "the report, caseloads, worklists, returns not yet submitted and data quality. "
                    "It is kept, with your reason, and a team lead can restore it." }
            }
            form method="post" action=(format!("/referrals/{}/entered-in-error", r.id)) novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                (once_field())
                input type="hidden" name="version" value=(r.version);
                (textarea(form, FORM, "reason", "Why was it entered in error?", limits::ERROR_REASON_CHARS))
                button type="submit" class="warning" { "Mark as entered in error" }
                " "
                a href=(format!("/referrals/{}", r.id)) { "Cancel" }
            }
        },
    )
}

/// GET `/referrals/{id}/entered-in-error`.
pub(crate) async fn mark_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> WebResult<Response> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    if !data.dataset.referrals[i].is_counted() {
        return Ok(axum::response::Redirect::to(&format!("/referrals/{id}")).into_response());
    }
    Ok(mark_html(&v, &data, i, &FormState::default()).into_response())
}

/// The mark's form.
#[derive(Deserialize, Serialize)]
pub(crate) struct MarkForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
    #[serde(default, skip_serializing)]
    once: String,
}

/// POST `/referrals/{id}/entered-in-error`: the mark, saved as an edit of
/// the referral at the version the page showed.
pub(crate) async fn mark(State(state): State<Shared>, posted: ReferralForm<MarkForm>) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let again = |errors: Vec<(&'static str, String)>, status: StatusCode| {
        let state_form = FormState::again(FORM, &form, errors);
        WebError::Page(status, mark_html(&v, &data, i, &state_form))
    };
    if !data.dataset.referrals[i].is_counted() {
        return Ok(axum::response::Redirect::to(&format!("/referrals/{id}")).into_response());
    }
    let reason = match read_text(&form.reason, TextRule::lines(limits::ERROR_REASON_CHARS)) {
        Ok(Some(reason)) => reason.to_string(),
        Ok(None) => {
            return Err(again(
                vec![(
                    "reason",
                    "Enter why the referral was entered in error".into(),
                )],
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
        Err(problem) => {
            return Err(again(
                vec![("reason", format!("The reason {}", problem.words()))],
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let Some(seen) = seen_version(&form.version) else {
        return Err(again(
            vec![("reason", OUT_OF_DATE.into())],
            StatusCode::CONFLICT,
        ));
    };
    let edit = Edit::EnteredInError(EnteredInErrorDoc {
        date: today.to_string(),
        reason,
        recorded_by: recorded_by(&v, &data),
    });
    let step = Step::Edit {
        edit,
        seen_version: seen,
    };
    let fields = BTreeMap::from([("reason", form.reason.as_str()), ("version", &form.version)]);
    let what = (id.as_str(), "entered in error", "entered-in-error");
    let once = crate::retry::referral_form_key(&v, &form.once, what, &fields)?;
    match change_as(&state, &v, &id, &step, once.as_ref()).await {
        Ok(saved) => Ok(saved_and_told(&state, &data, &step, &saved, "entered-in-error").await),
        Err(StoreError::Conflict { .. }) => Err(again(
            vec![("reason", CHANGED.into())],
            StatusCode::CONFLICT,
        )),
        Err(StoreError::Invalid(bad)) => Err(again(
            crate::ui::form::errors_beside(&bad, &["reason"], "reason"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(e) => Err(e.into()),
    }
}

/// The restore button's form.
#[derive(Deserialize)]
pub(crate) struct RestoreForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    once: String,
}

/// POST `/referrals/{id}/restore`: the mark removed (team leads, managers
/// and admins; anyone else is answered as if there were no such page).
pub(crate) async fn restore(
    State(state): State<Shared>,
    posted: ReferralForm<RestoreForm>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    v.allow(LEADS, &format!("/referrals/{id}/restore"))?;
    if data.dataset.referrals[i].is_counted() {
        return Ok(axum::response::Redirect::to(&format!("/referrals/{id}")).into_response());
    }
    let conflict = |message: &str| {
        WebError::Page(
            StatusCode::CONFLICT,
            marked_html(
                &v,
                &data,
                i,
                today,
                Told {
                    problem: Some(message),
                    ..Told::default()
                },
            ),
        )
    };
    let Some(seen) = seen_version(&form.version) else {
        return Err(conflict(OUT_OF_DATE));
    };
    let step = Step::Edit {
        edit: Edit::Remove {
            entry: Entry::EnteredInError,
            index: 0,
        },
        seen_version: seen,
    };
    let fields = BTreeMap::from([("version", form.version.as_str())]);
    let what = (id.as_str(), "restore", "restore");
    let once = crate::retry::referral_form_key(&v, &form.once, what, &fields)?;
    match change_as(&state, &v, &id, &step, once.as_ref()).await {
        Ok(saved) => Ok(saved_and_told(&state, &data, &step, &saved, "restored").await),
        Err(StoreError::Conflict { .. }) => Err(conflict(CHANGED)),
        Err(e) => Err(e.into()),
    }
}
