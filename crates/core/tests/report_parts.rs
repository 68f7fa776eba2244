//! Issue 25: a team's or an ES's report made from their referrals alone
//! ([`report_of_part`]) equals, field by field, what the whole service's
//! report gives that team and its ES — on every worked example, for each of
//! its periods and as-of dates, and on random services (proptest).

use ipstrack_core::model::{StaffIdx, TeamIdx};
use ipstrack_core::report::{
    Part, PartReport, Report, parts_reading_client, report_and_unallocated, report_of_part,
    unallocated,
};
use ipstrack_core::{Dataset, Day, Period, read_bundle, report};
use proptest::prelude::*;

mod example_bundles;
mod random_service;

use example_bundles::{bundles, windows};

/// The whole report's blocks of `part`, as a part's report holds them.
fn whole_of(data: &Dataset, whole: &Report, part: Part) -> PartReport {
    let in_part = |id: &str| {
        data.staff
            .iter()
            .position(|s| s.id == id)
            .is_some_and(|i| part.covers(data, StaffIdx::at(i)))
    };
    PartReport {
        part,
        period: whole.period.clone(),
        as_of: whole.as_of,
        teams: whole
            .teams
            .iter()
            .filter(|t| {
                let i = data.teams.iter().position(|x| x.id == t.id).unwrap();
                part.covers_team(TeamIdx::at(i))
            })
            .cloned()
            .collect(),
        specialists: whole
            .specialists
            .iter()
            .filter(|s| in_part(&s.id))
            .cloned()
            .collect(),
    }
}

/// Every team and every staff member of `data` as a part, each compared
/// with the whole report of `period` as of `as_of`; the number compared.
fn compare_every_part(name: &str, data: &Dataset, period: &Period, as_of: Day) -> usize {
    let whole = report(data, &[], period, as_of).unwrap();
    let parts = (0..data.teams.len())
        .map(|i| Part::Team(TeamIdx::at(i)))
        .chain((0..data.staff.len()).map(|i| Part::Specialist(StaffIdx::at(i))));
    let mut compared = 0;
    for part in parts {
        let referrals = part.referrals(data);
        let made = report_of_part(data, period, as_of, &referrals).unwrap();
        assert_eq!(
            made,
            whole_of(data, &whole, part),
            "{name}, {} as of {as_of}, {part:?} ({} referrals read)",
            period.label,
            referrals.len()
        );
        compared += 1;
    }
    compared
}

#[test]
fn a_part_report_equals_the_whole_reports_blocks_on_every_example() {
    let mut compared = 0;
    for (name, data) in bundles() {
        for (period, as_of) in windows() {
            compared += compare_every_part(&name, &data, &period, as_of);
        }
    }
    assert!(compared > 500, "only {compared} parts compared");
}

/// the service page's report and its "not allocated" row come from one
/// tally, equal to each made alone.
#[test]
fn the_report_and_what_no_es_held_made_together_equal_each_made_alone() {
    for (name, data) in bundles() {
        for label in ["2024/25", "2024/25-Q3"] {
            let period = Period::parse(label).unwrap();
            let (whole, none) = report_and_unallocated(&data, &[], &period, period.end).unwrap();
            assert_eq!(
                whole,
                report(&data, &[], &period, period.end).unwrap(),
                "{name}"
            );
            assert_eq!(
                none,
                unallocated(&data, &period, period.end).unwrap(),
                "{name}"
            );
        }
    }
}

/// Issue 14's reasons behind a status, read from the ES's team's or own
/// referrals, are those read from the whole service's.
#[test]
fn why_behind_read_from_a_part_equals_it_read_from_the_whole_service() {
    use ipstrack_core::behind::{reasons, reasons_among};
    for (name, data) in bundles() {
        let period = Period::parse("2024/25").unwrap();
        for as_of in [period.start.plus(100), period.end] {
            let days = ipstrack_core::time::DayRange::new(period.start, as_of);
            for i in 0..data.staff.len() {
                let es = StaffIdx::at(i);
                let whole = reasons(&data, es, days, as_of);
                let team = Part::Team(data.staff_member(es).team).referrals(&data);
                let own = Part::Specialist(es).referrals(&data);
                assert_eq!(
                    reasons_among(&data, &team, es, days, as_of),
                    whole,
                    "{name}"
                );
                assert_eq!(reasons_among(&data, &own, es, days, as_of), whole, "{name}");
            }
        }
    }
}

#[test]
fn a_part_report_is_refused_before_its_period_as_the_whole_is() {
    let (_, data) = bundles().remove(0);
    let period = Period::parse("2024/25-Q3").unwrap();
    let referrals = Part::Team(TeamIdx::at(0)).referrals(&data);
    let as_of = period.start.plus(-1);
    assert_eq!(
        report_of_part(&data, &period, as_of, &referrals).unwrap_err(),
        report(&data, &[], &period, as_of).unwrap_err()
    );
}

#[test]
fn a_part_reads_only_referrals_its_staff_held_and_their_clients_others() {
    for (name, data) in bundles() {
        for t in 0..data.teams.len() {
            let part = Part::Team(TeamIdx::at(t));
            let all = data.counted_referrals().count();
            let read = part.referrals(&data).len();
            assert!(read <= all, "{name}");
            let held = data
                .counted_referrals()
                .filter(|(_, r)| {
                    r.es.into_iter()
                        .chain(r.transfers.iter().map(|x| x.es))
                        .any(|es| part.covers(&data, es))
                })
                .count();
            assert!(read >= held, "{name}: {read} read, {held} held");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random services: people with several referrals, transfers between
    /// ES of two teams, periods across financial years.
    #[test]
    fn a_part_report_equals_the_whole_reports_blocks_on_random_services(
        (data, period, as_of) in random_service::data_and_window(),
    ) {
        compare_every_part("random", &data, &period, as_of);
    }

    /// A change to one referral — its client, who holds it, its jobs, a
    /// discharge, its being entered in error, or a referral added — moves
    /// no part's figures but those `parts_reading_client` names for
    /// the data before it and after it (the caches a save keeps).
    #[test]
    fn a_change_to_a_referral_moves_only_the_parts_reading_its_client(
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        change in 0..random_service::CHANGES,
        offset in 0..420_i32,
    ) {
        let Some((before, after, at)) = random_service::one_change(seed, pick, change) else {
            return Ok(());
        };
        let mut moved = parts_reading_client(&after, after.referrals[at].client);
        if let Some(r) = before.referrals.get(at) {
            moved.extend(parts_reading_client(&before, r.client));
        }
        let period = Period::parse("2024/25").unwrap();
        let as_of = period.start.plus(offset);
        let parts = (0..before.teams.len())
            .map(|i| Part::Team(TeamIdx::at(i)))
            .chain((0..before.staff.len()).map(|i| Part::Specialist(StaffIdx::at(i))));
        for part in parts.filter(|p| !moved.contains(p)) {
            let then = report_of_part(&before, &period, as_of, &part.referrals(&before)).unwrap();
            let now = report_of_part(&after, &period, as_of, &part.referrals(&after)).unwrap();
            prop_assert_eq!(then, now, "{:?}", part);
        }
    }
}

/// `Dataset::referral_clients` (what finding a person's referrals reads)
/// stays each referral's client when a referral is put in: replaced with
/// another client, or added.
#[test]
fn a_referral_put_in_keeps_each_referrals_client_beside_it() {
    use ipstrack_core::bundle::referral_document;
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/examples/random-101.bundle.json"),
    )
    .unwrap();
    let loaded = read_bundle(&text).unwrap();
    let d = &loaded.dataset;
    let mut doc = referral_document(d, &d.referrals[0]);
    doc.client = d.clients.last().unwrap().id.clone();
    let moved = loaded.with_referral(None, &doc, 2).unwrap();
    doc.id = "added".into();
    let added = moved.with_referral(None, &doc, 1).unwrap();
    for l in [&loaded, &moved, &added] {
        let clients: Vec<_> = l.dataset.referrals.iter().map(|r| r.client).collect();
        assert_eq!(*l.dataset.referral_clients, clients);
    }
    let last = ipstrack_core::model::ClientIdx::at(d.clients.len() - 1);
    assert!(added.dataset.client_referrals(last).any(|(at, _)| at == 0));
}
