//! BAD-2: data-quality warnings — the data is kept and each record with
//! something to look at is listed (split from rules_bad.rs).

mod common;

use common::*;
use serde_json::{Value, json};

/// The BAD-2 warnings of `referral("r1", extra)` as (record, message).
fn warnings_of(extra: Value) -> Vec<(String, String)> {
    let loaded = bundle(vec![referral("r1", extra)]);
    assert!(loaded.warnings.iter().all(|w| w.rule == "BAD-2"));
    loaded
        .warnings
        .iter()
        .map(|w| (w.record.clone(), w.message.clone()))
        .collect()
}

fn warning(record: &str, message: &str) -> (String, String) {
    (record.to_string(), message.to_string())
}

#[test]
fn bad_2_a_clean_referral_has_no_warnings() {
    let r = json!({"jobs": [job("j1", "2024-05-01", json!({}))],
                   "contacts": [{"date": "2024-05-01", "kind": "remote"}],
                   "holds": [{"start": "2024-05-01", "end": "2024-05-10"},
                             {"start": "2024-05-11", "end": null}],
                   "decisions": [{"start": "2024-05-01", "status": "active", "reason": "agreed"}],
                   "discharge": {"date": "2024-06-01"}});
    assert_eq!(warnings_of(r), []);
}

#[test]
fn bad_2_contact_after_discharge() {
    let r = json!({"discharge": {"date": "2024-05-01"},
                   "contacts": [{"date": "2024-05-02", "kind": "remote"}]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1",
            "contact on 2024-05-02 is after discharge on 2024-05-01"
        )]
    );
}

#[test]
fn bad_2_job_starting_before_the_referral() {
    let r = json!({"jobs": [job("j1", "2024-04-01", json!({}))]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1/j1",
            "job starts 2024-04-01 before the referral was received 2024-04-02"
        )]
    );
}

#[test]
fn bad_2_job_starting_after_discharge() {
    let r = json!({"discharge": {"date": "2024-05-01"},
                   "jobs": [job("j1", "2024-05-01", json!({})),
                            job("j2", "2024-05-02", json!({}))]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1/j2",
            "job starts 2024-05-02 after discharge 2024-05-01"
        )]
    );
}

#[test]
fn bad_2_self_employment_without_registration() {
    let r = json!({"jobs": [job("j1", "2024-05-01", json!({"type": "self_employed"}))]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1/j1",
            "self-employment without a registration (UTR): not a job outcome"
        )]
    );
}

#[test]
fn bad_2_job_with_no_hours() {
    let r = json!({"jobs": [job("j1", "2024-05-01", json!({"hours_per_week": null}))]});
    assert_eq!(
        warnings_of(r),
        [warning("r1/j1", "job with no hours recorded")]
    );
}

#[test]
fn bad_2_overlapping_holds() {
    let r = json!({"holds": [{"start": "2024-05-10", "end": "2024-05-20"},
                             {"start": "2024-05-01", "end": "2024-05-10"}]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1",
            "hold from 2024-05-10 overlaps hold from 2024-05-01"
        )]
    );
}

#[test]
fn bad_2_team_decision_without_a_reason() {
    let r = json!({"decisions": [{"start": "2024-05-01", "status": "inactive", "reason": null},
                                 {"start": "2024-06-01", "status": "active", "reason": "  "}]});
    assert_eq!(
        warnings_of(r),
        [
            warning("r1", "team decision from 2024-05-01 has no reason"),
            warning("r1", "team decision from 2024-06-01 has no reason")
        ]
    );
}

#[test]
fn bad_2_retained_job_on_an_unemployed_referral() {
    let r = json!({"jobs": [job("j1", "2024-03-01",
        json!({"retained": true, "return_to_work": "2024-05-01"}))]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1/j1",
            "retained job on an unemployed referral (not counted)"
        )]
    );
}

#[test]
fn bad_2_first_month_weekly_hours_on_a_fixed_hours_job() {
    let r = json!({"jobs": [job("j1", "2024-05-01", json!({"weekly_hours": [5, 5]}))]});
    assert_eq!(
        warnings_of(r),
        [warning(
            "r1/j1",
            "first-month weekly hours on a fixed-hours employee job"
        )]
    );
}

#[test]
fn bad_2_warnings_are_listed_in_the_report_and_the_data_kept() {
    let r = referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", json!({"weekly_hours": [5]}))]}),
    );
    let report = report_of(vec![r], "2024/25-Q1", "2024-06-30");
    assert_eq!(
        report["warnings"],
        json!([{"rule": "BAD-2", "record": "r1/j1",
                "message": "first-month weekly hours on a fixed-hours employee job"}])
    );
    assert_eq!(report["service"]["job_starts"], ue(1, 0));
}

#[test]
fn bad_2_a_retained_job_starting_before_the_referral_is_no_warning_rev3() {
    // BAD-1 rev. 3: the job held at referral is the job the person already had.
    let r = json!({"status_at_referral": "employed",
                   "jobs": [job("j0", "2019-06-01", json!({"retained": true, "return_to_work": null}))]});
    assert_eq!(warnings_of(r), []);
}
