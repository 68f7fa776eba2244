//! The audit log page (admins): every change, who made it and when, with old
//! and new values, and the lookups refused as outside a user's scope.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use ipstrack_store::Role;
use serde::Deserialize;

use crate::error::{forbidden_as_not_found, server_error};
use crate::extract::{to_sign_in, viewer};
use crate::{Shared, pages};

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    record: Option<String>,
}

pub(crate) async fn audit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    if v.session.user.role != Role::Admin {
        return forbidden_as_not_found(&v, "page", "audit");
    }
    let filter = ipstrack_store::AuditFilter {
        record: q.record.clone().filter(|r| !r.is_empty()),
        since: None,
    };
    match state.store.audit(&filter).await {
        Ok(entries) => {
            Html(pages::audit(&v, &entries, q.record.as_deref()).into_string()).into_response()
        }
        Err(e) => server_error(e),
    }
}
