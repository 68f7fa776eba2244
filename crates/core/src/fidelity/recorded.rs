//! FIDR-15..18: the items issue 26's new records speak to — competitive
//! jobs (a job paid at least the minimum wage and open to anyone),
//! community-based services (where contacts were held), work incentives
//! planning (a better-off calculation offered) and disclosure (the person's
//! choice recorded).

use super::evidence::{Evidence, ReviewScope, Source, accessed, in_scope, job_starts};
use super::scale::ItemId;
use crate::attribution::assigned_on;
use crate::model::{ContactKind, Dataset, DisclosureChoice};
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

/// FIDR-17: of the people accessed on the days (as FIDR-4), the share
/// offered a better-off calculation by the as-of date; the words add how
/// many of those who started a job (not one held at referral) by then were
/// offered it on or before their first start.
pub(super) fn work_incentives(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> Evidence {
    let (mut offered, mut people, mut started, mut before_start) = (0u32, 0u32, 0u32, 0u32);
    for (r, _) in accessed(data, scope, days, as_of) {
        people += 1;
        let on = r.better_off_calculation.filter(|d| *d <= as_of);
        offered += u32::from(on.is_some());
        let first_start = r
            .jobs
            .iter()
            .filter(|j| !j.retained && j.start <= as_of)
            .map(|j| j.start)
            .min();
        if let Some(start) = first_start {
            started += 1;
            before_start += u32::from(on.is_some_and(|d| d <= start));
        }
    }
    let item = ItemId::WorkIncentivesPlanning;
    if people == 0 {
        return Evidence::without(
            item,
            Source::Records,
            "No one accessed the service in the period: nobody to have been offered a better-off calculation.",
        );
    }
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "{offered} of {people} people accessed in the period were offered a better-off calculation (benefits and work-incentive advice) by the as-of date ({share:.0}%); of the {started} who started a job, {before_start} were offered it by their start.",
            share = f64::from(offered) * 100.0 / f64::from(people),
        ),
        figure: Some(f64::from(offered) / f64::from(people)),
        records: people,
        suggested: work_incentives_score(offered, people),
    }
}

/// FIDR-17: the anchors read from the share offered a better-off
/// calculation — everyone 5, most (more than half) 4, some 3, nobody 1;
/// 2 ("referral elsewhere without follow-up") is the reviewers'. `None`
/// without people.
pub fn work_incentives_score(offered: u32, people: u32) -> Option<u8> {
    (people > 0).then(|| {
        if offered >= people {
            5
        } else if u64::from(offered) * 2 > u64::from(people) {
            4
        } else if offered > 0 {
            3
        } else {
            1
        }
    })
}

/// FIDR-18: of the people accessed on the days (as FIDR-4), the share whose
/// disclosure choice is recorded (discussed by the as-of date), with the
/// choices counted. A figure only: the anchors count the elements of the
/// ES's help with disclosure, which the reviewers see.
pub(super) fn disclosure(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> Evidence {
    let (mut people, mut full, mut partial, mut none) = (0u32, 0u32, 0u32, 0u32);
    for (r, _) in accessed(data, scope, days, as_of) {
        people += 1;
        match r.disclosure.filter(|d| d.on <= as_of).map(|d| d.choice) {
            Some(DisclosureChoice::Full) => full += 1,
            Some(DisclosureChoice::Partial) => partial += 1,
            Some(DisclosureChoice::NoDisclosure) => none += 1,
            None => {}
        }
    }
    let item = ItemId::Disclosure;
    if people == 0 {
        return Evidence::without(
            item,
            Source::Records,
            "No one accessed the service in the period: no disclosure choices to count.",
        );
    }
    let recorded = full + partial + none;
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "{recorded} of {people} people accessed in the period have their disclosure choice recorded ({share:.0}%): {full} to tell employers, {partial} to tell some things, {none} not to tell. The anchors count how ES help with disclosure: the reviewers score it.",
            share = f64::from(recorded) * 100.0 / f64::from(people),
        ),
        figure: Some(f64::from(recorded) / f64::from(people)),
        records: people,
        suggested: None,
    }
}
