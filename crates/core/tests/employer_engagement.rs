//! Employer engagement (issue 13): employer contacts in the bundle (BAD-1
//! checks of each field), written back, and counted by week (Monday to
//! Sunday) for one ES.

mod common;

use common::*;
use ipstrack_core::bundle::{BundleDoc, EmployerContactDoc, check_employer_contact, to_document};
use ipstrack_core::employer_engagement::{employer_engagement, monday_of};
use ipstrack_core::model::Role;
use ipstrack_core::model::StaffIdx;
use ipstrack_core::read_bundle;
use ipstrack_core::time::DayRange;
use serde_json::{Value, json};

fn contact(id: &str, es: &str, date: &str, kind: &str) -> Value {
    json!({"id": id, "es": es, "date": date, "employer": "Greggs", "kind": kind})
}

/// A bundle with `es1`, `es2`, a lead `tl1`, one referral (client `c-r1`)
/// and these employer contacts.
fn bundle(contacts: Vec<Value>) -> Value {
    let mut doc = doc_with_staff(
        vec![
            staff("es1", json!({})),
            staff("es2", json!({})),
            staff("tl1", json!({"role": "team_lead"})),
        ],
        vec![referral("r1", json!({}))],
    );
    doc["employer_contacts"] = Value::Array(contacts);
    doc
}

fn errors_of(doc: &Value) -> Vec<(String, String)> {
    match read_bundle(&doc.to_string()) {
        Ok(_) => vec![],
        Err(e) => e.0.into_iter().map(|e| (e.record, e.field)).collect(),
    }
}

#[test]
fn bad_1_a_bundle_without_employer_contacts_reads_and_writes_as_before() {
    let doc = bundle(vec![]);
    let mut old = doc.clone();
    old.as_object_mut().unwrap().remove("employer_contacts");
    let loaded = load(&old);
    assert!(loaded.dataset.employer_contacts.is_empty());
    let written = serde_json::to_value(to_document(&loaded.dataset)).unwrap();
    assert!(
        written.get("employer_contacts").is_none(),
        "left out when none"
    );
}

#[test]
fn bad_1_employer_contacts_round_trip_through_the_bundle() {
    let mut with_all = contact("ec2", "es2", "2024-05-07", "visit");
    with_all["note"] = json!("Met the manager; two warehouse roles in June");
    with_all["client"] = json!("c-r1");
    let doc = bundle(vec![contact("ec1", "es1", "2024-05-06", "call"), with_all]);
    let loaded = load(&doc);
    assert_eq!(loaded.dataset.employer_contacts.len(), 2);
    let written = to_document(&loaded.dataset);
    let read: BundleDoc = serde_json::from_value(doc).unwrap();
    assert_eq!(written.employer_contacts, read.employer_contacts);
}

#[test]
fn bad_1_each_employer_contact_field_is_checked_and_named() {
    let mut long_note = contact("ec5", "es1", "2024-05-06", "visit");
    long_note["note"] = json!("x".repeat(1_001));
    let mut unknown_client = contact("ec6", "es1", "2024-05-06", "visit");
    unknown_client["client"] = json!("c-nobody");
    let mut blank_employer = contact("ec7", "es1", "2024-05-06", "visit");
    blank_employer["employer"] = json!("  ");
    let mut long_employer = contact("ec8", "es1", "2024-05-06", "visit");
    long_employer["employer"] = json!("E".repeat(201));
    let doc = bundle(vec![
        contact("ec1", "es9", "2024-05-06", "visit"),
        contact("ec2", "tl1", "2024-05-06", "visit"),
        contact("ec3", "es1", "2024-02-30", "visit"),
        contact("ec4", "es1", "2024-05-06", "lunch"),
        long_note,
        unknown_client,
        blank_employer,
        long_employer,
        contact("ec1", "es1", "2024-05-06", "visit"),
    ]);
    let errors = errors_of(&doc);
    for (record, field) in [
        ("employer contact ec1", "es"),
        ("employer contact ec2", "es"),
        ("employer contact ec3", "date"),
        ("employer contact ec4", "kind"),
        ("employer contact ec5", "note"),
        ("employer contact ec6", "client"),
        ("employer contact ec7", "employer"),
        ("employer contact ec8", "employer"),
        ("employer contact ec1", "id"),
    ] {
        assert!(
            errors.contains(&(record.to_string(), field.to_string())),
            "{record} {field} not in {errors:?}"
        );
    }
}

#[test]
fn bad_1_one_employer_contact_is_checked_as_in_a_bundle() {
    let doc: EmployerContactDoc =
        serde_json::from_value(contact("ec1", "es1", "2024-05-06", "visit")).unwrap();
    assert!(check_employer_contact(&doc, Some(Role::Es), true).is_ok());
    let fields = |r: Result<EmployerContactDoc, ipstrack_core::BundleErrors>| -> Vec<String> {
        r.unwrap_err().0.into_iter().map(|e| e.field).collect()
    };
    assert_eq!(fields(check_employer_contact(&doc, None, true)), ["es"]);
    assert_eq!(
        fields(check_employer_contact(&doc, Some(Role::TeamLead), true)),
        ["es"]
    );
    let mut for_client = doc.clone();
    for_client.client = Some("c1".into());
    assert_eq!(
        fields(check_employer_contact(&for_client, Some(Role::Es), false)),
        ["client"]
    );
}

#[test]
fn weeks_run_monday_to_sunday() {
    // 2024-05-06 was a Monday, 2024-05-12 a Sunday.
    assert_eq!(monday_of(d("2024-05-06")), d("2024-05-06"));
    assert_eq!(monday_of(d("2024-05-12")), d("2024-05-06"));
    assert_eq!(monday_of(d("2024-05-13")), d("2024-05-13"));
    assert_eq!(monday_of(d("1970-01-01")), d("1969-12-29"));
    assert_eq!(monday_of(d("1900-01-01")), d("1900-01-01"));
}

#[test]
fn employer_contacts_are_counted_by_week_for_their_es_within_the_days() {
    let doc = bundle(vec![
        contact("ec1", "es1", "2024-05-05", "visit"), // Sunday before: outside
        contact("ec2", "es1", "2024-05-06", "visit"), // Monday: week 1
        contact("ec3", "es1", "2024-05-12", "call"),  // Sunday: still week 1
        contact("ec4", "es1", "2024-05-13", "email"), // Monday: week 2
        contact("ec5", "es2", "2024-05-07", "visit"), // another ES
        contact("ec6", "es1", "2024-05-20", "visit"), // after the days
    ]);
    let loaded = load(&doc);
    let days = DayRange::new(d("2024-05-06"), d("2024-05-19"));
    let e = employer_engagement(&loaded.dataset, StaffIdx(0), days);
    let ids: Vec<&str> = e.contacts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ec4", "ec3", "ec2"],
        "newest first, es1's, within the days"
    );
    assert_eq!(e.weeks.len(), 2);
    assert_eq!(
        (
            e.weeks[0].monday,
            e.weeks[0].visits,
            e.weeks[0].calls,
            e.weeks[0].emails
        ),
        (d("2024-05-06"), 1, 1, 0)
    );
    assert_eq!(
        (e.weeks[1].monday, e.weeks[1].total()),
        (d("2024-05-13"), 1)
    );
    assert_eq!((e.total(), e.visits()), (3, 1));
}

#[test]
fn a_part_week_at_either_end_counts_only_its_days_and_empty_weeks_show() {
    let doc = bundle(vec![
        contact("ec1", "es1", "2024-04-01", "visit"), // Monday, before the days
        contact("ec2", "es1", "2024-04-03", "visit"), // Wednesday: first day
        contact("ec3", "es1", "2024-04-24", "call"),  // last day
    ]);
    let loaded = load(&doc);
    let days = DayRange::new(d("2024-04-03"), d("2024-04-24"));
    let e = employer_engagement(&loaded.dataset, StaffIdx(0), days);
    let counts: Vec<u32> = e.weeks.iter().map(|w| w.total()).collect();
    assert_eq!(counts, [1, 0, 0, 1]);
    assert_eq!(e.weeks[0].monday, d("2024-04-01"));
}
