//! SUS-6 and SUS-7 *(rev. 3)*: the evidence behind a referral's sustainment
//! milestones, and the in-work checks due after discharge.
//!
//! A page that shows a referral's milestones takes [`milestone_evidence`]:
//! for each of 13, 26 and 52 weeks, whether it counted, on which day, and
//! why the run's worked days reach (or stop) where they do — worked to a
//! recorded end, to an in-work check, still in work while the referral is
//! open, or stopped at discharge.

use crate::jobs::{MILESTONE_WEEKS, WorkedTo, milestone_day, milestones, outcomes, runs};
use crate::model::Referral;
use crate::policy::{AfterDischarge, Policy};
use crate::time::Day;

/// How far ahead of a milestone "confirm still in work" is listed (SUS-7).
pub const CHECK_HORIZON_DAYS: i32 = 14;

/// One 13-, 26- or 52-week milestone of a referral and its evidence (SUS-6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MilestoneEvidence {
    /// 13, 26 or 52.
    pub weeks: i32,
    /// The start of the run judged: the run that reached it, else the
    /// referral's latest run.
    pub run_start: Day,
    /// The day the run reaches the milestone (start + 7N − 1).
    pub due: Day,
    /// The day the outcome was achieved (SUS-2), if it was.
    pub achieved: Option<Day>,
    /// The run's last worked day as known.
    pub last_worked: Day,
    /// Achieved: why the run counts as worked on the achieved day. Not
    /// achieved: why the run's worked days stop at `last_worked`.
    pub evidence: WorkedTo,
}

/// SUS-6: the milestones of `r` as known on `as_of` with their evidence, in
/// order of weeks; empty when the referral has no run of work.
pub fn milestone_evidence(r: &Referral, as_of: Day, policy: &Policy) -> Vec<MilestoneEvidence> {
    let found = outcomes(r, as_of, policy);
    let runs = runs(r, &found, as_of, policy);
    let achieved = milestones(&runs);
    let Some(latest) = runs.last() else {
        return Vec::new();
    };
    MILESTONE_WEEKS
        .iter()
        .map(|&weeks| match achieved.iter().find(|m| m.weeks == weeks) {
            Some(m) => {
                let run = runs
                    .iter()
                    .find(|run| run.start == m.run_start)
                    .expect("a milestone comes from a run");
                MilestoneEvidence {
                    weeks,
                    run_start: run.start,
                    due: milestone_day(run.start, weeks),
                    achieved: Some(m.achieved),
                    last_worked: run.last_worked,
                    evidence: run.evidence_on(m.achieved).unwrap_or(run.worked_to),
                }
            }
            None => MilestoneEvidence {
                weeks,
                run_start: latest.start,
                due: milestone_day(latest.start, weeks),
                achieved: None,
                last_worked: latest.last_worked,
                evidence: latest.worked_to,
            },
        })
        .collect()
}

/// SUS-7 *(rev. 3)*: the milestones (weeks, due day) of a discharged
/// referral whose run is still open-ended (a job with no end known after
/// discharge) that it has not reached on `day`, from 14 days before each is
/// due until an in-work check dated on or after it (the milestone is then
/// reached) or a job end is recorded. None under `not_counted` (checks
/// change nothing there) or while the referral is open (CASE-4 lists the
/// milestones of open referrals).
pub fn checks_due(r: &Referral, day: Day, policy: &Policy) -> Vec<(i32, Day)> {
    let discharged = r.discharge.as_ref().is_some_and(|d| d.date <= day);
    if !discharged || policy.sustainment_after_discharge == AfterDischarge::NotCounted {
        return Vec::new();
    }
    let found = outcomes(r, day, policy);
    let runs = runs(r, &found, day, policy);
    let achieved = milestones(&runs);
    let Some(run) = runs
        .iter()
        .rev()
        .find(|run| run.open_ended_after_discharge())
    else {
        return Vec::new();
    };
    MILESTONE_WEEKS
        .iter()
        .filter(|&&weeks| !achieved.iter().any(|m| m.weeks == weeks))
        .map(|&weeks| (weeks, milestone_day(run.start, weeks)))
        .filter(|(_, due)| due.since(day) <= CHECK_HORIZON_DAYS)
        .collect()
}
