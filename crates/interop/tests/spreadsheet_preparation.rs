//! Issue 26 in spreadsheets: the day a better-off calculation was offered,
//! the disclosure choice with the day it was discussed (caseload columns)
//! and the job preferences on the vocational plan go out and come back the
//! same; imported cells are read in the mapping's words, checked cell by
//! cell (core's checks, named by sheet, row and column), and a sheet
//! without the columns keeps what is stored.

mod support;

use ipstrack_core::bundle::{BundleDoc, DisclosureDoc, validate};
use ipstrack_interop::spreadsheet::{Mapping, caseload_csv, read_file};
use support::*;

/// The service, with r1 and r3 prepared: a better-off calculation offered,
/// a disclosure choice, job preferences (one with a line break).
fn prepared() -> BundleDoc {
    let mut doc = service();
    let r1 = &mut doc.referrals[0];
    r1.better_off_calculation = Some("2024-04-15".into());
    r1.disclosure = Some(DisclosureDoc {
        choice: "partial".into(),
        date: "2024-04-20".into(),
    });
    r1.vocational_plan.as_mut().unwrap().job_preferences = Some("Outdoor work,\nnear home".into());
    let r3 = &mut doc.referrals[2];
    r3.disclosure = Some(DisclosureDoc {
        choice: "none".into(),
        date: "2024-06-05".into(),
    });
    r3.vocational_plan.as_mut().unwrap().job_preferences = Some("Care work".into());
    validate(&doc).unwrap_or_else(|e| panic!("{e}"));
    doc
}

#[test]
fn preparation_goes_out_and_comes_back_the_same() {
    let doc = prepared();
    let base = staff_only(&doc);
    for (format, sheets) in [("xlsx", xlsx_sheets(&doc)), ("csv", csv_sheets(&doc))] {
        let p = preview_over(&sheets, &base);
        assert!(p.is_clean(), "{format}: {:#?}", p.problems);
        let back = imported(&base, &p);
        assert_eq!(referrals(&back), referrals(&doc), "{format}");
    }
    assert_export_imported_again_changes_nothing(&doc);
}

#[test]
fn the_export_writes_the_choice_in_words_and_dates_the_uk_way() {
    let files = caseload_csv(&prepared(), &Mapping::default()).unwrap();
    let (_, caseload) = &files[0];
    let mut reader = csv::Reader::from_reader(caseload.as_bytes());
    let head: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let at = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let r1 = &rows[0];
    assert_eq!(r1[at("Better-off calculation offered")], "15/04/2024");
    assert_eq!(r1[at("Disclosure choice")], "Partial");
    assert_eq!(r1[at("Disclosure discussed")], "20/04/2024");
    assert_eq!(r1[at("Job preferences")], "Outdoor work,\nnear home");
    let r2 = &rows[1];
    assert_eq!(
        (
            r2[at("Better-off calculation offered")].as_str(),
            r2[at("Disclosure choice")].as_str(),
            r2[at("Job preferences")].as_str()
        ),
        ("", "", "")
    );
}

const HEAD: &str = "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist,Vocational plan start date";

#[test]
fn imported_cells_are_read_in_the_mappings_words() {
    let csv = format!(
        "{HEAD},Benefits advice offered,Disclosure decision,Date disclosure discussed,Type of work wanted\n\
         r1,c1,02/04/2024,Unemployed,es1,20/04/2024,10/04/2024,Partial disclosure,21/04/2024,  Shop work  \n\
         r2,c2,01/05/2024,Unemployed,es2,06/05/2024,,No disclosure,2024-05-06,\n"
    );
    let sheets = read_file("prep.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    assert!(p.is_clean(), "{:#?}", p.problems);
    let written = p.to_import(false).unwrap();
    let r1 = &written.referrals[0];
    assert_eq!(r1.better_off_calculation.as_deref(), Some("2024-04-10"));
    assert_eq!(
        r1.disclosure,
        Some(DisclosureDoc {
            choice: "partial".into(),
            date: "2024-04-21".into()
        })
    );
    let plan = r1.vocational_plan.as_ref().unwrap();
    assert_eq!(plan.job_preferences.as_deref(), Some("Shop work"));
    let r2 = &written.referrals[1];
    assert_eq!(r2.better_off_calculation, None);
    assert_eq!(r2.disclosure.as_ref().unwrap().choice, "none");
    assert_eq!(r2.vocational_plan.as_ref().unwrap().job_preferences, None);
}

#[test]
fn bad_cells_are_named_by_sheet_row_and_column() {
    let csv = format!(
        "{HEAD},Better-off calculation offered,Disclosure choice,Disclosure discussed,Job preferences\n\
         r1,c1,02/04/2024,Unemployed,es1,20/04/2024,01/03/2024,,,\n\
         r2,c2,01/05/2024,Unemployed,es1,06/05/2024,,Maybe,06/05/2024,\n\
         r3,c3,01/06/2024,Unemployed,es1,05/06/2024,,,06/06/2024,\n\
         r4,c4,01/06/2024,Unemployed,es1,,,,,Care work\n\
         r5,c5,01/06/2024,Unemployed,es1,05/06/2024,,Full,,\n\
         r6,c6,01/06/2024,Unemployed,es1,05/06/2024,02/06/2024,Full,03/06/2024,Care work\n"
    );
    let sheets = read_file("prep.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let problems = shown(&p);
    let has = |row: u32, column: &str, text: &str| {
        let start = format!("prep.csv row {row}, column {column}");
        assert!(
            problems
                .iter()
                .any(|s| s.starts_with(&start) && s.contains(text)),
            "{start}: {text} in {problems:#?}"
        );
    };
    has(
        2,
        "G (Better-off calculation offered)",
        "before received 2024-04-02",
    );
    has(3, "H (Disclosure choice)", "'Maybe'");
    has(
        4,
        "I (Disclosure discussed)",
        "a disclosure date needs the disclosure choice",
    );
    has(
        5,
        "J (Job preferences)",
        "the job preferences needs a vocational plan start date",
    );
    has(
        6,
        "I (Disclosure discussed)",
        "the disclosure choice needs the day it was discussed",
    );
    // An unknown word is one problem; its date without a choice another.
    assert_eq!(problems.len(), 6, "{problems:#?}");
    let written = p.to_import(true).unwrap();
    let ids: Vec<&str> = written.referrals.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r6"]);
}

#[test]
fn a_sheet_without_the_columns_keeps_what_is_stored() {
    let stored = prepared();
    let csv = format!(
        "{HEAD}\n\
         r1,c1,02/04/2024,Unemployed,es1,20/04/2024\n"
    );
    let sheets = read_file("plain.csv", csv.as_bytes()).unwrap();
    let p = preview_over(&sheets, &stored);
    assert!(p.is_clean(), "{:#?}", p.problems);
    let written = p.to_import(false).unwrap();
    let r1 = written.referrals.iter().find(|r| r.id == "r1");
    if let Some(r1) = r1 {
        assert_eq!(r1.better_off_calculation.as_deref(), Some("2024-04-15"));
        assert_eq!(r1.disclosure.as_ref().unwrap().choice, "partial");
        assert_eq!(
            r1.vocational_plan
                .as_ref()
                .unwrap()
                .job_preferences
                .as_deref(),
            Some("Outdoor work,\nnear home")
        );
    }
}
