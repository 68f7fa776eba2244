//! A part's trends (issue 25): what the team dashboard's and an ES's plan's
//! charts draw — month by month from the period's start, cumulative access
//! against the target to date and the active caseload per FTE; quarter by
//! quarter of the financial year, job starts and 13-week outcomes — made in
//! one pass over the part's referrals rather than one part report a month
//! and a quarter.
//!
//! Each month's figures are those of the period's start to the month's end
//! *as known at that end* (T-3), and each quarter's as known at its end (or
//! the as-of date inside it): a referral's facts differ from one window to
//! the next — who held it on a day counts transfers recorded by the
//! window's as-of date, its job outcomes and runs (JOB-5, SUS-3) end at
//! it, its access (ACC-2) counts only once recorded by it, its caseload
//! status (CASE-2) is taken on the window's last day. So each referral is
//! derived once per window, by the ledger's one `add_referral` (no rule is
//! written twice), into one ledger per window, all in the same walk over
//! the referrals; what goes is the separate reports (each reading every
//! referral again, making every ES's targets and year to date).

use rayon::prelude::*;

use super::chunks::CHUNK;
use super::figures::{ByGroup, Kpis, PeriodOut, ReportError};
use super::ledger::{Ledger, Tallied, Window, add_referral, kpis, settle};
use super::part::{Part, PartReferrals};
use super::targets::access_to_date;
use super::{es_fte_on, in_post_in, period_out, window};
use crate::jobs::Derivation;
use crate::model::{Dataset, Role, StaffIdx};
use crate::targets::round_target;
use crate::time::{Day, Period};

/// One month of a part's trends: the period's start to the month's end, as
/// known at that end.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthTrend {
    /// The month's last day (the as-of date, or the period's end, for the
    /// last month when earlier).
    pub end: Day,
    /// ACC-2: unemployed people whose first access fell from the period's
    /// start to `end` (the part's block's `access.unemployed`; 0 when the
    /// part has no block, an ES not in post).
    pub access: u32,
    /// TGT-1: the sum of the part's ES's access targets to `end` (each
    /// rounded as their report gives it), over the ES in post in the
    /// window, in order of id as the part's report lists them.
    pub access_target_to_date: f64,
    /// CASE-2: the active caseload per FTE in post on `end` (the block's
    /// `caseload.active_per_fte`; `None` without FTE or block).
    pub active_per_fte: Option<f64>,
}

/// One quarter of the financial year the period starts in, as known on its
/// end or the earlier as-of date.
#[derive(Clone, Debug, PartialEq)]
pub struct QuarterTrend {
    pub quarter: PeriodOut,
    /// The day its figures are known on: its end, or the earlier of the
    /// period's end and the as-of date.
    pub known: Day,
    /// JOB-5: job starts in the quarter (the block's `job_starts`).
    pub job_starts: ByGroup,
    /// SUS-3 *(rev. 2)*: people reaching 13 weeks in the quarter (the
    /// block's `sustained.w13`).
    pub sustained_13w: ByGroup,
}

/// A part's trends over a period as known on a day.
#[derive(Clone, Debug, PartialEq)]
pub struct PartTrends {
    pub part: Part,
    pub period: PeriodOut,
    pub as_of: Day,
    /// Each month end of `Period::month_ends`.
    pub months: Vec<MonthTrend>,
    /// Each quarter of `Period::quarters_to`.
    pub quarters: Vec<QuarterTrend>,
}

impl QuarterTrend {
    /// The as-of date inside the quarter when it is unfinished.
    pub fn to_date(&self) -> Option<Day> {
        (self.known < self.quarter.end).then_some(self.known)
    }
}

/// The trends of the part whose referrals are `referrals` (read from this
/// same `data`) over `period` as known on `as_of`: for each month end `e`
/// of the period the figures of [`super::report_of_part`] of
/// `Period::range(period.start, e)` as known on `e`, and for each quarter
/// those of the quarter as known on its day, equal to them — made from one
/// walk over the referrals, each referral derived for every window in it
/// (see the module's notes for why per window). Refused before the
/// period's start (T-3), as the reports are.
pub fn trends_of_part(
    data: &Dataset,
    period: &Period,
    as_of: Day,
    referrals: &PartReferrals,
) -> Result<PartTrends, ReportError> {
    window(period, as_of)?;
    let part = referrals.part();
    let months: Vec<(Period, Window)> = period
        .month_ends(as_of)
        .into_iter()
        .map(|end| {
            let p = Period::range(period.start, end);
            let w = Window::new(&p, end);
            (p, w)
        })
        .collect();
    let quarters: Vec<(Period, Window)> = period
        .quarters_to(as_of)
        .into_iter()
        .map(|(q, known)| {
            let w = Window::new(&q, known);
            (q, w)
        })
        .collect();
    let windows: Vec<Window> = months.iter().chain(&quarters).map(|(_, w)| *w).collect();
    let tallied = tally_windows(data, &referrals.at, &windows);
    let (month_tallies, quarter_tallies) = tallied.split_at(months.len());

    let months = months
        .iter()
        .zip(month_tallies)
        .map(|((p, w), t)| {
            let block = block_of(data, part, p, w, t);
            MonthTrend {
                end: w.as_of,
                access: block.as_ref().map_or(0, |k| k.access.unemployed),
                access_target_to_date: target_to_date(data, part, p, w),
                active_per_fte: block.and_then(|k| k.caseload.active_per_fte),
            }
        })
        .collect();
    let quarters = quarters
        .iter()
        .zip(quarter_tallies)
        .map(|((q, w), t)| {
            let block = block_of(data, part, q, w, t);
            QuarterTrend {
                quarter: period_out(q),
                known: w.as_of,
                job_starts: block.as_ref().map(|k| k.job_starts).unwrap_or_default(),
                sustained_13w: block.map(|k| k.sustained.w13).unwrap_or_default(),
            }
        })
        .collect();
    Ok(PartTrends {
        part,
        period: period_out(period),
        as_of,
        months,
        quarters,
    })
}

/// One walk over the referrals at positions `at`: each counted referral
/// (ERR-1) received by a window's as-of date added to that window's
/// ledger, for every window in turn; then each ledger's people counted
/// distinct (as a report's tally does). Chunks of the referrals on the
/// threads side by side, each with ledgers of its own, added together.
fn tally_windows<'a>(data: &'a Dataset, at: &[usize], windows: &[Window]) -> Vec<Tallied<'a>> {
    let fresh = || -> Vec<Ledger<'a>> { windows.iter().map(|_| Ledger::new(data)).collect() };
    let chunks: Vec<Vec<Ledger<'a>>> = at
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut ledgers = fresh();
            let mut room = Derivation::default();
            for &at in chunk {
                let r = data.referrals[at].as_ref();
                if !r.is_counted() {
                    continue;
                }
                for (ledger, w) in ledgers.iter_mut().zip(windows) {
                    if r.received <= w.as_of {
                        add_referral(ledger, &mut room, data, r, w);
                    }
                }
            }
            ledgers
        })
        .collect();
    let mut chunks = chunks.into_iter();
    let mut all = chunks.next().unwrap_or_else(fresh);
    for ledgers in chunks {
        for (mine, theirs) in all.iter_mut().zip(ledgers) {
            mine.merge(theirs);
        }
    }
    all.into_par_iter()
        .zip(windows.par_iter())
        .map(|(ledger, w)| settle(ledger, w))
        .collect()
}

/// The part's own block over `period` (window `w`): its team's, or its
/// one ES's when they are an ES in post in the period (else none), with
/// the FTE in post on the window's last day (CASE-2) — as the part's
/// report makes it.
fn block_of(
    data: &Dataset,
    part: Part,
    period: &Period,
    w: &Window,
    (ledger, es_people, team_people, _): &Tallied<'_>,
) -> Option<Kpis> {
    match part {
        Part::Team(team) => {
            let fte = (0..data.staff.len())
                .filter(|&i| data.staff[i].team == team)
                .map(|i| es_fte_on(data, i, w.point))
                .sum();
            let t = team.index();
            Some(kpis(&ledger.teams[t], &team_people[t], w.point, fte, None))
        }
        Part::Specialist(es) => {
            let i = es.index();
            let in_report = data.staff[i].role == Role::Es && in_post_in(data, i, period);
            in_report.then(|| {
                let fte = es_fte_on(data, i, w.point);
                kpis(&ledger.es[i], &es_people[i], w.point, fte, None)
            })
        }
    }
}

/// TGT-1: the part's ES's access targets to the window's as-of date, each
/// rounded, added in order of id (the part's report's ES: those in post in
/// the period).
fn target_to_date(data: &Dataset, part: Part, period: &Period, w: &Window) -> f64 {
    let mut es: Vec<usize> = (0..data.staff.len())
        .filter(|&i| data.staff[i].role == Role::Es && part.covers(data, StaffIdx::at(i)))
        .filter(|&i| in_post_in(data, i, period))
        .collect();
    es.sort_by(|&a, &b| data.staff[a].id.cmp(&data.staff[b].id));
    es.into_iter()
        .map(|i| round_target(access_to_date(data, i, period, w)))
        .sum()
}
