//! Fuzzing the spreadsheet and CSV readers (property tests): whatever bytes
//! or cells arrive, reading and previewing never panic, and every problem
//! names a sheet and a row that exist.

use ipstrack_core::Day;
use ipstrack_core::bundle::{BundleDoc, parse_document};
use ipstrack_interop::spreadsheet::{
    Cell, ImportOptions, Mapping, Row, Sheet, caseload_xlsx, preview, read_csv, read_workbook,
};
use proptest::prelude::*;

fn service() -> BundleDoc {
    parse_document(
        r#"{
          "format": "ipstrack-bundle/1",
          "service": { "name": "S", "start_date": "2019-04-01" },
          "teams": [ { "id": "t", "name": "T" } ],
          "staff": [ { "id": "es1", "name": "Alice Smith", "role": "es", "team": "t",
                       "start_date": "2022-01-10", "fte": 1 } ],
          "clients": [], "referrals": []
        }"#,
    )
    .unwrap()
}

fn options() -> ImportOptions {
    ImportOptions {
        today: Day::parse("2026-11-23").unwrap(),
        team: Some("t".into()),
    }
}

/// Every problem points at a sheet that was read and a row that it has.
fn check(sheets: &[Sheet]) {
    let p = preview(sheets, &Mapping::default(), &service(), &options());
    for problem in &p.problems {
        if problem.sheet.is_empty() {
            continue;
        }
        let sheet = sheets
            .iter()
            .find(|s| s.name == problem.sheet)
            .unwrap_or_else(|| panic!("no sheet {problem}"));
        if let Some(row) = problem.row {
            assert!(
                sheet.rows.iter().any(|r| r.number == row),
                "no row: {problem}"
            );
        }
    }
    // What would be written is always valid with what is stored.
    if let Some(doc) = p.to_import(true) {
        let mut merged = service();
        merged.clients.extend(doc.clients.iter().cloned());
        merged.referrals.extend(doc.referrals.iter().cloned());
        ipstrack_core::bundle::validate(&merged).unwrap();
    }
}

/// The headings of a caseload sheet the fuzzed sheets start with (and
/// their cells are drawn from, among other words).
const HEADINGS: [&str; 17] = [
    "Referral ID",
    "Client ID",
    "Referral date",
    "Employment status at referral",
    "Employment specialist",
    "Date of birth",
    "Phone",
    "Postcode",
    "Gender",
    "Ethnicity",
    "Date Vocational Profile Started",
    "Job start date",
    "Hours per week",
    "Week 1 hours",
    "Week 2 hours",
    "Job type",
    "Discharge date",
];

/// Cells drawn from what caseload sheets hold: headings, dates in many
/// forms, words, numbers and junk.
fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        prop::sample::select(
            HEADINGS
                .into_iter()
                .chain([
                    "Job end date",
                    "Contact date",
                    "Contact type",
                    "NHS number",
                    "Unemployed",
                    "Employed",
                    "Alice Smith",
                    "es1",
                    "Face to face",
                    "Zero hours",
                    "Self employed",
                    "Yes",
                    "r1",
                    "r2",
                    "c1",
                    "c2",
                    "j1",
                    "Female",
                    "X",
                    "White British",
                    "99",
                    "LS1 4AP",
                    "ls14ap",
                    "07700 900123",
                ])
                .collect::<Vec<_>>(),
        )
        .prop_map(|s| Cell::Text(s.to_string())),
        (1u32..=31, 1u32..=13, 2019u32..=2027)
            .prop_map(|(d, m, y)| Cell::Text(format!("{d:02}/{m:02}/{y}"))),
        (1u32..=31, 1u32..=12, 18u32..=27).prop_map(|(d, m, y)| Cell::Text(format!("{d}/{m}/{y}"))),
        (2019u16..=2027, 1u8..=12, 1u8..=31).prop_map(|(year, month, day)| Cell::Date {
            year,
            month,
            day
        }),
        (0.0f64..60_000.0).prop_map(Cell::Number),
        (-5.0f64..200.0).prop_map(|h| Cell::Number((h * 100.0).round() / 100.0)),
        "[ -~]{0,12}".prop_map(Cell::Text),
        any::<bool>().prop_map(Cell::Bool),
    ]
}

fn sheet() -> impl Strategy<Value = Sheet> {
    (
        prop::sample::select(vec!["Caseload", "Contacts", "Notes"]),
        prop::collection::vec(prop::collection::vec(cell(), 0..17), 0..16),
    )
        .prop_map(|(name, rows)| Sheet {
            name: name.to_string(),
            rows: rows
                .into_iter()
                .enumerate()
                .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
                .map(|(i, cells)| Row {
                    number: i as u32 + 1,
                    cells,
                })
                .collect(),
            blank_rows: 0,
            encoding_note: None,
        })
}

/// A header row every sheet starts with, so rows are read, not only skipped.
fn with_headings(mut sheet: Sheet) -> Sheet {
    for r in &mut sheet.rows {
        r.number += 1;
    }
    sheet.rows.insert(
        0,
        Row {
            number: 1,
            cells: HEADINGS.iter().map(|h| Cell::Text(h.to_string())).collect(),
        },
    );
    sheet
}

fn workbook_bytes() -> Vec<u8> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/examples/caseload.bundle.json"),
    )
    .unwrap();
    caseload_xlsx(&parse_document(&text).unwrap(), &Mapping::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_csv_reader_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(sheet) = read_csv("fuzz.csv", &bytes) {
            check(&[sheet]);
        }
    }

    #[test]
    fn the_csv_reader_never_panics_on_csv_like_text(
        text in "(([a-zA-Z0-9 /.:-]{0,10}|\"[a-z,\\n]{0,6}\")(,|\\n|\\r\\n)){0,60}"
    ) {
        let text = format!("Referral ID,Client ID,Referral date,Employment status at referral\n{text}");
        let sheet = read_csv("fuzz.csv", text.as_bytes()).unwrap();
        check(&[sheet]);
    }

    #[test]
    fn the_workbook_reader_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(sheets) = read_workbook("fuzz.xlsx", &bytes) {
            check(&sheets);
        }
    }

    #[test]
    fn the_workbook_reader_never_panics_on_a_damaged_workbook(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = workbook_bytes();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Ok(sheets) = read_workbook("damaged.xlsx", &bytes) {
            check(&sheets);
        }
    }

    #[test]
    fn any_cells_preview_without_panic_and_problems_name_real_rows(
        sheets in prop::collection::vec(sheet(), 1..3),
        headed in any::<bool>(),
    ) {
        let sheets: Vec<Sheet> = sheets
            .into_iter()
            .enumerate()
            .map(|(i, mut s)| {
                s.name = format!("{} {i}", s.name);
                if headed { with_headings(s) } else { s }
            })
            .collect();
        check(&sheets);
    }
}
