//! BAD-1 (errors: the bundle is refused whole, each error naming the record
//! and the field) and BAD-2 (data-quality warnings: the data is kept).

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

/// A valid bundle whose referral r1 has the one contact `contact`.
fn with_contact(contact: Value) -> Value {
    with_referral(json!({ "contacts": [contact] }))
}

#[test]
fn bad_1_unknown_contact_mechanism_names_the_record_and_field() {
    assert_refused(
        &with_contact(
            json!({"date": "2024-05-01", "kind": "remote", "mechanism": "carrier_pigeon"}),
        ),
        "referral r1",
        "contacts[0].mechanism",
        "referral r1: contacts[0].mechanism `carrier_pigeon` is not one of: face_to_face, telephone, video, email, text_message, other",
    );
}

#[test]
fn bad_1_contact_mechanism_must_fit_its_kind() {
    for mechanism in ["telephone", "video", "email", "text_message", "other"] {
        assert_refused(
            &with_contact(
                json!({"date": "2024-05-01", "kind": "face_to_face", "mechanism": mechanism}),
            ),
            "referral r1",
            "contacts[0].mechanism",
            &format!(
                "referral r1: contacts[0].mechanism `{mechanism}` does not fit a `face_to_face` contact"
            ),
        );
    }
    assert_refused(
        &with_contact(json!({"date": "2024-05-01", "kind": "remote", "mechanism": "face_to_face"})),
        "referral r1",
        "contacts[0].mechanism",
        "referral r1: contacts[0].mechanism `face_to_face` does not fit a `remote` contact",
    );
    // Every other pairing is accepted, and so is no mechanism at all.
    use ipstrack_core::bundle::{CONTACT_KINDS, MECHANISMS};
    for (kind, k) in CONTACT_KINDS {
        for (mechanism, m) in MECHANISMS {
            let fits = match kind {
                "face_to_face" => mechanism == "face_to_face",
                "remote" => mechanism != "face_to_face",
                _ => true,
            };
            assert_eq!(k.admits(m), fits, "{kind} by {mechanism}");
            let doc =
                with_contact(json!({"date": "2024-05-01", "kind": kind, "mechanism": mechanism}));
            if fits {
                let loaded = load(&doc);
                assert_eq!(loaded.dataset.referrals[0].contacts[0].mechanism, Some(m));
            } else {
                assert_eq!(refused(&doc).len(), 1, "{kind} by {mechanism}");
            }
        }
        let loaded = load(&with_contact(
            json!({"date": "2024-05-01", "kind": kind, "mechanism": null}),
        ));
        assert_eq!(loaded.dataset.referrals[0].contacts[0].mechanism, None);
    }
}

#[test]
fn bad_1_one_contact_is_checked_like_a_bundles() {
    use ipstrack_core::bundle::{ContactDoc, check_contact};
    use ipstrack_core::model::{ContactKind, Mechanism};
    let contact = |date: &str, kind: &str, mechanism: Option<&str>| ContactDoc {
        date: date.into(),
        kind: kind.into(),
        mechanism: mechanism.map(str::to_string),
        note: None,
    };
    let ok = check_contact(
        "referral r1",
        &contact("2024-05-01", "remote", Some("video")),
    )
    .unwrap();
    assert_eq!(
        (ok.kind, ok.mechanism),
        (ContactKind::Remote, Some(Mechanism::Video))
    );
    let errors = check_contact(
        "referral r1",
        &contact("2024-05-01", "face_to_face", Some("telephone")),
    )
    .unwrap_err()
    .0;
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].record.as_str(), errors[0].field.as_str()),
        ("referral r1", "contact.mechanism")
    );
    let errors = check_contact("referral r1", &contact("2024-5-1", "phone", Some("fax")))
        .unwrap_err()
        .0;
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["contact.date", "contact.kind", "contact.mechanism"]
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
fn bad_1_a_contacts_note_is_kept_and_bounded() {
    let with_note = |note: &str| {
        with_referral(
            json!({"contacts": [{"date": "2024-05-02", "kind": "face_to_face", "note": note}]}),
        )
    };
    let loaded = load(&with_note("Talked about CVs.\nNext: the Co-op."));
    let written =
        serde_json::to_value(ipstrack_core::bundle::to_document(&loaded.dataset)).unwrap();
    assert_eq!(
        written["referrals"][0]["contacts"][0]["note"],
        "Talked about CVs.\nNext: the Co-op."
    );
    assert_refused(
        &with_note(&"x".repeat(1_001)),
        "referral r1",
        "contacts[0].note",
        "referral r1: contacts[0].note must be 1000 characters or fewer",
    );
    let (_, field, _) = only_error(&with_note("bell\u{7}"));
    assert_eq!(field, "contacts[0].note");
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
