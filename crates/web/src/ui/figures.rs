//! Tables of figures: KPI rows against their targets, status tags,
//! percentages, and the period form above every report.

use ipstrack_core::report::{ByGroup, Kpis, Report};
use ipstrack_core::targets::{BandPosition, Status};
use maud::{Markup, html};

use crate::Viewer;
use crate::ui::form::problem_summary;
use crate::ui::layout::layout;
use ipstrack_core::caseload::DayStatus;

pub(crate) fn tag(status: Option<Status>) -> Markup {
    match status {
        Some(Status::Met) => html! { span class="tag met" { "Met" } },
        Some(Status::OnTrack) => html! { span class="tag on_track" { "On track" } },
        Some(Status::Behind) => html! { span class="tag behind" { "Behind" } },
        None => html! { "–" },
    }
}

pub(crate) fn percent(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}%", v * 100.0))
}

pub(crate) fn period_form(action: &str, r: &Report, team: Option<&str>) -> Markup {
    period_fields(action, &r.period.label, &r.as_of.to_string(), team, None)
}

/// The period form with the values given, and the problem beside the field.
pub(crate) fn period_fields(
    action: &str,
    period: &str,
    as_of: &str,
    team: Option<&str>,
    problem: Option<&str>,
) -> Markup {
    html! {
        form method="get" action=(action) class="panel" {
            @if let Some(t) = team { input type="hidden" name="team" value=(t); }
            div class=(if problem.is_some() { "field has-error" } else { "field" }) {
                label for="period" { "Period (2024/25, 2024/25-Q3 or 2024-04-01..2024-06-30, at most 5 years)" }
                @if let Some(p) = problem { span class="error" id="period-error" { (p) } }
                input id="period" name="period" value=(period);
            }
            div class="field" { label for="as_of" { "As of" } input id="as_of" name="as_of" type="date" value=(as_of); }
            button type="submit" { "Show" }
        }
    }
}

/// A page whose period or as-of date cannot be shown: the error summary and
/// the form again with what was typed, to correct it.
pub fn period_problem(
    v: &Viewer,
    title: &str,
    action: &str,
    (period, as_of): (&str, &str),
    team: Option<&str>,
    problem: &str,
) -> Markup {
    layout(
        v,
        title,
        html! {
            (problem_summary(Some(problem), "period"))
            (period_fields(action, period, as_of, team, Some(problem)))
        },
    )
}

pub(crate) fn figures_row(name: Markup, k: &Kpis) -> Markup {
    let ue = |g: ByGroup| html! { (g.unemployed) " / " (g.employed) };
    html! {
        tr {
            th scope="row" { (name) }
            td class="num" data-figure="referrals" { (ue(k.referrals)) }
            td class="num" data-figure="access" { (ue(k.access)) }
            td class="num" data-figure="into-work" { (ue(k.people_into_work)) }
            td class="num" data-figure="job-starts" { (ue(k.job_starts)) }
            td class="num" data-figure="sustained-13" { (ue(k.sustained.w13)) }
            td class="num" data-figure="sustained-26" { (ue(k.sustained.w26)) }
            td class="num" data-figure="sustained-52" { (ue(k.sustained.w52)) }
            td class="num" data-figure="active-open" { (k.caseload.active) " / " (k.caseload.open) }
            td class="num" data-figure="carried-over" { (k.caseload.carried_over) }
            td class="num" data-figure="job-outcome-rate" { (percent(k.job_outcome_rate.value)) }
            td class="num" data-figure="sustainment-rate" { (percent(k.sustainment_rate_13w.value)) }
        }
    }
}

pub(crate) fn figures_head() -> Markup {
    html! { thead { tr {
        th scope="col" { "" } th scope="col" class="num" { "Referrals U/E" } th scope="col" class="num" { "Access U/E" }
        th scope="col" class="num" { "Into work U/E" } th scope="col" class="num" { "Job starts U/E" }
        th scope="col" class="num" { "Sustained 13 weeks U/E" } th scope="col" class="num" { "26 weeks U/E" }
        th scope="col" class="num" { "52 weeks U/E" }
        th scope="col" class="num" { "Active / open (seen)" } th scope="col" class="num" { "Carried over" }
        th scope="col" class="num" { "Job outcome rate" } th scope="col" class="num" { "13-week sustainment" }
    } } }
}

/// The link to an ES's performance plan for a report's period and as-of date.
pub(crate) fn plan_link(es: &str, r: &Report) -> String {
    format!(
        "/specialists/{es}/plan?period={}&as_of={}",
        r.period.label, r.as_of
    )
}

pub(crate) fn band_words(position: BandPosition) -> &'static str {
    match position {
        BandPosition::Below => "Below the band",
        BandPosition::Within => "Within the band",
        BandPosition::Above => "Above the band",
    }
}

/// A referral's caseload status in words: active (and why, when a team
/// decision keeps it so), not yet seen, or inactive with the reasons.
pub(crate) fn status_tag(s: &DayStatus) -> Markup {
    html! {
        @if s.active_by_decision() { span class="tag active" { "Active" } " kept active by a team decision" }
        @else if s.active { span class="tag active" { "Active" } }
        @else if s.received && !s.open { span class="tag inactive" { "Not yet seen" } " referred, no access yet" }
        @else { span class="tag inactive" { "Inactive" } " " (criterion_words(s.failed)) }
    }
}

pub(crate) fn criterion_words(failed: ipstrack_core::caseload::Failed) -> String {
    failed
        .iter()
        .map(|c| c.failure())
        .collect::<Vec<_>>()
        .join("; ")
}
