//! The team worklist (issue 14): every item of CASE-4 for a team on one page
//! — contacts due (going inactive), long holds, waiting lists past their
//! date, sustainment milestones due, jobs awaiting 4 hours, caseload alerts —
//! filterable by ES and kind, sorted by date with the overdue first and
//! marked, each linking to what needs doing. Team leads see their team;
//! managers and admins any team.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ipstrack_core::alert::{Alert, WorkItem};
use ipstrack_core::model::Role;
use ipstrack_core::model::{StaffIdx, TeamIdx};
use ipstrack_core::{Day, Loaded};
use maud::{Markup, html};
use serde::Deserialize;

use crate::Shared;
use crate::Viewer;
use crate::caseload::alert_words;
use crate::error::{WebError, WebResult};
use crate::extract::{Lead, SignedIn};
use crate::ui::dates::uk_date;
use crate::ui::layout::{layout, plural};

/// The team worklist page.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/team/worklist", get(team_worklist))
}

/// The kinds of item, as the filter offers them: (word in the address, words people read).
pub(crate) const KINDS: [(&str, &str); 7] = [
    ("contact", "Contact due or overdue (going or gone inactive)"),
    ("hold", "Hold reaching 4 weeks"),
    ("waiting", "Waiting list past its date"),
    ("milestone", "Sustainment milestone due"),
    ("four-hours", "4 hours awaiting confirmation"),
    ("caseload", "Caseload alert"),
    (
        "engagement",
        "Engagement standard due (rev. 3: plan review, team decision, job search)",
    ),
];

/// The kind of an item (its word in [`KINDS`]).
pub(crate) fn kind_of(alert: &Alert) -> &'static str {
    match alert {
        Alert::ContactDue { .. } | Alert::ContactLapsed { .. } => "contact",
        Alert::HoldReachingLimit { .. } => "hold",
        Alert::WaitingListOverdue { .. } => "waiting",
        Alert::MilestoneDue { .. } | Alert::ConfirmStillInWork { .. } => "milestone",
        Alert::FortnightlyContactDue { .. } => "contact",
        Alert::PlanReviewDue { .. }
        | Alert::DecisionAgreementMissing { .. }
        | Alert::RapidSearchDue { .. } => "engagement",
        Alert::AwaitingFourHours { .. } => "four-hours",
        Alert::CaseloadPerFte { .. } | Alert::RetentionShareHigh { .. } => "caseload",
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct WorklistQuery {
    team: Option<String>,
    es: Option<String>,
    kind: Option<String>,
}

/// The team a lead, manager or admin asks for (`id`; none: their own, or the
/// first): a team lead only their own.
pub(crate) fn team_in_scope(v: &Viewer, data: &Loaded, id: Option<&str>) -> WebResult<TeamIdx> {
    let d = &data.dataset;
    let by_id = |id: &str| d.teams.iter().position(|t| t.id == id).map(TeamIdx::at);
    let team = match id {
        Some(id) => by_id(id).filter(|t| v.scope.team(*t)),
        None => v.scope.default_team(d, v.team),
    };
    team.ok_or_else(|| WebError::out_of_scope(v, "team", id.unwrap_or("-")))
}

async fn team_worklist(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<WorklistQuery>,
) -> WebResult<Markup> {
    let team = team_in_scope(&v, &data, q.team.as_deref())?;
    let d = &data.dataset;
    // Filters: an ES of this team, a known kind; anything else is "all".
    let es =
        q.es.as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|id| d.staff.iter().position(|s| s.id == id && s.team == team));
    let kind = q
        .kind
        .as_deref()
        .and_then(|k| KINDS.iter().find(|(w, _)| *w == k))
        .map(|(w, _)| *w);
    let today = state.today();
    let all = data.worklist(today);
    let items: Vec<&WorkItem> = all
        .iter()
        .filter(|i| i.es.is_some_and(|s| d.staff_member(s).team == team))
        .filter(|i| es.is_none_or(|e| i.es == Some(StaffIdx::at(e))))
        .filter(|i| kind.is_none_or(|k| kind_of(&i.alert) == k))
        .collect();
    Ok(worklist_html(&v, &data, team, today, &items, es, kind))
}

/// How far an item is from today, in words, and whether it is overdue.
fn due_words(date: Day, today: Day) -> (String, bool) {
    let days = date.since(today);
    match days {
        d if d < 0 => (
            format!("Overdue by {}", plural(-i64::from(d), "day", "days")),
            true,
        ),
        0 => ("Due today".into(), false),
        d => (format!("In {}", plural(i64::from(d), "day", "days")), false),
    }
}

/// What to do about an item: a link to where it is done.
fn action(data: &Loaded, item: &WorkItem) -> Markup {
    let d = &data.dataset;
    match (item.referral, &item.alert) {
        (Some(i), alert)
            if let Some((href, words)) =
                crate::caseload::alert_action(&d.referrals[i].id, alert) =>
        {
            html! { a href=(href) { (words) } }
        }
        (Some(i), _) => {
            html! { a href=(format!("/referrals/{}", d.referrals[i].id)) { "Open the referral" } }
        }
        (None, _) => match item.es {
            Some(es) => {
                html! { a href=(format!("/caseload?es={}", d.staff_member(es).id)) { "Open the caseload" } }
            }
            None => html! {},
        },
    }
}

fn worklist_html(
    v: &Viewer,
    data: &Loaded,
    team: TeamIdx,
    today: Day,
    items: &[&WorkItem],
    es: Option<usize>,
    kind: Option<&str>,
) -> Markup {
    let d = &data.dataset;
    let t = &d.team(team);
    let members: Vec<(usize, &ipstrack_core::model::Staff)> = d
        .staff
        .iter()
        .enumerate()
        .filter(|(_, s)| s.team == team && s.role == Role::Es && s.in_post_on(today))
        .collect();
    let overdue = items.iter().filter(|i| i.date < today).count();
    layout(
        v,
        &format!("Team worklist: {}", t.name),
        html! {
            p id="team-worklist-summary" {
                "On " (uk_date(today)) ": " strong { (plural(items.len() as i64, "item", "items")) }
                ", " strong { (overdue) " overdue" } ". The overdue come first. "
                a href=(format!("/team?team={}", t.id)) { "Team dashboard" }
            }
            form method="get" action="/team/worklist" class="panel filters" {
                input type="hidden" name="team" value=(t.id);
                div class="field" {
                    label for="worklist-es" { "Employment specialist" }
                    select id="worklist-es" name="es" {
                        option value="" { "All" }
                        @for (i, s) in &members { option value=(s.id) selected[es == Some(*i)] { (s.name) } }
                    }
                }
                div class="field" {
                    label for="worklist-kind" { "Kind" }
                    select id="worklist-kind" name="kind" {
                        option value="" { "All" }
                        @for (word, words) in KINDS { option value=(word) selected[kind == Some(word)] { (words) } }
                    }
                }
                button type="submit" { "Show" }
            }
            @if items.is_empty() {
                p id="team-worklist-empty" { "Nothing due." }
            } @else {
                table id="team-worklist" class="cards" {
                    caption { "What needs doing, by date" }
                    thead { tr {
                        th scope="col" { "Due" } th scope="col" { "Employment specialist" }
                        th scope="col" { "Person" } th scope="col" { "What" } th scope="col" { "Do" }
                    } }
                    tbody { @for item in items {
                        @let (words, is_overdue) = due_words(item.date, today);
                        tr class=[is_overdue.then_some("overdue")] data-kind=(kind_of(&item.alert)) {
                            td data-label="Due" {
                                (uk_date(item.date)) br;
                                @if is_overdue { strong class="tag overdue" { (words) } } @else { (words) }
                            }
                            td data-label="Employment specialist" { (item.es.map_or("–".to_string(), |s| d.staff_member(s).name.clone())) }
                            td data-label="Person" { @if let Some(i) = item.referral {
                                @let r = &d.referrals[i];
                                a href=(format!("/referrals/{}", r.id)) { (d.client(r.client).display_name()) } " (" (r.id) ")"
                            } @else { "–" } }
                            td data-label="What" { (alert_words(&item.alert)) }
                            td data-label="Do" { (action(data, item)) }
                        }
                    } }
                }
            }
        },
    )
}
