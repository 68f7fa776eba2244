//! ERR-1 (issue 23): a referral entered in error is left out of the
//! spreadsheet export (the IPS Grow layout has no column for the mark, and
//! its rows would count again in a spreadsheet); imported back over the
//! stored data, the export changes nothing and keeps the marked referral as
//! stored.

mod support;

use ipstrack_core::bundle::{BundleDoc, EnteredInErrorDoc, validate};
use ipstrack_interop::spreadsheet::{Mapping, caseload_csv};
use support::*;

/// The shared service with r2 marked as entered in error.
fn with_mark() -> BundleDoc {
    let mut doc = service();
    let r2 = doc.referrals.iter_mut().find(|r| r.id == "r2").unwrap();
    r2.entered_in_error = Some(EnteredInErrorDoc {
        date: r2.received.clone(),
        reason: "Referred twice".into(),
        recorded_by: "Team Lead North".into(),
    });
    validate(&doc).unwrap_or_else(|e| panic!("{e}"));
    doc
}

#[test]
fn err_1_a_referral_entered_in_error_is_left_out_of_the_spreadsheet_export() {
    let doc = with_mark();
    let files = caseload_csv(&doc, &Mapping::default()).unwrap();
    let all: String = files.iter().map(|(_, text)| text.as_str()).collect();
    assert!(!all.lines().any(|l| l.starts_with("r2,")), "{all}");
    assert!(all.lines().any(|l| l.starts_with("r1,")), "{all}");
    // Counted again when restored: the referral is written.
    let counted = service();
    let files = caseload_csv(&counted, &Mapping::default()).unwrap();
    let all: String = files.iter().map(|(_, text)| text.as_str()).collect();
    assert!(all.lines().any(|l| l.starts_with("r2,")), "{all}");
}

#[test]
fn err_1_the_export_imported_back_changes_nothing_and_keeps_the_mark() {
    let doc = with_mark();
    assert_export_imported_again_changes_nothing(&doc);
}
