//! My caseload (an ES's own; a team lead or manager may open an ES's in
//! their scope): each referral's status today, and the worklist (CASE-4).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::error::forbidden_as_not_found;
use crate::extract::{specialist_in_scope, to_sign_in, viewer};
use crate::{Shared, pages};

/// The caseload page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/caseload", get(caseload))
}

#[derive(Deserialize)]
pub(crate) struct EsQuery {
    es: Option<String>,
}

pub(crate) async fn caseload(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<EsQuery>,
) -> Response {
    let data = state.data();
    let d = &data.dataset;
    let Some(v) = viewer(&state, &headers, d).await else {
        return to_sign_in();
    };
    let today = state.today();
    // Whose caseload: one's own, or (team leads, managers) an ES in scope.
    let es = match &q.es {
        None => v.staff,
        Some(id) => specialist_in_scope(&v, d, id),
    };
    let Some(es) = es else {
        return match &q.es {
            Some(id) => forbidden_as_not_found(&v, "staff", id),
            None => Html(
                crate::ui::layout::layout(&v, "My caseload", pages::no_caseload()).into_string(),
            )
            .into_response(),
        };
    };
    Html(pages::caseload(&v, &data, es, today, &data.worklist(today)).into_string()).into_response()
}
