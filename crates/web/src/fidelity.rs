//! The fidelity review's evidence (issue 26): for a team (a lead's own, a
//! manager's any) or the whole service (managers and admins), over a
//! period, each of the IPS fidelity scale's 25 items in its section with
//! what the records say, how many records it rests on and the score they
//! suggest — the figures a team lead takes into a review. Printable: one
//! A4 page per section. Reviews themselves (scores, notes, action plans)
//! are core's (`fidelity::check_review`); storing them comes next.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ipstrack_core::fidelity::{Evidence, ReviewScope, Section, Source};
use ipstrack_core::report::PeriodOut;
use ipstrack_core::scope::Scope;
use maud::{Markup, html};

use crate::Shared;
use crate::error::WebResult;
use crate::extract::{Lead, SignedIn};
use crate::period::{PeriodQuery, bad_period, period_form, period_of};
use crate::team_worklist::team_in_scope;
use crate::ui::dates::uk_date;
use crate::ui::layout::layout;

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/fidelity", get(fidelity))
}

async fn fidelity(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Markup> {
    let d = &data.dataset;
    // The whole service for one who sees it and names no team; else a team
    // in the viewer's scope (core's Scope decides which).
    let scope = match (q.team.as_deref().filter(|t| !t.is_empty()), v.scope) {
        (None, Scope::Service) => ReviewScope::Service,
        (id, _) => ReviewScope::Team(team_in_scope(&v, &data, id)?),
    };
    let team_id = match scope {
        ReviewScope::Team(t) => Some(d.team(t).id.as_str()),
        ReviewScope::Service => None,
    };
    let title = ("Fidelity review evidence", "/fidelity");
    let (period, as_of) = period_of(&q, state.today())
        .map_err(|e| bad_period(&v, title, (d, state.today()), &q, team_id, &e))?;
    let evidence = data.fidelity_evidence(scope, &period, as_of);
    let whose = match scope {
        ReviewScope::Service => d.service.name.clone(),
        ReviewScope::Team(t) => format!("{} team", d.team(t).name),
    };
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
            (suggested_total(&evidence))
            @for section in Section::ALL {
                (section_html(section, &evidence))
            }
        },
    ))
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
