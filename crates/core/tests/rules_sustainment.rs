//! SUS-1..5: runs of work, the 13/26/52-week milestones, one of each,
//! job retention and sustainment after discharge.

mod common;

use common::*;
use ipstrack_core::jobs::{milestones, outcomes, runs};
use serde_json::{Value, json};

/// (start, last worked) of each run of `referral("r1", extra)` as known on `as_of`.
fn runs_of(extra: Value, as_of: &str) -> Vec<(String, String)> {
    let loaded = bundle(vec![referral("r1", extra)]);
    let r = only_referral(&loaded);
    let p = &loaded.dataset.policy;
    let outcomes = outcomes(r, d(as_of), p);
    runs(r, &outcomes, d(as_of), p)
        .iter()
        .map(|run| (run.start.to_string(), run.last_worked.to_string()))
        .collect()
}

/// (weeks, achieved, run start) of each milestone of `referral("r1", extra)`.
fn milestones_of(extra: Value, as_of: &str) -> Vec<(i32, String, String)> {
    let loaded = bundle(vec![referral("r1", extra)]);
    let r = only_referral(&loaded);
    let p = &loaded.dataset.policy;
    let outcomes = outcomes(r, d(as_of), p);
    milestones(&runs(r, &outcomes, d(as_of), p))
        .iter()
        .map(|m| (m.weeks, m.achieved.to_string(), m.run_start.to_string()))
        .collect()
}

fn m(weeks: i32, achieved: &str, run_start: &str) -> (i32, String, String) {
    (weeks, achieved.to_string(), run_start.to_string())
}

fn span(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// j1 worked 2024-04-01..2024-05-31, then j2 from `second_start` on.
fn two_jobs(second_start: &str) -> Value {
    json!({"received": "2024-03-01", "access": "2024-03-01",
           "jobs": [job("j1", "2024-04-01", json!({"end": "2024-05-31"})),
                    job("j2", second_start, json!({}))]})
}

#[test]
fn sus_1_gap_of_41_days_joins_the_run() {
    // 2024-06-01..2024-07-11 is 41 days out of work.
    assert_eq!(
        runs_of(two_jobs("2024-07-12"), "2024-12-31"),
        [span("2024-04-01", "2024-12-31")]
    );
}

#[test]
fn sus_1_gap_of_42_days_restarts_the_clock() {
    assert_eq!(
        runs_of(two_jobs("2024-07-13"), "2024-12-31"),
        [
            span("2024-04-01", "2024-05-31"),
            span("2024-07-13", "2024-12-31")
        ]
    );
    // The 13-week clock restarts: 2024-07-13 + 90 = 2024-10-11.
    assert_eq!(
        milestones_of(two_jobs("2024-07-13"), "2024-12-31"),
        [m(13, "2024-10-11", "2024-07-13")]
    );
}

#[test]
fn sus_1_policy_gap_days_moves_the_boundary() {
    let loaded = {
        let mut doc = doc(vec![referral("r1", two_jobs("2024-07-12"))]);
        doc["policy"] = json!({"sustainment_gap_days": 41});
        load(&doc)
    };
    let r = only_referral(&loaded);
    let p = &loaded.dataset.policy;
    let as_of = d("2024-12-31");
    assert_eq!(runs(r, &outcomes(r, as_of, p), as_of, p).len(), 2);
}

#[test]
fn sus_1_a_concurrent_shorter_job_does_not_end_the_run_early() {
    let r = json!({"jobs": [job("long", "2024-04-10", json!({})),
                            job("short", "2024-04-20", json!({"end": "2024-04-30"}))]});
    assert_eq!(runs_of(r, "2024-09-30"), [span("2024-04-10", "2024-09-30")]);
}

#[test]
fn sus_1_job_without_an_end_is_worked_up_to_the_as_of_date() {
    let r = json!({"jobs": [job("j1", "2024-04-10", json!({}))]});
    assert_eq!(runs_of(r, "2024-06-15"), [span("2024-04-10", "2024-06-15")]);
}

#[test]
fn sus_2_13_weeks_achieved_on_start_plus_90_when_working() {
    let r = json!({"received": "2024-03-01", "access": "2024-03-01",
                   "jobs": [job("j1", "2024-04-01", json!({}))]});
    assert_eq!(milestones_of(r.clone(), "2024-06-29"), []);
    assert_eq!(
        milestones_of(r, "2024-06-30"),
        [m(13, "2024-06-30", "2024-04-01")]
    );
}

#[test]
fn sus_2_job_ending_the_day_before_start_plus_90_does_not_reach_13_weeks() {
    let ending = |end: &str| {
        let r = json!({"received": "2024-03-01", "access": "2024-03-01",
                       "jobs": [job("j1", "2024-04-01", json!({"end": end}))]});
        milestones_of(r, "2025-03-31")
    };
    assert_eq!(ending("2024-06-29"), []);
    assert_eq!(ending("2024-06-30"), [m(13, "2024-06-30", "2024-04-01")]);
}

#[test]
fn sus_2_milestone_inside_a_break_is_achieved_on_the_first_worked_day_after() {
    // Run from 2024-04-01; 2024-06-30 falls in the 41-day break before j2.
    assert_eq!(
        milestones_of(two_jobs("2024-07-12"), "2024-09-28"),
        [m(13, "2024-07-12", "2024-04-01")]
    );
    assert_eq!(milestones_of(two_jobs("2024-07-12"), "2024-07-11"), []);
}

#[test]
fn sus_2_26_and_52_weeks() {
    let r = json!({"received": "2024-03-01", "access": "2024-03-01",
                   "jobs": [job("j1", "2024-04-01", json!({}))]});
    assert_eq!(
        milestones_of(r.clone(), "2025-03-29"),
        [
            m(13, "2024-06-30", "2024-04-01"),
            m(26, "2024-09-29", "2024-04-01")
        ]
    );
    assert_eq!(
        milestones_of(r, "2025-03-30"),
        [
            m(13, "2024-06-30", "2024-04-01"),
            m(26, "2024-09-29", "2024-04-01"),
            m(52, "2025-03-30", "2024-04-01")
        ]
    );
}

#[test]
fn sus_2_counted_in_the_period_containing_the_day() {
    let sustained = |start: &str, period: &str| {
        let r = referral(
            "r1",
            json!({"received": "2024-03-01", "access": "2024-03-01",
                   "jobs": [job("j1", start, json!({}))]}),
        );
        report_of(vec![r], period, "2025-03-31")["service"]["sustained"].clone()
    };
    let only_13 = json!({"w13": ue(1, 0), "w26": ue(0, 0), "w52": ue(0, 0)});
    let nothing = json!({"w13": ue(0, 0), "w26": ue(0, 0), "w52": ue(0, 0)});
    // 2024-04-01 + 90 = 2024-06-30 (Q1); 2024-04-02 + 90 = 2024-07-01 (Q2),
    // and 2024-04-02 + 181 = 2024-09-30 (Q2) as well.
    assert_eq!(sustained("2024-04-01", "2024/25-Q1"), only_13);
    assert_eq!(sustained("2024-04-02", "2024/25-Q1"), nothing);
    assert_eq!(
        sustained("2024-04-02", "2024/25-Q2"),
        json!({"w13": ue(1, 0), "w26": ue(1, 0), "w52": ue(0, 0)})
    );
    assert_eq!(sustained("2024-04-03", "2024/25-Q3")["w26"], ue(1, 0));
}

#[test]
fn sus_2_milestone_after_the_as_of_date_is_not_counted() {
    let r = referral(
        "r1",
        json!({"received": "2024-03-01", "access": "2024-03-01",
               "jobs": [job("j1", "2024-04-01", json!({}))]}),
    );
    let loaded = bundle(vec![r]);
    let w13 = |as_of| q1_service(&loaded, as_of)["sustained"]["w13"].clone();
    assert_eq!(w13("2024-06-29"), ue(0, 0));
    assert_eq!(w13("2024-06-30"), ue(1, 0));
}

#[test]
fn sus_3_one_of_each_per_referral() {
    // Two runs, each lasting 13 weeks: one 13-week outcome, from the first run;
    // the 26-week outcome comes from the second run (2024-10-01 + 181).
    let r = json!({"received": "2024-03-01", "access": "2024-03-01",
                   "jobs": [job("j1", "2024-04-01", json!({"end": "2024-07-31"})),
                            job("j2", "2024-10-01", json!({}))]});
    assert_eq!(
        milestones_of(r.clone(), "2025-03-31"),
        [
            m(13, "2024-06-30", "2024-04-01"),
            m(26, "2025-03-31", "2024-10-01")
        ]
    );
    let report = report_of(vec![referral("r1", r)], "2024/25", "2025-03-31");
    assert_eq!(report["service"]["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["service"]["sustained"]["w26"], ue(1, 0));
}

fn retained(return_to_work: Value) -> Value {
    json!({"status_at_referral": "employed", "received": "2024-04-02",
           "jobs": [job("kept", "2019-01-07",
               json!({"retained": true, "return_to_work": return_to_work}))]})
}

#[test]
fn sus_4_retained_job_counts_from_return_to_work() {
    // 2024-05-01 + 90 = 2024-07-30.
    assert_eq!(
        milestones_of(retained(json!("2024-05-01")), "2024-09-30"),
        [m(13, "2024-07-30", "2024-05-01")]
    );
    assert_eq!(
        milestones_of(retained(json!("2024-05-01")), "2024-07-29"),
        []
    );
    let report = report_of(
        vec![referral("r1", retained(json!("2024-05-01")))],
        "2024/25-Q2",
        "2024-09-30",
    );
    assert_eq!(report["service"]["sustained"]["w13"], ue(0, 1));
    assert_eq!(report["service"]["job_starts"], ue(0, 0));
}

#[test]
fn sus_4_retained_job_without_return_to_work_does_not_count() {
    assert_eq!(runs_of(retained(json!(null)), "2025-03-31"), []);
    assert_eq!(milestones_of(retained(json!(null)), "2025-03-31"), []);
}

#[test]
fn sus_4_retained_job_on_an_unemployed_referral_does_not_count() {
    let mut r = retained(json!("2024-05-01"));
    r["status_at_referral"] = json!("unemployed");
    assert_eq!(milestones_of(r, "2025-03-31"), []);
}

#[test]
fn sus_5_sustainment_is_counted_after_discharge() {
    // Discharged 2024-05-01; the job from 2024-04-15 goes on, as an in-work
    // check of 2024-08-01 shows (SUS-6): 13 weeks on 2024-07-14.
    let r = referral(
        "r1",
        json!({"discharge": {"date": "2024-05-01", "reason": "in work"},
               "in_work_checks": [{"date": "2024-08-01", "source": "payslip"}],
               "jobs": [job("j1", "2024-04-15", json!({}))]}),
    );
    let report = report_of(vec![r], "2024/25-Q2", "2024-09-30");
    assert_eq!(report["service"]["sustained"]["w13"], ue(1, 0));
    assert_eq!(es(&report, "es1")["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["service"]["caseload"]["open"], 0);
}

#[test]
fn sus_5_sustainment_is_counted_for_inactive_clients() {
    let r = referral(
        "r1",
        json!({"engagement": [{"date": "2024-05-01", "status": "not_seeking_work"}],
               "jobs": [job("j1", "2024-04-15", json!({}))]}),
    );
    let report = report_of(vec![r], "2024/25-Q2", "2024-09-30");
    assert_eq!(report["service"]["caseload"]["active"], 0);
    assert_eq!(report["service"]["sustained"]["w13"], ue(1, 0));
}

#[test]
fn sus_3_two_referrals_of_one_person_reaching_13_weeks_in_one_period_count_once_rev2() {
    let both = |second_es: &str| {
        report_of(
            vec![
                referral(
                    "r1",
                    json!({"client": "c1", "jobs": [job("j1", "2024-04-05", json!({}))]}),
                ),
                referral(
                    "r2",
                    json!({"client": "c1", "es": second_es,
                           "jobs": [job("j2", "2024-05-01", json!({}))]}),
                ),
            ],
            "2024/25",
            "2025-03-31",
        )
    };
    // Both referrals with es1: one person for es1, the team and the service.
    let report = both("es1");
    assert_eq!(es(&report, "es1")["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["teams"][0]["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["service"]["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["service"]["sustained"]["w26"], ue(1, 0));
    // One referral each: each ES counts the client once; team and service once.
    let report = both("es2");
    assert_eq!(es(&report, "es1")["sustained"]["w13"], ue(1, 0));
    assert_eq!(es(&report, "es2")["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["teams"][0]["sustained"]["w13"], ue(1, 0));
    assert_eq!(report["service"]["sustained"]["w13"], ue(1, 0));
}

#[test]
fn sus_3_one_person_sustained_in_two_periods_counts_in_each_rev2() {
    // r1 reaches 13 weeks in Q1 (2024-07-04 is Q2: use an earlier start), r2 in Q2.
    let loaded = bundle(vec![
        referral(
            "r1",
            json!({"client": "c1", "received": "2024-01-02", "access": "2024-01-02",
                   "jobs": [job("j1", "2024-02-01", json!({}))]}),
        ),
        referral(
            "r2",
            json!({"client": "c1", "jobs": [job("j2", "2024-05-01", json!({}))]}),
        ),
    ]);
    let w13 =
        |period| report_json(&loaded, period, "2025-03-31")["service"]["sustained"]["w13"].clone();
    // 2024-02-01 + 90 = 2024-05-01 (Q1); 2024-05-01 + 90 = 2024-07-30 (Q2).
    assert_eq!(w13("2024/25-Q1"), ue(1, 0));
    assert_eq!(w13("2024/25-Q2"), ue(1, 0));
    assert_eq!(w13("2024/25"), ue(1, 0));
}

// SUS-6 (rev. 3): after discharge, a job with no end is worked only as far
// as an in-work check shows. j1 starts 2024-04-15: 13 weeks on 2024-07-14,
// 26 on 2024-10-13, 52 on 2025-04-13.

/// `referral("r1")` with j1 from 2024-04-15 (changed by `job_extra`),
/// discharged on `discharge`, with in-work checks on `checks`.
fn discharged(discharge: &str, checks: &[&str], job_extra: Value) -> Value {
    let checks: Vec<Value> = checks
        .iter()
        .map(|c| json!({"date": c, "source": "employer"}))
        .collect();
    json!({"discharge": {"date": discharge, "reason": "in work"},
           "in_work_checks": checks,
           "jobs": [job("j1", "2024-04-15", job_extra)]})
}

fn weeks_of(extra: Value, as_of: &str) -> Vec<i32> {
    milestones_of(extra, as_of).iter().map(|m| m.0).collect()
}

#[test]
fn sus_6_discharge_stops_an_open_ended_job_the_day_before() {
    // Discharged on the 13-week day: last worked day 2024-07-13, no outcome.
    let on_the_day = discharged("2024-07-14", &[], json!({}));
    assert_eq!(
        runs_of(on_the_day.clone(), "2025-03-31"),
        [span("2024-04-15", "2024-07-13")]
    );
    assert_eq!(weeks_of(on_the_day, "2025-03-31"), Vec::<i32>::new());
    // Discharged the day after: worked on the 13-week day, and no further.
    assert_eq!(
        milestones_of(discharged("2024-07-15", &[], json!({})), "2025-03-31"),
        [m(13, "2024-07-14", "2024-04-15")]
    );
}

#[test]
fn sus_6_an_open_referral_works_to_the_as_of_date() {
    // Discharged after the as-of date: still open on it (T-3).
    let later = discharged("2025-05-01", &[], json!({}));
    assert_eq!(
        runs_of(later, "2025-03-31"),
        [span("2024-04-15", "2025-03-31")]
    );
}

#[test]
fn sus_6_an_in_work_check_on_the_milestone_day_counts_the_day_before_does_not() {
    let at = |check: &str| weeks_of(discharged("2024-05-01", &[check], json!({})), "2025-06-30");
    assert_eq!(at("2024-07-13"), Vec::<i32>::new());
    assert_eq!(at("2024-07-14"), [13]);
    assert_eq!(at("2024-10-12"), [13]);
    assert_eq!(at("2024-10-13"), [13, 26]);
    assert_eq!(at("2025-04-12"), [13, 26]);
    assert_eq!(at("2025-04-13"), [13, 26, 52]);
}

#[test]
fn sus_6_the_latest_check_counts_and_checks_before_discharge_change_nothing() {
    // A check before discharge (2024-04-30) shows nothing after it.
    let before = discharged("2024-05-01", &["2024-04-30"], json!({}));
    assert_eq!(
        runs_of(before, "2025-03-31"),
        [span("2024-04-15", "2024-04-30")]
    );
    // A check on the discharge day is from X on; the latest one wins.
    let checks = discharged("2024-05-01", &["2024-09-01", "2024-05-01"], json!({}));
    assert_eq!(
        runs_of(checks, "2025-03-31"),
        [span("2024-04-15", "2024-09-01")]
    );
}

#[test]
fn sus_6_a_check_after_the_as_of_date_does_not_exist_yet() {
    let extra = discharged("2024-05-01", &["2024-08-01"], json!({}));
    assert_eq!(weeks_of(extra.clone(), "2024-07-31"), Vec::<i32>::new());
    assert_eq!(weeks_of(extra, "2024-08-01"), [13]);
}

#[test]
fn sus_6_a_recorded_end_stands_after_discharge_an_end_after_as_of_does_not() {
    // Ended 2024-10-13, after discharge: worked to it, 26 weeks.
    let ended = discharged("2024-05-01", &[], json!({"end": "2024-10-13"}));
    assert_eq!(weeks_of(ended.clone(), "2025-03-31"), [13, 26]);
    // As of 2024-10-12 the end is not known yet: no end, and no check.
    assert_eq!(
        runs_of(ended, "2024-10-12"),
        [span("2024-04-15", "2024-04-30")]
    );
}

#[test]
fn sus_6_a_job_starting_on_the_discharge_day_has_no_worked_day_without_a_check() {
    let extra = json!({"received": "2024-04-02",
                       "discharge": {"date": "2024-06-01"},
                       "jobs": [job("j1", "2024-06-01", json!({}))]});
    assert_eq!(runs_of(extra.clone(), "2025-03-31"), []);
    let mut checked = extra;
    checked["in_work_checks"] = json!([{"date": "2024-09-01", "source": "client"}]);
    assert_eq!(
        runs_of(checked, "2025-03-31"),
        [span("2024-06-01", "2024-09-01")]
    );
}

#[test]
fn sus_6_a_retained_job_counts_from_return_to_work_after_discharge_as_far_as_a_check() {
    // Employed, discharged 2024-05-01, back at work 2024-06-01.
    let retained_after = |checks: Value| {
        json!({"status_at_referral": "employed",
               "discharge": {"date": "2024-05-01"},
               "in_work_checks": checks,
               "jobs": [job("j0", "2019-01-07", json!({"retained": true, "return_to_work": "2024-06-01"}))]})
    };
    assert_eq!(runs_of(retained_after(json!([])), "2025-03-31"), []);
    let checked = retained_after(json!([{"date": "2024-08-30", "source": "payslip"}]));
    assert_eq!(
        runs_of(checked.clone(), "2025-03-31"),
        [span("2024-06-01", "2024-08-30")]
    );
    // 13 weeks from 2024-06-01 is 2024-08-30.
    assert_eq!(
        milestones_of(checked, "2025-03-31"),
        [m(13, "2024-08-30", "2024-06-01")]
    );
}

#[test]
fn sus_6_not_counted_stops_every_job_the_day_before_discharge() {
    let not_counted = |extra: Value| {
        let mut loaded = bundle(vec![referral("r1", extra)]);
        loaded.dataset.policy.sustainment_after_discharge =
            ipstrack_core::policy::AfterDischarge::NotCounted;
        let r = only_referral(&loaded);
        let p = &loaded.dataset.policy;
        let found = outcomes(r, d("2025-03-31"), p);
        runs(r, &found, d("2025-03-31"), p)
            .iter()
            .map(|run| span(&run.start.to_string(), &run.last_worked.to_string()))
            .collect::<Vec<_>>()
    };
    // A check and an end after discharge change nothing.
    let checked = discharged("2024-08-01", &["2025-01-01"], json!({"end": "2024-12-01"}));
    assert_eq!(not_counted(checked), [span("2024-04-15", "2024-07-31")]);
    // An end before discharge stands.
    let ended = discharged("2024-08-01", &[], json!({"end": "2024-07-20"}));
    assert_eq!(not_counted(ended), [span("2024-04-15", "2024-07-20")]);
    // An open referral is not limited.
    assert_eq!(
        not_counted(json!({"jobs": [job("j1", "2024-04-15", json!({}))]})),
        [span("2024-04-15", "2025-03-31")]
    );
}

#[test]
fn sus_6_job_starts_and_the_working_rate_keep_the_recorded_end() {
    // j1 starts on the discharge day: no worked day for sustainment, yet a
    // job start, a person into work and working in the period (JOB-3..5,
    // RATE-3 as before).
    let r = referral(
        "r1",
        json!({"discharge": {"date": "2024-05-01"},
               "jobs": [job("j1", "2024-05-01", json!({"four_hours_confirmed": "2024-05-01"}))]}),
    );
    let report = report_of(vec![r], "2024/25", "2025-03-31");
    assert_eq!(report["service"]["job_starts"], ue(1, 0));
    assert_eq!(report["service"]["people_into_work"], ue(1, 0));
    assert_eq!(report["service"]["working_rate"]["numerator"], 1);
    assert_eq!(report["service"]["sustained"]["w13"], ue(0, 0));
}

#[test]
fn sus_6_a_milestones_evidence_says_why_it_counted_or_not() {
    use ipstrack_core::evidence::milestone_evidence;
    use ipstrack_core::jobs::WorkedTo;
    let evidence = |extra: Value| {
        let loaded = bundle(vec![referral("r1", extra)]);
        milestone_evidence(
            only_referral(&loaded),
            d("2025-03-31"),
            &loaded.dataset.policy,
        )
        .iter()
        .map(|e| (e.weeks, e.achieved.map(|a| a.to_string()), e.evidence))
        .collect::<Vec<_>>()
    };
    let a = |s: &str| Some(s.to_string());
    assert_eq!(
        evidence(discharged("2024-05-01", &["2024-10-20"], json!({}))),
        [
            (13, a("2024-07-14"), WorkedTo::InWorkCheck(d("2024-10-20"))),
            (26, a("2024-10-13"), WorkedTo::InWorkCheck(d("2024-10-20"))),
            (52, None, WorkedTo::InWorkCheck(d("2024-10-20"))),
        ]
    );
    assert_eq!(
        evidence(discharged("2024-05-01", &[], json!({"end": "2024-08-01"})))[0],
        (13, a("2024-07-14"), WorkedTo::RecordedEnd)
    );
    assert_eq!(
        evidence(discharged("2024-05-01", &[], json!({})))[0],
        (13, None, WorkedTo::Discharge)
    );
    assert_eq!(
        evidence(json!({"jobs": [job("j1", "2024-04-15", json!({}))]}))[2],
        (52, None, WorkedTo::StillInWork)
    );
    assert!(evidence(json!({})).is_empty());
}
