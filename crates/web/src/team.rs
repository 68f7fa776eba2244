//! The team dashboard (team leads for their team, managers for any): each ES's
//! KPIs against their targets, and the team's trends by month.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use ipstrack_core::model::{Role, TeamIdx};
use ipstrack_core::report::{Part, PartReferrals, PartReport, ReportError};
use ipstrack_core::{Day, Period};

use crate::Viewer;
use crate::error::WebResult;
use crate::extract::{Lead, SignedIn};
use crate::period::{PeriodQuery, bad_period, period_form, period_of};
use crate::ui::chart::{Series, Trends, access_chart, both, line_chart, quarters_chart};
use crate::ui::dates::uk_date;
use crate::ui::figures::{figures_head, figures_row, plan_link, rate_cell, tag};
use crate::ui::layout::layout;
use crate::{Shared, Snapshot};
use ipstrack_core::Loaded;
use maud::{Markup, html};

/// The team dashboard.
pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/team", get(team))
}

pub(crate) async fn team(
    State(state): State<Shared>,
    Lead(SignedIn { v, data }): Lead,
    Query(q): Query<PeriodQuery>,
) -> WebResult<Markup> {
    let d = &data.dataset;
    let team = crate::team_worklist::team_in_scope(&v, &data, q.team.as_deref())?;
    let id = &d.team(team).id;
    let (period, as_of) = period_of(&q, state.today())
        .map_err(|e| bad_period(&v, ("Team", "/team"), (d, state.today()), &q, Some(id), &e))?;
    let part = Part::Team(team);
    let r = data.part_report(part, &period, as_of)?;
    let ytd = data.part_year_to_date(&r)?;
    let trends = trends(&data, part, &period, as_of)?;
    let among = data.part_referrals(part);
    Ok(team_html(
        &v,
        (&data, &among),
        team,
        (&r, ytd.as_deref()),
        &trends,
    ))
}

/// Month by month from the period's start to the as-of date: cumulative access
/// (unemployed) against the targets to date, and the active caseload per ES in
/// post against the recommended band; then quarter by quarter of the financial
/// year, job starts and 13-week outcomes. Every figure is core's trends of
/// the part alone (a team, or one ES; each month as known at its end), made
/// in one pass over its referrals, from the snapshot's cache.
pub(crate) fn trends(
    data: &Snapshot,
    part: Part,
    period: &Period,
    as_of: Day,
) -> Result<Trends, ReportError> {
    let made = data.part_trends(part, period, as_of)?;
    let mut trends = Trends {
        fidelity_limit: data.dataset.policy.fidelity_caseload,
        ..Trends::default()
    };
    for m in &made.months {
        trends
            .months
            .push(m.end.date().strftime("%b %y").to_string());
        trends.access.push(f64::from(m.access));
        trends.access_target.push(m.access_target_to_date);
        trends.active_per_fte.push(m.active_per_fte.unwrap_or(0.0));
    }
    for q in &made.quarters {
        let name = q.quarter.label.rsplit('-').next().unwrap_or_default();
        trends.quarters.push(name.to_string());
        // Unfinished: the as-of date (or the period's end) falls inside it.
        trends.quarter_to_date.push(q.to_date());
        trends.job_starts.push(q.job_starts);
        trends.sustained.push(q.sustained_13w);
    }
    Ok(trends)
}

/// The team dashboard: each ES against their performance plan.
pub fn team_html(
    v: &Viewer,
    (data, among): (&Loaded, &PartReferrals),
    team: TeamIdx,
    (r, ytd): (&PartReport, Option<&PartReport>),
    trends: &Trends,
) -> Markup {
    let d = &data.dataset;
    let t = &d.team(team);
    let members: Vec<_> = r.specialists.iter().filter(|s| s.team == t.id).collect();
    let block = r.teams.iter().find(|b| b.id == t.id);
    layout(
        v,
        &format!("Team {}", t.name),
        html! {
            p { (r.period.label) " (" (uk_date(r.period.start)) " to " (uk_date(r.period.end)) "), as of " (uk_date(r.as_of)) ". Each pair of figures is unemployed / in work (job retention) at referral, always counted apart." }
            (period_form("/team", d, (&r.period, r.as_of), Some(&t.id)))
            // Eight columns, each status beside its figure and the reasons
            // behind a status folded under it: the whole table fits a laptop;
            // on a phone each ES is a card.
            table class="cards" id="performance-plans" {
                caption id="performance-plans-caption" { "Performance plans" }
                thead { tr {
                    th scope="col" { "Employment specialist" }
                    th scope="col" { "Access (unemployed): so far of the target to date" }
                    th scope="col" { "Into work: of the target" }
                    th scope="col" { "Job outcome rate" }
                    th scope="col" { "13-week sustainment" }
                    th scope="col" class="num" { "Active / open (seen)" }
                    th scope="col" class="num" { "Carried over" }
                    th scope="col" class="num" { "Fidelity score (caseload)" }
                } }
                tbody {
                    @for s in &members {
                        @let name = d.staff.iter().find(|x| x.id == s.id && x.role == Role::Es).map_or(s.id.clone(), |x| x.name.clone());
                        @let why = crate::team_behind::why(d, s, (&r.period, r.as_of), among);
                        @let year = s.targets.year_to_date.as_ref();
                        tr {
                            th scope="row" {
                                a href=(format!("/caseload?es={}", s.id)) { (name) } br;
                                span class="hint" { (if s.targets.year == 1 { "First year in post" } else { "Second year in post or later" }) } br;
                                a href=(plan_link(&s.id, (&r.period, r.as_of))) aria-label=(format!("Performance plan of {name}")) { "Plan" }
                            }
                            td data-why="access" data-label="Access" {
                                span data-figure="access" { (s.kpis.access.unemployed) } " of " (format!("{:.1}", s.targets.access_to_date))
                                br; span class="ytd" { (format!("{:.1}", s.targets.access)) " for the year" } br;
                                (tag(s.targets.status.access)) (folded(why.access))
                            }
                            td data-why="into-work" data-label="Into work" {
                                span data-figure="into-work" { (s.kpis.people_into_work.unemployed) } " of " (format!("{:.1}", s.targets.people_into_work)) br;
                                (tag(s.targets.status.people_into_work)) (folded(why.into_work))
                            }
                            td data-why="job-outcome-rate" data-label="Job outcome rate" {
                                (rate_cell(s.kpis.job_outcome_rate.value, year.map(|y| y.job_outcome_rate.value), Some(s.targets.job_outcome_rate))) br;
                                (tag(s.targets.status.job_outcome_rate)) (folded(why.job_outcome_rate))
                            }
                            td data-why="sustainment" data-label="13-week sustainment" {
                                (rate_cell(s.kpis.sustainment_rate_13w.value, year.map(|y| y.sustainment_rate_13w.value), Some(s.targets.sustainment_rate_13w))) br;
                                (tag(s.targets.status.sustainment_rate_13w)) (folded(why.sustainment))
                            }
                            td class="num" data-label="Active / open (seen)" { (s.kpis.caseload.active) " / " (s.kpis.caseload.open) }
                            td class="num" data-label="Carried over" { (s.kpis.caseload.carried_over) }
                            td class="num" data-label="Fidelity score (caseload)" { (s.kpis.fidelity_caseload_score.map_or("–".into(), |f| f.to_string())) }
                        }
                    }
                }
            }
            @if let Some(b) = block {
                @let year = ytd.and_then(|y| y.teams.iter().find(|x| x.id == t.id)).map(|x| &x.kpis);
                table { caption { "Team figures" } (figures_head()) tbody { (figures_row(html! { (t.name) }, &b.kpis, year)) } }
            }
            (access_chart(trends, false))
            (line_chart("Active caseload per FTE in post, against the fidelity limit", &trends.months,
                &[Series::ratio("Active per FTE", "#007f3b", &trends.active_per_fte)],
                Some((0.0, f64::from(trends.fidelity_limit))), false))
            (quarters_chart("Job starts and 13-week sustainment outcomes by quarter", trends,
                &[Series::count("Job starts", "#005eb8", &both(&trends.job_starts)),
                  Series::count("Sustained 13 weeks", "#007f3b", &both(&trends.sustained))], false))
        },
    )
}

/// The reasons behind a status, folded under it ("Why"), if there are any.
fn folded(why: Markup) -> Markup {
    html! {
        @if !why.0.is_empty() {
            details class="why-details" { summary { "Why" } (why) }
        }
    }
}
