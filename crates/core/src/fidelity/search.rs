//! FIDR-3..5: caseload size, rapid job search and employer contacts, from
//! the caseloads, accesses and employer contacts of a scope's ES.

use super::evidence::{
    Evidence, ReviewScope, Source, accessed, employer_contact_score, in_scope,
    rapid_job_search_score, specialists,
};
use super::scale::ItemId;
use crate::attribution::assigned_on;
use crate::caseload::{es_caseload, status_on};
use crate::model::{ClientIdx, Dataset, EmployerContactKind, Fte};
use crate::standards::first_employer_contact;
use crate::targets::{Exact, fidelity_caseload_score};
use crate::time::{Day, DayRange};

/// FIDR-3: active clients per FTE of each ES in post on `day`, rounded up
/// (FID-1); the suggestion reads the largest, the scale's "maximum active
/// caseload for any full-time ES".
pub(super) fn caseload_size(data: &Dataset, scope: ReviewScope, day: Day) -> Evidence {
    // Each ES's active caseload on the day (CASE-1, R-2), in one pass over
    // the referrals (the counts `caseload::es_caseload` gives each ES).
    let mut active_of = vec![0u32; data.staff.len()];
    for (_, r) in data.counted_referrals() {
        if r.received > day {
            continue;
        }
        if let Some(es) = assigned_on(r, day, day).filter(|es| in_scope(data, scope, Some(*es)))
            && status_on(r, day, &data.policy).active
        {
            active_of[es.index()] += 1;
        }
    }
    let mut per_fte: Vec<u64> = Vec::new();
    let (mut active, mut fte) = (0u32, 0u64);
    let mut largest: Option<(u64, u8)> = None;
    for es in specialists(data, scope) {
        let staff = data.staff_member(es);
        if !staff.in_post_on(day) || staff.fte.0 == 0 {
            continue;
        }
        let count = active_of[es.index()];
        debug_assert_eq!(count, es_caseload(data, es, day).active);
        let rounded = (u64::from(count) * u64::from(Fte::FULL.0)).div_ceil(u64::from(staff.fte.0));
        let score = fidelity_caseload_score(count, staff.fte, &data.policy).expect("in post");
        if largest.is_none_or(|(n, _)| rounded > n) {
            largest = Some((rounded, score));
        }
        per_fte.push(rounded);
        active += count;
        fte += u64::from(staff.fte.0);
    }
    let item = ItemId::CaseloadSize;
    let Some((most, score)) = largest else {
        return Evidence::without(
            item,
            Source::Records,
            "No ES in post on the period's last day.",
        );
    };
    let mean = f64::from(active) * f64::from(Fte::FULL.0) / fte as f64;
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "On the period's last day the largest active caseload is {most} per full-time ES ({n} ES in post, {active} active clients, {mean:.1} per FTE across them).",
            n = per_fte.len()
        ),
        figure: Some(most as f64),
        records: active,
        suggested: Some(score),
    }
}

/// FIDR-4: days from access to the first employer contact naming the
/// client, for referrals accessed on the days by an ES of the scope.
pub(super) fn rapid_job_search(
    data: &Dataset,
    scope: ReviewScope,
    days: DayRange,
    as_of: Day,
) -> Evidence {
    let limit = data.policy.rapid_search_days;
    // Each client's employer contacts by day, sorted once (ENG-4's first
    // contact is then a search, not a reading of every contact).
    let mut named: Vec<(ClientIdx, Day)> = data
        .employer_contacts
        .iter()
        .filter_map(|e| e.client.map(|c| (c, e.date)))
        .collect();
    named.sort_unstable();
    let first_contact = |client: ClientIdx, access: Day| {
        let at = named.partition_point(|&(c, d)| (c, d) < (client, access));
        named
            .get(at)
            .filter(|&&(c, d)| c == client && d <= as_of)
            .map(|&(_, d)| d)
    };
    let (mut waits, mut none_yet, mut pending) = (Vec::new(), 0u32, 0u32);
    for (r, access) in accessed(data, scope, days, as_of) {
        // ENG-4 (`standards::first_employer_contact`), from the index.
        debug_assert_eq!(
            first_contact(r.client, access),
            first_employer_contact(data, r, as_of)
        );
        match first_contact(r.client, access) {
            Some(first) => waits.push(first.since(access).max(0) as u32),
            // No contact yet and already late: counted at the days so far.
            None if as_of.since(access) > limit => {
                none_yet += 1;
                waits.push(as_of.since(access) as u32);
            }
            None => pending += 1,
        }
    }
    let item = ItemId::RapidJobSearch;
    if waits.is_empty() {
        return Evidence {
            records: pending,
            ..Evidence::without(
                item,
                Source::Records,
                &format!(
                    "No client accessed in the period can be judged yet ({pending} still within {limit} days)."
                ),
            )
        };
    }
    waits.sort_unstable();
    let n = waits.len() as u32;
    let total: u64 = waits.iter().map(|w| u64::from(*w)).sum();
    let mean_up = total.div_ceil(u64::from(n)) as u32;
    let within = waits.iter().filter(|w| **w <= limit as u32).count() as u32;
    let median = if n % 2 == 1 {
        f64::from(waits[(n / 2) as usize])
    } else {
        f64::from(waits[(n / 2 - 1) as usize] + waits[(n / 2) as usize]) / 2.0
    };
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "{within} of {n} clients accessed in the period ({share:.0}%) had a first employer contact within {limit} days; mean {mean:.1} days, median {median} days ({none_yet} with none yet counted at their days so far; {pending} still within {limit} days left out).",
            share = f64::from(within) * 100.0 / f64::from(n),
            mean = total as f64 / f64::from(n),
        ),
        figure: Some(total as f64 / f64::from(n)),
        records: n,
        suggested: Some(rapid_job_search_score(mean_up)),
    }
}

/// FIDR-5: visits (face-to-face employer contacts) by the scope's ES on
/// the days, per full-time ES week in post (FTE × days in post ÷ 7).
pub(super) fn employer_contacts(data: &Dataset, scope: ReviewScope, days: DayRange) -> Evidence {
    let mut fte_days = 0u64;
    let mut es_count = 0u32;
    for es in specialists(data, scope) {
        let staff = data.staff_member(es);
        let in_post = days.intersect(DayRange::new(
            staff.start_date,
            staff.end_date.unwrap_or(days.end),
        ));
        if in_post.is_empty() || staff.fte.0 == 0 {
            continue;
        }
        es_count += 1;
        fte_days += u64::from(staff.fte.0) * in_post.len() as u64;
    }
    let visits = data
        .employer_contacts
        .iter()
        .filter(|e| {
            e.kind == EmployerContactKind::Visit
                && days.contains(e.date)
                && in_scope(data, scope, Some(e.es))
        })
        .count() as u32;
    let item = ItemId::JobDevelopmentFrequentContact;
    if fte_days == 0 {
        return Evidence::without(item, Source::Records, "No ES in post in the period.");
    }
    // visits ÷ (fte_days ÷ FULL ÷ 7)
    let per_week = Exact::new(
        i128::from(visits) * 7 * i128::from(Fte::FULL.0),
        i128::from(fte_days),
    );
    let value = *per_week.numer() as f64 / *per_week.denom() as f64;
    let weeks = fte_days as f64 / f64::from(Fte::FULL.0) / 7.0;
    Evidence {
        item,
        source: Source::Records,
        words: format!(
            "{visits} face-to-face employer contacts (visits) by {es_count} ES over {weeks:.1} full-time weeks in post: {value:.1} a week per full-time ES."
        ),
        figure: Some(value),
        records: visits,
        suggested: Some(employer_contact_score(per_week)),
    }
}
