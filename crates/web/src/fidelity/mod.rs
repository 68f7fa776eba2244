//! The fidelity review's evidence (issue 26): for a team (a lead's own, a
//! manager's any) or the whole service (managers and admins), over a
//! period, each of the IPS fidelity scale's 25 items in its section with
//! what the records say, how many records it rests on and the score they
//! suggest — the figures a team lead takes into a review. Printable: one
//! A4 page per section. The reviews themselves — started from this
//! evidence, scored one item a page, with their action plans and side by
//! side over time — are in `reviews` and `review`.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ipstrack_core::fidelity::{Evidence, ReviewScope, Section, Source};
use ipstrack_core::report::PeriodOut;
use maud::{Markup, html};

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, SignedIn};
use crate::period::{PeriodQuery, bad_period, period_form, period_of};
use crate::ui::dates::uk_date;
use crate::ui::download::{XLSX, download};
use crate::ui::layout::layout;
use crate::{Snapshot, Viewer};
use axum::response::Response;
use ipstrack_core::{Day, Period};
use ipstrack_interop::fidelity::fidelity_xlsx;

mod review;
mod review_action;
mod review_item;
mod reviews;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/fidelity", get(fidelity))
        .route("/fidelity.xlsx", get(workbook))
        .merge(reviews::routes())
        .merge(review::routes())
        .merge(review_item::routes())
        .merge(review_action::routes())
}

/// Whose evidence, over which period as of which day, and its words.
struct Asked {
    scope: ReviewScope,
    team_id: Option<String>,
    period: Period,
    as_of: Day,
    whose: String,
}

/// The evidence asked for: the whole service for one who sees it and names
/// no team; else a team in the viewer's scope (core's Scope decides which);
/// a bad period answers 400 with the form.
fn asked(state: &Shared, v: &Viewer, data: &Snapshot, q: &PeriodQuery) -> WebResult<Asked> {
    let d = &data.dataset;
    let scope = match reviews::whose(v, data, q.team.as_deref())? {
        None => ReviewScope::Service,
        Some(t) => ReviewScope::Team(t),
    };
    let (team_id, whose) = match scope {
        ReviewScope::Team(t) => (
            Some(d.team(t).id.clone()),
            format!("{} team", d.team(t).name),
        ),
        ReviewScope::Service => (None, d.service.name.clone()),
    };
    let title = ("Fidelity review evidence", "/fidelity");
    let (period, as_of) = period_of(q, state.today())
        .map_err(|e| bad_period(v, title, (d, state.today()), q, team_id.as_deref(), &e))?;
    Ok(Asked {
        scope,
        team_id,
        period,
        as_of,
        whose,
    })
}

/// The evidence as a workbook to fill in at the review: one sheet per
/// section, printable on A4.
async fn workbook(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Response> {
    let a = asked(&state, &v, &data, &q)?;
    let evidence = data.fidelity_evidence(a.scope, &a.period, a.as_of);
    let title = format!(
        "Fidelity review evidence – {}, {} ({} to {}), as of {}",
        a.whose,
        a.period.label,
        uk_date(a.period.start),
        uk_date(a.period.end),
        uk_date(a.as_of)
    );
    let bytes = fidelity_xlsx(&title, &evidence).map_err(WebError::internal)?;
    let file = format!(
        "fidelity-evidence-{}-{}-{}.xlsx",
        a.team_id.as_deref().unwrap_or("service"),
        a.period.start,
        a.period.end
    );
    Ok(download(XLSX, &file, bytes))
}

async fn fidelity(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Markup> {
    let d = &data.dataset;
    let Asked {
        scope,
        team_id,
        period,
        as_of,
        whose,
    } = asked(&state, &v, &data, &q)?;
    let team_id = team_id.as_deref();
    let evidence = data.fidelity_evidence(scope, &period, as_of);
    let shown = PeriodOut {
        start: period.start,
        end: period.end,
        label: period.label.clone(),
    };
    Ok(layout(
        &v,
        &format!("Fidelity review evidence – {whose}"),
        html! {
            p {
                (period.label) " (" (uk_date(period.start)) " to " (uk_date(period.end)) "), as of " (uk_date(as_of)) ". "
                "What the records say about each item of the IPS fidelity scale, and the score it suggests. "
                "The reviewers confirm or change each score; items the records cannot speak to are theirs to score."
            }
            (period_form("/fidelity", d, (&shown, as_of), team_id))
            p { a href=(download_link(team_id, &period, as_of)) { "Download the evidence as a workbook to fill in at the review (xlsx)" } }
            p class="no-print" { a href=(reviews::list_link(team_id)) { "Fidelity reviews: start one, or see them side by side" } }
            (suggested_total(&evidence))
            @for section in Section::ALL {
                (section_html(section, &evidence))
            }
        },
    ))
}

/// The workbook of the same evidence.
fn download_link(team: Option<&str>, period: &Period, as_of: Day) -> String {
    let team = team.map(|t| format!("&team={t}")).unwrap_or_default();
    format!("/fidelity.xlsx?period={}&as_of={as_of}{team}", period.label)
}

/// What the suggestions add up to, and how many items are left to the
/// reviewers.
fn suggested_total(evidence: &[Evidence]) -> Markup {
    let suggested: Vec<u8> = evidence.iter().filter_map(|e| e.suggested).collect();
    let total: u32 = suggested.iter().map(|s| u32::from(*s)).sum();
    html! {
        div class="panel" {
            p {
                "The records suggest scores for " strong { (suggested.len()) " of 25 items" }
                ", " (total) " points between them. The other "
                (25 - suggested.len()) " items are scored by the reviewers from what they see and hear."
            }
        }
    }
}

/// One section of the scale: its items with their evidence (one printed
/// page each).
fn section_html(section: Section, evidence: &[Evidence]) -> Markup {
    html! {
        section class="fidelity-section" {
            h2 { (section.name()) }
            table {
                caption { (section.name()) ": " (section.items().count()) " items, up to " (section.maximum()) " points" }
                thead { tr { th scope="col" { "Item" } th scope="col" { "What the records say" } th scope="col" { "Suggested score" } } }
                tbody {
                    @for item in section.items() {
                        @let e = evidence.iter().find(|e| e.item == item.id);
                        tr {
                            td {
                                strong { (item.id.number()) ". " (item.name) }
                                br;
                                span class="hint" { (item.description) }
                                details {
                                    summary { "What scores 1 to 5" }
                                    ol { @for anchor in item.anchors { li { (anchor) } } }
                                }
                            }
                            td {
                                @match e {
                                    Some(e) => {
                                        (e.words)
                                        @if e.source == Source::Records && e.records > 0 {
                                            br; span class="hint" { "From " (e.records) " records." }
                                        }
                                    }
                                    None => { "Scored by the reviewers." }
                                }
                            }
                            td {
                                @match e.and_then(|e| e.suggested) {
                                    Some(score) => {
                                        strong { (score) } " – " (item.anchor(score).unwrap_or_default())
                                    }
                                    None => { "For the reviewers" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
