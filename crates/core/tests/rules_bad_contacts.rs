//! BAD-1 for contacts: the mechanism must be known and fit the kind, one
//! contact is checked as a bundle's is, and a note is kept and bounded
//! (split from rules_bad.rs).

mod common;

use common::*;
use serde_json::{Value, json};

/// A valid bundle: referral r1 of es1 with job j1, changed by `extra`.
fn with_referral(extra: Value) -> Value {
    let mut r = referral("r1", json!({"jobs": [job("j1", "2024-05-01", json!({}))]}));
    merge(&mut r, extra);
    doc(vec![r])
}

/// Asserts the bundle is refused with exactly one error, on `record` and
/// `field`, displayed as `text`.
#[track_caller]
fn assert_refused(doc: &Value, record: &str, field: &str, text: &str) {
    let (r, f, t) = only_error(doc);
    assert_eq!((r.as_str(), f.as_str(), t.as_str()), (record, field, text));
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
        location: None,
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
