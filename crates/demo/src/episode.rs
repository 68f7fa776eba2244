//! One referral: its whole episode of support, simulated as a story in days
//! and then written out as known on the last day of the data.
//!
//! The story is told without looking at `until`: the waiting list, access,
//! the vocational plan, contacts, holds, jobs and discharge all have their
//! days. [`Episode::doc`] then keeps only what is known on `until`: records
//! dated later do not exist yet, and spells, jobs and plans ending later are
//! still running.

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    ContactDoc, DecisionDoc, DischargeDoc, EngagementDoc, InWorkCheckDoc, JobDoc, PlanDoc,
    ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
};

use crate::rng::Rng;
use crate::staff::Staffing;
use crate::text::{DayTexts, hours, workday};

/// Share of referrals in work at referral.
const EMPLOYED_SHARE: f64 = 0.15;
/// Of the employed, the share off work and wanting to keep their job (job
/// retention); the others are in work and looking for a new job.
const RETENTION_SHARE: f64 = 0.65;
/// Share of referrals that start on a waiting list (before access), and of
/// the accessed who wait after a first meeting until an ES has room.
const WAITING_LIST_SHARE: f64 = 0.05;
const WAITING_AFTER_ACCESS_SHARE: f64 = 0.04;
/// Share of referrals (off the waiting list) never accessed.
const NEVER_ACCESSED_SHARE: f64 = 0.10;
/// Share of accessed unemployed people who ever start paid work in the
/// episode; their first job comes within a year of access for most.
const FINDS_WORK_SHARE: f64 = 0.62;
/// Share of the employed looking for a new job who find one.
const NEW_JOB_SHARE: f64 = 0.5;
const HOLD_SHARE: f64 = 0.10;
const NOT_SEEKING_SHARE: f64 = 0.07;
const ABROAD_SHARE: f64 = 0.01;
const TRANSFER_SHARE: f64 = 0.03;
/// Chance, at each contact, that a gap of four weeks or more follows.
const GAP_CHANCE: f64 = 0.03;
/// Share of self-employment registered with HMRC, as a sole trader or a
/// company, with the evidence seen (JOB-1); the others are not registered
/// yet (not an outcome: a BAD-2 warning).
const SELF_EMPLOYMENT_REGISTERED: f64 = 0.85;
const SOLE_TRADER_EVIDENCE: [&str; 3] = [
    "UTR seen",
    "HMRC letter confirming the UTR seen",
    "Self Assessment registration and UTR seen",
];
const COMPANY_EVIDENCE: [&str; 2] = [
    "Companies House certificate and UTR seen",
    "Corporation Tax UTR seen",
];

/// After the discharge, the share of people still in work at 13, 26 and 52
/// weeks after the start of their work (the run's first job) whose team
/// records an in-work check then (SUS-6, SUS-7).
const FOLLOW_UP: [(i32, f64); 3] = [(13, 0.80), (26, 0.65), (52, 0.40)];
/// While the referral is open, the share of those milestones with a check
/// recorded all the same (a payslip seen at a meeting).
const OPEN_CHECK_SHARE: f64 = 0.2;
/// Of the checks, the share dated a few days before the milestone (too
/// early to show it: the worklist still asks for one).
const EARLY_CHECK_SHARE: f64 = 0.08;
/// Of the checks, the share with a note.
const CHECK_NOTE_SHARE: f64 = 0.3;
const CHECK_SOURCES: [(u32, &str); 4] = [
    (45, "payslip"),
    (33, "employer"),
    (18, "client"),
    (4, "other"),
];
/// Who agrees a team decision with the ES, besides the team lead.
const OTHERS_AGREEING: [&str; 3] = [
    "Care coordinator",
    "Consultant psychiatrist",
    "CMHT manager",
];

/// A short note of an in-work check by its source.
fn check_note(rng: &mut Rng, source: &str) -> &'static str {
    match source {
        "payslip" => rng.pick(&[
            "Payslip seen",
            "Photo of last month's payslip sent by text",
            "Payslip seen; hours as contracted",
        ]),
        "employer" => rng.pick(&[
            "Manager confirmed by phone",
            "HR confirmed still employed",
            "Employer email: doing well",
        ]),
        "client" => rng.pick(&[
            "Client confirmed by text",
            "Phone call with client: going well",
            "Client says hours have gone up",
        ]),
        _ => rng.pick(&[
            "Care coordinator confirmed at review",
            "Confirmed at CPA review",
        ]),
    }
}

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

/// Hours of a job, in hundredths.
#[derive(Clone, Copy, Debug)]
enum JobHours {
    /// Contracted hours per week.
    Fixed(u32),
    /// Hours worked in each of the first four weeks (zero-hours and
    /// self-employed work).
    Weekly([u32; 4]),
}

#[derive(Clone, Debug)]
struct Job {
    kind: &'static str,
    employer: &'static str,
    start: Day,
    /// The last day worked; `None` while still in the job.
    end: Option<Day>,
    hours: JobHours,
    confirmed: Option<Day>,
    registration: Option<&'static str>,
    /// What shows the self-employment is registered (JOB-1).
    evidence: Option<&'static str>,
    retained: bool,
    return_to_work: Option<Day>,
}

impl Job {
    fn covers(&self, day: Day) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// In work on `day`: a new job, or a retained one after the return to work.
    fn working_on(&self, day: Day) -> bool {
        self.covers(day) && (!self.retained || self.return_to_work.is_some_and(|r| r <= day))
    }
}

/// A referral's story, in days.
pub(crate) struct Episode {
    received: Day,
    employed: bool,
    es: Option<usize>,
    transfers: Vec<(Day, usize)>,
    access: Option<Day>,
    plan: Option<(Day, Option<Day>)>,
    contacts: Vec<(Day, &'static str)>,
    holds: Vec<(Day, Day)>,
    waiting: Vec<(Day, Day, Day)>,
    engagement: Vec<(Day, &'static str)>,
    decisions: Vec<(Day, Day, &'static str, &'static str)>,
    /// Who agreed each of `decisions` (see [`Episode::records`]).
    agreed_by: Vec<Vec<String>>,
    /// In-work checks: day, source, note (see [`Episode::records`]).
    checks: Vec<(Day, &'static str, Option<&'static str>)>,
    /// The day the referral closes (possibly after `until`: still open).
    discharge: Day,
    reason: &'static str,
    jobs: Vec<Job>,
}

/// What shapes an accessed person's support.
#[derive(Clone, Copy, PartialEq)]
enum Story {
    Unemployed,
    Retention,
    NewJobSeeker,
}

impl Episode {
    /// The day the referral closes, if it has closed by `until`.
    pub(crate) fn discharged_by(&self, until: Day) -> Option<Day> {
        (self.discharge <= until).then_some(self.discharge)
    }

    /// Simulates the referral received on `received` by ES `es`.
    pub(crate) fn simulate(rng: &mut Rng, staffing: &Staffing, received: Day, es: usize) -> Self {
        let mut ep = Episode {
            received,
            employed: rng.chance(EMPLOYED_SHARE),
            es: Some(es),
            transfers: Vec::new(),
            access: None,
            plan: None,
            contacts: Vec::new(),
            holds: Vec::new(),
            waiting: Vec::new(),
            engagement: Vec::new(),
            decisions: Vec::new(),
            agreed_by: Vec::new(),
            checks: Vec::new(),
            discharge: received,
            reason: "",
            jobs: Vec::new(),
        };
        let mut ready = received;
        if rng.chance(WAITING_LIST_SHARE) {
            let days = if rng.chance(0.75) {
                rng.range(10, 60)
            } else {
                rng.range(61, 110)
            };
            let end = received.plus(days - 1);
            let expected = received.plus(rng.range(28, 56));
            ep.waiting.push((received, end, expected));
            ready = workday(end.plus(1));
            if days > 91 && rng.chance(0.4) {
                // Over three months: closed, with an invitation to re-refer.
                ep.discharge = ready;
                ep.reason = "closed from the waiting list; invited to re-refer when ready";
                ep.fix_leavers(rng, staffing, es);
                return ep;
            }
            // Some people waiting have no ES until they come off the list.
            if rng.chance(0.35) {
                ep.allocate(rng, staffing, es, ready);
            }
        }

        if rng.chance(NEVER_ACCESSED_SHARE) {
            ep.never_accessed(rng, ready);
        } else {
            let delay = rng.weighted(&[(40, (0, 7)), (45, (8, 21)), (15, (22, 45))]);
            let access = workday(ready.plus(rng.range(delay.0, delay.1)));
            ep.accessed(rng, access);
        }
        ep.fix_leavers(rng, staffing, es);
        ep
    }

    /// What the team records beside the story, from `rng` (a stream of its
    /// own, so the story and every other record are the same with or without
    /// them): who agreed each team decision — the ES assigned that day (or,
    /// unallocated, the team lead) and one or two others — and in-work
    /// checks. After the discharge, most people still in work are followed
    /// up at about 13 and 26 weeks after the start of their work, fewer at
    /// 52 ([`FOLLOW_UP`]); while the referral is open a check is recorded
    /// now and then. Sources are mostly payslips and employers, some the
    /// person; some checks have a note.
    pub(crate) fn records(&mut self, rng: &mut Rng, staffing: &Staffing, es: usize) {
        self.agreed_by = self
            .decisions
            .iter()
            .map(|(start, ..)| {
                let holder = self
                    .transfers
                    .iter()
                    .filter(|(d, _)| d <= start)
                    .map(|(_, to)| Some(*to))
                    .next_back()
                    .unwrap_or(self.es);
                let team = staffing.specialists[holder.unwrap_or(es)].team;
                let mut names = Vec::new();
                if let Some(h) = holder {
                    names.push(staffing.es_name(h));
                }
                if holder.is_none() || rng.chance(0.85) {
                    names.push(staffing.lead_name(team));
                }
                if names.len() < 2 || rng.chance(0.4) {
                    names.push(rng.pick(&OTHERS_AGREEING).to_string());
                }
                names
            })
            .collect();

        for run_start in self.run_starts() {
            for (weeks, share) in FOLLOW_UP {
                let milestone = run_start.plus(7 * weeks - 1);
                if !self.working_on(milestone) {
                    continue;
                }
                let after_discharge = milestone >= self.discharge;
                if !rng.chance(if after_discharge {
                    share
                } else {
                    OPEN_CHECK_SHARE
                }) {
                    continue;
                }
                let day = if rng.chance(EARLY_CHECK_SHARE) {
                    milestone.plus(-rng.range(2, 10))
                } else {
                    let d = workday(milestone.plus(rng.range(0, 20)));
                    if self.working_on(d) { d } else { milestone }
                };
                let source = rng.weighted(&CHECK_SOURCES);
                let note = rng
                    .chance(CHECK_NOTE_SHARE)
                    .then(|| check_note(rng, source));
                self.checks.push((day, source, note));
            }
        }
        self.checks.sort_by_key(|(d, ..)| *d);
        self.checks.dedup_by_key(|(d, ..)| *d);
    }

    /// In work on `day` (any job).
    fn working_on(&self, day: Day) -> bool {
        self.jobs.iter().any(|j| j.working_on(day))
    }

    /// The first days of the runs of work (SUS-1): a retained job from its
    /// return to work, breaks of fewer than six weeks joining jobs.
    fn run_starts(&self) -> Vec<Day> {
        let mut spells: Vec<(Day, Option<Day>)> = self
            .jobs
            .iter()
            .filter_map(|j| {
                let start = if j.retained {
                    j.return_to_work?
                } else {
                    j.start
                };
                j.end.is_none_or(|e| start <= e).then_some((start, j.end))
            })
            .collect();
        spells.sort_by_key(|(s, _)| *s);
        let mut starts = Vec::new();
        // The last worked day of the current run; `None` while open-ended.
        let mut last: Option<Option<Day>> = None;
        for (start, end) in spells {
            let joins = match last {
                None => false,
                Some(None) => true,
                Some(Some(l)) => start.since(l) - 1 < 42,
            };
            if joins {
                last = Some(match (last.flatten(), end) {
                    (Some(l), Some(e)) => Some(l.max(e)),
                    _ => None,
                });
            } else {
                starts.push(start);
                last = Some(end);
            }
        }
        starts
    }

    /// Unallocated at receipt (waiting list), allocated on `day` to `es` or,
    /// if they are no longer in post, a colleague.
    fn allocate(&mut self, rng: &mut Rng, staffing: &Staffing, es: usize, day: Day) {
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
    fn never_accessed(&mut self, rng: &mut Rng, ready: Day) {
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

    fn accessed(&mut self, rng: &mut Rng, access: Day) {
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
    fn fix_leavers(&mut self, rng: &mut Rng, staffing: &Staffing, es: usize) {
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

    /// The referral as known on `until`.
    pub(crate) fn doc(
        &self,
        id: String,
        client: String,
        staffing: &Staffing,
        texts: &DayTexts,
        until: Day,
    ) -> ReferralDoc {
        let t = |d: Day| texts.of(d);
        let known = |d: Day| d <= until;
        let end_as_known = |e: Day| known(e).then(|| t(e));
        let discharged = known(self.discharge);
        let es_id = |i: usize| staffing.specialists[i].id.clone();
        let jobs = self
            .jobs
            .iter()
            .filter(|j| known(j.start))
            .enumerate()
            .map(|(n, j)| job_doc(j, format!("{id}j{}", n + 1), texts, until))
            .collect();
        ReferralDoc {
            client,
            received: t(self.received),
            status_at_referral: if self.employed {
                "employed"
            } else {
                "unemployed"
            }
            .into(),
            es: self.es.map(es_id),
            transfers: Some(
                self.transfers
                    .iter()
                    .filter(|(d, _)| known(*d))
                    .map(|(d, to)| TransferDoc {
                        date: t(*d),
                        es: es_id(*to),
                    })
                    .collect(),
            ),
            access: self.access.filter(|a| known(*a)).map(t),
            vocational_plan: self.plan.filter(|(s, _)| known(*s)).map(|(s, e)| PlanDoc {
                start: t(s),
                end: e.filter(|_| discharged).and_then(end_as_known),
                ..PlanDoc::default()
            }),
            contacts: Some(
                self.contacts
                    .iter()
                    .filter(|(d, _)| known(*d))
                    .map(|(d, kind)| ContactDoc {
                        date: t(*d),
                        kind: (*kind).into(),
                        mechanism: None,
                        note: None,
                    })
                    .collect(),
            ),
            holds: Some(
                self.holds
                    .iter()
                    .filter(|(s, _)| known(*s))
                    .map(|(s, e)| SpellDoc {
                        start: t(*s),
                        end: end_as_known(*e),
                    })
                    .collect(),
            ),
            waiting_list: Some(
                self.waiting
                    .iter()
                    .filter(|(s, _, _)| known(*s))
                    .map(|(s, e, expected)| WaitingSpellDoc {
                        start: t(*s),
                        end: end_as_known(*e),
                        expected_return: end_as_known(*expected),
                    })
                    .collect(),
            ),
            engagement: Some(
                self.engagement
                    .iter()
                    .filter(|(d, _)| known(*d))
                    .map(|(d, status)| EngagementDoc {
                        date: t(*d),
                        status: (*status).into(),
                    })
                    .collect(),
            ),
            decisions: Some(
                self.decisions
                    .iter()
                    .zip(&self.agreed_by)
                    .filter(|((s, _, _, _), _)| known(*s))
                    .map(|((s, e, status, reason), agreed_by)| DecisionDoc {
                        start: t(*s),
                        end: end_as_known(*e),
                        status: (*status).into(),
                        reason: Some((*reason).into()),
                        agreed_by: agreed_by.clone(),
                    })
                    .collect(),
            ),
            discharge: discharged.then(|| DischargeDoc {
                date: t(self.discharge),
                reason: Some(self.reason.into()),
            }),
            jobs: Some(jobs),
            in_work_checks: self
                .checks
                .iter()
                .filter(|(d, ..)| known(*d))
                .map(|(d, source, note)| InWorkCheckDoc {
                    date: t(*d),
                    source: (*source).into(),
                    note: note.map(str::to_string),
                })
                .collect(),
            id,
        }
    }
}

fn job_doc(j: &Job, id: String, texts: &DayTexts, until: Day) -> JobDoc {
    let known = |d: Day| d <= until;
    let (hours_per_week, weekly_hours) = match j.hours {
        JobHours::Fixed(h) => (Some(hours(h)), None),
        JobHours::Weekly(weeks) => {
            // Week k (from 1) is recorded once its last day has come, while
            // the job lasted into it.
            let recorded = (1..=4_i32)
                .take_while(|k| {
                    known(j.start.plus(7 * k - 1))
                        && j.end.is_none_or(|e| j.start.plus(7 * (k - 1)) <= e)
                })
                .count();
            let list: Vec<_> = weeks[..recorded].iter().map(|h| hours(*h)).collect();
            (None, (!list.is_empty()).then_some(list))
        }
    };
    JobDoc {
        id,
        kind: j.kind.into(),
        employer: Some(j.employer.into()),
        start: texts.of(j.start),
        end: j.end.filter(|e| known(*e)).map(|e| texts.of(e)),
        hours_per_week,
        weekly_hours,
        four_hours_confirmed: j.confirmed.filter(|d| known(*d)).map(|d| texts.of(d)),
        self_employment_registration: j.registration.map(str::to_string),
        self_employment_evidence: j.evidence.map(str::to_string),
        retained: Some(j.retained),
        return_to_work: j.return_to_work.filter(|d| known(*d)).map(|d| texts.of(d)),
    }
}

/// Days from access to the first job: rapid job search finds most people
/// work within a few months; some take a year or more.
fn time_to_job(rng: &mut Rng) -> i32 {
    let (lo, hi) = rng.weighted(&[(40, (14, 90)), (38, (91, 200)), (22, (201, 420))]);
    rng.range(lo, hi)
}

/// A job held at referral (retained), started years before.
fn retained_job(rng: &mut Rng, received: Day) -> Job {
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
        *w = if rng.chance(0.08) {
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
            if rng.chance(0.7) {
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
        .chance(0.25)
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

/// Days in a job: some short, most long, some still going.
fn job_length(rng: &mut Rng) -> Option<i32> {
    match rng.weighted(&[(40, 0), (42, 1), (18, 2)]) {
        0 => Some(rng.range(7, 110)),
        1 => Some(rng.range(121, 900)),
        _ => None,
    }
}

/// The jobs of someone starting work on `first`: a short job now and then,
/// further jobs after breaks either side of six weeks, the odd second job
/// alongside the first.
fn job_history(rng: &mut Rng, first: Day) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut start = first;
    loop {
        let job = new_job(rng, start);
        let end = job.end;
        jobs.push(job);
        if jobs.len() == 1 && rng.chance(0.05) {
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
        if jobs.len() >= 4 || !rng.chance(0.55) {
            break;
        }
        let gap = if rng.chance(0.45) {
            rng.range(1, 41)
        } else {
            rng.range(42, 160)
        };
        start = workday(end.plus(gap));
    }
    jobs
}
