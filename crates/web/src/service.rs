//! The service page (managers, admins): every team's KPIs for a period.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use ipstrack_store::Role;

use crate::error::{forbidden_as_not_found, server_error};
use crate::extract::{to_sign_in, viewer};
use crate::period::{PeriodQuery, bad_period, period_of};
use crate::{Shared, pages};

/// The service page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/service", get(service))
}

pub(crate) async fn service(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        return forbidden_as_not_found(&v, "page", "service");
    }
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            return bad_period(&v, "Service", "/service", &q, None, &e);
        }
    };
    match data.report(&period, as_of) {
        Ok(r) => Html(pages::service(&v, &data, &r).into_string()).into_response(),
        Err(e) => server_error(e),
    }
}
