//! The answers a request gets when it cannot be served as asked: 404 (also
//! for what is outside the user's scope, logged by id only), 400 with the
//! reason, 503 with when to try again (a busy database, a full disk), 500.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use ipstrack_store::StoreError;

use crate::extract::Viewer;

pub(crate) fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(crate::ui::layout::not_found().into_string()),
    )
        .into_response()
}

pub(crate) fn forbidden_as_not_found(viewer: &Viewer, what: &str, id: &str) -> Response {
    tracing::warn!(user = %viewer.session.user.username, record = ?format!("{what} {id}"), "refused: outside the user's scope");
    not_found()
}

/// A page that cannot be shown as asked (a bad period, say): 400 with the reason.
pub(crate) fn bad_request(v: &Viewer, title: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(
            crate::ui::layout::layout(v, title, crate::ui::layout::message(message)).into_string(),
        ),
    )
        .into_response()
}

pub(crate) fn server_error<E: std::fmt::Display + 'static>(e: E) -> Response {
    // A busy database or a full disk is not a fault of the request: say so
    // plainly, with when to try again (503), and nothing was saved.
    if let Some(store) = (&e as &dyn std::any::Any).downcast_ref::<StoreError>() {
        let text = match store {
            StoreError::Busy => Some(
                "The database is busy with another change (an import or a backup). Nothing was saved: try again in a minute.",
            ),
            StoreError::Full => Some(
                "The server's disk is full, so nothing was saved. Tell your administrator; try again once they have made space.",
            ),
            _ => None,
        };
        if let Some(text) = text {
            tracing::warn!(error = %e, "request refused for now");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
                text,
            )
                .into_response();
        }
    }
    tracing::error!(error = %e, "request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong; it has been logged.",
    )
        .into_response()
}
