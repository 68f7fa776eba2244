//! Spreadsheets carry the vocational plan's review dates and agreement
//! (caseload columns) and the ES's employer contacts (a sheet of their own),
//! out and back: an exported workbook imported gives the same records, and
//! imported again creates and updates nothing. The plan's columns are read
//! and checked cell by cell; a sheet without them keeps what is stored.

mod support;

use ipstrack_core::bundle::validate;
use ipstrack_interop::spreadsheet::{Mapping, caseload_csv, read_file, read_workbook};
use rust_xlsxwriter::{Format, Workbook};
use support::*;
// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

#[test]
fn plans_and_employer_contacts_go_out_and_come_back_the_same() {
    let doc = service();
    let base = staff_only(&doc);
    for (format, sheets) in [("xlsx", xlsx_sheets(&doc)), ("csv", csv_sheets(&doc))] {
        let p = preview_over(&sheets, &base);
        assert!(p.is_clean(), "{format}: {:#?}", p.problems);
        assert_eq!(p.referrals.create, 4, "{format}");
        assert_eq!(employer_contacts_written(&p), (4, 0), "{format}");
        let back = imported(&base, &p);
        assert_eq!(referrals(&back), referrals(&doc), "{format}");
        assert_eq!(contacts(&back), contacts(&doc), "{format}");
        validate(&back).unwrap();
    }
}

#[test]
fn an_exported_workbook_imported_again_creates_and_updates_nothing() {
    let doc = service();
    let sheets = xlsx_sheets(&doc);
    // Over the records it came from…
    let again = preview_over(&sheets, &doc);
    assert!(again.is_clean(), "{:#?}", again.problems);
    assert_eq!((again.referrals.create, again.referrals.update), (0, 0));
    assert_eq!(employer_contact_counts(&again), (0, 0, 4));
    let written = again.to_import(false).unwrap();
    assert!(written.referrals.is_empty() && written.clients.is_empty());
    assert!(written.employer_contacts.is_empty());
    // …and over what a first import wrote.
    let base = staff_only(&doc);
    let first = preview_over(&sheets, &base);
    let stored = imported(&base, &first);
    let again = preview_over(&sheets, &stored);
    assert_eq!(employer_contacts_written(&again), (0, 0));
    assert_eq!(again.referrals.unchanged, 4);
}

#[test]
fn the_export_writes_review_dates_agreement_and_contact_kinds_as_words() {
    let doc = service();
    let files = caseload_csv(&doc, &Mapping::default()).unwrap();
    let (_, caseload) = &files[0];
    let mut lines = caseload.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let reviews = head
        .iter()
        .position(|h| *h == "Vocational plan review dates")
        .unwrap();
    assert_eq!(head[reviews + 1], "Plan agreed with clinical team");
    let row = |line: &str| -> Vec<String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        record.iter().map(str::to_string).collect()
    };
    let r1 = row(lines.next().unwrap());
    assert_eq!(r1[reviews], "10/05/2024; 01/07/2024; 02/09/2024");
    assert_eq!(r1[reviews + 1], "Yes");
    let r2 = row(lines.next().unwrap());
    assert_eq!(
        (r2[reviews].as_str(), r2[reviews + 1].as_str()),
        ("03/06/2024", "No")
    );
    let r3 = row(lines.next().unwrap());
    assert_eq!((r3[reviews].as_str(), r3[reviews + 1].as_str()), ("", ""));

    let (name, text) = files
        .iter()
        .find(|(name, _)| name == "employer_contacts.csv")
        .expect("the employer contacts are a CSV file of their own");
    assert_eq!(name, "employer_contacts.csv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "Employer contact ID,Employment specialist,Employer contact date,Employer,Employer contact type,Note,Client ID",
            "ec1,Alice Smith,02/05/2024,Co-op Food,Visit,Met the manager; two roles in the spring,c1",
            "ec2,Bilal Khan,03/05/2024,Leeds City Council,Call,,",
        ]
    );
    assert!(lines[3].starts_with("ec3,Carys Jones,10/06/2024,'+Plus Logistics,Email,"));

    let sheets = xlsx_sheets(&doc);
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.last(), Some(&"Employer contacts"));
}

// ---------------------------------------------------------------------------
// The plan's reviews and agreement
// ---------------------------------------------------------------------------

const HEAD: &str =
    "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist";

#[test]
fn review_dates_in_one_cell_are_read_whatever_the_separator() {
    let csv = format!(
        "{HEAD},Vocational plan start date,Plan review dates,Agreed with clinical team\n\
         r1,c1,02/04/2024,Unemployed,es1,20/04/2024,\"01/07/2024; 2024-05-10,\n3 Sep 2024\",y\n\
         r2,c2,01/05/2024,Unemployed,es2,06/05/2024,\"03/06/2024;\",False\n"
    );
    let sheets = read_file("plans.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    assert!(p.is_clean(), "{:#?}", p.problems);
    let written = p.to_import(false).unwrap();
    let plan = |i: usize| written.referrals[i].vocational_plan.clone().unwrap();
    assert_eq!(plan(0).reviews, ["2024-05-10", "2024-07-01", "2024-09-03"]);
    assert_eq!(plan(0).agreed_with_clinical_team, Some(true));
    assert_eq!(plan(1).reviews, ["2024-06-03"]);
    assert_eq!(plan(1).agreed_with_clinical_team, Some(false));

    // In a workbook, a date cell is one review date.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in HEAD
        .split(',')
        .chain(["Vocational plan start date", "Vocational plan review dates"])
        .enumerate()
    {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in ["r1", "c1", "02/04/2024", "Unemployed", "es1", "20/04/2024"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    let day = jiff::civil::Date::strptime("%Y-%m-%d", "2024-06-30").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_date_with_format(1, 6, day, &date).unwrap();
    let sheets = read_workbook("plans.xlsx", &book.save_to_buffer().unwrap()).unwrap();
    let p = first_import(&sheets);
    assert!(p.is_clean(), "{:#?}", p.problems);
    let r = &p.to_import(false).unwrap().referrals[0];
    assert_eq!(r.vocational_plan.as_ref().unwrap().reviews, ["2024-06-30"]);
}

#[test]
fn bad_review_dates_and_agreements_are_named_by_sheet_row_and_column() {
    let csv = format!(
        "{HEAD},Vocational plan start date,Vocational plan review dates,Plan agreed with clinical team\n\
         r1,c1,02/04/2024,Unemployed,es1,20/04/2024,\"10/05/2024; 31/02/2024\",Yes\n\
         r2,c2,01/05/2024,Unemployed,es1,06/05/2024,01/06/24,Yes\n\
         r3,c3,01/06/2024,Unemployed,es1,05/06/2024,01/06/2030,\n\
         r4,c4,01/06/2024,Unemployed,es1,,01/07/2024,\n\
         r5,c5,01/06/2024,Unemployed,es1,,,No\n\
         r6,c6,01/06/2024,Unemployed,es1,05/06/2024,01/06/2024,Yes\n\
         r7,c7,01/06/2024,Unemployed,es1,05/06/2024,,Maybe\n\
         r8,c8,01/06/2024,Unemployed,es1,05/06/2024,\"07/07/2024, 08/08/2024\",Y\n"
    );
    let sheets = read_file("plans.csv", csv.as_bytes()).unwrap();
    let p = first_import(&sheets);
    let at = |row: u32, column: &str, referral: &str| {
        format!("plans.csv row {row}, column {column} (referral {referral}): ")
    };
    let reviews = "G (Vocational plan review dates)";
    let agreed = "H (Plan agreed with clinical team)";
    assert_eq!(
        shown(&p),
        [
            at(2, reviews, "r1") + "'31/02/2024' is not a real date",
            at(3, reviews, "r2")
                + "'01/06/24' has a two-digit year, which could be 1924 or 2024: write the year in full",
            at(4, reviews, "r3") + "2030-06-01 is after today (2026-11-23)",
            at(5, reviews, "r4")
                + "a vocational plan review date needs a vocational plan start date",
            at(6, agreed, "r5")
                + "whether the plan was agreed with the clinical team needs a vocational plan start date",
            at(7, reviews, "r6")
                + "vocational_plan.reviews[0] 2024-06-01 is before the plan's start",
            at(8, agreed, "r7") + "'Maybe' is not yes or no",
        ],
        "{:#?}",
        shown(&p)
    );
    let written = p.to_import(true).unwrap();
    let ids: Vec<&str> = written.referrals.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r8"]);
}

#[test]
fn a_sheet_without_the_review_or_agreement_column_keeps_the_stored_plan() {
    let stored = service();
    let r1 = stored.referrals[0].vocational_plan.clone().unwrap();
    let preview_of = |columns: &str, cells: &str| {
        let csv = format!(
            "{HEAD},Vocational plan start date,Vocational plan end date{columns}\n\
             r1,c1,02/04/2024,Unemployed,es1,20/04/2024,01/10/2024{cells}\n"
        );
        let sheets = read_file("r1.csv", csv.as_bytes()).unwrap();
        let p = preview_over(&sheets, &stored);
        assert!(p.is_clean(), "{:#?}", p.problems);
        p
    };
    let import = |columns: &str, cells: &str| {
        preview_of(columns, cells)
            .to_import(false)
            .unwrap()
            .referrals[0]
            .vocational_plan
            .clone()
            .unwrap()
    };
    // Neither column: the reviews and the agreement are kept, the referral
    // unchanged.
    let p = preview_of("", "");
    assert_eq!((p.referrals.update, p.referrals.unchanged), (0, 1));
    // The agreement column alone: it changes, the reviews are kept.
    let plan = import(",Agreed with clinical team", ",No");
    assert_eq!(plan.reviews, r1.reviews);
    assert_eq!(plan.agreed_with_clinical_team, Some(false));
    // The columns there but blank: both are cleared.
    let plan = import(",Plan review dates,Agreed with clinical team", ",,");
    assert!(plan.reviews.is_empty());
    assert_eq!(plan.agreed_with_clinical_team, None);
    // A sheet without the plan's start column still gives the reviews of the
    // stored plan.
    let csv = format!("{HEAD},Plan review dates\nr1,c1,02/04/2024,Unemployed,es1,01/08/2024\n");
    let sheets = read_file("r1.csv", csv.as_bytes()).unwrap();
    let p = preview_over(&sheets, &stored);
    assert!(p.is_clean(), "{:#?}", p.problems);
    let plan = p.to_import(false).unwrap().referrals[0]
        .vocational_plan
        .clone()
        .unwrap();
    assert_eq!((plan.start.as_str(), plan.end), ("2024-04-20", r1.end));
    assert_eq!(plan.reviews, ["2024-08-01"]);
    assert_eq!(plan.agreed_with_clinical_team, Some(true));
}
