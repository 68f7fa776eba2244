//! Tables of figures: KPI rows against their targets, status tags and
//! percentages. (The period form above every report is the period's:
//! `period.rs`.)

use ipstrack_core::Day;
use ipstrack_core::report::{ByGroup, Kpis, PeriodOut};
use ipstrack_core::targets::{BandPosition, Status};
use maud::{Markup, html};

use crate::ui::definitions::defined;
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

/// A rate of the period and, for a part-year period (TGT-3, rev. 3), the
/// financial year to date's beside it, which the status judges: "12.5%"
/// then "39.6% so far this year, target 40%".
pub(crate) fn rate_cell(
    value: Option<f64>,
    ytd: Option<Option<f64>>,
    target: Option<f64>,
) -> Markup {
    html! {
        (percent(value))
        @if let Some(y) = ytd {
            br;
            span class="ytd" {
                (percent(y)) " so far this year"
                @if let Some(t) = target { ", target " (target_percent(t)) }
            }
        }
    }
}

/// A target rate as people say it: 40%, 65%, 37.5%.
pub(crate) fn target_percent(t: f64) -> String {
    let p = t * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A row of figures; `ytd` the same block's figures over the financial year
/// to date when the period is part of a year (its rates shown beside).
pub(crate) fn figures_row(name: Markup, k: &Kpis, ytd: Option<&Kpis>) -> Markup {
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
            td class="num" data-figure="job-outcome-rate" { (rate_cell(k.job_outcome_rate.value, ytd.map(|y| y.job_outcome_rate.value), None)) }
            td class="num" data-figure="sustainment-rate" { (rate_cell(k.sustainment_rate_13w.value, ytd.map(|y| y.sustainment_rate_13w.value), None)) }
        }
    }
}

pub(crate) fn figures_head() -> Markup {
    html! { thead { tr {
        th scope="col" { "" } th scope="col" class="num" { (defined("referrals", "Referrals")) }
        th scope="col" class="num" { (defined("access", "Access")) }
        th scope="col" class="num" { (defined("into-work", "Into work")) }
        th scope="col" class="num" { (defined("job-starts", "Job starts")) }
        th scope="col" class="num" { (defined("sustained", "Sustained 13 weeks")) } th scope="col" class="num" { "Sustained 26 weeks" }
        th scope="col" class="num" { "Sustained 52 weeks" }
        th scope="col" class="num" { (defined("caseload", "Active")) " / open (seen)" }
        th scope="col" class="num" { (defined("carried-over", "Carried over")) }
        th scope="col" class="num" { (defined("job-outcome-rate", "Job outcome rate")) }
        th scope="col" class="num" { (defined("sustainment-rate", "13-week sustainment")) }
    } } }
}

/// The link to an ES's performance plan for a report's period and as-of date.
pub(crate) fn plan_link(es: &str, (period, as_of): (&PeriodOut, Day)) -> String {
    format!(
        "/specialists/{es}/plan?period={}&as_of={as_of}",
        period.label
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

/// A referral's caseload status in plain words (a file, not a page).
pub(crate) fn status_words(s: &DayStatus) -> String {
    if s.active_by_decision() {
        "Active (kept active by a team decision)".into()
    } else if s.active {
        "Active".into()
    } else if s.received && !s.open {
        "Not yet seen".into()
    } else {
        format!("Inactive: {}", criterion_words(s.failed))
    }
}

pub(crate) fn criterion_words(failed: ipstrack_core::caseload::Failed) -> String {
    failed
        .iter()
        .map(|c| c.failure())
        .collect::<Vec<_>>()
        .join("; ")
}
