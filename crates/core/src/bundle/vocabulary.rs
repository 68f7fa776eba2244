//! The words a bundle accepts for each enumeration (roles, referral groups,
//! contact kinds and mechanisms, engagement, decisions, job types,
//! registrations) and the look-ups between a word and its value: the one list
//! a bundle, the store and a web form all check against.

use crate::model::*;

/// The roles' words (kept beside [`Role`] in the model).
pub use crate::model::ROLES;
pub const GROUPS: [(&str, Group); 2] = [
    ("unemployed", Group::Unemployed),
    ("employed", Group::Employed),
];
pub const CONTACT_KINDS: [(&str, ContactKind); 4] = [
    ("face_to_face", ContactKind::FaceToFace),
    ("remote", ContactKind::Remote),
    ("in_work_support", ContactKind::InWorkSupport),
    ("assertive_engagement", ContactKind::AssertiveEngagement),
];
pub const MECHANISMS: [(&str, Mechanism); 6] = [
    ("face_to_face", Mechanism::FaceToFace),
    ("telephone", Mechanism::Telephone),
    ("video", Mechanism::Video),
    ("email", Mechanism::Email),
    ("text_message", Mechanism::TextMessage),
    ("other", Mechanism::Other),
];
/// Where a contact was held (issue 26).
pub const CONTACT_LOCATIONS: [(&str, ContactLocation); 5] = [
    ("community", ContactLocation::Community),
    ("home", ContactLocation::Home),
    ("workplace", ContactLocation::Workplace),
    ("office", ContactLocation::Office),
    ("remote", ContactLocation::Remote),
];
pub const ENGAGEMENTS: [(&str, Engagement); 3] = [
    ("seeking_work", Engagement::SeekingWork),
    ("in_work_support", Engagement::InWorkSupport),
    ("not_seeking_work", Engagement::NotSeekingWork),
];
/// *(rev. 3)* Who confirmed a person is still in work (SUS-6).
pub const CHECK_SOURCES: [(&str, CheckSource); 4] = [
    ("payslip", CheckSource::Payslip),
    ("employer", CheckSource::Employer),
    ("client", CheckSource::Client),
    ("other", CheckSource::Other),
];
/// *(rev. 3)* The policy's `sustainment_after_discharge` (SUS-6).
pub const AFTER_DISCHARGE: [(&str, crate::policy::AfterDischarge); 2] = [
    ("evidenced", crate::policy::AfterDischarge::Evidenced),
    ("not_counted", crate::policy::AfterDischarge::NotCounted),
];
pub const DECISIONS: [(&str, bool); 2] = [("active", true), ("inactive", false)];
pub const JOB_TYPES: [(&str, JobType); 5] = [
    ("employee", JobType::Employee),
    ("zero_hours", JobType::ZeroHours),
    ("self_employed", JobType::SelfEmployed),
    ("apprenticeship", JobType::Apprenticeship),
    ("paid_placement", JobType::PaidPlacement),
];
pub const REGISTRATIONS: [(&str, Registration); 2] = [
    ("sole_trader", Registration::SoleTrader),
    ("company", Registration::Company),
];
/// Why a job ended (issue 26).
pub const JOB_END_REASONS: [(&str, JobEndReason); 6] = [
    ("resigned", JobEndReason::Resigned),
    ("dismissed", JobEndReason::Dismissed),
    ("laid_off", JobEndReason::LaidOff),
    ("temporary_ended", JobEndReason::TemporaryEnded),
    ("health", JobEndReason::Health),
    ("other", JobEndReason::Other),
];
/// A person's choice about disclosing their condition to employers (issue 26).
pub const DISCLOSURE_CHOICES: [(&str, DisclosureChoice); 3] = [
    ("full", DisclosureChoice::Full),
    ("partial", DisclosureChoice::Partial),
    ("none", DisclosureChoice::NoDisclosure),
];

pub const EMPLOYER_CONTACT_KINDS: [(&str, EmployerContactKind); 3] = [
    ("visit", EmployerContactKind::Visit),
    ("call", EmployerContactKind::Call),
    ("email", EmployerContactKind::Email),
];

/// Whether `text` is one of an enumeration's names (e.g. [`CONTACT_KINDS`]):
/// the one list a bundle, the store and a web form all check against.
pub fn accepts<T>(values: &[(&str, T)], text: &str) -> bool {
    values.iter().any(|(name, _)| *name == text)
}

/// The value an enumeration's name stands for, e.g. `value_of(&MECHANISMS, "video")`.
pub fn value_of<T: Copy>(values: &[(&str, T)], text: &str) -> Option<T> {
    values
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, v)| *v)
}

/// The word an enumeration's value is written as (every value has one).
pub(super) fn name_of<T: PartialEq + Copy>(values: &[(&'static str, T)], value: T) -> &'static str {
    values
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(n, _)| *n)
        .expect("every value has a name")
}
