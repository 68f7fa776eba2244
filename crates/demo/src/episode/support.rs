//! The story after receipt: allocation, access, plan, spells, contacts,
//! discharge and transfers.

use ipstrack_core::Day;

use crate::rng::Rng;
use crate::staff::Staffing;
use crate::text::workday;

use super::jobs::{job_history, retained_job, time_to_job};
use super::{
    ABROAD_SHARE, Contact, Decision, EngagementChange, Episode, FINDS_WORK_SHARE, GAP_CHANCE,
    HOLD_SHARE, Hold, NEW_JOB_SHARE, NOT_SEEKING_SHARE, Plan, RETENTION_SHARE, Story,
    TRANSFER_SHARE, Transfer, WAITING_AFTER_ACCESS_SHARE, WaitingSpell,
};

/// Share of the accessed whose access is a face-to-face contact that day.
const CONTACT_AT_ACCESS_SHARE: f64 = 0.5;
/// Days from the start of support to the discharge of an unemployed person
/// who does not find work, as weighted ranges.
const WITHOUT_WORK_DAYS: [(u32, (i32, i32)); 3] =
    [(25, (45, 150)), (45, (151, 330)), (30, (331, 540))];
/// Days from the start of support to the vocational plan, as weighted
/// ranges: within two weeks for most, two to nine weeks for a few, or no
/// plan.
const PLAN_AGREED_DAYS: [(u32, Option<(i32, i32)>); 3] =
    [(90, Some((0, 10))), (6, Some((21, 60))), (4, None)];
/// Job retention: the share who have a return-to-work date.
const RETURN_TO_WORK_SHARE: f64 = 0.8;
/// Job retention: the share whose retained job ends during the episode.
const RETAINED_JOB_ENDS_SHARE: f64 = 0.12;
/// Job retention: the share whose ES records in-work support at access.
const RETENTION_IN_WORK_SUPPORT_SHARE: f64 = 0.4;
/// Job retention: of those whose retained job ends, the share who go on to
/// new jobs.
const NEW_JOB_AFTER_RETAINED_SHARE: f64 = 0.4;
/// Of the employed who find a new job, the share who leave the old one
/// shortly before it starts.
const LEAVES_OLD_JOB_SHARE: f64 = 0.8;
/// Share of vocational plans whose end is recorded at the discharge.
const PLAN_END_RECORDED_SHARE: f64 = 0.5;
/// Of the holds, the share of one to four weeks; the others last 29 to 90
/// days.
const SHORT_HOLD_SHARE: f64 = 0.6;
/// Of the holds of five weeks or more, the share kept on the active caseload
/// by a team decision (from their fifth week).
const HOLD_KEPT_ACTIVE_SHARE: f64 = 0.3;
/// Of those not seeking work (and not in work), the share whose return to
/// seeking work is recorded.
const BACK_TO_SEEKING_SHARE: f64 = 0.7;
/// Share of ES who record the move into in-work support at a first job (and
/// back to seeking work when it ends).
const IN_WORK_SUPPORT_RECORDED_SHARE: f64 = 0.5;
/// In a gap of four weeks or more, the share with assertive-engagement
/// attempts.
const GAP_ATTEMPTS_SHARE: f64 = 0.7;
/// Of the contacts of someone not in work, the share face to face (the
/// others remote).
const FACE_TO_FACE_SHARE: f64 = 0.6;

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
            self.transfers.push(Transfer { day, to });
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
                self.contacts.push(Contact {
                    day: d,
                    kind: "assertive_engagement",
                });
                day = day.plus(rng.range(7, 14));
            }
        }
    }

    pub(super) fn accessed(&mut self, rng: &mut Rng, access: Day) {
        self.access = Some(access);
        if rng.chance(CONTACT_AT_ACCESS_SHARE) {
            self.contacts.push(Contact {
                day: access,
                kind: "face_to_face",
            });
        }
        // Support starts at access, or after a wait for an ES with room.
        let mut a = access;
        if self.waiting.is_empty() && rng.chance(WAITING_AFTER_ACCESS_SHARE) {
            let start = access.plus(rng.range(1, 7));
            let end = start.plus(rng.range(14, 80) - 1);
            self.waiting.push(WaitingSpell {
                start,
                end,
                expected_return: start.plus(rng.range(21, 42)),
            });
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
                    let (lo, hi) = rng.weighted(&WITHOUT_WORK_DAYS);
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
                if rng.chance(RETURN_TO_WORK_SHARE) {
                    job.return_to_work = Some(workday(a.plus(rng.range(0, 100))));
                }
                if rng.chance(RETAINED_JOB_ENDS_SHARE) {
                    let end = a.plus(rng.range(14, 200));
                    job.end = Some(end);
                    job.return_to_work = job.return_to_work.filter(|r| *r <= end);
                }
                let rtw = job.return_to_work;
                let end = job.end;
                self.jobs.push(job);
                if rng.chance(RETENTION_IN_WORK_SUPPORT_SHARE) {
                    self.engagement.push(EngagementChange {
                        day: a,
                        status: "in_work_support",
                    });
                }
                match (end, rtw) {
                    (Some(end), _) if rng.chance(NEW_JOB_AFTER_RETAINED_SHARE) => {
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
                    if rng.chance(LEAVES_OLD_JOB_SHARE) {
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
        let Some((lo, hi)) = rng.weighted(&PLAN_AGREED_DAYS) else {
            return;
        };
        let start = workday(a.plus(rng.range(lo, hi)));
        if start >= self.discharge {
            return;
        }
        let end = self.discharge.plus(-1);
        self.plan = Some(Plan {
            start,
            end: rng.chance(PLAN_END_RECORDED_SHARE).then_some(end),
        });
    }

    /// Holds, not-seeking-work spells, time abroad and team decisions.
    fn spells(&mut self, rng: &mut Rng, a: Day, story: Story) {
        let last = self.discharge.plus(-1);
        if rng.chance(HOLD_SHARE) && last.since(a) > 60 {
            let start = workday(a.plus(rng.range(21, last.since(a) - 21)));
            let days = if rng.chance(SHORT_HOLD_SHARE) {
                rng.range(7, 28)
            } else {
                rng.range(29, 90)
            };
            let end = start.plus(days - 1).min(last);
            if end >= start {
                self.holds.push(Hold { start, end });
                if end.since(start) >= 35 && rng.chance(HOLD_KEPT_ACTIVE_SHARE) {
                    self.decisions.push(Decision {
                        start: start.plus(28),
                        end,
                        status: "active",
                        reason: "in hospital; team agreed to keep on the active caseload",
                    });
                }
            }
        }
        if rng.chance(ABROAD_SHARE) && last.since(a) > 90 {
            let start = workday(a.plus(rng.range(30, last.since(a) - 30)));
            let end = start.plus(rng.range(21, 70)).min(last);
            self.decisions.push(Decision {
                start,
                end,
                status: "inactive",
                reason: "abroad for family reasons; team agreed inactive until return",
            });
        }
        let first_job = self.jobs.iter().find(|j| !j.retained).map(|j| j.start);
        if story != Story::Retention && rng.chance(NOT_SEEKING_SHARE) && last.since(a) > 60 {
            // Not seeking work for a while: before any new job, back to
            // seeking work (or discharged) in time for it.
            let start = workday(a.plus(rng.range(30, last.since(a) - 15)));
            let back = workday(start.plus(rng.range(30, 150)));
            match first_job {
                Some(job) if back.plus(7) <= job => {
                    self.engagement.push(EngagementChange {
                        day: start,
                        status: "not_seeking_work",
                    });
                    self.engagement.push(EngagementChange {
                        day: back,
                        status: "seeking_work",
                    });
                }
                Some(_) => {}
                None => {
                    self.engagement.push(EngagementChange {
                        day: start,
                        status: "not_seeking_work",
                    });
                    if back < last && rng.chance(BACK_TO_SEEKING_SHARE) {
                        self.engagement.push(EngagementChange {
                            day: back,
                            status: "seeking_work",
                        });
                    }
                }
            }
        }
        // Some ES record the move into in-work support.
        if story != Story::Retention && rng.chance(IN_WORK_SUPPORT_RECORDED_SHARE) {
            let first = self
                .jobs
                .iter()
                .find(|j| !j.retained)
                .map(|j| (j.start, j.end));
            if let Some((start, end)) = first {
                self.engagement.push(EngagementChange {
                    day: start,
                    status: "in_work_support",
                });
                if let Some(end) = end
                    && end < last
                    && !self.jobs.iter().any(|j| j.working_on(end.plus(1)))
                {
                    self.engagement.push(EngagementChange {
                        day: end.plus(1),
                        status: "seeking_work",
                    });
                }
            }
        }
        self.engagement.sort_by_key(|e| e.day);
        self.engagement.dedup_by_key(|e| e.day);
    }

    /// The first day after a hold or time abroad covering `day`, if any.
    fn paused_until(&self, day: Day) -> Option<Day> {
        let hold = self.holds.iter().find(|h| h.start <= day && day <= h.end);
        let abroad = self
            .decisions
            .iter()
            .find(|d| d.status == "inactive" && d.start <= day && day <= d.end);
        let waiting = self.waiting.iter().find(|w| w.start <= day && day <= w.end);
        hold.map(|h| h.end)
            .into_iter()
            .chain(abroad.map(|d| d.end))
            .chain(waiting.map(|w| w.end))
            .max()
            .map(|e| e.plus(1))
    }

    fn not_seeking_on(&self, day: Day) -> bool {
        self.engagement
            .iter()
            .rev()
            .find(|e| e.day <= day)
            .is_some_and(|e| e.status == "not_seeking_work")
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
                if rng.chance(GAP_ATTEMPTS_SHARE) {
                    let mut attempt = last_contact.plus(rng.range(12, 18));
                    while attempt < gap_end && attempt <= last {
                        self.contacts.push(Contact {
                            day: workday(attempt).min(last),
                            kind: "assertive_engagement",
                        });
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
            } else if rng.chance(FACE_TO_FACE_SHARE) {
                "face_to_face"
            } else {
                "remote"
            };
            self.contacts.push(Contact { day: d, kind });
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
                self.contacts.push(Contact {
                    day: workday(attempt).min(last),
                    kind: "assertive_engagement",
                });
                attempt = attempt.plus(rng.range(7, 14));
            }
        }
        self.contacts.sort_by_key(|c| c.day);
        self.contacts.dedup_by_key(|c| c.day);
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
                    && self.transfers.iter().all(|t| t.day < day)
                    && let Some(to) = staffing.colleague(rng, s.team, es, day)
                {
                    self.transfers.push(Transfer { day, to });
                }
            }
        }
        if let Some(end) = s.end {
            let leave = end.plus(1);
            if leave < self.discharge && self.holder_on(leave) == Some(es) {
                self.transfers.retain(|t| t.day < leave);
                if let Some(to) = staffing.colleague(rng, s.team, es, leave) {
                    self.transfers.push(Transfer { day: leave, to });
                }
            }
        }
    }
}
