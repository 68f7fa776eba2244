//! Job outcomes (JOB-1..5) and sustainment (SUS-1..5) of one referral.

use crate::model::{Group, Job, JobType, Referral};
use crate::policy::{AfterDischarge, Policy};
use crate::time::Day;
use smallvec::{SmallVec, smallvec};

/// Where a job stands on the 4 hours of paid work (JOB-3) as known on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FourHours {
    /// 4 hours completed on this day: the job start is a job outcome.
    Reached(Day),
    /// Started, awaiting 4 hours (a worklist item).
    Awaiting,
    /// Will not become an outcome: it ended first (or ended with no hours known).
    Never,
}

/// JOB-3: the day a job's 4 hours of paid work were completed, as known on `as_of`.
pub fn four_hours(job: &Job, as_of: Day, policy: &Policy) -> FourHours {
    if job.start > as_of {
        return FourHours::Awaiting;
    }
    // A confirmation dated after the as-of date is not known yet (T-3).
    if let Some(confirmed) = job.four_hours_confirmed.filter(|d| *d <= as_of) {
        return FourHours::Reached(confirmed);
    }
    let threshold = policy.job_hours_threshold;
    let ended = job.end.filter(|e| *e <= as_of);
    if !job.weekly_hours.is_empty() {
        let mut total = 0;
        for (k, hours) in job.weekly_hours.iter().enumerate() {
            // Week k (1-based) ends on start + 7k − 1 and exists once that day
            // is reached; the outcome day is the week's end, or the job's end
            // if that is earlier.
            let week_end = week_end(job, k);
            if week_end > as_of {
                return FourHours::Awaiting;
            }
            total += hours.0;
            if total >= threshold {
                return FourHours::Reached(ended.map_or(week_end, |e| e.min(week_end)));
            }
        }
        return if ended.is_some() {
            FourHours::Never
        } else {
            FourHours::Awaiting
        };
    }
    match job.hours_per_week {
        Some(h) if h.0 > 0 => {
            // h spread evenly over 7 days: ⌈7·threshold / h⌉ days of work.
            let days = (7 * threshold).div_ceil(h.0) as i32;
            let day = job.start.plus(days - 1);
            if ended.is_some_and(|e| e < day) {
                FourHours::Never
            } else if day > as_of {
                FourHours::Awaiting
            } else {
                FourHours::Reached(day)
            }
        }
        // No hours known: still running, it awaits a confirmation (CASE-4);
        // ended without one, it never becomes an outcome.
        _ if ended.is_none() => FourHours::Awaiting,
        _ => FourHours::Never,
    }
}

/// The last day of a job's week `k` (0 is the first week): start + 7(k+1) − 1.
pub fn week_end(job: &Job, k: usize) -> Day {
    job.start.plus(7 * (k as i32 + 1) - 1)
}

/// JOB-1: paid work that can count as a job start at all.
pub fn is_paid_work(job: &Job) -> bool {
    !(job.kind == JobType::SelfEmployed && job.self_employment_registration.is_none())
}

/// A job start that has become a job outcome (JOB-4), with its worked days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome<'a> {
    pub job: &'a Job,
    pub start: Day,
    /// The last day worked as known on the as-of date (the as-of date while it runs).
    pub last_worked: Day,
}

/// JOB-4: a referral's job outcomes as known on `as_of`, sorted by start and
/// then job id. Retained jobs are never job starts; jobs must start within the
/// episode (on or after received, not after discharge).
pub fn outcomes<'a>(r: &'a Referral, as_of: Day, policy: &Policy) -> Vec<Outcome<'a>> {
    let mut out = Vec::new();
    outcomes_into(r, as_of, policy, &mut out);
    out
}

/// [`outcomes`] into `out` (emptied first): room reused from one referral to
/// the next when a report derives a service's.
pub fn outcomes_into<'a>(r: &'a Referral, as_of: Day, policy: &Policy, out: &mut Vec<Outcome<'a>>) {
    out.clear();
    let discharge = r.discharge.as_ref().map(|d| d.date).filter(|d| *d <= as_of);
    out.extend(
        r.jobs
            .iter()
            .filter(|j| !j.retained && is_paid_work(j))
            .filter(|j| j.start >= r.received && discharge.is_none_or(|d| j.start <= d))
            .filter(|j| matches!(four_hours(j, as_of, policy), FourHours::Reached(_)))
            .map(|j| Outcome {
                job: j,
                start: j.start,
                last_worked: worked_until(j.end, as_of),
            }),
    );
    out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.job.id.cmp(&b.job.id)));
}

fn worked_until(end: Option<Day>, as_of: Day) -> Day {
    end.map_or(as_of, |e| e.min(as_of))
}

/// A stretch of work counted for sustainment (SUS-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub start: Day,
    pub last_worked: Day,
    /// Worked intervals (start, last day), sorted by start (most runs hold
    /// one or two: kept inline, no allocation).
    pub spells: SmallVec<[(Day, Day); 2]>,
    /// *(rev. 3, SUS-6)* Why each spell ends where it does, beside `spells`.
    pub evidence: SmallVec<[WorkedTo; 2]>,
    /// *(rev. 3, SUS-6)* Why the run's last worked day is what it is (the
    /// spell that ends last).
    pub worked_to: WorkedTo,
}

impl Run {
    /// Whole weeks from the run's start to its last worked day (SUS-2: breaks
    /// inside the run do not stop the clock).
    pub fn weeks_in_work(&self) -> i32 {
        (self.last_worked.since(self.start) + 1) / 7
    }

    /// SUS-6: whether a job of the run has no end known after discharge (the
    /// person may still be in work: SUS-7).
    pub fn open_ended_after_discharge(&self) -> bool {
        self.evidence
            .iter()
            .any(|w| matches!(w, WorkedTo::InWorkCheck(_) | WorkedTo::Discharge))
    }

    /// SUS-6: why the run counts as worked on `day` (the spell covering it
    /// that ends last), if it does.
    pub fn evidence_on(&self, day: Day) -> Option<WorkedTo> {
        self.spells
            .iter()
            .zip(&self.evidence)
            .filter(|((start, end), _)| *start <= day && day <= *end)
            .max_by_key(|((_, end), _)| *end)
            .map(|(_, why)| *why)
    }

    /// SUS-2: the first worked day of the run on or after `day`, if the run
    /// lasts that long.
    pub fn first_worked_on_or_after(&self, day: Day) -> Option<Day> {
        if self.last_worked < day {
            return None;
        }
        self.spells
            .iter()
            .filter(|(_, end)| *end >= day)
            .map(|(start, _)| (*start).max(day))
            .min()
    }
}

/// The sustainment milestones, in weeks (SUS-2).
pub const MILESTONE_WEEKS: [i32; 3] = [13, 26, 52];

/// The day a run started on `start` reaches `weeks` weeks: start + 7N − 1.
pub fn milestone_day(start: Day, weeks: i32) -> Day {
    start.plus(7 * weeks - 1)
}

/// SUS-1, SUS-4, SUS-6: the runs of work of a referral as known on `as_of`.
/// Each job's worked days are as far as [`worked_to`] knows them; a job with
/// no worked day (one starting on the discharge date with no later check)
/// is left out.
pub fn runs(r: &Referral, outcomes: &[Outcome], as_of: Day, policy: &Policy) -> Vec<Run> {
    let mut out = Vec::new();
    runs_into(r, outcomes, as_of, policy, &mut Vec::new(), &mut out);
    out
}

/// [`runs`] into `out` (emptied first), with `spells` as room for the
/// worked spells before they are joined into runs.
fn runs_into(
    r: &Referral,
    outcomes: &[Outcome],
    as_of: Day,
    policy: &Policy,
    spells: &mut Vec<(Day, Day, WorkedTo)>,
    runs: &mut Vec<Run>,
) {
    spells.clear();
    runs.clear();
    for o in outcomes {
        let (last, why) = worked_to(r, o.job, as_of, policy);
        if last >= o.start {
            spells.push((o.start, last, why));
        }
    }
    if r.status_at_referral == Group::Employed {
        // SUS-4: the retained job counts from its return-to-work date.
        for j in r.jobs.iter().filter(|j| j.retained) {
            if let Some(rtw) = j.return_to_work.filter(|d| *d <= as_of) {
                let (last, why) = worked_to(r, j, as_of, policy);
                if last >= rtw {
                    spells.push((rtw, last, why));
                }
            }
        }
    }
    spells.sort_by_key(|(start, last, _)| (*start, *last));
    for &(start, last, why) in spells.iter() {
        match runs.last_mut() {
            // Days not in work between the run's last worked day and this start.
            Some(run) if start.since(run.last_worked) - 1 < policy.sustainment_gap_days => {
                if last >= run.last_worked {
                    run.worked_to = why;
                }
                run.last_worked = run.last_worked.max(last);
                run.spells.push((start, last));
                run.evidence.push(why);
            }
            _ => runs.push(Run {
                start,
                last_worked: last,
                spells: smallvec![(start, last)],
                evidence: smallvec![why],
                worked_to: why,
            }),
        }
    }
}

/// SUS-6 *(rev. 3)*: why a job's worked days end where they do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkedTo {
    /// The referral is open and the job has no end known: worked up to the
    /// as-of date (the ES is in touch).
    StillInWork,
    /// Worked to its recorded end (on or before the as-of date).
    RecordedEnd,
    /// Discharged and no end known: worked up to the in-work check of this day.
    InWorkCheck(Day),
    /// Discharged: worked up to the day before discharge (no later in-work
    /// check, or the policy counts nothing after discharge).
    Discharge,
}

/// SUS-6 *(rev. 3)*: the last day `job` of `r` counts as worked for
/// sustainment, as known on `as_of`, and why. While the referral is open a
/// job with no end (or an end after `as_of`, not known yet) is worked up to
/// `as_of`. After its discharge X (on or before `as_of`) such a job is worked
/// up to the later of X − 1 and the latest in-work check dated from X to
/// `as_of`; a recorded end on or before `as_of` stands, after X too. Under
/// `not_counted` nothing is worked after X − 1. The day may fall before the
/// job's start (no worked day).
pub fn worked_to(r: &Referral, job: &Job, as_of: Day, policy: &Policy) -> (Day, WorkedTo) {
    let end = job.end.filter(|e| *e <= as_of);
    let Some(x) = r.discharge.as_ref().map(|d| d.date).filter(|d| *d <= as_of) else {
        return match end {
            Some(e) => (e, WorkedTo::RecordedEnd),
            None => (as_of, WorkedTo::StillInWork),
        };
    };
    let before = x.plus(-1);
    match (policy.sustainment_after_discharge, end) {
        (AfterDischarge::NotCounted, Some(e)) if e < x => (e, WorkedTo::RecordedEnd),
        (AfterDischarge::NotCounted, _) => (before, WorkedTo::Discharge),
        (AfterDischarge::Evidenced, Some(e)) => (e, WorkedTo::RecordedEnd),
        (AfterDischarge::Evidenced, None) => match latest_check(r, x, as_of) {
            Some(k) => (k, WorkedTo::InWorkCheck(k)),
            None => (before, WorkedTo::Discharge),
        },
    }
}

/// SUS-6: the latest in-work check dated from `from` to `as_of`.
pub fn latest_check(r: &Referral, from: Day, as_of: Day) -> Option<Day> {
    r.in_work_checks
        .iter()
        .map(|k| k.date)
        .filter(|d| from <= *d && *d <= as_of)
        .max()
}

/// A sustainment outcome (SUS-2, SUS-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Milestone {
    /// 13, 26 or 52.
    pub weeks: i32,
    /// The start of the run that reached it (attribution, R-2).
    pub run_start: Day,
    /// The day the outcome was achieved.
    pub achieved: Day,
}

/// SUS-2, SUS-3: at most one 13-, 26- and 52-week outcome, each from the first
/// run that reaches it.
pub fn milestones(runs: &[Run]) -> Vec<Milestone> {
    let mut out = Vec::new();
    milestones_into(runs, &mut out);
    out
}

/// [`milestones`] into `out` (emptied first).
fn milestones_into(runs: &[Run], out: &mut Vec<Milestone>) {
    out.clear();
    out.extend(MILESTONE_WEEKS.iter().filter_map(|&weeks| {
        runs.iter().find_map(|run| {
            run.first_worked_on_or_after(milestone_day(run.start, weeks))
                .map(|achieved| Milestone {
                    weeks,
                    run_start: run.start,
                    achieved,
                })
        })
    }));
}

/// A referral's job outcomes, runs and milestones as known on one day
/// (JOB-4, SUS-1..6), derived with room reused from one referral to the
/// next: a report derives a whole service's, and allocating these for each
/// was a fifth of its time.
#[derive(Debug, Default)]
pub struct Derivation<'a> {
    pub outcomes: Vec<Outcome<'a>>,
    pub runs: Vec<Run>,
    pub milestones: Vec<Milestone>,
    spells: Vec<(Day, Day, WorkedTo)>,
}

impl<'a> Derivation<'a> {
    /// Derives `r`'s outcomes, runs and milestones as known on `as_of`,
    /// replacing the last referral's.
    pub fn derive(&mut self, r: &'a Referral, as_of: Day, policy: &Policy) {
        outcomes_into(r, as_of, policy, &mut self.outcomes);
        runs_into(
            r,
            &self.outcomes,
            as_of,
            policy,
            &mut self.spells,
            &mut self.runs,
        );
        milestones_into(&self.runs, &mut self.milestones);
    }
}

/// The milestones still ahead of a referral on `day`: for each run still
/// running that day (the referral open, a job with no end: SUS-6), every 13/26/52-week milestone the referral has not yet
/// achieved (SUS-3), with the day it falls due, soonest first.
pub fn milestones_ahead(r: &Referral, day: Day, policy: &Policy) -> Vec<(i32, Day)> {
    let outcomes = outcomes(r, day, policy);
    let runs = runs(r, &outcomes, day, policy);
    let achieved = milestones(&runs);
    let mut ahead: Vec<(i32, Day)> = runs
        .iter()
        .filter(|run| run.last_worked == day && run.worked_to == WorkedTo::StillInWork)
        .flat_map(|run| {
            MILESTONE_WEEKS
                .iter()
                .map(move |&weeks| (weeks, milestone_day(run.start, weeks)))
        })
        .filter(|(weeks, due)| *due >= day && !achieved.iter().any(|m| m.weeks == *weeks))
        .collect();
    ahead.sort_by_key(|(_, due)| *due);
    ahead
}
