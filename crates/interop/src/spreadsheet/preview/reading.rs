//! Reading sheets through the mapping: which sheet holds which table (its
//! heading row and which column holds which field), then every data row's
//! cells read into values — dates settled a column at a time, hours in exact
//! hundredths, words from the mapping's lists, specialists by id or name —
//! each row keyed to the referral it belongs to.

use ipstrack_core::Day;
use ipstrack_core::bundle::{ClientDoc, MAX_WEEKLY_HOURS, client_as_stored};
use ipstrack_core::model::{Hours, nhs_number_is_valid};

use super::{Layout, Problem, ReadRow, Reader, SheetSummary, Value, client_field, client_value};
use crate::spreadsheet::cells::Cell;
use crate::spreadsheet::dates;
use crate::spreadsheet::mapping::{Field, Kind, Table, normalise};
use crate::spreadsheet::read_error::column_letter;

/// Rows searched for a sheet's heading row.
const HEADER_SEARCH_ROWS: usize = 20;

impl Reader<'_> {
    /// Finds each sheet's table and heading row.
    pub(super) fn find_layouts(&mut self) -> Vec<SheetSummary> {
        let mut summaries = Vec::new();
        for (si, sheet) in self.sheets.iter().enumerate() {
            let mut summary = SheetSummary {
                name: sheet.name.clone(),
                table: None,
                header_row: None,
                rows: 0,
                blank_rows: sheet.blank_rows,
                unused_columns: Vec::new(),
                note: sheet.encoding_note.clone(),
            };
            'rows: for (ri, row) in sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
                let headings: Vec<String> = row
                    .cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect();
                let normalised: Vec<String> = headings.iter().map(|h| normalise(h)).collect();
                for table in Table::ALL {
                    if !self.mapping.reads(table) {
                        continue;
                    }
                    let fields = table.fields();
                    let mut columns = vec![None; fields.len()];
                    let mut twice = Vec::new();
                    for (fi, field) in fields.iter().enumerate() {
                        let names = self.mapping.headings(table, field.name);
                        for (c, h) in normalised.iter().enumerate() {
                            if !h.is_empty() && names.contains(h) {
                                match columns[fi] {
                                    None => columns[fi] = Some(c),
                                    Some(first) => twice.push((field.name, first, c)),
                                }
                            }
                        }
                    }
                    let has = |name: &str| {
                        fields
                            .iter()
                            .position(|f| f.name == name)
                            .is_some_and(|i| columns[i].is_some())
                    };
                    let required = fields.iter().filter(|f| f.required).all(|f| has(f.name));
                    let keyed = table == Table::Caseload
                        || !table.of_referral()
                        || has("referral")
                        || (has("client") && has("received"));
                    if !(required && keyed) {
                        continue;
                    }
                    summary.table = Some(table);
                    summary.header_row = Some(row.number);
                    summary.unused_columns = headings
                        .iter()
                        .enumerate()
                        .filter(|(c, h)| !h.is_empty() && !columns.contains(&Some(*c)))
                        .map(|(c, h)| format!("{} ({h})", column_letter(c)))
                        .collect();
                    summary.rows = sheet.rows.len() - ri - 1;
                    if !twice.is_empty() {
                        for (name, first, second) in twice {
                            self.problems.push(Problem {
                                sheet: sheet.name.clone(),
                                row: Some(row.number),
                                column: Some(format!(
                                    "{} ({})",
                                    column_letter(second),
                                    headings[second]
                                )),
                                referral: None,
                                message: format!(
                                    "two columns hold `{name}`: {} and {}; the sheet is not read until one is renamed",
                                    column_letter(first),
                                    column_letter(second)
                                ),
                            });
                        }
                        summary.note = Some("not read: two columns hold the same field".into());
                        break 'rows;
                    }
                    self.layouts.push(Layout {
                        sheet: si,
                        table,
                        header_index: ri,
                        columns,
                        headings,
                    });
                    break 'rows;
                }
            }
            if summary.table.is_none() && !sheet.rows.is_empty() {
                summary.note = Some(format!(
                    "not read: no row in its first {HEADER_SEARCH_ROWS} has the headings of a table in the mapping"
                ));
            }
            summaries.push(summary);
        }
        summaries
    }

    /// Reads every data row of a sheet through the mapping.
    pub(super) fn read_rows(&mut self, li: usize) {
        let (sheet, table, header_index) = {
            let l = &self.layouts[li];
            (l.sheet, l.table, l.header_index)
        };
        let fields = table.fields();
        let first_problem = self.problems.len();
        let data = &self.sheets[sheet].rows[header_index + 1..];
        let mut rows: Vec<ReadRow> = data
            .iter()
            .map(|r| ReadRow {
                layout: li,
                number: r.number,
                values: vec![None; fields.len()],
                key: None,
            })
            .collect();
        for (fi, field) in fields.iter().enumerate() {
            let Some(c) = self.layouts[li].columns[fi] else {
                continue;
            };
            if matches!(field.kind, Kind::Date | Kind::Dates) {
                self.read_dates(li, fi, c, &mut rows);
                continue;
            }
            for (ri, r) in data.iter().enumerate() {
                let cell = r.cells.get(c).unwrap_or(&Cell::Empty);
                if cell.is_empty() {
                    continue;
                }
                match self.read_cell(field, cell) {
                    Ok(v) => rows[ri].values[fi] = Some(v),
                    Err(e) => self.problem(li, r.number, Some(field.name), e),
                }
            }
        }
        if !table.of_referral() {
            // Employer contacts belong to no referral: each row is its own record.
            self.rows.extend(rows);
            return;
        }
        let by_id = self.layouts[li].has("referral");
        for row in &mut rows {
            row.key = key(table, row, by_id);
        }
        // Problems of a row belong to its referral (left out with it).
        let sheet_name = &self.sheets[sheet].name;
        for p in self.problems.iter_mut().skip(first_problem) {
            if p.referral.is_none() && p.sheet == *sheet_name {
                let key = p
                    .row
                    .and_then(|n| rows.iter().find(|r| r.number == n))
                    .and_then(|r| r.key.clone());
                p.referral = key;
            }
        }
        for row in &rows {
            if row.key.is_none() {
                let (field, missing) = if by_id {
                    ("referral", "no Referral ID")
                } else if row.get(table, "client").is_none() {
                    ("client", "no client id")
                } else {
                    ("received", "no referral date that can be read")
                };
                let message = format!("{missing}: the row cannot be put with its referral");
                self.problem(li, row.number, Some(field), message);
            }
        }
        self.rows.extend(rows);
    }

    /// Reads a column of dates (field `fi`, column `c`) a column at a time:
    /// day/month text is read day first unless the column also holds
    /// month-first dates. A cell of several dates (`Kind::Dates`) gives
    /// each, in order; a cell with one date that cannot be read gives none.
    fn read_dates(&mut self, li: usize, fi: usize, c: usize, rows: &mut [ReadRow]) {
        let (sheet, table, header_index) = {
            let l = &self.layouts[li];
            (l.sheet, l.table, l.header_index)
        };
        let field = table.fields()[fi];
        let first_year = if field.name == "date_of_birth" {
            dates::FIRST_BIRTH_YEAR
        } else {
            dates::FIRST_YEAR
        };
        let data = &self.sheets[sheet].rows[header_index + 1..];
        // (row number, reading) for `settle`, and each one's index in `data`.
        let mut readings = Vec::new();
        let mut at = Vec::new();
        let mut unread = vec![false; data.len()];
        for (ri, r) in data.iter().enumerate() {
            let cell = r.cells.get(c).unwrap_or(&Cell::Empty);
            let cells = match cell {
                Cell::Text(t) if field.kind == Kind::Dates => t
                    .split([';', ',', '\n', '\r'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Cell::Text(p.to_string()))
                    .collect(),
                _ => vec![cell.clone()],
            };
            for cell in &cells {
                match dates::read_from(cell, first_year) {
                    Ok(Some(reading)) => {
                        readings.push((r.number, reading));
                        at.push(ri);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        unread[ri] = true;
                        self.problem(li, r.number, Some(field.name), e);
                    }
                }
            }
        }
        let settled: Vec<_> = dates::settle(&readings).collect();
        let mut days: Vec<Vec<Day>> = vec![Vec::new(); data.len()];
        for ((number, result), ri) in settled.into_iter().zip(at) {
            match result {
                Ok(day) if day > self.options.today && field.name != "expected_return" => {
                    unread[ri] = true;
                    let message = format!("{day} is after today ({})", self.options.today);
                    self.problem(li, number, Some(field.name), message);
                }
                Ok(day) => days[ri].push(day),
                Err(e) => {
                    unread[ri] = true;
                    self.problem(li, number, Some(field.name), e);
                }
            }
        }
        for (ri, mut days) in days.into_iter().enumerate() {
            if unread[ri] || days.is_empty() {
                continue;
            }
            rows[ri].values[fi] = Some(if field.kind == Kind::Dates {
                days.sort();
                Value::Dates(days)
            } else {
                Value::Date(days[0])
            });
        }
    }

    fn read_cell(&self, field: &Field, cell: &Cell) -> Result<Value, String> {
        let text = cell.shown();
        match field.kind {
            Kind::Date | Kind::Dates => unreachable!("dates are read a column at a time"),
            Kind::Text if field.name == "nhs_number" => {
                let digits: String = match cell {
                    Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 => format!("{n:.0}"),
                    _ => text.chars().filter(|c| !matches!(c, ' ' | '-')).collect(),
                };
                if nhs_number_is_valid(&digits) {
                    Ok(Value::Text(digits))
                } else {
                    Err("not a valid NHS number (10 digits, the last a check digit)".into())
                }
            }
            Kind::Text
                if matches!(
                    field.name,
                    "given_name" | "family_name" | "phone" | "postcode"
                ) =>
            {
                let text = match cell {
                    Cell::Number(n) if field.name == "phone" && n.fract() == 0.0 && *n >= 0.0 => {
                        phone_from_number(*n)
                    }
                    Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
                    _ => text,
                };
                checked_identity(field.name, text).map(Value::Text)
            }
            Kind::Text => Ok(Value::Text(match cell {
                Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
                _ => text,
            })),
            Kind::Hours => {
                let hundredths = match cell {
                    Cell::Number(n) => {
                        let h = (n * 100.0).round();
                        if (h - n * 100.0).abs() > 1e-6 {
                            return Err(format!("{text} hours has more than two decimal places"));
                        }
                        h as i64
                    }
                    Cell::Text(t) => decimal_hundredths(t)
                        .ok_or_else(|| format!("'{t}' is not a number of hours"))?,
                    _ => return Err(format!("'{text}' is not a number of hours")),
                };
                match u32::try_from(hundredths) {
                    Ok(h) if h <= MAX_WEEKLY_HOURS => Ok(Value::Hours(Hours(h))),
                    _ => Err(format!("{text} hours is not between 0 and 168")),
                }
            }
            Kind::YesNo => match cell {
                Cell::Bool(b) => Ok(Value::Bool(*b)),
                _ => match self.mapping.value("yes_no", &text) {
                    Some(v) => Ok(Value::Bool(v == "yes")),
                    None => Err(format!("'{text}' is not yes or no")),
                },
            },
            Kind::Value(list) => self.mapping.value(list, &text).map(Value::Word).ok_or_else(
                || {
                    format!(
                        "'{text}' is not a known {} (add it under [values.{list}] in the mapping)",
                        list.replace('_', " ")
                    )
                },
            ),
            Kind::Specialist => self.specialist(&text).map(Value::Staff),
        }
    }

    fn specialist(&self, text: &str) -> Result<String, String> {
        let n = normalise(text);
        if let Some(id) = self.staff_ids.get(&n) {
            return Ok(id.clone());
        }
        match self.staff_names.get(&n).map(Vec::as_slice) {
            Some([id]) => return Ok(id.clone()),
            Some(ids) if ids.len() > 1 => {
                return Err(format!(
                    "{} specialists are called '{text}': write their id instead ({})",
                    ids.len(),
                    ids.join(", ")
                ));
            }
            _ => {}
        }
        let nearest = self
            .existing
            .staff
            .iter()
            .filter(|s| s.role == "es")
            .map(|s| (strsim::normalized_levenshtein(&normalise(&s.name), &n), s))
            .filter(|(score, _)| *score >= 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        Err(match nearest {
            Some((_, s)) => format!(
                "unknown employment specialist '{text}': did you mean '{}' ({})?",
                s.name, s.id
            ),
            None => format!("unknown employment specialist '{text}'"),
        })
    }
}

/// One of the client's text fields checked as core checks it (BAD-1: plain
/// text of bounded length, a phone of digits and `+ ( ) -`, a UK postcode),
/// in the form core keeps it (trimmed, the postcode in capitals); core's
/// message when it is refused.
fn checked_identity(field: &str, text: String) -> Result<String, String> {
    let mut doc = ClientDoc {
        id: "row".into(),
        ..ClientDoc::default()
    };
    *client_field(&mut doc, field) = Some(text.clone());
    match client_as_stored(&doc) {
        Ok(client) => Ok(client_value(&client, field).unwrap_or(text)),
        Err(errors) => Err(errors
            .0
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; ")),
    }
}

/// A phone number a spreadsheet holds as a number has lost its leading 0: a
/// UK number is 0 and 9 or 10 digits, so one of 9 or 10 digits gets it back.
fn phone_from_number(n: f64) -> String {
    let digits = format!("{n:.0}");
    if (9..=10).contains(&digits.len()) {
        format!("0{digits}")
    } else {
        digits
    }
}

/// A decimal written as text, in hundredths: `16`, `16.5`, `7.25`.
fn decimal_hundredths(text: &str) -> Option<i64> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || whole.len() > 6
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(w * 100 + f)
}

/// The referral a row belongs to: its Referral ID, or its client and
/// referral date (`client-YYYY-MM-DD`) when the sheet has no Referral ID.
fn key(table: Table, row: &ReadRow, by_id: bool) -> Option<String> {
    if by_id {
        return row.text(table, "referral");
    }
    let client = row.text(table, "client")?;
    let received = row.text(table, "received")?;
    Some(format!("{client}-{received}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipstrack_core::bundle::hours_number;

    #[test]
    fn hours_are_read_exactly_in_hundredths() {
        assert_eq!(decimal_hundredths("16"), Some(1600));
        assert_eq!(decimal_hundredths("16.5"), Some(1650));
        assert_eq!(decimal_hundredths("7.25"), Some(725));
        assert_eq!(decimal_hundredths(".5"), Some(50));
        assert_eq!(decimal_hundredths("7.255"), None);
        assert_eq!(decimal_hundredths("-1"), None);
        assert_eq!(decimal_hundredths("ten"), None);
        assert_eq!(hours_number(Hours(1650)).to_string(), "16.5");
        assert_eq!(hours_number(Hours(725)).to_string(), "7.25");
        assert_eq!(hours_number(Hours(1600)).to_string(), "16");
    }

    #[test]
    fn identity_cells_are_checked_and_kept_as_core_keeps_them() {
        assert_eq!(
            checked_identity("postcode", "ls1 4ap".into()),
            Ok("LS1 4AP".into())
        );
        let e = checked_identity("postcode", "LS1".into()).unwrap_err();
        assert!(e.contains("not a UK postcode"), "{e}");
        let e = checked_identity("phone", "call me".into()).unwrap_err();
        assert!(e.contains("phone holds characters"), "{e}");
        let e = checked_identity("given_name", "x".repeat(101)).unwrap_err();
        assert!(e.contains("100 characters or fewer"), "{e}");
        assert_eq!(phone_from_number(7_700_900_123.0), "07700900123");
        assert_eq!(phone_from_number(1_134_960_000.0), "01134960000");
        assert_eq!(phone_from_number(447_700_900_123.0), "447700900123");
    }
}
