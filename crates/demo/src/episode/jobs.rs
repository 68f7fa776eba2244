//! Jobs: employers, hours, self-employment and a person's history of jobs.

use ipstrack_core::Day;

use crate::rng::Rng;
use crate::text::workday;

use super::{Job, JobHours};

/// Share of self-employment registered with HMRC, as a sole trader or a
/// company, with the evidence seen (JOB-1); the others are not registered
/// yet (not an outcome: a BAD-2 warning).
const SELF_EMPLOYMENT_REGISTERED: f64 = 0.85;
/// Of the weeks of variable-hours work, the share without any work.
const WEEK_WITHOUT_WORK_SHARE: f64 = 0.08;
/// Share of apprenticeships with an end date (one to two years on).
const APPRENTICESHIP_ENDS_SHARE: f64 = 0.7;
/// Share of new jobs with four hours a week confirmed soon after the start.
const FOUR_HOURS_CONFIRMED_SHARE: f64 = 0.25;
/// Share of people starting work who take a second job alongside the first.
const SECOND_JOB_SHARE: f64 = 0.05;
/// After a job ends, the chance of a further job (up to four in all).
const FURTHER_JOB_SHARE: f64 = 0.55;
/// Of the breaks before a further job, the share shorter than six weeks
/// (the run of work goes on, SUS-1); the others last 6 to 23 weeks.
const SHORT_BREAK_SHARE: f64 = 0.45;
const SOLE_TRADER_EVIDENCE: [&str; 3] = [
    "UTR seen",
    "HMRC letter confirming the UTR seen",
    "Self Assessment registration and UTR seen",
];
const COMPANY_EVIDENCE: [&str; 2] = [
    "Companies House certificate and UTR seen",
    "Corporation Tax UTR seen",
];

pub(crate) const EMPLOYERS: [&str; 24] = [
    "Co-op",
    "County Council",
    "Riverside Care Home",
    "Green Lane Garden Centre",
    "Northgate Warehouse",
    "Corner Cafe",
    "FreshMart Supermarket",
    "Central Library",
    "Builders' Merchant",
    "Contact Centre Ltd",
    "Parcel Depot",
    "Hospital Trust",
    "Leisure Centre",
    "Hotel Majestic",
    "Print Works",
    "Recycling Centre",
    "Bakery on the Square",
    "Bus Company",
    "Community Pharmacy",
    "Charity Shop Retail",
    "Cleaning Services",
    "Ironmonger",
    "University Estates",
    "Garage and MOT Centre",
];

/// Days from the start of support to the first job, as weighted ranges:
/// two weeks to three months, three to six and a half months, or up to
/// fourteen months.
const TIME_TO_JOB_DAYS: [(u32, (i32, i32)); 3] =
    [(40, (14, 90)), (38, (91, 200)), (22, (201, 420))];
/// How long a new job lasts, in days, as weighted ranges: short (a week to
/// under four months), long (four months to about two and a half years), or
/// still going.
const JOB_LENGTH_DAYS: [(u32, Option<(i32, i32)>); 3] =
    [(40, Some((7, 110))), (42, Some((121, 900))), (18, None)];

/// Days from access to the first job: rapid job search finds most people
/// work within a few months; some take a year or more.
pub(super) fn time_to_job(rng: &mut Rng) -> i32 {
    let (lo, hi) = rng.weighted(&TIME_TO_JOB_DAYS);
    rng.range(lo, hi)
}

/// A job held at referral (retained), started years before.
pub(super) fn retained_job(rng: &mut Rng, received: Day) -> Job {
    let kind = rng.weighted(&[(90, "employee"), (6, "apprenticeship"), (4, "zero_hours")]);
    let hours = if kind == "zero_hours" {
        weekly_hours(rng, 8, 30)
    } else {
        JobHours::Fixed(fixed_hours(rng))
    };
    Job {
        kind,
        employer: rng.pick(&EMPLOYERS),
        start: workday(received.plus(-rng.range(200, 5000))),
        end: None,
        hours,
        confirmed: None,
        registration: None,
        evidence: None,
        retained: true,
        return_to_work: None,
    }
}

/// A contract's hours per week.
#[derive(Clone, Copy)]
enum Contract {
    /// A common contract, in hundredths of an hour.
    Usual(u32),
    /// A few whole hours (4 to 7).
    Few,
    /// Any quarter hour from 5 to 35.
    Other,
}

/// Contracted hours per week, in hundredths.
fn fixed_hours(rng: &mut Rng) -> u32 {
    match rng.weighted(&[
        (12, Contract::Usual(3750)),
        (8, Contract::Usual(3000)),
        (10, Contract::Usual(2500)),
        (14, Contract::Usual(2000)),
        (16, Contract::Usual(1600)),
        (10, Contract::Usual(1200)),
        (8, Contract::Usual(1000)),
        (6, Contract::Usual(800)),
        (4, Contract::Few),
        (12, Contract::Other),
    ]) {
        Contract::Usual(h) => h,
        Contract::Few => rng.range(4, 7) as u32 * 100,
        Contract::Other => rng.range(20, 140) as u32 * 25,
    }
}

/// Hours worked in each of the first four weeks, between `lo` and `hi`
/// hours in quarter hours; a week without work now and then.
fn weekly_hours(rng: &mut Rng, lo: i32, hi: i32) -> JobHours {
    let mut weeks = [0_u32; 4];
    for w in &mut weeks {
        *w = if rng.chance(WEEK_WITHOUT_WORK_SHARE) {
            0
        } else {
            rng.range(lo * 4, hi * 4) as u32 * 25
        };
    }
    JobHours::Weekly(weeks)
}

/// A new job starting on `start`.
fn new_job(rng: &mut Rng, start: Day) -> Job {
    let kind = rng.weighted(&[
        (60, "employee"),
        (16, "zero_hours"),
        (8, "self_employed"),
        (8, "apprenticeship"),
        (8, "paid_placement"),
    ]);
    let (hours, length) = match kind {
        "zero_hours" => (weekly_hours(rng, 2, 30), job_length(rng)),
        "self_employed" => (weekly_hours(rng, 3, 25), job_length(rng)),
        "apprenticeship" => (
            JobHours::Fixed(rng.pick(&[3000, 3500, 3750])),
            if rng.chance(APPRENTICESHIP_ENDS_SHARE) {
                Some(rng.range(365, 730))
            } else {
                None
            },
        ),
        "paid_placement" => (
            JobHours::Fixed(rng.pick(&[800, 1200, 1600, 2000, 2500])),
            Some(rng.range(56, 182)),
        ),
        _ => (JobHours::Fixed(fixed_hours(rng)), job_length(rng)),
    };
    let end = length.map(|days| start.plus(days - 1));
    let registration = (kind == "self_employed" && rng.chance(SELF_EMPLOYMENT_REGISTERED))
        .then(|| rng.weighted(&[(80, "sole_trader"), (20, "company")]));
    let evidence = registration.map(|r| {
        if r == "company" {
            rng.pick(&COMPANY_EVIDENCE)
        } else {
            rng.pick(&SOLE_TRADER_EVIDENCE)
        }
    });
    let confirmed = rng
        .chance(FOUR_HOURS_CONFIRMED_SHARE)
        .then(|| start.plus(rng.range(2, 14)))
        .filter(|c| end.is_none_or(|e| *c <= e));
    Job {
        kind,
        employer: rng.pick(&EMPLOYERS),
        start,
        end,
        hours,
        confirmed,
        registration,
        evidence,
        retained: false,
        return_to_work: None,
    }
}

/// Days in a job: some short, most long, some still going
/// ([`JOB_LENGTH_DAYS`]).
fn job_length(rng: &mut Rng) -> Option<i32> {
    let (lo, hi) = rng.weighted(&JOB_LENGTH_DAYS)?;
    Some(rng.range(lo, hi))
}

/// The jobs of someone starting work on `first`: a short job now and then,
/// further jobs after breaks either side of six weeks, the odd second job
/// alongside the first.
pub(super) fn job_history(rng: &mut Rng, first: Day) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut start = first;
    loop {
        let job = new_job(rng, start);
        let end = job.end;
        jobs.push(job);
        if jobs.len() == 1 && rng.chance(SECOND_JOB_SHARE) {
            let second = workday(start.plus(rng.range(20, 150)));
            if end.is_none_or(|e| second < e) {
                let mut job = new_job(rng, second);
                if let JobHours::Fixed(h) = &mut job.hours {
                    *h = (*h).min(1600);
                }
                jobs.push(job);
            }
        }
        let Some(end) = end else { break };
        if jobs.len() >= 4 || !rng.chance(FURTHER_JOB_SHARE) {
            break;
        }
        let gap = if rng.chance(SHORT_BREAK_SHARE) {
            rng.range(1, 41)
        } else {
            rng.range(42, 160)
        };
        start = workday(end.plus(gap));
    }
    jobs
}
