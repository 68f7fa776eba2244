//! One fidelity review (issue 26): its summary (total, band, each
//! section's score, each item's score and note, the action plan of the
//! items below 4), each item scored on its own page with the evidence the
//! records give and the score they suggested, an item's action (what, who,
//! by when) on its own page, finishing the review, and the filled-in
//! review as a workbook. Every write goes through core's one check
//! (`check_fidelity_review`) in the store, with its audit entry; a change
//! from an older page is refused and the page shown again.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ipstrack_core::bundle::{
    FidelityActionDoc, FidelityItemDoc, FidelityReviewDoc, MAX_ACTION_CHARS, MAX_REVIEW_NOTE_CHARS,
};
use ipstrack_core::fidelity::review::capital;
use ipstrack_core::fidelity::{FidelityReview, ItemId, Section, Stage};
use ipstrack_core::model::TeamIdx;
use ipstrack_store::{SavedFidelityReview, StoreError};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::reviews::{Whose, band_words, list_link, review_evidence, stage_words, whose_words};
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, Leads, Posted, SignedIn};
use crate::referrals::form_date;
use crate::saved::{saved_redirect, success_banner, take_saved};
use crate::ui::dates::uk_date;
use crate::ui::form::{FieldErrors, FormState, date_input, error_summary, field, radios, textarea};
use crate::ui::layout::layout;
use crate::{AppState, Shared, Snapshot, Viewer};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/fidelity/reviews/{id}", get(summary))
        .route("/fidelity/reviews/{id}/finish", post(finish))
        .route("/fidelity/reviews/{id}/workbook.xlsx", get(workbook))
        .route(
            "/fidelity/reviews/{id}/items/{n}",
            get(item_page).post(score_item),
        )
        .route(
            "/fidelity/reviews/{id}/actions/{n}",
            get(action_page).post(save_action),
        )
}

/// A review the viewer may see: as stored (with its version) and as the
/// snapshot read it. One outside their scope answers as one that does not
/// exist (FIDR-20).
struct InScope<'a> {
    saved: SavedFidelityReview,
    review: &'a FidelityReview,
}

async fn in_scope<'a>(
    state: &AppState,
    v: &Viewer,
    data: &'a Snapshot,
    id: &str,
) -> WebResult<InScope<'a>> {
    let review = data
        .dataset
        .fidelity_reviews
        .iter()
        .find(|r| r.id == id)
        .filter(|r| v.scope.fidelity_review(r.team))
        .ok_or_else(|| WebError::out_of_scope(v, "fidelity review", "-"))?;
    let saved = state
        .store
        .fidelity_review(id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(InScope { saved, review })
}

fn whose(r: &FidelityReview) -> Whose {
    r.team
}

fn title(data: &Snapshot, r: &FidelityReview) -> String {
    format!(
        "Fidelity review – {}, {}",
        whose_words(data, whose(r)),
        r.review.period.label
    )
}

fn team_id(data: &Snapshot, team: Option<TeamIdx>) -> Option<&str> {
    team.map(|t| data.dataset.team(t).id.as_str())
}

/// The item numbered `n` (1 to 25), or not found.
fn item_of(n: u8) -> WebResult<ItemId> {
    ItemId::from_number(n).ok_or(WebError::NotFound)
}

/// Saves `doc` over the stored review at the version `seen`: `Ok` once
/// written and published, else the errors by the page's fields
/// (`fields`: core's field name → the form's), a change since named.
async fn save(
    state: &AppState,
    v: &Viewer,
    doc: &FidelityReviewDoc,
    seen: i64,
    fields: &[(&str, &'static str)],
    fallback: &'static str,
) -> WebResult<Result<(), FieldErrors>> {
    let actor = &v.session.user.username;
    match state
        .store
        .change_fidelity_review(doc, seen, state.today(), actor)
        .await
    {
        Ok(_) => {
            state.publish_fidelity_reviews().await;
            Ok(Ok(()))
        }
        Err(StoreError::Changed(_)) => Ok(Err(vec![(
            fallback,
            "Someone else changed this review since this page was shown: the page now shows what they saved. Make your change again".into(),
        )])),
        Err(StoreError::Invalid(bad)) => Ok(Err(bad
            .0
            .iter()
            .map(|e| {
                let field = fields
                    .iter()
                    .find(|(core, _)| e.field.ends_with(core))
                    .map_or(fallback, |(_, form)| *form);
                (field, e.plain())
            })
            .collect())),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------
// The summary
// ---------------------------------------------------------------------------

async fn summary(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let r = in_scope(&state, &v, &data, &id).await?;
    let saved = take_saved(&state, &headers);
    let page = summary_page(&v, &data, &r, saved.as_ref().map(|s| s.0), &[]);
    Ok(match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    })
}

fn summary_page(
    v: &Viewer,
    data: &Snapshot,
    r: &InScope<'_>,
    saved: Option<&str>,
    problems: &[(String, String)],
) -> Markup {
    let review = &r.review.review;
    let id = &r.review.id;
    let totals = review.totals();
    html! {
        (layout(v, &title(data, r.review), html! {
            (success_banner(saved))
            @if !problems.is_empty() {
                div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                    h2 id="error-summary-title" { "The review cannot be finished yet" }
                    ul { @for (link, message) in problems { li { a href=(link) { (message) } } } }
                }
            }
            p class="no-print" { a href=(list_link(team_id(data, r.review.team))) { "All fidelity reviews" } }
            dl class="summary-list" {
                div { dt { "Period" } dd { (review.period.label) " (" (uk_date(review.period.start)) " to " (uk_date(review.period.end)) ")" } }
                div { dt { "Date of the review" } dd { (uk_date(review.review_date)) } }
                div { dt { "Reviewers" } dd { (review.reviewers.join(", ")) } }
                div { dt { "Stage" } dd { (stage_words(r.review)) } }
            }
            div class="panel" id="total" {
                p { "Total: " strong { (totals.total) " of 125" } ". " (capital(&band_words(totals.band))) "." }
                ul {
                    @for s in &totals.sections {
                        li { (s.section.name()) ": " (s.score) " of " (s.maximum)
                            @if s.unscored > 0 { " (" (s.unscored) " not scored yet)" } }
                    }
                }
            }
            p class="no-print" {
                a href=(format!("/fidelity/reviews/{id}/items/1")) { "Score the items, one a page" }
                " · "
                a href=(format!("/fidelity/reviews/{id}/workbook.xlsx")) { "Download the review as a workbook (xlsx)" }
            }
            @for section in Section::ALL {
                section class="fidelity-section" {
                    h2 { (section.name()) }
                    table {
                        caption { (section.name()) ": each item's score, the score the records suggested and the reviewers' note" }
                        thead { tr { th scope="col" { "Item" } th scope="col" class="num" { "Suggested" } th scope="col" class="num" { "Score" } th scope="col" { "Note" } th scope="col" class="no-print" { span class="visually-hidden" { "Change" } } } }
                        tbody {
                            @for item in section.items() {
                                @let s = &review.items[item.id.index()];
                                tr {
                                    th scope="row" { (item.id.number()) ". " (item.name) }
                                    td class="num" { @match s.suggested { Some(x) => (x), None => "–" } }
                                    td class="num" { @match s.score { Some(x) => strong { (x) }, None => "Not scored" } }
                                    td { (s.note) }
                                    td class="no-print" { a href=(format!("/fidelity/reviews/{id}/items/{}", item.id.number())) aria-label=(format!("Change {}", item.id.label())) { "Change" } }
                                }
                            }
                        }
                    }
                }
            }
            section class="fidelity-section" id="action-plan" {
                h2 { "Action plan" }
                @if totals.below_4.is_empty() {
                    p { "No item scores below 4." }
                } @else {
                    table {
                        caption { "Items scored below 4: what will be done, who does it and by when" }
                        thead { tr { th scope="col" { "Item" } th scope="col" { "What" } th scope="col" { "Who" } th scope="col" { "By when" } th scope="col" class="no-print" { span class="visually-hidden" { "Change" } } } }
                        tbody {
                            @for item in &totals.below_4 {
                                @let actions: Vec<_> = review.actions_for(*item).collect();
                                tr {
                                    th scope="row" { (item.number()) ". " (item.item().name) " (" (review.items[item.index()].score.unwrap_or(0)) ")" }
                                    @if let Some(a) = actions.first() {
                                        td { (a.what) } td { (a.who) } td { (uk_date(a.by_when)) }
                                    } @else {
                                        td colspan="3" { "No action yet" }
                                    }
                                    td class="no-print" { a href=(format!("/fidelity/reviews/{id}/actions/{}", item.number())) aria-label=(format!("Action on {}", item.label())) { @if actions.is_empty() { "Add an action" } @else { "Change" } } }
                                }
                            }
                        }
                    }
                }
            }
            @if review.stage == Stage::Draft {
                form method="post" action=(format!("/fidelity/reviews/{id}/finish")) class="panel no-print" {
                    input type="hidden" name="csrf" value=(v.session.csrf);
                    input type="hidden" name="version" value=(r.saved.version);
                    p { "Finish the review once every item is scored and every item below 4 has an action." }
                    button type="submit" { "Finish the review" }
                }
            }
        }))
    }
}

/// The review filled in, as a workbook: each item's evidence, the score
/// suggested, the reviewers' score and note, and a summary with the action
/// plan (interop's `review_xlsx`).
async fn workbook(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let r = in_scope(&state, &v, &data, &id).await?;
    let review = &r.review.review;
    let evidence = review_evidence(&data, r.review.team, &review.period, review.review_date);
    let bytes = ipstrack_interop::fidelity::review_xlsx(&title(&data, r.review), &evidence, review)
        .map_err(WebError::internal)?;
    let file = format!(
        "fidelity-review-{}-{}.xlsx",
        team_id(&data, r.review.team).unwrap_or("service"),
        review.review_date
    );
    Ok(crate::ui::download::download(
        crate::ui::download::XLSX,
        &file,
        bytes,
    ))
}

#[derive(Deserialize, Serialize)]
struct VersionForm {
    #[serde(default)]
    version: String,
}

async fn finish(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted<VersionForm, Leads>,
) -> WebResult<Response> {
    let Posted { data, v, form, .. } = posted;
    let r = in_scope(&state, &v, &data, &id).await?;
    let seen = form.version.trim().parse().unwrap_or(0);
    let doc = FidelityReviewDoc {
        stage: "finished".into(),
        ..r.saved.review.clone()
    };
    let actor = &v.session.user.username;
    let problems: Vec<(String, String)> = match state
        .store
        .change_fidelity_review(&doc, seen, state.today(), actor)
        .await
    {
        Ok(_) => {
            state.publish_fidelity_reviews().await;
            return Ok(saved_redirect(
                &state,
                &format!("/fidelity/reviews/{id}"),
                "fidelity-review-finished",
            ));
        }
        Err(StoreError::Changed(_)) => vec![(
            "#total".into(),
            "Someone else changed this review since the page was shown: check it and finish it again".into(),
        )],
        Err(StoreError::Invalid(bad)) => bad
            .0
            .iter()
            .map(|e| (problem_link(&id, &e.field), e.plain()))
            .collect(),
        Err(e) => return Err(e.into()),
    };
    Err(WebError::Page(
        StatusCode::UNPROCESSABLE_ENTITY,
        summary_page(&v, &data, &r, None, &problems),
    ))
}

/// Where a problem of a finished review is mended: an item's page for a
/// score or note (`items[7].score`), the action's page for an action.
fn problem_link(id: &str, field: &str) -> String {
    let number = field
        .split(['[', ']'])
        .nth(1)
        .and_then(|n| n.parse::<u8>().ok());
    match number {
        Some(n) if field.starts_with("items") => format!("/fidelity/reviews/{id}/items/{n}"),
        _ => "#action-plan".into(),
    }
}

// ---------------------------------------------------------------------------
// One item a page
// ---------------------------------------------------------------------------

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
    let fields = [(".score", "score"), (".note", "note")];
    if let Err(errors) = save(&state, &v, &doc, seen, &fields, "score").await? {
        return Err(page(errors));
    }
    let next = match ItemId::from_number(item.number() + 1) {
        Some(next) => format!("/fidelity/reviews/{id}/items/{}", next.number()),
        None => format!("/fidelity/reviews/{id}"),
    };
    Ok(axum::response::Redirect::to(&next).into_response())
}

// ---------------------------------------------------------------------------
// An item's action
// ---------------------------------------------------------------------------

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
    // A date is read in the form's words first: the day must be real (an
    // action is due on or after the review: core says so).
    let far = state.today().plus_months(12 * 5);
    if let Err(e) = form_date(&form.by_when, "date the action is due", far, None) {
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
    let fields = [(".what", "what"), (".who", "who"), (".by_when", "by_when")];
    if let Err(errors) = save(&state, &v, &doc, seen, &fields, "what").await? {
        return Err(page(errors));
    }
    Ok(saved_redirect(
        &state,
        &format!("/fidelity/reviews/{id}#action-plan"),
        "fidelity-action",
    ))
}
