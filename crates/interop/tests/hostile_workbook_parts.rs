//! The other parts calamine reads when it opens a workbook, before any
//! sheet — the styles (`xl/styles.xml`: number formats, fonts, style
//! entries), the workbook (its sheets and their names, defined names) and its
//! relationships — built to exhaust memory or time are refused within the
//! limits, before calamine reads them. Issue 21.

mod hostile;

use hostile::*;
use ipstrack_interop::spreadsheet::Cell;

#[test]
fn xlsx_with_a_number_format_longer_than_excel_allows_is_refused() {
    refused_saying(
        "format.xlsx",
        &xlsx_long_number_format(256, 1),
        "xl/styles.xml has a number format longer than 255 characters: ipstrack reads at most 255 characters per number format, as Excel does",
    );
    let sheets = read("format.xlsx", &xlsx_long_number_format(255, 2));
    assert_eq!(sheets[0].rows[0].cells, vec![Cell::Number(1.0)]);
}

#[test]
fn xlsx_with_a_1_mib_number_format_in_2000_cell_formats_is_refused_before_calamine_copies_it() {
    // calamine copies a cell format's number format into each cell format
    // (xf) when it opens the file: 2 GiB from a file of a few KB.
    let bytes = xlsx_long_number_format(1 << 20, 2_000);
    assert!(bytes.len() < 8 * 1024, "{}", bytes.len());
    refused_mentioning(
        "hostile.xlsx",
        &bytes,
        "has a number format longer than 255 characters",
    );
}

#[test]
fn xlsx_with_a_long_font_name_in_many_cell_formats_is_refused() {
    let name = "F".repeat(1 << 20);
    let xf = r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>"#;
    let styles = Body::Text(styles_xml(
        "",
        &format!(r#"<font><name val="{name}"/></font>"#),
        &xf.repeat(2_000),
    ));
    refused_saying(
        "hostile.xlsx",
        &xlsx_styled(&styles),
        "xl/styles.xml has a font name longer than 255 characters: ipstrack reads at most 255 characters per font name",
    );
}

#[test]
fn xlsx_with_more_style_entries_than_excel_allows_is_refused() {
    let xf = r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>"#;
    let font = r#"<font><name val="Arial"/></font>"#;
    let num_fmt = |i: usize| format!(r#"<numFmt numFmtId="{}" formatCode="0.0"/>"#, 164 + i);
    let num_fmts: String = (0..64_001).map(num_fmt).collect();
    for (styles, what) in [
        (styles_xml("", font, &xf.repeat(64_001)), "cell formats"),
        (styles_xml("", &font.repeat(64_001), xf), "fonts"),
        (styles_xml(&num_fmts, font, xf), "number formats"),
    ] {
        refused_saying(
            "styles.xlsx",
            &xlsx_styled(&Body::Text(styles)),
            format!(
                "xl/styles.xml has more than 64,000 {what}: ipstrack reads at most 64,000 {what} per file, as Excel does"
            ),
        );
    }
    let styles = styles_xml("", &font.repeat(2), &xf.repeat(64_000));
    read("styles.xlsx", &xlsx_styled(&Body::Text(styles)));
}

#[test]
fn xlsx_whose_workbook_lists_more_sheets_than_the_limit_is_refused_before_calamine_reads_it() {
    // Each <sheet> gets a copy of its part's name: one long target named by
    // millions of sheets would take terabytes.
    let sheet = |i: usize| format!(r#"<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>"#);
    let sheets: String = (1..=65).map(sheet).collect();
    refused_saying(
        "sheets.xlsx",
        &xlsx_workbook(&sheets, &worksheet_rel("worksheets/sheet1.xml")),
        "this file has more than 64 sheets: ipstrack reads at most 64 sheets per file",
    );
}

#[test]
fn xlsx_with_a_sheet_name_longer_than_the_limit_is_refused() {
    let sheet = format!(
        r#"<sheet name="{}" sheetId="1" r:id="rId1"/>"#,
        "N".repeat(256)
    );
    refused_saying(
        "name.xlsx",
        &xlsx_workbook(&sheet, &worksheet_rel("worksheets/sheet1.xml")),
        "xl/workbook.xml has a sheet name longer than 255 characters: ipstrack reads at most 255 characters per sheet name",
    );
    let sheet = format!(
        r#"<sheet name="{}" sheetId="1" r:id="rId1"/>"#,
        "N".repeat(255)
    );
    let sheets = read(
        "name.xlsx",
        &xlsx_workbook(&sheet, &worksheet_rel("worksheets/sheet1.xml")),
    );
    assert_eq!(sheets[0].name.chars().count(), 255);
}

#[test]
fn xlsx_with_a_relationship_target_longer_than_a_part_name_is_refused() {
    let sheet = |i: usize| format!(r#"<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>"#);
    let sheets: String = (1..=64).map(sheet).collect();
    let target = format!("worksheets/{}.xml", "x".repeat(8 << 20));
    refused_saying(
        "target.xlsx",
        &xlsx_workbook(&sheets, &worksheet_rel(&target)),
        "xl/_rels/workbook.xml.rels has a relationship target longer than 65,535 characters: ipstrack reads at most 65,535 characters per target, the longest name a zip part can have",
    );
}

#[test]
fn xlsx_whose_workbook_part_has_another_name_is_checked_all_the_same() {
    let sheet = |i: usize| format!(r#"<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>"#);
    let rel = worksheet_rel("worksheets/sheet1.xml");
    let sheets: String = (1..=65).map(sheet).collect();
    refused_saying(
        "book.xlsx",
        &xlsx_workbook_named("Book.XML", &sheets, &rel),
        "this file has more than 64 sheets: ipstrack reads at most 64 sheets per file",
    );
    let long = format!(
        r#"<sheet name="{}" sheetId="1" r:id="rId1"/>"#,
        "N".repeat(256)
    );
    refused_saying(
        "book.xlsx",
        &xlsx_workbook_named("Book.XML", &long, &rel),
        "xl/Book.XML has a sheet name longer than 255 characters: ipstrack reads at most 255 characters per sheet name",
    );
    let sheets = read(
        "book.xlsx",
        &xlsx_workbook_named("book.xml", &sheet(1), &rel),
    );
    assert_eq!(sheets[0].rows[0].cells, vec![Cell::Number(1.0)]);
}

#[test]
fn ods_with_more_sheets_than_the_limit_is_refused_before_calamine_reads_them() {
    let table = |i: usize| format!(r#"<table:table table:name="S{i}"></table:table>"#);
    let tables: String = (1..=65).map(table).collect();
    let content = format!("{}{tables}{ODS_TAIL}", ods_head());
    refused_saying(
        "many.ods",
        &ods(&Body::Text(content)),
        "this file has more than 64 sheets: ipstrack reads at most 64 sheets per file",
    );
}

#[test]
fn ods_with_a_sheet_name_longer_than_the_limit_is_refused() {
    let long = "N".repeat(256);
    let content = format!(
        r#"{}</table:table><table:table table:name="{long}">{ODS_TAIL}"#,
        ods_head()
    );
    refused_saying(
        "name.ods",
        &ods(&Body::Text(content)),
        "content.xml has a sheet name longer than 255 characters: ipstrack reads at most 255 characters per sheet name",
    );
}

#[test]
fn ods_with_a_long_style_name_and_many_table_properties_is_refused() {
    // calamine copies (and hashes) the last style's name for each table
    // property after it: a long name and many properties take hours.
    let name = "s".repeat(8 << 20);
    let properties = "<style:table-properties/>".repeat(100_000);
    let content = ods_head().replace(
        "<office:body>",
        &format!(
            r#"<office:automatic-styles><style:style style:name="{name}">{properties}</style:style></office:automatic-styles><office:body>"#
        ),
    );
    let content = format!("{content}{ODS_TAIL}");
    refused_saying(
        "styles.ods",
        &ods(&Body::Text(content)),
        "content.xml has a style name longer than 255 characters: ipstrack reads at most 255 characters per style name",
    );
}

#[test]
fn xlsx_with_more_defined_names_than_the_limit_is_refused() {
    let names = r#"<definedName name="n">S1!$A$1</definedName>"#.repeat(100_001);
    let sheet = r#"<sheet name="S1" sheetId="1" r:id="rId1"/>"#;
    let rel = worksheet_rel("worksheets/sheet1.xml");
    refused_saying(
        "names.xlsx",
        &xlsx_workbook(
            &format!("{sheet}</sheets><definedNames>{names}</definedNames><sheets>"),
            &rel,
        ),
        "xl/workbook.xml has more than 100,000 defined names: ipstrack reads at most 100,000 defined names per file",
    );
}

#[test]
fn xlsx_writing_a_number_format_twice_is_measured_both_times() {
    // calamine reads the later of two formatCode attributes when numFmtId
    // comes after them.
    let code = "0".repeat(1 << 20);
    let xf = r#"<xf numFmtId="164" fontId="0" fillId="0" borderId="0"/>"#;
    let styles = Body::Text(styles_xml(
        &format!(r#"<numFmt formatCode="0" formatCode="{code}" numFmtId="164"/>"#),
        r#"<font><name val="Arial"/></font>"#,
        &xf.repeat(2_000),
    ));
    refused_mentioning(
        "twice.xlsx",
        &xlsx_styled(&styles),
        "has a number format longer than 255 characters",
    );
}
