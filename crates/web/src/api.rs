//! The JSON API for scripts and integrations (a session cookie or
//! `Authorization: Bearer TOKEN`): a referral as its bundle document, the
//! KPI report of a period, and the OpenAPI document describing both.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ipstrack_core::report::Report;
use ipstrack_store::Role;

use crate::Shared;
use crate::extract::{audit_out_of_scope, in_scope, referral_matched, viewer};
use crate::period::{PeriodQuery, period_of};

/// The API, under /api/v1.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/report", get(api_report))
        .route("/api/v1/referrals/{id}", get(api_referral))
        .route("/api/v1/openapi.json", get(openapi_document))
}

/// The API's OpenAPI 3 document, generated from the handlers and types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ipstrack API",
        description = "IPS caseload and KPI figures. Authenticate with a session cookie or `Authorization: Bearer TOKEN` (`ipstrack user token NAME`)."
    ),
    paths(api_report, api_referral),
    components(schemas(Report, ipstrack_core::bundle::ReferralDoc))
)]
pub(crate) struct ApiDoc;

pub(crate) async fn openapi_document() -> Response {
    axum::Json(<ApiDoc as utoipa::OpenApi>::openapi()).into_response()
}

pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

/// One referral as in the data bundle, within the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/referrals/{id}",
    params(("id" = String, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The referral", body = ipstrack_core::bundle::ReferralDoc),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No such referral within the caller's scope"),
    )
)]
pub(crate) async fn api_referral(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return json_error(StatusCode::UNAUTHORIZED, "sign in first");
    };
    let today = state.today();
    match data.referral_index(&id) {
        Some(i) if in_scope(&v, &data.dataset, i, today) => axum::Json(
            ipstrack_core::bundle::referral_document(&data.dataset, &data.dataset.referrals[i]),
        )
        .into_response(),
        found => {
            if let Err(response) =
                audit_out_of_scope(&state, &v, referral_matched(found, &id)).await
            {
                return response;
            }
            tracing::warn!(user = %v.session.user.username, record = ?format!("referral {id}"), "refused: outside the user's scope");
            json_error(StatusCode::NOT_FOUND, "not found")
        }
    }
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
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "sign in first"})),
        )
            .into_response();
    };
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        tracing::warn!(user = %v.session.user.username, "refused: the service report is for managers");
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "not found"})),
        )
            .into_response();
    }
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({"error": e})),
            )
                .into_response();
        }
    };
    match data.report(&period, as_of) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}
