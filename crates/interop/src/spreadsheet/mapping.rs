//! The column mapping: which headings hold which field, and which words mean
//! which value. Read from TOML; the default fits IPS Grow style spreadsheets.

use std::collections::BTreeMap;

use ipstrack_core::bundle::{ETHNIC_CATEGORIES, GENDERS};
use serde::Deserialize;

/// The default mapping, as a TOML text the user can copy and edit.
pub const DEFAULT_MAPPING: &str = include_str!("default-mapping.toml");

/// How a field's cells are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Date,
    Hours,
    /// A yes/no cell (`[values.yes_no]`).
    YesNo,
    /// One of a list of values (`[values.<list>]`).
    Value(&'static str),
    /// An employment specialist, by id or name.
    Specialist,
}

/// A field of a table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// The sheet must have this column to be read as the table.
    pub required: bool,
}

const fn f(name: &'static str, kind: Kind, required: bool) -> Field {
    Field {
        name,
        kind,
        required,
    }
}

/// The tables a spreadsheet can hold, in the order sheets are matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Caseload,
    Contacts,
    Holds,
    WaitingList,
    Engagement,
    Decisions,
    Transfers,
}

impl Table {
    pub const ALL: [Table; 7] = [
        Table::Caseload,
        Table::Contacts,
        Table::Holds,
        Table::WaitingList,
        Table::Engagement,
        Table::Decisions,
        Table::Transfers,
    ];

    /// The table's name in the mapping file.
    pub fn key(self) -> &'static str {
        match self {
            Table::Caseload => "caseload",
            Table::Contacts => "contacts",
            Table::Holds => "holds",
            Table::WaitingList => "waiting_list",
            Table::Engagement => "engagement",
            Table::Decisions => "decisions",
            Table::Transfers => "transfers",
        }
    }

    /// The table's name for people (and the sheet name on export).
    pub fn label(self) -> &'static str {
        match self {
            Table::Caseload => "Caseload",
            Table::Contacts => "Contacts",
            Table::Holds => "Holds",
            Table::WaitingList => "Waiting list",
            Table::Engagement => "Engagement",
            Table::Decisions => "Team decisions",
            Table::Transfers => "Transfers",
        }
    }

    pub(crate) fn fields(self) -> &'static [Field] {
        use Kind::*;
        const KEYS: [Field; 3] = [
            f("referral", Text, false),
            f("client", Text, false),
            f("received", Date, false),
        ];
        match self {
            Table::Caseload => {
                const F: [Field; 33] = [
                    f("referral", Text, false),
                    f("client", Text, true),
                    f("nhs_number", Text, false),
                    f("given_name", Text, false),
                    f("family_name", Text, false),
                    f("date_of_birth", Date, false),
                    f("phone", Text, false),
                    f("postcode", Text, false),
                    f("gender", Value("gender"), false),
                    f("ethnic_category", Value("ethnic_category"), false),
                    f("received", Date, true),
                    f("status_at_referral", Value("status_at_referral"), true),
                    f("es", Specialist, false),
                    f("access", Date, false),
                    f("vocational_plan_start", Date, false),
                    f("vocational_plan_end", Date, false),
                    f("discharge", Date, false),
                    f("discharge_reason", Text, false),
                    f("job", Text, false),
                    f("job_type", Value("job_type"), false),
                    f("employer", Text, false),
                    f("job_start", Date, false),
                    f("job_end", Date, false),
                    f("hours_per_week", Hours, false),
                    f("week1_hours", Hours, false),
                    f("week2_hours", Hours, false),
                    f("week3_hours", Hours, false),
                    f("week4_hours", Hours, false),
                    f("four_hours_confirmed", Date, false),
                    f("self_employment_registration", Value("registration"), false),
                    f("self_employment_evidence", Text, false),
                    f("retained", YesNo, false),
                    f("return_to_work", Date, false),
                ];
                &F
            }
            Table::Contacts => {
                const F: [Field; 7] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("date", Date, true),
                    f("kind", Value("contact_kind"), true),
                    f("mechanism", Value("mechanism"), false),
                    f("note", Text, false),
                ];
                &F
            }
            Table::Holds => {
                const F: [Field; 5] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("start", Date, true),
                    f("end", Date, false),
                ];
                &F
            }
            Table::WaitingList => {
                const F: [Field; 6] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("start", Date, true),
                    f("end", Date, false),
                    f("expected_return", Date, false),
                ];
                &F
            }
            Table::Engagement => {
                const F: [Field; 5] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("date", Date, true),
                    f("status", Value("engagement"), true),
                ];
                &F
            }
            Table::Decisions => {
                const F: [Field; 7] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("start", Date, true),
                    f("end", Date, false),
                    f("status", Value("decision"), true),
                    f("reason", Text, false),
                ];
                &F
            }
            Table::Transfers => {
                const F: [Field; 5] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("date", Date, true),
                    f("es", Specialist, true),
                ];
                &F
            }
        }
    }
}

/// The value lists and the values each may take (the bundle's own words; for
/// gender and ethnic category, the NHS Data Dictionary codes the bundle holds).
pub(crate) const VALUE_LISTS: [(&str, &[&str]); 10] = [
    ("status_at_referral", &["unemployed", "employed"]),
    (
        "job_type",
        &[
            "employee",
            "zero_hours",
            "self_employed",
            "apprenticeship",
            "paid_placement",
        ],
    ),
    (
        "contact_kind",
        &[
            "face_to_face",
            "remote",
            "in_work_support",
            "assertive_engagement",
        ],
    ),
    (
        "engagement",
        &["seeking_work", "in_work_support", "not_seeking_work"],
    ),
    ("decision", &["active", "inactive"]),
    (
        "mechanism",
        &[
            "face_to_face",
            "telephone",
            "video",
            "email",
            "text_message",
            "other",
        ],
    ),
    ("registration", &["sole_trader", "company"]),
    ("yes_no", &["yes", "no"]),
    ("gender", &["1", "2", "9", "X"]),
    (
        "ethnic_category",
        &[
            "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z",
            "99",
        ],
    ),
];

/// The words core gives each code of a list (the NHS Data Dictionary's), always
/// understood and written on export unless the mapping gives its own.
fn dictionary_words(list: &str) -> &'static [(&'static str, &'static str)] {
    match list {
        "gender" => &GENDERS,
        "ethnic_category" => &ETHNIC_CATEGORIES,
        _ => &[],
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Headings {
    One(String),
    Many(Vec<String>),
}

impl Headings {
    fn into_vec(self) -> Vec<String> {
        match self {
            Headings::One(h) => vec![h],
            Headings::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    caseload: BTreeMap<String, Headings>,
    #[serde(default)]
    contacts: BTreeMap<String, Headings>,
    #[serde(default)]
    holds: BTreeMap<String, Headings>,
    #[serde(default)]
    waiting_list: BTreeMap<String, Headings>,
    #[serde(default)]
    engagement: BTreeMap<String, Headings>,
    #[serde(default)]
    decisions: BTreeMap<String, Headings>,
    #[serde(default)]
    transfers: BTreeMap<String, Headings>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, Headings>>,
}

/// A checked mapping.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// (table, field) → the normalised headings that may hold it.
    columns: BTreeMap<(Table, &'static str), Vec<String>>,
    /// (table, field) → the headings as written in the mapping.
    written: BTreeMap<(Table, &'static str), Vec<String>>,
    /// (list, normalised word) → the value.
    words: BTreeMap<(&'static str, String), &'static str>,
    /// (list, value) → the first word the mapping gives for it (for export).
    labels: BTreeMap<(&'static str, &'static str), String>,
}

/// A mapping file that cannot be used, with what is wrong in it.
#[derive(Debug, thiserror::Error)]
#[error("mapping: {0}")]
pub struct MappingError(pub String);

/// Headings and words as compared: lower case, every run of characters other
/// than letters and digits one space, no spaces at the ends.
pub(crate) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping::from_toml(DEFAULT_MAPPING).expect("the default mapping is valid")
    }
}

impl Mapping {
    /// Reads and checks a mapping file: every table and field name known,
    /// every required field given, every value word for a known value.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        let file: MappingFile = toml::from_str(text).map_err(|e| MappingError(e.to_string()))?;
        let mut columns = BTreeMap::new();
        let mut written = BTreeMap::new();
        for (table, given) in [
            (Table::Caseload, file.caseload),
            (Table::Contacts, file.contacts),
            (Table::Holds, file.holds),
            (Table::WaitingList, file.waiting_list),
            (Table::Engagement, file.engagement),
            (Table::Decisions, file.decisions),
            (Table::Transfers, file.transfers),
        ] {
            if given.is_empty() && table != Table::Caseload {
                continue; // this table is not read
            }
            let fields = table.fields();
            for (name, headings) in given {
                let Some(field) = fields.iter().find(|f| f.name == name) else {
                    let known: Vec<_> = fields.iter().map(|f| f.name).collect();
                    return Err(MappingError(format!(
                        "[{}] has no field `{name}` (its fields: {})",
                        table.key(),
                        known.join(", ")
                    )));
                };
                let given: Vec<String> = headings
                    .into_vec()
                    .into_iter()
                    .filter(|h| !normalise(h).is_empty())
                    .collect();
                let headings: Vec<String> = given.iter().map(|h| normalise(h)).collect();
                if headings.is_empty() {
                    return Err(MappingError(format!(
                        "[{}] {name}: give at least one heading",
                        table.key()
                    )));
                }
                columns.insert((table, field.name), headings);
                written.insert((table, field.name), given);
            }
            for field in fields.iter().filter(|f| f.required) {
                if !columns.contains_key(&(table, field.name)) {
                    return Err(MappingError(format!(
                        "[{}] must say which heading holds `{}`",
                        table.key(),
                        field.name
                    )));
                }
            }
            let has = |n| columns.contains_key(&(table, n));
            if table != Table::Caseload && !has("referral") && !(has("client") && has("received")) {
                return Err(MappingError(format!(
                    "[{}] must give `referral`, or `client` and `received`, to find each row's referral",
                    table.key()
                )));
            }
        }
        let mut words = BTreeMap::new();
        let mut labels = BTreeMap::new();
        for (list, values) in VALUE_LISTS {
            for value in values {
                words.insert((list, normalise(value)), *value);
            }
        }
        for (list, given) in file.values {
            let Some((list, values)) = VALUE_LISTS.iter().find(|(l, _)| *l == list) else {
                let known: Vec<_> = VALUE_LISTS.iter().map(|(l, _)| *l).collect();
                return Err(MappingError(format!(
                    "[values] has no list `{list}` (its lists: {})",
                    known.join(", ")
                )));
            };
            for (value, spellings) in given {
                let Some(value) = values.iter().find(|v| **v == value) else {
                    return Err(MappingError(format!(
                        "[values.{list}] has no value `{value}` (its values: {})",
                        values.join(", ")
                    )));
                };
                let spellings = spellings.into_vec();
                if let Some(first) = spellings.first() {
                    labels.insert((*list, *value), first.clone());
                }
                for word in spellings {
                    let word = normalise(&word);
                    if let Some(other) = words.insert((*list, word.clone()), *value)
                        && other != *value
                    {
                        return Err(MappingError(format!(
                            "[values.{list}] `{word}` is given for both `{other}` and `{value}`"
                        )));
                    }
                }
            }
        }
        // The NHS Data Dictionary's words for each code, unless the mapping
        // gives the same words another meaning.
        for (list, _) in VALUE_LISTS {
            for (code, said) in dictionary_words(list) {
                words.entry((list, normalise(said))).or_insert(*code);
                labels
                    .entry((list, *code))
                    .or_insert_with(|| (*said).to_string());
            }
        }
        Ok(Mapping {
            columns,
            written,
            words,
            labels,
        })
    }

    /// The headings that may hold a field; empty when the table is not read.
    pub(crate) fn headings(&self, table: Table, field: &str) -> &[String] {
        self.columns
            .iter()
            .find(|((t, f), _)| *t == table && *f == field)
            .map_or(&[], |(_, h)| h)
    }

    /// Whether the mapping reads this table at all.
    pub(crate) fn reads(&self, table: Table) -> bool {
        self.columns.keys().any(|(t, _)| *t == table)
    }

    /// The value a word stands for in a list.
    pub(crate) fn value(&self, list: &'static str, word: &str) -> Option<&'static str> {
        self.words.get(&(list, normalise(word))).copied()
    }

    /// The word written for a value on export: the mapping's first word for
    /// it, or the value's own name.
    pub(crate) fn label<'a>(&'a self, list: &'static str, value: &'a str) -> &'a str {
        self.labels
            .iter()
            .find(|((l, v), _)| *l == list && *v == value)
            .map_or(value, |(_, w)| w.as_str())
    }

    /// The first heading of a field as the mapping writes it (for export).
    pub(crate) fn first_heading(&self, table: Table, field: &str) -> Option<&str> {
        self.written
            .iter()
            .find(|((t, f), _)| *t == table && *f == field)
            .and_then(|(_, h)| h.first().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_mapping_reads_every_table() {
        let m = Mapping::default();
        for table in Table::ALL {
            assert!(m.reads(table), "{table:?}");
        }
        assert_eq!(
            m.value("contact_kind", " Face-to-Face "),
            Some("face_to_face")
        );
        assert_eq!(
            m.value("contact_kind", "face_to_face"),
            Some("face_to_face")
        );
        assert_eq!(m.value("yes_no", "Y"), Some("yes"));
        assert_eq!(m.value("status_at_referral", "retired"), None);
    }

    #[test]
    fn gender_and_ethnic_category_are_read_as_codes_or_words() {
        let m = Mapping::default();
        assert_eq!(m.value("gender", "Female"), Some("2"));
        assert_eq!(m.value("gender", "x"), Some("X"));
        assert_eq!(m.value("gender", "not known"), Some("X"));
        assert_eq!(m.value("ethnic_category", "White: British"), Some("A"));
        assert_eq!(m.value("ethnic_category", "White British"), Some("A"));
        assert_eq!(m.value("ethnic_category", "b"), Some("B"));
        assert_eq!(m.value("ethnic_category", "Not known"), Some("99"));
        assert_eq!(m.value("ethnic_category", "Martian"), None);
        assert_eq!(m.label("gender", "2"), "Female");
        assert_eq!(m.label("ethnic_category", "A"), "White: British");
        // A mapping without the lists still reads and writes the Data Dictionary's words.
        let own =
            Mapping::from_toml("[caseload]\nclient='C'\nreceived='R'\nstatus_at_referral='S'\n")
                .unwrap();
        assert_eq!(own.value("gender", "Male"), Some("1"));
        assert_eq!(own.label("ethnic_category", "99"), "Not known");
    }

    #[test]
    fn the_code_lists_are_cores() {
        let codes = |list: &str| {
            VALUE_LISTS
                .iter()
                .find(|(l, _)| *l == list)
                .map(|(_, v)| v.to_vec())
                .unwrap()
        };
        let core = |c: &[(&'static str, &str)]| c.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        assert_eq!(codes("gender"), core(&GENDERS));
        assert_eq!(codes("ethnic_category"), core(&ETHNIC_CATEGORIES));
    }

    #[test]
    fn mapping_mistakes_are_named() {
        let err = |t: &str| Mapping::from_toml(t).unwrap_err().to_string();
        assert!(
            err("[caseload]\nclient = 'C'\nreceived = 'R'\nstatus = 'S'\n")
                .contains("no field `status`")
        );
        assert!(err("[caseload]\nclient = 'C'\nreceived = 'R'\n").contains("`status_at_referral`"));
        assert!(
            err("[caseload]\nclient='C'\nreceived='R'\nstatus_at_referral='S'\n[contacts]\ndate='D'\nkind='K'\n")
                .contains("find each row's referral")
        );
        assert!(
            err("[caseload]\nclient='C'\nreceived='R'\nstatus_at_referral='S'\n[values.job_type]\nplumber=['x']\n")
                .contains("no value `plumber`")
        );
        assert!(
            err("[caseload]\nclient='C'\nreceived='R'\nstatus_at_referral='S'\n[values.yes_no]\nyes=['maybe']\nno=['maybe']\n")
                .contains("both")
        );
    }

    #[test]
    fn headings_are_compared_without_case_spaces_or_punctuation() {
        assert_eq!(normalise("  Referral-Date:  "), "referral date");
        assert_eq!(normalise("NHS  No."), "nhs no");
        assert_eq!(normalise("***"), "");
    }
}
