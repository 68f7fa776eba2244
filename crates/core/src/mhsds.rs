//! What the MHSDS-aligned extract needs from the rules engine: a referral's
//! direct contacts, its first direct contact, ipstrack's own count of MHS116
//! (referrals with a first direct contact with IPS in the rolling 12 months),
//! and employment status with weekly hours at referral and at discharge.
//!
//! The codes of the Mental Health Services Data Set are written at the edge
//! (`ipstrack-interop`); this module decides what is true of a referral.
//! Everything is as known on an as-of date (T-3): records dated after it do
//! not exist yet.

use std::collections::HashSet;

use crate::caseload::engagement_on;
use crate::jobs::{is_paid_work, week_end};
use crate::model::{Dataset, Engagement, Group, Job, Referral};
use crate::targets::Exact;
use crate::time::{Day, DayRange};

/// One direct contact (MHSDS: an attended care contact with the client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectContact {
    pub date: Day,
    pub source: ContactSource,
}

/// Where a direct contact comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactSource {
    /// The access meeting (ACC-1), which counts as a two-way contact (CASE-1.5)
    /// and is not also recorded as a contact on the same day.
    Access,
    /// The referral's contact at this position of `Referral::contacts`.
    Contact(usize),
}

/// A referral's direct contacts known on `as_of`, sorted by date (the access
/// first on its day): the access date, unless a two-way contact is recorded
/// on that very day (then that contact stands for it), and every two-way
/// contact (face to face, remote, in-work support). Assertive-engagement
/// attempts got no reply and are not contacts with the client.
pub fn direct_contacts(r: &Referral, as_of: Day) -> Vec<DirectContact> {
    let mut out: Vec<DirectContact> = r
        .contacts
        .iter()
        .enumerate()
        .filter(|(_, k)| k.kind.is_two_way() && k.date <= as_of)
        .map(|(i, k)| DirectContact {
            date: k.date,
            source: ContactSource::Contact(i),
        })
        .collect();
    if let Some(access) = r.access.filter(|a| *a <= as_of)
        && !out.iter().any(|c| c.date == access)
    {
        out.push(DirectContact {
            date: access,
            source: ContactSource::Access,
        });
    }
    out.sort_by_key(|c| {
        (
            c.date,
            match c.source {
                ContactSource::Access => 0,
                ContactSource::Contact(i) => i + 1,
            },
        )
    });
    out
}

/// The day of a referral's first direct contact known on `as_of`.
pub fn first_direct_contact(r: &Referral, as_of: Day) -> Option<Day> {
    direct_contacts(r, as_of).first().map(|c| c.date)
}

/// The rolling 12 months ending on `end`: twelve whole calendar months when
/// `end` is the last day of a month (as the monthly MHSDS publication counts
/// them), otherwise from `end` − 1 year + 1 day; both days inclusive.
pub fn rolling_year(end: Day) -> DayRange {
    let next = end.plus(1);
    let start = if next.date().day() == 1 {
        next.plus_months(-12)
    } else {
        end.plus_months(-12).plus(1)
    };
    DayRange::new(start, end)
}

/// MHS116 as ipstrack counts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mhs116 {
    /// The rolling 12 months.
    pub window: DayRange,
    /// Referrals whose first direct contact is in the window.
    pub referrals: u32,
    /// Distinct clients among them.
    pub people: u32,
    /// Each referral counted (index in `Dataset::referrals`) with its first
    /// direct contact, in dataset order.
    pub counted: Vec<(usize, Day)>,
}

/// MHS116: referrals with their first direct contact with IPS in the rolling
/// 12 months ending on `end`, as known on `as_of` (referrals received and
/// contacts dated after it are ignored). A referral whose first direct
/// contact came before the window is not counted, however many contacts it
/// has in the window; one with only assertive-engagement attempts has none.
pub fn mhs116(data: &Dataset, end: Day, as_of: Day) -> Mhs116 {
    let window = rolling_year(end);
    let mut counted = Vec::new();
    let mut people = HashSet::new();
    for (i, r) in data.counted_referrals() {
        if r.received > as_of {
            continue;
        }
        if let Some(first) = first_direct_contact(r, as_of)
            && window.contains(first)
        {
            counted.push((i, first));
            people.insert(r.client);
        }
    }
    Mhs116 {
        window,
        referrals: counted.len() as u32,
        people: people.len() as u32,
        counted,
    }
}

// ---------------------------------------------------------------------------
// Employment status and weekly hours
// ---------------------------------------------------------------------------

/// Whole hours a week as hundredths, for comparing exact hours with a band.
fn hours(h: i128) -> Exact {
    Exact::from_integer(h * 100)
}

/// The MHSDS weekly hours bands (WeekHoursWorked 01–04).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HoursBand {
    /// 30 hours or more.
    From30,
    /// 16 to under 30 hours.
    From16To29,
    /// 5 to under 16 hours.
    From5To15,
    /// More than 0 and under 5 hours (the lowest band of paid work).
    From1To4,
}

/// The band of `hundredths` of an hour a week (an exact fraction: an average
/// of weekly hours is not always whole hundredths, T-0); `None` for 0 hours
/// (not known).
pub fn hours_band(hundredths: Exact) -> Option<HoursBand> {
    if hundredths >= hours(30) {
        Some(HoursBand::From30)
    } else if hundredths >= hours(16) {
        Some(HoursBand::From16To29)
    } else if hundredths >= hours(5) {
        Some(HoursBand::From5To15)
    } else if hundredths > Exact::from_integer(0) {
        Some(HoursBand::From1To4)
    } else {
        None
    }
}

/// A job's hours a week known on `day` (JOB-2), in hundredths: the average
/// of the first month's weekly hours whose week has ended by then (weekly
/// hours win whatever the job type, as for JOB-3), else its hours per week;
/// `None` when no hours are known yet.
pub fn job_hours_on(job: &Job, day: Day) -> Option<Exact> {
    let weeks: Vec<u32> = job
        .weekly_hours
        .iter()
        .enumerate()
        .filter(|(k, _)| week_end(job, *k) <= day)
        .map(|(_, h)| h.0)
        .collect();
    if !weeks.is_empty() {
        let total: i128 = weeks.iter().map(|h| i128::from(*h)).sum();
        return Some(Exact::new(total, weeks.len() as i128));
    }
    job.hours_per_week
        .map(|h| Exact::from_integer(i128::from(h.0)))
}

/// Employment status on a day, as the extract reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Employment {
    /// In paid work, with the weekly hours band of all the jobs in progress
    /// together; `None` when any of them has no hours known (or 0).
    Employed(Option<HoursBand>),
    /// Not in work and seeking it.
    SeekingWork,
    /// Not in work and not seeking it (engagement `not_seeking_work`).
    NotSeekingWork,
}

/// The paid jobs (JOB-1) in progress on `day` (on or before `as_of`): started
/// on or before it and not ended before it (T-4: the end is the last day).
fn jobs_in_progress(r: &Referral, day: Day) -> Vec<&Job> {
    r.jobs
        .iter()
        .filter(|j| is_paid_work(j) && j.start <= day)
        .filter(|j| j.end.is_none_or(|e| e >= day))
        .collect()
}

fn employed(jobs: &[&Job], day: Day) -> Employment {
    let mut total = Exact::from_integer(0);
    for j in jobs {
        match job_hours_on(j, day) {
            Some(h) => total += h,
            None => return Employment::Employed(None),
        }
    }
    Employment::Employed(hours_band(total))
}

fn not_in_work(r: &Referral, day: Day, as_of: Day) -> Employment {
    // As known on `as_of`: changes dated after it do not exist yet (T-3).
    match engagement_on(r, day.min(as_of)) {
        Engagement::NotSeekingWork => Employment::NotSeekingWork,
        _ => Employment::SeekingWork,
    }
}

/// Employment status at referral, recorded on the received date: the
/// referral's `status_at_referral` decides. Employed: the hours of the
/// jobs in progress on the received date (the retained job); unemployed:
/// seeking work unless the engagement status on that day is
/// `not_seeking_work`.
pub fn employment_at_referral(r: &Referral, as_of: Day) -> Employment {
    match r.status_at_referral {
        Group::Employed => employed(&jobs_in_progress(r, r.received), r.received),
        Group::Unemployed => not_in_work(r, r.received, as_of),
    }
}

/// Employment status at discharge, recorded on the discharge date, when the
/// referral is discharged by `as_of`: employed when a paid job is in progress
/// on the discharge day, with the band of its hours; otherwise seeking work
/// or not, by the engagement status on that day.
pub fn employment_at_discharge(r: &Referral, as_of: Day) -> Option<(Day, Employment)> {
    let day = r
        .discharge
        .as_ref()
        .map(|d| d.date)
        .filter(|d| *d <= as_of)?;
    let jobs = jobs_in_progress(r, day);
    let status = if jobs.is_empty() {
        not_in_work(r, day, as_of)
    } else {
        employed(&jobs, day)
    };
    Some((day, status))
}
