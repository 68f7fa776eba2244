//! TGT-1..3: an ES's targets and their statuses.

use super::figures::{Kpis, PeriodOut, TargetStatus, Targets, YearToDate};
use super::ledger::{PEOPLE_SLOTS, Tallied, Tally, Window, kpis};
use crate::model::Dataset;
use crate::policy::basis_to_f64;
use crate::targets::{
    Exact, PlanYears, access_target, count_status, rate, rate_status, round_target, share_of,
};
use crate::time::{Day, DayRange, Period, financial_year_range};

/// TGT-1..3 for one ES.
pub(super) fn targets(
    data: &Dataset,
    es: usize,
    kpis: &Kpis,
    period: &Period,
    w: &Window,
    year_to_date: Option<YearToDate>,
) -> Targets {
    let policy = &data.policy;
    let staff = &data.staff[es];
    let start = data.service.start_date;
    let access = access_target(staff, start, policy, w.period);
    let access_to_date = access_to_date(data, es, period, w);
    let into_work = share_of(access, policy.job_outcome_rate_target);
    let into_work_to_date = share_of(access_to_date, policy.job_outcome_rate_target);
    // TGT-3 (rev. 3): the rates' statuses judge the financial year to date
    // when the period is not one whole financial year.
    let (outcome_rate, sustainment_rate) = match &year_to_date {
        Some(y) => (&y.job_outcome_rate, &y.sustainment_rate_13w),
        None => (&kpis.job_outcome_rate, &kpis.sustainment_rate_13w),
    };
    Targets {
        year: PlanYears::new(staff, start, policy).year_on(period.end),
        access: round_target(access),
        access_to_date: round_target(access_to_date),
        people_into_work: round_target(into_work),
        people_into_work_to_date: round_target(into_work_to_date),
        job_outcome_rate: basis_to_f64(policy.job_outcome_rate_target),
        sustainment_rate_13w: basis_to_f64(policy.sustainment_rate_target),
        status: TargetStatus {
            access: Some(count_status(
                kpis.access.unemployed,
                round_target(access),
                round_target(access_to_date),
            )),
            people_into_work: Some(count_status(
                kpis.people_into_work.unemployed,
                round_target(into_work),
                round_target(into_work_to_date),
            )),
            job_outcome_rate: rate_status(
                rate(outcome_rate.numerator, outcome_rate.denominator),
                policy.job_outcome_rate_target,
            ),
            sustainment_rate_13w: rate_status(
                rate(sustainment_rate.numerator, sustainment_rate.denominator),
                policy.sustainment_rate_target,
            ),
        },
        year_to_date,
    }
}

/// TGT-1: the access target of ES `es` over `period` to the as-of date of
/// window `w` (its `access_to_date` before rounding).
pub(super) fn access_to_date(data: &Dataset, es: usize, period: &Period, w: &Window) -> Exact {
    access_target(
        &data.staff[es],
        data.service.start_date,
        &data.policy,
        DayRange::new(period.start, period.end.min(w.as_of)),
    )
}

/// TGT-3 *(rev. 3)*: the days whose rates the statuses judge for `period`:
/// `None` for exactly one financial year, else from the first day of the
/// financial year containing the period's last day to that day.
pub fn year_to_date_period(period: &Period) -> Option<Period> {
    let fy = financial_year_range(period.end.financial_year());
    let whole_year = period.start == fy.start && period.end == fy.end;
    (!whole_year).then(|| Period::range(fy.start, period.end))
}

/// TGT-3 *(rev. 3)*: every staff member's two rates over the financial year
/// to date of `period` as known on `as_of`, from the ledger `tallied` makes
/// over its window (indexed like `data.staff`), or
/// `None` for a whole financial year. Before the year's first day the
/// rates are 0/0.
pub(super) fn years_to_date<'a>(
    data: &'a Dataset,
    period: &Period,
    as_of: Day,
    tallied: impl FnOnce(&Window) -> Tallied<'a>,
) -> Option<Vec<YearToDate>> {
    let ytd = year_to_date_period(period)?;
    let out = PeriodOut {
        start: ytd.start,
        end: ytd.end,
        label: ytd.label.clone(),
    };
    let empty = Tally::default();
    let nobody = [0; PEOPLE_SLOTS];
    let rates = |t: &Tally, people: &[u32; PEOPLE_SLOTS]| {
        let k = kpis(t, people, ytd.end, 0, None);
        YearToDate {
            period: out.clone(),
            job_outcome_rate: k.job_outcome_rate,
            sustainment_rate_13w: k.sustainment_rate_13w,
        }
    };
    if as_of < ytd.start {
        return Some(data.staff.iter().map(|_| rates(&empty, &nobody)).collect());
    }
    let w = Window::new(&ytd, as_of);
    let (ledger, es_people, _, _) = tallied(&w);
    Some(
        ledger
            .es
            .iter()
            .zip(&es_people)
            .map(|(t, people)| rates(t, people))
            .collect(),
    )
}
