//! An ES's performance plan (the ES, their team lead, managers): their KPIs
//! against their personal targets for a period, with trends, printable on one
//! A4 page.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::error::{forbidden_as_not_found, server_error};
use crate::extract::{specialist_in_scope, to_sign_in, viewer};
use crate::period::{PeriodQuery, bad_period, period_of};
use crate::team::{Whose, trends};
use crate::{Shared, pages};

/// The performance plan page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/specialists/{id}/plan", get(plan))
}

/// The performance plan of one ES on one page, for supervision: the plan's
/// KPIs against their targets, the caseload against the band, and charts.
pub(crate) async fn plan(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let d = &data.dataset;
    let Some(v) = viewer(&state, &headers, d).await else {
        return to_sign_in();
    };
    let Some(es) = specialist_in_scope(&v, d, &id) else {
        return forbidden_as_not_found(&v, "staff", &id);
    };
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            let action = format!("/specialists/{id}/plan");
            return bad_period(&v, "Performance plan", &action, &q, None, &e);
        }
    };
    match data
        .report(&period, as_of)
        .and_then(|r| Ok((r, trends(&data, Whose::Es(&id), &period, as_of)?)))
    {
        Ok((r, trends)) => {
            Html(pages::plan(&v, &data, es, &r, &trends).into_string()).into_response()
        }
        Err(e) => server_error(e),
    }
}
