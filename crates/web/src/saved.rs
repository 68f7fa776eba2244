//! The success message after a save ("Contact saved."): carried to the next
//! page by a cookie that lives a minute (the address stays the record's
//! own), shown once at the top of that page, with focus on it (app.js).
//! The cookie holds only a word from a fixed list and, for an entry on a
//! referral, the entry's day: nothing about the person. The referral page
//! makes its message from both and the person's name ("Contact on 6 Dec
//! 2026 recorded for Andrzej Green").

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::AppState;
use crate::cookies::{cookie, set_cookie};

const SAVED_COOKIE: &str = "ipstrack_saved";

/// What was saved, and the message that says so.
const MESSAGES: [(&str, &str); 30] = [
    ("referral", "Referral saved."),
    ("contact", "Contact saved."),
    ("job", "Job saved."),
    ("job_end", "The end of the job is saved."),
    ("job_hours", "4 hours of paid work confirmed."),
    ("access", "Access saved."),
    ("plan", "Vocational plan saved."),
    ("discharge", "Discharge saved."),
    ("hold", "Hold saved."),
    ("waiting", "Waiting-list spell saved."),
    ("engagement", "Engagement saved."),
    ("decision", "Team decision saved."),
    ("transfer", "Transfer saved."),
    ("remove", "Entry removed. The audit log keeps a copy."),
    ("reopened", "The referral is reopened."),
    ("person", "The person's details are saved."),
    ("edit", "Changes saved."),
    ("employer-contact", "Employer contact saved."),
    (
        "fidelity-review-started",
        "Fidelity review started. Score each item, then finish the review.",
    ),
    ("fidelity-action", "Action saved."),
    (
        "identity-link",
        "The link to their organisation account is saved.",
    ),
    ("fidelity-review-finished", "Fidelity review finished."),
    ("return", "Return submitted. Its figures are frozen."),
    ("in_work_check", "In-work check saved."),
    ("better_off", "Better-off calculation saved."),
    ("disclosure", "Disclosure choice saved."),
    ("job_preferences", "Job preferences saved."),
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
    saved_redirect_on(state, to, what, None)
}

/// To `to` (303), saying on arrival that `what`, dated `day`, was saved.
pub(crate) fn saved_redirect_on(
    state: &AppState,
    to: &str,
    what: &str,
    day: Option<ipstrack_core::Day>,
) -> Response {
    let word = MESSAGES
        .iter()
        .find(|(w, _)| *w == what)
        .map_or("edit", |(w, _)| w);
    let value = match day {
        Some(day) => format!("{word}.{day}"),
        None => word.to_string(),
    };
    (
        [(
            header::SET_COOKIE,
            set_cookie(state, SAVED_COOKIE, &value, Some(60)),
        )],
        Redirect::to(to),
    )
        .into_response()
}

/// The header that clears the saved message (so it shows once).
pub(crate) type ClearSaved = [(header::HeaderName, String); 1];

/// What a save left for this page: its word (from the fixed list), the
/// entry's day if it named one, and the header that clears it.
pub(crate) fn take_saved_on(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(&'static str, Option<ipstrack_core::Day>, ClearSaved)> {
    let value = cookie(headers, SAVED_COOKIE)?;
    let (word, day) = match value.split_once('.') {
        Some((word, day)) => (word, ipstrack_core::Day::parse(day)),
        None => (value, None),
    };
    let word = MESSAGES.iter().find(|(w, _)| *w == word)?.0;
    Some((
        word,
        day,
        [(
            header::SET_COOKIE,
            set_cookie(state, SAVED_COOKIE, "", Some(0)),
        )],
    ))
}

/// The message of a saved `word` (from the fixed list).
pub(crate) fn message_of(word: &str) -> &'static str {
    MESSAGES
        .iter()
        .find(|(w, _)| *w == word)
        .map_or("Changes saved.", |(_, m)| m)
}

/// The message a save left for this page, if any, and the header that
/// clears it (so it shows once).
pub(crate) fn take_saved(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(&'static str, ClearSaved)> {
    let (word, _, clear) = take_saved_on(state, headers)?;
    Some((message_of(word), clear))
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
