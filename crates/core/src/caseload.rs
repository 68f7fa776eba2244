//! Caseload: who is active on a day (CASE-1) and why not.

use crate::model::{Engagement, Referral};
use crate::policy::Policy;
use crate::time::Day;

/// The CASE-1 criteria, in the order rules.md lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criterion {
    /// 1. Received on or before the day and not discharged on or before it.
    Open,
    /// 2. Access on or before the day.
    Accessed,
    /// 3. Not on the waiting list.
    NotOnWaitingList,
    /// 4. Not on hold for more than the hold limit.
    NotOnLongHold,
    /// 5. A two-way contact (or assertive engagement) recently enough.
    InContact,
    /// 6. A vocational plan running on the day.
    VocationalPlan,
    /// 7. Engagement status is not `not_seeking_work`.
    SeekingWork,
    /// A team status decision made the referral inactive (replaces 3–7).
    TeamDecision,
}

impl Criterion {
    const ALL: [Criterion; 8] = [
        Criterion::Open,
        Criterion::Accessed,
        Criterion::NotOnWaitingList,
        Criterion::NotOnLongHold,
        Criterion::InContact,
        Criterion::VocationalPlan,
        Criterion::SeekingWork,
        Criterion::TeamDecision,
    ];

    /// Why a referral fails this criterion, in the words of an IPS team.
    pub fn failure(self) -> &'static str {
        match self {
            Criterion::Open => "not open (not yet received, or discharged)",
            Criterion::Accessed => "no access (first meaningful contact) yet",
            Criterion::NotOnWaitingList => "on the waiting list",
            Criterion::NotOnLongHold => "on hold for more than 4 weeks",
            Criterion::InContact => "no two-way contact in the last 4 weeks",
            Criterion::VocationalPlan => "no active vocational plan",
            Criterion::SeekingWork => "not seeking work",
            Criterion::TeamDecision => "made inactive by a team decision",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of failed criteria, iterated in rules order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failed(u8);

impl Failed {
    fn add(&mut self, c: Criterion) {
        self.0 |= c.bit();
    }

    pub fn contains(self, c: Criterion) -> bool {
        self.0 & c.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Criterion> {
        Criterion::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }
}

/// A referral's caseload status on one day (CASE-1, CASE-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayStatus {
    /// Criteria 1–2: open and accessed (counted as "open" in CASE-2).
    pub open: bool,
    pub active: bool,
    /// The criteria that failed, in rules order; empty when active.
    pub failed: Failed,
    /// The team decision in force, if any (`true` = made active).
    pub decision: Option<bool>,
    /// Open with a hold spell covering the day.
    pub on_hold: bool,
    /// Open with a waiting-list spell covering the day.
    pub waiting_list: bool,
    /// Last two-way contact on or before the day (the access counts as one).
    pub last_two_way_contact: Option<Day>,
}

/// CASE-1: is the referral active on `day`? Records dated after `day` play no
/// part, so the answer holds for any as-of date on or after `day` (T-3).
pub fn status_on(r: &Referral, day: Day, policy: &Policy) -> DayStatus {
    let mut failed = Failed::default();
    let received = r.received <= day && r.discharge.as_ref().is_none_or(|d| d.date > day);
    if !received {
        failed.add(Criterion::Open);
    }
    let accessed = r.access.is_some_and(|a| a <= day);
    if !accessed {
        failed.add(Criterion::Accessed);
    }
    let open = received && accessed;

    let waiting = r.waiting_list.iter().any(|w| w.spell.covers(day));
    let holds_today = r.holds.iter().filter(|h| h.covers(day));
    let mut on_hold = false;
    let mut long_hold = false;
    for h in holds_today {
        on_hold = true;
        long_hold |= day.since(h.start) > policy.hold_limit_days;
    }

    // Criterion 5: the access itself is a two-way contact.
    let mut last_two_way = r.access.filter(|a| *a <= day);
    let mut last_attempt: Option<Day> = None;
    for k in r.contacts.iter().filter(|k| k.date <= day) {
        let slot = if k.kind.is_two_way() {
            &mut last_two_way
        } else {
            &mut last_attempt
        };
        *slot = Some(slot.map_or(k.date, |d| d.max(k.date)));
    }
    let window = policy.contact_window_days;
    let within = |d: Option<Day>, days: i32| d.is_some_and(|d| day.since(d) < days);
    let in_contact = within(last_two_way, window)
        || (within(last_attempt, window)
            && within(
                last_two_way,
                window + policy.assertive_engagement_extra_days,
            ));

    let has_plan = r.vocational_plan.as_ref().is_some_and(|p| p.covers(day));

    let engagement = engagement_on(r, day);

    // A team decision covering the day replaces criteria 3–7; the
    // latest-starting one wins (later records win ties).
    let mut decision: Option<(Day, bool)> = None;
    for d in r.decisions.iter().filter(|d| d.spell.covers(day)) {
        if decision.is_none_or(|(start, _)| d.spell.start >= start) {
            decision = Some((d.spell.start, d.active));
        }
    }
    match decision {
        Some((_, true)) => {}
        Some((_, false)) => failed.add(Criterion::TeamDecision),
        None => {
            if waiting {
                failed.add(Criterion::NotOnWaitingList);
            }
            if long_hold {
                failed.add(Criterion::NotOnLongHold);
            }
            if !in_contact {
                failed.add(Criterion::InContact);
            }
            if !has_plan {
                failed.add(Criterion::VocationalPlan);
            }
            if engagement == Engagement::NotSeekingWork {
                failed.add(Criterion::SeekingWork);
            }
        }
    }
    DayStatus {
        open,
        active: failed.is_empty(),
        failed,
        decision: decision.map(|(_, active)| active),
        on_hold: open && on_hold,
        waiting_list: open && waiting,
        last_two_way_contact: last_two_way,
    }
}

/// CASE-1 criterion 7: the engagement status on `day` — the latest change on
/// or before it (later records win ties); no record means seeking work.
pub fn engagement_on(r: &Referral, day: Day) -> Engagement {
    let mut engagement = Engagement::SeekingWork;
    let mut engagement_date: Option<Day> = None;
    for e in r.engagement.iter().filter(|e| e.date <= day) {
        if engagement_date.is_none_or(|d| e.date >= d) {
            engagement = e.status;
            engagement_date = Some(e.date);
        }
    }
    engagement
}
