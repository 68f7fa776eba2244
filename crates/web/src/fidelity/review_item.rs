//! One item of a fidelity review a page (issue 26): the evidence the
//! records give, the score they suggested when the review was started, the
//! five anchors to choose from and the reviewers' note; saved through
//! core's one check, then on to the next item.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ipstrack_core::fidelity::ItemId;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::review::{InScope, in_scope, item_of, save, title};
use super::reviews::review_evidence;
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, Leads, Posted, SignedIn};
use crate::saved::{success_banner, take_saved};
use crate::ui::form::FormState;
use crate::ui::form::{error_summary, radios, textarea};
use crate::ui::layout::layout;
use crate::{Shared, Snapshot, Viewer};
use ipstrack_core::bundle::{FidelityItemDoc, MAX_REVIEW_NOTE_CHARS};

pub(super) fn routes() -> Router<Shared> {
    Router::new().route(
        "/fidelity/reviews/{id}/items/{n}",
        get(item_page).post(score_item),
    )
}

const ITEM_FORM: &str = "fidelity-item";

#[derive(Deserialize, Serialize)]
struct ItemForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    note: String,
    #[serde(default, skip_serializing)]
    version: String,
}

async fn item_page(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    headers: HeaderMap,
    Path((id, n)): Path<(String, u8)>,
) -> WebResult<Response> {
    let item = item_of(n)?;
    let r = in_scope(&state, &v, &data, &id).await?;
    // Just started: the message, once.
    let saved = take_saved(&state, &headers);
    let s = &r.review.review.items[item.index()];
    let score = s.score.or(s.suggested).map(|x| x.to_string());
    let form = FormState {
        form: ITEM_FORM,
        values: vec![
            ("score".into(), score.unwrap_or_default()),
            ("note".into(), s.note.clone()),
        ],
        ..Default::default()
    };
    let page = item_html(&v, &data, &r, item, &form, saved.as_ref().map(|s| s.0));
    Ok(match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    })
}

fn item_html(
    v: &Viewer,
    data: &Snapshot,
    r: &InScope<'_>,
    id: ItemId,
    form: &FormState,
    saved: Option<&str>,
) -> Markup {
    let review = &r.review.review;
    let item = id.item();
    let s = &review.items[id.index()];
    let evidence = review_evidence(data, r.review.team, &review.period, review.review_date);
    let e = evidence.iter().find(|e| e.item == id);
    let choices: Vec<(String, String)> = item
        .anchors
        .iter()
        .enumerate()
        .map(|(at, anchor)| ((at + 1).to_string(), format!("{} – {anchor}", at + 1)))
        .collect();
    let rid = &r.review.id;
    html! {
        (layout(v, &format!("{}. {}", id.number(), item.name), html! {
            (success_banner(saved))
            p class="hint" { "Item " (id.number()) " of 25 · " (item.section.name()) " · " (title(data, r.review)) }
            (error_summary(form))
            p { (item.description) }
            div class="panel" {
                h2 { "What the records say" }
                @match e {
                    Some(e) => {
                        p { (e.words) }
                        @if e.records > 0 { p class="hint" { "From " (e.records) " records." } }
                    }
                    None => { p { "Scored by the reviewers from what they see and hear." } }
                }
                @if let Some(x) = s.suggested {
                    p { "The records suggested " strong { (x) } " when the review was started: " (item.anchor(x).unwrap_or_default()) }
                }
            }
            form method="post" action=(format!("/fidelity/reviews/{rid}/items/{}", id.number())) novalidate class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                input type="hidden" name="version" value=(r.saved.version);
                (radios(form, ITEM_FORM, "score", "Score", &choices.iter().map(|(v, t)| (v.as_str(), t.as_str())).collect::<Vec<_>>()))
                (textarea(form, ITEM_FORM, "note", "Note (needed when the score differs from the suggested one)", MAX_REVIEW_NOTE_CHARS))
                button type="submit" { @if id.number() < 25 { "Save and continue" } @else { "Save and see the review" } }
            }
            p class="no-print" {
                @if let Some(prev) = ItemId::from_number(id.number() - 1) {
                    a href=(format!("/fidelity/reviews/{rid}/items/{}", prev.number())) { "Previous item" } " · "
                }
                a href=(format!("/fidelity/reviews/{rid}")) { "Back to the review" }
            }
        }))
    }
}

async fn score_item(
    State(state): State<Shared>,
    Path((id, n)): Path<(String, u8)>,
    posted: Posted<ItemForm, Leads>,
) -> WebResult<Response> {
    let Posted { data, v, form, .. } = posted;
    let item = item_of(n)?;
    let r = in_scope(&state, &v, &data, &id).await?;
    let again = |errors| FormState::again(ITEM_FORM, &form, errors);
    let page = |errors| {
        WebError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            item_html(&v, &data, &r, item, &again(errors), None),
        )
    };
    let score = match form.score.trim() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(x) if (1..=5).contains(&x) => Some(x),
            _ => return Err(page(vec![("score", "Select a score from 1 to 5".into())])),
        },
    };
    let mut doc = r.saved.review.clone();
    let number = u32::from(item.number());
    let note = Some(form.note.clone()).filter(|n| !n.trim().is_empty());
    match doc.items.iter_mut().find(|i| i.item == number) {
        Some(i) => {
            i.score = score;
            i.note = note;
        }
        None => doc.items.push(FidelityItemDoc {
            item: number,
            suggested: None,
            score,
            note,
        }),
    }
    let seen = form.version.trim().parse().unwrap_or(0);
    let fields = ["score", "note"];
    if let Err(errors) = save(&state, &v, &doc, seen, &fields, "score").await? {
        return Err(page(errors));
    }
    let next = match ItemId::from_number(item.number() + 1) {
        Some(next) => format!("/fidelity/reviews/{id}/items/{}", next.number()),
        None => format!("/fidelity/reviews/{id}"),
    };
    Ok(axum::response::Redirect::to(&next).into_response())
}
