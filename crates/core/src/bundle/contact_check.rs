//! A contact's BAD-1 checks: in a referral of a bundle, and on its own (data
//! entry adds contacts one at a time).

use super::document::ContactDoc;
use super::errors::{BundleErrors, Checker};
use super::vocabulary::{CONTACT_KINDS, CONTACT_LOCATIONS, MECHANISMS, name_of, value_of};
use crate::model::*;
use crate::time::Day;

/// A contact: its date, kind and (optional) mechanism, which must fit the
/// kind (a `face_to_face` contact held face to face, a `remote` one not).
/// `field` names the contact in an error (`contacts[3]`); it is made
/// only when there is one (1.6 million contacts on a national service).
pub(super) fn check_contact_doc(
    c: &mut Checker,
    field: impl Fn() -> String,
    k: &ContactDoc,
) -> Option<Contact> {
    let date = Day::parse(k.date.trim());
    if date.is_none() {
        c.date(&format!("{}.date", field()), &k.date);
    }
    let kind = value_of(&CONTACT_KINDS, k.kind.trim());
    if kind.is_none() {
        c.enumeration(&format!("{}.kind", field()), &k.kind, &CONTACT_KINDS);
    }
    let mechanism = match k.mechanism.as_deref().map(str::trim) {
        None => None,
        Some(text) => match value_of(&MECHANISMS, text) {
            Some(m) => Some(m),
            None => {
                c.enumeration(&format!("{}.mechanism", field()), text, &MECHANISMS);
                return None;
            }
        },
    };
    if let (Some(kind), Some(m)) = (kind, mechanism)
        && !kind.admits(m)
    {
        let mechanism_field = format!("{}.mechanism", field());
        c.error(
            mechanism_field.as_str(),
            format!(
                "{mechanism_field} `{}` does not fit a `{}` contact",
                name_of(&MECHANISMS, m),
                name_of(&CONTACT_KINDS, kind)
            ),
        );
        return None;
    }
    let location = match k.location.as_deref().map(str::trim) {
        None => None,
        Some(text) => match value_of(&CONTACT_LOCATIONS, text) {
            Some(l) => Some(l),
            None => {
                c.enumeration(&format!("{}.location", field()), text, &CONTACT_LOCATIONS);
                return None;
            }
        },
    };
    let note = match &k.note {
        None => None,
        Some(_) => c.note(&format!("{}.note", field()), &k.note).ok()?,
    };
    Some(Contact {
        date: date?,
        kind: kind?,
        mechanism,
        note,
        location,
    })
}

/// Checks one contact on its own (data entry adds contacts one at a time):
/// the same BAD-1 checks as in a bundle, errors named `record` and
/// `contact.date`, `contact.kind` or `contact.mechanism`.
pub fn check_contact(record: &str, doc: &ContactDoc) -> Result<Contact, BundleErrors> {
    let mut c = Checker {
        errors: Vec::new(),
        record: record.to_string(),
    };
    match check_contact_doc(&mut c, || "contact".into(), doc) {
        Some(contact) if c.errors.is_empty() => Ok(contact),
        _ => Err(BundleErrors(c.errors)),
    }
}
