//! Hostile spreadsheets, built in the test (small files that describe a great
//! deal): minimal xlsx and ods packages written with the zip crate, parts
//! streamed in chunks so that the test itself stays small.
#![allow(dead_code)] // each test file uses its own part

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use ipstrack_interop::spreadsheet::{ReadError, ReadErrorKind, Sheet, read_file};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A part's content: whole, or a head, a piece repeated, a tail.
pub enum Body<'a> {
    Text(String),
    Repeated {
        head: String,
        piece: &'a dyn Fn(usize) -> String,
        times: usize,
        tail: String,
    },
}

impl Body<'_> {
    fn write(&self, w: &mut impl Write) {
        match self {
            Body::Text(t) => w.write_all(t.as_bytes()).unwrap(),
            Body::Repeated {
                head,
                piece,
                times,
                tail,
            } => {
                w.write_all(head.as_bytes()).unwrap();
                let mut chunk = String::new();
                for i in 0..*times {
                    chunk.push_str(&piece(i));
                    if chunk.len() > 1 << 16 {
                        w.write_all(chunk.as_bytes()).unwrap();
                        chunk.clear();
                    }
                }
                w.write_all(chunk.as_bytes()).unwrap();
                w.write_all(tail.as_bytes()).unwrap();
            }
        }
    }
}

pub fn zip_of(parts: &[(&str, &Body)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in parts {
        let options = if *name == "mimetype" {
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        } else {
            SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true)
        };
        zip.start_file(*name, options).unwrap();
        body.write(&mut zip);
    }
    zip.finish().unwrap().into_inner()
}

/// A zip of a part named each of `names`, every one holding `body`.
pub fn zip_of_each(names: impl Iterator<Item = String>, body: &Body) -> Vec<u8> {
    let names: Vec<String> = names.collect();
    let parts: Vec<(&str, &Body)> = names.iter().map(|n| (n.as_str(), body)).collect();
    zip_of(&parts)
}

/// A sheet's XML with `rows` inside `<sheetData>` (and an optional
/// `<dimension ref>`).
pub fn sheet_xml(dimension: Option<&str>, rows: &str) -> String {
    let dimension = dimension.map_or(String::new(), |d| format!(r#"<dimension ref="{d}"/>"#));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dimension}<sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// An xlsx of sheets named `Caseload`, `Sheet2`, … (each with its XML
/// body), and shared texts when given.
pub fn xlsx(sheets: &[&Body], shared: Option<&Body>) -> Vec<u8> {
    xlsx_with(sheets, shared, None)
}

/// An xlsx as [`xlsx`], with `xl/styles.xml` when given.
pub fn xlsx_with(sheets: &[&Body], shared: Option<&Body>, styles: Option<&Body>) -> Vec<u8> {
    let mut workbook_sheets = String::new();
    let mut rels = String::new();
    let mut types = String::new();
    for i in 0..sheets.len() {
        let n = i + 1;
        let name = if i == 0 {
            "Caseload".to_string()
        } else {
            format!("Sheet{n}")
        };
        workbook_sheets.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
        types.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        ));
    }
    if shared.is_some() {
        rels.push_str(&format!(
            r#"<Relationship Id="rIdS" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>"#
        ));
    }
    let content_types = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{types}</Types>"#
    ));
    let package_rels = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    ));
    let workbook = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{workbook_sheets}</sheets></workbook>"#
    ));
    let workbook_rels = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{rels}</Relationships>"#
    ));
    let names: Vec<String> = (1..=sheets.len())
        .map(|n| format!("xl/worksheets/sheet{n}.xml"))
        .collect();
    let mut parts: Vec<(&str, &Body)> = vec![
        ("[Content_Types].xml", &content_types),
        ("_rels/.rels", &package_rels),
        ("xl/workbook.xml", &workbook),
        ("xl/_rels/workbook.xml.rels", &workbook_rels),
    ];
    for (name, body) in names.iter().zip(sheets) {
        parts.push((name, body));
    }
    if let Some(shared) = shared {
        parts.push(("xl/sharedStrings.xml", shared));
    }
    if let Some(styles) = styles {
        parts.push(("xl/styles.xml", styles));
    }
    zip_of(&parts)
}

/// The styles of an xlsx: `numFmts`, `fonts` and `cellXfs` holding the
/// elements given (each may be repeated).
pub fn styles_xml(num_fmts: &str, fonts: &str, xfs: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts>{num_fmts}</numFmts><fonts>{fonts}</fonts><fills><fill><patternFill patternType="none"/></fill></fills><borders><border/></borders><cellXfs>{xfs}</cellXfs></styleSheet>"#
    )
}

/// An xlsx of one sheet with a number at A1 in cell format 1, and `styles`.
pub fn xlsx_styled(styles: &Body) -> Vec<u8> {
    let sheet = Body::Text(sheet_xml(
        None,
        r#"<row r="1"><c r="A1" s="1"><v>1</v></c></row>"#,
    ));
    xlsx_with(&[&sheet], None, Some(styles))
}

/// An xlsx whose styles hold one number format of `chars` characters,
/// used by `xfs` cell formats: calamine copies the format into each.
pub fn xlsx_long_number_format(chars: usize, xfs: usize) -> Vec<u8> {
    let code = "0".repeat(chars);
    let xf = r#"<xf numFmtId="164" fontId="0" fillId="0" borderId="0"/>"#;
    xlsx_styled(&Body::Text(styles_xml(
        &format!(r#"<numFmt numFmtId="164" formatCode="{code}"/>"#),
        r#"<font><name val="Arial"/></font>"#,
        &xf.repeat(xfs),
    )))
}

/// An xlsx of one sheet holding `rows`.
pub fn xlsx_rows(dimension: Option<&str>, rows: &str) -> Vec<u8> {
    xlsx(&[&Body::Text(sheet_xml(dimension, rows))], None)
}

const ODS_NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;

pub fn ods_head() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Caseload">"#
    )
}

pub const ODS_TAIL: &str =
    "</table:table></office:spreadsheet></office:body></office:document-content>";

/// An ods whose content is `content` (see [`ods_head`], [`ODS_TAIL`]).
pub fn ods(content: &Body) -> Vec<u8> {
    let mimetype = Body::Text("application/vnd.oasis.opendocument.spreadsheet".into());
    let manifest = Body::Text(
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.into(),
    );
    zip_of(&[
        ("mimetype", &mimetype),
        ("META-INF/manifest.xml", &manifest),
        ("content.xml", content),
    ])
}

/// An ods of one sheet holding `rows` (`<table:table-row>` elements).
pub fn ods_rows(rows: &str) -> Vec<u8> {
    ods(&Body::Text(format!("{}{rows}{ODS_TAIL}", ods_head())))
}

/// An xlsx with one value at A1 and one at XFD1048576, the last cell of a
/// sheet: calamine's grid for it would be 17 billion cells.
pub fn xlsx_last_cell() -> Vec<u8> {
    xlsx_rows(
        None,
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
    )
}

/// An xlsx whose one shared text is `mib` MiB of `a` (a few KB deflated).
pub fn xlsx_huge_shared_text(mib: usize) -> Vec<u8> {
    let a = "a".repeat(1 << 16);
    let piece = move |_| a.clone();
    let shared = Body::Repeated {
        head: format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>"#
        ),
        piece: &piece,
        times: mib * 16,
        tail: "</t></si></sst>".into(),
    };
    let sheet = Body::Text(sheet_xml(
        None,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
    ));
    xlsx(&[&sheet], Some(&shared))
}

/// An xlsx with `n` rows, each one number in column A.
pub fn xlsx_many_rows(n: usize) -> Vec<u8> {
    let piece = |i: usize| format!(r#"<row r="{0}"><c r="A{0}"><v>1</v></c></row>"#, i + 1);
    let sheet = Body::Repeated {
        head: sheet_xml(None, "").replace("</sheetData></worksheet>", ""),
        piece: &piece,
        times: n,
        tail: "</sheetData></worksheet>".into(),
    };
    xlsx(&[&sheet], None)
}

/// An xlsx whose `xl/workbook.xml` holds `sheets` (`<sheet>` elements) and
/// whose workbook relationships are `rels` (`<Relationship>` elements); one
/// sheet part, `xl/worksheets/sheet1.xml`, with a number at A1.
pub fn xlsx_workbook(sheets: &str, rels: &str) -> Vec<u8> {
    xlsx_workbook_named("workbook.xml", sheets, rels)
}

/// As [`xlsx_workbook`], the workbook part named `xl/{name}` (what the
/// package's relationships say).
pub fn xlsx_workbook_named(name: &str, sheets: &str, rels: &str) -> Vec<u8> {
    let package_rels = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="/xl/{name}"/></Relationships>"#
    ));
    let workbook = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{sheets}</sheets></workbook>"#
    ));
    let workbook_rels = Body::Text(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{rels}</Relationships>"#
    ));
    let sheet = Body::Text(sheet_xml(
        None,
        r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
    ));
    zip_of(&[
        ("_rels/.rels", &package_rels),
        (&format!("xl/{name}"), &workbook),
        (&format!("xl/_rels/{name}.rels"), &workbook_rels),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// A workbook relationship `rId1` to a worksheet at `target`.
pub fn worksheet_rel(target: &str) -> String {
    format!(r#"<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="{target}"/>"#)
}

/// Reads within a minute (a debug build, on a machine that may be busy):
/// not a speed target (the benchmarks have those), a guard against a read
/// that runs on and on.
pub fn timed<T>(read: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = read();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "took {took:?}");
    out
}

pub fn refused(name: &str, bytes: &[u8]) -> ReadError {
    let e = match timed(|| read_file(name, bytes)) {
        Ok(sheets) => panic!("read: {} sheets", sheets.len()),
        Err(e) => e,
    };
    assert_eq!(e.kind, ReadErrorKind::TooLarge, "{e}");
    e
}

/// Fails unless `bytes`, read as `name`, are refused as too large with
/// the message `message`.
#[track_caller]
pub fn refused_saying(name: &str, bytes: &[u8], message: impl AsRef<str>) {
    let e = refused(name, bytes);
    assert_eq!(e.message, message.as_ref());
}

/// Fails unless `bytes`, read as `name`, are refused as too large with a
/// message that contains `part`.
#[track_caller]
pub fn refused_mentioning(name: &str, bytes: &[u8], part: &str) {
    let e = refused(name, bytes);
    assert!(e.message.contains(part), "{e}");
}

pub fn read(name: &str, bytes: &[u8]) -> Vec<Sheet> {
    timed(|| read_file(name, bytes)).unwrap()
}
