//! What a person and their ES prepare before a job (issue 26, the fidelity
//! review's work incentives planning and disclosure items): the person's
//! choice about telling employers of their condition, and when it was
//! discussed.

use crate::time::Day;

/// The person's choice about disclosing their mental health condition to
/// employers (the fidelity scale's disclosure item).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisclosureChoice {
    /// To tell employers about their condition.
    Full,
    /// To tell employers some things (that they have a health condition, or
    /// what support helps) but not all.
    Partial,
    /// Not to tell employers.
    NoDisclosure,
}

/// A disclosure choice and the day it was discussed with the ES.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disclosure {
    pub choice: DisclosureChoice,
    /// The day the choice was discussed (not before the referral).
    pub on: Day,
}
