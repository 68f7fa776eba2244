//! T-2 (periods: the last closed quarter), T-3 (the as-of date) and T-5
//! (rounding) at their boundaries.

mod common;

use common::*;
use ipstrack_core::attribution::assigned_on;
use ipstrack_core::jobs::{FourHours, four_hours, runs};
use ipstrack_core::model::StaffIdx;
use ipstrack_core::report::ReportError;
use ipstrack_core::targets::{Exact, rate, round_target};
use ipstrack_core::{Period, report};
use serde_json::json;

#[test]
fn t_3_referral_received_after_as_of_is_ignored() {
    let loaded = bundle(vec![
        referral("r1", json!({"received": "2024-04-10", "access": null})),
        referral("r2", json!({"received": "2024-04-20", "access": null})),
    ]);
    let on = |as_of| q1_service(&loaded, as_of)["referrals"].clone();
    assert_eq!(on("2024-04-19"), ue(1, 0));
    assert_eq!(on("2024-04-20"), ue(2, 0));
}

#[test]
fn t_3_contact_after_as_of_is_ignored() {
    // Accessed 2024-04-02; on 2024-05-10 the access is 38 days old, so only
    // the contact dated that day keeps the client active.
    let loaded = bundle(vec![referral(
        "r1",
        json!({"contacts": [{"date": "2024-05-10", "kind": "face_to_face"}]}),
    )]);
    let active = |as_of| q1_service(&loaded, as_of)["caseload"].clone();
    assert_eq!(active("2024-05-09")["active"], 0);
    assert_eq!(active("2024-05-09")["open"], 1);
    assert_eq!(active("2024-05-10")["active"], 1);
}

#[test]
fn t_3_transfer_after_as_of_is_ignored() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"transfers": [{"date": "2024-05-10", "es": "es2"}]}),
    )]);
    let r = only_referral(&loaded);
    // es1 is staff index 0, es2 index 1.
    assert_eq!(
        assigned_on(r, d("2024-06-30"), d("2024-05-09")),
        Some(StaffIdx(0))
    );
    assert_eq!(
        assigned_on(r, d("2024-06-30"), d("2024-05-10")),
        Some(StaffIdx(1))
    );
    assert_eq!(
        assigned_on(r, d("2024-05-09"), d("2024-06-30")),
        Some(StaffIdx(0))
    );

    let before = report_json(&loaded, "2024/25-Q1", "2024-05-09");
    assert_eq!(es(&before, "es1")["caseload"]["open"], 1);
    assert_eq!(es(&before, "es2")["caseload"]["open"], 0);
    let after = report_json(&loaded, "2024/25-Q1", "2024-05-10");
    assert_eq!(es(&after, "es1")["caseload"]["open"], 0);
    assert_eq!(es(&after, "es2")["caseload"]["open"], 1);
}

#[test]
fn t_3_engagement_change_after_as_of_is_ignored() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"contacts": [{"date": "2024-05-01", "kind": "remote"}],
               "engagement": [{"date": "2024-05-10", "status": "not_seeking_work"}]}),
    )]);
    let active = |as_of| q1_service(&loaded, as_of)["caseload"]["active"].clone();
    assert_eq!(active("2024-05-09"), 1);
    assert_eq!(active("2024-05-10"), 0);
}

#[test]
fn t_3_four_hours_confirmation_after_as_of_falls_back_to_hours() {
    // 4 hours a week: the hours alone give start + 6 = 2024-05-07; the
    // payslip confirming it is dated 2024-05-20.
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01",
            json!({"hours_per_week": 4, "four_hours_confirmed": "2024-05-20"}))]}),
    )]);
    let j = &only_referral(&loaded).jobs[0];
    let p = &loaded.dataset.policy;
    assert_eq!(four_hours(j, d("2024-05-06"), p), FourHours::Awaiting);
    assert_eq!(
        four_hours(j, d("2024-05-19"), p),
        FourHours::Reached(d("2024-05-07"))
    );
    assert_eq!(
        four_hours(j, d("2024-05-20"), p),
        FourHours::Reached(d("2024-05-20"))
    );
}

#[test]
fn t_3_as_of_before_the_period_start_is_an_error() {
    let loaded = bundle(vec![referral("r1", json!({}))]);
    let q2 = Period::parse("2024/25-Q2").unwrap();
    let err = report(&loaded.dataset, &loaded.warnings, &q2, d("2024-06-30")).unwrap_err();
    assert_eq!(
        err,
        ReportError::AsOfBeforePeriod {
            as_of: d("2024-06-30"),
            start: d("2024-07-01")
        }
    );
    assert!(report(&loaded.dataset, &loaded.warnings, &q2, d("2024-07-01")).is_ok());
}

#[test]
fn t_3_caseload_date_is_the_earlier_of_as_of_and_period_end() {
    let loaded = bundle(vec![referral("r1", json!({}))]);
    let date = |as_of| q1_service(&loaded, as_of)["caseload"]["date"].clone();
    assert_eq!(date("2024-05-15"), "2024-05-15");
    assert_eq!(date("2024-06-30"), "2024-06-30");
    assert_eq!(date("2024-08-01"), "2024-06-30");
}

#[test]
fn t_3_discharge_after_as_of_is_still_open() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"discharge": {"date": "2024-04-20", "reason": "moved away"}}),
    )]);
    let open = |as_of| q1_service(&loaded, as_of)["caseload"]["open"].clone();
    assert_eq!(open("2024-04-19"), 1);
    assert_eq!(open("2024-04-20"), 0);
}

#[test]
fn t_3_job_ending_after_as_of_is_worked_up_to_as_of() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-04-10", json!({"end": "2024-09-30"}))]}),
    )]);
    let r = only_referral(&loaded);
    let p = &loaded.dataset.policy;
    let as_of = d("2024-07-15");
    let outcomes = ipstrack_core::jobs::outcomes(r, as_of, p);
    assert_eq!(outcomes[0].last_worked, as_of);
    let runs = runs(r, &outcomes, as_of, p);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].last_worked, as_of);
}

#[test]
fn t_3_events_after_as_of_are_not_counted_in_the_period() {
    // Access and a job start after the as-of date, inside the period.
    let loaded = bundle(vec![referral(
        "r1",
        json!({"received": "2024-04-02", "access": "2024-05-02",
               "jobs": [job("j1", "2024-05-03", json!({"four_hours_confirmed": "2024-05-03"}))]}),
    )]);
    let service = |as_of| q1_service(&loaded, as_of);
    let early = service("2024-05-01");
    assert_eq!(early["access"], ue(0, 0));
    assert_eq!(early["job_starts"], ue(0, 0));
    let later = service("2024-05-03");
    assert_eq!(later["access"], ue(1, 0));
    assert_eq!(later["job_starts"], ue(1, 0));
}

#[test]
fn t_5_rates_round_to_4_places_half_away_from_zero() {
    assert_eq!(rate(1, 8), Some(1250));
    assert_eq!(rate(2, 3), Some(6667));
    assert_eq!(rate(1, 3), Some(3333));
    // 0.00005 exactly rounds up to 0.0001; 0.000049... rounds down.
    assert_eq!(rate(1, 20_000), Some(1));
    assert_eq!(rate(1, 20_001), Some(0));
    assert_eq!(rate(3, 20_000), Some(2));
    assert_eq!(rate(0, 5), Some(0));
    assert_eq!(rate(0, 0), None);
}

#[test]
fn t_5_targets_round_to_1_place_half_away_from_zero() {
    assert_eq!(round_target(Exact::new(201, 20)), 10.1); // 10.05
    assert_eq!(round_target(Exact::new(2009, 200)), 10.0); // 10.045
    assert_eq!(round_target(Exact::new(1, 20)), 0.1); // 0.05
    assert_eq!(round_target(Exact::new(40 * 92, 365)), 10.1); // 10.082…
}

#[test]
fn t_5_report_rate_one_in_eight_is_0_125() {
    let report = report_of(unemployed_referrals(8, 1), "2024/25-Q1", "2024-06-30");
    assert_eq!(
        report["service"]["job_outcome_rate"],
        json!({"numerator": 1, "denominator": 8, "value": 0.125})
    );
}

#[test]
fn t_5_report_rate_two_in_three_is_0_6667() {
    let report = report_of(unemployed_referrals(3, 2), "2024/25-Q1", "2024-06-30");
    assert_eq!(
        report["service"]["job_outcome_rate"],
        json!({"numerator": 2, "denominator": 3, "value": 0.6667})
    );
}

#[test]
fn t_5_report_target_of_exactly_10_05_is_10_1() {
    // 201 a year at FTE 0.05 is exactly 10.05; 40% of it is 4.02.
    let mut doc = doc_with_staff(vec![staff("es1", json!({"fte": 0.05}))], vec![]);
    doc["policy"] = json!({"access_target_year2": 201});
    let report = report_json(&load(&doc), "2024/25", "2025-03-31");
    let targets = &report["specialists"][0]["targets"];
    assert_eq!(targets["access"], 10.1);
    assert_eq!(targets["people_into_work"], 4.0);
}

#[test]
fn t_0_hours_are_exact_hundredths_where_floating_point_would_be_off() {
    // 28 / 2.8 is 10.000000000000002 in floating point, which rounds up to 11
    // days; in hundredths 2800 / 280 is exactly 10: the 4 hours fall on S + 9.
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", json!({"hours_per_week": 2.8}))]}),
    )]);
    let j = &only_referral(&loaded).jobs[0];
    assert_eq!(j.hours_per_week, Some(ipstrack_core::model::Hours(280)));
    let policy = &loaded.dataset.policy;
    assert_eq!(
        four_hours(j, d("2024-05-10"), policy),
        FourHours::Reached(d("2024-05-10"))
    );
    assert_eq!(four_hours(j, d("2024-05-09"), policy), FourHours::Awaiting);
    // Weekly hours 0.1 + 0.2 + 3.7 make exactly 4 (in floating point 0.1 + 0.2 + 3.7 = 3.9999999999999996).
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", json!({"type": "zero_hours", "hours_per_week": null,
                                                       "weekly_hours": [0.1, 0.2, 3.7]}))]}),
    )]);
    let j = &only_referral(&loaded).jobs[0];
    assert_eq!(
        four_hours(j, d("2024-05-21"), &loaded.dataset.policy),
        FourHours::Reached(d("2024-05-21"))
    );
    // More than two decimal places is not an hours figure.
    let bad = doc(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", json!({"hours_per_week": 2.805}))]}),
    )]);
    assert!(only_error(&bad).2.contains("at most two decimal places"));
    // Rates come from integer counts: 1 of 3 is 0.3333, 2 of 3 is 0.6667.
    assert_eq!((rate(1, 3), rate(2, 3)), (Some(3333), Some(6667)));
}

#[test]
fn t_4_spells_include_their_end_day_and_discharge_closes_on_its_day() {
    // A hold ending on D still covers D; the day after it does not.
    let held = json!({"contacts": [{"date": "2024-06-01", "kind": "remote"}],
                      "holds": [{"start": "2024-05-01", "end": "2024-06-10"}]});
    assert!(status(held.clone(), "2024-06-10").on_hold);
    assert!(!status(held, "2024-06-11").on_hold);
    // A plan ending on D is running on D.
    let plan = json!({"contacts": [{"date": "2024-06-01", "kind": "remote"}],
                      "vocational_plan": {"start": "2024-04-02", "end": "2024-06-10"}});
    assert!(status(plan.clone(), "2024-06-10").active);
    assert!(!status(plan, "2024-06-11").active);
    // A discharge date is the first day closed: open the day before, closed on it.
    let discharged = json!({"contacts": [{"date": "2024-06-01", "kind": "remote"}],
                            "discharge": {"date": "2024-06-10", "reason": "moved"}});
    assert!(status(discharged.clone(), "2024-06-09").open);
    assert!(!status(discharged, "2024-06-10").open);
    // No end means still running.
    let open_hold = json!({"holds": [{"start": "2024-05-01", "end": null}]});
    assert!(status(open_hold, "2030-01-01").on_hold);
}

/// The label of the last quarter closed before `today`.
fn last_closed(today: &str) -> String {
    Period::last_closed_quarter(d(today)).label
}

#[test]
fn t_2_last_closed_quarter_mid_quarter_is_the_one_before() {
    // The brief's example: on 15 Jan 2025, Q3 (1 Oct–31 Dec 2024).
    let q = Period::last_closed_quarter(d("2025-01-15"));
    assert_eq!(q.label, "2024/25-Q3");
    assert_eq!((q.start, q.end), (d("2024-10-01"), d("2024-12-31")));
    assert_eq!(last_closed("2025-04-10"), "2024/25-Q4");
    assert_eq!(last_closed("2024-08-15"), "2024/25-Q1");
    assert_eq!(last_closed("2024-11-30"), "2024/25-Q2");
}

#[test]
fn t_2_last_closed_quarter_on_a_quarters_first_day_is_the_one_just_ended() {
    assert_eq!(last_closed("2024-07-01"), "2024/25-Q1");
    assert_eq!(last_closed("2024-10-01"), "2024/25-Q2");
    assert_eq!(last_closed("2025-01-01"), "2024/25-Q3");
}

#[test]
fn t_2_last_closed_quarter_on_a_quarters_last_day_is_not_that_quarter() {
    // A quarter closes at the end of its last day.
    assert_eq!(last_closed("2024-06-30"), "2023/24-Q4");
    assert_eq!(last_closed("2024-09-30"), "2024/25-Q1");
    assert_eq!(last_closed("2024-12-31"), "2024/25-Q2");
}

#[test]
fn t_2_last_closed_quarter_across_the_financial_year_edge() {
    // 31 March is the last day of Q4: the year's Q3 is the last closed.
    assert_eq!(last_closed("2025-03-31"), "2024/25-Q3");
    // 1 April: Q4 of the year just ended.
    let q = Period::last_closed_quarter(d("2025-04-01"));
    assert_eq!(q.label, "2024/25-Q4");
    assert_eq!((q.start, q.end), (d("2025-01-01"), d("2025-03-31")));
    // In Q1 of a year, the previous year's Q4; in the calendar year's turn,
    // the same financial year.
    assert_eq!(last_closed("2024-04-01"), "2023/24-Q4");
    assert_eq!(last_closed("2024-05-20"), "2023/24-Q4");
    assert_eq!(last_closed("2000-04-01"), "1999/00-Q4");
    // A leap day: Q4 of 2023/24 is still open, so Q3.
    assert_eq!(last_closed("2024-02-29"), "2023/24-Q3");
}

#[test]
fn t_2_the_quarter_containing_a_day_and_whether_a_period_is_a_quarter() {
    for (day, label) in [
        ("2024-04-01", "2024/25-Q1"),
        ("2024-06-30", "2024/25-Q1"),
        ("2024-07-01", "2024/25-Q2"),
        ("2024-12-31", "2024/25-Q3"),
        ("2025-01-01", "2024/25-Q4"),
        ("2025-03-31", "2024/25-Q4"),
    ] {
        assert_eq!(Period::quarter_containing(d(day)).label, label, "{day}");
    }
    let quarter = |text: &str| Period::parse(text).unwrap().as_quarter();
    assert_eq!(quarter("2024/25-Q3"), Some((2024, 3)));
    assert_eq!(quarter("2024/25-Q4"), Some((2024, 4)));
    // The same days written as a range are that quarter too.
    assert_eq!(quarter("2025-01-01..2025-03-31"), Some((2024, 4)));
    assert_eq!(quarter("2024/25"), None);
    assert_eq!(quarter("2024-10-01..2024-12-30"), None);
    assert_eq!(quarter("2024-10-02..2024-12-31"), None);
}
