//! How much of a spreadsheet ipstrack reads: every limit in one place.
//!
//! A spreadsheet is a small file that can describe a great deal: a zip part
//! inflating a thousand times, a sheet declaring a million rows, one text
//! repeated in a million cells. Each limit below is checked while reading,
//! before the memory it guards is taken, and is far above anything an IPS
//! service keeps (a large service has some thousands of referrals), so that a
//! real file never meets one while a hostile one costs at most some hundreds
//! of MiB and a few seconds. Over a limit the file is refused with a
//! [`ReadError`] of kind [`ReadErrorKind::TooLarge`] naming the limit.

use super::read_error::{ReadError, ReadErrorKind, column_letter};

const MIB: u64 = 1024 * 1024;

/// The largest file read (the web upload allows the same for all files
/// together). Checked before the file is opened.
pub const MAX_FILE_BYTES: u64 = 32 * MIB;

/// The most any one part of an xlsx or ods file (a zip entry: a sheet, the
/// shared texts, the content) may inflate to, counted while inflating: the
/// size the zip declares is never trusted.
pub const MAX_PART_BYTES: u64 = 64 * MIB;

/// The most all parts of an xlsx or ods file may inflate to together.
pub const MAX_INFLATED_BYTES: u64 = 256 * MIB;

/// The most parts (zip entries) in an xlsx or ods file; Excel writes about
/// a dozen plus two per sheet.
pub const MAX_PARTS: usize = 10_000;

/// The most sheets in a workbook.
pub const MAX_SHEETS: usize = 64;

/// The most rows with a value in one sheet (or records in a CSV file).
pub const MAX_ROWS: usize = 100_000;

/// The most columns: a value beyond column IV is refused. Calamine and Excel
/// allow 16,384, which is what a one-cell file uses to take gigabytes.
pub const MAX_COLUMNS: usize = 256;

/// The most cells in a file, all sheets together, counting every column from
/// A to the last value of each row (what ipstrack keeps in memory).
pub const MAX_CELLS: usize = 2_000_000;

/// The most characters in one cell: Excel's own limit.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The most text in a file, all cells together (a text used in many cells
/// counts each time, as each cell holds its own copy).
pub const MAX_TEXT_BYTES: u64 = 64 * MIB;

/// The most different texts in an xlsx file's shared texts (Excel keeps each
/// different text once, in `sharedStrings.xml`).
pub const MAX_SHARED_TEXTS: usize = 1_000_000;

/// The most characters in a number format code (`xl/styles.xml`): Excel's
/// own limit. calamine copies a cell format's number format into each cell
/// format that uses it.
pub const MAX_NUMBER_FORMAT_CHARS: usize = 255;

/// The most entries in each list of an xlsx's styles (number formats,
/// fonts, fills, borders, cell formats): Excel's own limit of cell formats.
pub const MAX_STYLES: usize = 64_000;

/// The most characters in a sheet name, a font name (xlsx) or a style name
/// (ods). Excel allows 31 for a sheet name, 31 for a font name.
pub const MAX_NAME_CHARS: usize = 255;

/// The most characters in a relationship target (an xlsx's `.rels` parts):
/// the longest name a part of a zip can have. calamine copies a sheet's
/// target for each sheet naming it.
pub const MAX_TARGET_CHARS: usize = 65_535;

/// The most defined names (named ranges) in a workbook; calamine keeps each
/// with its formula when it opens the file.
pub const MAX_DEFINED_NAMES: usize = 100_000;

/// A number with thousands separators, as messages show limits.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count in MiB when whole, as messages show limits.
pub(crate) fn mib(n: u64) -> String {
    format!("{} MiB", grouped(n / MIB))
}

/// Names what the messages say of a sheet.
fn sheet(name: &str) -> String {
    let shown: String = name.chars().take(100).collect();
    format!("the sheet “{shown}”")
}

pub(crate) fn file_too_large() -> String {
    format!(
        "this file is larger than {0}: ipstrack reads at most {0} per file",
        mib(MAX_FILE_BYTES)
    )
}

pub(crate) fn part_too_large(part: &str) -> String {
    let part: String = part.chars().take(100).collect();
    format!(
        "a part of this file ({part}) inflates to more than {0}: ipstrack reads at most {0} per part",
        mib(MAX_PART_BYTES)
    )
}

pub(crate) fn inflates_too_much() -> String {
    format!(
        "this file inflates to more than {0}: ipstrack reads at most {0} per file, unpacked",
        mib(MAX_INFLATED_BYTES)
    )
}

pub(crate) fn too_many_parts() -> String {
    format!(
        "this file has more than {0} parts: ipstrack reads at most {0} parts per file",
        grouped(MAX_PARTS as u64)
    )
}

pub(crate) fn too_many_sheets() -> String {
    format!(
        "this file has more than {0} sheets: ipstrack reads at most {0} sheets per file",
        grouped(MAX_SHEETS as u64)
    )
}

pub(crate) fn too_many_rows(name: &str) -> String {
    format!(
        "{} has more than {1} rows: ipstrack reads at most {1} rows per sheet",
        sheet(name),
        grouped(MAX_ROWS as u64)
    )
}

pub(crate) fn too_many_columns(name: &str) -> String {
    format!(
        "{} has a value beyond column {}: ipstrack reads at most {} columns (A to {1})",
        sheet(name),
        column_letter(MAX_COLUMNS - 1),
        grouped(MAX_COLUMNS as u64)
    )
}

pub(crate) fn too_many_cells() -> String {
    format!(
        "this file has more than {0} cells: ipstrack reads at most {0} cells per file",
        grouped(MAX_CELLS as u64)
    )
}

pub(crate) fn cell_too_long(name: &str, at: Option<(u32, usize)>) -> String {
    let at = at.map_or(String::new(), |(row, col)| {
        format!(" ({}{row})", column_letter(col))
    });
    let n = grouped(MAX_CELL_CHARS as u64);
    format!(
        "{} has a cell{at} longer than {n} characters: ipstrack reads at most {n} characters per cell, as Excel does",
        sheet(name)
    )
}

pub(crate) fn too_much_text() -> String {
    format!(
        "this file has more than {0} of text: ipstrack reads at most {0} of text per file",
        mib(MAX_TEXT_BYTES)
    )
}

pub(crate) fn too_many_shared_texts() -> String {
    format!(
        "this file has more than {0} different texts: ipstrack reads at most {0} different texts per file",
        grouped(MAX_SHARED_TEXTS as u64)
    )
}

/// Names a part in messages.
fn part(name: &str) -> String {
    name.chars().take(100).collect()
}

pub(crate) fn number_format_too_long(name: &str) -> String {
    let n = grouped(MAX_NUMBER_FORMAT_CHARS as u64);
    format!(
        "{} has a number format longer than {n} characters: ipstrack reads at most {n} characters per number format, as Excel does",
        part(name)
    )
}

pub(crate) fn too_many_styles(name: &str, what: &str) -> String {
    let n = grouped(MAX_STYLES as u64);
    format!(
        "{} has more than {n} {what}: ipstrack reads at most {n} {what} per file, as Excel does",
        part(name)
    )
}

pub(crate) fn name_too_long(name: &str, what: &str) -> String {
    let n = grouped(MAX_NAME_CHARS as u64);
    format!(
        "{} has a {what} longer than {n} characters: ipstrack reads at most {n} characters per {what}",
        part(name)
    )
}

pub(crate) fn target_too_long(name: &str) -> String {
    let n = grouped(MAX_TARGET_CHARS as u64);
    format!(
        "{} has a relationship target longer than {n} characters: ipstrack reads at most {n} characters per target, the longest name a zip part can have",
        part(name)
    )
}

pub(crate) fn too_many_defined_names(name: &str) -> String {
    let n = grouped(MAX_DEFINED_NAMES as u64);
    format!(
        "{} has more than {n} defined names: ipstrack reads at most {n} defined names per file",
        part(name)
    )
}

/// A refusal for being over a limit.
pub(crate) fn too_large(file: &str, message: String) -> ReadError {
    ReadError {
        file: file.to_string(),
        message,
        kind: ReadErrorKind::TooLarge,
    }
}

/// What a file has used of the limits so far, counted cell by cell as the
/// cells are read (before they are kept).
#[derive(Default)]
pub(crate) struct Tally {
    cells: usize,
    text: u64,
}

impl Tally {
    /// Counts `added` more cells kept (columns from A to a row's last value).
    pub(crate) fn cells(&mut self, added: usize) -> Result<(), String> {
        self.cells = self.cells.saturating_add(added);
        if self.cells > MAX_CELLS {
            return Err(too_many_cells());
        }
        Ok(())
    }

    /// Checks a column number (0 is A) of a value.
    pub(crate) fn column(&self, sheet: &str, col: usize) -> Result<(), String> {
        if col >= MAX_COLUMNS {
            return Err(too_many_columns(sheet));
        }
        Ok(())
    }

    /// Checks the count of rows with values so far in a sheet.
    pub(crate) fn rows(&self, sheet: &str, rows: usize) -> Result<(), String> {
        if rows > MAX_ROWS {
            return Err(too_many_rows(sheet));
        }
        Ok(())
    }

    /// Counts a cell's text (at row number `row`, column `col`), before it
    /// is copied.
    pub(crate) fn text(
        &mut self,
        sheet: &str,
        row: u32,
        col: usize,
        t: &str,
    ) -> Result<(), String> {
        // A char is at most 4 bytes: short texts need no counting.
        if t.len() > MAX_CELL_CHARS && t.chars().count() > MAX_CELL_CHARS {
            return Err(cell_too_long(sheet, Some((row, col))));
        }
        self.text = self.text.saturating_add(t.len() as u64);
        if self.text > MAX_TEXT_BYTES {
            return Err(too_much_text());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_shown_with_separators() {
        assert_eq!(grouped(100_000), "100,000");
        assert_eq!(grouped(32_767), "32,767");
        assert_eq!(grouped(256), "256");
        assert_eq!(mib(MAX_PART_BYTES), "64 MiB");
        assert_eq!(
            too_many_rows("Caseload"),
            "the sheet “Caseload” has more than 100,000 rows: ipstrack reads at most 100,000 rows per sheet"
        );
        assert_eq!(
            part_too_large("xl/sharedStrings.xml"),
            "a part of this file (xl/sharedStrings.xml) inflates to more than 64 MiB: ipstrack reads at most 64 MiB per part"
        );
        assert_eq!(
            too_many_columns("Jobs"),
            "the sheet “Jobs” has a value beyond column IV: ipstrack reads at most 256 columns (A to IV)"
        );
    }
}
