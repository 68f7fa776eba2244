//! JOB-1..5: paid work, the 4-hours day, people into work and job starts.

mod common;

use common::*;
use ipstrack_core::Loaded;
use ipstrack_core::jobs::{FourHours, four_hours, is_paid_work, outcomes};
use serde_json::{Value, json};

/// Start of the jobs of the JOB-3 tests.
const S: &str = "2024-05-01";

/// The default bundle around one referral with one job `job("j1", S, extra)`.
fn one_job(extra: Value) -> Loaded {
    bundle(vec![referral("r1", json!({"jobs": [job("j1", S, extra)]}))])
}

/// JOB-3 for `job("j1", S, extra)` as known on S + `as_of` days.
fn four_hours_at(extra: Value, as_of: i32) -> FourHours {
    let loaded = one_job(extra);
    let j = &only_referral(&loaded).jobs[0];
    four_hours(j, d(S).plus(as_of), &loaded.dataset.policy)
}

fn reached(days_after_start: i32) -> FourHours {
    FourHours::Reached(d(S).plus(days_after_start))
}

#[test]
fn job_1_unregistered_self_employment_is_not_an_outcome() {
    let self_employed = |registration: Value| {
        let loaded = one_job(json!({"type": "self_employed", "hours_per_week": 10,
                                     "self_employment_registration": registration}));
        let paid = is_paid_work(&only_referral(&loaded).jobs[0]);
        let report = report_json(&loaded, Q1, Q1_END);
        (paid, report["service"]["job_starts"].clone())
    };
    assert_eq!(self_employed(json!(null)), (false, ue(0, 0)));
    assert_eq!(self_employed(json!("sole_trader")), (true, ue(1, 0)));
    assert_eq!(self_employed(json!("company")), (true, ue(1, 0)));
}

#[test]
fn job_1_unregistered_self_employment_is_a_data_quality_warning() {
    let loaded = one_job(json!({"type": "self_employed", "hours_per_week": 10}));
    let warnings: Vec<(&str, &str)> = loaded
        .warnings
        .iter()
        .map(|w| (w.rule, w.record.as_str()))
        .collect();
    assert_eq!(warnings, [("BAD-2", "r1/j1")]);
    assert_eq!(
        loaded.warnings[0].message,
        "self-employment without a registration (UTR): not a job outcome"
    );
}

#[test]
fn job_1_volunteering_and_unpaid_placements_are_refused() {
    for kind in ["volunteering", "unpaid_placement"] {
        let (record, field, text) = only_error(&doc(vec![referral(
            "r1",
            json!({"jobs": [job("j1", S, json!({"type": kind}))]}),
        )]));
        assert_eq!(
            (record.as_str(), field.as_str()),
            ("referral r1 job j1", "type")
        );
        assert_eq!(
            text,
            format!("referral r1 job j1: type `{kind}` is not paid work and is not a job (JOB-1)")
        );
    }
}

#[test]
fn job_1_every_kind_of_paid_work_counts() {
    let jobs = json!([
        job("a", S, json!({"type": "employee"})),
        job(
            "b",
            S,
            json!({"type": "zero_hours", "hours_per_week": null, "weekly_hours": [5]})
        ),
        job(
            "c",
            S,
            json!({"type": "self_employed", "self_employment_registration": "sole_trader"})
        ),
        job("d", S, json!({"type": "apprenticeship"})),
        job("e", S, json!({"type": "paid_placement"})),
    ]);
    let report = q1_report(vec![referral("r1", json!({"jobs": jobs}))]);
    assert_eq!(report["service"]["job_starts"], ue(5, 0));
    assert_eq!(report["service"]["people_into_work"], ue(1, 0));
}

#[test]
fn job_3_confirmed_date_is_the_outcome_day() {
    // 16 hours a week alone would give S + 1; once known, the confirmation
    // (S + 8) wins. Before it is known the hours give S + 1 (T-3).
    let confirmed = json!({"four_hours_confirmed": "2024-05-09"});
    assert_eq!(four_hours_at(confirmed.clone(), 7), reached(1));
    assert_eq!(four_hours_at(confirmed.clone(), 8), reached(8));
    // Without hours, only the confirmation makes it an outcome; until it is
    // known the running job awaits it.
    let no_hours = json!({"four_hours_confirmed": "2024-05-09", "hours_per_week": null});
    assert_eq!(four_hours_at(no_hours.clone(), 7), FourHours::Awaiting);
    assert_eq!(four_hours_at(no_hours, 8), reached(8));
    // A confirmation on the start day itself.
    assert_eq!(
        four_hours_at(
            json!({"four_hours_confirmed": S, "hours_per_week": null}),
            0
        ),
        reached(0)
    );
}

#[test]
fn job_2_weekly_hours_reach_4_at_the_end_of_week_4() {
    // Running totals 1.5, 3.5, 3.5, 9.5: week 4 ends on S + 27.
    let weekly = json!({"type": "zero_hours", "hours_per_week": null,
                        "weekly_hours": [1.5, 2, 0, 6]});
    assert_eq!(four_hours_at(weekly.clone(), 26), FourHours::Awaiting);
    assert_eq!(four_hours_at(weekly.clone(), 27), reached(27));
    assert_eq!(four_hours_at(weekly, 400), reached(27));
}

#[test]
fn job_2_a_week_exists_once_its_last_day_is_reached() {
    let weekly = json!({"type": "self_employed", "self_employment_registration": "company",
                        "hours_per_week": null, "weekly_hours": [4]});
    assert_eq!(four_hours_at(weekly.clone(), 5), FourHours::Awaiting);
    assert_eq!(four_hours_at(weekly, 6), reached(6));
}

#[test]
fn job_2_weekly_hours_outcome_is_the_job_end_if_earlier() {
    let weekly = json!({"type": "zero_hours", "hours_per_week": null,
                        "weekly_hours": [6], "end": "2024-05-03"});
    assert_eq!(four_hours_at(weekly, 6), reached(2));
}

#[test]
fn job_2_weekly_hours_short_of_4_are_awaiting_or_never() {
    let weekly = |end: Value| {
        json!({"type": "zero_hours", "hours_per_week": null,
               "weekly_hours": [1, 1, 1], "end": end})
    };
    assert_eq!(four_hours_at(weekly(json!(null)), 60), FourHours::Awaiting);
    assert_eq!(
        four_hours_at(weekly(json!("2024-05-21")), 60),
        FourHours::Never
    );
}

#[test]
fn job_3_sixteen_hours_a_week_reach_4_hours_on_the_second_day() {
    // ⌈28 / 16⌉ = 2 days: start + 1.
    assert_eq!(
        four_hours_at(json!({"hours_per_week": 16}), 0),
        FourHours::Awaiting
    );
    assert_eq!(four_hours_at(json!({"hours_per_week": 16}), 1), reached(1));
}

#[test]
fn job_3_four_hours_a_week_reach_4_hours_on_day_7() {
    assert_eq!(
        four_hours_at(json!({"hours_per_week": 4}), 5),
        FourHours::Awaiting
    );
    assert_eq!(four_hours_at(json!({"hours_per_week": 4}), 6), reached(6));
}

#[test]
fn job_3_three_hours_a_week_reach_4_hours_on_day_10() {
    // ⌈28 / 3⌉ = 10 days: start + 9.
    assert_eq!(
        four_hours_at(json!({"hours_per_week": 3}), 8),
        FourHours::Awaiting
    );
    assert_eq!(four_hours_at(json!({"hours_per_week": 3}), 9), reached(9));
}

#[test]
fn job_3_fractional_hours_per_week() {
    // 37.5 hours: ⌈28 / 37.5⌉ = 1 day, the start day; 0.01 hours: 2800 days.
    assert_eq!(
        four_hours_at(json!({"hours_per_week": 37.5}), 0),
        reached(0)
    );
    assert_eq!(
        four_hours_at(json!({"hours_per_week": 0.01}), 2799),
        reached(2799)
    );
}

#[test]
fn job_3_policy_threshold_moves_the_day() {
    let mut doc = doc(vec![referral(
        "r1",
        json!({"jobs": [job("j1", S, json!({"hours_per_week": 16}))]}),
    )]);
    doc["policy"] = json!({"job_hours_threshold": 8});
    let loaded = load(&doc);
    let j = &only_referral(&loaded).jobs[0];
    let p = &loaded.dataset.policy;
    // ⌈56 / 16⌉ = 4 days: start + 3.
    assert_eq!(four_hours(j, d(S).plus(2), p), FourHours::Awaiting);
    assert_eq!(four_hours(j, d(S).plus(3), p), reached(3));
}

#[test]
fn job_3_job_ending_before_the_day_never_reaches_4_hours() {
    // 3 hours a week: the day is S + 9 (2024-05-10).
    let ending = |end: &str| four_hours_at(json!({"hours_per_week": 3, "end": end}), 30);
    assert_eq!(ending("2024-05-09"), FourHours::Never);
    assert_eq!(ending("2024-05-10"), reached(9));
}

#[test]
fn job_3_no_hours_never_reaches_4_hours() {
    // Not an outcome; while the job runs it awaits a confirmation (CASE-4).
    assert_eq!(
        four_hours_at(json!({"hours_per_week": null}), 60),
        FourHours::Awaiting
    );
    assert_eq!(
        four_hours_at(json!({"hours_per_week": 0}), 60),
        FourHours::Awaiting
    );
    assert_eq!(
        four_hours_at(json!({"hours_per_week": null, "end": "2024-05-20"}), 60),
        FourHours::Never
    );
}

#[test]
fn job_3_job_start_belongs_to_its_period_once_the_outcome_exists() {
    // Starts 2024-06-28 at 4 hours a week: 4 hours on 2024-07-04.
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-06-28", json!({"hours_per_week": 4}))]}),
    )]);
    let q1 = |as_of| report_json(&loaded, Q1, as_of)["service"]["job_starts"].clone();
    assert_eq!(q1("2024-06-30"), ue(0, 0));
    assert_eq!(q1("2024-07-03"), ue(0, 0));
    assert_eq!(q1("2024-07-04"), ue(1, 0));
    let q2 = report_json(&loaded, "2024/25-Q2", "2024-09-30");
    assert_eq!(q2["service"]["job_starts"], ue(0, 0));
}

#[test]
fn job_4_first_job_outcome_only() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", json!({})),
                        job("j2", "2024-08-01", json!({}))]}),
    )]);
    let q1 = report_json(&loaded, Q1, "2024-09-30");
    assert_eq!(q1["service"]["people_into_work"], ue(1, 0));
    assert_eq!(q1["service"]["job_starts"], ue(1, 0));
    let q2 = report_json(&loaded, "2024/25-Q2", "2024-09-30");
    assert_eq!(q2["service"]["people_into_work"], ue(0, 0));
    assert_eq!(q2["service"]["job_starts"], ue(1, 0));
}

#[test]
fn job_4_first_outcome_not_first_start() {
    // j1 starts in Q1 but ends before its 4 hours (3 a week: day S + 9).
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", S, json!({"hours_per_week": 3, "end": "2024-05-05"})),
                        job("j2", "2024-08-01", json!({}))]}),
    )]);
    let q1 = report_json(&loaded, Q1, "2024-09-30");
    assert_eq!(q1["service"]["job_starts"], ue(0, 0));
    let q2 = report_json(&loaded, "2024/25-Q2", "2024-09-30");
    assert_eq!(q2["service"]["people_into_work"], ue(1, 0));
}

#[test]
fn job_4_ties_on_the_start_date_go_by_job_id() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j2", S, json!({})), job("j10", S, json!({})),
                        job("j1", S, json!({})), job("a0", "2024-05-02", json!({}))]}),
    )]);
    let r = only_referral(&loaded);
    let order: Vec<&str> = outcomes(r, d("2024-06-30"), &loaded.dataset.policy)
        .iter()
        .map(|o| o.job.id.as_str())
        .collect();
    assert_eq!(order, ["j1", "j10", "j2", "a0"]);
}

#[test]
fn job_4_job_starting_after_discharge_is_not_counted() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"discharge": {"date": "2024-05-01", "reason": "found work"},
               "jobs": [job("on_the_day", "2024-05-01", json!({})),
                        job("day_after", "2024-05-02", json!({}))]}),
    )]);
    assert_eq!(report["service"]["job_starts"], ue(1, 0));
    assert_eq!(report["service"]["people_into_work"], ue(1, 0));
}

#[test]
fn job_4_job_starting_before_received_is_not_counted() {
    let starting = |start: &str| {
        let r = referral(
            "r1",
            json!({"received": "2024-04-10", "access": "2024-04-10",
                   "jobs": [job("j1", start, json!({}))]}),
        );
        q1_report(vec![r])["service"]["job_starts"].clone()
    };
    assert_eq!(starting("2024-04-09"), ue(0, 0));
    assert_eq!(starting("2024-04-10"), ue(1, 0));
}

#[test]
fn job_4_retained_job_is_never_a_job_start() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"status_at_referral": "employed",
               "jobs": [job("kept", "2024-04-15",
                   json!({"retained": true, "return_to_work": "2024-05-01"})),
                        job("new", "2024-06-01", json!({}))]}),
    )]);
    assert_eq!(report["service"]["job_starts"], ue(0, 1));
    assert_eq!(report["service"]["people_into_work"], ue(0, 1));
    let loaded = bundle(vec![referral(
        "r1",
        json!({"status_at_referral": "employed",
               "jobs": [job("kept", "2024-04-15", json!({"retained": true}))]}),
    )]);
    let r = only_referral(&loaded);
    assert!(outcomes(r, d("2024-06-30"), &loaded.dataset.policy).is_empty());
}

#[test]
fn job_4_outcome_not_yet_reached_on_the_as_of_date_is_not_a_person_into_work() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-06-24", json!({"hours_per_week": 4}))]}),
    )]);
    let piw = |as_of| report_json(&loaded, Q1, as_of)["service"]["people_into_work"].clone();
    assert_eq!(piw("2024-06-29"), ue(0, 0));
    assert_eq!(piw("2024-06-30"), ue(1, 0));
}

#[test]
fn job_5_second_and_concurrent_jobs_count() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-04-10", json!({})),
                        job("j2", "2024-04-10", json!({"type": "zero_hours",
                            "hours_per_week": null, "weekly_hours": [4]})),
                        job("j3", "2024-05-20", json!({}))]}),
    )]);
    assert_eq!(report["service"]["job_starts"], ue(3, 0));
    assert_eq!(report["service"]["people_into_work"], ue(1, 0));
    assert_eq!(es(&report, "es1")["job_starts"], ue(3, 0));
}

#[test]
fn job_5_job_starts_on_the_period_edges() {
    let jobs = json!([
        job("before", "2024-03-31", json!({})),
        job("first", "2024-04-01", json!({})),
        job("last", "2024-06-30", json!({"hours_per_week": 37.5})),
        job("after", "2024-07-01", json!({})),
    ]);
    let r = referral(
        "r1",
        json!({"received": "2024-03-01", "access": "2024-03-01",
                                  "jobs": jobs}),
    );
    let report = q1_report_as_of(vec![r], "2024-09-30");
    assert_eq!(report["service"]["job_starts"], ue(2, 0));
}
