//! The limits of every record's text and lists (BAD-1, revision 3), stated
//! once: every door (a form, the API, a spreadsheet, a bundle, the command
//! line) reaches them through the same validation, and pages take their
//! `maxlength` from here.
//!
//! Each free-text field holds at most its number of characters (Unicode
//! scalar values), far below what one spreadsheet cell can hold
//! ([`EXCEL_CELL_CHARS`]), so that every stored record can be exported; each
//! list of a referral holds at most its count.

/// The most characters one cell of an Excel workbook holds.
pub const EXCEL_CELL_CHARS: usize = 32_767;

/// An id of any record (referral, client, staff, team, job, employer contact).
pub const ID_CHARS: usize = 64;
/// A person's given or family name.
pub const NAME_CHARS: usize = 100;
/// A staff member's name, a team's name.
pub const STAFF_NAME_CHARS: usize = 100;
/// The service's name.
pub const SERVICE_NAME_CHARS: usize = 200;
/// A phone number.
pub const PHONE_CHARS: usize = 20;
/// A note on a contact or an employer contact (line breaks allowed).
pub const NOTE_CHARS: usize = 1_000;
/// The reason of a discharge or of a team decision.
pub const REASON_CHARS: usize = 500;
/// ERR-1: why a referral was entered in error.
pub const ERROR_REASON_CHARS: usize = 500;
/// ERR-1: who marked a referral as entered in error (a user's name).
pub const RECORDED_BY_CHARS: usize = 100;
/// An employer's name (a job's, an employer contact's).
pub const EMPLOYER_CHARS: usize = 200;
/// What shows a self-employment is real (a UTR, a payslip seen).
pub const EVIDENCE_CHARS: usize = 100;
/// *(rev. 3)* One name or staff id of those who agreed a team decision (ENG-3).
pub const AGREED_BY_CHARS: usize = 100;
/// The kind of work a person wants, on their vocational plan (issue 26;
/// line breaks allowed).
pub const JOB_PREFERENCES_CHARS: usize = 500;

/// A fidelity reviewer's name (issue 26, FIDR-10).
pub const FIDELITY_REVIEWER_CHARS: usize = 100;
/// A fidelity reviewer's note on an item (FIDR-11; line breaks allowed).
pub const FIDELITY_NOTE_CHARS: usize = 2_000;
/// What an action of a fidelity action plan is, and who does it (FIDR-12).
pub const FIDELITY_ACTION_CHARS: usize = 500;

/// Every limited free-text field, by its name in a bundle, with its limit
/// (docs/rules.md lists them from here).
pub const TEXT_FIELDS: &[(&str, usize)] = &[
    ("service.name", SERVICE_NAME_CHARS),
    ("teams[].name", STAFF_NAME_CHARS),
    ("staff[].name", STAFF_NAME_CHARS),
    ("clients[].given_name", NAME_CHARS),
    ("clients[].family_name", NAME_CHARS),
    ("clients[].phone", PHONE_CHARS),
    ("referrals[].contacts[].note", NOTE_CHARS),
    ("referrals[].decisions[].reason", REASON_CHARS),
    ("referrals[].decisions[].agreed_by[]", AGREED_BY_CHARS),
    ("referrals[].in_work_checks[].note", NOTE_CHARS),
    ("referrals[].discharge.reason", REASON_CHARS),
    (
        "referrals[].vocational_plan.job_preferences",
        JOB_PREFERENCES_CHARS,
    ),
    ("referrals[].entered_in_error.reason", ERROR_REASON_CHARS),
    (
        "referrals[].entered_in_error.recorded_by",
        RECORDED_BY_CHARS,
    ),
    ("referrals[].jobs[].employer", EMPLOYER_CHARS),
    (
        "referrals[].jobs[].self_employment_evidence",
        EVIDENCE_CHARS,
    ),
    ("employer_contacts[].employer", EMPLOYER_CHARS),
    ("employer_contacts[].note", NOTE_CHARS),
    ("every id", ID_CHARS),
];

/// Contacts on one referral (a contact a day for over thirteen years).
pub const CONTACTS: usize = 5_000;
/// Holds, waiting-list spells, engagement changes, team decisions and
/// transfers on one referral, each.
pub const SPELLS: usize = 200;
/// *(rev. 3)* In-work checks on one referral (SUS-6).
pub const IN_WORK_CHECKS: usize = SPELLS;
/// *(rev. 3)* Names of those who agreed one team decision (ENG-3).
pub const AGREED_BY: usize = 20;
/// Jobs on one referral.
pub const JOBS: usize = 100;
/// Review dates of one vocational plan.
pub const PLAN_REVIEWS: usize = 100;
/// Weekly hours of a job: the first month (JOB-2).
pub const WEEKLY_HOURS: usize = 4;

/// Every limited list of a referral, by its name in a bundle, with its count.
pub const LISTS: &[(&str, usize)] = &[
    ("contacts", CONTACTS),
    ("holds", SPELLS),
    ("waiting_list", SPELLS),
    ("engagement", SPELLS),
    ("decisions", SPELLS),
    ("transfers", SPELLS),
    ("in_work_checks", IN_WORK_CHECKS),
    ("decisions[].agreed_by", AGREED_BY),
    ("jobs", JOBS),
    ("vocational_plan.reviews", PLAN_REVIEWS),
    ("jobs[].weekly_hours", WEEKLY_HOURS),
];
