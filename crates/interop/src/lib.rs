//! Exchange formats at the edge of ipstrack: the IPS Grow quarterly return —
//! the figures IPS Grow asks for, per ES, team and service — as a formatted
//! xlsx workbook and as CSV, made from the one report value (this module);
//! IPS Grow style spreadsheets in and out ([`spreadsheet`]); the
//! MHSDS-aligned extract ([`mhsds`]).

pub mod fidelity;
pub mod mhsds;
pub mod spreadsheet;
pub use mhsds::mhsds_extract;

use ipstrack_core::report::{Kpis, Report, Targets};
use ipstrack_core::time::financial_year_range;
use ipstrack_core::{Dataset, Day};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// What a row's figures are read from: its KPI block and, for an ES, its
/// targets (TGT-3's financial year to date among them), in a report of a
/// period that is exactly one financial year or not.
#[derive(Clone, Copy)]
pub struct Block<'a> {
    pub kpis: &'a Kpis,
    pub targets: Option<&'a Targets>,
    pub whole_year: bool,
}

/// Reads one figure of a row; `None` where there is no figure.
pub type Figure = fn(&Block) -> Option<f64>;

/// Whether `start..=end` is exactly one financial year (T-2).
pub fn is_financial_year(start: Day, end: Day) -> bool {
    let fy = financial_year_range(end.financial_year());
    fy.start == start && fy.end == end
}

/// The heading of the 13-week sustainment rate of the financial year to
/// date (RATE-2 over TGT-3's year to date).
pub const YEAR_TO_DATE_SUSTAINMENT: &str = "13-week sustainment rate (financial year to date)";

/// The columns whose figures are rates (shown as percentages).
pub fn is_rate(column: usize) -> bool {
    matches!(
        COLUMNS.get(column),
        Some(("Job outcome rate" | YEAR_TO_DATE_SUSTAINMENT, _))
    )
}

/// The figures of a return, in order: (column heading, figure of a row).
/// Unemployed and employed clients are always counted separately.
///
/// "Carried over" is CASE-3's figure *(rev. 3)*: the active caseload on the
/// day before the financial year containing the period's first day (not
/// the day before a quarter).
///
/// The 13-week sustainment rate of the financial year to date (TGT-3) is
/// an ES's `targets.year_to_date` rate; for a period that is exactly one
/// financial year (no year to date) it is the period's own rate, for every
/// row. Teams and the service have no year to date in the report, so for a
/// shorter period their cell is empty rather than a quarter's rate under a
/// yearly heading.
pub const COLUMNS: [(&str, Figure); 22] = [
    ("Referrals (unemployed)", |b| {
        Some(f64::from(b.kpis.referrals.unemployed))
    }),
    ("Referrals already in employment", |b| {
        Some(f64::from(b.kpis.referrals.employed))
    }),
    ("Vocational profiles started (unemployed)", |b| {
        Some(f64::from(b.kpis.access.unemployed))
    }),
    ("Vocational profiles started (employed)", |b| {
        Some(f64::from(b.kpis.access.employed))
    }),
    ("People into work (unemployed)", |b| {
        Some(f64::from(b.kpis.people_into_work.unemployed))
    }),
    ("People into work (employed)", |b| {
        Some(f64::from(b.kpis.people_into_work.employed))
    }),
    ("Total job starts (unemployed)", |b| {
        Some(f64::from(b.kpis.job_starts.unemployed))
    }),
    ("Total job starts (employed)", |b| {
        Some(f64::from(b.kpis.job_starts.employed))
    }),
    ("Sustained 13 weeks (unemployed)", |b| {
        Some(f64::from(b.kpis.sustained.w13.unemployed))
    }),
    ("Sustained 13 weeks (employed)", |b| {
        Some(f64::from(b.kpis.sustained.w13.employed))
    }),
    ("Sustained 26 weeks (unemployed)", |b| {
        Some(f64::from(b.kpis.sustained.w26.unemployed))
    }),
    ("Sustained 26 weeks (employed)", |b| {
        Some(f64::from(b.kpis.sustained.w26.employed))
    }),
    ("Sustained 52 weeks (unemployed)", |b| {
        Some(f64::from(b.kpis.sustained.w52.unemployed))
    }),
    ("Sustained 52 weeks (employed)", |b| {
        Some(f64::from(b.kpis.sustained.w52.employed))
    }),
    ("Active caseload", |b| {
        Some(f64::from(b.kpis.caseload.active))
    }),
    ("Open caseload", |b| Some(f64::from(b.kpis.caseload.open))),
    ("Carried over from the previous financial year", |b| {
        Some(f64::from(b.kpis.caseload.carried_over))
    }),
    ("Waiting list", |b| {
        Some(f64::from(b.kpis.caseload.waiting_list))
    }),
    ("People supported (unemployed)", |b| {
        Some(f64::from(b.kpis.working_rate.denominator))
    }),
    ("People seeking work (unemployed)", |b| {
        Some(f64::from(b.kpis.job_outcome_rate.denominator))
    }),
    ("Job outcome rate", |b| b.kpis.job_outcome_rate.value),
    (YEAR_TO_DATE_SUSTAINMENT, |b| {
        match b.targets.and_then(|t| t.year_to_date.as_ref()) {
            Some(y) => y.sustainment_rate_13w.value,
            None if b.whole_year => b.kpis.sustainment_rate_13w.value,
            None => None,
        }
    }),
];

/// Where the JSON report (`ipstrack-report/1`) holds each figure of
/// [`COLUMNS`] within a KPI block, in the same order: how a submitted return,
/// stored as that JSON, is read back into the rows of its files. The year
/// to date's rate is an ES's; for a whole financial year (its year to date
/// null) it is read from [`WHOLE_YEAR_SUSTAINMENT`] instead.
pub const FIGURE_POINTERS: [&str; 22] = [
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
    "/targets/year_to_date/sustainment_rate_13w/value",
];

/// Where a report of exactly one financial year holds the year to date's
/// 13-week sustainment rate: the period's own.
pub const WHOLE_YEAR_SUSTAINMENT: &str = "/sustainment_rate_13w/value";

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

fn figures(b: &Block) -> Vec<Option<f64>> {
    COLUMNS.iter().map(|(_, f)| f(b)).collect()
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
    let whole_year = is_financial_year(report.period.start, report.period.end);
    let block = |kpis, targets| Block {
        kpis,
        targets,
        whole_year,
    };
    let mut rows = vec![ReturnRow {
        level: "service",
        id: String::new(),
        name: data.service.name.clone(),
        team: String::new(),
        figures: figures(&block(&report.service, None)),
    }];
    rows.extend(report.teams.iter().map(|t| ReturnRow {
        level: "team",
        id: t.id.clone(),
        name: team_name(data, &t.id),
        team: team_name(data, &t.id),
        figures: figures(&block(&t.kpis, None)),
    }));
    rows.extend(report.specialists.iter().map(|s| ReturnRow {
        level: "es",
        id: s.id.clone(),
        name: staff_name(data, &s.id),
        team: team_name(data, &s.team),
        figures: figures(&block(&s.kpis, Some(&s.targets))),
    }));
    rows
}

/// The rows that make a return's teams add up to its service (issue 23):
/// "Not allocated to a team", from core's `report::unallocated` (what no ES
/// held is the service's and no team's), when anything was, and, when a person of two teams is
/// one person in the service but one in each team, "Less: people counted in
/// more than one team" as a negative figure, so that every count column of
/// the teams and these rows sums to the service's. Rates have no such
/// figure (`None`).
pub fn balance_rows(rows: &[ReturnRow], unallocated: &Kpis) -> Vec<ReturnRow> {
    let Some(service) = rows.iter().find(|r| r.level == "service") else {
        return Vec::new();
    };
    let block = Block {
        kpis: unallocated,
        targets: None,
        whole_year: false,
    };
    let none: Vec<Option<f64>> = figures(&block)
        .into_iter()
        .enumerate()
        .map(|(c, v)| v.filter(|_| !is_rate(c)))
        .collect();
    let overlap: Vec<Option<f64>> = (0..COLUMNS.len())
        .map(|c| {
            if is_rate(c) {
                return None;
            }
            let teams: f64 = rows
                .iter()
                .filter(|r| r.level == "team")
                .filter_map(|r| r.figures.get(c).copied().flatten())
                .sum();
            let sum = teams + none[c].unwrap_or(0.0);
            Some(service.figures[c].unwrap_or(0.0) - sum)
        })
        .collect();
    let row = |name: &str, figures| ReturnRow {
        level: "balance",
        id: String::new(),
        name: name.to_string(),
        team: String::new(),
        figures,
    };
    let mut out = Vec::new();
    if none.iter().flatten().any(|v| *v != 0.0) {
        out.push(row("Not allocated to a team", none));
    }
    if overlap.iter().flatten().any(|v| *v != 0.0) {
        out.push(row("Less: people counted in more than one team", overlap));
    }
    out
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
    let whole_year = is_financial_year(of.start, of.end);
    let figures = |block: &serde_json::Value| -> Vec<Option<f64>> {
        FIGURE_POINTERS
            .iter()
            .zip(COLUMNS)
            .map(|(p, (heading, _))| {
                let p = if whole_year && heading == YEAR_TO_DATE_SUSTAINMENT {
                    WHOLE_YEAR_SUSTAINMENT
                } else {
                    p
                };
                block.pointer(p).and_then(serde_json::Value::as_f64)
            })
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
                if is_rate(c) {
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
    fn a_submitted_return_of_a_whole_year_reads_back_its_own_sustainment_rate() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../core/tests/fixtures/examples/random-102.bundle.json"),
        )
        .unwrap();
        let loaded = read_bundle(&text).unwrap();
        let period = Period::parse("2024/25").unwrap();
        let r = report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
        let rows = grow_return(&r, &loaded.dataset);
        let json = serde_json::to_value(&r).unwrap();
        let (_, frozen) = submitted_return(&json, &loaded.dataset).unwrap();
        assert_eq!(frozen, rows);
        let c = COLUMNS
            .iter()
            .position(|(h, _)| *h == YEAR_TO_DATE_SUSTAINMENT)
            .unwrap();
        assert!(frozen.iter().any(|row| row.figures[c].is_some()));
    }

    #[test]
    fn whole_financial_years_are_known_by_their_days() {
        let day = |s| Day::parse(s).unwrap();
        assert!(is_financial_year(day("2024-04-01"), day("2025-03-31")));
        assert!(!is_financial_year(day("2024-04-01"), day("2024-06-30")));
        assert!(!is_financial_year(day("2024-04-02"), day("2025-03-31")));
        assert!(is_rate(COLUMNS.len() - 1) && is_rate(COLUMNS.len() - 2) && !is_rate(0));
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
