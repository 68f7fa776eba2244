//! Finding a person from any page's header: by name, NHS number or referral
//! id, among the referrals in the user's scope only. A search is bounded (100
//! characters, 50 people shown); an NHS number or referral id that matches a
//! record outside the scope is answered as no match and written to the audit
//! log, like any other out-of-scope lookup. A user runs one search at a
//! time, and at most a few run in all (issue 21: `state::searches`).

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ipstrack_core::attribution::assigned_on;
use ipstrack_core::caseload::status_on;
use ipstrack_core::model::{Dataset, OutOfScope};
use maud::{Markup, html};
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::extract::{SignedIn, audit_out_of_scope, in_scope};
use crate::state::searches::{MAX_QUERY_CHARS, SEARCH_WAIT};
use crate::ui::dates::uk_date;
use crate::ui::figures::status_tag;
use crate::ui::layout::layout;
use crate::{Shared, Viewer};

/// The most people shown.
pub(crate) const MAX_RESULTS: usize = 50;

fn too_many_searches() -> WebError {
    use axum::response::IntoResponse;
    WebError::Rejected(Box::new(
        (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [(axum::http::header::RETRY_AFTER, "1")],
            "Too many searches are running (yours, or in all): try again in a moment.",
        )
            .into_response(),
    ))
}

/// The search page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/search", get(search))
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// What a search looks for.
enum Wanted {
    /// A referral id (`r12`) or an NHS number (10 digits, spaces allowed).
    Id(String),
    /// A client id (`c12`): every referral of theirs.
    Client(String),
    /// Every word in the person's name.
    Name(Vec<String>),
}

fn wanted(q: &str) -> Option<Wanted> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit()) {
        return Some(Wanted::Id(digits));
    }
    let words: Vec<String> = q
        .split_whitespace()
        .map(str::to_lowercase)
        .take(5)
        .collect();
    let numbered = |prefix: [char; 2]| {
        words.len() == 1
            && q.len() > 1
            && q.starts_with(prefix)
            && q[1..].chars().all(|c| c.is_ascii_digit())
    };
    if numbered(['r', 'R']) {
        return Some(Wanted::Id(q.to_lowercase()));
    }
    if numbered(['c', 'C']) {
        return Some(Wanted::Client(q.to_lowercase()));
    }
    Some(Wanted::Name(words))
}

/// Whether referral `i` is what is wanted.
fn matches(d: &Dataset, i: usize, wanted: &Wanted) -> Option<&'static str> {
    let r = &d.referrals[i];
    let c = d.client(r.client);
    match wanted {
        Wanted::Id(id) if r.id.to_lowercase() == *id => Some("id"),
        Wanted::Id(id) if c.nhs_number.as_deref() == Some(id.as_str()) => Some("nhs_number"),
        Wanted::Id(_) => None,
        Wanted::Client(id) => (c.id.to_lowercase() == *id).then_some("id"),
        Wanted::Name(words) => {
            let name = c.name()?.to_lowercase();
            words
                .iter()
                .all(|w| name.contains(w.as_str()))
                .then_some("name")
        }
    }
}

pub(crate) async fn search(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Query(q): Query<SearchQuery>,
) -> WebResult<Markup> {
    if q.q.chars().count() > MAX_QUERY_CHARS {
        return Err(WebError::bad_request(
            &v,
            "Search",
            &format!(
                "Search for at most {MAX_QUERY_CHARS} characters: a name, an NHS number or a referral id."
            ),
        ));
    }
    let _mine = state
        .searches
        .enter(&v.session.user.username)
        .ok_or_else(too_many_searches)?;
    let _turn = tokio::time::timeout(SEARCH_WAIT, state.searches.at_once.clone().acquire_owned())
        .await
        .map_err(|_| too_many_searches())?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let today = state.today();
    // The scan runs beside the server's workers, not on them.
    let (v, mut found, outside) = {
        let data = data.clone();
        let q = q.q.clone();
        tokio::task::spawn_blocking(move || {
            let (found, outside) = scan(&v, &data.dataset, &q, today);
            (v, found, outside)
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
    };
    let d = &data.dataset;
    audit_out_of_scope(&state, &v, outside).await?;
    // Newest referral first.
    found.sort_by_key(|&i| std::cmp::Reverse(d.referrals[i].received));
    let more = found.len().saturating_sub(MAX_RESULTS);
    found.truncate(MAX_RESULTS);
    Ok(search_html(&v, &data, &q.q, &found, more, today))
}

/// The referrals in scope that match `q`, and those outside it matched by
/// an id (to be audited).
fn scan(
    v: &Viewer,
    d: &Dataset,
    q: &str,
    today: ipstrack_core::Day,
) -> (Vec<usize>, Vec<OutOfScope>) {
    let mut found = Vec::new();
    let mut outside = Vec::new();
    if let Some(wanted) = wanted(q) {
        for i in 0..d.referrals.len() {
            let Some(by) = matches(d, i, &wanted) else {
                continue;
            };
            // Entered in error: not listed for an ES (ERR-1).
            if !crate::referrals::entered_in_error::listed(v, &d.referrals[i]) {
                continue;
            }
            if in_scope(v, d, i, today) {
                found.push(i);
            } else if by != "name" {
                // Matched by an id: a lookup of another team's record.
                let r = &d.referrals[i];
                outside.push(OutOfScope {
                    record_type: "referral",
                    record_id: r.id.clone(),
                    matched_by: by,
                });
            }
        }
    }
    (found, outside)
}

fn search_html(
    v: &Viewer,
    data: &ipstrack_core::Loaded,
    q: &str,
    found: &[usize],
    more: usize,
    today: ipstrack_core::Day,
) -> Markup {
    let d = &data.dataset;
    layout(
        v,
        "Search",
        html! {
            form method="get" action="/search" class="panel" role="search" {
                div class="field" {
                    label for="search-q" { "Name, NHS number or referral id" }
                    input id="search-q" name="q" type="search" value=(q) maxlength=(MAX_QUERY_CHARS);
                }
                button type="submit" { "Search" }
            }
            @if !q.trim().is_empty() {
                @if found.is_empty() {
                    p id="search-none" { "No one in your caseloads matches “" (q) "”." }
                } @else {
                    table id="search-results" {
                        caption { "People found" }
                        thead { tr {
                            th scope="col" { "Person" }
                            th scope="col" { "Referred on" } th scope="col" { "Specialist" } th scope="col" { "Status today" }
                        } }
                        tbody {
                            @for &i in found {
                                @let r = &d.referrals[i];
                                @let es = assigned_on(r, today, today).map_or("unallocated".to_string(), |e| d.staff_member(e).name.clone());
                                tr {
                                    td { a href=(format!("/referrals/{}", r.id)) { (d.client(r.client).display_name()) } }
                                    td { (uk_date(r.received)) } td { (es) }
                                    td { @if r.is_counted() { (status_tag(&status_on(r, today, &d.policy))) } @else { strong class="tag" { "Entered in error" } } }
                                }
                            }
                        }
                    }
                    @if more > 0 { p { (more) " more: search for more of the name." } }
                }
            }
        },
    )
}
