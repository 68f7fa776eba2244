//! The column mapping: which headings hold which field, and which words mean
//! which value. Read from TOML; the default fits IPS Grow style spreadsheets.

use std::collections::BTreeMap;

use ipstrack_core::bundle::{ETHNIC_CATEGORIES, GENDERS};
use serde::Deserialize;

pub use super::tables::Table;
pub(crate) use super::tables::{Field, Kind, VALUE_LISTS};

/// The default mapping, as a TOML text the user can copy and edit.
pub const DEFAULT_MAPPING: &str = include_str!("default-mapping.toml");

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
    in_work_checks: BTreeMap<String, Headings>,
    #[serde(default)]
    employer_contacts: BTreeMap<String, Headings>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, Headings>>,
}

/// A sheet is read as the first table whose required headings it has, so
/// the date and kind headings of the employer contacts must be none of the
/// contacts' (else a sheet of one could be read as the other).
fn distinct_employer_contacts(
    columns: &BTreeMap<(Table, &'static str), Vec<String>>,
) -> Result<(), MappingError> {
    let empty = Vec::new();
    let of = |t: Table, f: &'static str| columns.get(&(t, f)).unwrap_or(&empty);
    for field in ["date", "kind"] {
        let contacts = of(Table::Contacts, field);
        if let Some(both) = of(Table::EmployerContacts, field)
            .iter()
            .find(|h| contacts.contains(h))
        {
            return Err(MappingError(format!(
                "\"{both}\" is a heading of both [contacts] {field} and [employer_contacts] {field}: \
                 give each its own, so that their sheets can be told apart"
            )));
        }
    }
    Ok(())
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
            (Table::InWorkChecks, file.in_work_checks),
            (Table::EmployerContacts, file.employer_contacts),
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
            if table != Table::Caseload
                && table.of_referral()
                && !has("referral")
                && !(has("client") && has("received"))
            {
                return Err(MappingError(format!(
                    "[{}] must give `referral`, or `client` and `received`, to find each row's referral",
                    table.key()
                )));
            }
        }
        distinct_employer_contacts(&columns)?;
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
    use ipstrack_core::bundle::EMPLOYER_CONTACT_KINDS;

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
        let kinds: Vec<&str> = EMPLOYER_CONTACT_KINDS.iter().map(|(k, _)| *k).collect();
        assert_eq!(codes("employer_contact_kind"), kinds);
    }

    #[test]
    fn employer_contacts_need_no_referral_and_headings_of_their_own() {
        const CASELOAD: &str = "[caseload]\nclient='C'\nreceived='R'\nstatus_at_referral='S'\n";
        let m = Mapping::default();
        assert_eq!(
            m.value("employer_contact_kind", "Face-to-face"),
            Some("visit")
        );
        assert_eq!(m.value("employer_contact_kind", "Phone"), Some("call"));
        assert_eq!(m.label("employer_contact_kind", "email"), "Email");
        let own = format!(
            "{CASELOAD}[employer_contacts]\nes='Worker'\ndate='When'\nemployer='Firm'\nkind='How'\n"
        );
        assert!(
            Mapping::from_toml(&own)
                .unwrap()
                .reads(Table::EmployerContacts)
        );
        let err = Mapping::from_toml(&format!(
            "{own}[contacts]\nreferral='Ref'\ndate=['Seen on', 'When']\nkind='Type'\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(
                "\"when\" is a heading of both [contacts] date and [employer_contacts] date"
            ),
            "{err}"
        );
        let err = Mapping::from_toml(&format!("{CASELOAD}[employer_contacts]\ndate='D'\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[employer_contacts] must say which heading holds `es`"),
            "{err}"
        );
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
