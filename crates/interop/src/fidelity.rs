//! The fidelity review's working workbook (issue 26): one sheet per section
//! of the IPS fidelity scale, each item with what the records say, how many
//! records it rests on, the score they suggest and that score's anchor,
//! and columns for the reviewers' score and note — empty to fill in at the
//! review ([`fidelity_xlsx`]), or filled from a stored review
//! ([`review_xlsx`]), which adds a "Summary" sheet: the period, date,
//! reviewers, stage, totals, band and the action plan. Each sheet prints
//! on A4, landscape, one page wide. Every text cell goes through
//! [`safe_text`] (formula injection).

use ipstrack_core::Day;
use ipstrack_core::fidelity::{Evidence, ITEMS, MAXIMUM, Review, Section, Stage};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

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
    workbook(title, evidence, None)
}

/// The workbook of a stored review: [`fidelity_xlsx`]'s sheets with each
/// item's reviewers' score and note filled in from `review` and, where the
/// review kept it, the score the records suggested when it was scored (not
/// today's); first, a "Summary" sheet.
pub fn review_xlsx(
    title: &str,
    evidence: &[Evidence],
    review: &Review,
) -> Result<Vec<u8>, XlsxError> {
    workbook(title, evidence, Some(review))
}

/// A4, landscape, one page wide.
fn printable(sheet: &mut Worksheet) {
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
}

/// The sections' sheets, after a review's summary when there is a review.
fn workbook(
    title: &str,
    evidence: &[Evidence],
    review: Option<&Review>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    if let Some(review) = review {
        summary(book.add_worksheet(), title, review)?;
    }
    for section in Section::ALL {
        let sheet = book.add_worksheet();
        sheet.set_name(section.name())?;
        printable(sheet);
        sheet.write_string_with_format(0, 0, safe_text(title), &bold)?;
        for (c, (heading, width)) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(2, c as u16, *heading, &bold)?;
            sheet.set_column_width(c as u16, *width)?;
        }
        sheet.set_freeze_panes(3, 0)?;
        for (i, item) in section.items().enumerate() {
            let row = (3 + i) as u32;
            let e = evidence.iter().find(|e| e.item == item.id);
            let scored = review.map(|r| &r.items[item.id.index()]);
            sheet.write_number(row, 0, f64::from(item.id.number()))?;
            sheet.write_string_with_format(row, 1, item.name, &wrap)?;
            let words = e.map_or("Scored by the reviewers.", |e| e.words.as_str());
            sheet.write_string_with_format(row, 2, safe_text(words), &wrap)?;
            if let Some(e) = e.filter(|e| e.records > 0) {
                sheet.write_number(row, 3, f64::from(e.records))?;
            }
            // The suggestion the reviewers were shown, as the review kept it.
            let suggested = scored
                .and_then(|s| s.suggested)
                .or_else(|| e.and_then(|e| e.suggested));
            match suggested {
                Some(score) => {
                    let anchor = item.anchor(score).unwrap_or_default();
                    sheet.write_number(row, 4, f64::from(score))?;
                    sheet.write_string_with_format(row, 5, safe_text(anchor), &wrap)?;
                }
                None => {
                    sheet.write_string(row, 4, "For the reviewers")?;
                }
            }
            if let Some(scored) = scored {
                if let Some(score) = scored.score {
                    sheet.write_number(row, 6, f64::from(score))?;
                }
                if !scored.note.is_empty() {
                    sheet.write_string_with_format(row, 7, safe_text(&scored.note), &wrap)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

/// A day as the UK writes it: 31/03/2025.
fn uk(day: Day) -> String {
    let d = day.date();
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year())
}

/// The "Summary" sheet of a review: what it covers, its totals and band,
/// each section's score, and its action plan.
fn summary(sheet: &mut Worksheet, title: &str, review: &Review) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    let date = Format::new()
        .set_num_format("dd/mm/yyyy")
        .set_align(rust_xlsxwriter::FormatAlign::Left);
    sheet.set_name("Summary")?;
    printable(sheet);
    for (c, width) in [18.0, 30.0, 50.0, 30.0, 14.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    sheet.write_string_with_format(0, 0, safe_text(title), &bold)?;
    let totals = review.totals();
    let period = &review.period;
    let rows: [(&str, String); 4] = [
        (
            "Period",
            format!(
                "{} ({} to {})",
                period.label,
                uk(period.start),
                uk(period.end)
            ),
        ),
        ("Reviewers", review.reviewers.join(", ")),
        (
            "Stage",
            match review.stage {
                Stage::Draft => "Draft".into(),
                Stage::Finished => "Finished".into(),
            },
        ),
        (
            "Band",
            totals
                .band
                .map_or("not all items scored".into(), |b| b.words().to_string()),
        ),
    ];
    sheet.write_string_with_format(2, 0, "Review date", &bold)?;
    sheet.write_date_with_format(2, 1, review.review_date.date(), &date)?;
    for (i, (label, value)) in rows.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_string_with_format(row, 0, *label, &bold)?;
        sheet.write_string_with_format(row, 1, safe_text(value), &wrap)?;
    }
    sheet.write_string_with_format(7, 0, "Total", &bold)?;
    sheet.write_number(7, 1, f64::from(totals.total))?;
    sheet.write_string(7, 2, format!("out of {MAXIMUM}"))?;

    for (c, heading) in ["Section", "Score", "Out of", "Items not scored"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(9, c as u16, *heading, &bold)?;
    }
    for (i, s) in totals.sections.iter().enumerate() {
        let row = 10 + i as u32;
        sheet.write_string(row, 0, s.section.name())?;
        sheet.write_number(row, 1, f64::from(s.score))?;
        sheet.write_number(row, 2, f64::from(s.maximum))?;
        sheet.write_number(row, 3, f64::from(s.unscored))?;
    }

    let plan = 10 + totals.sections.len() as u32 + 1;
    sheet.write_string_with_format(plan, 0, "Action plan", &bold)?;
    for (c, heading) in ["Item", "Name", "What", "Who", "By when"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(plan + 1, c as u16, *heading, &bold)?;
    }
    if review.actions.is_empty() {
        sheet.write_string(plan + 2, 0, "No actions.")?;
    }
    for (i, a) in review.actions.iter().enumerate() {
        let row = plan + 2 + i as u32;
        sheet.write_number(row, 0, f64::from(a.item.number()))?;
        sheet.write_string_with_format(row, 1, ITEMS[a.item.index()].name, &wrap)?;
        sheet.write_string_with_format(row, 2, safe_text(&a.what), &wrap)?;
        sheet.write_string_with_format(row, 3, safe_text(&a.who), &wrap)?;
        sheet.write_date_with_format(row, 4, a.by_when.date(), &date)?;
    }
    Ok(())
}
