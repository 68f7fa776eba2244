//! Why an ES is behind (issue 14): the numbers beside each KPI with status
//! `behind` (TGT-3) that say what holds it back — for access, the referrals
//! waiting for a first meeting, the days since the last access and a
//! part-time or year-1 target; for the job outcome rate (RATE-1), the people
//! seeking work and how long they have been supported; for sustainment
//! (RATE-2), the runs that ended before 13 weeks. Facts about the ES's
//! caseload as assigned on the as-of date, not KPIs themselves.

use crate::attribution::assigned_on;
use crate::jobs::{milestone_day, outcomes, runs};
use crate::model::{Dataset, Group, Referral, StaffIdx};
use crate::report::PartReferrals;
use crate::time::{Day, DayRange};

/// The facts behind an ES's figures for a period, as known on the as-of date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reasons {
    /// Referrals held on the as-of date (received, not discharged) that have
    /// had no first meeting (no access) yet.
    pub awaiting_first_meeting: u32,
    /// The longest of those waits, in days since the referral was received.
    pub longest_wait_days: Option<i32>,
    /// Days from the ES's latest access (ACC-1, credited to the ES assigned
    /// on its day) to the as-of date.
    pub days_since_last_access: Option<i32>,
    /// Unemployed referrals held, accessed and not yet moved into work (no
    /// job outcome on the as-of date): the people still seeking work.
    pub seeking_work_not_in_work: u32,
    /// How long those people have been supported, in whole weeks since
    /// access: the middle value (median, the lower of the two middle ones).
    pub median_weeks_supported: Option<i32>,
    /// Runs of work (SUS-1) of unemployed referrals held, started in the
    /// period, that ended before reaching 13 weeks.
    pub runs_ended_before_13_weeks: u32,
}

/// The facts behind ES `es`'s figures over `days` as known on `as_of`.
pub fn reasons(data: &Dataset, es: StaffIdx, days: DayRange, as_of: Day) -> Reasons {
    reasons_in(
        data,
        data.counted_referrals().map(|(_, r)| r),
        es,
        days,
        as_of,
    )
}

/// [`reasons`] read from the referrals of a part that covers `es` (its
/// team's, or its own: [`crate::report::Part::referrals`]) rather than the whole service's.
pub fn reasons_among(
    data: &Dataset,
    among: &PartReferrals,
    es: StaffIdx,
    days: DayRange,
    as_of: Day,
) -> Reasons {
    assert!(
        among.part().covers(data, es),
        "the part's referrals hold every referral of its ES"
    );
    reasons_in(data, among.iter(data), es, days, as_of)
}

fn reasons_in<'a>(
    data: &'a Dataset,
    referrals: impl Iterator<Item = &'a Referral> + Clone,
    es: StaffIdx,
    days: DayRange,
    as_of: Day,
) -> Reasons {
    let policy = &data.policy;
    let mut out = Reasons::default();
    let mut weeks_supported = Vec::new();
    out.days_since_last_access = referrals
        .clone()
        .filter_map(|r| {
            r.access
                .filter(|a| *a <= as_of && assigned_on(r, *a, as_of) == Some(es))
        })
        .max()
        .map(|last| as_of.since(last));
    for r in referrals.filter(|r| {
        r.received <= as_of
            && r.discharge.as_ref().is_none_or(|d| d.date > as_of)
            && assigned_on(r, as_of, as_of) == Some(es)
    }) {
        match r.access.filter(|a| *a <= as_of) {
            None => {
                out.awaiting_first_meeting += 1;
                let wait = as_of.since(r.received);
                out.longest_wait_days = Some(out.longest_wait_days.map_or(wait, |w| w.max(wait)));
            }
            Some(access) => {
                let since = as_of.since(access);
                if r.status_at_referral != Group::Unemployed {
                    continue;
                }
                let found = outcomes(r, as_of, policy);
                if found.is_empty() {
                    out.seeking_work_not_in_work += 1;
                    weeks_supported.push(since / 7);
                }
                for run in runs(r, &found, as_of, policy) {
                    if days.contains(run.start)
                        && run.last_worked < as_of
                        && run.last_worked < milestone_day(run.start, 13)
                    {
                        out.runs_ended_before_13_weeks += 1;
                    }
                }
            }
        }
    }
    weeks_supported.sort_unstable();
    if !weeks_supported.is_empty() {
        out.median_weeks_supported = Some(weeks_supported[(weeks_supported.len() - 1) / 2]);
    }
    out
}
