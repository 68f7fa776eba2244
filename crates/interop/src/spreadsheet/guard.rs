//! Checks an xlsx or ods file (a zip) against the [limits](super::limits)
//! before calamine opens it: every part is inflated once into nothing,
//! counting, and refused past its limit; the parts calamine sizes memory from
//! are read as they inflate — the shared texts of an xlsx (calamine reserves
//! room for the count they declare) and the content of an ods (calamine
//! keeps every sheet of it at once, with repeated cells and rows repeated).
//!
//! So are the other parts calamine reads whole when it opens an xlsx, before
//! any sheet, where it copies one thing into many: the styles (each cell
//! format gets a copy of its number format and font), the workbook (each
//! sheet a copy of its part's name, from the relationships).
//!
//! The sheets of an xlsx need no look beforehand: they are read cell by cell
//! (see `cells::read_xlsx`), with the limits counted as they come.

use std::collections::HashSet;
use std::io::{self, BufReader, Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::limits::{
    self, MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_DEFINED_NAMES, MAX_INFLATED_BYTES,
    MAX_NAME_CHARS, MAX_NUMBER_FORMAT_CHARS, MAX_PART_BYTES, MAX_PARTS, MAX_ROWS, MAX_SHARED_TEXTS,
    MAX_SHEETS, MAX_STYLES, MAX_TARGET_CHARS, MAX_TEXT_BYTES,
};

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// Which parts are read as they inflate.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    SharedTexts,
    Styles,
    Workbook,
    Relationships,
    OdsContent,
    Other,
}

/// A part's name as calamine finds it: without regard to case, `\\` read
/// as `/`.
fn normalized(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

fn part_kind(name: &str, workbooks: &HashSet<String>) -> Part {
    let lower = normalized(name);
    if lower.ends_with("sharedstrings.xml") {
        Part::SharedTexts
    } else if lower.ends_with("styles.xml") {
        Part::Styles
    } else if lower.ends_with("workbook.xml") || workbooks.contains(&lower) {
        Part::Workbook
    } else if lower.ends_with(".rels") {
        Part::Relationships
    } else if lower == "content.xml" {
        Part::OdsContent
    } else {
        Part::Other
    }
}

/// Checks a zip file's parts; a file that is not a zip passes (calamine
/// tells what it is, or that it is not a spreadsheet).
pub(crate) fn check_zip(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(b"PK") {
        return Ok(());
    }
    // Every entry of the zip's directory starts with this signature, so
    // their count bounds the entries the zip reader keeps, before it keeps
    // them.
    let entries = bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count();
    if entries > MAX_PARTS {
        return Err(limits::too_many_parts());
    }
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let workbooks = workbook_parts(&mut zip);
    let mut total = 0u64;
    for i in 0..zip.len() {
        // A part that cannot be opened (encrypted, an unknown compression)
        // cannot be read by calamine either, which says so.
        let Ok(file) = zip.by_index(i) else {
            continue;
        };
        let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
        let kind = part_kind(&name, &workbooks);
        let mut reader = Counted {
            inner: file.take(MAX_PART_BYTES + 1),
            read: 0,
        };
        let scanned = match kind {
            Part::SharedTexts => shared_texts(&mut reader),
            Part::Styles => styles(&name, &mut reader),
            Part::Workbook => workbook(&name, &mut reader),
            Part::Relationships => relationships(&name, &mut reader),
            Part::OdsContent => ods_content(&mut reader),
            Part::Other => Ok(()),
        };
        // The rest of the part (all of it when not scanned), to count it.
        let _ = io::copy(&mut reader, &mut io::sink());
        if reader.read > MAX_PART_BYTES {
            return Err(limits::part_too_large(&name));
        }
        total += reader.read;
        if total > MAX_INFLATED_BYTES {
            return Err(limits::inflates_too_much());
        }
        scanned?;
    }
    Ok(())
}

/// The workbook part of an xlsx, as calamine finds it: the target of the
/// package's last `officeDocument` relationship (any name), normalized.
/// Each of its targets is kept: an attribute written twice may be read
/// either way.
fn workbook_parts<R: Read + io::Seek>(zip: &mut ZipArchive<R>) -> HashSet<String> {
    let Some(index) = (0..zip.len()).find(|&i| {
        zip.name_for_index(i)
            .and_then(Result::ok)
            .is_some_and(|n| normalized(&n) == "_rels/.rels")
    }) else {
        return HashSet::new();
    };
    let Ok(file) = zip.by_index(index) else {
        return HashSet::new();
    };
    let mut xml = xml(file.take(MAX_PART_BYTES));
    let mut buf = Vec::new();
    let mut parts = HashSet::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let values = |name: &str| {
                    let mut attributes = e.attributes();
                    attributes.with_checks(false);
                    attributes
                        .flatten()
                        .filter(|a| a.key.as_ref() == name)
                        .map(|a| a.value.into_owned())
                        .collect::<Vec<_>>()
                };
                let office = values("Type")
                    .iter()
                    .any(|t| t.ends_with("/relationships/officeDocument"));
                let targets = values("Target");
                if office && !targets.is_empty() {
                    parts = targets.iter().map(|t| workbook_part(t)).collect();
                }
            }
            Ok(Event::Eof) | Err(_) => return parts,
            Ok(_) => {}
        }
    }
}

/// The part calamine reads as the workbook for an `officeDocument` target.
fn workbook_part(target: &str) -> String {
    let target = quick_xml::escape::unescape(target).map_or(target.to_string(), |t| t.into_owned());
    let target = target.strip_prefix('/').unwrap_or(&target);
    if target.ends_with('/') || target.is_empty() {
        normalized(&format!("{target}workbook.xml"))
    } else {
        normalized(target)
    }
}

fn xml<R: Read>(reader: R) -> Reader<BufReader<R>> {
    Reader::from_reader(BufReader::new(reader))
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// Whether an attribute's value, unescaped, is longer than `max`
/// characters: any of its values, when it is written more than once
/// (calamine reads one or the other, depending on the attribute).
fn longer_than(e: &BytesStart, name: &str, max: usize) -> bool {
    let mut attributes = e.attributes();
    attributes.with_checks(false);
    attributes
        .flatten()
        .filter(|a| a.key.as_ref() == name)
        // Unescaping never lengthens, and a character is at least a byte.
        .filter(|a| a.value.len() > max)
        .any(|a| match quick_xml::escape::unescape(&a.value) {
            Ok(v) => v.chars().count() > max,
            Err(_) => a.value.chars().count() > max,
        })
}

fn number(value: Option<String>) -> Option<u64> {
    value?.trim().parse().ok()
}

/// The shared texts of an xlsx: the count declared (calamine reserves room
/// for it) and the texts there are.
fn shared_texts<R: Read>(reader: R) -> Result<(), String> {
    let mut xml = xml(reader);
    let mut buf = Vec::new();
    let mut count = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "sst" => {
                    for declared in ["uniqueCount", "count"] {
                        if number(attr(&e, declared)).is_some_and(|n| n > MAX_SHARED_TEXTS as u64) {
                            return Err(limits::too_many_shared_texts());
                        }
                    }
                }
                "si" => {
                    count += 1;
                    if count > MAX_SHARED_TEXTS {
                        return Err(limits::too_many_shared_texts());
                    }
                }
                _ => {}
            },
            // Not well formed: calamine says so when it reads it.
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// The lists of `xl/styles.xml` calamine reads, each counted: the element
/// listed, and what the messages call it.
const STYLE_LISTS: [(&str, &str, &str); 5] = [
    ("numFmts", "numFmt", "number formats"),
    ("fonts", "font", "fonts"),
    ("fills", "fill", "fills"),
    ("borders", "border", "borders"),
    ("cellXfs", "xf", "cell formats"),
];

/// The styles of an xlsx: calamine copies a cell format's number format and
/// font into each cell format (xf), so their lengths and counts are bounded
/// (Excel's own limits), and with them the copies.
fn styles<R: Read>(part: &str, reader: R) -> Result<(), String> {
    let mut xml = xml(reader);
    let mut buf = Vec::new();
    // The list being read, and the count of its elements so far.
    let mut list: Option<(usize, usize)> = None;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if list.is_none() => {
                let name = e.local_name();
                list = STYLE_LISTS
                    .iter()
                    .position(|(l, ..)| *l == name.as_ref())
                    .map(|i| (i, 0));
            }
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let Some((i, count)) = list.as_mut() else {
                    continue;
                };
                let (_, element, what) = STYLE_LISTS[*i];
                let name = e.local_name();
                if name.as_ref() == element {
                    *count += 1;
                    if *count > MAX_STYLES {
                        return Err(limits::too_many_styles(part, what));
                    }
                }
                match name.as_ref() {
                    "numFmt" if longer_than(&e, "formatCode", MAX_NUMBER_FORMAT_CHARS) => {
                        return Err(limits::number_format_too_long(part));
                    }
                    "name" if element == "font" && longer_than(&e, "val", MAX_NAME_CHARS) => {
                        return Err(limits::name_too_long(part, "font name"));
                    }
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                if list.is_some_and(|(i, _)| STYLE_LISTS[i].0 == e.local_name().as_ref()) {
                    list = None;
                }
            }
            // Not well formed: calamine says so when it reads it.
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// The workbook of an xlsx: its sheets (calamine gives each a copy of its
/// part's name) and their names.
fn workbook<R: Read>(part: &str, reader: R) -> Result<(), String> {
    let mut xml = xml(reader);
    let mut buf = Vec::new();
    let mut sheets = 0usize;
    let mut names = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                sheets += 1;
                if sheets > MAX_SHEETS {
                    return Err(limits::too_many_sheets());
                }
                if longer_than(&e, "name", MAX_NAME_CHARS) {
                    return Err(limits::name_too_long(part, "sheet name"));
                }
            }
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "definedName" => {
                names += 1;
                if names > MAX_DEFINED_NAMES {
                    return Err(limits::too_many_defined_names(part));
                }
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// Relationships: each target is the name of a part (or a link), which
/// calamine copies for each sheet naming it.
fn relationships<R: Read>(part: &str, reader: R) -> Result<(), String> {
    let mut xml = xml(reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == "Relationship"
                    && longer_than(&e, "Target", MAX_TARGET_CHARS) =>
            {
                return Err(limits::target_too_long(part));
            }
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// One sheet (table) of an ods content, as calamine keeps it.
#[derive(Default)]
struct Table {
    name: String,
    /// Rows so far, repeats counted.
    row: u64,
    /// Rows with a value, repeats counted.
    rows_with_values: u64,
    /// The first and last rows with a value.
    first: Option<u64>,
    last: u64,
    /// The widest row, to its last value.
    width: u64,
}

/// The row being read.
#[derive(Default)]
struct OdsRow {
    repeats: u64,
    /// Columns so far, repeats counted.
    col: u64,
    /// Columns to the last value.
    width: u64,
    /// Text of the row's cells (the XML of each cell, which is no shorter
    /// than its text, plus spaces written as a count), repeats counted.
    text: u64,
}

/// The cell being read.
struct OdsCell {
    repeats: u64,
    start: u64,
    spaces: u64,
    depth: usize,
}

/// The attributes that give a cell a value (see calamine's `get_datatype`).
fn ods_cell_has_value(e: &BytesStart) -> bool {
    e.attributes().flatten().any(|a| {
        matches!(
            a.key.as_ref(),
            "office:value-type"
                | "office:value"
                | "office:string-value"
                | "office:date-value"
                | "office:time-value"
                | "office:boolean-value"
                | "table:formula"
        )
    })
}

fn is_cell(e: &BytesStart) -> bool {
    matches!(
        e.name().as_ref(),
        "table:table-cell" | "table:covered-table-cell"
    )
}

/// The content of an ods: every sheet, with repeated cells and rows
/// repeated as calamine repeats them, against the rows, columns, cells and
/// text limits.
fn ods_content<R: Read>(reader: R) -> Result<(), String> {
    let mut xml = xml(reader);
    let mut buf = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Option<OdsRow> = None;
    let mut cell: Option<OdsCell> = None;
    // Cells and text of the sheets before, as calamine keeps them all.
    let mut cells_before = 0u64;
    let mut text = 0u64;
    let mut tables = 0usize;
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(event) => event,
        };
        let position = xml.buffer_position();
        if let Some(c) = cell.as_mut() {
            match &event {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "text:s" => {
                    c.spaces = c
                        .spaces
                        .saturating_add(number(attr(e, "text:c")).unwrap_or(1));
                    if c.spaces > MAX_CELL_CHARS as u64 {
                        let name = table.as_ref().map_or("", |t| t.name.as_str());
                        return Err(limits::cell_too_long(name, None));
                    }
                    if matches!(event, Event::Start(_)) {
                        c.depth += 1;
                    }
                }
                Event::Start(_) => c.depth += 1,
                Event::End(_) if c.depth > 0 => c.depth -= 1,
                Event::End(_) => {
                    let c = cell.take().expect("in a cell");
                    let bytes = (position - c.start).saturating_add(c.spaces);
                    if let Some(r) = row.as_mut() {
                        r.col = r.col.saturating_add(c.repeats);
                        r.width = r.col;
                        r.text = r.text.saturating_add(bytes.saturating_mul(c.repeats));
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            // calamine copies the last style's name for each table's
            // properties after it.
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == "style:style"
                    && longer_than(&e, "style:name", MAX_NAME_CHARS) =>
            {
                return Err(limits::name_too_long("content.xml", "style name"));
            }
            Event::Start(e) if e.name().as_ref() == "table:table" => {
                tables += 1;
                if tables > MAX_SHEETS {
                    return Err(limits::too_many_sheets());
                }
                if longer_than(&e, "table:name", MAX_NAME_CHARS) {
                    return Err(limits::name_too_long("content.xml", "sheet name"));
                }
                let name = attr(&e, "table:name").unwrap_or_default();
                table = Some(Table {
                    name,
                    ..Table::default()
                });
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some(t) = table.take() {
                    cells_before = cells_before.saturating_add(area(&t));
                }
            }
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                let repeats = number(attr(&e, "table:number-rows-repeated")).unwrap_or(1);
                row = Some(OdsRow {
                    repeats,
                    ..OdsRow::default()
                });
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                // A row without cells has no value: only its rows count.
                let repeats = number(attr(&e, "table:number-rows-repeated")).unwrap_or(1);
                if let Some(t) = table.as_mut() {
                    t.row = t.row.saturating_add(repeats);
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                end_row(&mut table, &mut row, &mut text, cells_before)?;
            }
            Event::Start(e) if is_cell(&e) => {
                let repeats = number(attr(&e, "table:number-columns-repeated")).unwrap_or(1);
                // A cell with content has a value, or may have (text).
                cell = Some(OdsCell {
                    repeats,
                    start: position.saturating_sub(e.len() as u64 + 2),
                    spaces: 0,
                    depth: 0,
                });
            }
            Event::Empty(e) if is_cell(&e) => {
                let repeats = number(attr(&e, "table:number-columns-repeated")).unwrap_or(1);
                if let Some(r) = row.as_mut() {
                    r.col = r.col.saturating_add(repeats);
                    if ods_cell_has_value(&e) {
                        r.width = r.col;
                        let bytes = e.len() as u64 + 3;
                        r.text = r.text.saturating_add(bytes.saturating_mul(repeats));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The cells calamine keeps for a sheet: from its first row with a value to
/// its last, repeats counted, each as wide as the widest row.
fn area(t: &Table) -> u64 {
    match t.first {
        Some(first) => (t.last - first + 1).saturating_mul(t.width),
        None => 0,
    }
}

fn end_row(
    table: &mut Option<Table>,
    row: &mut Option<OdsRow>,
    text: &mut u64,
    cells_before: u64,
) -> Result<(), String> {
    let (Some(t), Some(r)) = (table.as_mut(), row.take()) else {
        return Ok(());
    };
    let repeats = r.repeats.max(1);
    if r.width > 0 {
        if r.width > MAX_COLUMNS as u64 {
            return Err(limits::too_many_columns(&t.name));
        }
        t.rows_with_values = t.rows_with_values.saturating_add(repeats);
        if t.rows_with_values > MAX_ROWS as u64 {
            return Err(limits::too_many_rows(&t.name));
        }
        t.first.get_or_insert(t.row);
        t.last = t.row.saturating_add(repeats - 1);
        t.width = t.width.max(r.width);
        if cells_before.saturating_add(area(t)) > MAX_CELLS as u64 {
            return Err(limits::too_many_cells());
        }
        *text = text.saturating_add(r.text.saturating_mul(repeats));
        if *text > MAX_TEXT_BYTES {
            return Err(limits::too_much_text());
        }
    }
    t.row = t.row.saturating_add(repeats);
    Ok(())
}
