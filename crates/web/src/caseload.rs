//! My caseload (an ES's own; a team lead or manager may open an ES's in
//! their scope): each referral's status today, and the worklist (CASE-4).

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;

use crate::Shared;
use crate::Viewer;
use crate::error::{WebError, WebResult};
use crate::extract::SignedIn;
use crate::extract::specialist_in_scope;
use crate::ui::figures::status_tag;
use crate::ui::layout::layout;
use ipstrack_core::caseload::es_caseload;
use ipstrack_core::targets::{BandPosition, CaseloadStanding};
use ipstrack_core::worklist::{Alert, WorkItem};
use ipstrack_core::{Day, Loaded};
use maud::{Markup, html};

/// The caseload page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/caseload", get(caseload))
}

#[derive(Deserialize)]
pub(crate) struct EsQuery {
    es: Option<String>,
}

pub(crate) async fn caseload(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Query(q): Query<EsQuery>,
) -> WebResult<Markup> {
    let d = &data.dataset;
    let today = state.today();
    // Whose caseload: one's own, or (team leads, managers) an ES in scope.
    let es = match &q.es {
        None => v.staff,
        Some(id) => specialist_in_scope(&v, d, id),
    };
    let Some(es) = es else {
        return match &q.es {
            Some(id) => Err(WebError::out_of_scope(&v, "staff", id)),
            None => Ok(layout(&v, "My caseload", no_caseload())),
        };
    };
    Ok(caseload_html(&v, &data, es, today, &data.worklist(today)))
}

pub fn no_caseload() -> Markup {
    html! { p { "Your account is not linked to an employment specialist's caseload." } }
}

/// CASE-1..4 for one ES: the worklist, then each referral they hold, with
/// every figure from core (`es_caseload`).
pub fn caseload_html(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    today: Day,
    all_items: &[WorkItem],
) -> Markup {
    let d = &data.dataset;
    let items: Vec<&WorkItem> = all_items
        .iter()
        .filter(|i| i.es == Some(es as u32))
        .collect();
    let c = es_caseload(d, es as u32, today);
    let title = if v.staff == Some(es) {
        "My caseload".to_string()
    } else {
        format!("Caseload of {}", d.staff[es].name)
    };
    layout(
        v,
        &title,
        html! {
            p id="caseload-summary" {
                "On " (today) ": "
                strong id="caseload-active" { (c.active) } " active"
                @if c.active_by_decision > 0 { " (" span id="caseload-by-decision" { (c.active_by_decision) } " kept active by a team decision)" }
                " of " strong id="caseload-open" { (c.open) } " open (seen); "
                strong id="caseload-not-yet-seen" { (c.not_yet_seen) } " referred, not yet seen; "
                strong id="caseload-waiting" { (c.waiting_list) } " on the waiting list. "
                a href=(format!("/specialists/{}/plan", d.staff[es].id)) { "Performance plan" }
            }
            @if let Some(standing) = &c.standing { p id="caseload-standing" { (caseload_standing_words(standing)) "." } }
            section class="panel" aria-labelledby="worklist" {
                h2 id="worklist" { "To do" }
                @if items.is_empty() { p { "Nothing due." } }
                ul class="worklist" {
                    @for item in &items {
                        li {
                            strong { (item.date) } " – "
                            @if let Some(i) = item.referral {
                                @let r = &d.referrals[i];
                                a href=(format!("/referrals/{}", r.id)) { (d.clients[r.client as usize].display_name()) " (" (r.id) ")" } ": "
                            }
                            (alert_words(&item.alert))
                            @if let (Some(i), Alert::AwaitingFourHours { job }) = (item.referral, &item.alert) {
                                " – " a href=(format!("/referrals/{}/jobs/{job}/edit#job-four_hours_confirmed", d.referrals[i].id)) { "Confirm 4 hours" }
                            }
                        }
                    }
                }
            }
            table id="caseload-table" {
                caption { "Referrals held: open (seen) and referred, not yet seen" }
                thead { tr {
                    th scope="col" { "Person" } th scope="col" { "Referral" } th scope="col" { "Status" }
                    th scope="col" class="num" { "Days since contact" } th scope="col" class="num" { "Days until inactive" }
                    th scope="col" { "Next sustainment milestone" }
                } }
                tbody {
                    @for e in &c.entries {
                        @let r = &d.referrals[e.referral];
                        tr id=(format!("referral-{}", r.id)) {
                            td { a href=(format!("/referrals/{}", r.id)) { (d.clients[r.client as usize].display_name()) } }
                            td { (r.id) }
                            td { (status_tag(&e.status)) }
                            td class="num" { (e.days_since_contact.map_or("–".to_string(), |n| n.to_string())) }
                            td class="num" data-days-until-inactive { (e.days_until_inactive.map_or("–".to_string(), |n| n.to_string())) }
                            td { (e.next_milestone.map_or("–".to_string(), |(weeks, due)| format!("{weeks} weeks on {due}"))) }
                        }
                    }
                }
            }
        },
    )
}

pub(crate) fn alert_words(alert: &Alert) -> String {
    match alert {
        Alert::ContactDue { last_contact } => {
            format!(
                "No two-way contact since {last_contact}: becomes inactive on this day without one"
            )
        }
        Alert::HoldReachingLimit { hold_start } => {
            format!("On hold since {hold_start}: reaching 4 weeks")
        }
        Alert::WaitingListOverdue { .. } => {
            "Waiting list overdue: close and invite a re-referral".into()
        }
        Alert::MilestoneDue { weeks } => format!("{weeks}-week sustainment due: gather evidence"),
        Alert::AwaitingFourHours { job } => {
            format!("Job {job} awaiting confirmation of 4 hours worked")
        }
        Alert::CaseloadPerFte { standing } => caseload_standing_words(standing),
        Alert::RetentionShareHigh {
            employed,
            open,
            max_share,
        } => {
            format!(
                "{employed} of {open} open referrals are job retention (over {})",
                share_words(*max_share)
            )
        }
    }
}

/// A policy share in ten-thousandths as a percentage: 1500 → "15%", 1250 → "12.5%".
pub(crate) fn share_words(share: ipstrack_core::policy::Basis) -> String {
    let (whole, part) = (share / 100, share % 100);
    match part {
        0 => format!("{whole}%"),
        p if p % 10 == 0 => format!("{whole}.{}%", p / 10),
        p => format!("{whole}.{p:02}%"),
    }
}

/// CASE-4: an ES's caseload per FTE against the policy, in words.
pub(crate) fn caseload_standing_words(s: &CaseloadStanding) -> String {
    let open = match s.band_position {
        BandPosition::Below => "below",
        BandPosition::Within => "within",
        BandPosition::Above => "above",
    };
    let mut words = format!(
        "Open caseload {} per FTE ({} open), {open} the recommended {}–{}",
        s.open_per_fte, s.open, s.band.0, s.band.1
    );
    if s.above_fidelity_limit {
        words.push_str(&format!(
            "; active caseload {} per FTE ({} active), above the fidelity limit of {}",
            s.active_per_fte, s.active, s.fidelity_limit
        ));
    } else {
        words.push_str(&format!(
            "; active caseload {} per FTE ({} active), within the fidelity limit of {}",
            s.active_per_fte, s.active, s.fidelity_limit
        ));
    }
    words
}
