//! Reading spreadsheets into plain sheets of cells: xlsx and ods with
//! calamine, CSV with csv (UTF-8, or Windows-1252 as Excel writes it).

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, DataRef, Ods, Range, Reader, Xlsx, XlsxError, open_workbook_from_rs};

use super::guard;
use super::limits::{self, MAX_FILE_BYTES, MAX_SHEETS, Tally, too_large};
use super::read_error::{ReadError, ReadErrorKind};

/// One cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    /// Text, with spaces at the ends removed.
    Text(String),
    Number(f64),
    /// A cell Excel formats as a date (read in the workbook's date system).
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    Bool(bool),
    /// An Excel error value such as `#REF!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as a person would read it (for messages).
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Date { year, month, day } => format!("{day:02}/{month:02}/{year}"),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A row that has at least one cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The row's number as the spreadsheet shows it (1 is the first).
    pub number: u32,
    /// The cells from column A on.
    pub cells: Vec<Cell>,
}

/// A sheet: its name and its rows that are not blank.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
    /// Blank rows between rows with data (left out of `rows`).
    pub blank_rows: usize,
    /// How the file's text was read, when it was not UTF-8.
    pub encoding_note: Option<String>,
}

fn not_readable(file: &str, message: String) -> ReadError {
    ReadError {
        file: file.to_string(),
        message,
        kind: ReadErrorKind::NotReadable,
    }
}

fn text_cell(text: &str) -> Cell {
    let t = text.trim();
    // Undo the apostrophe an export puts before text a spreadsheet would
    // take for a formula (see `safe_text`).
    let t = match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => t,
    };
    if t.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(t.to_string())
    }
}

fn from_calamine(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text_cell(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(x) => Cell::Number(*x),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            // calamine turns the serial into a date in either date system.
            let (year, month, day, ..) = dt.to_ymd_hms_milli();
            Cell::Date { year, month, day }
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::Error(e) => Cell::Error(format!("#{e:?}")),
    }
}

/// A sheet from its rows in order: rows may be blank (left out and counted);
/// `blank_seen` counts blank rows not passed.
fn finish(
    name: String,
    rows: Vec<(u32, Vec<Cell>)>,
    blank_seen: usize,
    encoding_note: Option<String>,
) -> Sheet {
    let mut kept = Vec::new();
    let mut blank_rows = blank_seen;
    for (number, mut cells) in rows {
        while cells.last().is_some_and(Cell::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            blank_rows = blank_rows.saturating_add(1);
        } else {
            kept.push(Row { number, cells });
        }
    }
    // Blank rows after the last row with data are not "between" rows.
    let last = kept.last().map_or(0, |r| r.number);
    let first = kept.first().map_or(0, |r| r.number);
    let span = if kept.is_empty() {
        0
    } else {
        (last - first + 1) as usize
    };
    blank_rows = blank_rows.min(span.saturating_sub(kept.len()));
    Sheet {
        name,
        rows: kept,
        blank_rows,
        encoding_note,
    }
}

/// The workbook readers ipstrack uses. Neither xlsb nor xls is one of them:
/// calamine builds every xls sheet as a grid from its first to its last
/// value when it opens the file, before any limit can be checked (a few KB
/// with values at the corners of several sheets take gigabytes), so an xls
/// workbook is refused with the way to save it as xlsx.
enum Book {
    Xlsx(Box<Xlsx<Cursor<Vec<u8>>>>),
    Ods(Ods<Cursor<Vec<u8>>>),
}

/// The start of a Compound File (Excel 97–2003 `.xls`, among others).
const COMPOUND_FILE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads every sheet of an xlsx, xlsm or ods workbook, within the
/// [limits](super::limits). A damaged workbook is refused as not readable:
/// calamine's own arithmetic overflows on some damaged cell references and
/// sheet dimensions (a panic where overflow is checked, as in debug builds
/// and tests), which is caught and refused like any other damage.
pub fn read_workbook(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(file, limits::file_too_large()));
    }
    guard::check_zip(bytes).map_err(|m| too_large(file, m))?;
    catch_unwind(AssertUnwindSafe(|| read_checked_workbook(file, bytes))).unwrap_or_else(|_| {
        Err(not_readable(
            file,
            "the workbook is damaged and cannot be read".into(),
        ))
    })
}

/// Reads a workbook that has passed the zip [guard](super::guard).
fn read_checked_workbook(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    let cursor = || Cursor::new(bytes.to_vec());
    let mut book = if bytes.starts_with(b"PK") {
        match open_workbook_from_rs::<Xlsx<_>, _>(cursor()) {
            Ok(x) => Book::Xlsx(Box::new(x)),
            Err(xlsx) => match open_workbook_from_rs::<Ods<_>, _>(cursor()) {
                Ok(o) => Book::Ods(o),
                Err(_) => {
                    return Err(not_readable(
                        file,
                        format!("not a spreadsheet workbook (not xlsx nor ods: {xlsx})"),
                    ));
                }
            },
        }
    } else if bytes.starts_with(&COMPOUND_FILE) {
        return Err(not_readable(
            file,
            "Excel 97–2003 workbooks (.xls) are not read: open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx), or save its sheets as CSV".into(),
        ));
    } else {
        return Err(not_readable(
            file,
            "not a spreadsheet workbook (not xlsx nor ods)".into(),
        ));
    };
    let names = match &book {
        Book::Xlsx(b) => b.sheet_names(),
        Book::Ods(b) => b.sheet_names(),
    };
    if names.len() > MAX_SHEETS {
        return Err(too_large(file, limits::too_many_sheets()));
    }
    let mut tally = Tally::default();
    let mut sheets = Vec::new();
    let cannot = |name: &str, e: &dyn std::fmt::Display| {
        not_readable(file, format!("sheet {name:?} cannot be read ({e})"))
    };
    for name in names {
        let sheet = match &mut book {
            Book::Xlsx(x) => read_xlsx_sheet(file, x, name, &mut tally)?,
            Book::Ods(x) => {
                let range = x.worksheet_range(&name).map_err(|e| cannot(&name, &e))?;
                from_range(file, name, &range, &mut tally)?
            }
        };
        sheets.push(sheet);
    }
    Ok(sheets)
}

/// Reads an xlsx sheet cell by cell, counting the limits before keeping
/// each cell: nothing is sized from the range the sheet declares, nor from
/// the cells' extent (calamine's `worksheet_range` keeps a grid from the
/// first to the last cell, which one cell at XFD1048576 makes 17 billion).
fn read_xlsx_sheet<RS: Read + Seek>(
    file: &str,
    book: &mut Xlsx<RS>,
    name: String,
    tally: &mut Tally,
) -> Result<Sheet, ReadError> {
    let cannot = |e: &XlsxError| not_readable(file, format!("sheet {name:?} cannot be read ({e})"));
    let limit = |message: String| too_large(file, message);
    let mut reader = match book.worksheet_cells_reader(&name) {
        Ok(r) => r,
        // A chart sheet, say: no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(finish(name, Vec::new(), 0, None)),
        Err(e) => return Err(cannot(&e)),
    };
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(|e| cannot(&e))? {
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        let (number, col) = (row.saturating_add(1), col as usize);
        tally.column(&name, col).map_err(limit)?;
        let text = match value {
            DataRef::SharedString(t) => Some(*t),
            DataRef::String(t) | DataRef::DateTimeIso(t) | DataRef::DurationIso(t) => {
                Some(t.as_str())
            }
            _ => None,
        };
        if let Some(t) = text {
            tally.text(&name, number, col, t).map_err(limit)?;
        }
        if !rows.contains_key(&row) {
            tally.rows(&name, rows.len() + 1).map_err(limit)?;
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= col {
            tally.cells(col + 1 - cells.len()).map_err(limit)?;
            cells.reserve_exact(col + 1 - cells.len());
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = from_calamine(&Data::from(value.clone()));
    }
    let rows = rows.into_iter().map(|(r, cells)| (r + 1, cells)).collect();
    // Every row between two rows with data is blank.
    Ok(finish(name, rows, usize::MAX, None))
}

/// A sheet from the grid calamine read (ods), counting the limits.
fn from_range(
    file: &str,
    name: String,
    range: &Range<Data>,
    tally: &mut Tally,
) -> Result<Sheet, ReadError> {
    let limit = |message: String| too_large(file, message);
    let Some((row0, col0)) = range.start() else {
        return Ok(finish(name, Vec::new(), 0, None));
    };
    let mut rows = Vec::new();
    let mut blank = 0usize;
    for (i, cells) in range.rows().enumerate() {
        let number = row0 + i as u32 + 1;
        let Some(last) = cells.iter().rposition(|d| !matches!(d, Data::Empty)) else {
            blank += 1;
            continue;
        };
        let width = col0 as usize + last + 1;
        tally.column(&name, width - 1).map_err(limit)?;
        tally.rows(&name, rows.len() + 1).map_err(limit)?;
        tally.cells(width).map_err(limit)?;
        let mut row: Vec<Cell> = Vec::with_capacity(width);
        row.resize(col0 as usize, Cell::Empty);
        for (j, d) in cells[..=last].iter().enumerate() {
            if let Data::String(t) | Data::DateTimeIso(t) | Data::DurationIso(t) = d {
                tally
                    .text(&name, number, col0 as usize + j, t)
                    .map_err(limit)?;
            }
            row.push(from_calamine(d));
        }
        rows.push((number, row));
    }
    Ok(finish(name, rows, blank, None))
}

/// Reads a CSV file as one sheet named after the file. UTF-8 (with or without
/// a byte order mark) is read as is; anything else as Windows-1252, the
/// encoding Excel's "CSV (Comma delimited)" writes, and the sheet says so.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Sheet, ReadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(file, limits::file_too_large()));
    }
    let limit = |message: String| too_large(file, message);
    let mut tally = Tally::default();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, note) = match std::str::from_utf8(bytes) {
        Ok(t) => (std::borrow::Cow::Borrowed(t), None),
        Err(_) => {
            let (t, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (
                t,
                Some("not UTF-8: read as Windows-1252 (Excel's CSV)".to_string()),
            )
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut blank = 0usize;
    // Line numbers from byte offsets: csv skips blank lines and a record may
    // span lines (quoted line breaks).
    let (mut line, mut counted) = (1u32, 0usize);
    for (i, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| not_readable(file, format!("row {}: not valid CSV ({e})", i + 1)))?;
        let mut start = record.position().map_or(counted, |p| p.byte() as usize);
        // The position is where reading began, before any blank lines skipped.
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += text.as_bytes()[counted..start.max(counted)]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32;
        counted = start.max(counted);
        let number = line;
        let Some(last) = (0..record.len())
            .rev()
            .find(|&j| !record[j].trim().is_empty())
        else {
            blank += 1;
            continue;
        };
        tally.column(file, last).map_err(limit)?;
        tally.rows(file, rows.len() + 1).map_err(limit)?;
        tally.cells(last + 1).map_err(limit)?;
        for (col, field) in record.iter().take(last + 1).enumerate() {
            tally.text(file, number, col, field).map_err(limit)?;
        }
        rows.push((
            number,
            record.iter().take(last + 1).map(text_cell).collect(),
        ));
    }
    Ok(finish(file.to_string(), rows, blank, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_numbers_and_trim_spaces() {
        let s = read_csv("a.csv", b"\xEF\xBB\xBFA , B\n\n x ,\"two\nlines\"\n,,\n").unwrap();
        assert_eq!(s.rows.len(), 2);
        assert_eq!(
            s.rows[0].cells,
            vec![Cell::Text("A".into()), Cell::Text("B".into())]
        );
        assert_eq!(s.rows[1].number, 3);
        assert_eq!(s.rows[1].cells[1], Cell::Text("two\nlines".into()));
        assert_eq!(s.encoding_note, None);
    }

    #[test]
    fn windows_1252_csv_is_read_and_noted() {
        let s = read_csv("a.csv", b"Employer\nCaf\xe9 \x80\n").unwrap();
        assert_eq!(s.rows[1].cells[0], Cell::Text("Café €".into()));
        assert!(s.encoding_note.is_some());
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_by_name() {
        let e = read_workbook("notes.xlsx", b"hello").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("notes.xlsx: not a spreadsheet workbook")
        );
    }
}
