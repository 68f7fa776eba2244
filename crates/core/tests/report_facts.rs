//! Issue 25: a report added up from kept per-referral facts
//! ([`report_from_facts`]) equals the report made whole, field by field —
//! from facts derived afresh, and from facts carried over a change with only
//! the changed referrals derived again.

use ipstrack_core::report::{ReportFacts, report_and_unallocated, report_from_facts};
use ipstrack_core::{Dataset, Day, Period};
use proptest::prelude::*;

mod example_bundles;
mod random_service;

use example_bundles::{bundles, windows};

fn same_as_whole(name: &str, data: &Dataset, facts: &ReportFacts) {
    let (period, as_of) = facts.window();
    let made = report_from_facts(data, &[], facts);
    let whole = report_and_unallocated(data, &[], period, as_of).unwrap();
    assert_eq!(made, whole, "{name}, {} as of {as_of}", period.label);
}

#[test]
fn a_report_from_facts_equals_the_whole_report_on_every_example() {
    for (name, data) in bundles() {
        for (period, as_of) in windows() {
            same_as_whole(
                &name,
                &data,
                &ReportFacts::new(&data, &period, as_of).unwrap(),
            );
        }
    }
}

#[test]
fn facts_are_refused_before_their_period_as_a_report_is() {
    let (_, data) = bundles().remove(0);
    let period = Period::parse("2024/25-Q3").unwrap();
    let as_of = period.start.plus(-1);
    assert_eq!(
        ReportFacts::new(&data, &period, as_of).unwrap_err(),
        report_and_unallocated(&data, &[], &period, as_of).unwrap_err()
    );
}

/// A quarter's facts as of a day before its financial year began (TGT-3's
/// year to date is then empty) add up as the whole report does.
#[test]
fn facts_of_a_quarter_known_before_its_year_began_add_up_as_the_whole() {
    for (name, data) in bundles() {
        let period = Period::range(
            Day::parse("2024-03-01").unwrap(),
            Day::parse("2024-06-30").unwrap(),
        );
        let as_of = Day::parse("2024-03-20").unwrap();
        same_as_whole(
            &name,
            &data,
            &ReportFacts::new(&data, &period, as_of).unwrap(),
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_report_from_facts_equals_the_whole_report_on_random_services(
        (data, period, as_of) in random_service::data_and_window(),
    ) {
        same_as_whole("random", &data, &ReportFacts::new(&data, &period, as_of).unwrap());
    }

    /// Facts carried over a change — a referral's client, holder, jobs,
    /// discharge, its being entered in error, or a referral added — with
    /// only that referral derived again, add up as the changed data's
    /// whole report.
    #[test]
    fn facts_carried_over_a_change_equal_the_whole_report_of_the_changed_data(
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        change in 0..random_service::CHANGES,
        label in prop::sample::select(vec!["2024/25", "2024/25-Q3"]),
        offset in 0..420_i32,
    ) {
        let Some((before, after, changed)) = random_service::one_change(seed, pick, change) else {
            return Ok(());
        };
        let period = Period::parse(label).unwrap();
        let as_of = period.start.plus(offset);
        let kept = ReportFacts::new(&before, &period, as_of).unwrap();
        same_as_whole("random, changed", &after, &kept.with_changed(&after, &[changed]));
    }
}
