//! The report (`ipstrack-report/1`): per-referral facts aggregated by ES, team
//! and service for a period, as known on an as-of date.
//!
//! One flow: each referral is derived once ([`ReferralFacts`]): who it is
//! credited to on each event's day, its caseload status, job outcomes,
//! runs and milestones. The facts are then added up by ES, team and service.
//! Counts of people are distinct clients within each ES, team or service.

use serde::Serialize;

mod changes;
mod ledger;
mod targets;

pub use changes::figure_changes;
pub use ledger::carried_over_day;

use crate::bundle::Warning;
use crate::model::{Dataset, Fte, Referral, Role, Staff, StaffIdx};
use crate::policy::Policy;
use crate::targets::{CaseloadStanding, Status, caseload_standing, fidelity_caseload_score};
use crate::time::{Day, DayRange, Period};
use ledger::{kpis, tally};
use targets::{targets, years_to_date};

pub use targets::year_to_date_period;

/// The `format` value of a report.
pub const REPORT_FORMAT: &str = "ipstrack-report/1";

/// Why a report cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("as-of date {as_of} is before the period's start {start}")]
    AsOfBeforePeriod { as_of: Day, start: Day },
}

/// The KPI report of formats.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "ipstrack-report/1"))]
    pub format: &'static str,
    pub period: PeriodOut,
    pub as_of: Day,
    pub service: Kpis,
    pub teams: Vec<TeamKpis>,
    pub specialists: Vec<SpecialistKpis>,
    pub warnings: Vec<Warning>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodOut {
    pub start: Day,
    pub end: Day,
    pub label: String,
}

/// A count split by employment status at referral.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ByGroup {
    pub unemployed: u32,
    pub employed: u32,
}

impl ByGroup {
    fn from(counts: [u32; 2]) -> ByGroup {
        ByGroup {
            unemployed: counts[0],
            employed: counts[1],
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sustained {
    pub w13: ByGroup,
    pub w26: ByGroup,
    pub w52: ByGroup,
}

/// CASE-2 and CASE-3.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caseload {
    pub date: Day,
    pub active: u32,
    pub open: u32,
    pub on_hold: u32,
    pub waiting_list: u32,
    pub carried_over: u32,
    pub active_per_fte: Option<f64>,
}

impl Caseload {
    /// CASE-4 *(rev. 2)*: this caseload of ES `staff` against the policy's
    /// band and fidelity limit per FTE; `None` when the ES is not in post on
    /// the caseload day (CASE-2: no FTE).
    pub fn standing(&self, staff: &Staff, policy: &Policy) -> Option<CaseloadStanding> {
        if staff.role != Role::Es || !staff.in_post_on(self.date) {
            return None;
        }
        caseload_standing(self.open, self.active, staff.fte, policy)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub numerator: u32,
    pub denominator: u32,
    pub value: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SustainmentRate {
    pub numerator: u32,
    pub denominator: u32,
    pub pending: u32,
    pub value: Option<f64>,
}

/// A KPI block: the figures of an ES, a team or the service.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub referrals: ByGroup,
    pub access: ByGroup,
    pub people_into_work: ByGroup,
    pub job_starts: ByGroup,
    pub sustained: Sustained,
    pub caseload: Caseload,
    pub job_outcome_rate: Rate,
    pub sustainment_rate_13w: SustainmentRate,
    pub working_rate: Rate,
    pub fidelity_caseload_score: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamKpis {
    pub id: String,
    #[serde(flatten)]
    pub kpis: Kpis,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialistKpis {
    pub id: String,
    pub team: String,
    #[serde(flatten)]
    pub kpis: Kpis,
    pub targets: Targets,
}

/// An ES's performance-plan targets for the period (TGT-1..3).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Targets {
    pub year: u8,
    pub access: f64,
    pub access_to_date: f64,
    pub people_into_work: f64,
    /// TGT-2 to the as-of date: the figure the `on_track` status of people
    /// into work is judged by. Not part of `ipstrack-report/1` (the
    /// performance-plan page shows it).
    #[serde(skip)]
    pub people_into_work_to_date: f64,
    pub job_outcome_rate: f64,
    pub sustainment_rate_13w: f64,
    pub status: TargetStatus,
    /// *(rev. 3, TGT-3)* The ES's two rates over the financial year to
    /// date, which the rates' statuses judge; `None` (null) for a period
    /// that is exactly one financial year.
    pub year_to_date: Option<YearToDate>,
}

/// TGT-3 *(rev. 3)*: an ES's rates over the financial year to date: from
/// the first day of the financial year containing the period's last day to
/// that day, as of the report's as-of date.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearToDate {
    /// Labelled `START..END` always.
    pub period: PeriodOut,
    pub job_outcome_rate: Rate,
    pub sustainment_rate_13w: SustainmentRate,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetStatus {
    pub access: Option<Status>,
    pub people_into_work: Option<Status>,
    pub job_outcome_rate: Option<Status>,
    pub sustainment_rate_13w: Option<Status>,
}

/// The days a report looks at (T-3).
#[derive(Clone, Copy, Debug)]
struct Window {
    period: DayRange,
    as_of: Day,
    /// Events are counted in the period only up to the as-of date.
    counted: DayRange,
    /// Point-in-time figures are taken on min(as-of, period end).
    point: Day,
}

impl Window {
    /// The days of `period` as known on `as_of` (not before its start).
    fn new(period: &Period, as_of: Day) -> Window {
        Window {
            period: period.days(),
            as_of,
            counted: DayRange::new(period.start, period.end.min(as_of)),
            point: period.end.min(as_of),
        }
    }
}

/// the ES assigned to the referral on `day` (transfers known on `as_of`).
pub fn assigned_on(r: &Referral, day: Day, as_of: Day) -> Option<StaffIdx> {
    let mut es = r.es;
    let mut latest: Option<Day> = None;
    for t in &r.transfers {
        if t.date <= day && t.date <= as_of && latest.is_none_or(|d| t.date >= d) {
            es = Some(t.es);
            latest = Some(t.date);
        }
    }
    es
}

/// Makes the report of `period` as known on `as_of` (T-3).
/// R-2 for a return's "not allocated to a team" row: the figures of what no
/// ES held on the day it counts (an unallocated referral's referral, access,
/// job starts, people and caseload), counted in the service but in no team.
/// Counts of referrals, job starts and caseload add up: the teams' and this
/// make the service's. People are counted distinct within each, so a person
/// of two teams is one in the service and one in each team.
pub fn unallocated(data: &Dataset, period: &Period, as_of: Day) -> Result<Kpis, ReportError> {
    if as_of < period.start {
        return Err(ReportError::AsOfBeforePeriod {
            as_of,
            start: period.start,
        });
    }
    let w = Window::new(period, as_of);
    let (ledger, _, _, _) = tally(data, &w);
    let people = ledger.count_unallocated_people();
    Ok(kpis(&ledger.unallocated, &people, w.point, 0, None))
}

pub fn report(
    data: &Dataset,
    warnings: &[Warning],
    period: &Period,
    as_of: Day,
) -> Result<Report, ReportError> {
    if as_of < period.start {
        return Err(ReportError::AsOfBeforePeriod {
            as_of,
            start: period.start,
        });
    }
    let w = Window::new(period, as_of);
    let (ledger, es_people, team_people, service_people) = tally(data, &w);
    let mut years_to_date = years_to_date(data, period, as_of);
    let policy = &data.policy;

    // FTE in post on the point day (CASE-2).
    let is_es = |i: usize| data.staff[i].role == Role::Es;
    let fte_on_point = |i: usize| {
        let s = &data.staff[i];
        if is_es(i) && s.in_post_on(w.point) {
            u64::from(s.fte.0)
        } else {
            0
        }
    };
    let mut team_fte = vec![0_u64; data.teams.len()];
    for i in 0..data.staff.len() {
        team_fte[data.staff[i].team as usize] += fte_on_point(i);
    }

    let mut specialists: Vec<SpecialistKpis> = (0..data.staff.len())
        .filter(|&i| is_es(i))
        .filter(|&i| {
            let s = &data.staff[i];
            s.start_date <= period.end && s.end_date.is_none_or(|e| e >= period.start)
        })
        .map(|i| {
            let s = &data.staff[i];
            let fte = fte_on_point(i);
            let t = &ledger.es[i];
            let score = fidelity_caseload_score(t.active, Fte(fte as u32), policy);
            let kpis = kpis(t, &es_people[i], w.point, fte, score);
            let year_to_date = years_to_date.as_mut().map(|y| y[i].clone());
            let targets = targets(data, i, &kpis, period, &w, year_to_date);
            SpecialistKpis {
                id: s.id.clone(),
                team: data.teams[s.team as usize].id.clone(),
                kpis,
                targets,
            }
        })
        .collect();
    specialists.sort_by(|a, b| a.id.cmp(&b.id));

    let mut teams: Vec<TeamKpis> = data
        .teams
        .iter()
        .enumerate()
        .map(|(i, team)| TeamKpis {
            id: team.id.clone(),
            kpis: kpis(
                &ledger.teams[i],
                &team_people[i],
                w.point,
                team_fte[i],
                None,
            ),
        })
        .collect();
    teams.sort_by(|a, b| a.id.cmp(&b.id));

    let service = kpis(
        &ledger.service,
        &service_people,
        w.point,
        team_fte.iter().sum(),
        None,
    );
    let mut warnings = warnings.to_vec();
    warnings.sort();
    Ok(Report {
        format: REPORT_FORMAT,
        period: PeriodOut {
            start: period.start,
            end: period.end,
            label: period.label.clone(),
        },
        as_of,
        service,
        teams,
        specialists,
        warnings,
    })
}
