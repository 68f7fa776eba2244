//! From sheets of cells to a checked import: which sheet holds which table,
//! each row read through the mapping, rows put together into referrals, the
//! result checked with every BAD-1 rule against what ipstrack already holds,
//! and every problem named by sheet, row and column. Nothing here writes.
//!
//! This file holds the preview's public types, [`preview`] itself and what
//! its parts share (the reader, its rows and problems). The parts: `reading`
//! (finding each sheet's table and reading its rows), `records` (rows into a
//! referral, its client, jobs and lists), `employers` (rows into the ES's
//! employer contacts), `checks` (clients and a team lead's scope),
//! `error_cells` (BAD-1 errors placed on sheet, row and column) and
//! `assemble` (all of it put together into the [`Preview`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use ipstrack_core::Day;
use ipstrack_core::bundle::{BundleDoc, ClientDoc, Removed, hours_number};
use ipstrack_core::model::{Hours, OutOfScope};

use super::cells::Sheet;
use super::mapping::{Mapping, Table, normalise};
use super::read_error::column_letter;

mod assemble;
mod checks;
mod employers;
mod error_cells;
mod reading;
mod records;

/// What the import may touch.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Dates after this day are refused (except expected return dates).
    pub today: Day,
    /// A team lead's import: only referrals and employer contacts of this
    /// team's specialists.
    pub team: Option<String>,
}

/// One problem, named by sheet, row and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub sheet: String,
    /// The spreadsheet's row number; `None` for the whole sheet.
    pub row: Option<u32>,
    /// The column: its letter and heading, e.g. `C (Referral date)`.
    pub column: Option<String>,
    /// The referral the row belongs to, when known.
    pub referral: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.sheet)?;
        if let Some(row) = self.row {
            write!(f, " row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        if let Some(referral) = &self.referral {
            write!(f, " (referral {referral})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What was found in one sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetSummary {
    pub name: String,
    /// The table read from it; `None` when no heading row matched.
    pub table: Option<Table>,
    pub header_row: Option<u32>,
    /// Rows of data read (after the heading row, blank rows left out).
    pub rows: usize,
    pub blank_rows: usize,
    /// Headings that no field of the mapping reads.
    pub unused_columns: Vec<String>,
    pub note: Option<String>,
}

/// Records to create, to update and already the same.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
}

/// A stored referral the import would replace (issue 20): what replacing
/// it with the file's form removes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplacedReferral {
    pub referral: String,
    /// Its client's id (pages name the person).
    pub client: String,
    pub removed: Removed,
}

/// A referral (or a lone row) left out when skipping is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The referral, or `None` for a row that belongs to no referral.
    pub referral: Option<String>,
    /// (sheet, row) of every row left out.
    pub rows: Vec<(String, u32)>,
}

/// The preview of an import: what it would write and every problem found.
#[derive(Clone, Debug)]
pub struct Preview {
    pub sheets: Vec<SheetSummary>,
    pub problems: Vec<Problem>,
    /// Counts of what would be written (without the skipped referrals).
    pub referrals: Counts,
    pub clients: Counts,
    pub employer_contacts: Counts,
    /// Ids of referrals that would be created and updated.
    pub created: Vec<String>,
    pub updated: Vec<String>,
    /// Every stored referral that would be updated, with what replacing it
    /// removes, in the file's order (the referrals of `updated`).
    pub replaced: Vec<ReplacedReferral>,
    /// What is left out if the user accepts skipping the problem rows.
    pub skipped: Vec<Skipped>,
    /// Records outside a team lead's scope that rows of the file matched
    /// (by id or NHS number): refused with a message that does not name
    /// them, and listed here for the audit log.
    pub out_of_scope: Vec<OutOfScope>,
    /// The records to write: created and changed clients, referrals and
    /// employer contacts, with the service as stored (for `Store::import`),
    /// and the version of each stored referral they were built on (when the
    /// existing records have versions: a database's), so that the import
    /// refuses a referral changed since the preview. Skipped referrals and
    /// employer contacts are not in it.
    bundle: BundleDoc,
}

impl Preview {
    /// Whether the whole file is clean.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The records to write: all of them when the file is clean; with
    /// problems, only when the user accepts skipping the rows listed.
    pub fn to_import(&self, accept_skipping: bool) -> Option<&BundleDoc> {
        (self.is_clean() || accept_skipping).then_some(&self.bundle)
    }

    /// The version of each stored referral the records to write were built
    /// on (see [`Preview::to_import`]), by referral id.
    pub fn versions(&self) -> &BTreeMap<String, i64> {
        &self.bundle.referral_versions
    }

    /// Rows that would be left out.
    pub fn skipped_rows(&self) -> usize {
        self.skipped.iter().map(|s| s.rows.len()).sum()
    }
}

// ---------------------------------------------------------------------------
// What the parts share: cells read through the mapping, the reader, drafts
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Text(String),
    Date(Day),
    /// Several dates, in order.
    Dates(Vec<Day>),
    Hours(Hours),
    Word(&'static str),
    Bool(bool),
    /// A specialist's id.
    Staff(String),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(t) | Value::Staff(t) => t.clone(),
            Value::Date(d) => d.to_string(),
            Value::Dates(days) => days
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            Value::Hours(h) => hours_number(*h).to_string(),
            Value::Word(w) => w.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// The fields of a caseload row that describe the client (a bundle's
/// client fields): a file with one of these columns changes that field of
/// the stored client; without the column the stored value is kept.
const CLIENT_FIELDS: [&str; 8] = ClientDoc::FIELDS;

/// A client's field by its caseload field name (one of [`CLIENT_FIELDS`]).
fn client_field<'a>(c: &'a mut ClientDoc, field: &str) -> &'a mut Option<String> {
    c.field_mut(field)
        .unwrap_or_else(|| unreachable!("`{field}` is not a client field"))
}

/// The value of a client's field by its caseload field name.
fn client_value(c: &ClientDoc, field: &str) -> Option<String> {
    c.field(field)
}

/// A client field as people read it, for messages.
fn client_field_label(field: &str) -> &'static str {
    match field {
        "nhs_number" => "NHS number",
        "given_name" => "given name",
        "family_name" => "family name",
        "date_of_birth" => "date of birth",
        "phone" => "phone number",
        "postcode" => "postcode",
        "gender" => "gender",
        "ethnic_category" => "ethnic category",
        _ => "value",
    }
}

/// A sheet recognised as a table: where its heading row is and which column
/// holds which field.
struct Layout {
    sheet: usize,
    table: Table,
    header_index: usize,
    /// Field index (in `table.fields()`) → column index.
    columns: Vec<Option<usize>>,
    headings: Vec<String>,
}

impl Layout {
    fn has(&self, field: &str) -> bool {
        self.table
            .fields()
            .iter()
            .position(|f| f.name == field)
            .is_some_and(|i| self.columns[i].is_some())
    }

    fn column_name(&self, field: &str) -> Option<String> {
        let i = self.table.fields().iter().position(|f| f.name == field)?;
        let c = self.columns[i]?;
        Some(format!("{} ({})", column_letter(c), self.headings[c]))
    }
}

/// A row read through the mapping.
struct ReadRow {
    layout: usize,
    number: u32,
    values: Vec<Option<Value>>,
    /// The referral the row belongs to.
    key: Option<String>,
}

impl ReadRow {
    fn get(&self, table: Table, field: &str) -> Option<&Value> {
        let i = table.fields().iter().position(|f| f.name == field)?;
        self.values[i].as_ref()
    }

    fn text(&self, table: Table, field: &str) -> Option<String> {
        self.get(table, field).map(Value::text)
    }
}

struct Reader<'a> {
    sheets: &'a [Sheet],
    mapping: &'a Mapping,
    existing: &'a BundleDoc,
    options: &'a ImportOptions,
    layouts: Vec<Layout>,
    rows: Vec<ReadRow>,
    problems: Vec<Problem>,
    /// (sheet, row, column) of every problem so far.
    cells_with_problems: HashSet<(String, u32, String)>,
    /// (sheet, row) of every problem so far.
    rows_with_problems: HashSet<(String, u32)>,
    /// Stored clients by id.
    stored_clients: HashMap<&'a str, &'a ClientDoc>,
    /// Specialists by normalised id and by normalised name.
    staff_ids: HashMap<String, String>,
    staff_names: HashMap<String, Vec<String>>,
    /// Stored records outside the team lead's scope that rows matched.
    out_of_scope: BTreeSet<OutOfScope>,
    /// For a team lead's import: each stored client with referrals, and
    /// whether every one of them is the team's (worked out once).
    client_scope: HashMap<&'a str, bool>,
}

/// Builds the preview of importing these sheets over the existing records.
pub fn preview(
    sheets: &[Sheet],
    mapping: &Mapping,
    existing: &BundleDoc,
    options: &ImportOptions,
) -> Preview {
    let mut reader = Reader {
        sheets,
        mapping,
        existing,
        options,
        layouts: Vec::new(),
        rows: Vec::new(),
        problems: Vec::new(),
        cells_with_problems: HashSet::new(),
        rows_with_problems: HashSet::new(),
        stored_clients: existing
            .clients
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect(),
        staff_ids: HashMap::new(),
        staff_names: HashMap::new(),
        out_of_scope: BTreeSet::new(),
        client_scope: HashMap::new(),
    };
    if let Some(team) = &options.team {
        for r in &existing.referrals {
            let theirs = reader.outside_team(r, team).is_none();
            *reader.client_scope.entry(r.client.as_str()).or_insert(true) &= theirs;
        }
    }
    for s in existing.staff.iter().filter(|s| s.role == "es") {
        reader.staff_ids.insert(normalise(&s.id), s.id.clone());
        reader
            .staff_names
            .entry(normalise(&s.name))
            .or_default()
            .push(s.id.clone());
    }
    let summaries = reader.find_layouts();
    for l in 0..reader.layouts.len() {
        reader.read_rows(l);
    }
    reader.assemble(summaries)
}

impl Reader<'_> {
    fn problem(&mut self, layout: usize, row: u32, field: Option<&str>, message: String) {
        let l = &self.layouts[layout];
        let p = Problem {
            sheet: self.sheets[l.sheet].name.clone(),
            row: Some(row),
            column: field.and_then(|f| l.column_name(f)),
            referral: None,
            message,
        };
        self.push(p);
    }

    /// Adds a problem, unless the same cell already has one (the first
    /// explains the rest: a date that cannot be read leaves the field empty).
    fn push(&mut self, p: Problem) {
        if let Some(row) = p.row {
            self.rows_with_problems.insert((p.sheet.clone(), row));
        }
        if let (Some(row), Some(column)) = (p.row, &p.column)
            && !self
                .cells_with_problems
                .insert((p.sheet.clone(), row, column.clone()))
        {
            return;
        }
        self.problems.push(p);
    }
}

/// Where a record came from: (row index in `Reader::rows`).
#[derive(Default)]
struct Draft {
    /// Caseload rows of this referral, in order.
    rows: Vec<usize>,
    /// Child rows of each table, in order.
    children: BTreeMap<Table, Vec<usize>>,
}

impl Reader<'_> {
    fn sheet_of(&self, row: usize) -> String {
        self.sheets[self.layouts[self.rows[row].layout].sheet]
            .name
            .clone()
    }

    fn row_problem(&mut self, row: usize, field: Option<&str>, referral: &str, message: String) {
        let r = &self.rows[row];
        let l = &self.layouts[r.layout];
        let p = Problem {
            sheet: self.sheets[l.sheet].name.clone(),
            row: Some(r.number),
            column: field.and_then(|f| l.column_name(f)),
            referral: Some(referral.to_string()),
            message,
        };
        self.push(p);
    }
}
