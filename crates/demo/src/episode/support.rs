//! The story after receipt: allocation, access, plan, spells, contacts,
//! discharge and transfers.

use ipstrack_core::Day;

use crate::rng::Rng;
use crate::staff::Staffing;
use crate::text::workday;

use super::jobs::{job_history, retained_job, time_to_job};
use super::{
    ABROAD_SHARE, Episode, FINDS_WORK_SHARE, GAP_CHANCE, HOLD_SHARE, NEW_JOB_SHARE,
    NOT_SEEKING_SHARE, RETENTION_SHARE, Story, TRANSFER_SHARE, WAITING_AFTER_ACCESS_SHARE,
};

impl Episode {
    /// Unallocated at receipt (waiting list), allocated on `day` to `es` or,
    /// if they are no longer in post, a colleague.
    pub(super) fn allocate(&mut self, rng: &mut Rng, staffing: &Staffing, es: usize, day: Day) {
        let s = &staffing.specialists[es];
        let to = if s.in_post_on(day) {
            Some(es)
        } else {
            staffing.colleague(rng, s.team, es, day)
        };
        if let Some(to) = to {
            self.es = None;
            self.transfers.push((day, to));
        }
    }

    /// A referral that never becomes access: some attempts to engage, then
    /// closed.
    pub(super) fn never_accessed(&mut self, rng: &mut Rng, ready: Day) {
        self.discharge = workday(ready.plus(rng.range(21, 100)));
        self.reason = rng.weighted(&[
            (50, "did not engage"),
            (25, "declined IPS"),
            (10, "moved out of area"),
            (15, "referred to another service"),
        ]);
        if self.reason == "did not engage" {
            let mut day = ready.plus(rng.range(3, 10));
            for _ in 0..rng.range(1, 3) {
                let d = workday(day);
                if d >= self.discharge {
                    break;
                }
                self.contacts.push((d, "assertive_engagement"));
                day = day.plus(rng.range(7, 14));
            }
        }
    }

    pub(super) fn accessed(&mut self, rng: &mut Rng, access: Day) {
        self.access = Some(access);
        if rng.chance(0.5) {
            self.contacts.push((access, "face_to_face"));
        }
        // Support starts at access, or after a wait for an ES with room.
        let mut a = access;
        if self.waiting.is_empty() && rng.chance(WAITING_AFTER_ACCESS_SHARE) {
            let start = access.plus(rng.range(1, 7));
            let end = start.plus(rng.range(14, 80) - 1);
            self.waiting
                .push((start, end, start.plus(rng.range(21, 42))));
            a = workday(end.plus(1));
        }
        let story = if !self.employed {
            Story::Unemployed
        } else if rng.chance(RETENTION_SHARE) {
            Story::Retention
        } else {
            Story::NewJobSeeker
        };
        let mut disengages = false;
        match story {
            Story::Unemployed => {
                if rng.chance(FINDS_WORK_SHARE) {
                    let first = workday(a.plus(time_to_job(rng)));
                    self.jobs = job_history(rng, first);
                    let planned = first.plus(rng.range(90, 300));
                    self.close_in_work(rng, planned);
                } else {
                    let (lo, hi) =
                        rng.weighted(&[(25, (45, 150)), (45, (151, 330)), (30, (331, 540))]);
                    self.discharge = workday(a.plus(rng.range(lo, hi)));
                    self.reason = rng.weighted(&[
                        (40, "disengaged"),
                        (15, "moved out of area"),
                        (15, "declined further support"),
                        (15, "health: not ready to work at present"),
                        (10, "referred to another service"),
                        (5, "completed support"),
                    ]);
                    disengages = self.reason == "disengaged";
                }
            }
            Story::Retention => {
                let mut job = retained_job(rng, self.received);
                if rng.chance(0.8) {
                    job.return_to_work = Some(workday(a.plus(rng.range(0, 100))));
                }
                if rng.chance(0.12) {
                    let end = a.plus(rng.range(14, 200));
                    job.end = Some(end);
                    job.return_to_work = job.return_to_work.filter(|r| *r <= end);
                }
                let rtw = job.return_to_work;
                let end = job.end;
                self.jobs.push(job);
                if rng.chance(0.4) {
                    self.engagement.push((a, "in_work_support"));
                }
                match (end, rtw) {
                    (Some(end), _) if rng.chance(0.4) => {
                        let start = workday(end.plus(rng.range(21, 180)));
                        self.jobs.extend(job_history(rng, start));
                        let planned = start.plus(rng.range(30, 120));
                        self.close_in_work(rng, planned);
                    }
                    (Some(end), _) => {
                        self.discharge = workday(end.plus(rng.range(14, 120)));
                        self.reason = "left employment; support ended";
                    }
                    (None, Some(rtw)) => {
                        self.discharge = workday(rtw.plus(rng.range(90, 300)));
                        self.reason = "returned to work";
                    }
                    (None, None) => {
                        self.discharge = workday(a.plus(rng.range(60, 240)));
                        self.reason = rng.pick(&[
                            "unable to return to work at present",
                            "disengaged",
                            "declined further support",
                        ]);
                        disengages = self.reason == "disengaged";
                    }
                }
            }
            Story::NewJobSeeker => {
                let mut job = retained_job(rng, self.received);
                if rng.chance(NEW_JOB_SHARE) {
                    let start = workday(a.plus(rng.range(21, 300)));
                    if rng.chance(0.8) {
                        job.end = Some(start.plus(-rng.range(1, 14)));
                    }
                    self.jobs.push(job);
                    self.jobs.extend(job_history(rng, start));
                    let planned = start.plus(rng.range(30, 150));
                    self.close_in_work(rng, planned);
                } else {
                    self.jobs.push(job);
                    self.discharge = workday(a.plus(rng.range(90, 330)));
                    self.reason = rng.pick(&["completed support", "disengaged"]);
                    disengages = self.reason == "disengaged";
                }
            }
        }
        // Nothing starts after the discharge: later jobs are never recorded.
        self.discharge = self.discharge.max(a.plus(14));
        let discharge = self.discharge;
        self.jobs.retain(|j| j.retained || j.start < discharge);

        self.plan(rng, a);
        self.spells(rng, a, story);
        self.contacts(rng, a, disengages);
    }

    /// Closes the episode of someone who has worked: on `planned` if in work
    /// then, else after the next job (if one comes soon) or without one.
    fn close_in_work(&mut self, rng: &mut Rng, planned: Day) {
        let mut day = workday(planned);
        loop {
            let last_open = day.plus(-1);
            if self.jobs.iter().any(|j| j.working_on(last_open)) {
                self.discharge = day;
                self.reason = rng.weighted(&[
                    (60, "sustained in work"),
                    (30, "in work; no longer needs support"),
                    (10, "moved out of area"),
                ]);
                return;
            }
            let next = self
                .jobs
                .iter()
                .filter(|j| !j.retained && j.start >= day && j.start < day.plus(90))
                .map(|j| j.start)
                .min();
            match next {
                Some(start) => day = workday(start.plus(rng.range(30, 120))),
                None => {
                    self.discharge = day;
                    self.reason = rng.pick(&[
                        "completed support",
                        "declined further support",
                        "disengaged after job ended",
                    ]);
                    return;
                }
            }
        }
    }

    /// The vocational plan, usually agreed at or soon after access.
    fn plan(&mut self, rng: &mut Rng, a: Day) {
        let start = match rng.weighted(&[(90, 0), (6, 1), (4, 2)]) {
            0 => workday(a.plus(rng.range(0, 10))),
            1 => workday(a.plus(rng.range(21, 60))),
            _ => return,
        };
        if start >= self.discharge {
            return;
        }
        let end = self.discharge.plus(-1);
        self.plan = Some((start, rng.chance(0.5).then_some(end)));
    }

    /// Holds, not-seeking-work spells, time abroad and team decisions.
    fn spells(&mut self, rng: &mut Rng, a: Day, story: Story) {
        let last = self.discharge.plus(-1);
        if rng.chance(HOLD_SHARE) && last.since(a) > 60 {
            let start = workday(a.plus(rng.range(21, last.since(a) - 21)));
            let days = if rng.chance(0.6) {
                rng.range(7, 28)
            } else {
                rng.range(29, 90)
            };
            let end = start.plus(days - 1).min(last);
            if end >= start {
                self.holds.push((start, end));
                if end.since(start) >= 35 && rng.chance(0.3) {
                    self.decisions.push((
                        start.plus(28),
                        end,
                        "active",
                        "in hospital; team agreed to keep on the active caseload",
                    ));
                }
            }
        }
        if rng.chance(ABROAD_SHARE) && last.since(a) > 90 {
            let start = workday(a.plus(rng.range(30, last.since(a) - 30)));
            let end = start.plus(rng.range(21, 70)).min(last);
            self.decisions.push((
                start,
                end,
                "inactive",
                "abroad for family reasons; team agreed inactive until return",
            ));
        }
        let first_job = self.jobs.iter().find(|j| !j.retained).map(|j| j.start);
        if story != Story::Retention && rng.chance(NOT_SEEKING_SHARE) && last.since(a) > 60 {
            // Not seeking work for a while: before any new job, back to
            // seeking work (or discharged) in time for it.
            let start = workday(a.plus(rng.range(30, last.since(a) - 15)));
            let back = workday(start.plus(rng.range(30, 150)));
            match first_job {
                Some(job) if back.plus(7) <= job => {
                    self.engagement.push((start, "not_seeking_work"));
                    self.engagement.push((back, "seeking_work"));
                }
                Some(_) => {}
                None => {
                    self.engagement.push((start, "not_seeking_work"));
                    if back < last && rng.chance(0.7) {
                        self.engagement.push((back, "seeking_work"));
                    }
                }
            }
        }
        // Some ES record the move into in-work support.
        if story != Story::Retention && rng.chance(0.5) {
            let first = self
                .jobs
                .iter()
                .find(|j| !j.retained)
                .map(|j| (j.start, j.end));
            if let Some((start, end)) = first {
                self.engagement.push((start, "in_work_support"));
                if let Some(end) = end
                    && end < last
                    && !self.jobs.iter().any(|j| j.working_on(end.plus(1)))
                {
                    self.engagement.push((end.plus(1), "seeking_work"));
                }
            }
        }
        self.engagement.sort_by_key(|(d, _)| *d);
        self.engagement.dedup_by_key(|(d, _)| *d);
    }

    /// The first day after a hold or time abroad covering `day`, if any.
    fn paused_until(&self, day: Day) -> Option<Day> {
        let hold = self.holds.iter().find(|(s, e)| *s <= day && day <= *e);
        let abroad = self
            .decisions
            .iter()
            .find(|(s, e, status, _)| *status == "inactive" && *s <= day && day <= *e);
        let waiting = self.waiting.iter().find(|(s, e, _)| *s <= day && day <= *e);
        hold.map(|(_, e)| *e)
            .into_iter()
            .chain(abroad.map(|(_, e, _, _)| *e))
            .chain(waiting.map(|(_, e, _)| *e))
            .max()
            .map(|e| e.plus(1))
    }

    fn not_seeking_on(&self, day: Day) -> bool {
        self.engagement
            .iter()
            .rev()
            .find(|(d, _)| *d <= day)
            .is_some_and(|(_, s)| *s == "not_seeking_work")
    }

    /// Two-way contacts every one to three weeks (longer apart in work or
    /// when not seeking work), none during holds, the odd gap of four weeks
    /// or more with assertive-engagement attempts, and for people who drift
    /// away, attempts to re-engage before the discharge.
    fn contacts(&mut self, rng: &mut Rng, a: Day, disengages: bool) {
        let last = self.discharge.plus(-1);
        let cut = if disengages {
            self.discharge.plus(-rng.range(35, 84)).max(a)
        } else {
            last
        };
        let mut day = a.plus(rng.range(2, 10));
        let mut last_contact = a;
        while day <= cut {
            if let Some(back) = self.paused_until(day) {
                day = back.plus(rng.range(0, 6));
                continue;
            }
            if rng.chance(GAP_CHANCE) {
                let gap_end = last_contact.plus(rng.range(29, 60));
                if rng.chance(0.7) {
                    let mut attempt = last_contact.plus(rng.range(12, 18));
                    while attempt < gap_end && attempt <= last {
                        self.contacts
                            .push((workday(attempt).min(last), "assertive_engagement"));
                        attempt = attempt.plus(rng.range(5, 10));
                    }
                }
                day = gap_end;
                if day > cut {
                    break;
                }
            }
            let d = workday(day);
            if d > last {
                break;
            }
            let working = self.jobs.iter().any(|j| j.working_on(d));
            let not_seeking = !working && self.not_seeking_on(d);
            let kind = if working {
                rng.weighted(&[
                    (55, "in_work_support"),
                    (20, "face_to_face"),
                    (25, "remote"),
                ])
            } else if rng.chance(0.6) {
                "face_to_face"
            } else {
                "remote"
            };
            self.contacts.push((d, kind));
            last_contact = d;
            day = d.plus(if working {
                rng.range(7, 24)
            } else if not_seeking {
                rng.range(14, 40)
            } else {
                rng.range(4, 18)
            });
        }
        if disengages {
            let mut attempt = last_contact.plus(rng.range(10, 16));
            while attempt < self.discharge {
                self.contacts
                    .push((workday(attempt).min(last), "assertive_engagement"));
                attempt = attempt.plus(rng.range(7, 14));
            }
        }
        self.contacts.sort_by_key(|(d, _)| *d);
        self.contacts.dedup_by_key(|(d, _)| *d);
    }

    /// A few referrals move to a colleague; a leaver's open referrals go to
    /// colleagues the day after they leave.
    pub(super) fn fix_leavers(&mut self, rng: &mut Rng, staffing: &Staffing, es: usize) {
        let s = &staffing.specialists[es];
        if self.access.is_some() && rng.chance(TRANSFER_SHARE) {
            let span = self.discharge.since(self.received);
            if span > 40 {
                let day = workday(self.received.plus(rng.range(14, span - 14)));
                if day < self.discharge
                    && self.transfers.iter().all(|(d, _)| *d < day)
                    && let Some(to) = staffing.colleague(rng, s.team, es, day)
                {
                    self.transfers.push((day, to));
                }
            }
        }
        if let Some(end) = s.end {
            let leave = end.plus(1);
            let holds_it = |day: Day, ep: &Episode| {
                let mut holder = ep.es;
                for (d, to) in &ep.transfers {
                    if *d <= day {
                        holder = Some(*to);
                    }
                }
                holder == Some(es)
            };
            if leave < self.discharge && holds_it(leave, self) {
                self.transfers.retain(|(d, _)| *d < leave);
                if let Some(to) = staffing.colleague(rng, s.team, es, leave) {
                    self.transfers.push((leave, to));
                }
            }
        }
    }
}
