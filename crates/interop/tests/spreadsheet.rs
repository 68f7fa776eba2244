//! Spreadsheet import: the examples survive a trip to the spreadsheet layout
//! and back with the same report; a messy spreadsheet gives a precise problem
//! list and nothing to write unless skipping is accepted.

use std::path::Path;

use ipstrack_core::bundle::{BundleDoc, ReferralDoc, parse_document, validate};
use ipstrack_core::{Day, Period, report};
use ipstrack_interop::spreadsheet::{
    ImportOptions, Mapping, Preview, Problem, Sheet, caseload_xlsx, preview, read_file,
    read_workbook,
};
use rust_xlsxwriter::{Format, Workbook};

mod support;

use support::{csv_sheets, options, staff_only, xlsx_sheets};

fn example(name: &str) -> BundleDoc {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/examples")
        .join(format!("{name}.bundle.json"));
    parse_document(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The bundle's service, policy, teams and staff, without case data.
fn without_case_data(doc: &BundleDoc) -> BundleDoc {
    BundleDoc {
        clients: Vec::new(),
        referrals: Vec::new(),
        ..doc.clone()
    }
}

/// The examples hold generated records up to 2028: import them on a day after.
fn later() -> ImportOptions {
    ImportOptions {
        today: Day::parse("2030-12-31").unwrap(),
        team: None,
    }
}

/// The expected reports of an example: (period, as of).
fn periods(name: &str) -> Vec<(Period, Day)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/examples");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let Some(rest) = file.strip_prefix(&format!("{name}.")) else {
            continue;
        };
        let Some(rest) = rest.strip_suffix(".expected.json") else {
            continue;
        };
        let (period, as_of) = match rest.split_once(".asof-") {
            Some((p, a)) => (p.to_string(), Some(a.to_string())),
            None => (rest.to_string(), None),
        };
        let period = Period::parse(&period.replacen('-', "/", 1)).unwrap();
        let as_of = as_of.map_or(period.end, |a| Day::parse(&a).unwrap());
        out.push((period, as_of));
    }
    assert!(!out.is_empty());
    out
}

fn report_json(doc: &BundleDoc, period: &Period, as_of: Day) -> String {
    let loaded = validate(doc).unwrap();
    let r = report(&loaded.dataset, &loaded.warnings, period, as_of).unwrap();
    serde_json::to_string_pretty(&r).unwrap()
}

fn imported(base: &BundleDoc, p: &Preview) -> BundleDoc {
    let written = p.to_import(false).expect("a clean file");
    let mut doc = base.clone();
    doc.clients.extend(written.clients.iter().cloned());
    doc.referrals.extend(written.referrals.iter().cloned());
    doc
}

/// The examples that go through the spreadsheet layout and back; the
/// revision 3 ones carry in-work checks after discharges (SUS-6), which
/// change their figures if lost.
const EXAMPLES: [&str; 6] = [
    "caseload",
    "random-101",
    "random-102",
    "sustainment",
    "revision3",
    "revision3-not-counted",
];

/// The example `name`'s `sheets` imported over its staff alone: no problem,
/// and every expected report of the example the same from what came back.
/// The preview, for more checks.
fn assert_the_same_reports_back(name: &str, doc: &BundleDoc, sheets: &[Sheet]) -> Preview {
    let base = without_case_data(doc);
    let p = preview(sheets, &Mapping::default(), &base, &later());
    assert_eq!(p.problems, Vec::<Problem>::new(), "{name}");
    let back = imported(&base, &p);
    for (period, as_of) in periods(name) {
        assert_eq!(
            report_json(&back, &period, as_of),
            report_json(doc, &period, as_of),
            "{name} {}",
            period.label
        );
    }
    p
}

#[test]
fn round_trip_of_every_example_through_xlsx_gives_the_same_report() {
    for name in EXAMPLES {
        let doc = example(name);
        let p = assert_the_same_reports_back(name, &doc, &xlsx_sheets(&doc));
        assert_eq!(p.referrals.create, doc.referrals.len(), "{name}");
        assert_eq!(p.clients.create, doc.clients.len(), "{name}");
    }
}

#[test]
fn round_trip_of_every_example_through_csv_files_gives_the_same_report() {
    for name in EXAMPLES {
        let doc = example(name);
        assert_the_same_reports_back(name, &doc, &csv_sheets(&doc));
    }
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let mapping = Mapping::default();
    let doc = example("random-101");
    let sheets = read_workbook("x.xlsx", &caseload_xlsx(&doc, &mapping).unwrap()).unwrap();
    let first = preview(&sheets, &mapping, &without_case_data(&doc), &later());
    let stored = imported(&without_case_data(&doc), &first);
    let again = preview(&sheets, &mapping, &stored, &later());
    assert!(again.is_clean());
    assert_eq!(again.referrals.create + again.referrals.update, 0);
    assert_eq!(again.referrals.unchanged, doc.referrals.len());
    let written = again.to_import(false).unwrap();
    assert!(written.referrals.is_empty() && written.clients.is_empty());
}

/// The staff of the messy spreadsheet's service: the shared service
/// without its clients, referrals and employer contacts.
fn service() -> BundleDoc {
    staff_only(&support::service())
}

/// A spreadsheet as services keep them: a merged title row, headings with
/// trailing spaces, blank rows, dates as dates, UK text, ISO text and serial
/// numbers, a typo in a specialist's name, and more.
fn messy_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Caseload 2024-25").unwrap();
    let title = Format::new().set_bold();
    sheet
        .merge_range(0, 0, 0, 8, "Northshire IPS caseload 2024/25", &title)
        .unwrap();
    let headings = [
        "Client ID ",
        " NHS number",
        "Referral date",
        "Employment status at referral",
        "Employment specialist",
        "Date Vocational Profile Started",
        "Job start date",
        "Hours per week",
        "Discharge date",
        "Notes",
    ];
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let d = |t: &str| jiff::civil::Date::strptime("%Y-%m-%d", t).unwrap();
    // Row 4: a clean client, dates as Excel dates.
    sheet.write_string(3, 0, "c1").unwrap();
    sheet.write_string(3, 1, "943 476 5919").unwrap();
    sheet
        .write_date_with_format(3, 2, d("2024-04-02"), &date)
        .unwrap();
    sheet.write_string(3, 3, "Unemployed ").unwrap();
    sheet.write_string(3, 4, "alice smith").unwrap();
    sheet
        .write_date_with_format(3, 5, d("2024-04-10"), &date)
        .unwrap();
    sheet
        .write_date_with_format(3, 6, d("2024-07-01"), &date)
        .unwrap();
    sheet.write_number(3, 7, 16).unwrap();
    // Row 5: blank. Row 6: the same client's second job, dates as UK text.
    sheet.write_string(5, 0, "c1").unwrap();
    sheet.write_string(5, 2, "02/04/2024").unwrap();
    sheet.write_string(5, 6, "01/09/2024").unwrap();
    sheet.write_string(5, 7, "7.5").unwrap();
    // Row 7: ISO text and a serial number; the specialist's name misspelt.
    sheet.write_string(6, 0, "c2").unwrap();
    sheet.write_string(6, 2, "2024-05-01").unwrap();
    sheet.write_string(6, 3, "Employed").unwrap();
    sheet.write_string(6, 4, "Bilal Kahn").unwrap();
    sheet.write_number(6, 5, 45_425.0).unwrap(); // 2024-05-13
    // Row 8: a discharge date that is not UK (month first), which makes
    // row 9's discharge date ambiguous.
    sheet.write_string(7, 0, "c3").unwrap();
    sheet.write_string(7, 2, "01/05/2024").unwrap();
    sheet.write_string(7, 3, "Unemployed").unwrap();
    sheet.write_string(7, 4, "es1").unwrap();
    sheet.write_string(7, 8, "07/31/2024").unwrap();
    sheet.write_string(8, 0, "c4").unwrap();
    sheet.write_string(8, 2, "02/05/2024").unwrap();
    sheet.write_string(8, 3, "Unemployed").unwrap();
    sheet.write_string(8, 4, "es1").unwrap();
    sheet.write_string(8, 8, "06/08/2024").unwrap();
    // Row 10: a duplicate client (c1's NHS number under another id), a
    // two-digit year, an NHS number with a wrong check digit on row 11.
    sheet.write_string(9, 0, "c5").unwrap();
    sheet.write_string(9, 1, "9434765919").unwrap();
    sheet.write_string(9, 2, "12/06/2024").unwrap();
    sheet.write_string(9, 3, "Unemployed").unwrap();
    sheet.write_string(9, 4, "Alice Smith").unwrap();
    sheet.write_string(9, 8, "1/7/24").unwrap();
    sheet.write_string(10, 0, "c6").unwrap();
    sheet.write_string(10, 1, "9434765918").unwrap();
    sheet.write_string(10, 2, "13/06/2024").unwrap();
    sheet.write_string(10, 3, "Unemployed").unwrap();
    sheet.write_string(10, 4, "Alice Smith").unwrap();
    // Row 12: access before the referral (a BAD-1 rule), and row 13 clean.
    sheet.write_string(11, 0, "c7").unwrap();
    sheet.write_string(11, 2, "20/06/2024").unwrap();
    sheet.write_string(11, 3, "Unemployed").unwrap();
    sheet.write_string(11, 4, "Alice Smith").unwrap();
    sheet.write_string(11, 5, "19/06/2024").unwrap();
    sheet.write_string(12, 0, "c8").unwrap();
    sheet.write_string(12, 2, "21 June 2024").unwrap();
    sheet.write_string(12, 3, "unemployed").unwrap();
    sheet.write_string(12, 4, "Alice  Smith").unwrap();
    sheet.write_string(12, 9, "=HYPERLINK(\"x\")").unwrap();
    // A second sheet with notes, not a table.
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes
        .write_string(0, 0, "Remember to update weekly")
        .unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_messy_spreadsheet_gives_a_precise_problem_list_and_nothing_to_write() {
    let sheets = read_file("caseload.xlsx", &messy_workbook()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &service(), &options());
    let shown: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
    let s = "Caseload 2024-25";
    let expected = [
        format!(
            "{s} row 7, column E (Employment specialist) (referral c2-2024-05-01): unknown employment specialist 'Bilal Kahn': did you mean 'Bilal Khan' (es2)?"
        ),
        format!(
            "{s} row 8, column I (Discharge date) (referral c3-2024-05-01): '07/31/2024' is not a UK date (there is no month 31); dates are read day first"
        ),
        format!(
            "{s} row 9, column I (Discharge date) (referral c4-2024-05-02): '06/08/2024' is ambiguous: 6 August 2024 or 8 June 2024? This column also holds month-first dates such as '07/31/2024' (row 8)"
        ),
        format!(
            "{s} row 10, column B (NHS number) (referral c5-2024-06-12): duplicate client: this NHS number is already client c1's; use one client id for one person"
        ),
        format!(
            "{s} row 10, column I (Discharge date) (referral c5-2024-06-12): '1/7/24' has a two-digit year, which could be 1924 or 2024: write the year in full"
        ),
        format!(
            "{s} row 11, column B (NHS number) (referral c6-2024-06-13): not a valid NHS number (10 digits, the last a check digit)"
        ),
        format!(
            "{s} row 12, column F (Date Vocational Profile Started) (referral c7-2024-06-20): access 2024-06-19 is before received 2024-06-20"
        ),
    ];
    for e in &expected {
        assert!(
            shown.contains(e),
            "missing: {e}\nall:\n{}",
            shown.join("\n")
        );
    }
    assert_eq!(shown.len(), expected.len(), "{}", shown.join("\n"));
    // Nothing is written unless skipping is accepted.
    assert!(!p.is_clean());
    assert!(p.to_import(false).is_none());
    // Accepting skips writes only the clean referrals: c1 (two jobs) and c8.
    let written = p.to_import(true).unwrap();
    let ids: Vec<&str> = written.referrals.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["c1-2024-04-02", "c8-2024-06-21"]);
    let c1 = &written.referrals[0];
    assert_eq!(c1.es.as_deref(), Some("es1"));
    assert_eq!(c1.access.as_deref(), Some("2024-04-10"));
    let jobs = c1.jobs.as_ref().unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[1].start, "2024-09-01");
    assert_eq!(jobs[1].hours_per_week.as_ref().unwrap().to_string(), "7.5");
    assert_eq!(written.clients.len(), 2);
    assert_eq!(
        written.clients[0].nhs_number.as_deref(),
        Some("9434765919"),
        "spaces are taken out of NHS numbers"
    );
    // The whole result, with the clean rows only, passes every BAD-1 rule.
    let mut merged = service();
    merged.clients = written.clients.clone();
    merged.referrals = written.referrals.clone();
    validate(&merged).unwrap();
    // The preview lists what is skipped, by referral and rows.
    let skipped: Vec<_> = p.skipped.iter().flat_map(|s| s.rows.clone()).collect();
    for row in [7, 8, 9, 10, 11, 12] {
        assert!(
            skipped.contains(&(s.to_string(), row)),
            "row {row}: {skipped:?}"
        );
    }
    assert!(!skipped.iter().any(|(_, r)| [4, 6, 13].contains(r)));
    // The sheets: the caseload found under its title, the notes not read.
    assert_eq!(p.sheets[0].header_row, Some(3));
    assert_eq!(p.sheets[0].unused_columns, vec!["J (Notes)".to_string()]);
    assert!(p.sheets[1].note.as_deref().unwrap().starts_with("not read"));
    assert_eq!(p.referrals.create, 2);
}

#[test]
fn a_team_lead_imports_only_for_their_own_team() {
    let csv = "Client ID,Referral date,Employment status at referral,Employment specialist\n\
               c1,02/04/2024,Unemployed,Alice Smith\n\
               c2,03/04/2024,Unemployed,Carys Jones\n\
               c3,04/04/2024,Unemployed,\n";
    let sheets = read_file("team.csv", csv.as_bytes()).unwrap();
    let mut o = options();
    o.team = Some("north".into());
    let p = preview(&sheets, &Mapping::default(), &service(), &o);
    let shown: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:#?}");
    assert!(
        shown[0].contains("row 3") && shown[0].contains("es3, who is not in your team (north)")
    );
    assert!(
        shown[1].contains("row 4") && shown[1].contains("no employment specialist of your team")
    );
    assert_eq!(p.to_import(true).unwrap().referrals.len(), 1);
}

/// The first referral of `doc` with more than one contact.
fn with_contacts(doc: &BundleDoc) -> ReferralDoc {
    doc.referrals
        .iter()
        .find(|r| r.contacts.as_ref().is_some_and(|c| c.len() > 1))
        .expect("a referral with contacts")
        .clone()
}

#[test]
fn a_child_sheet_replaces_that_list_and_keeps_the_others() {
    let mapping = Mapping::default();
    let doc = example("caseload");
    let with = with_contacts(&doc);
    let csv = format!(
        "Referral ID,Contact date,Contact type\n{},{},Face to face\n",
        with.id,
        {
            let d = Day::parse(&with.contacts.as_ref().unwrap()[0].date)
                .unwrap()
                .date();
            format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
        }
    );
    let sheets = read_file("contacts.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &mapping, &doc, &later());
    assert!(p.is_clean(), "{:#?}", p.problems);
    assert_eq!(p.referrals.update, 1);
    let r = &p.to_import(false).unwrap().referrals[0];
    assert_eq!(r.contacts.as_ref().unwrap().len(), 1);
    assert_eq!(r.jobs, with.jobs, "lists not in the file are kept");
    assert_eq!(r.received, with.received);
}

#[test]
fn a_preview_carries_the_versions_it_was_built_on_and_says_what_each_replacement_removes() {
    let mut doc = example("caseload");
    // The stored records as a database exports them: each referral's version.
    for (n, r) in doc.referrals.iter().enumerate() {
        doc.referral_versions.insert(r.id.clone(), n as i64 + 1);
    }
    let with = with_contacts(&doc);
    let first = Day::parse(&with.contacts.as_ref().unwrap()[0].date)
        .unwrap()
        .date();
    let csv = format!(
        "Referral ID,Contact date,Contact type\n{},{:02}/{:02}/{},Face to face\n",
        with.id,
        first.day(),
        first.month(),
        first.year()
    );
    let sheets = read_file("contacts.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &doc, &later());
    assert!(p.is_clean(), "{:#?}", p.problems);
    let written = p.to_import(false).unwrap();
    assert_eq!(written.referrals.len(), 1);
    // Only the referral to write, at the version it was built on.
    assert_eq!(
        written.referral_versions.iter().collect::<Vec<_>>(),
        vec![(&with.id, &doc.referral_versions[&with.id])]
    );
    assert_eq!(p.versions(), &written.referral_versions);
    assert_eq!(p.replaced.len(), 1);
    assert_eq!(p.replaced[0].referral, with.id);
    assert_eq!(p.replaced[0].client, with.client);
    let removed = with.contacts.as_ref().unwrap().len() - 1;
    assert_eq!(p.replaced[0].removed.contacts, removed);
    assert_eq!(
        p.replaced[0].removed.to_string(),
        format!(
            "removes {removed} contact{}",
            if removed == 1 { "" } else { "s" }
        )
    );

    // Records without versions (a bundle's own) give a bundle without them.
    doc.referral_versions.clear();
    let p = preview(&sheets, &Mapping::default(), &doc, &later());
    assert!(p.to_import(false).unwrap().referral_versions.is_empty());
}

#[test]
fn rows_of_a_referral_that_disagree_are_problems() {
    let csv = "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist,Job start date,Job type\n\
               r1,c1,02/04/2024,Unemployed,Alice Smith,01/07/2024,Employee\n\
               r1,c1,03/04/2024,Unemployed,Alice Smith,01/08/2024,Plumber\n\
               ,c2,04/04/2024,Unemployed,Alice Smith,,\n\
               r9,c9,2030-01-01,Unemployed,Alice Smith,,\n";
    let sheets = read_file("x.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &service(), &options());
    let shown: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
    assert!(
        shown.iter().any(|l| l.contains("row 3, column C (Referral date) (referral r1): says 2024-04-03 but row 2 of referral r1 says 2024-04-02")),
        "{shown:#?}"
    );
    assert!(
        shown.iter().any(|l| l.contains(
            "row 3, column G (Job type) (referral r1): 'Plumber' is not a known job type"
        )),
        "{shown:#?}"
    );
    assert!(
        shown
            .iter()
            .any(|l| l.contains("row 4, column A (Referral ID): no Referral ID")),
        "{shown:#?}"
    );
    assert!(
        shown.iter().any(|l| l.contains(
            "row 5, column C (Referral date) (referral r9): 2030-01-01 is after today (2026-11-23)"
        )),
        "{shown:#?}"
    );
}

#[test]
fn a_sheet_with_two_columns_for_one_field_is_not_read() {
    let csv = "Client ID,Referral date,Date of referral,Employment status at referral\nc1,02/04/2024,02/04/2024,Unemployed\n";
    let sheets = read_file("x.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &service(), &options());
    assert_eq!(p.problems.len(), 1);
    assert!(
        p.problems[0]
            .message
            .contains("two columns hold `received`: B and C")
    );
    assert!(p.to_import(false).is_none());
}

#[test]
fn an_edited_mapping_reads_a_services_own_headings_and_words() {
    let mapping = Mapping::from_toml(
        r#"
        [caseload]
        client = "Service user"
        received = "Referred on"
        status_at_referral = "Working?"
        es = "Worker"
        [values.status_at_referral]
        employed = ["Yes"]
        unemployed = ["No"]
        "#,
    )
    .unwrap();
    let csv = "Service user,Referred on,Working?,Worker\nc1,2/4/2024,No,Bilal Khan\nc2,3/4/2024,Yes,es1\n";
    let sheets = read_file("own.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &mapping, &service(), &options());
    assert!(p.is_clean(), "{:#?}", p.problems);
    let written = p.to_import(false).unwrap();
    assert_eq!(written.referrals[0].status_at_referral, "unemployed");
    assert_eq!(written.referrals[0].es.as_deref(), Some("es2"));
    assert_eq!(written.referrals[1].status_at_referral, "employed");
    assert_eq!(written.referrals[1].received, "2024-04-03");
}

#[test]
fn a_contacts_mechanism_is_read_and_checked_against_its_kind() {
    let doc = example("caseload");
    let r = &doc.referrals[0];
    let d = Day::parse(&r.received).unwrap().date();
    let day = format!("{:02}/{:02}/{}", d.day(), d.month(), d.year());
    let csv = format!(
        "Referral ID,Contact date,Contact type,Contact method\n\
         {id},{day},Remote,Video call\n\
         {id},{day},Face to face,Telephone\n",
        id = r.id
    );
    let sheets = read_file("contacts.csv", csv.as_bytes()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &doc, &later());
    let shown: Vec<String> = p.problems.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(
        shown[0].starts_with(&format!(
            "contacts.csv row 3, column D (Contact method) (referral {}):",
            r.id
        )),
        "{shown:#?}"
    );
    assert!(
        shown[0].contains("does not fit a `face_to_face` contact"),
        "{shown:#?}"
    );
    let ok = format!(
        "Referral ID,Contact date,Contact type,Contact method\n{id},{day},Remote,Video call\n",
        id = r.id
    );
    let sheets = read_file("contacts.csv", ok.as_bytes()).unwrap();
    let p = preview(&sheets, &Mapping::default(), &doc, &later());
    assert!(p.is_clean(), "{:#?}", p.problems);
    let contacts = p.to_import(false).unwrap().referrals[0]
        .contacts
        .clone()
        .unwrap();
    assert_eq!(contacts[0].mechanism.as_deref(), Some("video"));
}
