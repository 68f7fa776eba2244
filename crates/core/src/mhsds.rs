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

use crate::jobs::is_paid_work;
use crate::model::{Dataset, Engagement, EngagementChange, Group, Job, Referral};
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
    for (i, r) in data.referrals.iter().enumerate() {
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

/// Hours a week as an exact fraction of hundredths (an average of weekly
/// hours is not always a whole number of hundredths; T-0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExactHours {
    /// Hundredths of an hour, times `per`.
    pub hundredths: u64,
    pub per: u64,
}

impl ExactHours {
    fn whole(hundredths: u32) -> ExactHours {
        ExactHours {
            hundredths: u64::from(hundredths),
            per: 1,
        }
    }

    fn add(self, other: ExactHours) -> ExactHours {
        ExactHours {
            hundredths: self.hundredths * other.per + other.hundredths * self.per,
            per: self.per * other.per,
        }
    }

    /// At least `hours` (whole hours) a week.
    fn at_least(self, hours: u64) -> bool {
        self.hundredths >= hours * 100 * self.per
    }
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

/// The band of `hours` a week, exactly; `None` for 0 hours (not known).
pub fn hours_band(hours: ExactHours) -> Option<HoursBand> {
    if hours.at_least(30) {
        Some(HoursBand::From30)
    } else if hours.at_least(16) {
        Some(HoursBand::From16To29)
    } else if hours.at_least(5) {
        Some(HoursBand::From5To15)
    } else if hours.hundredths > 0 {
        Some(HoursBand::From1To4)
    } else {
        None
    }
}

/// A job's hours a week known on `day` (JOB-2): the average of the first
/// month's weekly hours whose week has ended by then (weekly hours win
/// whatever the job type, as for JOB-3), else its hours per week; `None`
/// when no hours are known yet.
pub fn job_hours_on(job: &Job, day: Day) -> Option<ExactHours> {
    let weeks: Vec<u32> = job
        .weekly_hours
        .iter()
        .enumerate()
        .filter(|(k, _)| job.start.plus(7 * (*k as i32 + 1) - 1) <= day)
        .map(|(_, h)| h.0)
        .collect();
    if !weeks.is_empty() {
        return Some(ExactHours {
            hundredths: weeks.iter().map(|h| u64::from(*h)).sum(),
            per: weeks.len() as u64,
        });
    }
    job.hours_per_week.map(|h| ExactHours::whole(h.0))
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
    let mut total = ExactHours::whole(0);
    for j in jobs {
        match job_hours_on(j, day) {
            Some(h) => total = total.add(h),
            None => return Employment::Employed(None),
        }
    }
    Employment::Employed(hours_band(total))
}

/// The engagement status on `day` as known on `as_of` (CASE-1.7; none
/// recorded means seeking work; the later of two changes on one day wins).
fn engagement_on(r: &Referral, day: Day, as_of: Day) -> Engagement {
    r.engagement
        .iter()
        .filter(|e| e.date <= day && e.date <= as_of)
        .fold(None::<&EngagementChange>, |best, e| match best {
            Some(b) if b.date > e.date => Some(b),
            _ => Some(e),
        })
        .map_or(Engagement::SeekingWork, |e| e.status)
}

fn not_in_work(r: &Referral, day: Day, as_of: Day) -> Employment {
    match engagement_on(r, day, as_of) {
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
