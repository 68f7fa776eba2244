//! Every threshold rules.md marks *(policy)*, in one value with its defaults.
//!
//! A service may change these in its configuration (the bundle's `policy`
//! object); the engine never uses a constant where a policy value belongs.

/// A share or rate in ten-thousandths (4 decimal places, T-5): 0.40 is 4000.
pub type Basis = u32;

/// The thresholds of the rules engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// CASE-1.5: a two-way contact within this many days keeps a client active.
    pub contact_window_days: i32,
    /// CASE-1.5: extra days assertive engagement attempts keep a client active.
    pub assertive_engagement_extra_days: i32,
    /// CASE-1.4: a hold longer than this makes a client inactive.
    pub hold_limit_days: i32,
    /// JOB-3: hours of paid work (in hundredths) that make a job start an outcome.
    pub job_hours_threshold: u32,
    /// SUS-1: days out of work that end a run.
    pub sustainment_gap_days: i32,
    /// TGT-1: access target for year 1 of an ES.
    pub access_target_year1: u32,
    /// TGT-1: access target per financial year from year 2.
    pub access_target_year2: u32,
    /// TGT-1: months of training at the start of year 1 with no target.
    pub training_months: u32,
    /// RATE-1 / TGT-2: job outcome rate target.
    pub job_outcome_rate_target: Basis,
    /// RATE-2: 13-week sustainment rate target.
    pub sustainment_rate_target: Basis,
    /// FID-1: the largest caseload per FTE that scores 5.
    pub fidelity_caseload: u32,
    /// CASE-4: recommended active caseload band per ES (inclusive).
    pub caseload_band: (u32, u32),
    /// FID-2 / CASE-4: largest share of job-retention referrals in an open caseload.
    pub retention_share_max: Basis,
    /// *(rev. 3)* SUS-6: whether work after discharge counts as far as
    /// in-work checks show, or not at all.
    pub sustainment_after_discharge: AfterDischarge,
    /// *(rev. 3)* ENG-1: a two-way contact this many days old makes a
    /// fortnightly contact due.
    pub contact_due_days: i32,
    /// *(rev. 3)* ENG-2: a vocational plan started or last reviewed this
    /// many days ago is due a review.
    pub plan_review_days: i32,
    /// *(rev. 3)* ENG-4: the first employer contact for a client is due
    /// within this many days of access.
    pub rapid_search_days: i32,
}

/// *(rev. 3)* SUS-6: how sustainment after a referral's discharge is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AfterDischarge {
    /// Jobs with no end are worked up to the latest in-work check from the
    /// discharge date on (the default).
    #[default]
    Evidenced,
    /// Every job of a discharged referral is worked at most up to the day
    /// before discharge ("report only on active clients").
    NotCounted,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            contact_window_days: 28,
            assertive_engagement_extra_days: 28,
            hold_limit_days: 28,
            job_hours_threshold: 400,
            sustainment_gap_days: 42,
            access_target_year1: 35,
            access_target_year2: 40,
            training_months: 3,
            job_outcome_rate_target: 4000,
            sustainment_rate_target: 6500,
            fidelity_caseload: 20,
            caseload_band: (20, 25),
            retention_share_max: 1500,
            sustainment_after_discharge: AfterDischarge::Evidenced,
            contact_due_days: 14,
            plan_review_days: 91,
            rapid_search_days: 30,
        }
    }
}

/// Renders ten-thousandths as a decimal number (4000 → 0.4).
pub fn basis_to_f64(value: Basis) -> f64 {
    f64::from(value) / 10_000.0
}
