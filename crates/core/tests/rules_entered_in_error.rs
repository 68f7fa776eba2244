//! ERR-1 (issue 23, docs/rules.md "Referrals entered in error"): a referral
//! marked as entered in error is out of every figure, and restoring it (the
//! mark removed) brings every figure back. BAD-1 checks the mark.

mod common;

use common::*;
use ipstrack_core::bundle::{ReferralDoc, canonical, check_referral_change, parse_document};
use ipstrack_core::caseload::es_caseload;
use ipstrack_core::model::StaffIdx;
use ipstrack_core::worklist::worklist;
use serde_json::{Value, json};

const YEAR: &str = "2024/25";
const AS_OF: &str = "2025-03-31";

/// The mark of a referral entered in error.
fn mark() -> Value {
    json!({"date": "2024-06-01", "reason": "Referred twice: see r1", "recorded_by": "Sam Lead"})
}

/// `r2`, changed by `extra`, marked when `marked`: an unemployed referral of
/// its own client, accessed, with a job from 2024-05-01 that lasts (13, 26
/// weeks reached in the year) and a contact every week of April.
fn r2(marked: bool, extra: Value) -> Value {
    let mut r = referral(
        "r2",
        json!({"jobs": [job("j1", "2024-05-01", json!({}))],
               "contacts": [{"date": "2024-04-09", "kind": "face_to_face"}]}),
    );
    merge(&mut r, extra);
    if marked {
        r["entered_in_error"] = mark();
    }
    r
}

/// The report of the year with `r1` (counted) and `r2`, marked or not.
fn year_with(marked: bool, extra: Value) -> Value {
    report_of(
        vec![referral("r1", json!({})), r2(marked, extra)],
        YEAR,
        AS_OF,
    )
}

#[test]
fn err_1_a_referral_entered_in_error_is_out_of_referrals_and_access() {
    let counted = year_with(false, json!({}));
    assert_eq!(counted["service"]["referrals"], ue(2, 0));
    assert_eq!(counted["service"]["access"], ue(2, 0));
    let marked = year_with(true, json!({}));
    assert_eq!(marked["service"]["referrals"], ue(1, 0));
    assert_eq!(marked["service"]["access"], ue(1, 0));
    assert_eq!(es(&marked, "es1")["referrals"], ue(1, 0));
    assert_eq!(marked["teams"][0]["access"], ue(1, 0));
}

#[test]
fn err_1_a_referral_entered_in_error_is_out_of_job_starts_people_into_work_and_rates() {
    let counted = year_with(false, json!({}));
    assert_eq!(counted["service"]["job_starts"], ue(1, 0));
    assert_eq!(counted["service"]["people_into_work"], ue(1, 0));
    let marked = year_with(true, json!({}));
    assert_eq!(marked["service"]["job_starts"], ue(0, 0));
    assert_eq!(marked["service"]["people_into_work"], ue(0, 0));
    assert_eq!(
        marked["service"]["job_outcome_rate"]["numerator"],
        json!(0),
        "{}",
        marked["service"]["job_outcome_rate"]
    );
}

#[test]
fn err_1_a_referral_entered_in_error_is_out_of_sustainment() {
    let counted = year_with(false, json!({}));
    assert_eq!(counted["service"]["sustained"]["w13"], ue(1, 0));
    assert_eq!(counted["service"]["sustained"]["w26"], ue(1, 0));
    let marked = year_with(true, json!({}));
    assert_eq!(marked["service"]["sustained"]["w13"], ue(0, 0));
    assert_eq!(marked["service"]["sustained"]["w26"], ue(0, 0));
    assert_eq!(marked["service"]["sustainment_rate_13w"]["numerator"], 0);
}

#[test]
fn err_1_a_referral_entered_in_error_is_out_of_the_caseload_and_the_worklist() {
    // Both referrals open on 2024-04-20 (contacted, plan started).
    let day = "2024-04-20";
    let report = |marked| {
        report_of(
            vec![referral("r1", json!({})), r2(marked, json!({}))],
            "2024/25-Q1",
            day,
        )
    };
    assert_eq!(report(false)["service"]["caseload"]["open"], 2);
    assert_eq!(report(true)["service"]["caseload"]["open"], 1);
    assert_eq!(es(&report(true), "es1")["caseload"]["open"], 1);

    let counted = bundle(vec![referral("r1", json!({})), r2(false, json!({}))]);
    let marked = bundle(vec![referral("r1", json!({})), r2(true, json!({}))]);
    let caseload =
        |loaded: &ipstrack_core::Loaded| es_caseload(&loaded.dataset, StaffIdx(0), d(day));
    assert_eq!(caseload(&counted).entries.len(), 2);
    assert_eq!(caseload(&counted).open, 2);
    let after = caseload(&marked);
    assert_eq!(after.open, 1);
    let ids: Vec<&str> = after
        .entries
        .iter()
        .map(|e| marked.dataset.referrals[e.referral].id.as_str())
        .collect();
    assert_eq!(ids, ["r1"]);
    // Worklist: nothing of r2 (due contact, awaiting 4 hours, milestones).
    let on = |loaded: &ipstrack_core::Loaded, id: &str| {
        worklist(&loaded.dataset, d("2024-06-20"))
            .iter()
            .filter(|w| {
                w.referral
                    .is_some_and(|i| loaded.dataset.referrals[i].id == id)
            })
            .count()
    };
    assert!(on(&counted, "r2") > 0, "r2 is on the worklist when counted");
    assert_eq!(on(&marked, "r2"), 0);
}

#[test]
fn err_1_a_referral_entered_in_error_has_no_data_quality_warnings() {
    // A job with no hours: a BAD-2 warning, only while the referral counts.
    let no_hours = json!({"jobs": [job("j1", "2024-05-01", json!({"hours_per_week": null}))]});
    let counted = bundle(vec![r2(false, no_hours.clone())]);
    assert!(counted.warnings.iter().any(|w| w.record.starts_with("r2")));
    let marked = bundle(vec![r2(true, no_hours)]);
    assert!(marked.warnings.is_empty(), "{:?}", marked.warnings);
}

#[test]
fn err_1_a_referral_entered_in_error_is_out_of_mhs116_and_why_an_es_is_behind() {
    let counted = bundle(vec![referral("r1", json!({})), r2(false, json!({}))]);
    let marked = bundle(vec![referral("r1", json!({})), r2(true, json!({}))]);
    let mhs = |l: &ipstrack_core::Loaded| {
        ipstrack_core::mhsds::mhs116(&l.dataset, d(AS_OF), d(AS_OF)).referrals
    };
    assert_eq!(mhs(&counted), 2);
    assert_eq!(mhs(&marked), 1);
    // r2 has not met yet: awaiting a first meeting only while it counts.
    let waiting = json!({"access": null, "vocational_plan": null, "contacts": [], "jobs": []});
    let behind = |marked| {
        let l = bundle(vec![r2(marked, waiting.clone())]);
        let days = ipstrack_core::Period::parse(YEAR).unwrap().days();
        ipstrack_core::behind::reasons(&l.dataset, StaffIdx(0), days, d("2024-07-01"))
            .awaiting_first_meeting
    };
    assert_eq!(behind(false), 1);
    assert_eq!(behind(true), 0);
}

#[test]
fn err_1_restoring_brings_every_figure_back() {
    let before = year_with(false, json!({}));
    let marked = year_with(true, json!({}));
    assert_ne!(before, marked);
    // Restored: the mark removed from the bundle as the store removes it.
    let mut doc = doc(vec![referral("r1", json!({})), r2(true, json!({}))]);
    doc["referrals"][1]
        .as_object_mut()
        .unwrap()
        .remove("entered_in_error");
    assert_eq!(report_json(&load(&doc), YEAR, AS_OF), before);
}

#[test]
fn err_1_the_mark_is_kept_and_written_back_trimmed() {
    let mut r = r2(true, json!({}));
    r["entered_in_error"] = json!({"date": " 2024-06-01 ", "reason": "  Wrong person\nsee r1 ", "recorded_by": " Sam Lead "});
    let loaded = bundle(vec![r]);
    let e = loaded.dataset.referrals[0]
        .entered_in_error
        .as_ref()
        .unwrap();
    assert_eq!(e.on, d("2024-06-01"));
    assert_eq!(e.reason, "Wrong person\nsee r1");
    assert_eq!(e.by, "Sam Lead");
    let written = ipstrack_core::bundle::to_document(&loaded.dataset);
    let again = serde_json::to_value(&written.referrals[0]).unwrap();
    assert_eq!(
        again["entered_in_error"],
        json!({"date": "2024-06-01", "reason": "Wrong person\nsee r1", "recorded_by": "Sam Lead"})
    );
    // Counted referrals are written without the field: old bundles stay the same.
    let plain = serde_json::to_value(
        &ipstrack_core::bundle::to_document(&bundle(vec![r2(false, json!({}))]).dataset).referrals
            [0],
    )
    .unwrap();
    assert!(plain.get("entered_in_error").is_none());
}

#[test]
fn err_1_bad_1_the_mark_needs_a_reason_and_who_made_it_and_a_date_after_the_referral() {
    let with = |e: Value| doc(vec![merge_mark(e)]);
    let (record, field, text) = only_error(&with(json!({"reason": "  "})));
    assert_eq!(record, "referral r2");
    assert_eq!(field, "entered_in_error.reason");
    assert!(text.contains("missing required field"), "{text}");

    let (_, field, _) = only_error(&with(json!({"recorded_by": ""})));
    assert_eq!(field, "entered_in_error.recorded_by");

    let (_, field, text) = only_error(&with(json!({"reason": "x".repeat(501)})));
    assert_eq!(field, "entered_in_error.reason");
    assert!(text.contains("500 characters"), "{text}");
    load(&with(json!({"reason": "x".repeat(500)})));

    let (_, field, text) = only_error(&with(json!({"date": "2024-04-01"})));
    assert_eq!(field, "entered_in_error.date");
    assert!(text.contains("before received 2024-04-02"), "{text}");

    let (_, field, _) = only_error(&with(json!({"date": "2100-01-01"})));
    assert_eq!(field, "entered_in_error.date");

    let errors = refused(&with(json!({"by": "someone"})));
    assert!(!errors.is_empty(), "an unknown field is refused");
}

/// `r2` marked, its mark changed by `extra`.
fn merge_mark(extra: Value) -> Value {
    let mut r = r2(true, json!({}));
    let mut e = mark();
    merge(&mut e, extra);
    r["entered_in_error"] = e;
    r
}

#[test]
fn err_1_a_referral_entered_in_error_takes_no_change_but_its_restoring() {
    let doc = doc(vec![r2(true, json!({}))]);
    let bundle = canonical(&parse_document(&doc.to_string()).unwrap()).unwrap();
    let old: ReferralDoc = bundle.referrals[0].clone();
    let mut contact = old.clone();
    contact
        .contacts
        .get_or_insert_default()
        .push(ipstrack_core::bundle::ContactDoc {
            date: "2024-06-02".into(),
            kind: "remote".into(),
            mechanism: None,
            note: None,
            location: None,
        });
    let errors = check_referral_change(&old, &contact).unwrap_err();
    assert_eq!(errors.0[0].field, "entered_in_error");
    let mut restored = old.clone();
    restored.entered_in_error = None;
    check_referral_change(&old, &restored).expect("restoring is a change it takes");
    // And marking a counted referral is a change like any other.
    check_referral_change(&restored, &old).expect("marking");
}
