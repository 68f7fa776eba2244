//! Clients' identity fields (formats.md `clients[]`, revision 2; issue 13):
//! BAD-1 checks of each field, one person one client (NHS number unique),
//! and bundles without the fields read and write back as before.

mod common;

use common::*;
use ipstrack_core::bundle::{postcode_is_valid, to_document};
use serde_json::{Value, json};

/// A valid bundle whose one client `c1` has the fields of `client`.
fn with_client(client: Value) -> Value {
    let mut doc = doc(vec![referral("r1", json!({"client": "c1"}))]);
    let mut c = json!({"id": "c1"});
    merge(&mut c, client);
    doc["clients"] = json!([c]);
    doc
}

fn person() -> Value {
    json!({
        "nhs_number": "9434765919",
        "given_name": "Amira",
        "family_name": "Khan",
        "date_of_birth": "1991-03-14",
        "phone": "07700 900123",
        "postcode": "LS1 4AP",
        "gender": "2",
        "ethnic_category": "J"
    })
}

#[test]
fn bad_1_every_identity_field_is_read_and_written_back() {
    let loaded = load(&with_client(person()));
    let c = &loaded.dataset.clients[0];
    assert_eq!(c.name().as_deref(), Some("Amira Khan"));
    assert_eq!(c.date_of_birth, Some(d("1991-03-14")));
    let written = serde_json::to_value(to_document(&loaded.dataset)).unwrap();
    let mut expected = json!({"id": "c1"});
    merge(&mut expected, person());
    assert_eq!(written["clients"][0], expected);
}

#[test]
fn bad_1_a_bundle_without_identity_fields_stays_valid_and_writes_none() {
    let loaded = load(&with_client(json!({})));
    assert_eq!(loaded.dataset.clients[0].display_name(), "client c1");
    let written = serde_json::to_value(to_document(&loaded.dataset)).unwrap();
    assert_eq!(
        written["clients"][0],
        json!({"id": "c1", "nhs_number": null})
    );
}

#[test]
fn bad_1_an_nhs_number_needs_ten_digits_and_its_check_digit() {
    for bad in ["9434765918", "943476591", "943-476-5919", "94347659190"] {
        let (record, field, text) = only_error(&with_client(json!({"nhs_number": bad})));
        assert_eq!(
            (record.as_str(), field.as_str()),
            ("client c1", "nhs_number")
        );
        assert!(text.contains("is not a valid NHS number"), "{text}");
    }
}

#[test]
fn bad_1_one_person_is_one_client_an_nhs_number_on_two_clients_is_refused() {
    let mut doc = doc(vec![
        referral("r1", json!({"client": "c1"})),
        referral("r2", json!({"client": "c2"})),
    ]);
    doc["clients"] = json!([
        {"id": "c1", "nhs_number": "9434765919"},
        {"id": "c2", "nhs_number": "9434765919"}
    ]);
    let (record, field, text) = only_error(&doc);
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("client c2", "nhs_number")
    );
    assert!(text.contains("already client c1's"), "{text}");
}

/// Two referrals' clients c1 and c2 with the fields given.
fn two_clients(c1: Value, c2: Value) -> Value {
    let mut doc = doc(vec![
        referral("r1", json!({"client": "c1"})),
        referral("r2", json!({"client": "c2"})),
    ]);
    doc["clients"] = json!([c1, c2]);
    doc
}

#[test]
fn bad_1_a_possible_duplicate_may_share_the_nhs_number_of_the_client_it_names() {
    let doc = two_clients(
        json!({"id": "c1", "nhs_number": "9434765919"}),
        json!({"id": "c2", "nhs_number": "943 476 5919", "possible_duplicate_of": "c1"}),
    );
    let loaded = load(&doc);
    assert_eq!(
        loaded.dataset.clients[1].possible_duplicate_of.as_deref(),
        Some("c1")
    );
    let written = serde_json::to_value(to_document(&loaded.dataset)).unwrap();
    assert_eq!(written["clients"][1]["possible_duplicate_of"], json!("c1"));
    assert_eq!(written["clients"][0].get("possible_duplicate_of"), None);
}

#[test]
fn bad_1_a_possible_duplicate_must_name_another_client_with_its_nhs_number() {
    for (c2, text) in [
        (
            json!({"id": "c2", "nhs_number": "9434765919", "possible_duplicate_of": "c9"}),
            "not in the bundle",
        ),
        (
            json!({"id": "c2", "nhs_number": "9434765919", "possible_duplicate_of": "c2"}),
            "the client itself",
        ),
        (
            json!({"id": "c2", "possible_duplicate_of": "c1"}),
            "has no NHS number",
        ),
        (
            json!({"id": "c2", "nhs_number": "9999999999", "possible_duplicate_of": "c1"}),
            "is not this client's",
        ),
    ] {
        let errors = refused(&two_clients(
            json!({"id": "c1", "nhs_number": "9434765919"}),
            c2,
        ));
        assert!(
            errors.iter().any(|e| e.record == "client c2"
                && e.field == "possible_duplicate_of"
                && e.message.contains(text)),
            "{text}: {errors:?}"
        );
    }
}

#[test]
fn bad_1_each_identity_field_is_checked_and_named() {
    let long = "x".repeat(101);
    for (field, value, words) in [
        ("given_name", json!(long), "100 characters or fewer"),
        ("family_name", json!("Khan\u{1b}[2J"), "control character"),
        ("date_of_birth", json!("14/03/1991"), "is not a date"),
        ("phone", json!("call me"), "other than digits"),
        ("postcode", json!("LS1"), "is not a UK postcode"),
        ("gender", json!("F"), "is not one of: 1, 2, 9, X"),
        ("ethnic_category", json!("Q"), "is not one of: A, B"),
    ] {
        let (record, f, text) = only_error(&with_client(json!({ field: value })));
        assert_eq!(
            (record.as_str(), f.as_str()),
            ("client c1", field),
            "{text}"
        );
        assert!(text.contains(words), "{field}: {text}");
    }
}

#[test]
fn postcodes_are_checked_by_their_uk_shape() {
    for good in [
        "LS1 4AP", "SW1A 1AA", "m1 1ae", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A0AX",
    ] {
        assert!(postcode_is_valid(good), "{good}");
    }
    for bad in [
        "LS1",
        "1LS 4AP",
        "LS1 AAP",
        "ABC1 4AP",
        "LS1 4A",
        "LS123 4AP",
        "LS1 4AP!",
    ] {
        assert!(!postcode_is_valid(bad), "{bad}");
    }
}
