//! Issue 25: a part's trends made in one pass over its referrals
//! ([`trends_of_part`]) equal, field by field, the figures of one part
//! report a month end and a quarter ([`report_of_part`], each month as
//! known at its end, T-3) — on every worked example for each of its periods
//! and as-of dates, and on random services (proptest).

use ipstrack_core::model::{StaffIdx, TeamIdx};
use ipstrack_core::report::{
    Kpis, MonthTrend, Part, PartReport, PartTrends, QuarterTrend, report_of_part, trends_of_part,
};
use ipstrack_core::{Dataset, Day, Period};
use proptest::prelude::*;

mod example_bundles;
mod random_service;

use example_bundles::{bundles, windows};

/// A part's own block in its report: its team's, or its one ES's (as the
/// dashboard reads it).
fn block(r: &PartReport) -> Option<&Kpis> {
    match r.part {
        Part::Team(_) => r.teams.first().map(|t| &t.kpis),
        Part::Specialist(_) => r.specialists.first().map(|s| &s.kpis),
    }
}

/// The trends made the old way: one part report per month end and per
/// quarter.
fn trends_by_reports(data: &Dataset, period: &Period, as_of: Day, part: Part) -> PartTrends {
    let referrals = part.referrals(data);
    let months = period
        .month_ends(as_of)
        .into_iter()
        .map(|end| {
            let r =
                report_of_part(data, &Period::range(period.start, end), end, &referrals).unwrap();
            let k = block(&r);
            MonthTrend {
                end,
                access: k.map_or(0, |k| k.access.unemployed),
                access_target_to_date: r.specialists.iter().map(|s| s.targets.access_to_date).sum(),
                active_per_fte: k.and_then(|k| k.caseload.active_per_fte),
            }
        })
        .collect();
    let quarters = period
        .quarters_to(as_of)
        .into_iter()
        .map(|(q, known)| {
            let r = report_of_part(data, &q, known, &referrals).unwrap();
            let k = block(&r);
            QuarterTrend {
                quarter: r.period.clone(),
                known,
                job_starts: k.map(|k| k.job_starts).unwrap_or_default(),
                sustained_13w: k.map(|k| k.sustained.w13).unwrap_or_default(),
            }
        })
        .collect();
    let whole = report_of_part(data, period, as_of, &referrals).unwrap();
    PartTrends {
        part,
        period: whole.period,
        as_of,
        months,
        quarters,
    }
}

fn every_part(data: &Dataset) -> impl Iterator<Item = Part> {
    (0..data.teams.len())
        .map(|i| Part::Team(TeamIdx::at(i)))
        .chain((0..data.staff.len()).map(|i| Part::Specialist(StaffIdx::at(i))))
}

/// Every team and staff member of `data`, each part's trends compared
/// field by field with the reports'; the trends compared.
fn compare_every_part(name: &str, data: &Dataset, period: &Period, as_of: Day) -> Vec<PartTrends> {
    let mut compared = Vec::new();
    for part in every_part(data) {
        let made = trends_of_part(data, period, as_of, &part.referrals(data)).unwrap();
        let expected = trends_by_reports(data, period, as_of, part);
        let at = format!("{name}, {} as of {as_of}, {part:?}", period.label);
        assert_eq!(made.part, expected.part, "{at}");
        assert_eq!(made.period, expected.period, "{at}");
        assert_eq!(made.as_of, expected.as_of, "{at}");
        assert_eq!(made.months.len(), expected.months.len(), "{at}");
        for (m, e) in made.months.iter().zip(&expected.months) {
            let at = format!("{at}, month to {}", e.end);
            assert_eq!(m.end, e.end, "{at}");
            assert_eq!(m.access, e.access, "{at}: access");
            assert_eq!(
                m.access_target_to_date, e.access_target_to_date,
                "{at}: target"
            );
            assert_eq!(m.active_per_fte, e.active_per_fte, "{at}: active per FTE");
        }
        assert_eq!(made.quarters.len(), expected.quarters.len(), "{at}");
        for (q, e) in made.quarters.iter().zip(&expected.quarters) {
            let at = format!("{at}, {}", e.quarter.label);
            assert_eq!(q.quarter, e.quarter, "{at}");
            assert_eq!(q.known, e.known, "{at}");
            assert_eq!(q.job_starts, e.job_starts, "{at}: job starts");
            assert_eq!(q.sustained_13w, e.sustained_13w, "{at}: 13 weeks");
        }
        assert_eq!(made, expected, "{at}");
        compared.push(made);
    }
    compared
}

#[test]
fn trends_equal_part_reports_on_every_example() {
    let mut compared = Vec::new();
    for (name, data) in bundles() {
        for (period, as_of) in windows() {
            compared.extend(compare_every_part(&name, &data, &period, as_of));
        }
    }
    assert!(
        compared.len() > 500,
        "only {} parts compared",
        compared.len()
    );
    // Not only zeros compared: each figure is above 0 somewhere.
    let months = || compared.iter().flat_map(|t| &t.months);
    let quarters = || compared.iter().flat_map(|t| &t.quarters);
    assert!(months().any(|m| m.access > 0));
    assert!(months().any(|m| m.access_target_to_date > 0.0));
    assert!(months().any(|m| m.active_per_fte.is_some_and(|a| a > 0.0)));
    assert!(quarters().any(|q| q.job_starts.unemployed + q.job_starts.employed > 0));
    assert!(quarters().any(|q| q.sustained_13w.unemployed + q.sustained_13w.employed > 0));
}

/// A quarter, a whole financial year, a range across the year's start, each
/// as known mid-month before its end and on its end: the trends have a
/// month for each month end to the as-of date (the last one that date)
/// and a quarter for each quarter begun by it, and equal the reports'.
#[test]
fn trends_of_a_quarter_a_year_and_a_mid_month_as_of_equal_part_reports() {
    let cases = [
        ("2024/25-Q3", "2024-11-17", 2, 3),
        ("2024/25-Q3", "2024-12-31", 3, 3),
        ("2024/25", "2024-09-14", 6, 2),
        ("2024/25", "2025-03-31", 12, 4),
        ("2024-02-10..2024-08-31", "2024-06-20", 5, 4),
    ];
    for (name, data) in bundles() {
        for (label, as_of, months, quarters) in cases {
            let period = Period::parse(label).unwrap();
            let as_of = Day::parse(as_of).unwrap();
            for part in every_part(&data) {
                let t = trends_of_part(&data, &period, as_of, &part.referrals(&data)).unwrap();
                assert_eq!(t.months.len(), months, "{name}, {label} as of {as_of}");
                assert_eq!(t.months.last().unwrap().end, as_of.min(period.end));
                assert_eq!(t.quarters.len(), quarters, "{name}, {label} as of {as_of}");
                let last = t.quarters.last().unwrap();
                assert_eq!(last.to_date(), (as_of < last.quarter.end).then_some(as_of));
            }
            compare_every_part(&name, &data, &period, as_of);
        }
    }
}

#[test]
fn trends_are_refused_before_their_period_as_part_reports_are() {
    let (_, data) = bundles().remove(0);
    let period = Period::parse("2024/25-Q3").unwrap();
    let referrals = Part::Team(TeamIdx::at(0)).referrals(&data);
    let as_of = period.start.plus(-1);
    assert_eq!(
        trends_of_part(&data, &period, as_of, &referrals).unwrap_err(),
        report_of_part(&data, &period, as_of, &referrals).unwrap_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random services: people with several referrals, transfers between
    /// ES of two teams, periods across financial years.
    #[test]
    fn trends_equal_part_reports_on_random_services(
        (data, period, as_of) in random_service::data_and_window(),
    ) {
        compare_every_part("random", &data, &period, as_of);
    }
}
