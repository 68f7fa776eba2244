//! The IPS Grow quarterly return: the xlsx workbook and the CSV carry exactly
//! the report's figures, per ES, team and service.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use ipstrack_core::{Period, read_bundle, report};
use ipstrack_interop::{COLUMNS, grow_return, grow_return_csv, grow_return_xlsx, safe_text};

fn example() -> (ipstrack_core::Loaded, ipstrack_core::Report) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/examples/random-101.bundle.json"),
    )
    .unwrap();
    let loaded = read_bundle(&text).unwrap();
    let period = Period::parse("2024/25-Q3").unwrap();
    let r = report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
    (loaded, r)
}

fn column(name: &str) -> usize {
    COLUMNS.iter().position(|(h, _)| *h == name).unwrap()
}

#[test]
fn the_xlsx_return_has_one_sheet_per_level_with_the_reports_figures() {
    let (loaded, r) = example();
    let rows = grow_return(&r, &loaded.dataset);
    let bytes = grow_return_xlsx(&r, &rows).unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), vec!["Service", "Teams", "Specialists"]);
    let sheet = book.worksheet_range("Specialists").unwrap();
    assert_eq!(sheet.height(), 1 + r.specialists.len());
    assert_eq!(
        sheet.get((0, 7)),
        Some(&Data::String("Referrals (unemployed)".into()))
    );
    for (i, s) in r.specialists.iter().enumerate() {
        let row = (i + 1) as u32;
        assert_eq!(sheet.get_value((row, 0)), Some(&Data::String(s.id.clone())));
        let cell = |name: &str| sheet.get_value((row, (7 + column(name)) as u32)).cloned();
        assert_eq!(
            cell("Referrals (unemployed)"),
            Some(Data::Float(f64::from(s.kpis.referrals.unemployed)))
        );
        assert_eq!(
            cell("Total job starts (unemployed)"),
            Some(Data::Float(f64::from(s.kpis.job_starts.unemployed)))
        );
        assert_eq!(
            cell("Active caseload"),
            Some(Data::Float(f64::from(s.kpis.caseload.active)))
        );
        match s.kpis.job_outcome_rate.value {
            Some(v) => assert_eq!(cell("Job outcome rate"), Some(Data::Float(v))),
            None => assert!(matches!(cell("Job outcome rate"), None | Some(Data::Empty))),
        }
    }
    // Dates are dates: the period start cell is a date serial, not text.
    let service = book.worksheet_range("Service").unwrap();
    assert!(
        matches!(service.get_value((1, 4)), Some(Data::DateTime(_))),
        "{:?}",
        service.get_value((1, 4))
    );
}

#[test]
fn the_csv_return_matches_the_report() {
    let (loaded, r) = example();
    let rows = grow_return(&r, &loaded.dataset);
    let text = grow_return_csv(&r, &rows).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1 + r.teams.len() + r.specialists.len());
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&records[0][at("Level")], "service");
    assert_eq!(
        records[0][at("People into work (unemployed)")]
            .parse::<u32>()
            .unwrap(),
        r.service.people_into_work.unemployed
    );
    assert_eq!(records[0][at("Period")], *"2024/25-Q3");
    assert_eq!(records[0][at("Period start")], *"2024-10-01");
}

#[test]
fn cells_that_look_like_formulas_are_defused() {
    assert_eq!(safe_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    assert_eq!(safe_text("+44"), "'+44");
    assert_eq!(safe_text("@sum"), "'@sum");
    assert_eq!(safe_text("Team North"), "Team North");
}
