//! The report as it is given (`ipstrack-report/1`, formats.md): its figures
//! for the service, each team and each ES, and each ES's targets.

use serde::Serialize;

use crate::bundle::Warning;
use crate::model::{Role, Staff};
use crate::policy::Policy;
use crate::targets::{CaseloadStanding, Status, caseload_standing};
use crate::time::{Day, Period};

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

impl PeriodOut {
    /// The period this is of.
    pub fn period(&self) -> Period {
        Period {
            start: self.start,
            end: self.end,
            label: self.label.clone(),
        }
    }
}

/// A count split by employment status at referral.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ByGroup {
    pub unemployed: u32,
    pub employed: u32,
}

impl ByGroup {
    pub(super) fn from(counts: [u32; 2]) -> ByGroup {
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
