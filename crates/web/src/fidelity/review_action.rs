//! An action for an item of a fidelity review scored below 4 (issue 26):
//! what, who and by when, on its own page; saved through core's one check.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use ipstrack_core::fidelity::ItemId;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::review::{InScope, in_scope, item_of, save, title};
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, Leads, Posted, SignedIn};
use crate::referrals::form_date;
use crate::saved::saved_redirect;
use crate::ui::form::FormState;
use crate::ui::form::{date_input, error_summary, field, textarea};
use crate::ui::layout::layout;
use crate::{Shared, Snapshot, Viewer};
use ipstrack_core::bundle::{FidelityActionDoc, MAX_ACTION_CHARS};
use ipstrack_core::fidelity::review::capital;

pub(super) fn routes() -> Router<Shared> {
    Router::new().route(
        "/fidelity/reviews/{id}/actions/{n}",
        get(action_page).post(save_action),
    )
}

const ACTION_FORM: &str = "fidelity-action";

#[derive(Deserialize, Serialize)]
struct ActionForm {
    #[serde(default)]
    what: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    by_when: String,
    #[serde(default, skip_serializing)]
    version: String,
}

async fn action_page(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Path((id, n)): Path<(String, u8)>,
) -> WebResult<Markup> {
    let item = item_of(n)?;
    let r = in_scope(&state, &v, &data, &id).await?;
    let values = match r.review.review.actions_for(item).next() {
        Some(a) => vec![
            ("what".into(), a.what.clone()),
            ("who".into(), a.who.clone()),
            ("by_when".into(), a.by_when.to_string()),
        ],
        None => Vec::new(),
    };
    let form = FormState {
        form: ACTION_FORM,
        values,
        ..Default::default()
    };
    Ok(action_html(&v, &data, &r, item, &form))
}

fn action_html(
    v: &Viewer,
    data: &Snapshot,
    r: &InScope<'_>,
    id: ItemId,
    form: &FormState,
) -> Markup {
    let rid = &r.review.id;
    let score = r.review.review.items[id.index()].score;
    html! {
        (layout(v, &format!("Action on {}", id.label()), html! {
            p class="hint" { (title(data, r.review)) }
            (error_summary(form))
            p { (capital(&id.label())) " scores " (score.map_or("nothing yet".into(), |s| s.to_string())) ". What will be done to improve it, who does it and by when?" }
            form method="post" action=(format!("/fidelity/reviews/{rid}/actions/{}", id.number())) novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                input type="hidden" name="version" value=(r.saved.version);
                (textarea(form, ACTION_FORM, "what", "What will be done", MAX_ACTION_CHARS))
                (field(form, ACTION_FORM, "who", "Who does it", "text", None))
                (date_input(form, ACTION_FORM, "by_when", "By when", None))
                button type="submit" { "Save the action" }
            }
            p class="no-print" { a href=(format!("/fidelity/reviews/{rid}#action-plan")) { "Back to the review" } }
        }))
    }
}

async fn save_action(
    State(state): State<Shared>,
    Path((id, n)): Path<(String, u8)>,
    posted: Posted<ActionForm, Leads>,
) -> WebResult<Response> {
    let Posted { data, v, form, .. } = posted;
    let item = item_of(n)?;
    let r = in_scope(&state, &v, &data, &id).await?;
    let page = |errors| {
        let again = FormState::again(ACTION_FORM, &form, errors);
        WebError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            action_html(&v, &data, &r, item, &again),
        )
    };
    // A date is read in the form's words first: any real day up to 2099
    // (the API takes the same; core refuses one before the review date).
    let last = ipstrack_core::Day::ymd(2099, 12, 31).expect("a real day");
    if let Err(e) = form_date(&form.by_when, "date the action is due", last, None) {
        return Err(page(vec![("by_when", e)]));
    }
    let mut doc = r.saved.review.clone();
    let number = u32::from(item.number());
    let action = FidelityActionDoc {
        item: number,
        what: form.what.clone(),
        who: form.who.clone(),
        by_when: form.by_when.trim().to_string(),
    };
    match doc.actions.iter_mut().find(|a| a.item == number) {
        Some(a) => *a = action,
        None => doc.actions.push(action),
    }
    let seen = form.version.trim().parse().unwrap_or(0);
    let fields = ["what", "who", "by_when"];
    if let Err(errors) = save(&state, &v, &doc, seen, &fields, "what").await? {
        return Err(page(errors));
    }
    Ok(saved_redirect(
        &state,
        &format!("/fidelity/reviews/{id}#action-plan"),
        "fidelity-action",
    ))
}
