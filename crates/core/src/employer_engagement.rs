//! Employer engagement (issue 13): an ES's contacts with employers over a
//! period, counted by week. The IPS fidelity scale's item "employer contacts"
//! looks for at least six face-to-face employer contacts a week by each ES;
//! visits are the face-to-face ones. Not part of any KPI of rules.md.
//! *(rev. 3)* ENG-4's rapid-search share: [`rapid_search`].

use crate::attribution::assigned_on;
use crate::model::{Dataset, EmployerContact, EmployerContactKind, StaffIdx};
use crate::policy::Basis;
use crate::standards::first_employer_contact;
use crate::targets::rate;
use crate::time::{Day, DayRange};

/// One week, Monday to Sunday, and the employer contacts made in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeekCount {
    /// The week's Monday.
    pub monday: Day,
    pub visits: u32,
    pub calls: u32,
    pub emails: u32,
}

impl WeekCount {
    pub fn total(&self) -> u32 {
        self.visits + self.calls + self.emails
    }
}

/// An ES's employer contacts over some days.
#[derive(Clone, Debug, PartialEq)]
pub struct EmployerEngagement<'a> {
    /// The contacts made in the days, the newest first.
    pub contacts: Vec<&'a EmployerContact>,
    /// Every week that has a day in the range, oldest first, with its
    /// counts (weeks without contacts too). Only the range's days count, so
    /// the first and last weeks may be part weeks.
    pub weeks: Vec<WeekCount>,
}

impl EmployerEngagement<'_> {
    /// Every contact of the days.
    pub fn total(&self) -> u32 {
        self.weeks.iter().map(WeekCount::total).sum()
    }

    /// The visits (face-to-face contacts) of the days.
    pub fn visits(&self) -> u32 {
        self.weeks.iter().map(|w| w.visits).sum()
    }
}

/// The Monday of `day`'s week (1970-01-01 was a Thursday).
pub fn monday_of(day: Day) -> Day {
    let since_epoch = day.since(Day::ymd(1970, 1, 1).expect("a date"));
    // Days since the Monday before the epoch (1969-12-29), kept non-negative.
    let into_week = (since_epoch + 3).rem_euclid(7);
    day.plus(-into_week)
}

/// The employer contacts ES `es` made on the `days`, newest first, and
/// counted by week (Monday to Sunday).
pub fn employer_engagement(data: &Dataset, es: StaffIdx, days: DayRange) -> EmployerEngagement<'_> {
    let mut contacts: Vec<&EmployerContact> = data
        .employer_contacts
        .iter()
        .filter(|e| e.es == es && days.contains(e.date))
        .collect();
    contacts.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.id.cmp(&a.id)));
    let mut weeks = Vec::new();
    if !days.is_empty() {
        let mut monday = monday_of(days.start);
        while monday <= days.end {
            weeks.push(WeekCount {
                monday,
                visits: 0,
                calls: 0,
                emails: 0,
            });
            monday = monday.plus(7);
        }
    }
    let first = weeks.first().map(|w| w.monday);
    for e in &contacts {
        let Some(first) = first else { break };
        let week = &mut weeks[(monday_of(e.date).since(first) / 7) as usize];
        match e.kind {
            EmployerContactKind::Visit => week.visits += 1,
            EmployerContactKind::Call => week.calls += 1,
            EmployerContactKind::Email => week.emails += 1,
        }
    }
    EmployerEngagement { contacts, weeks }
}

/// ENG-4 *(rev. 3)*: the fidelity scale's rapid-search evidence over some
/// days: the clients accessed in them, by when their first employer
/// contact came.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RapidSearch {
    /// The first employer contact naming the client came within the
    /// policy's days of access (30).
    pub within: u32,
    /// It came later, or has not come and the days have passed.
    pub late: u32,
    /// None yet, and the days have not passed on the as-of date.
    pub pending: u32,
}

impl RapidSearch {
    /// The share of clients whose first employer contact came within the
    /// days, of those decided (pending left out); `None` when none is.
    pub fn share(&self) -> Option<Basis> {
        rate(self.within, self.within + self.late)
    }
}

/// ENG-4 *(rev. 3)*: the referrals accessed on the `days` (up to `as_of`),
/// each credited to the ES assigned on its access date (`es`; `None` for the
/// whole service), by when the first employer contact naming the client
/// came (from access to `as_of`).
pub fn rapid_search(
    data: &Dataset,
    es: Option<StaffIdx>,
    days: DayRange,
    as_of: Day,
) -> RapidSearch {
    let limit = data.policy.rapid_search_days;
    let mut out = RapidSearch::default();
    for (_, r) in data.counted_referrals() {
        let Some(access) = r.access.filter(|a| days.contains(*a) && *a <= as_of) else {
            continue;
        };
        if es.is_some() && assigned_on(r, access, as_of) != es {
            continue;
        }
        match first_employer_contact(data, r, as_of) {
            Some(first) if first.since(access) <= limit => out.within += 1,
            Some(_) => out.late += 1,
            None if as_of.since(access) > limit => out.late += 1,
            None => out.pending += 1,
        }
    }
    out
}
