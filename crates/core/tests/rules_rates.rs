//! RATE-1 (job outcome rate), RATE-2 (13-week sustainment rate) and RATE-3
//! (working rate).

mod common;

use common::*;
use serde_json::{Value, json};

fn rate(numerator: u32, denominator: u32, value: Value) -> Value {
    json!({"numerator": numerator, "denominator": denominator, "value": value})
}

fn sustainment(numerator: u32, denominator: u32, pending: u32, value: Value) -> Value {
    json!({"numerator": numerator, "denominator": denominator, "pending": pending, "value": value})
}

/// The KPI `key` of the service (`who` is `"service"`) or of ES `who`.
fn kpi(report: &Value, who: &str, key: &str) -> Value {
    let block = if who == "service" {
        &report["service"]
    } else {
        es(report, who)
    };
    block[key].clone()
}

/// RATE-1 of the service or of one ES.
fn job_outcome_rate(report: &Value, who: &str) -> Value {
    kpi(report, who, "job_outcome_rate")
}

/// RATE-2 of the service or of one ES.
fn sustainment_rate(report: &Value, who: &str) -> Value {
    kpi(report, who, "sustainment_rate_13w")
}

/// RATE-2 of the service, es1 and es2, in that order.
fn sustainment_rates(report: &Value) -> [Value; 3] {
    ["service", "es1", "es2"].map(|who| sustainment_rate(report, who))
}

/// RATE-3 of the service or of one ES.
fn working_rate(report: &Value, who: &str) -> Value {
    kpi(report, who, "working_rate")
}

#[test]
fn rate_1_people_supported_and_into_work() {
    let report = q1_report(vec![
        referral(
            "into_work",
            json!({"jobs": [job("j1", "2024-05-01", json!({}))]}),
        ),
        referral("no_job", json!({})),
        referral(
            "from_last_year",
            json!({"received": "2024-02-01", "access": "2024-02-01"}),
        ),
        referral("employed", json!({"status_at_referral": "employed"})),
        referral("not_accessed", json!({"access": null})),
        referral(
            "closed_before",
            json!({"received": "2024-02-01", "access": "2024-02-01",
                   "discharge": {"date": "2024-04-01"}}),
        ),
    ]);
    assert_eq!(
        job_outcome_rate(&report, "service"),
        rate(1, 3, json!(0.3333))
    );
    assert_eq!(job_outcome_rate(&report, "es1"), rate(1, 3, json!(0.3333)));
}

#[test]
fn rate_1_discharged_on_the_second_day_was_supported_on_the_first() {
    let closed = |date: &str| {
        let r = referral(
            "r1",
            json!({"received": "2024-02-01", "access": "2024-02-01",
                   "discharge": {"date": date}}),
        );
        q1_report(vec![r])["service"]["job_outcome_rate"]["denominator"].clone()
    };
    assert_eq!(closed("2024-04-01"), 0);
    assert_eq!(closed("2024-04-02"), 1);
}

#[test]
fn rate_1_a_person_with_two_referrals_is_supported_once() {
    let report = q1_report(vec![
        referral("r1", json!({"client": "c1"})),
        referral(
            "r2",
            json!({"client": "c1", "jobs": [job("j1", "2024-05-01", json!({}))]}),
        ),
    ]);
    assert_eq!(job_outcome_rate(&report, "service"), rate(1, 1, json!(1.0)));
}

#[test]
fn rate_1_credited_to_the_es_on_the_last_supported_day() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"transfers": [{"date": "2024-06-01", "es": "es2"}],
               "jobs": [job("j1", "2024-05-01", json!({}))]}),
    )]);
    let (es1, es2) = (es(&report, "es1"), es(&report, "es2"));
    assert_eq!(es1["people_into_work"], ue(1, 0));
    assert_eq!(es1["job_outcome_rate"], rate(0, 0, json!(null)));
    assert_eq!(es2["people_into_work"], ue(0, 0));
    assert_eq!(es2["job_outcome_rate"], rate(1, 1, json!(1.0)));
}

#[test]
fn rate_1_last_supported_day_is_the_day_before_discharge() {
    // Transferred and discharged on the same day: es1 had the last supported day.
    let report = q1_report(vec![referral(
        "r1",
        json!({"transfers": [{"date": "2024-06-01", "es": "es2"}],
               "discharge": {"date": "2024-06-01"}}),
    )]);
    assert_eq!(job_outcome_rate(&report, "es1"), rate(0, 1, json!(0.0)));
    assert_eq!(job_outcome_rate(&report, "es2"), rate(0, 0, json!(null)));
}

#[test]
fn rate_1_last_supported_day_stops_at_the_as_of_date() {
    // Transferred on 2024-06-01: as known on 2024-05-31 es1 still has the person.
    let loaded = bundle(vec![referral(
        "r1",
        json!({"transfers": [{"date": "2024-06-01", "es": "es2"}]}),
    )]);
    let denominator = |as_of, id| {
        es(&report_json(&loaded, Q1, as_of), id)["job_outcome_rate"]["denominator"].clone()
    };
    assert_eq!(denominator("2024-05-31", "es1"), 1);
    assert_eq!(denominator("2024-05-31", "es2"), 0);
    assert_eq!(denominator("2024-06-01", "es1"), 0);
    assert_eq!(denominator("2024-06-01", "es2"), 1);
}

#[test]
fn rate_1_access_after_the_as_of_date_is_not_yet_supported() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"received": "2024-04-02", "access": "2024-05-10"}),
    )]);
    let denominator = |as_of| {
        report_json(&loaded, Q1, as_of)["service"]["job_outcome_rate"]["denominator"].clone()
    };
    assert_eq!(denominator("2024-05-09"), 0);
    assert_eq!(denominator("2024-05-10"), 1);
}

#[test]
fn rate_2_pending_until_first_start_plus_90() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"jobs": [job("j1", "2024-04-05", json!({}))]}),
    )]);
    let sus = |as_of| report_json(&loaded, Q1, as_of)["service"]["sustainment_rate_13w"].clone();
    // 2024-04-05 + 90 = 2024-07-04.
    assert_eq!(sus("2024-07-03"), sustainment(0, 0, 1, json!(null)));
    assert_eq!(sus("2024-07-04"), sustainment(1, 1, 0, json!(1.0)));
}

#[test]
fn rate_2_mature_but_not_sustained() {
    let report = q1_report_as_of(
        vec![referral(
            "r1",
            json!({"jobs": [job("j1", "2024-04-05", json!({"end": "2024-06-30"}))]}),
        )],
        "2024-07-04",
    );
    assert_eq!(
        sustainment_rate(&report, "service"),
        sustainment(0, 1, 0, json!(0.0))
    );
}

#[test]
fn rate_2_thirteen_weeks_from_any_run_count() {
    // The first run ends after 30 days; a second job 45 days later lasts 13 weeks.
    let report = q1_report_as_of(
        vec![referral(
            "r1",
            json!({"jobs": [job("j1", "2024-04-05", json!({"end": "2024-05-04"})),
                            job("j2", "2024-06-19", json!({}))]}),
        )],
        "2024-12-31",
    );
    assert_eq!(
        sustainment_rate(&report, "service"),
        sustainment(1, 1, 0, json!(1.0))
    );
}

#[test]
fn rate_2_counts_only_referrals_whose_first_outcome_is_in_the_period() {
    let report = q1_report_as_of(
        vec![
            referral(
                "in_q1",
                json!({"jobs": [job("j1", "2024-04-05", json!({}))]}),
            ),
            referral(
                "first_in_march",
                json!({"received": "2024-02-01", "access": "2024-02-01",
                       "jobs": [job("j1", "2024-03-20", json!({})),
                                job("j2", "2024-04-20", json!({}))]}),
            ),
            referral(
                "employed",
                json!({"status_at_referral": "employed",
                       "jobs": [job("j1", "2024-04-05", json!({}))]}),
            ),
        ],
        "2024-12-31",
    );
    assert_eq!(
        sustainment_rate(&report, "service"),
        sustainment(1, 1, 0, json!(1.0))
    );
}

#[test]
fn rate_2_credited_to_the_es_on_the_first_job_start() {
    let report = q1_report_as_of(
        vec![referral(
            "r1",
            json!({"transfers": [{"date": "2024-05-01", "es": "es2"}],
                   "jobs": [job("j1", "2024-04-05", json!({}))]}),
        )],
        "2024-12-31",
    );
    assert_eq!(
        sustainment_rate(&report, "es1"),
        sustainment(1, 1, 0, json!(1.0))
    );
    assert_eq!(
        sustainment_rate(&report, "es2"),
        sustainment(0, 0, 0, json!(null))
    );
}

#[test]
fn rate_3_working_rate_counts_a_job_started_before_the_period() {
    let worked = |end: Value| {
        let r = referral(
            "r1",
            json!({"received": "2024-02-01", "access": "2024-02-01",
                   "jobs": [job("j1", "2024-03-01", json!({"end": end}))]}),
        );
        let report = q1_report(vec![r]);
        (
            working_rate(&report, "service").clone(),
            job_outcome_rate(&report, "service").clone(),
        )
    };
    // Working in the period; already moved into work before it, so not
    // seeking work (RATE-1, rev. 2).
    assert_eq!(
        worked(json!(null)),
        (rate(1, 1, json!(1.0)), rate(0, 0, json!(null)))
    );
    assert_eq!(worked(json!("2024-04-01")).0, rate(1, 1, json!(1.0)));
    assert_eq!(worked(json!("2024-03-31")).0, rate(0, 1, json!(0.0)));
}

#[test]
fn rate_3_working_rate_uses_people_supported_as_denominator() {
    let report = q1_report(vec![
        referral(
            "working",
            json!({"jobs": [job("j1", "2024-06-30", json!({"hours_per_week": 37.5}))]}),
        ),
        referral("not_working", json!({})),
        referral("also_not", json!({})),
        referral(
            "employed_working",
            json!({"status_at_referral": "employed",
                   "jobs": [job("j1", "2024-05-01", json!({}))]}),
        ),
    ]);
    assert_eq!(working_rate(&report, "service"), rate(1, 3, json!(0.3333)));
}

// Revision 2: RATE-1 counts people seeking work; RATE-2 counts people.

/// A referral from 2024 Q4 of 2023/24 (received and accessed 2024-02-01) whose
/// only job starts on `start`, reported for Q1 2024/25.
fn moved_into_work_on(start: &str) -> Value {
    let r = referral(
        "r1",
        json!({"received": "2024-02-01", "access": "2024-02-01",
               "jobs": [job("j1", start, json!({}))]}),
    );
    q1_report(vec![r])["service"].clone()
}

#[test]
fn rate_1_moved_into_work_the_day_before_the_period_is_not_seeking_work_rev2() {
    let service = moved_into_work_on("2024-03-31");
    // In in-work support: supported (RATE-3) but not seeking work (RATE-1).
    assert_eq!(service["job_outcome_rate"], rate(0, 0, json!(null)));
    assert_eq!(service["working_rate"], rate(1, 1, json!(1.0)));
}

#[test]
fn rate_1_moved_into_work_on_the_first_day_of_the_period_is_seeking_work_rev2() {
    let service = moved_into_work_on("2024-04-01");
    assert_eq!(service["job_outcome_rate"], rate(1, 1, json!(1.0)));
    assert_eq!(service["working_rate"], rate(1, 1, json!(1.0)));
}

#[test]
fn rate_1_first_job_after_the_period_is_still_seeking_work_in_it_rev2() {
    // As of 2024-12-31 the first job (2024-08-01) is known; in Q1 the person
    // was still seeking work and did not move into work.
    let r = referral("r1", json!({"jobs": [job("j1", "2024-08-01", json!({}))]}));
    let report = q1_report(vec![r]);
    assert_eq!(job_outcome_rate(&report, "service"), rate(0, 1, json!(0.0)));
}

#[test]
fn rate_1_a_second_referral_still_seeking_work_keeps_the_person_in_rev2() {
    // One person: an old referral already in work, a new one seeking work.
    let report = q1_report(vec![
        referral(
            "old",
            json!({"client": "c1", "received": "2024-02-01", "access": "2024-02-01",
                   "jobs": [job("j1", "2024-03-01", json!({}))]}),
        ),
        referral("new", json!({"client": "c1"})),
    ]);
    assert_eq!(job_outcome_rate(&report, "service"), rate(0, 1, json!(0.0)));
    assert_eq!(working_rate(&report, "service"), rate(1, 1, json!(1.0)));
}

#[test]
fn rate_2_two_referrals_of_one_person_are_one_in_the_cohort_rev2() {
    // c1's first referral reaches no 13 weeks, the second does: one person,
    // achieved, credited to es1 (the earlier start) only.
    let report = q1_report_as_of(
        vec![
            referral(
                "r1",
                json!({"client": "c1",
                       "jobs": [job("j1", "2024-04-05", json!({"end": "2024-04-30"}))]}),
            ),
            referral(
                "r2",
                json!({"client": "c1", "es": "es2",
                       "jobs": [job("j2", "2024-05-01", json!({}))]}),
            ),
        ],
        "2024-12-31",
    );
    assert_eq!(
        sustainment_rates(&report),
        [
            sustainment(1, 1, 0, json!(1.0)),
            sustainment(1, 1, 0, json!(1.0)),
            sustainment(0, 0, 0, json!(null))
        ]
    );
}

#[test]
fn rate_2_cohort_tie_on_the_same_start_day_goes_to_the_referral_id_first_as_text_rev2() {
    // "r10" sorts before "r9" as text: es2 (r10's ES) is credited.
    let report = q1_report_as_of(
        vec![
            referral(
                "r9",
                json!({"client": "c1", "jobs": [job("j1", "2024-04-05", json!({}))]}),
            ),
            referral(
                "r10",
                json!({"client": "c1", "es": "es2",
                       "jobs": [job("j2", "2024-04-05", json!({}))]}),
            ),
        ],
        "2024-12-31",
    );
    assert_eq!(
        sustainment_rates(&report),
        [
            sustainment(1, 1, 0, json!(1.0)),
            sustainment(0, 0, 0, json!(null)),
            sustainment(1, 1, 0, json!(1.0))
        ]
    );
}

#[test]
fn rate_2_maturity_is_judged_from_the_cohort_start_rev2() {
    // Starts 2024-04-05 (r1) and 2024-06-01 (r2): mature on 2024-07-04 from the
    // earliest start, although r2's own start is not yet 90 days old.
    let loaded = bundle(vec![
        referral(
            "r1",
            json!({"client": "c1", "jobs": [job("j1", "2024-04-05", json!({"end": "2024-04-20"}))]}),
        ),
        referral(
            "r2",
            json!({"client": "c1", "jobs": [job("j2", "2024-06-01", json!({}))]}),
        ),
    ]);
    let sus = |as_of| report_json(&loaded, Q1, as_of)["service"]["sustainment_rate_13w"].clone();
    assert_eq!(sus("2024-07-03"), sustainment(0, 0, 1, json!(null)));
    assert_eq!(sus("2024-07-04"), sustainment(0, 1, 0, json!(0.0)));
    // r2 reaches 13 weeks on 2024-08-30: the person is then achieved.
    assert_eq!(sus("2024-08-30"), sustainment(1, 1, 0, json!(1.0)));
}
