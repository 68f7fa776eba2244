//! Spreadsheets in: IPS Grow style workbooks (xlsx, ods; not the old xls) and CSV files
//! read through a column mapping, previewed with every problem named by
//! sheet, row and column, and turned into records for the store — all or
//! nothing, unless the user accepts leaving out the rows listed.
//!
//! And out: the same layout written from a dataset ([`caseload_xlsx`]), so
//! a service can take its data to a spreadsheet and back.

mod cells;
mod dates;
mod guard;
mod layout;
pub mod limits;
mod mapping;
mod preview;
mod read_error;
mod tables;

pub use cells::{Cell, Row, Sheet, read_csv, read_workbook};
pub use layout::{caseload_csv, caseload_xlsx};
pub use mapping::{DEFAULT_MAPPING, Mapping, MappingError, Table};
pub use preview::{
    Counts, ImportOptions, Preview, Problem, ReplacedReferral, SheetSummary, Skipped, preview,
};
pub use read_error::{ReadError, ReadErrorKind, column_letter};

/// Reads a file as sheets: CSV by its `.csv` name, anything else as a workbook.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    if name.to_lowercase().ends_with(".csv") {
        Ok(vec![read_csv(name, bytes)?])
    } else {
        read_workbook(name, bytes)
    }
}
