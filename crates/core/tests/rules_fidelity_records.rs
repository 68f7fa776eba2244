//! BAD-1 for what issue 26 records for the fidelity review: where a contact
//! was held, whether a job pays at least the minimum wage and is open to
//! anyone (a competitive job), and why a job ended — each checked as every
//! other field is, and written back as read.

mod common;

use common::*;
use ipstrack_core::bundle::{ContactDoc, check_contact, referral_document};
use ipstrack_core::model::{ContactLocation, JobEndReason};
use serde_json::{Value, json};

/// A valid bundle: referral r1 of es1 whose job j1 is changed by `job_extra`
/// and whose contacts are `contacts`.
fn bundle(job_extra: Value, contacts: Value) -> Value {
    let r = referral(
        "r1",
        json!({"jobs": [job("j1", "2024-05-01", job_extra)], "contacts": contacts}),
    );
    doc(vec![r])
}

#[track_caller]
fn assert_refused(doc: &Value, (record, field): (&str, &str), text: &str) {
    let (r, f, t) = only_error(doc);
    assert_eq!((r.as_str(), f.as_str(), t.as_str()), (record, field, text));
}

#[test]
fn bad_1_contact_location_is_one_of_the_five_places_and_is_kept() {
    let contacts = json!([
        {"date": "2024-05-02", "kind": "face_to_face", "location": "community"},
        {"date": "2024-05-03", "kind": "face_to_face", "location": " home "},
        {"date": "2024-05-04", "kind": "in_work_support", "location": "workplace"},
        {"date": "2024-05-05", "kind": "face_to_face", "location": "office"},
        {"date": "2024-05-06", "kind": "remote", "location": "remote"},
        {"date": "2024-05-07", "kind": "remote"}
    ]);
    let loaded = load(&bundle(json!({}), contacts));
    let r = &loaded.dataset.referrals[0];
    let places: Vec<Option<ContactLocation>> = r.contacts.iter().map(|c| c.location).collect();
    assert_eq!(
        places,
        vec![
            Some(ContactLocation::Community),
            Some(ContactLocation::Home),
            Some(ContactLocation::Workplace),
            Some(ContactLocation::Office),
            Some(ContactLocation::Remote),
            None
        ]
    );
    let in_the_community: Vec<bool> = places
        .iter()
        .flatten()
        .map(|l| l.in_the_community())
        .collect();
    assert_eq!(in_the_community, vec![true, true, true, false, false]);
    // Written back as read (trimmed): the loader accepts what is stored.
    let back = referral_document(&loaded.dataset, r);
    let words: Vec<Option<String>> = back
        .contacts
        .unwrap()
        .into_iter()
        .map(|c| c.location)
        .collect();
    assert_eq!(words[1].as_deref(), Some("home"));
    assert_eq!(words[5], None);
}

#[test]
fn bad_1_unknown_contact_location_names_the_record_and_field() {
    assert_refused(
        &bundle(
            json!({}),
            json!([{"date": "2024-05-02", "kind": "face_to_face", "location": "pub"}]),
        ),
        ("referral r1", "contacts[0].location"),
        "referral r1: contacts[0].location `pub` is not one of: community, home, workplace, office, remote",
    );
}

#[test]
fn bad_1_one_contact_alone_gets_the_same_location_check() {
    let contact = |location: &str| ContactDoc {
        date: "2024-05-01".into(),
        kind: "face_to_face".into(),
        mechanism: None,
        note: None,
        location: Some(location.into()),
    };
    let ok = check_contact("referral r1", &contact("community")).unwrap();
    assert_eq!(ok.location, Some(ContactLocation::Community));
    let errors = check_contact("referral r1", &contact("moon"))
        .unwrap_err()
        .0;
    assert_eq!(
        (errors.len(), errors[0].field.as_str()),
        (1, "contact.location")
    );
}

#[test]
fn a_job_is_competitive_when_it_pays_the_minimum_wage_and_is_open_to_anyone() {
    let competitive = |extra: Value| {
        let loaded = load(&bundle(extra, json!([])));
        loaded.dataset.referrals[0].jobs[0].competitive()
    };
    let yes_yes = json!({"pays_minimum_wage": true, "open_to_anyone": true});
    assert_eq!(competitive(yes_yes), Some(true));
    let below_wage = json!({"pays_minimum_wage": false, "open_to_anyone": true});
    assert_eq!(competitive(below_wage), Some(false));
    let set_aside = json!({"open_to_anyone": false});
    assert_eq!(
        competitive(set_aside),
        Some(false),
        "set aside, wage unknown"
    );
    assert_eq!(
        competitive(json!({"pays_minimum_wage": true})),
        None,
        "open to anyone not recorded"
    );
    assert_eq!(competitive(json!({})), None, "neither recorded");
}

#[test]
fn bad_1_a_job_end_reason_needs_an_end_and_is_one_of_the_reasons() {
    let loaded = load(&bundle(
        json!({"end": "2024-08-01", "end_reason": "temporary_ended"}),
        json!([]),
    ));
    let j = &loaded.dataset.referrals[0].jobs[0];
    assert_eq!(j.end_reason, Some(JobEndReason::TemporaryEnded));
    let back = referral_document(&loaded.dataset, &loaded.dataset.referrals[0]);
    assert_eq!(
        back.jobs.unwrap()[0].end_reason.as_deref(),
        Some("temporary_ended")
    );
    assert_refused(
        &bundle(json!({"end_reason": "resigned"}), json!([])),
        ("referral r1 job j1", "end_reason"),
        "referral r1 job j1: end_reason is given but the job has no end: record the day it ended too",
    );
    assert_refused(
        &bundle(
            json!({"end": "2024-08-01", "end_reason": "bored"}),
            json!([]),
        ),
        ("referral r1 job j1", "end_reason"),
        "referral r1 job j1: end_reason `bored` is not one of: resigned, dismissed, laid_off, temporary_ended, health, other",
    );
    // Left empty: not recorded.
    let loaded = load(&bundle(
        json!({"end": "2024-08-01", "end_reason": ""}),
        json!([]),
    ));
    assert_eq!(loaded.dataset.referrals[0].jobs[0].end_reason, None);
}
