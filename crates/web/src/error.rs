//! The answers a request gets when it cannot be served as asked: one
//! [`WebError`] that handlers return with `?` and that becomes the response —
//! the sign-in page for a visitor (and afterwards back to the page asked for,
//! when it is one of this site's: [`safe_next`]), 403 for an expired form,
//! 404 (also for what is outside the user's scope, logged by id only), a page
//! saying what to change (400, 409, 413, 422), 503 with when to try again (a
//! busy database or one that cannot be reached, also while looking up a
//! session; a full disk), and 500 logged.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ipstrack_store::StoreError;
use maud::Markup;

use crate::viewer::Viewer;

/// Why a request was not served as asked.
#[derive(Debug)]
pub(crate) enum WebError {
    /// Not signed in: to the sign-in page, and afterwards back to the page
    /// asked for (a page's path, when it was a page).
    SignIn(Option<String>),
    /// The form's CSRF token is not the session's (403).
    FormExpired,
    /// No such page or record (404).
    NotFound,
    /// A page or record outside the user's scope: logged by user and id,
    /// answered exactly as [`WebError::NotFound`].
    OutOfScope { user: String, record: String },
    /// A page saying why the request cannot be done and what to change, with
    /// its status (400 a bad period, 409 a stale edit, 413 too large, 422).
    Page(StatusCode, Markup),
    /// A short plain answer with its status.
    Text(StatusCode, String),
    /// An extractor's own answer (a malformed form, a wrong content type).
    Rejected(Box<Response>),
    /// A store error: typed refusals answer 404, 409 and 422; a busy
    /// database, one that cannot be reached or a full disk 503; the rest
    /// 500, logged.
    Store(StoreError),
    /// Anything else that went wrong: 500, logged.
    Internal(String),
}

/// What handlers return.
pub(crate) type WebResult<T = Response> = Result<T, WebError>;

impl WebError {
    /// A page or record of another team (or another ES): logged, answered 404.
    pub(crate) fn out_of_scope(viewer: &Viewer, what: &str, id: &str) -> WebError {
        WebError::OutOfScope {
            user: viewer.session.user.username.clone(),
            record: format!("{what} {id}"),
        }
    }

    /// A page that cannot be shown as asked (a bad period, say): 400 with the reason.
    pub(crate) fn bad_request(v: &Viewer, title: &str, message: &str) -> WebError {
        WebError::Page(
            StatusCode::BAD_REQUEST,
            crate::ui::layout::layout(v, title, crate::ui::layout::message(message)),
        )
    }

    /// A failure that is not the request's: 500, logged.
    pub(crate) fn internal(e: impl std::fmt::Display) -> WebError {
        WebError::Internal(e.to_string())
    }
}

/// A report that cannot be made (its period outside the service's data, say)
/// when the page had already checked the period: 500, logged.
impl From<ipstrack_core::report::ReportError> for WebError {
    fn from(e: ipstrack_core::report::ReportError) -> WebError {
        WebError::internal(e)
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        WebError::Store(e)
    }
}

/// The longest page address kept to return to after signing in.
const NEXT_CHARS: usize = 500;

/// A page of this site to return to after signing in: a path (never
/// another site: not `//host` or `/\host`), without control characters,
/// bounded, not the sign-in page itself; else none.
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= NEXT_CHARS
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && !next.starts_with("/sign-in");
    ok.then_some(next)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, crate::ui::layout::not_found()).into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn(next) => match next.as_deref().and_then(safe_next) {
                Some(next) => Redirect::to(&format!(
                    "/sign-in?{}",
                    serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                ))
                .into_response(),
                None => Redirect::to("/sign-in").into_response(),
            },
            WebError::FormExpired => (
                StatusCode::FORBIDDEN,
                "The form has expired: reload the page.",
            )
                .into_response(),
            WebError::NotFound => not_found(),
            WebError::OutOfScope { user, record } => {
                tracing::warn!(%user, record = ?record, "refused: outside the user's scope");
                not_found()
            }
            WebError::Page(status, page) => (status, page).into_response(),
            WebError::Text(status, text) => (status, text).into_response(),
            WebError::Rejected(response) => *response,
            WebError::Store(e) => store_error(e),
            WebError::Internal(e) => {
                tracing::error!(error = %e, "request failed");
                internal_error()
            }
        }
    }
}

fn internal_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong; it has been logged.",
    )
        .into_response()
}

/// A store error as an answer. A busy database or a full disk is not a fault
/// of the request: it says so plainly, with when to try again (503), and
/// nothing was saved.
fn store_error(e: StoreError) -> Response {
    let unavailable = match &e {
        StoreError::Busy | StoreError::Unreachable => Some(
            "The database is busy (an import or a backup may be running) or cannot be reached just now: try again in a minute. If you were saving a change, it was not saved.",
        ),
        StoreError::Full => Some(
            "The server's disk is full, so nothing was saved. Tell your administrator; try again once they have made space.",
        ),
        _ => None,
    };
    if let Some(text) = unavailable {
        tracing::warn!(error = %e, "request refused for now");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "60")],
            text,
        )
            .into_response();
    }
    match e {
        StoreError::NotFound(_) => not_found(),
        StoreError::Exists(message) => (StatusCode::CONFLICT, message).into_response(),
        StoreError::Conflict { .. } => (
            StatusCode::CONFLICT,
            "The record was changed by someone else since you opened it, so your change was not saved: reload the page.",
        )
            .into_response(),
        StoreError::Changed(what) => (
            StatusCode::CONFLICT,
            format!("The {what} was changed by someone else since you opened the form, so your change was not saved: reload the page."),
        )
            .into_response(),
        StoreError::KeyReused => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "This form was already used to save a change, so this one was not saved: reload the page and make your change again.",
        )
            .into_response(),
        // An import of records changed since it was taken (the upload
        // page says so with its form; elsewhere, the names and what would
        // be lost).
        e @ StoreError::Stale(_) => (StatusCode::CONFLICT, e.to_string()).into_response(),
        StoreError::NotAllowed(message) => {
            (StatusCode::UNPROCESSABLE_ENTITY, message).into_response()
        }
        StoreError::Invalid(errors) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors.to_string()).into_response()
        }
        e => {
            tracing::error!(error = %e, "request failed");
            internal_error()
        }
    }
}
