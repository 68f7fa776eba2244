//! Caseload: who is active on a day (CASE-1) and why not.

use crate::attribution::assigned_on;
use crate::jobs::milestones_ahead;
use crate::model::{Dataset, Engagement, Referral, StaffIdx};
use crate::policy::Policy;
use crate::targets::{CaseloadStanding, caseload_standing};
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
    /// Criterion 1 only: received on or before the day and not discharged
    /// (accessed or not): the referrals a service holds.
    pub received: bool,
    /// Open with a hold spell covering the day.
    pub on_hold: bool,
    /// CASE-2 *(rev. 2)*: received and not discharged (criterion 1, accessed or
    /// not) with a waiting-list spell covering the day.
    pub waiting_list: bool,
    /// Last two-way contact on or before the day (the access counts as one).
    pub last_two_way_contact: Option<Day>,
    /// Last assertive-engagement attempt on or before the day.
    pub last_attempt: Option<Day>,
    /// CASE-4: for a referral active on its own criteria (no team decision),
    /// the first day criterion 5 fails if nothing new is recorded.
    pub inactive_from: Option<Day>,
}

impl DayStatus {
    /// CASE-4: days from `day` until criterion 5 first fails if nothing new
    /// is recorded (assertive engagement included), never negative. `None`
    /// unless the referral is active on its own criteria: an inactive one has
    /// nothing to count down, and one kept active by a team decision does not
    /// depend on contact while the decision lasts.
    pub fn days_until_inactive(&self, day: Day) -> Option<i32> {
        self.inactive_from.map(|f| f.since(day).max(0))
    }

    /// Kept active by a team decision (CASE-1), not by its own criteria.
    pub fn active_by_decision(&self) -> bool {
        self.active && self.decision == Some(true)
    }
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

    let inactive_from = first_day_out_of_contact(last_two_way, last_attempt, policy);

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
    let active = failed.is_empty();
    DayStatus {
        open,
        active,
        failed,
        decision: decision.map(|(_, active)| active),
        received,
        on_hold: open && on_hold,
        waiting_list: received && waiting,
        last_two_way_contact: last_two_way,
        last_attempt,
        inactive_from: inactive_from.filter(|_| active && decision.is_none()),
    }
}

/// CASE-1 criterion 5 over time: with the last two-way contact `two_way` and
/// the last assertive-engagement attempt `attempt`, the first day on which the
/// criterion fails if nothing new is recorded. A two-way contact keeps it for
/// the contact window; an attempt keeps it for the window after the attempt,
/// but no longer than the window plus the extra days after the two-way contact.
pub fn first_day_out_of_contact(
    two_way: Option<Day>,
    attempt: Option<Day>,
    policy: &Policy,
) -> Option<Day> {
    let two_way = two_way?;
    let window = policy.contact_window_days;
    let by_contact = two_way.plus(window);
    let by_attempt = attempt.map(|a| {
        a.plus(window)
            .min(two_way.plus(window + policy.assertive_engagement_extra_days))
    });
    Some(by_attempt.map_or(by_contact, |d| d.max(by_contact)))
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

/// One referral an ES holds on a day, with the figures the caseload page
/// shows (CASE-1, CASE-4), all computed here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseloadEntry {
    /// Index of the referral in the dataset.
    pub referral: usize,
    pub status: DayStatus,
    /// Days since the last two-way contact (the access counts as one).
    pub days_since_contact: Option<i32>,
    /// CASE-4: days until criterion 5 first fails, assertive engagement
    /// included, never negative; `None` unless active on its own criteria.
    pub days_until_inactive: Option<i32>,
    /// The next sustainment milestone still ahead: (weeks, due day).
    pub next_milestone: Option<(i32, Day)>,
}

/// The referrals an ES holds on a day (received and not discharged, assigned
/// to them on the day) and their counts, named as CASE-2 names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EsCaseload {
    pub day: Day,
    /// Every referral held, in dataset order.
    pub entries: Vec<CaseloadEntry>,
    /// CASE-2 "open": received, not discharged and accessed (seen).
    pub open: u32,
    /// Received and not discharged, not yet accessed (referred, not yet seen).
    pub not_yet_seen: u32,
    /// CASE-1 active (team decisions included).
    pub active: u32,
    /// Of the active, those kept active by a team decision.
    pub active_by_decision: u32,
    pub on_hold: u32,
    /// CASE-2 *(rev. 2)*: waiting, seen or not.
    pub waiting_list: u32,
    /// CASE-4 *(rev. 2)*: the caseload per FTE against the policy; `None`
    /// when the ES is not in post on the day.
    pub standing: Option<CaseloadStanding>,
}

/// The caseload of ES `es` on `day`, as known on that day (T-3). Its counts
/// are the report's CASE-2 figures for the ES on the same day.
pub fn es_caseload(data: &Dataset, es: StaffIdx, day: Day) -> EsCaseload {
    let policy = &data.policy;
    let mut out = EsCaseload {
        day,
        entries: Vec::new(),
        open: 0,
        not_yet_seen: 0,
        active: 0,
        active_by_decision: 0,
        on_hold: 0,
        waiting_list: 0,
        standing: None,
    };
    for (index, r) in data.counted_referrals() {
        if r.received > day || assigned_on(r, day, day) != Some(es) {
            continue;
        }
        let status = status_on(r, day, policy);
        if !status.received {
            continue;
        }
        out.open += u32::from(status.open);
        out.not_yet_seen += u32::from(!status.open);
        out.active += u32::from(status.active);
        out.active_by_decision += u32::from(status.active_by_decision());
        out.on_hold += u32::from(status.on_hold);
        out.waiting_list += u32::from(status.waiting_list);
        out.entries.push(CaseloadEntry {
            referral: index,
            days_since_contact: status.last_two_way_contact.map(|c| day.since(c)),
            days_until_inactive: status.days_until_inactive(day),
            next_milestone: milestones_ahead(r, day, policy).first().copied(),
            status,
        });
    }
    let staff = data.staff_member(es);
    if staff.in_post_on(day) {
        out.standing = caseload_standing(out.open, out.active, staff.fte, policy);
    }
    out
}
