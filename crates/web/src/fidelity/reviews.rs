//! The fidelity reviews of a team or of the whole service (issue 26): the
//! list with the reviews side by side over time (FIDR-14), and starting a
//! review (its period, date and reviewers), which keeps the score the
//! records suggest for each item with it. Who sees and starts which is
//! core's (`Scope::fidelity_review`, FIDR-20).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ipstrack_core::bundle::{FidelityItemDoc, FidelityReviewDoc, MAX_REVIEWERS};
use ipstrack_core::fidelity::{Evidence, FidelityReview, ReviewScope, side_by_side};
use ipstrack_core::model::TeamIdx;
use ipstrack_core::scope::Scope;
use ipstrack_core::{Day, Period};
use ipstrack_store::StoreError;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{Lead, Leads, Posted, SignedIn};
use crate::referrals::form_date;
use crate::saved::{saved_redirect, success_banner, take_saved};
use crate::team_worklist::team_in_scope;
use crate::ui::dates::uk_date;
use crate::ui::form::{FieldErrors, FormState, date_input, error_summary, field, select};
use crate::ui::layout::layout;
use crate::{Shared, Snapshot, Viewer};

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route("/fidelity/reviews", get(list))
        .route("/fidelity/reviews/new", get(new_page).post(start))
}

/// Whose reviews: a team (`Some`) or the whole service (`None`).
pub(super) type Whose = Option<TeamIdx>;

#[derive(Deserialize)]
pub(super) struct WhoseQuery {
    #[serde(default)]
    team: Option<String>,
}

/// The reviews asked for: the whole service for one who sees it and names
/// no team, else a team in the viewer's scope (a team outside it answers as
/// one that does not exist).
pub(super) fn whose(v: &Viewer, data: &Snapshot, team: Option<&str>) -> WebResult<Whose> {
    match (team.filter(|t| !t.is_empty()), v.scope) {
        (None, Scope::Service) => Ok(None),
        (id, _) => team_in_scope(v, data, id).map(Some),
    }
}

/// "North team" or the service's name.
pub(super) fn whose_words(data: &Snapshot, whose: Whose) -> String {
    let d = &data.dataset;
    match whose {
        Some(t) => format!("{} team", d.team(t).name),
        None => d.service.name.clone(),
    }
}

/// The list of `whose` reviews.
pub(crate) fn list_link(team: Option<&str>) -> String {
    match team {
        Some(t) => format!("/fidelity/reviews?team={}", crate::ui::form::query_value(t)),
        None => "/fidelity/reviews".into(),
    }
}

pub(super) fn team_id(data: &Snapshot, whose: Whose) -> Option<&str> {
    whose.map(|t| data.dataset.team(t).id.as_str())
}

/// The evidence a review of `whose` over `period` on `review_date` reads
/// (as of the earlier of the period's end and the review date).
pub(super) fn review_evidence(
    data: &Snapshot,
    whose: Whose,
    period: &Period,
    review_date: Day,
) -> std::sync::Arc<Vec<Evidence>> {
    let scope = match whose {
        Some(t) => ReviewScope::Team(t),
        None => ReviewScope::Service,
    };
    data.fidelity_evidence(scope, period, period.default_as_of(review_date))
}

/// `whose` reviews in the snapshot, in the order they were recorded.
fn reviews_of(data: &Snapshot, whose: Whose) -> Vec<&FidelityReview> {
    data.dataset
        .fidelity_reviews
        .iter()
        .filter(|r| r.team == whose)
        .collect()
}

async fn list(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    headers: HeaderMap,
    Query(q): Query<WhoseQuery>,
) -> WebResult<Response> {
    let whose = whose(&v, &data, q.team.as_deref())?;
    let team = team_id(&data, whose);
    let saved = take_saved(&state, &headers);
    let reviews = reviews_of(&data, whose);
    let mut by_date = reviews.clone();
    by_date.sort_by_key(|r| (r.review.review_date, r.review.period.start));
    let values: Vec<_> = by_date.iter().map(|r| &r.review).collect();
    let sbs = side_by_side(&values);
    let new = match team {
        Some(t) => format!(
            "/fidelity/reviews/new?team={}",
            crate::ui::form::query_value(t)
        ),
        None => "/fidelity/reviews/new".into(),
    };
    let page = layout(
        &v,
        &format!("Fidelity reviews – {}", whose_words(&data, whose)),
        html! {
            (success_banner(saved.as_ref().map(|s| s.0)))
            p { a class="button" href=(new) { "Start a fidelity review" } }
            @if reviews.is_empty() {
                p { "No fidelity reviews recorded yet. Start one: each item's evidence from the records is shown as you score it." }
            } @else {
                table {
                    caption { "Reviews, the earliest first" }
                    thead { tr { th scope="col" { "Review date" } th scope="col" { "Period" } th scope="col" { "Stage" } th scope="col" class="num" { "Total" } th scope="col" { "Band" } th scope="col" { span class="visually-hidden" { "Open" } } } }
                    tbody {
                        @for r in &by_date {
                            @let t = r.review.totals();
                            tr {
                                td { (uk_date(r.review.review_date)) }
                                td { (r.review.period.label) }
                                td { (stage_words(r)) }
                                td class="num" { (t.total) " of 125" }
                                td { (band_words(t.band)) }
                                td { a href=(format!("/fidelity/reviews/{}", r.id)) aria-label=(format!("Open the review of {}", uk_date(r.review.review_date))) { "Open" } }
                            }
                        }
                    }
                }
                @if by_date.len() > 1 {
                    h2 { "Side by side" }
                    div class="table-scroll" {
                        table class="fidelity-side-by-side" {
                            caption { "Each item's score in each review, and its change since the review before the last" }
                            thead { tr {
                                th scope="col" { "Item" }
                                @for day in &sbs.review_dates { th scope="col" class="num" { (uk_date(*day)) } }
                                th scope="col" class="num" { "Change" }
                            } }
                            tbody {
                                @for row in &sbs.items {
                                    tr {
                                        th scope="row" { (row.item.number()) ". " (row.item.item().name) }
                                        @for s in &row.scores { td class="num" { @match s { Some(s) => (s), None => "–" } } }
                                        td class="num" { @match row.change { Some(c) if c > 0 => { "+" (c) }, Some(c) => (c), None => "–" } }
                                    }
                                }
                                tr {
                                    th scope="row" { "Total (of 125)" }
                                    @for t in &sbs.totals { td class="num" { strong { (t) } } }
                                    td {}
                                }
                                tr {
                                    th scope="row" { "Band" }
                                    @for b in &sbs.bands { td { (band_words(*b)) } }
                                    td {}
                                }
                            }
                        }
                    }
                }
            }
        },
    );
    Ok(match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    })
}

/// "Draft" or "Finished".
pub(super) fn stage_words(r: &FidelityReview) -> &'static str {
    match r.review.stage {
        ipstrack_core::fidelity::Stage::Draft => "Draft",
        ipstrack_core::fidelity::Stage::Finished => "Finished",
    }
}

/// A band in words, or that items are still to score.
pub(super) fn band_words(band: Option<ipstrack_core::fidelity::Band>) -> String {
    band.map_or("Not all items scored".into(), |b| b.words().to_string())
}

const FORM: &str = "fidelity-review";

#[derive(Deserialize, Serialize)]
pub(super) struct StartForm {
    #[serde(default)]
    team: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    review_date: String,
    #[serde(default)]
    reviewer_1: String,
    #[serde(default)]
    reviewer_2: String,
    #[serde(default)]
    reviewer_3: String,
    #[serde(default)]
    reviewer_4: String,
    #[serde(default)]
    reviewer_5: String,
    #[serde(default)]
    reviewer_6: String,
}

impl StartForm {
    fn reviewers(&self) -> Vec<String> {
        [
            &self.reviewer_1,
            &self.reviewer_2,
            &self.reviewer_3,
            &self.reviewer_4,
            &self.reviewer_5,
            &self.reviewer_6,
        ]
        .into_iter()
        .filter(|r| !r.trim().is_empty())
        .cloned()
        .collect()
    }
}

/// The periods a review may cover: the last eight quarters and the last
/// three financial years that have begun by `today`, the latest first.
fn periods(today: Day) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut q = Period::quarter_containing(today);
    for _ in 0..8 {
        out.push((
            q.label.clone(),
            format!("{} ({} to {})", q.label, uk_date(q.start), uk_date(q.end)),
        ));
        q = Period::quarter_containing(q.start.plus(-1));
    }
    let fy = today.financial_year();
    for y in (fy - 2..=fy).rev() {
        let p = Period::financial_year(y);
        out.push((p.label.clone(), format!("Financial year {}", p.label)));
    }
    out
}

fn start_html(v: &Viewer, data: &Snapshot, whose: Whose, today: Day, form: &FormState) -> Markup {
    let default_period = Period::last_closed_quarter(today).label;
    let form = if form.form == FORM {
        form.clone()
    } else {
        FormState {
            form: FORM,
            values: vec![
                ("period".into(), default_period),
                ("review_date".into(), today.to_string()),
            ],
            ..Default::default()
        }
    };
    html! {
        (error_summary(&form))
        p { "The review keeps, for each item, the score the records suggest today; you confirm or change each one on its own page." }
        form method="post" action="/fidelity/reviews/new" novalidate class="panel" {
            input type="hidden" name="csrf" value=(v.session.csrf);
            input type="hidden" name="team" value=(team_id(data, whose).unwrap_or(""));
            (select(&form, FORM, "period", "Period reviewed", &periods(today)))
            (date_input(&form, FORM, "review_date", "Date of the review", Some(today)))
            fieldset {
                legend { "Reviewers (at least one, up to " (MAX_REVIEWERS) ")" }
                @for n in 1..=MAX_REVIEWERS {
                    (field(&form, FORM, &format!("reviewer_{n}"), &format!("Reviewer {n}"), "text", None))
                }
            }
            button type="submit" { "Start the review" }
        }
    }
}

async fn new_page(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<WhoseQuery>,
) -> WebResult<Markup> {
    let whose = whose(&v, &data, q.team.as_deref())?;
    let title = format!("Start a fidelity review – {}", whose_words(&data, whose));
    Ok(layout(
        &v,
        &title,
        start_html(&v, &data, whose, state.today(), &FormState::default()),
    ))
}

async fn start(
    State(state): State<Shared>,
    posted: Posted<StartForm, Leads>,
) -> WebResult<Response> {
    let Posted { data, v, form, .. } = posted;
    let whose = whose(
        &v,
        &data,
        Some(form.team.as_str()).filter(|t| !t.is_empty()),
    )?;
    let today = state.today();
    let page = |errors: FieldErrors| {
        let title = format!("Start a fidelity review – {}", whose_words(&data, whose));
        let state = FormState::again(FORM, &form, errors);
        WebError::Page(
            StatusCode::UNPROCESSABLE_ENTITY,
            layout(&v, &title, start_html(&v, &data, whose, today, &state)),
        )
    };
    let mut errors: FieldErrors = Vec::new();
    let period = Period::parse(form.period.trim()).ok();
    if period.is_none() {
        errors.push(("period", "Select the period reviewed".into()));
    }
    let date = form_date(&form.review_date, "date of the review", today, None)
        .map_err(|e| errors.push(("review_date", e)))
        .ok();
    if form.reviewers().is_empty() {
        errors.push((
            "reviewer_1",
            "Enter the name of at least one reviewer".into(),
        ));
    }
    let (Some(period), Some(date), true) = (period, date, errors.is_empty()) else {
        return Err(page(errors));
    };
    let evidence = review_evidence(&data, whose, &period, date);
    let doc = FidelityReviewDoc {
        id: String::new(),
        team: team_id(&data, whose).map(str::to_string),
        period: period.label.clone(),
        review_date: date.to_string(),
        reviewers: form.reviewers(),
        stage: "draft".into(),
        items: evidence
            .iter()
            .filter_map(|e| {
                e.suggested.map(|s| FidelityItemDoc {
                    item: u32::from(e.item.number()),
                    suggested: Some(u32::from(s)),
                    ..Default::default()
                })
            })
            .collect(),
        actions: Vec::new(),
    };
    let actor = &v.session.user.username;
    let saved = match state.store.record_fidelity_review(&doc, today, actor).await {
        Ok(saved) => saved,
        Err(StoreError::Invalid(bad)) => {
            let fields = ["review_date", "period"];
            return Err(page(crate::ui::form::errors_beside(
                &bad,
                &fields,
                "reviewer_1",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    state.publish_fidelity_reviews().await;
    Ok(saved_redirect(
        &state,
        &format!("/fidelity/reviews/{}/items/1", saved.review.id),
        "fidelity-review-started",
    ))
}
