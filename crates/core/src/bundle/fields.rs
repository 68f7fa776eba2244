//! The checks of single fields that every BAD-1 rule is built from: dates,
//! spells, contacts, enumerations, hours, shares and ids, each error named
//! by its record and field; and one contact checked on its own.

use std::collections::HashMap;

use serde_json::Number;

use super::document::ContactDoc;
use super::limits;
use super::validation::{BundleError, BundleErrors};
use super::vocabulary::{CONTACT_KINDS, MECHANISMS, name_of, value_of};
use crate::model::*;
use crate::time::Day;
/// The largest number of weekly hours (BAD-1: over 168 is refused).
pub const MAX_WEEKLY_HOURS: u32 = 16_800; // 168 hours in hundredths
/// The longest note on a contact ([`limits::NOTE_CHARS`]).
pub const MAX_NOTE_CHARS: usize = limits::NOTE_CHARS;
/// The longest employer's name ([`limits::EMPLOYER_CHARS`]).
pub const MAX_EMPLOYER_CHARS: usize = limits::EMPLOYER_CHARS;

/// How a free-text field is read: its limit, and whether it may hold line
/// breaks (a note) or is one line (a name, a reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRule {
    pub max: usize,
    pub lines: bool,
}

impl TextRule {
    /// One line of at most `max` characters.
    pub const fn line(max: usize) -> TextRule {
        TextRule { max, lines: false }
    }
    /// Text of at most `max` characters that may hold line breaks.
    pub const fn lines(max: usize) -> TextRule {
        TextRule { max, lines: true }
    }
}

/// Why a text cannot be kept (BAD-1, revision 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextProblem {
    /// More characters than its limit.
    TooLong { max: usize },
    /// A control character (a line break in a one-line field).
    Control,
    /// A character that makes the text display in another order than it is
    /// stored (U+202A–U+202E, U+2066–U+2069): a name could pass for another.
    Reorders(char),
    /// Nothing a person can read: only invisible, joining or format characters.
    Invisible,
}

impl TextProblem {
    /// The problem in words, after the field's name (`reason` + this).
    pub fn words(&self) -> String {
        match self {
            TextProblem::TooLong { max } => format!("must be {max} characters or fewer"),
            TextProblem::Control => "holds a control character".into(),
            TextProblem::Reorders(c) => format!(
                "holds a character that reorders text (U+{:04X})",
                u32::from(*c)
            ),
            TextProblem::Invisible => "holds no letter, number or symbol".into(),
        }
    }
}

/// Whether a character reorders the text around it (bidi embeddings,
/// overrides and isolates).
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a character is one a person reads: a letter, number, punctuation
/// mark or symbol (not a space, mark, control or invisible format character).
fn visible(c: char) -> bool {
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter
            | GeneralCategoryGroup::Number
            | GeneralCategoryGroup::Punctuation
            | GeneralCategoryGroup::Symbol
    )
}

/// Reads a free-text value as every door stores it (BAD-1, revision 3):
/// trimmed; `Ok(None)` when blank; refused when longer than its limit, when
/// it holds a control character (line breaks and tabs allowed in text of
/// lines), a character that reorders text, or nothing visible.
pub fn read_text(value: &str, rule: TextRule) -> Result<Option<&str>, TextProblem> {
    let text = value.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Counted without allocating; stops once past the limit.
    if text.chars().nth(rule.max).is_some() {
        return Err(TextProblem::TooLong { max: rule.max });
    }
    if let Some(c) = text.chars().find(|&c| reorders(c)) {
        return Err(TextProblem::Reorders(c));
    }
    let allowed = |c: char| rule.lines && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextProblem::Control);
    }
    if !text.chars().any(visible) {
        return Err(TextProblem::Invisible);
    }
    Ok(Some(text))
}

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

    /// An optional free text, as stored (see [`read_text`]): `Err` after an
    /// error naming the field.
    pub(super) fn text(
        &mut self,
        field: &str,
        value: Option<&str>,
        rule: TextRule,
    ) -> Result<Option<String>, ()> {
        match value.map(|v| read_text(v, rule)) {
            None | Some(Ok(None)) => Ok(None),
            Some(Ok(Some(text))) => Ok(Some(text.to_string())),
            Some(Err(problem)) => {
                self.error(field, format!("{field} {}", problem.words()));
                Err(())
            }
        }
    }

    /// A free text that must be there.
    pub(super) fn required_text(
        &mut self,
        field: &str,
        value: &str,
        rule: TextRule,
    ) -> Option<String> {
        match self.text(field, Some(value), rule) {
            Ok(Some(text)) => Some(text),
            Ok(None) => {
                self.error(field, format!("missing required field {field}"));
                None
            }
            Err(()) => None,
        }
    }

    pub(super) fn date(&mut self, field: &str, text: &str) -> Option<Day> {
        let text = text.trim();
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
        let date = Day::parse(k.date.trim());
        if date.is_none() {
            self.date(&format!("{}.date", field()), &k.date);
        }
        let kind = value_of(&CONTACT_KINDS, k.kind.trim());
        if kind.is_none() {
            self.enumeration(&format!("{}.kind", field()), &k.kind, &CONTACT_KINDS);
        }
        let mechanism = match k.mechanism.as_deref().map(str::trim) {
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
        self.text(field, text.as_deref(), TextRule::lines(MAX_NOTE_CHARS))
            .map(|n| n.map(Box::from))
    }

    pub(super) fn enumeration<T: Copy>(
        &mut self,
        field: &str,
        text: &str,
        values: &[(&str, T)],
    ) -> Option<T> {
        let text = text.trim();
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
        let id = id.trim();
        if let Err(problem) = read_text(id, TextRule::line(limits::ID_CHARS))
            && !id.is_empty()
        {
            errors.push(BundleError {
                record: format!("{noun} #{}", i + 1),
                field: "id".into(),
                message: format!("id {}", problem.words()),
            });
        } else if id.is_empty() {
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
