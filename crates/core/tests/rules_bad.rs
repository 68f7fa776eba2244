//! BAD-1 (errors: the bundle is refused whole, each error naming the record
//! and the field). BAD-2 (data-quality warnings) is in rules_bad_warnings.rs,
//! contacts in rules_bad_contacts.rs, text and revision 3 in rules_bad_text.rs.

mod common;

use common::*;
use serde_json::{Value, json};

/// A valid bundle: referral r1 of es1 with job j1, changed by `extra`.
fn with_referral(extra: Value) -> Value {
    let mut r = referral("r1", json!({"jobs": [job("j1", "2024-05-01", json!({}))]}));
    merge(&mut r, extra);
    doc(vec![r])
}

/// A valid bundle whose job j1 is changed by `extra`.
fn with_job(extra: Value) -> Value {
    with_referral(json!({"jobs": [job("j1", "2024-05-01", extra)]}))
}

/// Asserts the bundle is refused with exactly one error, on `record` and
/// `field`, displayed as `text`.
#[track_caller]
fn assert_refused(doc: &Value, record: &str, field: &str, text: &str) {
    let (r, f, t) = only_error(doc);
    assert_eq!((r.as_str(), f.as_str(), t.as_str()), (record, field, text));
}

/// Asserts the only error's text starts with `start` (serde adds a position).
#[track_caller]
fn assert_refused_starting(doc_text: &str, start: &str) {
    let errors = refused_text(doc_text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = errors[0].to_string();
    assert!(
        text.starts_with(start),
        "{text:?} should start with {start:?}"
    );
}

#[test]
fn bad_1_the_base_bundle_is_valid() {
    let loaded = load(&with_referral(json!({})));
    assert_eq!(loaded.dataset.referrals.len(), 1);
    assert!(loaded.warnings.is_empty());
}

#[test]
fn bad_1_unknown_client() {
    let mut doc = with_referral(json!({}));
    doc["referrals"][0]["client"] = json!("c9");
    assert_refused(
        &doc,
        "referral r1",
        "client",
        "referral r1: client c9 is not a client of this bundle",
    );
}

#[test]
fn bad_1_unknown_team() {
    let mut doc = with_referral(json!({}));
    doc["staff"][1]["team"] = json!("t9");
    assert_refused(
        &doc,
        "staff es2",
        "team",
        "staff es2: team t9 is not a team of this bundle",
    );
}

#[test]
fn bad_1_unknown_es() {
    assert_refused(
        &with_referral(json!({"es": "es9"})),
        "referral r1",
        "es",
        "referral r1: es es9 is not a staff member of this bundle",
    );
    assert_refused(
        &with_referral(json!({"transfers": [{"date": "2024-05-01", "es": "es9"}]})),
        "referral r1",
        "transfers[0].es",
        "referral r1: transfers[0].es es9 is not a staff member of this bundle",
    );
}

#[test]
fn bad_1_referral_assigned_to_a_team_lead() {
    let doc = doc_with_staff(
        vec![
            staff("es1", json!({})),
            staff("lead", json!({"role": "team_lead"})),
        ],
        vec![referral("r1", json!({"es": "lead"}))],
    );
    assert_refused(
        &doc,
        "referral r1",
        "es",
        "referral r1: es lead is not an employment specialist (role es)",
    );
}

#[test]
fn bad_1_duplicate_referral_id() {
    let doc = doc(vec![
        referral("r1", json!({})),
        referral("r1", json!({"received": "2024-05-01", "access": null})),
    ]);
    assert_refused(&doc, "referral r1", "id", "referral r1: duplicate id r1");
}

#[test]
fn bad_1_duplicate_job_id_within_a_referral() {
    let doc = with_referral(json!({"jobs": [job("j1", "2024-05-01", json!({})),
                                            job("j1", "2024-06-01", json!({}))]}));
    assert_refused(
        &doc,
        "referral r1 job j1",
        "id",
        "referral r1 job j1: duplicate id j1",
    );
}

#[test]
fn bad_1_the_same_job_id_in_two_referrals_is_fine() {
    let doc = doc(vec![
        referral("r1", json!({"jobs": [job("j1", "2024-05-01", json!({}))]})),
        referral("r2", json!({"jobs": [job("j1", "2024-05-01", json!({}))]})),
    ]);
    assert_eq!(load(&doc).dataset.referrals.len(), 2);
}

#[test]
fn bad_1_duplicate_client_staff_and_team_ids() {
    let mut doc = with_referral(json!({}));
    doc["clients"] = json!([{"id": "c-r1"}, {"id": "c-r1"}]);
    assert_refused(&doc, "client c-r1", "id", "client c-r1: duplicate id c-r1");
    let doc = doc_with_staff(
        vec![staff("es1", json!({})), staff("es1", json!({}))],
        vec![],
    );
    assert_refused(&doc, "staff es1", "id", "staff es1: duplicate id es1");
    let mut doc = doc_with_staff(vec![], vec![]);
    doc["teams"] = json!([{"id": "t1", "name": "A"}, {"id": "t1", "name": "B"}]);
    assert_refused(&doc, "team t1", "id", "team t1: duplicate id t1");
}

#[test]
fn bad_1_malformed_date() {
    assert_refused(
        &with_referral(json!({"received": "2024-02-30", "access": null})),
        "referral r1",
        "received",
        "referral r1: received `2024-02-30` is not a date (YYYY-MM-DD)",
    );
    assert_refused(
        &with_job(json!({"start": "2024-5-01"})),
        "referral r1 job j1",
        "start",
        "referral r1 job j1: start `2024-5-01` is not a date (YYYY-MM-DD)",
    );
    assert_refused(
        &with_referral(
            json!({"contacts": [{"date": "2024-05-01", "kind": "remote"},
                                           {"date": "01/05/2024", "kind": "remote"}]}),
        ),
        "referral r1",
        "contacts[1].date",
        "referral r1: contacts[1].date `01/05/2024` is not a date (YYYY-MM-DD)",
    );
}

#[test]
fn bad_1_malformed_number() {
    assert_refused(
        &with_job(json!({"hours_per_week": 2.345})),
        "referral r1 job j1",
        "hours_per_week",
        "referral r1 job j1: hours_per_week 2.345 is not a number of hours with at most two decimal places",
    );
    assert_refused(
        &with_job(json!({"type": "zero_hours", "hours_per_week": null,
                         "weekly_hours": [1.5, 2.001]})),
        "referral r1 job j1",
        "weekly_hours[1]",
        "referral r1 job j1: weekly_hours[1] 2.001 is not a number of hours with at most two decimal places",
    );
    // Two decimal places are fine.
    let loaded = load(&with_job(json!({"hours_per_week": 2.35})));
    assert_eq!(
        loaded.dataset.referrals[0].jobs[0].hours_per_week,
        Some(ipstrack_core::model::Hours(235))
    );
}

#[test]
fn bad_1_job_end_before_start() {
    assert_refused(
        &with_job(json!({"end": "2024-04-30"})),
        "referral r1 job j1",
        "end",
        "referral r1 job j1: end 2024-04-30 is before start 2024-05-01",
    );
    load(&with_job(json!({"end": "2024-05-01"})));
}

#[test]
fn bad_1_hold_end_before_start() {
    assert_refused(
        &with_referral(json!({"holds": [{"start": "2024-05-02", "end": "2024-05-01"}]})),
        "referral r1",
        "holds[0].end",
        "referral r1: holds[0].end 2024-05-01 is before its start 2024-05-02",
    );
    load(&with_referral(
        json!({"holds": [{"start": "2024-05-02", "end": "2024-05-02"}]}),
    ));
}

#[test]
fn bad_1_plan_end_before_start() {
    assert_refused(
        &with_referral(json!({"vocational_plan": {"start": "2024-05-02", "end": "2024-05-01"}})),
        "referral r1",
        "vocational_plan.end",
        "referral r1: vocational_plan.end 2024-05-01 is before its start 2024-05-02",
    );
}

#[test]
fn bad_1_waiting_list_and_decision_end_before_start() {
    assert_refused(
        &with_referral(json!({"waiting_list": [{"start": "2024-05-02", "end": "2024-05-01"}]})),
        "referral r1",
        "waiting_list[0].end",
        "referral r1: waiting_list[0].end 2024-05-01 is before its start 2024-05-02",
    );
    assert_refused(
        &with_referral(
            json!({"decisions": [{"start": "2024-05-02", "end": "2024-05-01",
                                             "status": "active", "reason": "r"}]}),
        ),
        "referral r1",
        "decisions[0].end",
        "referral r1: decisions[0].end 2024-05-01 is before its start 2024-05-02",
    );
}

#[test]
fn bad_1_staff_end_before_start() {
    let doc = doc_with_staff(
        vec![staff("es1", json!({"end_date": "2020-01-05"}))],
        vec![],
    );
    assert_refused(
        &doc,
        "staff es1",
        "end_date",
        "staff es1: end_date 2020-01-05 is before start_date 2020-01-06",
    );
}

#[test]
fn bad_1_discharge_before_received() {
    assert_refused(
        &with_referral(json!({"discharge": {"date": "2024-04-01", "reason": "x"}})),
        "referral r1",
        "discharge.date",
        "referral r1: discharge 2024-04-01 is before received 2024-04-02",
    );
    // Discharged on the day it was received is fine.
    load(&with_referral(json!({"discharge": {"date": "2024-04-02"}})));
}

#[test]
fn bad_1_access_before_received() {
    assert_refused(
        &with_referral(json!({"access": "2024-04-01"})),
        "referral r1",
        "access",
        "referral r1: access 2024-04-01 is before received 2024-04-02",
    );
}

#[test]
fn bad_1_negative_weekly_hours() {
    assert_refused(
        &with_job(json!({"hours_per_week": -1})),
        "referral r1 job j1",
        "hours_per_week",
        "referral r1 job j1: hours_per_week -1 is outside 0 to 168 hours a week",
    );
    assert_refused(
        &with_job(json!({"type": "zero_hours", "hours_per_week": null, "weekly_hours": [-0.5]})),
        "referral r1 job j1",
        "weekly_hours[0]",
        "referral r1 job j1: weekly_hours[0] -0.5 is outside 0 to 168 hours a week",
    );
}

#[test]
fn bad_1_weekly_hours_over_168() {
    assert_refused(
        &with_job(json!({"hours_per_week": 168.01})),
        "referral r1 job j1",
        "hours_per_week",
        "referral r1 job j1: hours_per_week 168.01 is outside 0 to 168 hours a week",
    );
    let loaded = load(&with_job(json!({"hours_per_week": 168})));
    assert_eq!(
        loaded.dataset.referrals[0].jobs[0].hours_per_week,
        Some(ipstrack_core::model::Hours(16_800))
    );
}

#[test]
fn bad_1_fte_outside_0_to_1() {
    for (fte, shown) in [(json!(0), "0"), (json!(1.5), "1.5"), (json!(-0.5), "-0.5")] {
        let doc = doc_with_staff(vec![staff("es1", json!({"fte": fte}))], vec![]);
        assert_refused(
            &doc,
            "staff es1",
            "fte",
            &format!("staff es1: fte {shown} is outside (0, 1]"),
        );
    }
    for fte in [json!(1), json!(0.0001)] {
        load(&doc_with_staff(
            vec![staff("es1", json!({"fte": fte}))],
            vec![],
        ));
    }
}

#[test]
fn bad_1_unknown_enumeration_value() {
    assert_refused(
        &with_referral(json!({"status_at_referral": "retired"})),
        "referral r1",
        "status_at_referral",
        "referral r1: status_at_referral `retired` is not one of: unemployed, employed",
    );
    assert_refused(
        &with_referral(json!({"contacts": [{"date": "2024-05-01", "kind": "email"}]})),
        "referral r1",
        "contacts[0].kind",
        "referral r1: contacts[0].kind `email` is not one of: face_to_face, remote, in_work_support, assertive_engagement",
    );
    assert_refused(
        &with_job(json!({"type": "freelance"})),
        "referral r1 job j1",
        "type",
        "referral r1 job j1: type `freelance` is not one of: employee, zero_hours, self_employed, apprenticeship, paid_placement",
    );
    let doc = doc_with_staff(vec![staff("es1", json!({"role": "boss"}))], vec![]);
    assert_refused(
        &doc,
        "staff es1",
        "role",
        "staff es1: role `boss` is not one of: es, team_lead, manager, admin",
    );
}

#[test]
fn bad_1_missing_required_field() {
    let mut doc = with_referral(json!({}));
    doc["referrals"][0]
        .as_object_mut()
        .unwrap()
        .remove("received");
    assert_refused_starting(&doc.to_string(), "referral r1: missing field `received`");
    let mut doc = with_referral(json!({}));
    doc["referrals"][0]["jobs"][0]
        .as_object_mut()
        .unwrap()
        .remove("start");
    assert_refused_starting(
        &doc.to_string(),
        "referral r1: jobs[0]: missing field `start`",
    );
}

#[test]
fn bad_1_empty_id_is_a_missing_required_field() {
    let mut doc = with_referral(json!({}));
    doc["referrals"][0]["id"] = json!("");
    let errors = refused(&doc);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].record.as_str(), errors[0].field.as_str()),
        ("referral #1", "id")
    );
}

#[test]
fn bad_1_unknown_field() {
    let mut doc = with_referral(json!({}));
    doc["referrals"][0]["recieved"] = json!("2024-04-02");
    assert_refused_starting(
        &doc.to_string(),
        "referral r1: recieved: unknown field `recieved`",
    );
    let errors = refused(&doc);
    assert_eq!(
        (errors[0].record.as_str(), errors[0].field.as_str()),
        ("referral r1", "recieved")
    );
}

#[test]
fn bad_1_wrong_format_string() {
    let mut doc = with_referral(json!({}));
    doc["format"] = json!("ipstrack-bundle/2");
    assert_refused(
        &doc,
        "",
        "format",
        "format `ipstrack-bundle/2` is not ipstrack-bundle/1",
    );
}

#[test]
fn bad_1_truncated_file() {
    let text = with_referral(json!({})).to_string();
    assert_refused_starting(&text[..text.len() / 2], "not a valid JSON document");
}

#[test]
fn bad_1_non_json_file() {
    assert_refused_starting(
        "id,client,received\nr1,c1,2024-04-02\n",
        "not a valid JSON document",
    );
    assert_refused_starting("", "not a valid JSON document");
}

#[test]
fn bad_1_several_errors_are_all_reported() {
    let mut doc = doc_with_staff(
        vec![staff("es1", json!({})), staff("es2", json!({"fte": 0}))],
        vec![
            referral("r1", json!({"received": "2024-02-30", "access": null})),
            referral("r2", json!({"discharge": {"date": "2024-04-01"}})),
            referral(
                "r3",
                json!({"jobs": [job("j1", "2024-05-01", json!({"type": "volunteering"}))]}),
            ),
        ],
    );
    doc["referrals"][0]["client"] = json!("c9");
    let mut found: Vec<(String, String)> = refused(&doc)
        .into_iter()
        .map(|e| (e.record, e.field))
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = [
        ("referral r1", "client"),
        ("referral r1", "received"),
        ("referral r2", "discharge.date"),
        ("referral r3 job j1", "type"),
        ("staff es2", "fte"),
    ]
    .iter()
    .map(|(r, f)| (r.to_string(), f.to_string()))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn bad_1_a_self_employments_evidence_is_kept_and_bounded() {
    let job = |evidence: &str| {
        with_job(
            json!({"type": "self_employed", "self_employment_registration": "sole_trader",
                        "self_employment_evidence": evidence}),
        )
    };
    let loaded = load(&job("UTR 1234567890"));
    let written =
        serde_json::to_value(ipstrack_core::bundle::to_document(&loaded.dataset)).unwrap();
    assert_eq!(
        written["referrals"][0]["jobs"][0]["self_employment_evidence"],
        "UTR 1234567890"
    );
    let (record, field, _) = only_error(&job(&"x".repeat(101)));
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("referral r1 job j1", "self_employment_evidence")
    );
}

#[test]
fn bad_1_a_vocational_plans_reviews_are_dates_from_its_start() {
    let plan = |reviews: serde_json::Value| {
        with_referral(
            json!({"access": "2024-04-10", "vocational_plan": {"start": "2024-04-10", "end": null,
            "reviews": reviews, "agreed_with_clinical_team": true}}),
        )
    };
    let loaded = load(&plan(json!(["2024-07-01", "2024-05-01"])));
    let r = only_referral(&loaded);
    assert_eq!(
        r.plan_reviews,
        [d("2024-05-01"), d("2024-07-01")],
        "in order"
    );
    assert_eq!(r.plan_agreed, Some(true));
    let written =
        serde_json::to_value(ipstrack_core::bundle::to_document(&loaded.dataset)).unwrap();
    assert_eq!(
        written["referrals"][0]["vocational_plan"],
        json!({"start": "2024-04-10", "end": null, "reviews": ["2024-05-01", "2024-07-01"], "agreed_with_clinical_team": true})
    );
    assert_refused(
        &plan(json!(["2024-04-01"])),
        "referral r1",
        "vocational_plan.reviews[0]",
        "referral r1: vocational_plan.reviews[0] 2024-04-01 is before the plan's start",
    );
}
