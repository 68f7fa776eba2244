//! The JSON API for scripts and integrations (a session cookie or
//! `Authorization: Bearer TOKEN`): a referral as its bundle document, the
//! KPI report of a period, a person's details, the fidelity reviews, and
//! the OpenAPI document describing them.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use ipstrack_core::Period;
use ipstrack_core::bundle::ReferralDoc;
use ipstrack_core::report::Report;

use crate::Shared;
use crate::error::WebError;
use crate::extract::{MANAGERS, SignedIn, referral_in_scope};
use crate::period::{PeriodQuery, period_or};

mod clients;
mod fidelity_reviews;
mod writes;

/// The API, under /api/v1.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/report", get(api_report))
        .route(
            "/api/v1/referrals",
            axum::routing::post(writes::api_create_referral),
        )
        .route("/api/v1/referrals/{id}", get(api_referral))
        .route(
            "/api/v1/referrals/{id}/steps",
            axum::routing::post(writes::api_add_step),
        )
        .route(
            "/api/v1/referrals/{id}/{kind}/{index}",
            axum::routing::put(writes::api_replace_entry),
        )
        .route(
            "/api/v1/clients/{id}",
            get(clients::api_client).put(clients::api_update_client),
        )
        .route(
            "/api/v1/fidelity-reviews",
            get(fidelity_reviews::api_fidelity_reviews)
                .post(fidelity_reviews::api_create_fidelity_review),
        )
        .route(
            "/api/v1/fidelity-reviews/{id}",
            get(fidelity_reviews::api_fidelity_review)
                .put(fidelity_reviews::api_change_fidelity_review),
        )
        .route("/api/v1/openapi.json", get(openapi_document))
}

/// The API's OpenAPI 3 document, generated from the handlers and types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ipstrack API",
        description = "IPS caseload and KPI figures. Authenticate with a session cookie or `Authorization: Bearer TOKEN` (`ipstrack user token NAME`)."
    ),
    paths(
        api_report,
        api_referral,
        writes::api_create_referral,
        writes::api_add_step,
        writes::api_replace_entry,
        clients::api_client,
        clients::api_update_client,
        fidelity_reviews::api_fidelity_reviews,
        fidelity_reviews::api_fidelity_review,
        fidelity_reviews::api_create_fidelity_review,
        fidelity_reviews::api_change_fidelity_review
    ),
    components(schemas(
        Report,
        ipstrack_core::bundle::ReferralDoc,
        ipstrack_core::bundle::ClientDoc,
        crate::referrals::new::NewReferral,
        crate::referrals::person::PersonForm,
        writes::ApiStep,
        ipstrack_core::bundle::FidelityReviewDoc,
        ipstrack_core::bundle::FidelityItemDoc,
        ipstrack_core::bundle::FidelityActionDoc,
        fidelity_reviews::VersionedReview
    ))
)]
pub(crate) struct ApiDoc;

pub(crate) async fn openapi_document() -> Json<utoipa::openapi::OpenApi> {
    Json(<ApiDoc as utoipa::OpenApi>::openapi())
}

/// The API's answer to a request it cannot serve: `{"error": "…"}` with the
/// status (401 not signed in, 404 not found or not in the caller's scope,
/// 400 a bad period, 409 a stale or taken record, 422 what to change, 503
/// with Retry-After when the database is busy or cannot be reached — also
/// while looking up the caller's token —, 500), and for a refused record `"fields": {name: message}` — each
/// message in the words the form shows beside that field.
pub(crate) struct ApiError(StatusCode, String, Vec<(String, String)>);

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError(status, message.into(), Vec::new())
    }

    /// 422 with each field's problem.
    pub(crate) fn fields(fields: Vec<(String, String)>) -> ApiError {
        let message = fields
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError(StatusCode::UNPROCESSABLE_ENTITY, message, fields)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.1 });
        if !self.2.is_empty() {
            let mut fields = serde_json::Map::new();
            for (field, message) in self.2 {
                let text = match fields.get(&field).and_then(|v| v.as_str()) {
                    Some(before) => format!("{before}; {message}"),
                    None => message,
                };
                fields.insert(field, text.into());
            }
            body["fields"] = fields.into();
        }
        let mut response = (self.0, Json(body)).into_response();
        if self.0 == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("60"),
            );
        }
        response
    }
}

/// The same refusals as the pages, in JSON and in the same words: whatever
/// is not the caller's is not found (and logged as the pages log it); a
/// refusal that says what to change keeps its message.
impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        match e {
            WebError::Text(status, text) => return ApiError::new(status, text),
            WebError::Store(e) => return writes::store_refusal(e),
            _ => {}
        }
        ApiError::answered(e)
    }
}

impl ApiError {
    /// A refusal as the pages answer it (its status), in the API's words.
    pub(crate) fn answered(e: WebError) -> ApiError {
        let status = e.into_response().status();
        let message = match status {
            StatusCode::SEE_OTHER => {
                return ApiError::new(StatusCode::UNAUTHORIZED, "sign in first");
            }
            StatusCode::NOT_FOUND => "not found",
            StatusCode::SERVICE_UNAVAILABLE => {
                "the database is busy or cannot be reached just now: try again in a minute"
            }
            s if s.is_server_error() => "something went wrong; it has been logged",
            _ => "the request cannot be done",
        };
        ApiError::new(status, message)
    }
}

/// A caller of the API: signed in by a token or session, else 401 in JSON.
pub(crate) struct Caller(SignedIn);

impl FromRequestParts<Shared> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        Ok(Caller(SignedIn::from_request_parts(parts, state).await?))
    }
}

/// One referral as in the data bundle, within the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/referrals/{id}",
    params(("id" = String, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The referral; ETag is its version (for If-Match)", body = ipstrack_core::bundle::ReferralDoc),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No such referral within the caller's scope"),
    )
)]
pub(crate) async fn api_referral(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let i = referral_in_scope(&state, &v, &data, &id, state.today()).await?;
    let r = &data.dataset.referrals[i];
    let doc: ReferralDoc = ipstrack_core::bundle::referral_document(&data.dataset, r);
    let mut response = Json(doc).into_response();
    let tag = format!("\"{}\"", r.version);
    response.headers_mut().insert(
        axum::http::header::ETAG,
        axum::http::HeaderValue::from_str(&tag).expect("digits"),
    );
    Ok(response)
}

/// The KPI report (`ipstrack-report/1`) of a period as of a day (managers and admins).
#[utoipa::path(
    get,
    path = "/api/v1/report",
    params(
        ("period" = Option<String>, Query, description = "2024/25, 2024/25-Q3 or 2024-04-01..2024-06-30 (default: this financial year)"),
        ("as_of" = Option<String>, Query, description = "YYYY-MM-DD (default: the period's end or today)"),
    ),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 400, description = "A bad period or as-of date"),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "Not for this role"),
    )
)]
pub(crate) async fn api_report(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Arc<Report>>, ApiError> {
    v.allow(MANAGERS, "/api/v1/report")?;
    let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, message);
    // The API's default stays the financial year to date (pages default to
    // the current quarter).
    let today = state.today();
    let (period, as_of) =
        period_or(&q, today, Period::financial_year(today.financial_year())).map_err(bad)?;
    let report = data
        .report(&period, as_of)
        .map_err(|e| bad(e.to_string()))?;
    Ok(Json(report))
}
