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

/// Where an active caseload stands against the recommended band (CASE-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BandPosition {
    Below,
    Within,
    Above,
}

/// CASE-4: an active caseload against the recommended band (inclusive).
pub fn band_position(active: u32, band: (u32, u32)) -> BandPosition {
    if active < band.0 {
        BandPosition::Below
    } else if active > band.1 {
        BandPosition::Above
    } else {
        BandPosition::Within
    }
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
    (fte > 0).then(|| {
        let hundredths = Exact::new(
            i128::from(active) * 100 * i128::from(Fte::FULL.0),
            i128::from(fte),
        )
        .round();
        hundredths.to_integer() as f64 / 100.0
    })
}
