//! Why behind (issue 14): the facts beside a `behind` status (TGT-3), each
//! at its boundary.

mod common;

use common::*;
use ipstrack_core::Loaded;
use ipstrack_core::behind::reasons;
use ipstrack_core::model::StaffIdx;
use ipstrack_core::time::DayRange;
use serde_json::{Value, json};

fn fy2024() -> DayRange {
    DayRange::new(d("2024-04-01"), d("2025-03-31"))
}

/// The bundle of one full-time ES `es1` (in post since 2020-01-06) with
/// `referrals`.
fn es1_with(referrals: Vec<Value>) -> Loaded {
    load(&doc_with_staff(vec![staff("es1", json!({}))], referrals))
}

#[test]
fn tgt_3_behind_on_access_counts_referrals_waiting_for_a_first_meeting_and_the_longest_wait() {
    let loaded = es1_with(vec![
        referral(
            "r1",
            json!({"received": "2024-06-01", "access": null, "vocational_plan": null}),
        ),
        referral(
            "r2",
            json!({"received": "2024-06-21", "access": null, "vocational_plan": null}),
        ),
        // Met on the as-of date: not waiting.
        referral(
            "r3",
            json!({"received": "2024-06-01", "access": "2024-07-01"}),
        ),
        // Discharged before the as-of date without a meeting: not held.
        referral(
            "r4",
            json!({"received": "2024-05-01", "access": null, "vocational_plan": null,
                                  "discharge": {"date": "2024-06-30", "reason": "declined"}}),
        ),
    ]);
    let r = reasons(&loaded.dataset, StaffIdx(0), fy2024(), d("2024-07-01"));
    assert_eq!(r.awaiting_first_meeting, 2);
    assert_eq!(r.longest_wait_days, Some(30));
    assert_eq!(
        r.days_since_last_access,
        Some(0),
        "r3's access on the as-of date"
    );
    // The day before r3's access there has been none.
    let r = reasons(&loaded.dataset, StaffIdx(0), fy2024(), d("2024-06-30"));
    assert_eq!(r.days_since_last_access, None);
    assert_eq!(
        r.awaiting_first_meeting, 3,
        "r3 waits too; r4 is discharged on the day (not held)"
    );
}

#[test]
fn rate_1_behind_counts_people_seeking_work_and_their_median_weeks_of_support() {
    let loaded = es1_with(vec![
        // Accessed 2 Apr: 13 weeks on 2 Jul (91 days).
        referral("r1", json!({})),
        referral(
            "r2",
            json!({"access": "2024-05-28", "vocational_plan": {"start": "2024-05-28", "end": null}}),
        ),
        referral(
            "r3",
            json!({"access": "2024-06-25", "vocational_plan": {"start": "2024-06-25", "end": null}}),
        ),
        // In work (a job outcome): not seeking work.
        referral("r4", json!({"jobs": [job("j1", "2024-05-01", json!({}))]})),
        // Job retention: not counted.
        referral("r5", json!({"status_at_referral": "employed"})),
    ]);
    let r = reasons(&loaded.dataset, StaffIdx(0), fy2024(), d("2024-07-02"));
    assert_eq!(r.seeking_work_not_in_work, 3);
    // Weeks since access: r1 13, r2 5, r3 1 → the median 5.
    assert_eq!(r.median_weeks_supported, Some(5));
}

#[test]
fn sus_2_behind_counts_runs_that_ended_before_13_weeks_and_not_those_still_running() {
    let loaded = es1_with(vec![
        // 13 weeks from 1 May is 30 Jul (start + 91 − 1): ended 29 Jul, one day short.
        referral(
            "r1",
            json!({"jobs": [job("j1", "2024-05-01", json!({"end": "2024-07-29"}))]}),
        ),
        // Ended on the 13-week day: sustained, not counted.
        referral(
            "r2",
            json!({"jobs": [job("j1", "2024-05-01", json!({"end": "2024-07-30"}))]}),
        ),
        // Still in work: not ended.
        referral("r3", json!({"jobs": [job("j1", "2024-05-01", json!({}))]})),
        // Started before the period: not counted.
        referral(
            "r4",
            json!({"received": "2024-02-01", "access": "2024-02-01",
                                  "vocational_plan": {"start": "2024-02-01", "end": null},
                                  "jobs": [job("j1", "2024-03-01", json!({"end": "2024-04-10"}))]}),
        ),
    ]);
    let r = reasons(&loaded.dataset, StaffIdx(0), fy2024(), d("2024-09-30"));
    assert_eq!(r.runs_ended_before_13_weeks, 1);
}
