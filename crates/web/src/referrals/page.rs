//! A referral's page: its timeline, facts and the forms to record each step.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use crate::error::forbidden_as_not_found;
use crate::extract::{audit_out_of_scope, in_scope, referral_matched, to_sign_in, viewer};
use crate::referrals::assignable;
use crate::{Shared, pages};

pub(crate) async fn referral_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    let today = state.today();
    match data.referral_index(&id) {
        Some(i) if in_scope(&v, &data.dataset, i, today) => Html(
            pages::referral(
                &v,
                &data,
                i,
                today,
                &crate::ui::form::FormState::default(),
                &assignable(&v, &data.dataset, today),
            )
            .into_string(),
        )
        .into_response(),
        found => match audit_out_of_scope(&state, &v, referral_matched(found, &id)).await {
            Ok(()) => forbidden_as_not_found(&v, "referral", &id),
            Err(response) => response,
        },
    }
}
