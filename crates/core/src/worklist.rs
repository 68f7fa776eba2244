//! The worklist (CASE-4): dated alerts for an ES and their team lead, with
//! *(rev. 3)* the in-work checks due after discharge (SUS-7) and the
//! engagement standards (ENG-1..4, [`crate::standards`]).

use crate::alert::{Alert, WorkItem};
use crate::attribution::assigned_on;
use crate::caseload::{Criterion, DayStatus, first_day_out_of_contact, status_on};
use crate::evidence::checks_due;
use crate::jobs::{FourHours, four_hours, is_paid_work, milestones_ahead};
use crate::model::{Dataset, Group, Role, StaffIdx};
use crate::standards::standards_items;
use crate::targets::{BandPosition, caseload_standing};
use crate::time::Day;

/// Days of warning before a client becomes inactive for want of contact, or
/// before a hold passes its limit.
pub const WARNING_DAYS: i32 = 7;
/// How far ahead sustainment milestones are shown (gather evidence).
pub const MILESTONE_HORIZON_DAYS: i32 = 14;
/// A waiting-list spell this long should be closed with an invitation to re-refer.
pub const WAITING_LIST_MONTHS: i32 = 3;

/// CASE-4: the worklist on `day`, sorted by date, ES and referral.
pub fn worklist(data: &Dataset, day: Day) -> Vec<WorkItem> {
    let policy = &data.policy;
    let mut items = Vec::new();
    let mut active = vec![0_u32; data.staff.len()];
    let mut open = vec![0_u32; data.staff.len()];
    let mut employed_open = vec![0_u32; data.staff.len()];
    for (index, r) in data.counted_referrals().filter(|(_, r)| r.received <= day) {
        let es = assigned_on(r, day, day);
        let status = status_on(r, day, policy);
        if let Some(es) = es.filter(|_| status.open) {
            open[es.index()] += 1;
            active[es.index()] += u32::from(status.active);
            employed_open[es.index()] += u32::from(r.status_at_referral == Group::Employed);
        }
        alerts_of(data, index, day, (&status, es), |date, alert| {
            items.push(WorkItem {
                date,
                es,
                referral: Some(index),
                alert,
            })
        });
    }
    for (i, s) in data.staff.iter().enumerate() {
        if s.role != Role::Es || !s.in_post_on(day) {
            continue;
        }
        let es = Some(StaffIdx::at(i));
        if let Some(standing) = caseload_standing(open[i], active[i], s.fte, policy)
            && (standing.band_position != BandPosition::Within || standing.above_fidelity_limit)
        {
            items.push(WorkItem {
                date: day,
                es,
                referral: None,
                alert: Alert::CaseloadPerFte { standing },
            });
        }
        // FID-2: employed > share × open, in exact integers.
        if u64::from(employed_open[i]) * 10_000
            > u64::from(policy.retention_share_max) * u64::from(open[i])
        {
            items.push(WorkItem {
                date: day,
                es,
                referral: None,
                alert: Alert::RetentionShareHigh {
                    employed: employed_open[i],
                    open: open[i],
                    max_share: policy.retention_share_max,
                },
            });
        }
    }
    items.sort_by_key(|i| (i.date, i.es, i.referral));
    items
}

/// CASE-4 for one referral: what is due on it on `day` (the worklist's
/// items of this referral, soonest first), for its own page.
pub fn referral_alerts(data: &Dataset, index: usize, day: Day) -> Vec<(Day, Alert)> {
    let r = &data.referrals[index];
    let mut items = Vec::new();
    if r.received <= day {
        let status = status_on(r, day, &data.policy);
        let es = assigned_on(r, day, day);
        alerts_of(data, index, day, (&status, es), |date, alert| {
            items.push((date, alert))
        });
    }
    items.sort_by_key(|(date, _)| *date);
    items
}

/// The alerts of one referral received on or before `day`, given its
/// status and ES on the day, each told to `push` in the worklist's order.
fn alerts_of(
    data: &Dataset,
    index: usize,
    day: Day,
    (status, es): (&DayStatus, Option<StaffIdx>),
    mut push: impl FnMut(Day, Alert),
) {
    let policy = &data.policy;
    let r = &data.referrals[index];
    let not_discharged = r.discharge.as_ref().is_none_or(|d| d.date > day);
    // Due on the day the client becomes inactive without a two-way
    // contact (assertive engagement may push it back: CASE-1.5).
    if let Some(inactive_from) = status.inactive_from
        && let Some(last) = status.last_two_way_contact
        && day.since(last) >= policy.contact_window_days - WARNING_DAYS
    {
        push(inactive_from, Alert::ContactDue { last_contact: last });
    }
    if status.open
        && status.decision.is_none()
        && status.failed.iter().eq([Criterion::InContact])
        && let Some(lapsed) =
            first_day_out_of_contact(status.last_two_way_contact, status.last_attempt, policy)
    {
        push(
            lapsed,
            Alert::ContactLapsed {
                last_contact: status.last_two_way_contact,
            },
        );
    }
    if status.open {
        for h in r.holds.iter().filter(|h| h.covers(day)) {
            if day.since(h.start) >= policy.hold_limit_days - WARNING_DAYS {
                push(
                    h.start.plus(policy.hold_limit_days + 1),
                    Alert::HoldReachingLimit {
                        hold_start: h.start,
                    },
                );
            }
        }
    }
    if not_discharged {
        for w in r.waiting_list.iter().filter(|w| w.spell.covers(day)) {
            let too_long = w.spell.start.plus_months(WAITING_LIST_MONTHS);
            let due = w.expected_return.map_or(too_long, |e| e.min(too_long));
            if day > w.expected_return.unwrap_or(day) || day >= too_long {
                push(
                    due,
                    Alert::WaitingListOverdue {
                        spell_start: w.spell.start,
                        expected_return: w.expected_return,
                    },
                );
            }
        }
    }
    // Jobs: awaiting 4 hours, and milestones coming up (also after discharge, SUS-5).
    let discharge = r.discharge.as_ref().map(|d| d.date).filter(|d| *d <= day);
    for j in r
        .jobs
        .iter()
        .filter(|j| !j.retained && is_paid_work(j) && j.start <= day)
    {
        let in_episode = j.start >= r.received && discharge.is_none_or(|d| j.start <= d);
        if in_episode && four_hours(j, day, policy) == FourHours::Awaiting {
            push(j.start, Alert::AwaitingFourHours { job: j.id.clone() });
        }
    }
    for (weeks, due) in milestones_ahead(r, day, policy) {
        if due.since(day) <= MILESTONE_HORIZON_DAYS {
            push(due, Alert::MilestoneDue { weeks });
        }
    }
    // SUS-7 (rev. 3): after discharge, confirm still in work.
    for (weeks, due) in checks_due(r, day, policy) {
        push(due, Alert::ConfirmStillInWork { weeks });
    }
    // ENG-1..4 (rev. 3).
    for (due, alert) in standards_items(data, r, day, status, es) {
        push(due, alert);
    }
}
