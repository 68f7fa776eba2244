//! The tables a spreadsheet can hold, the fields of each and how their cells
//! are read, and the value lists the mapping gives words for.

/// How a field's cells are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Date,
    /// Several dates in one cell (separated by `;`, `,` or new lines); a date
    /// cell is one date.
    Dates,
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
///
/// All but the caseload and the employer contacts are lists of a referral,
/// each row naming its referral; employer contacts are the ES's own (one row
/// per contact, named by its id or by its ES, date, employer and kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Caseload,
    Contacts,
    Holds,
    WaitingList,
    Engagement,
    Decisions,
    Transfers,
    /// *(rev. 3, SUS-6)* Dated confirmations that the person is still in work.
    InWorkChecks,
    EmployerContacts,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Caseload,
        Table::Contacts,
        Table::Holds,
        Table::WaitingList,
        Table::Engagement,
        Table::Decisions,
        Table::Transfers,
        Table::InWorkChecks,
        Table::EmployerContacts,
    ];

    /// Whether each row belongs to a referral (named by its Referral ID, or
    /// by client and referral date): every table but the employer contacts.
    pub(crate) fn of_referral(self) -> bool {
        self != Table::EmployerContacts
    }

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
            Table::InWorkChecks => "in_work_checks",
            Table::EmployerContacts => "employer_contacts",
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
            Table::InWorkChecks => "In-work checks",
            Table::EmployerContacts => "Employer contacts",
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
                const F: [Field; 42] = [
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
                    f("vocational_plan_reviews", Dates, false),
                    f("agreed_with_clinical_team", YesNo, false),
                    f("discharge", Date, false),
                    f("discharge_reason", Text, false),
                    f("job_preferences", Text, false),
                    f("better_off_calculation", Date, false),
                    f("disclosure", Value("disclosure"), false),
                    f("disclosure_date", Date, false),
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
                    f("pays_minimum_wage", YesNo, false),
                    f("open_to_anyone", YesNo, false),
                    f("job_end_reason", Value("job_end_reason"), false),
                ];
                &F
            }
            Table::Contacts => {
                const F: [Field; 8] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("date", Date, true),
                    f("kind", Value("contact_kind"), true),
                    f("mechanism", Value("mechanism"), false),
                    f("note", Text, false),
                    f("location", Value("contact_location"), false),
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
                const F: [Field; 8] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("start", Date, true),
                    f("end", Date, false),
                    f("status", Value("decision"), true),
                    f("reason", Text, false),
                    // *(rev. 3, ENG-3)* Names separated by ";".
                    f("agreed_by", Text, false),
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
            Table::InWorkChecks => {
                const F: [Field; 6] = [
                    KEYS[0],
                    KEYS[1],
                    KEYS[2],
                    f("date", Date, true),
                    f("source", Value("check_source"), true),
                    f("note", Text, false),
                ];
                &F
            }
            Table::EmployerContacts => {
                const F: [Field; 7] = [
                    f("id", Text, false),
                    f("es", Specialist, true),
                    f("date", Date, true),
                    f("employer", Text, true),
                    f("kind", Value("employer_contact_kind"), true),
                    f("note", Text, false),
                    f("client", Text, false),
                ];
                &F
            }
        }
    }
}

/// The value lists and the values each may take (the bundle's own words; for
/// gender and ethnic category, the NHS Data Dictionary codes the bundle holds).
pub(crate) const VALUE_LISTS: [(&str, &[&str]); 15] = [
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
    (
        "contact_location",
        &["community", "home", "workplace", "office", "remote"],
    ),
    (
        "job_end_reason",
        &[
            "resigned",
            "dismissed",
            "laid_off",
            "temporary_ended",
            "health",
            "other",
        ],
    ),
    ("disclosure", &["full", "partial", "none"]),
    ("check_source", &["payslip", "employer", "client", "other"]),
    ("employer_contact_kind", &["visit", "call", "email"]),
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
