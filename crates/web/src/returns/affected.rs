//! A write that changes a figure of a submitted return (issue 22): a contact
//! backdated into a quarter after its return was submitted is saved — the
//! record is true — with a warning that names the return and the figures it
//! changed; the returns page lists the changes since submission.
//!
//! Only writes dated on or before a submission's as-of date can change it,
//! so an entry of today costs one read of the submissions table and nothing
//! else. The warning travels to the next page in a cookie that holds only
//! period labels and the positions of the return's columns (nothing of the
//! record), read back against those lists.

use axum::http::{HeaderMap, header};
use ipstrack_core::{Day, Period};
use ipstrack_interop::{COLUMNS, FIGURE_POINTERS};
use maud::{Markup, html};

use crate::cookies::{cookie, set_cookie};
use crate::{AppState, Snapshot};

const COOKIE: &str = "ipstrack_return_changed";

/// The most submitted returns a warning names.
const MOST: usize = 3;

/// The submitted returns whose figures differ between `before` and `after`
/// (the snapshots either side of a write dated from `earliest`), each with
/// the return's columns that changed (positions in [`COLUMNS`]).
pub(crate) async fn changed_returns(
    state: &AppState,
    before: &Snapshot,
    after: &Snapshot,
    earliest: Day,
) -> Vec<(String, Vec<usize>)> {
    let Ok(submissions) = state.store.submissions().await else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in submissions.iter().rev() {
        let (Some(as_of), Ok(period)) = (Day::parse(&s.as_of), Period::parse(&s.period_label))
        else {
            continue;
        };
        if earliest > as_of || out.iter().any(|(l, _)| *l == s.period_label) {
            continue;
        }
        let (Ok(then), Ok(now)) = (before.report(&period, as_of), after.report(&period, as_of))
        else {
            continue;
        };
        let changes = ipstrack_core::returns::figure_changes(
            &serde_json::to_value(&*then).unwrap_or_default(),
            &serde_json::to_value(&*now).unwrap_or_default(),
        );
        let mut columns: Vec<usize> = changes
            .iter()
            .filter_map(|line| {
                let path = line.split(": ").next()?;
                let field = path
                    .strip_prefix("service.")
                    .or_else(|| path.split_once("].").map(|(_, f)| f))?;
                let pointer = format!("/{}", field.replace('.', "/"));
                FIGURE_POINTERS.iter().position(|p| *p == pointer)
            })
            .collect();
        columns.sort_unstable();
        columns.dedup();
        if !columns.is_empty() {
            out.push((s.period_label.clone(), columns));
        }
        if out.len() == MOST {
            break;
        }
    }
    out
}

/// The cookie that carries the warning to the next page (a minute).
pub(crate) fn warning_cookie(
    state: &AppState,
    changed: &[(String, Vec<usize>)],
) -> Option<(header::HeaderName, String)> {
    if changed.is_empty() {
        return None;
    }
    let value: Vec<String> = changed
        .iter()
        .map(|(label, columns)| {
            let columns: Vec<String> = columns.iter().map(usize::to_string).collect();
            format!("{label}~{}", columns.join("."))
        })
        .collect();
    Some((
        header::SET_COOKIE,
        set_cookie(state, COOKIE, &value.join("!"), Some(60)),
    ))
}

/// The warning a write left for this page, read back against the known
/// periods and columns, and the header that clears it.
pub(crate) fn take_warning(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(Markup, [(header::HeaderName, String); 1])> {
    let value = cookie(headers, COOKIE)?;
    let mut returns = Vec::new();
    for part in value.split('!').take(MOST) {
        let (label, columns) = part.split_once('~')?;
        let period = Period::parse(label).ok()?;
        let names: Vec<&str> = columns
            .split('.')
            .filter_map(|c| COLUMNS.get(c.parse::<usize>().ok()?).map(|(name, _)| *name))
            .collect();
        returns.push((period, names));
    }
    let clear = [(header::SET_COOKIE, set_cookie(state, COOKIE, "", Some(0)))];
    Some((
        html! {
            div class="warning-message" role="alert" id="return-changed" {
                @for (period, names) in &returns {
                    p {
                        strong { "This changes the return already submitted for "
                            (super::period_words(period.start, period.end, &period.label)) ": " }
                        (names.join(", ")) "."
                    }
                }
                p { "The record is saved as it happened. The " a href="/returns#submitted" { "returns page" } " lists every change since submission." }
            }
        },
        clear,
    ))
}
