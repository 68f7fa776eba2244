//! Spreadsheets carry what rules revision 3 records: the referrals' in-work
//! checks (SUS-6), a sheet (or CSV file) of their own, one row per check
//! naming its referral, as the contacts are laid out; and who agreed a team
//! decision (ENG-3), an "Agreed by" column of the decisions (names
//! separated by ";"). Out and back they are the same records; imported
//! again they change nothing; a bad one is a problem on its cell, found by
//! the same checks as every other record (BAD-1).

mod support;

use ipstrack_core::bundle::{BundleDoc, DecisionDoc, InWorkCheckDoc, validate};
use ipstrack_interop::spreadsheet::{Mapping, caseload_csv, preview, read_csv};
use support::*;

fn check(date: &str, source: &str, note: Option<&str>) -> InWorkCheckDoc {
    InWorkCheckDoc {
        date: date.into(),
        source: source.into(),
        note: note.map(str::to_string),
    }
}

/// The shared service, r1 discharged with three in-work checks after it
/// (one note with a line break), r3 with one while open (its note looks
/// like a formula), r2 with a team decision agreed by three people.
fn with_checks() -> BundleDoc {
    let mut doc = service();
    let r1 = doc.referrals.iter_mut().find(|r| r.id == "r1").unwrap();
    r1.discharge = Some(ipstrack_core::bundle::DischargeDoc {
        date: "2024-10-02".into(),
        reason: Some("sustained in work".into()),
    });
    r1.in_work_checks = vec![
        check("2024-11-01", "payslip", Some("Payslip seen")),
        check(
            "2025-01-20",
            "employer",
            Some("Manager confirmed by phone\nhours up to 20"),
        ),
        check("2025-05-02", "client", None),
    ];
    let r3 = doc.referrals.iter_mut().find(|r| r.id == "r3").unwrap();
    r3.in_work_checks = vec![check(
        "2024-09-30",
        "other",
        Some("=confirmed at CPA review"),
    )];
    let r2 = doc.referrals.iter_mut().find(|r| r.id == "r2").unwrap();
    r2.decisions = Some(vec![DecisionDoc {
        start: "2024-08-01".into(),
        end: Some("2024-08-30".into()),
        status: "active".into(),
        reason: Some("in hospital; will re-engage".into()),
        agreed_by: vec![
            "Bilal Khan".into(),
            "Team Lead North".into(),
            "Care coordinator".into(),
        ],
    }]);
    validate(&doc).unwrap_or_else(|e| panic!("{e}"));
    doc
}

/// The CSV file `name` of the export of [`with_checks`].
fn exported_csv(name: &str) -> String {
    let files = caseload_csv(&with_checks(), &Mapping::default()).unwrap();
    let (_, text) = files
        .into_iter()
        .find(|(file, _)| file == name)
        .unwrap_or_else(|| panic!("a {name}"));
    text
}

#[test]
fn in_work_checks_go_out_and_come_back_the_same() {
    let doc = with_checks();
    let base = staff_only(&doc);
    for (format, sheets) in [("xlsx", xlsx_sheets(&doc)), ("csv", csv_sheets(&doc))] {
        assert!(
            sheets
                .iter()
                .any(|s| s.name.contains("n-work check") || s.name.contains("in_work_checks")),
            "{format}: {:?}",
            sheets.iter().map(|s| &s.name).collect::<Vec<_>>()
        );
        let p = preview_over(&sheets, &base);
        assert!(p.is_clean(), "{format}: {:#?}", p.problems);
        let back = imported(&base, &p);
        assert_eq!(referrals(&back), referrals(&doc), "{format}");
        let r1 = back.referrals.iter().find(|r| r.id == "r1").unwrap();
        assert_eq!(
            r1.in_work_checks, doc.referrals[0].in_work_checks,
            "{format}"
        );
        let r2 = back.referrals.iter().find(|r| r.id == "r2").unwrap();
        assert_eq!(
            r2.decisions.as_ref().unwrap()[0].agreed_by,
            ["Bilal Khan", "Team Lead North", "Care coordinator"],
            "{format}"
        );
        validate(&back).unwrap();
    }
}

#[test]
fn an_exported_workbook_imported_again_changes_nothing() {
    let doc = with_checks();
    assert_export_imported_again_changes_nothing(&doc);
}

#[test]
fn the_export_has_a_file_of_in_work_checks_laid_out_like_the_contacts() {
    let text = exported_csv("in_work_checks.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Referral ID,In-work check date,In-work check source,In-work check note"
    );
    assert_eq!(lines.next().unwrap(), "r1,01/11/2024,Payslip,Payslip seen");
    assert!(text.contains("r3,30/09/2024,Other,'=confirmed at CPA review"));
}

/// An in-work checks file of the user's own, read over the stored service.
fn import(csv: &str) -> ipstrack_interop::spreadsheet::Preview {
    let sheets = vec![read_csv("checks.csv", csv.as_bytes()).unwrap()];
    preview(&sheets, &Mapping::default(), &with_checks(), &options())
}

#[test]
fn a_file_of_checks_alone_replaces_that_list_and_keeps_the_rest() {
    let p = import(
        "Referral ID,Date confirmed in work,Confirmed in work by,Notes\n\
         r2,03/03/2025,Pay slip,\n\
         r2,02/06/2025,Employer confirmed,HR email\n",
    );
    assert!(p.is_clean(), "{:#?}", p.problems);
    assert_eq!((p.referrals.create, p.referrals.update), (0, 1));
    let written = p.to_import(false).unwrap();
    let r2 = &written.referrals[0];
    assert_eq!(r2.id, "r2");
    assert_eq!(
        r2.in_work_checks,
        vec![
            check("2025-03-03", "payslip", None),
            check("2025-06-02", "employer", Some("HR email")),
        ]
    );
    let stored = with_checks();
    let before = stored.referrals.iter().find(|r| r.id == "r2").unwrap();
    assert_eq!(r2.vocational_plan, before.vocational_plan);
    assert_eq!(r2.contacts, before.contacts);
}

#[test]
fn bad1_a_bad_check_is_a_problem_on_its_cell_and_nothing_is_written() {
    // An unknown source, a date before the referral was received (the
    // core's check of the record), and a row without a date.
    let p = import(
        "Referral ID,In-work check date,In-work check source,In-work check note\n\
         r1,01/11/2024,Rumour,\n\
         r2,01/01/2024,Payslip,\n\
         r3,,Employer,\n",
    );
    let problems = shown(&p);
    assert!(!p.is_clean());
    assert!(
        p.problems.iter().any(|x| x.row == Some(2)
            && x.column.as_deref() == Some("C (In-work check source)")
            && x.referral.as_deref() == Some("r1")),
        "{problems:#?}"
    );
    assert!(
        p.problems.iter().any(|x| x.row == Some(3)
            && x.column.as_deref() == Some("B (In-work check date)")
            && x.message.contains("before received")),
        "{problems:#?}"
    );
    assert!(
        p.problems
            .iter()
            .any(|x| x.row == Some(4) && x.referral.as_deref() == Some("r3")),
        "{problems:#?}"
    );
    assert!(p.to_import(false).is_none(), "nothing is written");
}

#[test]
fn the_decisions_file_has_who_agreed_each_separated_by_semicolons() {
    let text = exported_csv("decisions.csv");
    assert!(
        text.lines().next().unwrap().ends_with(",Agreed by"),
        "{text}"
    );
    assert!(
        text.contains("Bilal Khan; Team Lead North; Care coordinator"),
        "{text}"
    );
}

#[test]
fn bad1_a_name_too_long_is_a_problem_on_the_agreed_by_cell() {
    let long = "x".repeat(101);
    let p = import(&format!(
        "Referral ID,Decision start date,Team decision,Agreed by\n\
         r2,01/08/2024,Active,Bilal Khan; {long}\n"
    ));
    assert!(
        p.problems
            .iter()
            .any(|x| x.row == Some(2) && x.column.as_deref() == Some("D (Agreed by)")),
        "{:#?}",
        shown(&p)
    );
    assert!(p.to_import(false).is_none());
}
