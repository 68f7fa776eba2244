//! From sheets of cells to a checked import: which sheet holds which table,
//! each row read through the mapping, rows put together into referrals, the
//! result checked with every BAD-1 rule against what ipstrack already holds,
//! and every problem named by sheet, row and column. Nothing here writes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    BUNDLE_FORMAT, BundleDoc, ClientDoc, ContactDoc, DecisionDoc, DischargeDoc, EngagementDoc,
    JobDoc, ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc, hours_number, validate,
};
use ipstrack_core::model::{Hours, OutOfScope};
use serde_json::Number;

use super::cells::{Sheet, column_letter};
use super::mapping::{Mapping, Table, normalise};

mod checks;
mod error_cells;
mod reading;

/// What the import may touch.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Dates after this day are refused (except expected return dates).
    pub today: Day,
    /// A team lead's import: only referrals of this team's specialists.
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
    /// Ids of referrals that would be created and updated.
    pub created: Vec<String>,
    pub updated: Vec<String>,
    /// What is left out if the user accepts skipping the problem rows.
    pub skipped: Vec<Skipped>,
    /// Records outside a team lead's scope that rows of the file matched
    /// (by id or NHS number): refused with a message that does not name
    /// them, and listed here for the audit log.
    pub out_of_scope: Vec<OutOfScope>,
    /// The records to write: created and changed clients and referrals, with
    /// the service as stored (for `Store::import`). Skipped referrals are not in it.
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

    /// Rows that would be left out.
    pub fn skipped_rows(&self) -> usize {
        self.skipped.iter().map(|s| s.rows.len()).sum()
    }
}

// ---------------------------------------------------------------------------
// Cells read through the mapping
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Text(String),
    Date(Day),
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
            Value::Hours(h) => hours_number(*h).to_string(),
            Value::Word(w) => w.to_string(),
            Value::Bool(b) => b.to_string(),
        }
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
    };
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

// ---------------------------------------------------------------------------
// Rows into referrals
// ---------------------------------------------------------------------------

/// The fields of a caseload row that describe the referral (the rest, the job).
const REFERRAL_FIELDS: [&str; 11] = [
    "referral",
    "client",
    "nhs_number",
    "received",
    "status_at_referral",
    "es",
    "access",
    "vocational_plan_start",
    "vocational_plan_end",
    "discharge",
    "discharge_reason",
];

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

    fn assemble(mut self, summaries: Vec<SheetSummary>) -> Preview {
        // Which child tables the file holds: those replace the referral's lists.
        let present: BTreeSet<Table> = self
            .layouts
            .iter()
            .map(|l| l.table)
            .filter(|t| *t != Table::Caseload)
            .collect();
        let existing_referrals: HashMap<&str, &ReferralDoc> = self
            .existing
            .referrals
            .iter()
            .map(|r| (r.id.as_str(), r))
            .collect();
        let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut lone_rows: Vec<usize> = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let Some(key) = &row.key else {
                lone_rows.push(i);
                continue;
            };
            let table = self.layouts[row.layout].table;
            let draft = drafts.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                Draft::default()
            });
            if table == Table::Caseload {
                draft.rows.push(i);
            } else {
                draft.children.entry(table).or_default().push(i);
            }
        }
        // Child rows whose referral is neither in the file nor stored.
        let mut unknown = Vec::new();
        for key in &order {
            let d = &drafts[key];
            if d.rows.is_empty() && !existing_referrals.contains_key(key.as_str()) {
                unknown.push(key.clone());
            }
        }
        for key in unknown {
            let d = drafts.remove(&key).expect("a draft");
            order.retain(|k| *k != key);
            for rows in d.children.values() {
                for &r in rows {
                    let field = if self.layouts[self.rows[r].layout].has("referral") {
                        "referral"
                    } else {
                        "client"
                    };
                    self.row_problem(
                        r,
                        Some(field),
                        &key,
                        format!("there is no referral {key} in the caseload sheet or in ipstrack"),
                    );
                    lone_rows.push(r);
                }
            }
        }

        let mut referrals: Vec<(ReferralDoc, Option<ClientDoc>)> = Vec::new();
        for key in &order {
            let draft = &drafts[key];
            let base = existing_referrals.get(key.as_str()).copied();
            if let Some(built) = self.build(key, draft, base, &present) {
                referrals.push(built);
            }
        }
        self.check_clients(&referrals, &drafts);
        self.check_scope(&referrals, &existing_referrals, &drafts);

        // Check the whole result with every BAD-1 rule; leave out referrals
        // with problems until what is left is clean.
        let mut bad: BTreeSet<String> = self
            .problems
            .iter()
            .filter_map(|p| p.referral.clone())
            .collect();
        // Errors the file does not explain are listed once, on the first check.
        let mut first_check = true;
        let bundle = loop {
            let candidate = self.bundle(&referrals, &bad);
            let merged = merge(self.existing, &candidate);
            match validate(&merged) {
                Ok(_) => break candidate,
                Err(errors) => {
                    let before = bad.len();
                    for e in errors.0 {
                        let referral = self.place_error(&e, &drafts, &referrals, first_check);
                        if let Some(r) = referral {
                            bad.insert(r);
                        }
                    }
                    first_check = false;
                    if bad.len() == before {
                        // Errors that no referral of the file explains: nothing is written.
                        let mut empty = candidate;
                        empty.clients.clear();
                        empty.referrals.clear();
                        bad.extend(order.iter().cloned());
                        break empty;
                    }
                }
            }
        };
        self.problems.sort();
        self.problems.dedup();

        let existing_clients: HashMap<&str, &ClientDoc> = self
            .existing
            .clients
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        let mut preview_counts = (Counts::default(), Counts::default());
        let (mut created, mut updated) = (Vec::new(), Vec::new());
        let mut counted_clients = BTreeSet::new();
        for (r, client) in &referrals {
            if bad.contains(&r.id) {
                continue;
            }
            match existing_referrals.get(r.id.as_str()) {
                None => {
                    preview_counts.0.create += 1;
                    created.push(r.id.clone());
                }
                Some(old) if normalised(old) == normalised(r) => preview_counts.0.unchanged += 1,
                Some(_) => {
                    preview_counts.0.update += 1;
                    updated.push(r.id.clone());
                }
            }
            if let Some(c) = client
                .as_ref()
                .filter(|c| counted_clients.insert(c.id.clone()))
            {
                match existing_clients.get(c.id.as_str()) {
                    None => preview_counts.1.create += 1,
                    Some(old) if *old == c => preview_counts.1.unchanged += 1,
                    Some(_) => preview_counts.1.update += 1,
                }
            }
        }
        let mut skipped: Vec<Skipped> = bad
            .iter()
            .filter_map(|id| {
                let d = drafts.get(id)?;
                let mut rows: Vec<(String, u32)> = d
                    .rows
                    .iter()
                    .chain(d.children.values().flatten())
                    .map(|&r| (self.sheet_of(r), self.rows[r].number))
                    .collect();
                rows.sort();
                Some(Skipped {
                    referral: Some(id.clone()),
                    rows,
                })
            })
            .collect();
        for &r in &lone_rows {
            skipped.push(Skipped {
                referral: None,
                rows: vec![(self.sheet_of(r), self.rows[r].number)],
            });
        }
        Preview {
            sheets: summaries,
            problems: self.problems,
            referrals: preview_counts.0,
            clients: preview_counts.1,
            created,
            updated,
            skipped,
            out_of_scope: self.out_of_scope.into_iter().collect(),
            bundle: BundleDoc {
                referrals: bundle
                    .referrals
                    .into_iter()
                    .filter(|r| {
                        existing_referrals
                            .get(r.id.as_str())
                            .is_none_or(|old| normalised(old) != normalised(r))
                    })
                    .collect(),
                clients: bundle
                    .clients
                    .into_iter()
                    .filter(|c| existing_clients.get(c.id.as_str()) != Some(&c))
                    .collect(),
                ..bundle
            },
        }
    }

    /// The referral (and its client) from its rows; `None` when it has no
    /// caseload row and none of its lists are in the file.
    fn build(
        &mut self,
        id: &str,
        draft: &Draft,
        base: Option<&ReferralDoc>,
        present: &BTreeSet<Table>,
    ) -> Option<(ReferralDoc, Option<ClientDoc>)> {
        let mut doc = match base {
            Some(b) => b.clone(),
            None => ReferralDoc::new(id.to_string(), String::new(), String::new(), String::new()),
        };
        let mut client = None;
        let t = Table::Caseload;
        if !draft.rows.is_empty() {
            // The referral's columns: the first row that has a value gives it;
            // a later row that says otherwise is a problem.
            let mut value: BTreeMap<&str, (Value, usize)> = BTreeMap::new();
            for &r in &draft.rows {
                for field in REFERRAL_FIELDS {
                    let Some(v) = self.rows[r].get(t, field).cloned() else {
                        continue;
                    };
                    match value.get(field) {
                        None => {
                            value.insert(field, (v, r));
                        }
                        Some((seen, at)) if *seen != v => {
                            let message = format!(
                                "says {} but row {} of referral {id} says {}",
                                v.text(),
                                self.rows[*at].number,
                                seen.text()
                            );
                            self.row_problem(r, Some(field), id, message);
                        }
                        Some(_) => {}
                    }
                }
            }
            let columns: BTreeSet<&'static str> = draft
                .rows
                .iter()
                .flat_map(|&r| {
                    let l = &self.layouts[self.rows[r].layout];
                    t.fields().iter().map(|f| f.name).filter(|f| l.has(f))
                })
                .collect();
            let has = |field: &str| columns.contains(field);
            let get = |field: &str| value.get(field).map(|(v, _)| v.text());
            doc.client = get("client").unwrap_or_default();
            doc.received = get("received").unwrap_or_default();
            doc.status_at_referral = get("status_at_referral").unwrap_or_default();
            if has("es") {
                doc.es = get("es");
            }
            if has("access") {
                doc.access = get("access");
            }
            if has("vocational_plan_start") {
                doc.vocational_plan = get("vocational_plan_start").map(|start| SpellDoc {
                    start,
                    end: get("vocational_plan_end"),
                });
                if doc.vocational_plan.is_none() && get("vocational_plan_end").is_some() {
                    let r = value["vocational_plan_end"].1;
                    self.row_problem(
                        r,
                        Some("vocational_plan_end"),
                        id,
                        "a vocational plan end date needs a start date".into(),
                    );
                }
            }
            if has("discharge") {
                let reason = if has("discharge_reason") {
                    get("discharge_reason")
                } else {
                    doc.discharge.as_ref().and_then(|d| d.reason.clone())
                };
                doc.discharge = get("discharge").map(|date| DischargeDoc { date, reason });
            }
            if has("nhs_number") || base.is_none() {
                let nhs = if has("nhs_number") {
                    get("nhs_number")
                } else {
                    self.stored_clients
                        .get(doc.client.as_str())
                        .and_then(|c| c.nhs_number.clone())
                };
                client = Some(ClientDoc {
                    id: doc.client.clone(),
                    nhs_number: nhs,
                });
            }
            if has("job_start") {
                doc.jobs = Some(self.jobs(id, draft));
            }
        } else if draft.children.is_empty() {
            return None;
        }
        for table in present {
            let rows = draft.children.get(table).cloned().unwrap_or_default();
            self.children(&mut doc, *table, &rows);
        }
        Some((doc, client))
    }

    fn jobs(&mut self, id: &str, draft: &Draft) -> Vec<JobDoc> {
        let t = Table::Caseload;
        let job_fields: Vec<&'static str> = t
            .fields()
            .iter()
            .map(|f| f.name)
            .filter(|n| !REFERRAL_FIELDS.contains(n))
            .collect();
        let mut jobs: Vec<JobDoc> = Vec::new();
        for &r in &draft.rows {
            let row = &self.rows[r];
            if job_fields.iter().all(|f| row.get(t, f).is_none()) {
                continue;
            }
            let layout = &self.layouts[row.layout];
            let text = |f: &str| row.text(t, f);
            let Some(start) = text("job_start") else {
                self.row_problem(
                    r,
                    Some("job_start"),
                    id,
                    "the row has a job but no job start date".into(),
                );
                continue;
            };
            let kind = match text("job_type") {
                Some(k) => k,
                None if !layout.has("job_type") => "employee".to_string(),
                None => {
                    self.row_problem(r, Some("job_type"), id, "the job has no job type".into());
                    continue;
                }
            };
            let job_id = text("job").unwrap_or_else(|| format!("j{}", jobs.len() + 1));
            // Weekly hours are given from week 1 on, with no blank week between.
            let weeks: Vec<Option<&Value>> =
                ["week1_hours", "week2_hours", "week3_hours", "week4_hours"]
                    .iter()
                    .map(|f| row.get(t, f))
                    .collect();
            let given = weeks.iter().take_while(|w| w.is_some()).count();
            if weeks.iter().filter(|w| w.is_some()).count() != given {
                self.row_problem(
                    r,
                    Some("week1_hours"),
                    id,
                    "weekly hours must be given from week 1 on, with no week left blank between"
                        .into(),
                );
                continue;
            }
            let weekly: Vec<Number> = weeks
                .iter()
                .flatten()
                .filter_map(|v| match v {
                    Value::Hours(h) => Some(hours_number(*h)),
                    _ => None,
                })
                .collect();
            if jobs.iter().any(|j| j.id == job_id) {
                self.row_problem(
                    r,
                    Some("job"),
                    id,
                    format!("job {job_id} appears twice in referral {id}"),
                );
                continue;
            }
            let hours = |f: &str| match row.get(t, f) {
                Some(Value::Hours(h)) => Some(hours_number(*h)),
                _ => None,
            };
            jobs.push(JobDoc {
                id: job_id,
                kind,
                employer: text("employer"),
                start,
                end: text("job_end"),
                hours_per_week: hours("hours_per_week"),
                weekly_hours: (!weekly.is_empty()).then_some(weekly),
                four_hours_confirmed: text("four_hours_confirmed"),
                self_employment_registration: text("self_employment_registration"),
                retained: Some(matches!(row.get(t, "retained"), Some(Value::Bool(true)))),
                return_to_work: text("return_to_work"),
            });
        }
        jobs
    }

    /// Replaces one of the referral's lists with the file's rows.
    fn children(&mut self, doc: &mut ReferralDoc, table: Table, rows: &[usize]) {
        let text = |r: usize, f: &str| self.rows[r].text(table, f);
        match table {
            Table::Caseload => {}
            Table::Contacts => {
                doc.contacts = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(ContactDoc {
                                date: text(r, "date")?,
                                kind: text(r, "kind")?,
                                mechanism: text(r, "mechanism"),
                            })
                        })
                        .collect(),
                );
            }
            Table::Holds => {
                doc.holds = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(SpellDoc {
                                start: text(r, "start")?,
                                end: text(r, "end"),
                            })
                        })
                        .collect(),
                );
            }
            Table::WaitingList => {
                doc.waiting_list = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(WaitingSpellDoc {
                                start: text(r, "start")?,
                                end: text(r, "end"),
                                expected_return: text(r, "expected_return"),
                            })
                        })
                        .collect(),
                );
            }
            Table::Engagement => {
                doc.engagement = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(EngagementDoc {
                                date: text(r, "date")?,
                                status: text(r, "status")?,
                            })
                        })
                        .collect(),
                );
            }
            Table::Decisions => {
                doc.decisions = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(DecisionDoc {
                                start: text(r, "start")?,
                                end: text(r, "end"),
                                status: text(r, "status")?,
                                reason: text(r, "reason"),
                            })
                        })
                        .collect(),
                );
            }
            Table::Transfers => {
                doc.transfers = Some(
                    rows.iter()
                        .filter_map(|&r| {
                            Some(TransferDoc {
                                date: text(r, "date")?,
                                es: text(r, "es")?,
                            })
                        })
                        .collect(),
                );
            }
        }
        // A row whose required cell could not be read has its own problem;
        // its referral is left out with it.
        for &r in rows {
            let row = &self.rows[r];
            let incomplete = table
                .fields()
                .iter()
                .filter(|f| f.required)
                .any(|f| row.get(table, f.name).is_none());
            let sheet = &self.sheets[self.layouts[row.layout].sheet].name;
            let unread = self
                .rows_with_problems
                .contains(&(sheet.clone(), row.number));
            if incomplete && !unread {
                let missing = table
                    .fields()
                    .iter()
                    .find(|f| f.required && row.get(table, f.name).is_none())
                    .map(|f| f.name)
                    .unwrap_or_default();
                self.row_problem(r, Some(missing), &doc.id, format!("no {missing}"));
            } else if incomplete {
                self.row_problem(r, None, &doc.id, "this row cannot be read".into());
            }
        }
    }

    /// The records to write, leaving out the referrals in `bad` (and clients
    /// only they would create).
    fn bundle(
        &self,
        referrals: &[(ReferralDoc, Option<ClientDoc>)],
        bad: &BTreeSet<String>,
    ) -> BundleDoc {
        let mut clients: BTreeMap<String, ClientDoc> = BTreeMap::new();
        let mut docs = Vec::new();
        for (r, c) in referrals {
            if bad.contains(&r.id) {
                continue;
            }
            if let Some(c) = c {
                clients.entry(c.id.clone()).or_insert_with(|| c.clone());
            }
            docs.push(r.clone());
        }
        BundleDoc {
            format: BUNDLE_FORMAT.to_string(),
            service: self.existing.service.clone(),
            policy: self.existing.policy.clone(),
            teams: Vec::new(),
            staff: Vec::new(),
            clients: clients.into_values().collect(),
            referrals: docs,
        }
    }
}

/// The stored records with the incoming ones put over them (same id replaced).
fn merge(existing: &BundleDoc, incoming: &BundleDoc) -> BundleDoc {
    let mut doc = existing.clone();
    let client_at: HashMap<String, usize> = doc
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for c in &incoming.clients {
        match client_at.get(&c.id) {
            Some(&i) => doc.clients[i] = c.clone(),
            None => doc.clients.push(c.clone()),
        }
    }
    let referral_at: HashMap<String, usize> = doc
        .referrals
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for r in &incoming.referrals {
        match referral_at.get(&r.id) {
            Some(&i) => doc.referrals[i] = r.clone(),
            None => doc.referrals.push(r.clone()),
        }
    }
    doc
}

/// A referral as the store keeps it: absent lists empty, `retained` false.
fn normalised(r: &ReferralDoc) -> ReferralDoc {
    let mut r = r.clone();
    r.fill_absent();
    r
}
