//! Exchange formats at the edge of ipstrack: the IPS Grow quarterly return —
//! the figures IPS Grow asks for, per ES, team and service — as a formatted
//! xlsx workbook and as CSV, made from the one report value (this module);
//! IPS Grow style spreadsheets in and out ([`spreadsheet`]); the
//! MHSDS-aligned extract ([`mhsds`]).

pub mod mhsds;
pub mod spreadsheet;
pub use mhsds::mhsds_extract;

use ipstrack_core::report::{Kpis, Report};
use ipstrack_core::{Dataset, Day};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Reads one figure of a KPI block; `None` where there is no figure.
pub type Figure = fn(&Kpis) -> Option<f64>;

/// The figures of a return, in order: (column heading, figure of a KPI block).
/// Unemployed and employed clients are always counted separately.
pub const COLUMNS: [(&str, Figure); 21] = [
    ("Referrals (unemployed)", |k| {
        Some(f64::from(k.referrals.unemployed))
    }),
    ("Referrals already in employment", |k| {
        Some(f64::from(k.referrals.employed))
    }),
    ("Vocational profiles started (unemployed)", |k| {
        Some(f64::from(k.access.unemployed))
    }),
    ("Vocational profiles started (employed)", |k| {
        Some(f64::from(k.access.employed))
    }),
    ("People into work (unemployed)", |k| {
        Some(f64::from(k.people_into_work.unemployed))
    }),
    ("People into work (employed)", |k| {
        Some(f64::from(k.people_into_work.employed))
    }),
    ("Total job starts (unemployed)", |k| {
        Some(f64::from(k.job_starts.unemployed))
    }),
    ("Total job starts (employed)", |k| {
        Some(f64::from(k.job_starts.employed))
    }),
    ("Sustained 13 weeks (unemployed)", |k| {
        Some(f64::from(k.sustained.w13.unemployed))
    }),
    ("Sustained 13 weeks (employed)", |k| {
        Some(f64::from(k.sustained.w13.employed))
    }),
    ("Sustained 26 weeks (unemployed)", |k| {
        Some(f64::from(k.sustained.w26.unemployed))
    }),
    ("Sustained 26 weeks (employed)", |k| {
        Some(f64::from(k.sustained.w26.employed))
    }),
    ("Sustained 52 weeks (unemployed)", |k| {
        Some(f64::from(k.sustained.w52.unemployed))
    }),
    ("Sustained 52 weeks (employed)", |k| {
        Some(f64::from(k.sustained.w52.employed))
    }),
    ("Active caseload", |k| Some(f64::from(k.caseload.active))),
    ("Open caseload", |k| Some(f64::from(k.caseload.open))),
    ("Carried over from the previous financial year", |k| {
        Some(f64::from(k.caseload.carried_over))
    }),
    ("Waiting list", |k| Some(f64::from(k.caseload.waiting_list))),
    ("People supported (unemployed)", |k| {
        Some(f64::from(k.working_rate.denominator))
    }),
    ("People seeking work (unemployed)", |k| {
        Some(f64::from(k.job_outcome_rate.denominator))
    }),
    ("Job outcome rate", |k| k.job_outcome_rate.value),
];

/// Where the JSON report (`ipstrack-report/1`) holds each figure of
/// [`COLUMNS`] within a KPI block, in the same order: how a submitted return,
/// stored as that JSON, is read back into the rows of its files.
pub const FIGURE_POINTERS: [&str; 21] = [
    "/referrals/unemployed",
    "/referrals/employed",
    "/access/unemployed",
    "/access/employed",
    "/people_into_work/unemployed",
    "/people_into_work/employed",
    "/job_starts/unemployed",
    "/job_starts/employed",
    "/sustained/w13/unemployed",
    "/sustained/w13/employed",
    "/sustained/w26/unemployed",
    "/sustained/w26/employed",
    "/sustained/w52/unemployed",
    "/sustained/w52/employed",
    "/caseload/active",
    "/caseload/open",
    "/caseload/carried_over",
    "/caseload/waiting_list",
    "/working_rate/denominator",
    "/job_outcome_rate/denominator",
    "/job_outcome_rate/value",
];

/// The period and as-of date a return is of (the columns every row repeats).
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnOf {
    pub label: String,
    pub start: Day,
    pub end: Day,
    pub as_of: Day,
}

impl ReturnOf {
    pub fn of(report: &Report) -> ReturnOf {
        ReturnOf {
            label: report.period.label.clone(),
            start: report.period.start,
            end: report.period.end,
            as_of: report.as_of,
        }
    }
}

/// One row of a return: the level, who, and the figures in [`COLUMNS`] order.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnRow {
    /// `service`, `team` or `es`.
    pub level: &'static str,
    pub id: String,
    pub name: String,
    /// The team's name (empty for the service row).
    pub team: String,
    /// `None` where there is no figure (a rate with nobody to count).
    pub figures: Vec<Option<f64>>,
}

fn figures(k: &Kpis) -> Vec<Option<f64>> {
    COLUMNS.iter().map(|(_, f)| f(k)).collect()
}

/// The name of team `id` in `data`, or the id when it has none.
fn team_name(data: &Dataset, id: &str) -> String {
    data.teams
        .iter()
        .find(|t| t.id == id)
        .map_or(id.to_string(), |t| t.name.clone())
}

/// The name of staff member `id` in `data`, or the id when there is none.
fn staff_name(data: &Dataset, id: &str) -> String {
    data.staff
        .iter()
        .find(|x| x.id == id)
        .map_or(id.to_string(), |x| x.name.clone())
}

/// The rows of a return: the service, each team, each ES (as in the report),
/// named from `data` — people read team names, not ids (issue 14); the id
/// of the row's own team or ES stays in its Id column.
pub fn grow_return(report: &Report, data: &Dataset) -> Vec<ReturnRow> {
    let mut rows = vec![ReturnRow {
        level: "service",
        id: String::new(),
        name: data.service.name.clone(),
        team: String::new(),
        figures: figures(&report.service),
    }];
    rows.extend(report.teams.iter().map(|t| ReturnRow {
        level: "team",
        id: t.id.clone(),
        name: team_name(data, &t.id),
        team: team_name(data, &t.id),
        figures: figures(&t.kpis),
    }));
    rows.extend(report.specialists.iter().map(|s| ReturnRow {
        level: "es",
        id: s.id.clone(),
        name: staff_name(data, &s.id),
        team: team_name(data, &s.team),
        figures: figures(&s.kpis),
    }));
    rows
}

/// A submitted return read back from its stored JSON report: what it is of
/// and its rows, named from today's `data` (the figures are the frozen
/// ones). `None` when the JSON is not a report.
pub fn submitted_return(
    report: &serde_json::Value,
    data: &Dataset,
) -> Option<(ReturnOf, Vec<ReturnRow>)> {
    let day = |pointer: &str| report.pointer(pointer)?.as_str().and_then(Day::parse);
    let of = ReturnOf {
        label: report.pointer("/period/label")?.as_str()?.to_string(),
        start: day("/period/start")?,
        end: day("/period/end")?,
        as_of: day("/as_of")?,
    };
    let figures = |block: &serde_json::Value| -> Vec<Option<f64>> {
        FIGURE_POINTERS
            .iter()
            .map(|p| block.pointer(p).and_then(serde_json::Value::as_f64))
            .collect()
    };
    let text = |block: &serde_json::Value, key: &str| {
        block
            .get(key)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut rows = vec![ReturnRow {
        level: "service",
        id: String::new(),
        name: data.service.name.clone(),
        team: String::new(),
        figures: figures(report.get("service")?),
    }];
    for t in report.get("teams")?.as_array()? {
        let id = text(t, "id");
        rows.push(ReturnRow {
            level: "team",
            name: team_name(data, &id),
            team: team_name(data, &id),
            id,
            figures: figures(t),
        });
    }
    for s in report.get("specialists")?.as_array()? {
        let id = text(s, "id");
        rows.push(ReturnRow {
            level: "es",
            name: staff_name(data, &id),
            team: team_name(data, &text(s, "team")),
            id,
            figures: figures(s),
        });
    }
    Some((of, rows))
}

/// A text cell that a spreadsheet would read as a formula is written with a
/// leading apostrophe (formula injection).
pub fn safe_text(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// A header and rows as CSV text (every file ipstrack writes as CSV).
pub(crate) fn csv_text<T: AsRef<[u8]>>(
    header: &[T],
    rows: impl IntoIterator<Item = impl IntoIterator<Item = impl AsRef<[u8]>>>,
) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.write_record(row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 text"))
}

/// The return as CSV: one row per service, team and ES.
pub fn grow_return_csv(report: &Report, rows: &[ReturnRow]) -> Result<String, csv::Error> {
    return_csv(&ReturnOf::of(report), rows)
}

/// The CSV of a return's rows (current or submitted figures).
pub fn return_csv(of: &ReturnOf, rows: &[ReturnRow]) -> Result<String, csv::Error> {
    let mut header = vec![
        "Level",
        "Id",
        "Name",
        "Team",
        "Period",
        "Period start",
        "Period end",
        "As of",
    ];
    header.extend(COLUMNS.iter().map(|(h, _)| *h));
    let records = rows.iter().map(|r| {
        let mut record = vec![
            r.level.to_string(),
            safe_text(&r.id),
            safe_text(&r.name),
            safe_text(&r.team),
            of.label.clone(),
            of.start.to_string(),
            of.end.to_string(),
            of.as_of.to_string(),
        ];
        record.extend(
            r.figures
                .iter()
                .map(|v| v.map(number_text).unwrap_or_default()),
        );
        record
    });
    csv_text(&header, records)
}

/// The return as an xlsx workbook: one sheet per level (Service, Teams,
/// Specialists), frozen headers, dates as dates, rates as percentages.
pub fn grow_return_xlsx(report: &Report, rows: &[ReturnRow]) -> Result<Vec<u8>, XlsxError> {
    return_xlsx(&ReturnOf::of(report), rows)
}

/// The xlsx workbook of a return's rows (current or submitted figures).
pub fn return_xlsx(of: &ReturnOf, rows: &[ReturnRow]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let percent = Format::new().set_num_format("0.0%");
    for (sheet_name, level) in [
        ("Service", "service"),
        ("Teams", "team"),
        ("Specialists", "es"),
    ] {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name)?;
        let mut headings = vec![
            "Id",
            "Name",
            "Team",
            "Period",
            "Period start",
            "Period end",
            "As of",
        ];
        headings.extend(COLUMNS.iter().map(|(h, _)| *h));
        for (c, h) in headings.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
            sheet.set_column_width(c as u16, if c < 3 { 16 } else { 13 })?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (i, r) in rows.iter().filter(|r| r.level == level).enumerate() {
            let row = (i + 1) as u32;
            sheet.write_string(row, 0, safe_text(&r.id))?;
            sheet.write_string(row, 1, safe_text(&r.name))?;
            sheet.write_string(row, 2, safe_text(&r.team))?;
            sheet.write_string(row, 3, &of.label)?;
            sheet.write_date_with_format(row, 4, of.start.date(), &date)?;
            sheet.write_date_with_format(row, 5, of.end.date(), &date)?;
            sheet.write_date_with_format(row, 6, of.as_of.date(), &date)?;
            for (c, v) in r.figures.iter().enumerate() {
                let col = (7 + c) as u16;
                let Some(v) = *v else { continue };
                if COLUMNS[c].0 == "Job outcome rate" {
                    sheet.write_number_with_format(row, col, v, &percent)?;
                } else {
                    sheet.write_number(row, col, v)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipstrack_core::{Period, read_bundle, report};

    fn example() -> (ipstrack_core::Loaded, Report) {
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

    #[test]
    fn a_submitted_return_reads_back_as_the_rows_it_was_made_of() {
        let (loaded, r) = example();
        let rows = grow_return(&r, &loaded.dataset);
        let json = serde_json::to_value(&r).unwrap();
        let (of, frozen) = submitted_return(&json, &loaded.dataset).unwrap();
        assert_eq!(of, ReturnOf::of(&r));
        assert_eq!(frozen, rows, "every pointer reads its column's figure");
        assert_eq!(
            return_csv(&of, &frozen).unwrap(),
            grow_return_csv(&r, &rows).unwrap()
        );
        assert!(submitted_return(&serde_json::json!({"period": 1}), &loaded.dataset).is_none());
    }

    #[test]
    fn rows_name_teams_not_ids() {
        let (loaded, r) = example();
        let d = &loaded.dataset;
        let rows = grow_return(&r, d);
        for row in rows.iter().filter(|row| row.level != "service") {
            assert!(
                d.teams.iter().any(|t| t.name == row.team),
                "{} {}: team {:?} is a team's name",
                row.level,
                row.id,
                row.team
            );
        }
        let es = &r.specialists[0];
        let row = rows
            .iter()
            .find(|row| row.level == "es" && row.id == es.id)
            .unwrap();
        let team = d.teams.iter().find(|t| t.id == es.team).unwrap();
        assert_eq!(row.team, team.name);
    }
}
