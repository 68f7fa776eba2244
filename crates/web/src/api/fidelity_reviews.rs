//! The API's fidelity reviews (issue 26): the stored reviews a caller may
//! see, one with its version, a new one and a change of one — under
//! FIDR-20 (core's `Scope::fidelity_review`: a team lead their team's, a
//! manager or admin the service's and any team's, an ES none) and the one
//! check every door calls (FIDR-10..12, by the store). A review outside the
//! caller's scope is answered exactly as one that does not exist (404
//! `{"error": "not found"}`); a lookup that matched one is audited as any
//! out-of-scope lookup is.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipstrack_core::bundle::{FidelityReviewDoc, MAX_ACTIONS, MAX_REVIEWERS};
use ipstrack_core::fidelity::ITEMS;
use ipstrack_core::model::TeamIdx;
use ipstrack_store::SavedFidelityReview;
use serde::Serialize;
use serde_json::Value;

use super::writes::{if_match, store_refusal};
use super::{ApiError, Caller};
use crate::error::WebError;
use crate::extract::{LEADS, SignedIn, audit_out_of_scope};
use crate::viewer::Viewer;
use crate::{AppState, Shared, Snapshot};

/// The collection's path.
const PATH: &str = "/api/v1/fidelity-reviews";

/// A stored fidelity review with its version (counted up by each change;
/// the `If-Match` of a change names it).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct VersionedReview {
    pub(crate) review: FidelityReviewDoc,
    pub(crate) version: i64,
}

/// Whether the caller may read and write a review of `team` (a team id;
/// none: the whole service). A team id the caller's data does not know is
/// only a manager's or admin's (the check then names it).
fn may(v: &Viewer, data: &Snapshot, team: Option<&str>) -> bool {
    let d = &data.dataset;
    match team.map(str::trim) {
        None => v.scope.fidelity_review(None),
        Some(id) => match d.teams.iter().position(|t| t.id == id) {
            Some(at) => v.scope.fidelity_review(Some(TeamIdx::at(at))),
            // One who may review the whole service may name any team.
            None => v.scope.fidelity_review(None),
        },
    }
}

/// The refusal of a review that is not the caller's: as one that does not
/// exist, logged; audited when `matched` (a stored review was found).
async fn not_found(state: &AppState, v: &Viewer, id: &str, matched: bool) -> ApiError {
    let entry = matched.then(|| ipstrack_core::model::OutOfScope {
        record_type: "fidelity_review",
        record_id: id.to_string(),
        matched_by: "id",
    });
    if let Err(e) = audit_out_of_scope(state, v, entry.into_iter().collect()).await {
        return e.into();
    }
    WebError::out_of_scope(v, "fidelity review", id).into()
}

/// The stored review `id` if it is the caller's to see; else 404, the same
/// whether it is missing or another team's.
async fn review_in_scope(
    state: &AppState,
    v: &Viewer,
    data: &Snapshot,
    id: &str,
) -> Result<SavedFidelityReview, ApiError> {
    let saved = state
        .store
        .fidelity_review(id)
        .await
        .map_err(store_refusal)?;
    match saved {
        Some(s) if may(v, data, s.review.team.as_deref()) => Ok(s),
        found => Err(not_found(state, v, id, found.is_some()).await),
    }
}

/// A review as the API answers it: the document, `ETag` its version.
fn review_answer(status: StatusCode, saved: &SavedFidelityReview) -> Response {
    let tag = HeaderValue::from_str(&format!("\"{}\"", saved.version)).expect("digits");
    let mut response = (status, Json(&saved.review)).into_response();
    response.headers_mut().insert(header::ETAG, tag);
    if status == StatusCode::CREATED
        && let Ok(at) = HeaderValue::from_str(&format!("{PATH}/{}", saved.review.id))
    {
        response.headers_mut().insert(header::LOCATION, at);
    }
    response
}

/// The body as a review document, its id `id` (the path's; none for a new
/// review, whose id the store gives): 422 naming what is wrong with it. A
/// body naming more items, reviewers or actions than a review can hold is
/// refused here, with one error, before any of them is checked.
fn review_of(mut body: Value, id: &str) -> Result<FidelityReviewDoc, ApiError> {
    let Some(fields) = body.as_object_mut() else {
        return Err(ApiError::fields(vec![(
            "review".into(),
            "The body must be a fidelity review (a JSON object).".into(),
        )]));
    };
    fields.insert("id".into(), Value::String(id.to_string()));
    let count = |name: &str| fields.get(name).and_then(Value::as_array).map(Vec::len);
    let mut too_many = Vec::new();
    for (name, most, what) in [
        ("items", ITEMS.len(), "items (one per item of the scale)"),
        ("reviewers", MAX_REVIEWERS, "reviewers"),
        ("actions", MAX_ACTIONS, "actions"),
    ] {
        if let Some(n) = count(name).filter(|n| *n > most) {
            too_many.push((
                name.to_string(),
                format!("A review has at most {most} {what}: {n} given."),
            ));
        }
    }
    if !too_many.is_empty() {
        return Err(ApiError::fields(too_many));
    }
    serde_json::from_value(body)
        .map_err(|e| ApiError::fields(vec![("review".into(), format!("{e}."))]))
}

/// The fidelity reviews the caller may see (a team lead their team's, a
/// manager or admin all), in the order they were first recorded, each with
/// its version.
#[utoipa::path(
    get,
    path = "/api/v1/fidelity-reviews",
    responses(
        (status = 200, description = "The reviews within the caller's scope, each with its version", body = [VersionedReview]),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "Not for this role (an ES)"),
    )
)]
pub(crate) async fn api_fidelity_reviews(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
) -> Result<Json<Vec<VersionedReview>>, ApiError> {
    v.allow(LEADS, PATH)?;
    // Each with its version, read together in one query.
    let saved = state
        .store
        .saved_fidelity_reviews()
        .await
        .map_err(store_refusal)?;
    let out = saved
        .into_iter()
        .filter(|s| may(&v, &data, s.review.team.as_deref()))
        .map(|s| VersionedReview {
            review: s.review,
            version: s.version,
        })
        .collect();
    Ok(Json(out))
}

/// One fidelity review within the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/fidelity-reviews/{id}",
    params(("id" = String, Path, description = "The review id (fr1, fr2…)")),
    responses(
        (status = 200, description = "The review; ETag is its version (for If-Match)", body = FidelityReviewDoc),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No such review within the caller's scope"),
    )
)]
pub(crate) async fn api_fidelity_review(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    v.allow(LEADS, PATH)?;
    let saved = review_in_scope(&state, &v, &data, &id).await?;
    Ok(review_answer(StatusCode::OK, &saved))
}

/// Records a new fidelity review (its id, `fr<n>`, given by the store; an
/// `id` in the body is ignored) of a team within the caller's scope, or of
/// the whole service (managers and admins): checked as every door checks
/// it (FIDR-10..12, its date not after today), audited.
#[utoipa::path(
    post,
    path = "/api/v1/fidelity-reviews",
    request_body = FidelityReviewDoc,
    responses(
        (status = 201, description = "Recorded; ETag is its version, Location its address", body = FidelityReviewDoc),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "A team outside the caller's scope (or the whole service, for a team lead), or not for this role (an ES): nothing written"),
        (status = 413, description = "A body over 2 MB"),
        (status = 422, description = "What to change, field by field (`items[15].note`, `actions[0].by_when`…)"),
        (status = 503, description = "The database is busy or cannot be reached: try again after Retry-After"),
    )
)]
pub(crate) async fn api_create_fidelity_review(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    v.allow(LEADS, PATH)?;
    let team = body.get("team").and_then(Value::as_str).map(str::to_string);
    if !may(&v, &data, team.as_deref()) {
        let whose = team
            .as_deref()
            .map_or("the service".into(), |t| format!("team {t}"));
        return Err(WebError::out_of_scope(&v, "new fidelity review of", &whose).into());
    }
    let doc = review_of(body, "")?;
    // The body's team, as parsed (a team that is not a string is refused above).
    if !may(&v, &data, doc.team.as_deref()) {
        return Err(WebError::out_of_scope(&v, "new fidelity review of", "-").into());
    }
    let saved = state
        .store
        .record_fidelity_review(&doc, state.today(), &v.session.user.username)
        .await
        .map_err(store_refusal)?;
    state.publish_fidelity_reviews().await;
    Ok(review_answer(StatusCode::CREATED, &saved))
}

/// Changes a fidelity review within the caller's scope, at the version
/// named in `If-Match` (the whole review as the body; its team stays
/// within the caller's scope): checked and audited as a new one.
#[utoipa::path(
    put,
    path = "/api/v1/fidelity-reviews/{id}",
    request_body = FidelityReviewDoc,
    params(
        ("id" = String, Path, description = "The review id"),
        ("If-Match" = String, Header, description = "The review's ETag (its version)"),
    ),
    responses(
        (status = 200, description = "The review as saved; ETag is its new version", body = FidelityReviewDoc),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No such review within the caller's scope, or a team outside it"),
        (status = 409, description = "The review changed since the If-Match version"),
        (status = 413, description = "A body over 2 MB"),
        (status = 422, description = "What to change, field by field"),
        (status = 428, description = "No If-Match"),
    )
)]
pub(crate) async fn api_change_fidelity_review(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Result<Response, ApiError> {
    v.allow(LEADS, PATH)?;
    review_in_scope(&state, &v, &data, &id).await?;
    let seen = if_match(&headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "a change needs If-Match: the ETag of the review",
        )
    })?;
    let doc = review_of(body, &id)?;
    if !may(&v, &data, doc.team.as_deref()) {
        let whose = doc.team.as_deref().unwrap_or("-").to_string();
        return Err(WebError::out_of_scope(&v, "fidelity review moved to team", &whose).into());
    }
    // A version that is not a number is no stored version: stale.
    let seen = seen.parse().unwrap_or(-1);
    let saved = state
        .store
        .change_fidelity_review(&doc, seen, state.today(), &v.session.user.username)
        .await
        .map_err(store_refusal)?;
    state.publish_fidelity_reviews().await;
    Ok(review_answer(StatusCode::OK, &saved))
}
