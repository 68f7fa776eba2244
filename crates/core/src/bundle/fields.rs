//! The checks of single fields that every BAD-1 rule is built from: dates,
//! spells, contacts, enumerations, hours, shares and ids, each error named
//! by its record and field; and one contact checked on its own.

use std::collections::HashMap;

use serde_json::Number;

use super::document::ContactDoc;
use super::validation::{BundleError, BundleErrors};
use super::vocabulary::{CONTACT_KINDS, MECHANISMS, name_of, value_of};
use crate::model::*;
use crate::time::Day;
/// The largest number of weekly hours (BAD-1: over 168 is refused).
pub const MAX_WEEKLY_HOURS: u32 = 16_800; // 168 hours in hundredths
/// The longest note on a contact.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// The longest employer's name on an employer contact.
pub const MAX_EMPLOYER_CHARS: usize = 200;

/// Collects BAD-1 errors for one record at a time.
pub(super) struct Checker {
    pub(super) errors: Vec<BundleError>,
    pub(super) record: String,
}

impl Checker {
    pub(super) fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(BundleError {
            record: self.record.clone(),
            field: field.into(),
            message: message.into(),
        });
    }

    pub(super) fn date(&mut self, field: &str, text: &str) -> Option<Day> {
        let day = Day::parse(text);
        if day.is_none() {
            self.error(
                field,
                format!("{field} `{text}` is not a date (YYYY-MM-DD)"),
            );
        }
        day
    }

    pub(super) fn opt_date(&mut self, field: &str, text: &Option<String>) -> Option<Day> {
        text.as_deref().and_then(|t| self.date(field, t))
    }

    /// An end date must not be before its start (T-4).
    pub(super) fn spell(
        &mut self,
        field: &str,
        start: &str,
        end: &Option<String>,
    ) -> Option<Spell> {
        let s = self.date(&format!("{field}.start"), start);
        let e = self.opt_date(&format!("{field}.end"), end);
        let s = s?;
        if let Some(e) = e
            && e < s
        {
            self.error(
                format!("{field}.end"),
                format!("{field}.end {e} is before its start {s}"),
            );
            return None;
        }
        if end.is_some() && e.is_none() {
            return None;
        }
        Some(Spell { start: s, end: e })
    }

    /// A contact: its date, kind and (optional) mechanism, which must fit the
    /// kind (a `face_to_face` contact held face to face, a `remote` one not).
    /// `field` names the contact in an error (`contacts[3]`); it is made
    /// only when there is one (1.6 million contacts on a national service).
    pub(super) fn contact(
        &mut self,
        field: impl Fn() -> String,
        k: &ContactDoc,
    ) -> Option<Contact> {
        let date = Day::parse(&k.date);
        if date.is_none() {
            self.date(&format!("{}.date", field()), &k.date);
        }
        let kind = value_of(&CONTACT_KINDS, &k.kind);
        if kind.is_none() {
            self.enumeration(&format!("{}.kind", field()), &k.kind, &CONTACT_KINDS);
        }
        let mechanism = match k.mechanism.as_deref() {
            None => None,
            Some(text) => match value_of(&MECHANISMS, text) {
                Some(m) => Some(m),
                None => {
                    self.enumeration(&format!("{}.mechanism", field()), text, &MECHANISMS);
                    return None;
                }
            },
        };
        if let (Some(kind), Some(m)) = (kind, mechanism)
            && !kind.admits(m)
        {
            let mechanism_field = format!("{}.mechanism", field());
            self.error(
                mechanism_field.as_str(),
                format!(
                    "{mechanism_field} `{}` does not fit a `{}` contact",
                    name_of(&MECHANISMS, m),
                    name_of(&CONTACT_KINDS, kind)
                ),
            );
            return None;
        }
        let note = match &k.note {
            None => None,
            Some(_) => self.note(&format!("{}.note", field()), &k.note).ok()?,
        };
        Some(Contact {
            date: date?,
            kind: kind?,
            mechanism,
            note,
        })
    }

    /// A note of at most [`MAX_NOTE_CHARS`], trimmed, without control
    /// characters but line breaks and tabs; `Ok(None)` when blank.
    pub(super) fn note(
        &mut self,
        field: &str,
        text: &Option<String>,
    ) -> Result<Option<Box<str>>, ()> {
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(n) if n.chars().count() > MAX_NOTE_CHARS => {
                self.error(
                    field,
                    format!("{field} is longer than {MAX_NOTE_CHARS} characters"),
                );
                Err(())
            }
            Some(n)
                if n.chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
            {
                self.error(field, format!("{field} holds a control character"));
                Err(())
            }
            Some(n) => Ok(Some(Box::from(n))),
        }
    }

    pub(super) fn enumeration<T: Copy>(
        &mut self,
        field: &str,
        text: &str,
        values: &[(&str, T)],
    ) -> Option<T> {
        let found = values
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
            self.error(
                field,
                format!("{field} `{text}` is not one of: {}", names.join(", ")),
            );
        }
        found
    }

    /// Hours as exact hundredths, 0 to 168 (T-0, BAD-1).
    pub(super) fn hours(&mut self, field: &str, n: &Number) -> Option<Hours> {
        match hundredths(n, 2) {
            Some(h) if (0..=i64::from(MAX_WEEKLY_HOURS)).contains(&h) => Some(Hours(h as u32)),
            Some(_) => {
                self.error(
                    field,
                    format!("{field} {n} is outside 0 to 168 hours a week"),
                );
                None
            }
            None => {
                self.error(
                    field,
                    format!("{field} {n} is not a number of hours with at most two decimal places"),
                );
                None
            }
        }
    }
}

/// The number scaled by 10^places if it has at most `places` decimals.
pub(super) fn hundredths(n: &Number, places: u32) -> Option<i64> {
    let scale = 10_i64.pow(places);
    if let Some(i) = n.as_i64() {
        return i.checked_mul(scale);
    }
    let f = n.as_f64()?;
    let scaled = f * scale as f64;
    let rounded = scaled.round();
    if !rounded.is_finite() || (scaled - rounded).abs() > 1e-6 || rounded.abs() > 1e15 {
        return None;
    }
    Some(rounded as i64)
}

/// A share between 0 and 1 in ten-thousandths.
pub(super) fn share(n: &Number) -> Option<u32> {
    hundredths(n, 4)
        .filter(|v| (0..=10_000).contains(v))
        .map(|v| v as u32)
}

pub(super) fn index_ids<'a>(
    errors: &mut Vec<BundleError>,
    noun: &str,
    ids: impl Iterator<Item = &'a str>,
) -> HashMap<&'a str, u32> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        if id.trim().is_empty() {
            errors.push(BundleError {
                record: format!("{noun} #{}", i + 1),
                field: "id".into(),
                message: "missing required field id".into(),
            });
        } else if map.insert(id, i as u32).is_some() {
            errors.push(BundleError {
                record: format!("{noun} {id}"),
                field: "id".into(),
                message: format!("duplicate id {id}"),
            });
        }
    }
    map
}

/// Checks one contact on its own (data entry adds contacts one at a time):
/// the same BAD-1 checks as in a bundle, errors named `record` and
/// `contact.date`, `contact.kind` or `contact.mechanism`.
pub fn check_contact(record: &str, doc: &ContactDoc) -> Result<Contact, BundleErrors> {
    let mut c = Checker {
        errors: Vec::new(),
        record: record.to_string(),
    };
    match c.contact(|| "contact".into(), doc) {
        Some(contact) if c.errors.is_empty() => Ok(contact),
        _ => Err(BundleErrors(c.errors)),
    }
}
