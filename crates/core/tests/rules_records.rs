//! R-1 (groups), R-2 (attribution), R-3 (who is listed), REF-1 and ACC-1/2.

mod common;

use common::*;
use serde_json::json;

#[test]
fn r_1_counts_are_split_by_employment_status_at_referral() {
    let report = q1_report(vec![
        referral("r1", json!({})),
        referral("r2", json!({"status_at_referral": "employed"})),
        referral("r3", json!({"status_at_referral": "employed"})),
    ]);
    assert_eq!(report["service"]["referrals"], ue(1, 2));
    assert_eq!(report["service"]["access"], ue(1, 2));
    assert_eq!(es(&report, "es1")["referrals"], ue(1, 2));
}

#[test]
fn r_1_rates_and_targets_use_the_unemployed_group_only() {
    // A target of 4 a year: 1.0 access and 0.4 people into work in Q1.
    let mut doc = doc(vec![
        referral("r1", json!({})),
        referral(
            "r2",
            json!({"status_at_referral": "employed",
                   "jobs": [job("j1", "2024-05-01", json!({}))]}),
        ),
    ]);
    doc["policy"] = json!({"access_target_year2": 4});
    let report = report_json(&load(&doc), Q1, Q1_END);
    let es1 = es(&report, "es1");
    assert_eq!(es1["people_into_work"], ue(0, 1));
    assert_eq!(
        es1["job_outcome_rate"],
        json!({"numerator": 0, "denominator": 1, "value": 0.0})
    );
    assert_eq!(es1["sustainment_rate_13w"]["pending"], 0);
    assert_eq!(es1["targets"]["access"], 1.0);
    assert_eq!(es1["targets"]["people_into_work"], 0.4);
    assert_eq!(es1["targets"]["status"]["access"], "met");
    assert_eq!(es1["targets"]["status"]["people_into_work"], "behind");
}

#[test]
fn r_2_referral_credited_on_received_date_job_start_on_job_date() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"transfers": [{"date": "2024-05-01", "es": "es2"}],
               "jobs": [job("j1", "2024-05-01", json!({}))]}),
    )]);
    let (es1, es2) = (es(&report, "es1"), es(&report, "es2"));
    assert_eq!(es1["referrals"], ue(1, 0));
    assert_eq!(es1["access"], ue(1, 0));
    assert_eq!(es1["job_starts"], ue(0, 0));
    assert_eq!(es2["referrals"], ue(0, 0));
    assert_eq!(es2["access"], ue(0, 0));
    assert_eq!(es2["job_starts"], ue(1, 0));
    assert_eq!(es2["people_into_work"], ue(1, 0));
    let team = &report["teams"][0];
    assert_eq!(team["referrals"], ue(1, 0));
    assert_eq!(team["job_starts"], ue(1, 0));
}

#[test]
fn r_2_access_credited_to_the_es_on_the_access_date() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"received": "2024-04-02", "access": "2024-04-10",
               "transfers": [{"date": "2024-04-10", "es": "es2"}]}),
    )]);
    assert_eq!(es(&report, "es1")["referrals"], ue(1, 0));
    assert_eq!(es(&report, "es1")["access"], ue(0, 0));
    assert_eq!(es(&report, "es2")["referrals"], ue(0, 0));
    assert_eq!(es(&report, "es2")["access"], ue(1, 0));
}

#[test]
fn r_2_job_start_the_day_before_a_transfer_stays_with_the_first_es() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"transfers": [{"date": "2024-05-02", "es": "es2"}],
               "jobs": [job("j1", "2024-05-01", json!({}))]}),
    )]);
    assert_eq!(es(&report, "es1")["job_starts"], ue(1, 0));
    assert_eq!(es(&report, "es2")["job_starts"], ue(0, 0));
}

#[test]
fn r_2_sustainment_is_credited_to_the_es_at_the_start_of_the_run() {
    let report = report_of(
        vec![referral(
            "r1",
            json!({"transfers": [{"date": "2024-06-01", "es": "es2"}],
                   "jobs": [job("j1", "2024-04-10", json!({}))]}),
        )],
        "2024/25-Q2",
        "2024-09-30",
    );
    // 2024-04-10 + 90 = 2024-07-09, in Q2; the run started with es1.
    assert_eq!(es(&report, "es1")["sustained"]["w13"], ue(1, 0));
    assert_eq!(es(&report, "es2")["sustained"]["w13"], ue(0, 0));
}

#[test]
fn r_2_unassigned_referrals_count_only_in_the_service() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"es": null, "jobs": [job("j1", "2024-05-01", json!({}))]}),
    )]);
    assert_eq!(report["service"]["referrals"], ue(1, 0));
    assert_eq!(report["service"]["access"], ue(1, 0));
    assert_eq!(report["service"]["job_starts"], ue(1, 0));
    assert_eq!(report["service"]["caseload"]["open"], 1);
    assert_eq!(report["teams"][0]["referrals"], ue(0, 0));
    assert_eq!(report["teams"][0]["caseload"]["open"], 0);
    assert_eq!(es(&report, "es1")["referrals"], ue(0, 0));
    assert_eq!(es(&report, "es1")["job_starts"], ue(0, 0));
}

#[test]
fn r_2_people_are_distinct_clients_within_each_es_team_and_service() {
    // One client, two referrals in the same quarter, one with each ES.
    let report = q1_report(vec![
        referral(
            "r1",
            json!({"client": "c1", "jobs": [job("j1", "2024-05-01", json!({}))]}),
        ),
        referral(
            "r2",
            json!({"client": "c1", "es": "es2", "received": "2024-04-03",
                   "access": "2024-04-03",
                   "jobs": [job("j1", "2024-05-02", json!({}))]}),
        ),
    ]);
    assert_eq!(report["service"]["referrals"], ue(2, 0));
    assert_eq!(report["service"]["access"], ue(1, 0));
    assert_eq!(report["service"]["people_into_work"], ue(1, 0));
    assert_eq!(report["service"]["job_starts"], ue(2, 0));
    assert_eq!(report["teams"][0]["access"], ue(1, 0));
    assert_eq!(es(&report, "es1")["access"], ue(1, 0));
    assert_eq!(es(&report, "es2")["access"], ue(1, 0));
}

#[test]
fn r_3_es_who_left_before_the_period_is_not_listed() {
    let loaded = load(&doc_with_staff(
        vec![
            staff("es1", json!({})),
            staff("es2", json!({"end_date": "2024-03-31"})),
            staff("es3", json!({"end_date": "2024-04-01"})),
            staff("es4", json!({"start_date": "2024-06-30"})),
            staff("es5", json!({"start_date": "2024-07-01"})),
        ],
        vec![],
    ));
    let report = report_json(&loaded, Q1, Q1_END);
    assert_eq!(ids(&report, "specialists"), ["es1", "es3", "es4"]);
    let q2 = report_json(&loaded, "2024/25-Q2", "2024-09-30");
    assert_eq!(ids(&q2, "specialists"), ["es1", "es4", "es5"]);
}

#[test]
fn r_3_team_leads_and_managers_are_not_listed() {
    let loaded = load(&doc_with_staff(
        vec![
            staff("es1", json!({})),
            staff("lead", json!({"role": "team_lead"})),
            staff("boss", json!({"role": "manager"})),
        ],
        vec![],
    ));
    let report = report_json(&loaded, Q1, Q1_END);
    assert_eq!(ids(&report, "specialists"), ["es1"]);
}

#[test]
fn r_3_every_team_is_listed_with_zeros() {
    let mut doc = doc(vec![referral("r1", json!({}))]);
    doc["teams"] = json!([{"id": "t2", "name": "South"}, {"id": "t1", "name": "North"}]);
    let report = report_json(&load(&doc), Q1, Q1_END);
    assert_eq!(ids(&report, "teams"), ["t1", "t2"]);
    let south = &report["teams"][1];
    assert_eq!(south["referrals"], ue(0, 0));
    assert_eq!(south["access"], ue(0, 0));
    assert_eq!(south["job_starts"], ue(0, 0));
    assert_eq!(
        south["caseload"],
        json!({"date": Q1_END, "active": 0, "open": 0, "on_hold": 0, "waiting_list": 0,
               "carried_over": 0, "active_per_fte": null})
    );
    assert_eq!(south["fidelity_caseload_score"], json!(null));
}

#[test]
fn r_3_es_with_nothing_is_listed_with_zeros() {
    let report = q1_report(vec![referral("r1", json!({}))]);
    let es2 = es(&report, "es2");
    assert_eq!(es2["referrals"], ue(0, 0));
    assert_eq!(es2["caseload"]["active"], 0);
    assert_eq!(es2["caseload"]["active_per_fte"], 0.0);
    assert_eq!(
        es2["job_outcome_rate"],
        json!({"numerator": 0, "denominator": 0, "value": null})
    );
    assert_eq!(es2["fidelity_caseload_score"], 5);
}

#[test]
fn ref_1_received_on_the_period_edges() {
    let report = q1_report_as_of(
        vec![
            referral("before", json!({"received": "2024-03-31", "access": null})),
            referral("first", json!({"received": "2024-04-01", "access": null})),
            referral("last", json!({"received": "2024-06-30", "access": null})),
            referral("after", json!({"received": "2024-07-01", "access": null})),
        ],
        "2024-09-30",
    );
    assert_eq!(report["service"]["referrals"], ue(2, 0));
    assert_eq!(es(&report, "es1")["referrals"], ue(2, 0));
}

#[test]
fn acc_1_access_before_received_is_refused() {
    let (record, field, text) = only_error(&doc(vec![referral(
        "r1",
        json!({"received": "2024-04-02", "access": "2024-04-01"}),
    )]));
    assert_eq!((record.as_str(), field.as_str()), ("referral r1", "access"));
    assert_eq!(
        text,
        "referral r1: access 2024-04-01 is before received 2024-04-02"
    );
}

#[test]
fn acc_1_access_on_the_received_date_is_fine() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"received": "2024-04-02", "access": "2024-04-02"}),
    )]);
    assert_eq!(report["service"]["access"], ue(1, 0));
}

#[test]
fn acc_1_access_is_never_inferred_from_contacts() {
    let report = q1_report(vec![referral(
        "r1",
        json!({"access": null,
               "contacts": [{"date": "2024-06-20", "kind": "face_to_face"}]}),
    )]);
    assert_eq!(report["service"]["access"], ue(0, 0));
    assert_eq!(report["service"]["caseload"]["open"], 0);
}

#[test]
fn acc_2_access_on_the_period_edges() {
    let report = q1_report_as_of(
        vec![
            referral(
                "before",
                json!({"received": "2024-03-01", "access": "2024-03-31"}),
            ),
            referral(
                "first",
                json!({"received": "2024-03-01", "access": "2024-04-01"}),
            ),
            referral(
                "last",
                json!({"received": "2024-03-01", "access": "2024-06-30"}),
            ),
            referral(
                "after",
                json!({"received": "2024-03-01", "access": "2024-07-01"}),
            ),
        ],
        "2024-09-30",
    );
    assert_eq!(report["service"]["access"], ue(2, 0));
}

#[test]
fn acc_2_one_person_with_two_referrals_counts_once_per_group() {
    let report = q1_report(vec![
        referral("r1", json!({"client": "c1"})),
        referral(
            "r2",
            json!({"client": "c1", "received": "2024-05-01", "access": "2024-05-01"}),
        ),
        referral(
            "r3",
            json!({"client": "c1", "status_at_referral": "employed",
                   "received": "2024-06-01", "access": "2024-06-01"}),
        ),
        referral("r4", json!({"client": "c2"})),
    ]);
    assert_eq!(report["service"]["referrals"], ue(3, 1));
    assert_eq!(report["service"]["access"], ue(2, 1));
    assert_eq!(es(&report, "es1")["access"], ue(2, 1));
}
