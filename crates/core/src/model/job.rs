//! A job of a referral (JOB-1..5), with what the fidelity review asks of it
//! (issue 26: a competitive job, why it ended).

use super::Hours;
use crate::time::Day;

/// JOB-1: kinds of paid work. Volunteering and unpaid placements are not jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobType {
    Employee,
    ZeroHours,
    SelfEmployed,
    Apprenticeship,
    PaidPlacement,
}

impl JobType {
    /// JOB-2: jobs whose hours come from the first month's weekly hours.
    pub fn has_variable_hours(self) -> bool {
        matches!(self, JobType::ZeroHours | JobType::SelfEmployed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registration {
    SoleTrader,
    Company,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub id: String,
    pub kind: JobType,
    pub employer: Option<String>,
    pub start: Day,
    /// Last day worked, if the job has ended.
    pub end: Option<Day>,
    pub hours_per_week: Option<Hours>,
    /// Hours worked in weeks 1–4 (JOB-2).
    pub weekly_hours: Vec<Hours>,
    pub four_hours_confirmed: Option<Day>,
    pub self_employment_registration: Option<Registration>,
    /// What shows the self-employment is real (a UTR, a payslip seen).
    pub self_employment_evidence: Option<Box<str>>,
    /// The job held at referral (employed referrals: job retention).
    pub retained: bool,
    pub return_to_work: Option<Day>,
    /// Pays at least the minimum wage (issue 26: the fidelity scale's
    /// competitive jobs); `None` when not recorded.
    pub pays_minimum_wage: Option<bool>,
    /// Open to anyone, not set aside for people with a disability (issue
    /// 26: competitive jobs); `None` when not recorded.
    pub open_to_anyone: Option<bool>,
    /// Why the job ended, when it has and it was recorded (issue 26).
    pub end_reason: Option<JobEndReason>,
}

impl Job {
    /// A competitive job (the IPS fidelity scale's item): paid at least the
    /// minimum wage and open to anyone. `None` while either is unrecorded
    /// and neither is known to fail.
    pub fn competitive(&self) -> Option<bool> {
        match (self.pays_minimum_wage, self.open_to_anyone) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        }
    }
}

/// Why a job ended (issue 26: the fidelity review's follow-along evidence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEndReason {
    /// The person chose to leave (for another job, or not).
    Resigned,
    /// The employer ended it for the person's conduct or performance.
    Dismissed,
    /// Redundancy, or the business closed.
    LaidOff,
    /// A fixed-term or temporary job came to its end.
    TemporaryEnded,
    /// The person left because of their health.
    Health,
    Other,
}
