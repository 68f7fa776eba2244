//! CASE-3 *(rev. 3)*: active cases carried over from the previous financial
//! year — the referrals active on F − 1, where F is the first day of the
//! financial year the period starts in, credited to the ES assigned on F − 1.

mod common;

use common::*;
use serde_json::{Value, json};

/// F − 1 for every period of 2024/25.
const EVE: &str = "2024-03-31";

fn contact(date: &str) -> Value {
    json!({"date": date, "kind": "face_to_face"})
}

/// A referral received and accessed on 2024-03-01 with a plan from then and
/// a two-way contact on 2024-03-20: active on 2024-03-31 (and, without a
/// later contact, inactive from 2024-04-17), changed by `extra`.
fn before_the_year(id: &str, extra: Value) -> Value {
    let mut r = referral(
        id,
        json!({"received": "2024-03-01", "access": "2024-03-01",
               "vocational_plan": {"start": "2024-03-01", "end": null},
               "contacts": [contact("2024-03-20")]}),
    );
    merge(&mut r, extra);
    r
}

fn carried(report: &Value) -> &Value {
    &report["service"]["caseload"]["carried_over"]
}

#[test]
fn case_3_every_quarter_of_the_year_shows_the_years_figure() {
    let referrals = vec![before_the_year("r1", json!({}))];
    for (period, as_of) in [
        ("2024/25-Q1", "2024-06-30"),
        ("2024/25-Q2", "2024-09-30"),
        ("2024/25-Q3", "2024-12-31"),
        ("2024/25-Q4", "2025-03-31"),
        ("2024/25", "2025-03-31"),
    ] {
        let report = report_of(referrals.clone(), period, as_of);
        assert_eq!(carried(&report), 1, "{period}");
        // Long inactive by then: the carried-over figure is not the caseload.
        assert_eq!(report["service"]["caseload"]["active"], 0, "{period}");
    }
}

#[test]
fn case_3_a_quarter_does_not_show_the_previous_quarter() {
    // Active on 2024-09-30 (the day before Q3) but received in the year:
    // not carried over from the previous financial year.
    let r = referral("r1", json!({"contacts": [contact("2024-09-20")]}));
    let report = report_of(vec![r], "2024/25-Q3", "2024-12-31");
    assert_eq!(carried(&report), 0);
}

#[test]
fn case_3_discharge_on_the_eve_or_on_the_first_day_of_the_year() {
    // A discharge date is the first day closed (T-4): discharged on F − 1 is
    // not open on F − 1; discharged on F still is.
    let on_eve = before_the_year("eve", json!({"discharge": {"date": EVE}}));
    let on_first = before_the_year("first", json!({"discharge": {"date": "2024-04-01"}}));
    let report = report_of(vec![on_eve, on_first], "2024/25-Q2", "2024-09-30");
    assert_eq!(carried(&report), 1);
}

#[test]
fn case_3_accessed_on_the_eve_counts_accessed_on_the_first_day_does_not() {
    let eve = referral(
        "eve",
        json!({"received": EVE, "access": EVE,
               "vocational_plan": {"start": EVE, "end": null}}),
    );
    let first = referral(
        "first",
        json!({"received": EVE, "access": "2024-04-01",
               "vocational_plan": {"start": "2024-04-01", "end": null}}),
    );
    let report = report_of(vec![eve, first], "2024/25-Q3", "2024-12-31");
    assert_eq!(carried(&report), 1);
}

#[test]
fn case_3_contact_28_days_before_the_eve_is_too_old() {
    // 2024-03-04 is 27 days before 2024-03-31 (active); 2024-03-03 is 28 (not).
    let fresh = before_the_year("fresh", json!({"contacts": [contact("2024-03-04")]}));
    let stale = before_the_year("stale", json!({"contacts": [contact("2024-03-03")]}));
    let report = report_of(vec![fresh, stale], "2024/25-Q4", "2025-03-31");
    assert_eq!(carried(&report), 1);
}

#[test]
fn case_3_credited_to_the_es_assigned_on_the_eve() {
    // Transferred to es2 on the first day of the year: es1 carried it over.
    let r = before_the_year(
        "r1",
        json!({"transfers": [{"date": "2024-04-01", "es": "es2"}]}),
    );
    let report = report_of(vec![r], "2024/25-Q2", "2024-09-30");
    assert_eq!(es(&report, "es1")["caseload"]["carried_over"], 1);
    assert_eq!(es(&report, "es2")["caseload"]["carried_over"], 0);
}

#[test]
fn case_3_an_es_not_listed_still_counts_in_team_and_service() {
    // es1 left on the eve: not in post in Q2, so not listed, yet the
    // case they carried over counts for their team and the service.
    let doc = doc_with_staff(
        vec![
            staff("es1", json!({"end_date": EVE})),
            staff("es2", json!({})),
        ],
        vec![before_the_year("r1", json!({}))],
    );
    let report = report_json(&load(&doc), "2024/25-Q2", "2024-09-30");
    assert_eq!(ids(&report, "specialists"), ["es2"]);
    assert_eq!(report["teams"][0]["caseload"]["carried_over"], 1);
    assert_eq!(carried(&report), 1);
    assert_eq!(es(&report, "es2")["caseload"]["carried_over"], 0);
}

#[test]
fn case_3_a_custom_range_uses_the_year_it_starts_in() {
    let r = before_the_year("r1", json!({}));
    // Starting on the year's first day or inside it: the year's figure.
    for period in ["2024-04-01..2024-04-30", "2024-06-15..2024-12-14"] {
        let report = report_of(vec![r.clone()], period, "2024-12-14");
        assert_eq!(carried(&report), 1, "{period}");
    }
    // Starting on the eve itself, the range starts in 2023/24: its F − 1 is
    // 2023-03-31, before the referral.
    let report = report_of(vec![r], "2024-03-31..2024-06-30", "2024-06-30");
    assert_eq!(carried(&report), 0);
}
