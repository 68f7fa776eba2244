//! The checks of a change to a stored referral that depend on what it was
//! a transfer cannot be backdated).

use super::document::{ReferralDoc, TransferDoc};
use super::errors::{BundleError, BundleErrors};

/// The checks of a change to a stored referral that depend on what it was
/// (data entry and imports; a bundle read on its own has no "before"): a
/// transfer it adds or changes cannot be dated before the referral's current
/// assignment — the latest transfer it keeps, or the day it was received —
/// nor before a transfer listed ahead of it: credit follows the ES assigned
/// on each day, and a backdated transfer would move credit already
/// earned to another ES.
pub fn check_referral_change(old: &ReferralDoc, new: &ReferralDoc) -> Result<(), BundleErrors> {
    // ERR-1: a referral entered in error takes no change but its restoring.
    if old.entered_in_error.is_some() && new.entered_in_error.is_some() && old != new {
        return Err(BundleErrors(vec![BundleError {
            record: format!("referral {}", new.id.trim()),
            field: "entered_in_error".into(),
            message: "entered_in_error: this referral was entered in error: restore it before changing it".into(),
        }]));
    }
    let day = |text: &str| crate::time::Day::parse(text.trim());
    let key = |t: &TransferDoc| (t.date.trim().to_string(), t.es.trim().to_string());
    let mut kept: Vec<(String, String)> = old.transfers.iter().flatten().map(key).collect();
    let mut latest = day(&new.received);
    let mut errors = Vec::new();
    let mut added = Vec::new();
    for (i, t) in new.transfers.iter().flatten().enumerate() {
        match kept.iter().position(|k| *k == key(t)) {
            Some(at) => {
                kept.swap_remove(at);
                latest = latest.max(day(&t.date));
            }
            None => added.push((i, t)),
        }
    }
    for (i, t) in added {
        let Some(date) = day(&t.date) else { continue };
        if let Some(from) = latest
            && date < from
        {
            errors.push(BundleError {
                record: format!("referral {}", new.id.trim()),
                field: format!("transfers[{i}].date"),
                message: format!(
                    "transfers[{i}].date {date} is before the current assignment, from {from}: a transfer cannot be backdated"
                ),
            });
        }
        latest = latest.max(Some(date));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(BundleErrors(errors))
    }
}
