//! The MHSDS-aligned extract: CSV tables shaped after the Mental Health
//! Services Data Set tables an IPS service contributes to, with ipstrack's
//! own count of MHS116 beside them for reconciliation.
//!
//! Tables and fields carry their MHSDS names (`MHS101Referral`,
//! `ReferralRequestReceivedDate`…); a few columns that MHSDS has no field for
//! but that make the files easier to check are named in [`IPSTRACK_COLUMNS`].
//! What is in a period's extract, and how each code is chosen, is written in
//! docs/decisions.md ("MHSDS-aligned extract"). The facts come from the rules
//! engine ([`ipstrack_core::mhsds`]); this module only codes them.

use std::collections::HashSet;

use ipstrack_core::attribution::assigned_on;
use ipstrack_core::bundle::{ETHNIC_CATEGORIES, GENDERS, postcode_is_valid};
use ipstrack_core::mhsds::{
    ContactSource, Employment, HoursBand, Mhs116, direct_contacts, employment_at_discharge,
    employment_at_referral, mhs116,
};
use ipstrack_core::model::{
    ContactKind, Dataset, Mechanism, Referral, StaffIdx, nhs_number_is_valid,
};
use ipstrack_core::report::ReportError;
use ipstrack_core::{Day, Period};

use crate::safe_text;

/// ServTeamTypeRefToMH / ServTeamTypeMH of an IPS team.
pub const IPS_TEAM_TYPE: &str = "D05";
/// SNOMED CT 1082621000000104 |Individual Placement and Support|.
pub const IPS_SNOMED: &str = "1082621000000104";
/// AttendOrDNACode 5: attended on time (or, if late, before being seen).
pub const ATTENDED: &str = "5";
/// NHSNumberStatus 02: number present but not traced (only its check digit is checked).
pub const NHS_NUMBER_PRESENT: &str = "02";
/// NHSNumberStatus 03: trace required (no number, or one failing its check digit).
pub const NHS_NUMBER_TRACE_REQUIRED: &str = "03";

/// The columns of MHS001MPI: the person's identifiers, then the person
/// fields of the MHSDS Master Patient Index that ipstrack records —
/// PersonBirthDate (Person Birth Date, `YYYY-MM-DD`), Postcode (Postcode of
/// Usual Address), Gender (Person Stated Gender Code: 1, 2, 9, X) and
/// EthnicCategory (Ethnic Category: A to S, Z, 99). A field ipstrack does not
/// hold is left blank, and so is a postcode that is not a UK postcode or a
/// code outside its list (should a dataset hold one).
///
/// The MPI table carries no names and no telephone numbers (MHSDS identifies
/// a person by NHS number and local patient id), so a client's given and
/// family name and phone number are never written. GenderIDCode (Gender
/// Identity Code, MHSDS v5 on: 1–4, X, Z) is a different code list from the
/// stated gender ipstrack records, and is not filled from it.
pub const MPI_COLUMNS: [&str; 7] = [
    "LocalPatientId",
    "NHSNumber",
    "NHSNumberStatus",
    "PersonBirthDate",
    "Postcode",
    "Gender",
    "EthnicCategory",
];

/// A code of `codes` as written, or blank when it is not one of them.
fn known_code(code: Option<&str>, codes: &[(&str, &str)]) -> String {
    code.filter(|c| codes.iter().any(|(k, _)| k == c))
        .map(safe_text)
        .unwrap_or_default()
}

/// Columns that are ipstrack's own, not MHSDS fields: (table, column).
pub const IPSTRACK_COLUMNS: [(&str, &str); 3] = [
    ("MHS004EmpStatus", "ServiceRequestId"),
    ("MHS004EmpStatus", "RecordedAt"),
    ("MHS902ServiceTeamDetails", "TeamName"),
];

/// One table of the extract, written as `NAME.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }

    /// The table as CSV with its header row.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        crate::csv_text(self.header, &self.rows)
    }

    /// The values of one column, by its header (panics on a column the
    /// table does not have: the headers are fixed, see [`TABLE_NAMES`]).
    pub fn column(&self, name: &str) -> Vec<&str> {
        let at = self
            .header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{} has no column {name}", self.name));
        self.rows.iter().map(|r| r[at].as_str()).collect()
    }
}

/// Why a client's NHS number was left out of MHS001MPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NhsNumberProblem {
    Missing,
    FailsCheckDigit,
}

impl NhsNumberProblem {
    pub fn message(self) -> &'static str {
        match self {
            NhsNumberProblem::Missing => "no NHS number recorded",
            NhsNumberProblem::FailsCheckDigit => {
                "NHS number is not 10 digits with a valid check digit (left blank)"
            }
        }
    }
}

/// A period's extract: its tables, in the order they are written.
#[derive(Clone, Debug)]
pub struct Extract {
    pub period: Period,
    pub as_of: Day,
    pub tables: Vec<Table>,
    pub mhs116: Mhs116,
    /// Clients (by id only) whose NHS number could not be sent.
    pub nhs_number_problems: Vec<(String, NhsNumberProblem)>,
}

impl Extract {
    pub fn table(&self, name: &str) -> &Table {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }
}

/// The names of every file the extract writes.
pub const TABLE_NAMES: [&str; 9] = [
    "MHS001MPI",
    "MHS004EmpStatus",
    "MHS101Referral",
    "MHS102ServiceTypeReferredTo",
    "MHS201CareContact",
    "MHS202CareActivity",
    "MHS902ServiceTeamDetails",
    "MHS116Reconciliation",
    "MHS116Referrals",
];

/// ConsMechanismMH of a direct contact: the recorded mechanism, else what the
/// kind says (face to face), else 98 (other / not recorded).
pub fn mechanism_code(kind: Option<ContactKind>, mechanism: Option<Mechanism>) -> &'static str {
    match (mechanism, kind) {
        (Some(Mechanism::FaceToFace), _) | (None, Some(ContactKind::FaceToFace)) => "01",
        (Some(Mechanism::Telephone), _) => "02",
        (Some(Mechanism::Email), _) => "05",
        (Some(Mechanism::TextMessage), _) => "09",
        (Some(Mechanism::Video), _) => "11",
        (Some(Mechanism::Other), _) | (None, _) => "98",
    }
}

/// EmployStatus: 01 employed, 02 unemployed and seeking work, 06 not working
/// and not seeking work (ipstrack knows no more of the reason).
pub fn employ_status_code(e: Employment) -> &'static str {
    match e {
        Employment::Employed(_) => "01",
        Employment::SeekingWork => "02",
        Employment::NotSeekingWork => "06",
    }
}

/// WeekHoursWorked: 01 30+, 02 16–29, 03 5–15, 04 1–4 hours; 99 not known
/// (employed, hours unknown or 0); 98 not applicable (not employed).
pub fn week_hours_code(e: Employment) -> &'static str {
    match e {
        Employment::Employed(Some(HoursBand::From30)) => "01",
        Employment::Employed(Some(HoursBand::From16To29)) => "02",
        Employment::Employed(Some(HoursBand::From5To15)) => "03",
        Employment::Employed(Some(HoursBand::From1To4)) => "04",
        Employment::Employed(None) => "99",
        Employment::SeekingWork | Employment::NotSeekingWork => "98",
    }
}

/// The referral's discharge if it happened by `last` (the extract's last day).
fn discharged_by(r: &Referral, last: Day) -> Option<Day> {
    r.discharge.as_ref().map(|d| d.date).filter(|d| *d <= last)
}

/// In the extract: received by its last day and open on a day of the period
/// or discharged in it (the discharge date is the first closed day).
fn in_extract(r: &Referral, period: &Period, last: Day) -> bool {
    r.received <= last && discharged_by(r, last).is_none_or(|d| d >= period.start)
}

fn yyyymmdd(day: Day) -> String {
    day.to_string().replace('-', "")
}

/// Makes a period's extract as known on `as_of` (T-3: nothing dated after it).
pub fn mhsds_extract(data: &Dataset, period: &Period, as_of: Day) -> Result<Extract, ReportError> {
    if as_of < period.start {
        return Err(ReportError::AsOfBeforePeriod {
            as_of,
            start: period.start,
        });
    }
    let last = period.end.min(as_of);
    let in_period = |d: Day| period.start <= d && d <= last;
    let team_of = |es: Option<StaffIdx>| {
        es.map(|s| {
            let team = data.staff_member(s).team;
            safe_text(&data.team(team).id)
        })
        .unwrap_or_default()
    };
    let client_id = |r: &Referral| safe_text(&data.client(r.client).id);
    let referrals: Vec<&Referral> = data
        .referrals
        .iter()
        .map(|r| &**r)
        .filter(|r| in_extract(r, period, last))
        .collect();

    // MHS001MPI: each client with a referral in the extract, once (see
    // MPI_COLUMNS for which of the client's fields are written).
    let mut mpi = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for r in &referrals {
        if !seen.insert(r.client) {
            continue;
        }
        let client = data.client(r.client);
        let (number, status) = match client.nhs_number.as_deref() {
            Some(n) if nhs_number_is_valid(n) => (n.to_string(), NHS_NUMBER_PRESENT),
            Some(_) => {
                problems.push((client.id.clone(), NhsNumberProblem::FailsCheckDigit));
                (String::new(), NHS_NUMBER_TRACE_REQUIRED)
            }
            None => {
                problems.push((client.id.clone(), NhsNumberProblem::Missing));
                (String::new(), NHS_NUMBER_TRACE_REQUIRED)
            }
        };
        mpi.push(vec![
            safe_text(&client.id),
            number,
            status.to_string(),
            client
                .date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_default(),
            client
                .postcode
                .as_deref()
                .filter(|p| postcode_is_valid(p))
                .map(|p| safe_text(&p.to_ascii_uppercase()))
                .unwrap_or_default(),
            known_code(client.gender.as_deref(), &GENDERS),
            known_code(client.ethnic_category.as_deref(), &ETHNIC_CATEGORIES),
        ]);
    }

    let mut emp = Vec::new();
    let mut referral_rows = Vec::new();
    let mut service_type = Vec::new();
    let mut contacts = Vec::new();
    let mut activities = Vec::new();
    for r in &referrals {
        let id = safe_text(&r.id);
        let discharge = discharged_by(r, last);
        // MHS004EmpStatus: at referral and at discharge, when in the period.
        if in_period(r.received) {
            let e = employment_at_referral(r, as_of);
            emp.push(vec![
                client_id(r),
                employ_status_code(e).into(),
                r.received.to_string(),
                week_hours_code(e).into(),
                id.clone(),
                "referral".into(),
            ]);
        }
        if let Some((day, e)) = employment_at_discharge(r, last)
            && in_period(day)
        {
            emp.push(vec![
                client_id(r),
                employ_status_code(e).into(),
                day.to_string(),
                week_hours_code(e).into(),
                id.clone(),
                "discharge".into(),
            ]);
        }
        referral_rows.push(vec![
            id.clone(),
            client_id(r),
            r.received.to_string(),
            discharge.map(|d| d.to_string()).unwrap_or_default(),
        ]);
        // The team holding the referral on its last open day in the period.
        let last_open = discharge.map_or(last, |d| d.plus(-1).min(last));
        let last_open = last_open.max(r.received);
        service_type.push(vec![
            id.clone(),
            team_of(assigned_on(r, last_open, as_of)),
            IPS_TEAM_TYPE.into(),
        ]);
        // MHS201CareContact and MHS202CareActivity: direct contacts in the period.
        let direct = direct_contacts(r, last);
        let mut same_day = 0;
        let mut previous = None;
        for c in direct.iter().filter(|c| in_period(c.date)) {
            if previous != Some(c.date) {
                same_day = 0;
                previous = Some(c.date);
            }
            let (suffix, code) = match c.source {
                ContactSource::Access => ("A".to_string(), mechanism_code(None, None)),
                ContactSource::Contact(i) => {
                    same_day += 1;
                    let k = &r.contacts[i];
                    (
                        same_day.to_string(),
                        mechanism_code(Some(k.kind), k.mechanism),
                    )
                }
            };
            let contact_id = format!("{id}-{}-{suffix}", yyyymmdd(c.date));
            contacts.push(vec![
                contact_id.clone(),
                id.clone(),
                client_id(r),
                team_of(assigned_on(r, c.date, as_of)),
                c.date.to_string(),
                ATTENDED.into(),
                code.into(),
            ]);
            activities.push(vec![
                format!("{contact_id}-1"),
                contact_id,
                IPS_SNOMED.into(),
            ]);
        }
    }

    let teams: Vec<Vec<String>> = data
        .teams
        .iter()
        .map(|t| vec![safe_text(&t.id), IPS_TEAM_TYPE.into(), safe_text(&t.name)])
        .collect();

    let m = mhs116(data, period.end, as_of);
    let reconciliation = vec![vec![
        "MHS116".to_string(),
        m.window.start.to_string(),
        m.window.end.to_string(),
        as_of.to_string(),
        m.referrals.to_string(),
        m.people.to_string(),
    ]];
    let counted: Vec<Vec<String>> = m
        .counted
        .iter()
        .map(|(i, first)| {
            let r = &data.referrals[*i];
            vec![safe_text(&r.id), client_id(r), first.to_string()]
        })
        .collect();

    let tables = vec![
        Table {
            name: "MHS001MPI",
            header: &MPI_COLUMNS,
            rows: mpi,
        },
        Table {
            name: "MHS004EmpStatus",
            header: &[
                "LocalPatientId",
                "EmployStatus",
                "EmployStatusRecDate",
                "WeekHoursWorked",
                "ServiceRequestId",
                "RecordedAt",
            ],
            rows: emp,
        },
        Table {
            name: "MHS101Referral",
            header: &[
                "ServiceRequestId",
                "LocalPatientId",
                "ReferralRequestReceivedDate",
                "ServDischDate",
            ],
            rows: referral_rows,
        },
        Table {
            name: "MHS102ServiceTypeReferredTo",
            header: &[
                "ServiceRequestId",
                "CareProfTeamLocalId",
                "ServTeamTypeRefToMH",
            ],
            rows: service_type,
        },
        Table {
            name: "MHS201CareContact",
            header: &[
                "CareContactId",
                "ServiceRequestId",
                "LocalPatientId",
                "CareProfTeamLocalId",
                "CareContDate",
                "AttendOrDNACode",
                "ConsMechanismMH",
            ],
            rows: contacts,
        },
        Table {
            name: "MHS202CareActivity",
            header: &["CareActId", "CareContactId", "CodeProcAndProcStatus"],
            rows: activities,
        },
        Table {
            name: "MHS902ServiceTeamDetails",
            header: &["CareProfTeamLocalId", "ServTeamTypeMH", "TeamName"],
            rows: teams,
        },
        Table {
            name: "MHS116Reconciliation",
            header: &[
                "Measure",
                "WindowStart",
                "WindowEnd",
                "AsOf",
                "Referrals",
                "People",
            ],
            rows: reconciliation,
        },
        Table {
            name: "MHS116Referrals",
            header: &[
                "ServiceRequestId",
                "LocalPatientId",
                "FirstDirectContactDate",
            ],
            rows: counted,
        },
    ];
    debug_assert!(tables.iter().map(|t| t.name).eq(TABLE_NAMES));
    Ok(Extract {
        period: period.clone(),
        as_of,
        tables,
        mhs116: m,
        nhs_number_problems: problems,
    })
}
