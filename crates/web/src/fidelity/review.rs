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
use ipstrack_core::bundle::FidelityReviewDoc;
use ipstrack_core::fidelity::review::capital;
use ipstrack_core::fidelity::{FidelityReview, ItemId, Section, Stage};
use ipstrack_store::{SavedFidelityReview, StoreError};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::reviews::{band_words, list_link, review_evidence, stage_words, team_id, whose_words};
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, Leads, Posted, SignedIn};
use crate::saved::{saved_redirect, success_banner, take_saved};
use crate::ui::dates::uk_date;
use crate::ui::form::{FieldErrors, errors_beside};
use crate::ui::layout::layout;
use crate::{AppState, Shared, Snapshot, Viewer};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/fidelity/reviews/{id}", get(summary))
        .route("/fidelity/reviews/{id}/finish", post(finish))
        .route("/fidelity/reviews/{id}/workbook.xlsx", get(workbook))
}

/// A review the viewer may see: as stored (with its version) and as the
/// snapshot read it. One outside their scope answers as one that does not
/// exist (FIDR-20).
pub(super) struct InScope<'a> {
    pub(super) saved: SavedFidelityReview,
    pub(super) review: &'a FidelityReview,
}

pub(super) async fn in_scope<'a>(
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

pub(super) fn title(data: &Snapshot, r: &FidelityReview) -> String {
    format!(
        "Fidelity review – {}, {}",
        whose_words(data, r.team),
        r.review.period.label
    )
}

/// The item numbered `n` (1 to 25), or not found.
pub(super) fn item_of(n: u8) -> WebResult<ItemId> {
    ItemId::from_number(n).ok_or(WebError::NotFound)
}

/// Saves `doc` over the stored review at the version `seen`: `Ok` once
/// written and published, else the errors by the page's fields
/// (`fields`: core's field name → the form's), a change since named.
pub(super) async fn save(
    state: &AppState,
    v: &Viewer,
    doc: &FidelityReviewDoc,
    seen: i64,
    fields: &[&'static str],
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
        Err(StoreError::Invalid(bad)) => Ok(Err(errors_beside(&bad, fields, fallback))),
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
                    div class="table-scroll" {
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
            }
            section class="fidelity-section" id="action-plan" {
                h2 { "Action plan" }
                @if totals.below_4.is_empty() {
                    p { "No item scores below 4." }
                } @else {
                    div class="table-scroll" {
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
