//! FIDR-15, FIDR-16: the items issue 26's new records speak to — competitive
//! jobs (a job paid at least the minimum wage and open to anyone) and
//! community-based services (where contacts were held).

use super::evidence::{Evidence, ReviewScope, Source, in_scope, job_starts};
use super::scale::ItemId;
use crate::attribution::assigned_on;
use crate::model::{ContactKind, Dataset};
use crate::time::{Day, DayRange};

/// FIDR-15: of the job starts on the days (not jobs held at referral)
/// credited to an ES of the scope on the start, the share that are
/// competitive among those whose answer is known (core's
/// `Job::competitive`); jobs not known are counted apart, not guessed.
pub(super) fn competitive_jobs(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> Evidence {
    let (mut competitive, mut known, mut jobs) = (0u32, 0u32, 0u32);
    for job in job_starts(data, scope, days, as_of) {
        jobs += 1;
        if let Some(yes) = job.competitive() {
            known += 1;
            competitive += u32::from(yes);
        }
    }
    let item = ItemId::CompetitiveJobs;
    if known == 0 {
        return Evidence {
            records: jobs,
            ..Evidence::without(
                item,
                Source::Records,
                &format!(
                    "{jobs} job starts in the period; none says whether it pays at least the minimum wage and is open to anyone (record both on each job)."
                ),
            )
        };
    }
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "{competitive} of {known} job starts whose answers are recorded are competitive ({share:.0}%: at least the minimum wage, open to anyone); {unknown} not recorded, left out.",
            share = f64::from(competitive) * 100.0 / f64::from(known),
            unknown = jobs - known
        ),
        figure: Some(f64::from(competitive) / f64::from(known)),
        records: known,
        suggested: Some(competitive_jobs_score(competitive, known)),
    }
}

/// FIDR-15: 95% or more competitive 5, 85% 4, 75% 3, 65% 2, less 1
/// (compared exactly: 94.9% is 4).
pub fn competitive_jobs_score(competitive: u32, known: u32) -> u8 {
    let at_least = |p: u64| u64::from(competitive) * 100 >= p * u64::from(known);
    if at_least(95) {
        5
    } else if at_least(85) {
        4
    } else if at_least(75) {
        3
    } else if at_least(65) {
        2
    } else {
        1
    }
}

/// FIDR-16: of the two-way contacts on the days held by an ES of the scope
/// (R-2 on the contact's day) whose place is recorded, the share held in
/// the community, at home or at work (`ContactLocation::in_the_community`)
/// — contacts standing for the scale's scheduled time.
pub(super) fn community_based(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> Evidence {
    let (mut out, mut placed, mut contacts) = (0u32, 0u32, 0u32);
    for (_, r) in data.counted_referrals() {
        for c in r.contacts.iter().filter(|c| {
            c.kind != ContactKind::AssertiveEngagement && days.contains(c.date) && c.date <= as_of
        }) {
            if !in_scope(data, scope, assigned_on(r, c.date, as_of)) {
                continue;
            }
            contacts += 1;
            if let Some(place) = c.location {
                placed += 1;
                out += u32::from(place.in_the_community());
            }
        }
    }
    let item = ItemId::CommunityBasedServices;
    if placed == 0 {
        return Evidence {
            records: contacts,
            ..Evidence::without(
                item,
                Source::Records,
                &format!(
                    "{contacts} contacts in the period; none records where it was held (record the place on each contact)."
                ),
            )
        };
    }
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "{out} of {placed} contacts whose place is recorded were held in the community, at home or at work ({share:.0}%); {unplaced} without a place left out. Contacts stand for the scale's scheduled time.",
            share = f64::from(out) * 100.0 / f64::from(placed),
            unplaced = contacts - placed
        ),
        figure: Some(f64::from(out) / f64::from(placed)),
        records: placed,
        suggested: Some(community_based_score(out, placed)),
    }
}

/// FIDR-16: 65% or more in the community 5, 50% 4, 40% 3, more than 30% 2,
/// 30% or less 1 (compared exactly).
pub fn community_based_score(out: u32, placed: u32) -> u8 {
    let at_least = |p: u64| u64::from(out) * 100 >= p * u64::from(placed);
    if at_least(65) {
        5
    } else if at_least(50) {
        4
    } else if at_least(40) {
        3
    } else if u64::from(out) * 100 > 30 * u64::from(placed) {
        2
    } else {
        1
    }
}
