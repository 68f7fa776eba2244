//! Spreadsheets built to exhaust memory or time are refused within the
//! limits (`spreadsheet::limits`), quickly, with a message naming the limit;
//! what only looks large (a declared range, empty rows) is read as the little
//! it holds. Issue 11, "Hostile input and abuse".

mod hostile;

use hostile::*;
use ipstrack_interop::spreadsheet::{Cell, ReadErrorKind, read_csv, read_file, read_workbook};

#[test]
fn xlsx_declaring_the_whole_sheet_is_read_without_a_grid_for_it() {
    let bytes = xlsx_rows(
        Some("A1:XFD1048576"),
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>"#,
    );
    assert!(bytes.len() < 2048, "{}", bytes.len());
    let sheets = read("hostile.xlsx", &bytes);
    assert_eq!(sheets[0].rows.len(), 1);
    assert_eq!(sheets[0].rows[0].cells, vec![Cell::Text("Name".into())]);
}

#[test]
fn xlsx_with_a_value_at_xfd1048576_is_refused_before_allocating() {
    let e = refused("hostile.xlsx", &xlsx_last_cell());
    assert_eq!(
        e.to_string(),
        "hostile.xlsx: the sheet “Caseload” has a value beyond column IV: ipstrack reads at most 256 columns (A to IV)"
    );
}

#[test]
fn xlsx_with_a_value_on_the_last_row_keeps_no_rows_between() {
    let sheets = read(
        "far.xlsx",
        &xlsx_rows(
            None,
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="B1048576"><v>2</v></c></row>"#,
        ),
    );
    let rows = &sheets[0].rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].number, 1_048_576);
    assert_eq!(rows[1].cells, vec![Cell::Empty, Cell::Number(2.0)]);
    assert_eq!(sheets[0].blank_rows, 1_048_574);
}

#[test]
fn xlsx_with_a_shared_text_inflating_past_the_part_limit_is_refused_while_inflating() {
    let bytes = xlsx_huge_shared_text(70);
    assert!(bytes.len() < 1 << 20, "{}", bytes.len());
    refused_saying(
        "hostile.xlsx",
        &bytes,
        "a part of this file (xl/sharedStrings.xml) inflates to more than 64 MiB: ipstrack reads at most 64 MiB per part",
    );
}

#[test]
fn xlsx_with_more_rows_than_the_limit_is_refused() {
    refused_saying(
        "hostile.xlsx",
        &xlsx_many_rows(100_001),
        "the sheet “Caseload” has more than 100,000 rows: ipstrack reads at most 100,000 rows per sheet",
    );
    // The limit itself is read.
    assert_eq!(
        read("full.xlsx", &xlsx_many_rows(100_000))[0].rows.len(),
        100_000
    );
}

#[test]
fn xlsx_with_many_empty_rows_is_read_as_empty_and_quickly() {
    // Empty rows keep nothing; their time is bounded by the part limit (a
    // 64 MiB part of them reads in well under a second in a release build).
    let piece = |i: usize| format!(r#"<row r="{}"/>"#, i + 1);
    let sheet = Body::Repeated {
        head: sheet_xml(None, "").replace("</sheetData></worksheet>", ""),
        piece: &piece,
        times: 300_000,
        tail: "</sheetData></worksheet>".into(),
    };
    let sheets = read("empty.xlsx", &xlsx(&[&sheet], None));
    assert!(sheets[0].rows.is_empty());
}

#[test]
fn xlsx_with_more_columns_than_the_limit_is_refused() {
    let row = format!("<row>{}</row>", "<c><v>1</v></c>".repeat(257));
    refused_mentioning("wide.xlsx", &xlsx_rows(None, &row), "beyond column IV");
    let row = format!("<row>{}</row>", "<c><v>1</v></c>".repeat(256));
    assert_eq!(
        read("wide.xlsx", &xlsx_rows(None, &row))[0].rows[0]
            .cells
            .len(),
        256
    );
}

#[test]
fn xlsx_with_values_far_right_in_many_rows_is_refused_by_cells_kept() {
    // Each row keeps 256 cells (A to IV): 8,000 rows make 2,048,000.
    let piece = |i: usize| format!(r#"<row r="{0}"><c r="IV{0}"><v>1</v></c></row>"#, i + 1);
    let sheet = Body::Repeated {
        head: sheet_xml(None, "").replace("</sheetData></worksheet>", ""),
        piece: &piece,
        times: 8_000,
        tail: "</sheetData></worksheet>".into(),
    };
    refused_saying(
        "hostile.xlsx",
        &xlsx(&[&sheet], None),
        "this file has more than 2,000,000 cells: ipstrack reads at most 2,000,000 cells per file",
    );
}

#[test]
fn xlsx_repeating_one_long_shared_text_is_refused_by_text_read() {
    let long = "x".repeat(30_000);
    let shared = Body::Text(format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{long}</t></si></sst>"#
    ));
    let piece = |i: usize| format!(r#"<row r="{}"><c t="s"><v>0</v></c></row>"#, i + 1);
    let sheet = Body::Repeated {
        head: sheet_xml(None, "").replace("</sheetData></worksheet>", ""),
        piece: &piece,
        times: 3_000,
        tail: "</sheetData></worksheet>".into(),
    };
    refused_saying(
        "hostile.xlsx",
        &xlsx(&[&sheet], Some(&shared)),
        "this file has more than 64 MiB of text: ipstrack reads at most 64 MiB of text per file",
    );
}

#[test]
fn xlsx_with_a_cell_longer_than_excel_allows_is_refused() {
    let row = format!(
        r#"<row r="3"><c r="B3" t="inlineStr"><is><t>{}</t></is></c></row>"#,
        "é".repeat(32_768)
    );
    refused_saying(
        "long.xlsx",
        &xlsx_rows(None, &row),
        "the sheet “Caseload” has a cell (B3) longer than 32,767 characters: ipstrack reads at most 32,767 characters per cell, as Excel does",
    );
    let row = format!(
        r#"<row r="3"><c r="B3" t="inlineStr"><is><t>{}</t></is></c></row>"#,
        "é".repeat(32_767)
    );
    read("long.xlsx", &xlsx_rows(None, &row));
}

#[test]
fn xlsx_declaring_billions_of_shared_texts_is_refused_before_calamine_reserves_them() {
    let shared = Body::Text(r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#.to_string());
    let sheet = Body::Text(sheet_xml(
        None,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
    ));
    refused_saying(
        "hostile.xlsx",
        &xlsx(&[&sheet], Some(&shared)),
        "this file has more than 1,000,000 different texts: ipstrack reads at most 1,000,000 different texts per file",
    );
}

#[test]
fn xlsx_with_more_sheets_than_the_limit_is_refused() {
    let sheet = Body::Text(sheet_xml(None, ""));
    let sheets: Vec<&Body> = (0..65).map(|_| &sheet).collect();
    refused_saying(
        "many.xlsx",
        &xlsx(&sheets, None),
        "this file has more than 64 sheets: ipstrack reads at most 64 sheets per file",
    );
}

#[test]
fn zip_with_more_parts_than_the_limit_is_refused_before_its_directory_is_kept() {
    let empty = Body::Text(String::new());
    let names = (0..10_001).map(|i| format!("{i}"));
    refused_saying(
        "parts.xlsx",
        &zip_of_each(names, &empty),
        "this file has more than 10,000 parts: ipstrack reads at most 10,000 parts per file",
    );
}

#[test]
fn zip_inflating_past_the_total_limit_is_refused() {
    let zeros = "\0".repeat(1 << 16);
    let piece = move |_| zeros.clone();
    let big = Body::Repeated {
        head: String::new(),
        piece: &piece,
        times: 60 * 16,
        tail: String::new(),
    };
    let names = (0..5).map(|i| format!("filler{i}.bin"));
    refused_saying(
        "big.xlsx",
        &zip_of_each(names, &big),
        "this file inflates to more than 256 MiB: ipstrack reads at most 256 MiB per file, unpacked",
    );
}

#[test]
fn ods_with_a_huge_content_is_refused_while_inflating() {
    let a = "a".repeat(1 << 16);
    let piece = move |_| a.clone();
    let content = Body::Repeated {
        head: format!(
            "{}<table:table-row><table:table-cell office:value-type=\"string\"><text:p>",
            ods_head()
        ),
        piece: &piece,
        times: 70 * 16,
        tail: format!("</text:p></table:table-cell></table:table-row>{ODS_TAIL}"),
    };
    refused_saying(
        "hostile.ods",
        &ods(&content),
        "a part of this file (content.xml) inflates to more than 64 MiB: ipstrack reads at most 64 MiB per part",
    );
}

const ODS_VALUE: &str = r#"<table:table-cell office:value-type="float" office:value="1"/>"#;

#[test]
fn ods_repeating_a_row_past_the_row_limit_is_refused_before_calamine_repeats_it() {
    let row = format!(
        r#"<table:table-row table:number-rows-repeated="1000000">{ODS_VALUE}</table:table-row>"#
    );
    refused_saying(
        "hostile.ods",
        &ods_rows(&row),
        "the sheet “Caseload” has more than 100,000 rows: ipstrack reads at most 100,000 rows per sheet",
    );
}

#[test]
fn ods_repeating_a_cell_past_the_column_limit_is_refused() {
    let row = r#"<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#.to_string();
    refused_mentioning("hostile.ods", &ods_rows(&row), "beyond column IV");
}

#[test]
fn ods_repeating_rows_and_cells_past_the_cell_limit_is_refused() {
    let row = r#"<table:table-row table:number-rows-repeated="50000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="200"/></table:table-row>"#.to_string();
    refused_mentioning("hostile.ods", &ods_rows(&row), "more than 2,000,000 cells");
}

#[test]
fn ods_with_a_space_count_of_billions_is_refused() {
    let row = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="4000000000"/></text:p></table:table-cell></table:table-row>"#;
    refused_mentioning(
        "hostile.ods",
        &ods_rows(row),
        "longer than 32,767 characters",
    );
}

#[test]
fn ods_as_libreoffice_writes_it_with_repeated_empty_rows_and_cells_is_read() {
    let rows = format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row><table:table-row>{ODS_VALUE}<table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
    );
    let sheets = read("real.ods", &ods_rows(&rows));
    let rows = &sheets[0].rows;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].cells, vec![Cell::Text("Name".into())]);
    assert_eq!(
        (rows[1].number, &rows[1].cells),
        (4, &vec![Cell::Number(1.0)])
    );
}

#[test]
fn csv_with_more_rows_than_the_limit_is_refused() {
    refused_saying(
        "rows.csv",
        "1\n".repeat(100_001).as_bytes(),
        "the sheet “rows.csv” has more than 100,000 rows: ipstrack reads at most 100,000 rows per sheet",
    );
    assert_eq!(
        read_csv("rows.csv", "1\n".repeat(100_000).as_bytes())
            .unwrap()
            .rows
            .len(),
        100_000
    );
}

#[test]
fn csv_with_a_giant_field_is_refused() {
    let text = format!("Name,Notes\nA,\"{}\"\n", "x".repeat(20 << 20));
    refused_saying(
        "giant.csv",
        text.as_bytes(),
        "the sheet “giant.csv” has a cell (B2) longer than 32,767 characters: ipstrack reads at most 32,767 characters per cell, as Excel does",
    );
}

#[test]
fn csv_with_millions_of_empty_fields_is_read_and_too_many_values_refused() {
    let text = format!("Name\n{}\n", ",".repeat(5_000_000));
    let sheet = timed(|| read_csv("commas.csv", text.as_bytes())).unwrap();
    assert_eq!(sheet.rows.len(), 1);
    let text = format!("Name\n{}x\n", ",".repeat(300));
    refused_mentioning("commas.csv", text.as_bytes(), "beyond column IV");
}

#[test]
fn a_file_larger_than_the_limit_is_refused_unopened() {
    let bytes = vec![b'a'; 32 * 1024 * 1024 + 1];
    refused_saying(
        "big.csv",
        &bytes,
        "this file is larger than 32 MiB: ipstrack reads at most 32 MiB per file",
    );
    let e = timed(|| read_workbook("big.xlsx", &bytes)).unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::TooLarge);
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_not_called_too_large() {
    let e = read_workbook("notes.xlsx", b"PK\x03\x04 not really").unwrap_err();
    assert_eq!(e.kind, ReadErrorKind::NotReadable, "{e}");
}

#[test]
fn xlsx_whose_damage_overflows_calamines_arithmetic_is_refused_not_a_panic() {
    // A backwards dimension and a cell reference of more letters than any
    // column: calamine's subtraction and multiplication overflow on them (a
    // panic where overflow is checked, as in tests).
    for (dimension, cell) in [("B2:A1", "A1"), ("A1", "ABCDEFGHIJ1")] {
        let bytes = xlsx_rows(
            Some(dimension),
            &format!(r#"<row r="1"><c r="{cell}" t="inlineStr"><is><t>Name</t></is></c></row>"#),
        );
        if let Err(e) = timed(|| read_workbook("damaged.xlsx", &bytes)) {
            assert_eq!(
                e.kind,
                ReadErrorKind::NotReadable,
                "{dimension} {cell}: {e}"
            );
        }
    }
}

#[test]
fn an_xls_workbook_is_refused_unopened_with_how_to_save_it_as_xlsx() {
    // The start of a Compound File, then what a hostile xls might hold: its
    // sheets are never built (calamine would build each as a whole grid).
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    let e = match timed(|| read_file("old.xls", &bytes)) {
        Ok(_) => panic!("an xls was read"),
        Err(e) => e,
    };
    assert_eq!(e.kind, ReadErrorKind::NotReadable);
    assert!(
        e.to_string()
            .contains("Excel 97–2003 workbooks (.xls) are not read: open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)"),
        "{e}"
    );
}
