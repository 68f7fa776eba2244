//! BAD-1, revision 3: one check for a record wherever it comes from. Text is
//! stored as read after trimming, then must be non-empty where required, hold
//! something visible, and keep within its limit (stated once, in
//! `ipstrack_core::bundle::limits`); an identifier that must be unique (an NHS
//! number) is compared after trimming; the record as stored is exactly what
//! the loader reads back (`canonical`).

mod common;

use common::*;
use ipstrack_core::bundle::{BundleDoc, canonical, limits, to_document};
use serde_json::{Value, json};

fn with_referral(extra: Value) -> Value {
    let mut r = referral("r1", json!({"jobs": [job("j1", "2024-05-01", json!({}))]}));
    merge(&mut r, extra);
    doc(vec![r])
}

/// The fields of the only error of a refused bundle: (record, field).
#[track_caller]
fn refused_at(doc: &Value) -> (String, String, String) {
    only_error(doc)
}

#[test]
fn bad_1_text_is_stored_trimmed() {
    let mut doc = with_referral(json!({
        "discharge": {"date": "2024-09-01", "reason": "  moved away \n"},
        "decisions": [{"start": "2024-05-01", "status": "active", "reason": "\tagreed at MDT  "}],
        "jobs": [job("j1", "2024-05-01", json!({"employer": "  Co-op  "}))],
    }));
    doc["service"]["name"] = json!("  Test IPS ");
    doc["teams"][0]["name"] = json!(" North ");
    doc["staff"][0]["name"] = json!(" Staff es1 ");
    let loaded = load(&doc);
    let d = &loaded.dataset;
    assert_eq!(d.service.name, "Test IPS");
    assert_eq!(d.teams[0].name, "North");
    assert_eq!(d.staff[0].name, "Staff es1");
    let r = &d.referrals[0];
    assert_eq!(
        r.discharge.as_ref().unwrap().reason.as_deref(),
        Some("moved away")
    );
    assert_eq!(r.decisions[0].reason.as_deref(), Some("agreed at MDT"));
    assert_eq!(r.jobs[0].employer.as_deref(), Some("Co-op"));
}

#[test]
fn bad_1_enumerations_dates_and_ids_are_read_after_trimming() {
    let mut doc = with_referral(json!({
        "status_at_referral": " unemployed ",
        "access": " 2024-04-02",
        "jobs": [job("j1", "2024-05-01", json!({"type": "employee "}))],
    }));
    doc["referrals"][0]["id"] = json!(" r1 ");
    let loaded = load(&doc);
    assert_eq!(loaded.dataset.referrals[0].id, "r1");
    assert_eq!(loaded.dataset.referrals[0].access, Some(d("2024-04-02")));
}

#[test]
fn bad_1_a_blank_optional_text_is_none() {
    let loaded = load(&with_referral(json!({
        "discharge": {"date": "2024-09-01", "reason": "   "},
        "jobs": [job("j1", "2024-05-01", json!({"employer": " "}))],
    })));
    let r = &loaded.dataset.referrals[0];
    assert_eq!(r.discharge.as_ref().unwrap().reason, None);
    assert_eq!(r.jobs[0].employer, None);
}

#[test]
fn bad_1_a_required_name_of_spaces_is_missing() {
    let mut doc = with_referral(json!({}));
    doc["teams"][0]["name"] = json!("   ");
    let (record, field, _) = refused_at(&doc);
    assert_eq!((record.as_str(), field.as_str()), ("team t1", "name"));
}

#[test]
fn bad_1_a_name_of_only_invisible_or_bidi_characters_is_refused() {
    for name in [
        "\u{202E}",
        "\u{200B}",
        "\u{200B}\u{202E}\u{2066}",
        "\u{FEFF} \u{200D}",
    ] {
        let mut doc = with_referral(json!({}));
        doc["staff"][0]["name"] = json!(name);
        let (record, field, text) = refused_at(&doc);
        assert_eq!(
            (record.as_str(), field.as_str()),
            ("staff es1", "name"),
            "{name:?}: {text}"
        );
        let mut doc = with_referral(json!({}));
        doc["clients"][0]["family_name"] = json!(name);
        let (record, field, text) = refused_at(&doc);
        assert_eq!(
            (record.as_str(), field.as_str()),
            ("client c-r1", "family_name"),
            "{name:?}: {text}"
        );
        assert!(
            text.contains("no letter") || text.contains("reorders text"),
            "{text}"
        );
    }
}

#[test]
fn bad_1_a_character_that_reorders_text_is_refused_in_a_name() {
    let mut doc = with_referral(json!({}));
    doc["clients"][0]["given_name"] = json!("Ann\u{202E}eoj");
    let (_, field, text) = refused_at(&doc);
    assert_eq!(field, "given_name");
    assert!(text.contains("U+202E"), "{text}");
}

#[test]
fn bad_1_names_in_other_scripts_are_kept() {
    let mut doc = with_referral(json!({}));
    doc["clients"][0]["given_name"] = json!("Zoë");
    doc["clients"][0]["family_name"] = json!("عبد الله");
    doc["staff"][0]["name"] = json!("Siân O'Brien-Ng");
    let loaded = load(&doc);
    assert_eq!(
        loaded.dataset.clients[0].family_name.as_deref(),
        Some("عبد الله")
    );
}

/// Every limited free-text field, as (where in a referral document, limit).
#[test]
fn bad_1_every_free_text_field_has_a_limit_excel_can_hold() {
    for (field, max) in limits::TEXT_FIELDS {
        assert!(
            *max <= limits::EXCEL_CELL_CHARS,
            "{field}: {max} is more than an Excel cell holds"
        );
    }
    assert!(limits::TEXT_FIELDS.len() >= 14);
}

#[test]
fn bad_1_text_over_its_limit_is_refused_naming_the_field() {
    let long = |n: usize| "x".repeat(n);
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"discharge": {"date": "2024-09-01", "reason": long(limits::REASON_CHARS + 1)}}),
            "referral r1",
            "discharge.reason",
        ),
        (
            json!({"decisions": [{"start": "2024-05-01", "status": "active", "reason": long(limits::REASON_CHARS + 1)}]}),
            "referral r1",
            "decisions[0].reason",
        ),
        (
            json!({"jobs": [job("j1", "2024-05-01", json!({"employer": long(limits::EMPLOYER_CHARS + 1)}))]}),
            "referral r1 job j1",
            "employer",
        ),
    ];
    for (extra, record, field) in cases {
        let (r, f, text) = refused_at(&with_referral(extra));
        assert_eq!((r.as_str(), f.as_str()), (record, field), "{text}");
        assert!(text.contains("characters or fewer"), "{text}");
    }
    // At the limit: kept.
    load(&with_referral(
        json!({"discharge": {"date": "2024-09-01", "reason": long(limits::REASON_CHARS)}}),
    ));
}

#[test]
fn bad_1_a_formula_in_text_is_kept_as_text() {
    // Text is data: a spreadsheet export writes it as a string cell.
    let loaded = load(&with_referral(json!({
        "jobs": [job("j1", "2024-05-01", json!({"employer": "=HYPERLINK(\"x\")"}))],
    })));
    assert_eq!(
        loaded.dataset.referrals[0].jobs[0].employer.as_deref(),
        Some("=HYPERLINK(\"x\")")
    );
}

#[test]
fn bad_1_every_list_of_a_referral_has_a_count() {
    let reviews: Vec<String> = (0..=limits::PLAN_REVIEWS)
        .map(|i| Day::parse("2024-04-02").unwrap().plus(i as i32).to_string())
        .collect();
    let (record, field, text) = refused_at(&with_referral(json!({
        "vocational_plan": {"start": "2024-04-02", "end": null, "reviews": reviews},
    })));
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("referral r1", "vocational_plan.reviews"),
        "{text}"
    );
    let contacts: Vec<Value> = (0..=limits::CONTACTS)
        .map(|_| json!({"date": "2024-04-03", "kind": "face_to_face"}))
        .collect();
    let (_, field, _) = refused_at(&with_referral(json!({"contacts": contacts})));
    assert_eq!(field, "contacts");
}

#[test]
fn bad_1_an_id_has_a_limit() {
    let mut doc = with_referral(json!({}));
    let id = "r".repeat(limits::ID_CHARS + 1);
    doc["referrals"][0]["id"] = json!(id);
    let errors = refused(&doc);
    assert!(errors.iter().any(|e| e.field == "id"), "{errors:?}");
}

#[test]
fn bad_1_an_nhs_number_is_compared_after_trimming() {
    let mut doc = doc(vec![referral("r1", json!({})), referral("r2", json!({}))]);
    doc["clients"][0]["nhs_number"] = json!("9434765919");
    doc["clients"][1]["nhs_number"] = json!(" 9434765919 ");
    let (record, field, _) = refused_at(&doc);
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("client c-r2", "nhs_number")
    );
    // Written with spaces between its groups it is the same number.
    doc["clients"][1]["nhs_number"] = json!("943 476 5919");
    let (_, field, _) = refused_at(&doc);
    assert_eq!(field, "nhs_number");
}

#[test]
fn bad_1_an_nhs_number_is_kept_as_its_ten_digits() {
    let mut doc = with_referral(json!({}));
    doc["clients"][0]["nhs_number"] = json!(" 943 476 5919 ");
    let loaded = load(&doc);
    assert_eq!(
        loaded.dataset.clients[0].nhs_number.as_deref(),
        Some("9434765919")
    );
}

/// The stored form of a bundle (`canonical`) is what the loader reads back:
/// reading it again gives the same dataset and the same document.
#[test]
fn bad_1_the_canonical_document_reads_back_unchanged() {
    let mut doc = with_referral(json!({
        "status_at_referral": " unemployed",
        "discharge": {"date": "2024-09-01", "reason": "  moved away "},
        "contacts": [{"date": " 2024-04-03", "kind": "face_to_face", "note": "  met at the café\n "}],
        "jobs": [job("j1", "2024-05-01", json!({"employer": "  Co-op  ", "hours_per_week": 16.0}))],
    }));
    doc["clients"][0]["postcode"] = json!(" ls1 4ap ");
    let parsed: BundleDoc = serde_json::from_value(doc.clone()).unwrap();
    let stored = canonical(&parsed).expect("valid");
    let again = canonical(&stored).expect("the stored form is valid");
    assert_eq!(again, stored, "the stored form is a fixed point");
    assert_eq!(stored, to_document(&load(&doc).dataset));
    let r = &stored.referrals[0];
    assert_eq!(r.status_at_referral, "unemployed");
    assert_eq!(
        r.contacts.as_ref().unwrap()[0].note.as_deref(),
        Some("met at the café")
    );
    assert_eq!(stored.clients[0].postcode.as_deref(), Some("LS1 4AP"));
}

#[test]
fn bad_1_a_contact_note_keeps_its_line_breaks_but_not_other_controls() {
    let loaded = load(&with_referral(json!({
        "contacts": [{"date": "2024-04-03", "kind": "face_to_face", "note": "first\nsecond"}],
    })));
    assert_eq!(
        loaded.dataset.referrals[0].contacts[0].note.as_deref(),
        Some("first\nsecond")
    );
    let (_, field, _) = refused_at(&with_referral(json!({
        "contacts": [{"date": "2024-04-03", "kind": "face_to_face", "note": "bell\u{7}"}],
    })));
    assert_eq!(field, "contacts[0].note");
    // A line break is not allowed in a one-line field.
    let (_, field, _) = refused_at(&with_referral(json!({
        "jobs": [job("j1", "2024-05-01", json!({"employer": "Co-op\nLtd"}))],
    })));
    assert_eq!(field, "employer");
}

use ipstrack_core::Day;

mod transfers {
    use ipstrack_core::bundle::{ReferralDoc, TransferDoc, check_referral_change};

    fn referral(transfers: &[(&str, &str)]) -> ReferralDoc {
        let mut r = ReferralDoc::new(
            "r1".into(),
            "c1".into(),
            "2024-04-02".into(),
            "unemployed".into(),
        );
        r.es = Some("es1".into());
        r.transfers = Some(
            transfers
                .iter()
                .map(|(date, es)| TransferDoc {
                    date: (*date).into(),
                    es: (*es).into(),
                })
                .collect(),
        );
        r
    }

    #[test]
    fn bad_1_a_transfer_dated_before_the_current_assignment_is_refused() {
        let old = referral(&[("2024-06-01", "es2")]);
        let new = referral(&[("2024-06-01", "es2"), ("2024-05-01", "es3")]);
        let errors = check_referral_change(&old, &new).unwrap_err().0;
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].record.as_str(), errors[0].field.as_str()),
            ("referral r1", "transfers[1].date")
        );
        assert!(
            errors[0].message.contains("cannot be backdated"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn bad_1_a_transfer_on_the_day_of_the_current_assignment_or_later_is_kept() {
        let old = referral(&[("2024-06-01", "es2")]);
        for date in ["2024-06-01", "2024-06-02", "2025-01-01"] {
            let new = referral(&[("2024-06-01", "es2"), (date, "es3")]);
            check_referral_change(&old, &new).unwrap();
        }
    }

    #[test]
    fn bad_1_a_first_transfer_cannot_be_dated_before_the_referral_was_received() {
        let old = referral(&[]);
        let new = referral(&[("2024-04-01", "es2")]);
        assert!(check_referral_change(&old, &new).is_err());
        let new = referral(&[("2024-04-02", "es2")]);
        check_referral_change(&old, &new).unwrap();
    }

    #[test]
    fn bad_1_a_transfer_moved_earlier_than_the_one_it_follows_is_refused() {
        let old = referral(&[("2024-05-01", "es2"), ("2024-06-01", "es3")]);
        // The second transfer changed to a day before the first.
        let new = referral(&[("2024-05-01", "es2"), ("2024-04-20", "es3")]);
        assert!(check_referral_change(&old, &new).is_err());
        // Removing a transfer, or keeping them as they were, is no new date.
        check_referral_change(&old, &referral(&[("2024-05-01", "es2")])).unwrap();
        check_referral_change(&old, &old).unwrap();
    }
}

#[test]
fn bad_1_a_refusal_reads_the_same_on_a_form_and_in_the_api() {
    let e = &refused(&with_referral(
        json!({"discharge": {"date": "2024-09-01", "reason": "x".repeat(501)}}),
    ))[0];
    assert_eq!(e.field_name(), "reason");
    assert_eq!(e.plain(), "Reason must be 500 characters or fewer");
    let e = &refused(&with_referral(
        json!({"contacts": [{"date": "2024-04-03", "kind": "face_to_face", "note": "\u{200B}"}]}),
    ))[0];
    assert_eq!(e.field_name(), "note");
    assert_eq!(e.plain(), "Note holds no letter, number or symbol");
}

// BAD-1, revision 3: in-work checks (SUS-6), who agreed a team decision
// (ENG-3), the new policy values, and jobs held at referral.

fn check(date: &str, source: &str) -> Value {
    json!({"date": date, "source": source})
}

#[test]
fn bad_1_in_work_checks_are_read_with_their_source_and_note() {
    use ipstrack_core::model::CheckSource;
    let loaded = load(&with_referral(json!({
        "in_work_checks": [
            {"date": " 2024-09-01", "source": "payslip", "note": "  seen September's \n"},
            check("2024-10-01", "employer"),
            check("2024-11-01", " client "),
            {"date": "2024-12-01", "source": "other", "note": null},
        ],
    })));
    let checks = &loaded.dataset.referrals[0].in_work_checks;
    let sources: Vec<CheckSource> = checks.iter().map(|k| k.source).collect();
    assert_eq!(
        sources,
        [
            CheckSource::Payslip,
            CheckSource::Employer,
            CheckSource::Client,
            CheckSource::Other
        ]
    );
    assert_eq!(checks[0].date, d("2024-09-01"));
    assert_eq!(checks[0].note.as_deref(), Some("seen September's"));
    assert_eq!(checks[3].note, None);
    // Absent or null: none.
    assert!(
        load(&with_referral(json!({"in_work_checks": null})))
            .dataset
            .referrals[0]
            .in_work_checks
            .is_empty()
    );
}

#[test]
fn bad_1_an_in_work_check_before_the_received_date_is_refused() {
    // Received 2024-04-02: a check on that day is fine, the day before is not.
    load(&with_referral(
        json!({"in_work_checks": [check("2024-04-02", "client")]}),
    ));
    let (record, field, text) = refused_at(&with_referral(json!({
        "in_work_checks": [check("2024-05-01", "client"), check("2024-04-01", "client")],
    })));
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("referral r1", "in_work_checks[1].date")
    );
    assert!(text.contains("before received 2024-04-02"), "{text}");
}

#[test]
fn bad_1_an_in_work_check_names_the_field_of_each_mistake() {
    let cases = [
        (check("2024-13-01", "payslip"), "in_work_checks[0].date"),
        (check("2024-09-01", "letter"), "in_work_checks[0].source"),
        (json!({"source": "payslip"}), ""),
        (
            json!({"date": "2024-09-01", "source": "payslip",
                   "note": "x".repeat(limits::NOTE_CHARS + 1)}),
            "in_work_checks[0].note",
        ),
    ];
    for (k, field) in cases {
        let doc = with_referral(json!({"in_work_checks": [k]}));
        if field.is_empty() {
            // A missing date is a structural error of the document.
            let errors = refused(&doc);
            assert!(errors[0].to_string().contains("date"), "{errors:?}");
            continue;
        }
        let (record, f, text) = refused_at(&doc);
        assert_eq!(
            (record.as_str(), f.as_str()),
            ("referral r1", field),
            "{text}"
        );
    }
    // An unknown field in a check is refused (formats.md), not dropped.
    let errors = refused(&with_referral(json!({
        "in_work_checks": [{"date": "2024-09-01", "source": "payslip", "by": "es1"}],
    })));
    assert!(errors[0].to_string().contains("by"), "{errors:?}");
}

#[test]
fn bad_1_in_work_checks_have_a_count() {
    let checks: Vec<Value> = (0..=limits::IN_WORK_CHECKS)
        .map(|_| check("2024-09-01", "client"))
        .collect();
    let (_, field, _) = refused_at(&with_referral(json!({"in_work_checks": checks})));
    assert_eq!(field, "in_work_checks");
}

#[test]
fn bad_1_who_agreed_a_decision_is_trimmed_required_and_limited() {
    let decision = |agreed: Value| {
        with_referral(json!({"decisions": [
            {"start": "2024-05-01", "status": "active", "reason": "MDT", "agreed_by": agreed}
        ]}))
    };
    let loaded = load(&decision(json!([" es1 ", "Dr Patel"])));
    assert_eq!(
        loaded.dataset.referrals[0].decisions[0].agreed_by,
        ["es1", "Dr Patel"]
    );
    assert!(
        load(&decision(json!(null))).dataset.referrals[0].decisions[0]
            .agreed_by
            .is_empty()
    );
    let (_, field, _) = refused_at(&decision(json!(["es1", "  "])));
    assert_eq!(field, "decisions[0].agreed_by[1]");
    let (_, field, _) = refused_at(&decision(json!(["x".repeat(limits::AGREED_BY_CHARS + 1)])));
    assert_eq!(field, "decisions[0].agreed_by[0]");
    let many: Vec<String> = (0..=limits::AGREED_BY).map(|i| format!("p{i}")).collect();
    let (_, field, _) = refused_at(&decision(json!(many)));
    assert_eq!(field, "decisions[0].agreed_by");
}

#[test]
fn bad_1_the_revision_3_policy_values_are_read_and_checked() {
    use ipstrack_core::policy::AfterDischarge;
    let mut doc = with_referral(json!({}));
    assert_eq!(
        load(&doc).dataset.policy.sustainment_after_discharge,
        AfterDischarge::Evidenced,
        "the default"
    );
    doc["policy"] = json!({"sustainment_after_discharge": "not_counted",
                           "contact_due_days": 10, "plan_review_days": 60,
                           "rapid_search_days": 20});
    let p = load(&doc).dataset.policy.clone();
    assert_eq!(p.sustainment_after_discharge, AfterDischarge::NotCounted);
    assert_eq!(
        (p.contact_due_days, p.plan_review_days, p.rapid_search_days),
        (10, 60, 20)
    );
    doc["policy"] = json!({"sustainment_after_discharge": "never"});
    let (record, field, _) = refused_at(&doc);
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("policy", "sustainment_after_discharge")
    );
    doc["policy"] = json!({"rapid_search_days": -1});
    let (_, field, _) = refused_at(&doc);
    assert_eq!(field, "rapid_search_days");
}

#[test]
fn bad_1_a_retained_job_may_start_before_the_referral() {
    let doc = with_referral(json!({
        "status_at_referral": "employed",
        "jobs": [job("j0", "2019-06-01", json!({"retained": true, "return_to_work": "2024-05-01"})),
                 job("j1", "2024-03-01", json!({}))],
    }));
    let loaded = load(&doc);
    assert_eq!(loaded.dataset.referrals[0].jobs.len(), 2);
    // Only the new job starting before the referral is a BAD-2 warning.
    let records: Vec<&str> = loaded.warnings.iter().map(|w| w.record.as_str()).collect();
    assert_eq!(records, ["r1/j1"]);
}

#[test]
fn bad_1_the_canonical_document_keeps_the_revision_3_fields() {
    let mut doc = with_referral(json!({
        "in_work_checks": [{"date": "2024-09-01", "source": " payslip ", "note": " Sept "}],
        "decisions": [{"start": "2024-05-01", "status": "active", "reason": "MDT",
                       "agreed_by": [" es1", "Dr Patel "]}],
    }));
    doc["policy"] = json!({"sustainment_after_discharge": "not_counted",
                           "contact_due_days": 10, "plan_review_days": 60,
                           "rapid_search_days": 20});
    let parsed: BundleDoc = serde_json::from_value(doc.clone()).unwrap();
    let stored = canonical(&parsed).expect("valid");
    assert_eq!(canonical(&stored).expect("valid"), stored, "a fixed point");
    let written = serde_json::to_value(&stored).unwrap();
    assert_eq!(
        written["referrals"][0]["in_work_checks"],
        json!([{"date": "2024-09-01", "source": "payslip", "note": "Sept"}])
    );
    assert_eq!(
        written["referrals"][0]["decisions"][0]["agreed_by"],
        json!(["es1", "Dr Patel"])
    );
    assert_eq!(written["policy"], doc["policy"]);
    // Read back, the dataset is the same.
    let again = load(&written);
    assert_eq!(again.dataset, load(&doc).dataset);
    // Without them, nothing new is written.
    let plain = serde_json::to_value(
        canonical(&serde_json::from_value(with_referral(json!({}))).unwrap()).unwrap(),
    )
    .unwrap();
    assert!(plain["referrals"][0].get("in_work_checks").is_none());
    assert!(plain.get("policy").is_none());
}
