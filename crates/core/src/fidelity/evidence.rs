//! FIDR-3..9: what an item's evidence is, the scope it is read for, and
//! the anchors read as numbers: the score a figure suggests. The figures
//! themselves are worked out in `search` (caseloads, rapid search, employer
//! contacts) and `in_work` (job starts, follow-along, outreach). Evidence
//! counts records; it never names a client.

use serde::Serialize;

use super::scale::ItemId;
use crate::attribution::assigned_on;
use crate::model::{Dataset, Job, Referral, Role, StaffIdx, TeamIdx};
use crate::targets::Exact;
use crate::time::{Day, DayRange, Period};

/// Whose evidence: the whole service, or one team (its ES as listed now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewScope {
    Service,
    Team(TeamIdx),
}

/// Where an item's score comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Today's records speak to it: a figure, and a suggestion when the
    /// anchors can be read from it.
    Records,
    /// It needs something ipstrack does not record yet (docs/fidelity.md).
    NotRecordedYet,
    /// The reviewers score it from what they see and hear.
    Reviewers,
}

/// One item's evidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    pub item: ItemId,
    pub source: Source,
    /// The figure in words (with its numbers), or why there is none.
    pub words: String,
    /// The item's main figure as a number (per FTE, days, contacts a week,
    /// a share from 0 to 1), when there is one.
    pub figure: Option<f64>,
    /// How many records it rests on (counts only).
    pub records: u32,
    /// The score the figure suggests, when the anchors can be read from it.
    pub suggested: Option<u8>,
}

impl Evidence {
    pub(super) fn without(item: ItemId, source: Source, words: &str) -> Evidence {
        Evidence {
            item,
            source,
            words: words.to_string(),
            figure: None,
            records: 0,
            suggested: None,
        }
    }
}

/// FIDR-4: rapid job search by the mean days from access to the first
/// employer contact, rounded up to a whole day.
pub fn rapid_job_search_score(mean_days: u32) -> u8 {
    match mean_days {
        0..=30 => 5,
        31..=60 => 4,
        61..=150 => 3,
        151..=270 => 2,
        _ => 1,
    }
}

/// FIDR-5: job development frequency by face-to-face employer contacts a
/// week per full-time ES, compared exactly (5.9 is not 6).
pub fn employer_contact_score(per_week: Exact) -> u8 {
    let at_least = |n: i128| per_week >= Exact::from_integer(n);
    if at_least(6) {
        5
    } else if at_least(5) {
        4
    } else if at_least(4) {
        3
    } else if at_least(2) {
        2
    } else {
        1
    }
}

/// FIDR-6: diversity by the share of jobs that are different (distinct ÷
/// jobs): 85% or more 5, 70% 4, 60% 3, 50% 2, less 1; `None` without jobs.
pub fn diversity_score(distinct: u32, jobs: u32) -> Option<u8> {
    if jobs == 0 {
        return None;
    }
    let percent_at_least = |p: u64| u64::from(distinct) * 100 >= p * u64::from(jobs);
    Some(if percent_at_least(85) {
        5
    } else if percent_at_least(70) {
        4
    } else if percent_at_least(60) {
        3
    } else if percent_at_least(50) {
        2
    } else {
        1
    })
}

/// FIDR-7: individualised follow-along by the share of people in work with
/// in-work support: under 40% 1 (most get none), under 60% 2 (about half),
/// else 3 (most); 4 and 5 turn on the kinds of support, the reviewers'.
pub fn individualised_follow_along_score(supported: u32, working: u32) -> Option<u8> {
    (working > 0).then(|| {
        let at_least = |p: u64| u64::from(supported) * 100 >= p * u64::from(working);
        if at_least(60) {
            3
        } else if at_least(40) {
            2
        } else {
            1
        }
    })
}

/// FIDR-8: time-unlimited follow-along by the share of people in work met
/// after their start: none 1, fewer than half 2, at least half 3; 4 and 5
/// turn on the timing of every contact, the reviewers'.
pub fn time_unlimited_follow_along_score(supported: u32, working: u32) -> Option<u8> {
    (working > 0).then(|| {
        if supported == 0 {
            1
        } else if u64::from(supported) * 2 < u64::from(working) {
            2
        } else {
            3
        }
    })
}

/// The days a review's evidence reads: the period up to the as-of date.
pub(super) fn days_of(period: &Period, as_of: Day) -> DayRange {
    DayRange::new(period.start, period.end.min(as_of))
}

/// Whether ES `es` belongs to the scope.
pub(super) fn in_scope(data: &Dataset, scope: ReviewScope, es: Option<StaffIdx>) -> bool {
    match (scope, es) {
        (_, None) => false,
        (ReviewScope::Service, Some(_)) => true,
        (ReviewScope::Team(team), Some(es)) => data.staff_member(es).team == team,
    }
}

/// FIDR-4, FIDR-17, FIDR-18: the referrals accessed on the days, each
/// credited to an ES of the scope on its access date, with that date.
pub(super) fn accessed(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> impl Iterator<Item = (&Referral, Day)> + '_ {
    data.counted_referrals().filter_map(move |(_, r)| {
        r.access
            .filter(|&a| days.contains(a) && in_scope(data, scope, assigned_on(r, a, as_of)))
            .map(|a| (r, a))
    })
}

/// FIDR-6, FIDR-15: the job starts on the days (not jobs held at
/// referral) of counted referrals, each credited to an ES of the scope on
/// its start.
pub(super) fn job_starts<'a>(
    data: &'a Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> impl Iterator<Item = &'a Job> + 'a {
    data.counted_referrals().flat_map(move |(_, r)| {
        r.jobs.iter().filter(move |j| {
            !j.retained
                && days.contains(j.start)
                && in_scope(data, scope, assigned_on(r, j.start, as_of))
        })
    })
}

/// The scope's ES (role `es`), in list order.
pub(super) fn specialists(
    data: &Dataset,
    scope: ReviewScope,
) -> impl Iterator<Item = StaffIdx> + '_ {
    (0..data.staff.len())
        .map(StaffIdx::at)
        .filter(move |i| data.staff_member(*i).role == Role::Es && in_scope(data, scope, Some(*i)))
}
