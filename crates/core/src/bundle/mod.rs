//! The data bundle (`ipstrack-bundle/1`, formats.md): reading, BAD-1 validation,
//! BAD-2 warnings, and writing it back from the domain model.
//!
//! Reading happens in two steps. Serde reads the JSON into [`BundleDoc`], the
//! bundle exactly as written (unknown fields refused; dates, enumerations and
//! ids still text). [`validate`] then checks every record and either builds
//! the [`Dataset`](crate::model::Dataset) or returns *every* BAD-1 error it
//! found, each naming the record and the field. A bundle with any error is
//! refused whole.
//!
//! The parts, from the bottom up: `document` (the bundle as written),
//! `limits` and `vocabulary` (each text's limit, the words each enumeration
//! accepts), `text` (free text as every door reads it), `errors` (BAD-1
//! errors and the `Checker` of single fields that collects them); the checks
//! by record kind — `policy_check`, `person` (clients), `contact_check`,
//! `job_check`, `referral_check`, `employer_contacts` — and `change` (what a
//! change to a stored referral may not do); `warnings` (BAD-2), `loaded`
//! (the validated bundle), `writing` (a dataset back as a bundle),
//! `validation` (the whole bundle: service, teams, staff, then each record
//! kind), `reading` (JSON in, structural errors named) and `loss` (what
//! replacing a stored referral would remove). Each uses only those before it.

mod change;
mod contact_check;
mod document;
mod employer_contacts;
mod errors;
mod fidelity_review;
mod job_check;
pub mod limits;
mod loaded;
mod loss;
mod person;
mod policy_check;
mod reading;
mod referral_check;
mod text;
mod validation;
mod vocabulary;
mod warnings;
mod writing;

pub use change::check_referral_change;
pub use contact_check::check_contact;
pub use document::{
    BUNDLE_FORMAT, BundleDoc, ClientDoc, ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc,
    EmployerContactDoc, EngagementDoc, EnteredInErrorDoc, FidelityActionDoc, FidelityItemDoc,
    FidelityReviewDoc, InWorkCheckDoc, JobDoc, PlanDoc, PolicyDoc, ReferralDoc, ServiceDoc,
    SpellDoc, StaffDoc, TeamDoc, TransferDoc, WaitingSpellDoc,
};
pub use employer_contacts::check_employer_contact;
pub use errors::{BundleError, BundleErrors, MAX_WEEKLY_HOURS};
pub use fidelity_review::{
    MAX_ACTION_CHARS, MAX_ACTIONS, MAX_NOTE_CHARS as MAX_REVIEW_NOTE_CHARS, MAX_REVIEWER_CHARS,
    MAX_REVIEWERS, STAGES, check_fidelity_review, check_review, fidelity_review_document,
};
pub use loaded::Loaded;
pub use loss::{Removed, removed};
pub use person::{
    ETHNIC_CATEGORIES, GENDERS, MAX_NAME_CHARS, MAX_PHONE_CHARS, checked_client, client_as_stored,
    client_document, code_words, nhs_number_as_kept, postcode_is_valid,
};
pub use reading::{parse_document, read_bundle};
pub use text::{MAX_EMPLOYER_CHARS, MAX_NOTE_CHARS, TextProblem, TextRule, read_text};
pub use validation::{canonical, validate};
pub use vocabulary::{
    AFTER_DISCHARGE, CHECK_SOURCES, CONTACT_KINDS, CONTACT_LOCATIONS, DECISIONS,
    DISCLOSURE_CHOICES, EMPLOYER_CONTACT_KINDS, ENGAGEMENTS, GROUPS, JOB_END_REASONS, JOB_TYPES,
    MECHANISMS, REGISTRATIONS, ROLES, accepts, value_of,
};
pub use warnings::{Warning, referral_warnings, warnings};
pub use writing::{employer_contact_document, hours_number, referral_document, to_document};

/// A small valid bundle, for the tests of each part.
#[cfg(test)]
const MINIMAL: &str = r#"{"format": "ipstrack-bundle/1",
        "service": {"name": "S", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}],
        "staff": [{"id": "es1", "name": "A", "role": "es", "team": "t1", "start_date": "2020-01-01", "fte": 1}],
        "clients": [{"id": "c1"}],
        "referrals": [{"id": "r1", "client": "c1", "received": "2024-04-01", "status_at_referral": "unemployed",
                       "jobs": [{"id": "j1", "type": "employee", "start": "2024-05-01", "hours_per_week": 16}]}]}"#;
