//! Performance-plan targets (TGT-1..3) and the fidelity caseload score (FID-1).

use num_rational::Ratio;
use serde::Serialize;

use crate::model::{Fte, Staff};
use crate::policy::{Basis, Policy};
use crate::time::{Day, DayRange, financial_year_range};

/// An exact fraction, for targets summed day by day (T-0).
pub type Exact = Ratio<i128>;

/// The key dates of an ES's first year (TGT-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanYears {
    /// Year 1 starts on the later of the start in post and the service's start.
    pub year1_start: Day,
    /// First day after training (no target before it).
    pub training_end: Day,
    /// First day of year 2 (12 calendar months after year 1 starts).
    pub year2_start: Day,
}

impl PlanYears {
    pub fn new(es: &Staff, service_start: Day, policy: &Policy) -> PlanYears {
        let year1_start = es.start_date.max(service_start);
        PlanYears {
            year1_start,
            training_end: year1_start.plus_months(policy.training_months as i32),
            year2_start: year1_start.plus_months(12),
        }
    }

    /// The ES's year of the plan on `day`: 1 or 2 (2 meaning "year 2 on").
    pub fn year_on(&self, day: Day) -> u8 {
        if day < self.year2_start { 1 } else { 2 }
    }
}

/// TGT-1: the access target of an ES over the days of `range`, exactly.
pub fn access_target(es: &Staff, service_start: Day, policy: &Policy, range: DayRange) -> Exact {
    let years = PlanYears::new(es, service_start, policy);
    let in_post = DayRange::new(
        es.start_date.max(years.year1_start),
        es.end_date.unwrap_or(range.end),
    );
    let range = range.intersect(in_post);
    if range.is_empty() {
        return Exact::from_integer(0);
    }
    let mut total = Exact::from_integer(0);
    // Year 1 after training: the year-1 target accrues evenly per day.
    let year1 = DayRange::new(years.training_end, years.year2_start.plus(-1));
    let year1_days = year1.len();
    if year1_days > 0 {
        let days = range.intersect(year1).len();
        total += Exact::new(
            i128::from(policy.access_target_year1) * i128::from(days),
            i128::from(year1_days),
        );
    }
    // Year 2 on: the yearly target spread evenly over each financial year's days.
    let later = range.intersect(DayRange::new(years.year2_start, range.end));
    if !later.is_empty() {
        for fy in later.start.financial_year()..=later.end.financial_year() {
            let fy_range = financial_year_range(fy);
            let days = later.intersect(fy_range).len();
            total += Exact::new(
                i128::from(policy.access_target_year2) * i128::from(days),
                i128::from(fy_range.len()),
            );
        }
    }
    total * Exact::new(i128::from(es.fte.0), i128::from(Fte::FULL.0))
}

/// T-5: a target to one decimal place, half away from zero.
pub fn round_target(value: Exact) -> f64 {
    let tenths = (value * Exact::from_integer(10)).round().to_integer();
    tenths as f64 / 10.0
}

/// T-5: a rate `numerator / denominator` in ten-thousandths, half away from
/// zero; `None` when the denominator is 0.
pub fn rate(numerator: u32, denominator: u32) -> Option<Basis> {
    (denominator > 0).then(|| {
        Exact::new(i128::from(numerator) * 10_000, i128::from(denominator))
            .round()
            .to_integer() as Basis
    })
}

/// Scales an exact target by a share in ten-thousandths (TGT-2).
pub fn share_of(value: Exact, share: Basis) -> Exact {
    value * Exact::new(i128::from(share), 10_000)
}

/// TGT-3: how a figure stands against its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    OnTrack,
    Behind,
}

/// TGT-3 for counts: compared with the targets as reported (one decimal).
pub fn count_status(figure: u32, period_target: f64, target_to_date: f64) -> Status {
    let figure = f64::from(figure);
    if figure >= period_target {
        Status::Met
    } else if figure >= target_to_date {
        Status::OnTrack
    } else {
        Status::Behind
    }
}

/// TGT-3 for rates: compared as reported (four decimals); none without a rate.
pub fn rate_status(value: Option<Basis>, target: Basis) -> Option<Status> {
    value.map(|v| {
        if v >= target {
            Status::Met
        } else {
            Status::Behind
        }
    })
}

/// Where a caseload per FTE stands against the recommended band (CASE-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BandPosition {
    Below,
    Within,
    Above,
}

/// CASE-4 *(rev. 2)*: a caseload of `count` for `fte` against the recommended
/// band per FTE (inclusive), compared exactly (count ÷ FTE, no rounding).
/// `None` when the FTE is 0 (not in post).
pub fn band_position(count: u32, fte: Fte, band: (u32, u32)) -> Option<BandPosition> {
    if fte.0 == 0 {
        return None;
    }
    let scaled = u64::from(count) * u64::from(Fte::FULL.0);
    let at = |limit: u32| u64::from(limit) * u64::from(fte.0);
    Some(if scaled < at(band.0) {
        BandPosition::Below
    } else if scaled > at(band.1) {
        BandPosition::Above
    } else {
        BandPosition::Within
    })
}

/// A caseload per full-time equivalent in hundredths of a client (T-0):
/// `PerFte(2250)` is 22.5 per FTE. Shown with up to two decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PerFte(pub u32);

impl PerFte {
    /// `count` ÷ `fte`, rounded half away from zero to hundredths; `None`
    /// when the FTE is 0.
    pub fn of(count: u32, fte: Fte) -> Option<PerFte> {
        (fte.0 > 0).then(|| {
            let hundredths = Exact::new(
                i128::from(count) * 100 * i128::from(Fte::FULL.0),
                i128::from(fte.0),
            )
            .round();
            PerFte(hundredths.to_integer() as u32)
        })
    }

    pub fn to_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl std::fmt::Display for PerFte {
    /// `22.5`, `20`, `26.67`: no trailing zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, part) = (self.0 / 100, self.0 % 100);
        match part {
            0 => write!(f, "{whole}"),
            p if p % 10 == 0 => write!(f, "{whole}.{}", p / 10),
            p => write!(f, "{whole}.{p:02}"),
        }
    }
}

/// CASE-4 *(rev. 2)*: an ES's caseload on a day against the policy — open
/// caseload per FTE against the recommended band, active caseload per FTE
/// against the fidelity limit (FID-1: above it the score drops below 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseloadStanding {
    pub open: u32,
    pub active: u32,
    pub open_per_fte: PerFte,
    pub active_per_fte: PerFte,
    pub band: (u32, u32),
    pub band_position: BandPosition,
    pub fidelity_limit: u32,
    pub above_fidelity_limit: bool,
}

/// The standing of an open and active caseload for `fte`; `None` when the
/// FTE is 0 (an ES not in post on the day has no caseload per FTE, CASE-2).
pub fn caseload_standing(
    open: u32,
    active: u32,
    fte: Fte,
    policy: &Policy,
) -> Option<CaseloadStanding> {
    let band_position = band_position(open, fte, policy.caseload_band)?;
    let above_fidelity_limit = u64::from(active) * u64::from(Fte::FULL.0)
        > u64::from(policy.fidelity_caseload) * u64::from(fte.0);
    Some(CaseloadStanding {
        open,
        active,
        open_per_fte: PerFte::of(open, fte)?,
        active_per_fte: PerFte::of(active, fte)?,
        band: policy.caseload_band,
        band_position,
        fidelity_limit: policy.fidelity_caseload,
        above_fidelity_limit,
    })
}

/// FID-1: the fidelity scale's caseload item for an active caseload per FTE,
/// rounded up to a whole client. `None` when the FTE is 0.
pub fn fidelity_caseload_score(active: u32, fte: Fte, policy: &Policy) -> Option<u8> {
    if fte.0 == 0 {
        return None;
    }
    let per_fte = (u64::from(active) * u64::from(Fte::FULL.0)).div_ceil(u64::from(fte.0));
    Some(match per_fte {
        n if n <= u64::from(policy.fidelity_caseload) => 5,
        n if n <= 25 => 4,
        n if n <= 30 => 3,
        n if n <= 40 => 2,
        _ => 1,
    })
}

/// CASE-2: active ÷ FTE to two decimals; `None` when the FTE is 0.
pub fn per_fte(active: u32, fte: u64) -> Option<f64> {
    PerFte::of(active, Fte(u32::try_from(fte).unwrap_or(u32::MAX))).map(PerFte::to_f64)
}
