//! The success message after a save ("Contact saved."): carried to the next
//! page by a cookie that lives a minute (the address stays the record's
//! own), shown once at the top of that page, with focus on it (app.js).
//! The cookie holds only a word from a fixed list: nothing about the record.

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::AppState;
use crate::extract::{cookie, set_cookie};

const SAVED_COOKIE: &str = "ipstrack_saved";

/// What was saved, and the message that says so.
const MESSAGES: [(&str, &str); 20] = [
    ("referral", "Referral saved."),
    ("contact", "Contact saved."),
    ("job", "Job saved."),
    ("access", "Access saved."),
    ("plan", "Vocational plan saved."),
    ("discharge", "Discharge saved."),
    ("hold", "Hold saved."),
    ("waiting", "Waiting-list spell saved."),
    ("engagement", "Engagement saved."),
    ("decision", "Team decision saved."),
    ("transfer", "Transfer saved."),
    ("remove", "Entry removed. The audit log keeps a copy."),
    ("person", "The person's details are saved."),
    ("edit", "Changes saved."),
    ("employer-contact", "Employer contact saved."),
    ("return", "Return submitted. Its figures are frozen."),
    ("in_work_check", "In-work check saved."),
    (
        "entered-in-error",
        "The referral is marked as entered in error. It no longer counts in any figure.",
    ),
    (
        "restored",
        "The referral is restored. It counts in every figure again.",
    ),
    (
        "merged",
        "The two records are now one person. The audit log keeps a copy.",
    ),
];

/// To `to` (303), saying on arrival that `what` was saved.
pub(crate) fn saved_redirect(state: &AppState, to: &str, what: &str) -> Response {
    let word = MESSAGES
        .iter()
        .find(|(w, _)| *w == what)
        .map_or("edit", |(w, _)| w);
    (
        [(
            header::SET_COOKIE,
            set_cookie(state, SAVED_COOKIE, word, Some(60)),
        )],
        Redirect::to(to),
    )
        .into_response()
}

/// The message a save left for this page, if any, and the header that
/// clears it (so it shows once).
pub(crate) fn take_saved(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(&'static str, [(header::HeaderName, String); 1])> {
    let word = cookie(headers, SAVED_COOKIE)?;
    let message = MESSAGES.iter().find(|(w, _)| *w == word)?.1;
    Some((
        message,
        [(
            header::SET_COOKIE,
            set_cookie(state, SAVED_COOKIE, "", Some(0)),
        )],
    ))
}

/// The success banner (GOV.UK notification banner, success).
pub(crate) fn success_banner(message: Option<&str>) -> Markup {
    html! {
        @if let Some(m) = message {
            div class="success-message" role="status" tabindex="-1" id="saved" {
                p { (m) }
            }
        }
    }
}
