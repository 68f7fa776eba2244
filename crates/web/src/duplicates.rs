//! People entered twice (issue 21): a client entered with an NHS number that
//! a client outside the enterer's scope already had is kept apart, as a
//! possible duplicate of it (the enterer is never told). Managers — the
//! whole service's view, `Scope::sees_possible_duplicates` — see the pairs
//! here, check them side by side, and merge them into the known person.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ipstrack_core::Day;
use ipstrack_core::attribution::assigned_on;
use ipstrack_core::model::{Client, Dataset};
use maud::{Markup, html};
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::extract::{Manager, Managers, Posted, SignedIn};
use crate::referrals::person::person_summary;
use crate::saved::{saved_redirect, success_banner, take_saved};
use crate::ui::dates::uk_date;
use crate::ui::layout::layout;
use crate::{Shared, Viewer};

const LIST: &str = "/data-quality/people-entered-twice";

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route(LIST, get(list)).route(
        "/data-quality/people-entered-twice/{client}",
        get(check).post(merge),
    )
}

/// The clients kept as possible duplicates, each with the client whose NHS
/// number it has (indices into `d.clients`), when the viewer may see them.
pub(crate) fn possible_duplicates(v: &Viewer, d: &Dataset) -> Vec<(usize, usize)> {
    if !v.scope.sees_possible_duplicates() {
        return Vec::new();
    }
    let at = |id: &str| d.clients.iter().position(|c| c.id == id);
    d.clients
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((i, at(c.possible_duplicate_of.as_deref()?)?)))
        .collect()
}

async fn list(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
    headers: axum::http::HeaderMap,
) -> Response {
    let d = &data.dataset;
    let pairs = possible_duplicates(&v, d);
    let saved = take_saved(&state, &headers);
    let page = layout(
        &v,
        "People who may have been entered twice",
        html! {
            (success_banner(saved.as_ref().map(|(m, _)| *m)))
            p { "A referral was entered for a new person with an NHS number another team's client already has. "
                "The person who entered it was not told. Check each pair and merge them if they are one person; "
                "if not, one of the NHS numbers is wrong: correct it on that person's referral." }
            @if pairs.is_empty() {
                p { "Nobody is waiting to be checked." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Entered" } th scope="col" { "Already known as" } th scope="col" { span class="visually-hidden" { "Action" } } } }
                    tbody {
                        @for (new, known) in &pairs {
                            tr {
                                td { (d.clients[*new].display_name()) }
                                td { (d.clients[*known].display_name()) }
                                td { a href=(format!("{LIST}/{}", d.clients[*new].id)) { "Check" span class="visually-hidden" { " " (d.clients[*new].display_name()) } } }
                            }
                        }
                    }
                }
            }
        },
    );
    match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    }
}

/// The pair of `client` (a possible duplicate), or 404.
fn pair(v: &Viewer, d: &Dataset, client: &str) -> Result<(usize, usize), WebError> {
    possible_duplicates(v, d)
        .into_iter()
        .find(|(new, _)| d.clients[*new].id == client)
        .ok_or_else(|| WebError::out_of_scope(v, "client", client))
}

/// One person's record: who they are and their referrals.
fn record(d: &Dataset, c: usize, today: Day) -> Markup {
    let client: &Client = &d.clients[c];
    html! {
        h2 { (client.display_name()) }
        @if let Some(n) = &client.nhs_number { p { "NHS number " (n) } }
        (person_summary(client))
        ul {
            @for r in d.referrals.iter().filter(|r| r.client.index() == c) {
                @let es = assigned_on(r, today, today).map_or("not allocated".to_string(), |e| d.staff_member(e).name.clone());
                li { a href=(format!("/referrals/{}", r.id)) { "Referral received " (uk_date(r.received)) } ", " (es) }
            }
        }
    }
}

async fn check(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
    Path(client): Path<String>,
) -> WebResult<Markup> {
    let d = &data.dataset;
    let (new, known) = pair(&v, d, &client)?;
    let today = state.today();
    Ok(layout(
        &v,
        "Are these one person?",
        html! {
            div class="pair" {
                div { p class="caption" { "Entered" } (record(d, new, today)) }
                div { p class="caption" { "Already known" } (record(d, known, today)) }
            }
            p { "Merging moves every referral of the entered record to the known person and removes the entered record. "
                "The known person's details are kept." }
            form method="post" action=(format!("{LIST}/{client}")) {
                input type="hidden" name="csrf" value=(v.session.csrf);
                button type="submit" { "They are one person: merge" }
            }
            p { a href=(LIST) { "Back to the list" } }
        },
    ))
}

#[derive(Deserialize)]
struct Merge {}

async fn merge(
    State(state): State<Shared>,
    Path(client): Path<String>,
    Posted { data, v, .. }: Posted<Merge, Managers>,
) -> WebResult<Response> {
    let d = &data.dataset;
    let (new, known) = pair(&v, d, &client)?;
    state
        .store
        .merge_clients(
            &d.clients[new].id,
            &d.clients[known].id,
            &v.session.user.username,
        )
        .await?;
    state.reload().await?;
    Ok(saved_redirect(&state, LIST, "merged"))
}
