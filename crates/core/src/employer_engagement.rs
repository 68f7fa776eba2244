//! Employer engagement (issue 13): an ES's contacts with employers over a
//! period, counted by week. The IPS fidelity scale's item "employer contacts"
//! looks for at least six face-to-face employer contacts a week by each ES;
//! visits are the face-to-face ones. Not part of any KPI of rules.md.

use crate::model::{Dataset, EmployerContact, EmployerContactKind, StaffIdx};
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
