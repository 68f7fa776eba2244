//! BAD-1 errors, each naming its record and field, and the [`Checker`] that
//! collects them one record at a time from the checks of single fields:
//! text, dates, spells, enumerations, hours, shares and ids.

use std::collections::HashMap;
use std::fmt;

use serde_json::Number;

use super::limits;
use super::text::{MAX_NOTE_CHARS, TextRule, read_text};
use crate::model::*;
use crate::time::Day;

/// The largest number of weekly hours (BAD-1: over 168 is refused).
pub const MAX_WEEKLY_HOURS: u32 = 16_800; // 168 hours in hundredths

/// One BAD-1 error: the record, the field and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError {
    /// The record, e.g. `referral rA` or `referral rA job j1`; empty for the document.
    pub record: String,
    /// The field, e.g. `access` or `contacts[2].date`.
    pub field: String,
    pub message: String,
}

impl BundleError {
    /// The field's own name, without the record's lists around it:
    /// `transfers[1].date` → `date`, `discharge.reason` → `reason`.
    pub fn field_name(&self) -> &str {
        let last = self.field.rsplit('.').next().unwrap_or(&self.field);
        last.split('[').next().unwrap_or(last)
    }

    /// The message as a form shows it beside its field, and the API gives
    /// it for that field: the field named in words (`Reason must be 500
    /// characters or fewer`), the same whichever door the record came by.
    pub fn plain(&self) -> String {
        let rest = self
            .message
            .strip_prefix(self.field.as_str())
            .filter(|r| r.starts_with(' '));
        let text = match rest {
            Some(rest) => format!("{}{rest}", self.field_name().replace('_', " ")),
            None => self.message.clone(),
        };
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.record.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.record, self.message)
        }
    }
}

/// Every BAD-1 error found in a bundle. The bundle is refused whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct BundleErrors(pub Vec<BundleError>);

impl fmt::Display for BundleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
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
