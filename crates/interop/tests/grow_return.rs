//! The IPS Grow quarterly return: the xlsx workbook and the CSV carry exactly
//! the report's figures, per ES, team and service.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use ipstrack_core::{Day, Period, read_bundle, report};
use ipstrack_interop::{
    COLUMNS, YEAR_TO_DATE_SUSTAINMENT, grow_return, grow_return_csv, grow_return_xlsx, safe_text,
};

fn example() -> (ipstrack_core::Loaded, ipstrack_core::Report) {
    let loaded = bundle("random-101");
    let period = Period::parse("2024/25-Q3").unwrap();
    let r = report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
    (loaded, r)
}

fn bundle(name: &str) -> ipstrack_core::Loaded {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        format!("../core/tests/fixtures/examples/{name}.bundle.json"),
    ))
    .unwrap();
    read_bundle(&text).unwrap()
}

/// The report of `period` as of `as_of` of `loaded`.
fn report_of(loaded: &ipstrack_core::Loaded, period: &str, as_of: &str) -> ipstrack_core::Report {
    let period = Period::parse(period).unwrap();
    report(
        &loaded.dataset,
        &loaded.warnings,
        &period,
        Day::parse(as_of).unwrap(),
    )
    .unwrap()
}

/// A return's figure of `heading` by (level, id).
fn figure_of(
    rows: &[ipstrack_interop::ReturnRow],
    heading: &str,
) -> std::collections::BTreeMap<(&'static str, String), Option<f64>> {
    rows.iter()
        .map(|r| ((r.level, r.id.clone()), r.figures[column(heading)]))
        .collect()
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

/// TGT-3 (rev. 3): for a quarter the column is each ES's rate over the
/// financial year to date (`targets.year_to_date`), not the quarter's; the
/// teams and the service have none in the report and their cells are empty.
#[test]
fn the_year_to_date_sustainment_rate_of_a_quarter_is_each_es_year_to_date() {
    let (loaded, r) = example();
    let rows = grow_return(&r, &loaded.dataset);
    let c = column(YEAR_TO_DATE_SUSTAINMENT);
    let mut differs = 0;
    for s in &r.specialists {
        let ytd = s
            .targets
            .year_to_date
            .as_ref()
            .expect("a quarter has a year to date");
        assert_eq!(ytd.period.start, Day::parse("2024-04-01").unwrap());
        let row = rows
            .iter()
            .find(|x| x.level == "es" && x.id == s.id)
            .unwrap();
        assert_eq!(row.figures[c], ytd.sustainment_rate_13w.value, "{}", s.id);
        differs += usize::from(ytd.sustainment_rate_13w.value != s.kpis.sustainment_rate_13w.value);
    }
    assert!(
        differs > 0,
        "some year-to-date rates differ from the quarter's"
    );
    assert!(
        rows.iter()
            .filter(|x| x.level != "es")
            .all(|x| x.figures[c].is_none())
    );
    // The CSV carries it under its heading; the xlsx as a percentage number.
    let text = grow_return_csv(&r, &rows).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with(YEAR_TO_DATE_SUSTAINMENT)
    );
    let bytes = grow_return_xlsx(&r, &rows).unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Specialists").unwrap();
    for (i, row) in rows.iter().filter(|x| x.level == "es").enumerate() {
        let cell = sheet.get_value(((i + 1) as u32, (7 + c) as u32)).cloned();
        match row.figures[c] {
            Some(v) => assert_eq!(cell, Some(Data::Float(v)), "{}", row.id),
            None => assert!(matches!(cell, None | Some(Data::Empty)), "{}", row.id),
        }
    }
}

/// For exactly one financial year the report has no year to date: every
/// row, the teams and the service too, has the year's own rate.
#[test]
fn the_year_to_date_sustainment_rate_of_a_whole_year_is_the_years_own() {
    let loaded = bundle("random-102");
    let r = report_of(&loaded, "2024/25", "2025-03-31");
    let rows = grow_return(&r, &loaded.dataset);
    let c = column(YEAR_TO_DATE_SUSTAINMENT);
    assert!(
        r.specialists
            .iter()
            .all(|s| s.targets.year_to_date.is_none())
    );
    let own = |level: &str, id: &str| match level {
        "service" => &r.service,
        "team" => &r.teams.iter().find(|t| t.id == id).unwrap().kpis,
        _ => &r.specialists.iter().find(|s| s.id == id).unwrap().kpis,
    };
    for row in &rows {
        assert_eq!(
            row.figures[c],
            own(row.level, &row.id).sustainment_rate_13w.value,
            "{} {}",
            row.level,
            row.id
        );
    }
    assert!(rows.iter().any(|x| x.figures[c].is_some()));
}

/// CASE-3 (rev. 3): the carried-over figure of a quarter's return is the
/// active caseload on the day before its financial year (31 March 2024) —
/// the same in every quarter of 2024/25 and in the year's return, and the
/// "Active caseload" of the 2023/24 return as of that day — not the active
/// caseload on the day before the quarter.
#[test]
fn carried_over_is_the_active_caseload_before_the_financial_year() {
    let loaded = bundle("random-101");
    let d = &loaded.dataset;
    let carried = |period: &str, as_of: &str| {
        figure_of(
            &grow_return(&report_of(&loaded, period, as_of), d),
            "Carried over from the previous financial year",
        )
    };
    let q3 = carried("2024/25-Q3", "2024-12-31");
    let previous_year = figure_of(
        &grow_return(&report_of(&loaded, "2023/24", "2024-03-31"), d),
        "Active caseload",
    );
    let mut compared = 0;
    for (who, v) in &q3 {
        if let Some(before) = previous_year.get(who) {
            assert_eq!(v, before, "{who:?}");
            compared += 1;
        }
    }
    assert!(
        compared > 1,
        "the service, teams and ES in both were compared"
    );
    for (period, as_of) in [
        ("2024/25-Q1", "2024-06-30"),
        ("2024/25-Q2", "2024-09-30"),
        ("2024/25", "2025-03-31"),
    ] {
        let other = carried(period, as_of);
        for (who, v) in &q3 {
            if let Some(o) = other.get(who) {
                assert_eq!(v, o, "{period} {who:?}");
            }
        }
    }
    // The reading before revision 3 (the day before the quarter) differs.
    let before_quarter = figure_of(
        &grow_return(&report_of(&loaded, "2024/25-Q2", "2024-09-30"), d),
        "Active caseload",
    );
    let service = ("service", String::new());
    assert_ne!(q3[&service], before_quarter[&service]);
}
