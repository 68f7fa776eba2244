//! The fidelity review's working workbook (issue 26): one sheet per section
//! of the IPS fidelity scale, each item with what the records say, how many
//! records it rests on, the score they suggest and that score's anchor,
//! and empty columns for the reviewers' score and note. Each sheet prints
//! on A4, landscape, one page wide.

use ipstrack_core::fidelity::{Evidence, Section};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::safe_text;

/// The columns of each sheet, with their widths.
const COLUMNS: [(&str, f64); 8] = [
    ("Item", 6.0),
    ("Name", 28.0),
    ("What the records say", 60.0),
    ("Records", 9.0),
    ("Suggested score", 10.0),
    ("What the suggested score means", 30.0),
    ("Reviewers' score", 10.0),
    ("Note", 40.0),
];

/// The workbook of `evidence` (the 25 items' evidence, core's
/// `fidelity::evidence`) for the review `title` names (whose, period, as of).
pub fn fidelity_xlsx(title: &str, evidence: &[Evidence]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    for section in Section::ALL {
        let sheet = book.add_worksheet();
        sheet.set_name(section.name())?;
        sheet.set_paper_size(9);
        sheet.set_landscape();
        sheet.set_print_fit_to_pages(1, 0);
        sheet.write_string_with_format(0, 0, safe_text(title), &bold)?;
        for (c, (heading, width)) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, *heading, &bold)?;
            sheet.set_column_width(c as u16, *width)?;
        }
        sheet.set_freeze_panes(3, 0)?;
        for (i, item) in section.items().enumerate() {
            let row = (3 + i) as u32;
            let e = evidence.iter().find(|e| e.item == item.id);
            sheet.write_number(row, 0, f64::from(item.id.number()))?;
            sheet.write_string_with_format(row, 1, item.name, &wrap)?;
            let words = e.map_or("Scored by the reviewers.", |e| e.words.as_str());
            sheet.write_string_with_format(row, 2, safe_text(words), &wrap)?;
            if let Some(e) = e.filter(|e| e.records > 0) {
                sheet.write_number(row, 3, f64::from(e.records))?;
            }
            match e.and_then(|e| e.suggested) {
                Some(score) => {
                    let anchor = item.anchor(score).unwrap_or_default();
                    sheet.write_number(row, 4, f64::from(score))?;
                    sheet.write_string_with_format(row, 5, safe_text(anchor), &wrap)?;
                }
                None => {
                    sheet.write_string(row, 4, "For the reviewers")?;
                }
            }
        }
    }
    book.save_to_buffer()
}
