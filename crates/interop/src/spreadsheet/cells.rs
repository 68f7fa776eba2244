//! Reading spreadsheets into plain sheets of cells: xlsx, xls and ods with
//! calamine, CSV with csv (UTF-8, or Windows-1252 as Excel writes it).

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

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

/// A file that cannot be read as a spreadsheet at all.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ReadError {
    pub file: String,
    pub message: String,
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

fn finish(name: String, rows: Vec<(u32, Vec<Cell>)>, encoding_note: Option<String>) -> Sheet {
    let mut kept = Vec::new();
    let mut blank_rows = 0;
    for (number, mut cells) in rows {
        while cells.last().is_some_and(Cell::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            blank_rows += 1;
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

/// Reads every sheet of an xlsx, xlsm, xls or ods workbook.
pub fn read_workbook(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    let error = |message: String| ReadError {
        file: file.to_string(),
        message,
    };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| error(format!("not a spreadsheet workbook ({e})")))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| error(format!("sheet {name:?} cannot be read ({e})")))?;
        let Some((row0, col0)) = range.start() else {
            sheets.push(finish(name, Vec::new(), None));
            continue;
        };
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let mut row: Vec<Cell> = vec![Cell::Empty; col0 as usize];
                row.extend(cells.iter().map(from_calamine));
                (row0 + i as u32 + 1, row)
            })
            .collect();
        sheets.push(finish(name, rows, None));
    }
    Ok(sheets)
}

/// Reads a CSV file as one sheet named after the file. UTF-8 (with or without
/// a byte order mark) is read as is; anything else as Windows-1252, the
/// encoding Excel's "CSV (Comma delimited)" writes, and the sheet says so.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Sheet, ReadError> {
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
    // Line numbers from byte offsets: csv skips blank lines and a record may
    // span lines (quoted line breaks).
    let (mut line, mut counted) = (1u32, 0usize);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError {
            file: file.to_string(),
            message: format!("row {}: not valid CSV ({e})", i + 1),
        })?;
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
        rows.push((number, record.iter().map(text_cell).collect()));
    }
    Ok(finish(file.to_string(), rows, note))
}

/// The spreadsheet letter of a column (0 is A, 26 is AA).
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        letters.push((b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

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
