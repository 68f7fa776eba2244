//! One referral: its whole episode of support, simulated as a story in days
//! and then written out as known on the last day of the data.
//!
//! The story is told without looking at `until`: the waiting list, access,
//! the vocational plan, contacts, holds, jobs and discharge all have their
//! days. [`Episode::doc`] then keeps only what is known on `until`: records
//! dated later do not exist yet, and spells, jobs and plans ending later are
//! still running.
//!
//! The module's files, by stage:
//!
//! - `mod.rs`: the shares that shape a story, the [`Episode`] with the named
//!   parts of its story (transfers, contacts, holds, waiting spells,
//!   engagement changes, decisions, in-work checks) and its jobs' types,
//!   [`Episode::simulate`] (waiting list and access), who holds the
//!   referral on a day and the runs of work.
//! - `support.rs`: the story after receipt: allocation, access or not, the
//!   vocational plan, spells (holds, not seeking, abroad), contacts, the
//!   discharge and transfers to colleagues.
//! - `jobs.rs`: jobs: employers, hours, self-employment registration, the
//!   time to a first job and a person's history of jobs.
//! - `follow_up.rs`: [`Episode::records`]: who agreed each team decision
//!   (`agreed_by`) and the in-work checks.
//! - `doc.rs`: [`Episode::doc`]: the referral and its jobs as known on
//!   `until`.

mod doc;
mod follow_up;
mod jobs;
mod support;

use ipstrack_core::Day;
use ipstrack_core::attribution::holder_on;

use crate::rng::Rng;
use crate::staff::Staffing;
use crate::text::workday;

pub(crate) use jobs::EMPLOYERS;

/// Share of referrals in work at referral.
const EMPLOYED_SHARE: f64 = 0.15;
/// Of the employed, the share off work and wanting to keep their job (job
/// retention); the others are in work and looking for a new job.
const RETENTION_SHARE: f64 = 0.65;
/// Share of referrals that start on a waiting list (before access).
const WAITING_LIST_SHARE: f64 = 0.05;
/// Of those on the waiting list, the share who come off it within two months
/// (10 to 60 days); the others wait 61 to 110 days.
const SHORT_WAIT_SHARE: f64 = 0.75;
/// Of those waiting more than three months, the share closed from the
/// waiting list (invited to re-refer) instead of coming off it.
const CLOSED_FROM_WAITING_SHARE: f64 = 0.4;
/// Of those on the waiting list, the share with no ES until they come off
/// it (then allocated); the others have their ES from receipt.
const UNALLOCATED_WAITING_SHARE: f64 = 0.35;
/// Share of the accessed who wait after a first meeting until an ES has room.
const WAITING_AFTER_ACCESS_SHARE: f64 = 0.04;
/// Days from being ready (receipt, or coming off the waiting list) to
/// access, as weighted ranges: within a week, within three weeks, or up to
/// six and a half weeks.
const ACCESS_DELAY_DAYS: [(u32, (i32, i32)); 3] = [(40, (0, 7)), (45, (8, 21)), (15, (22, 45))];
/// Share of referrals (off the waiting list) never accessed.
const NEVER_ACCESSED_SHARE: f64 = 0.10;
/// Share of accessed unemployed people who ever start paid work in the
/// episode; their first job comes within a year of access for most.
const FINDS_WORK_SHARE: f64 = 0.62;
/// Share of the employed looking for a new job who find one.
const NEW_JOB_SHARE: f64 = 0.5;
/// Share of the accessed who go on hold for a while.
const HOLD_SHARE: f64 = 0.10;
/// Share of the accessed (not job retention) who stop seeking work for a while.
const NOT_SEEKING_SHARE: f64 = 0.07;
/// Share of the accessed who go abroad, inactive by a team decision.
const ABROAD_SHARE: f64 = 0.01;
/// Share of the accessed whose referral moves to a colleague (other than
/// when their ES leaves).
const TRANSFER_SHARE: f64 = 0.03;
/// Chance, at each contact, that a gap of four weeks or more follows.
const GAP_CHANCE: f64 = 0.03;

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

/// From `day` the referral is held by ES `to` (a transfer, or the
/// allocation of an unallocated referral).
#[derive(Clone, Copy, Debug)]
struct Transfer {
    day: Day,
    to: usize,
}

/// The vocational plan: agreed on `start`, ended on `end` (if it ends when
/// the referral closes and the ES recorded it).
#[derive(Clone, Copy, Debug)]
struct Plan {
    start: Day,
    end: Option<Day>,
}

/// A two-way contact (or an assertive-engagement attempt) on `day`.
#[derive(Clone, Copy, Debug)]
struct Contact {
    day: Day,
    /// The bundle's contact kind (`face_to_face`, `remote`, …).
    kind: &'static str,
}

/// A hold: the person is on hold from `start` to `end`, both included.
#[derive(Clone, Copy, Debug)]
struct Hold {
    start: Day,
    end: Day,
}

/// A spell on the waiting list, from `start` to `end` (both included), and
/// the day the person was told they would come off it.
#[derive(Clone, Copy, Debug)]
struct WaitingSpell {
    start: Day,
    end: Day,
    expected_return: Day,
}

/// From `day` the person's engagement status is `status` (`seeking_work`,
/// `not_seeking_work`, `in_work_support`).
#[derive(Clone, Copy, Debug)]
struct EngagementChange {
    day: Day,
    status: &'static str,
}

/// A team decision: from `start` to `end` (both included) the referral is
/// counted with `status` (`active` or `inactive`) for `reason`.
#[derive(Clone, Copy, Debug)]
struct Decision {
    start: Day,
    end: Day,
    status: &'static str,
    reason: &'static str,
}

/// An in-work check (SUS-6) recorded on `day`: where the evidence came from
/// and, for some, a note.
#[derive(Clone, Copy, Debug)]
struct InWorkCheck {
    day: Day,
    source: &'static str,
    note: Option<&'static str>,
}

/// A referral's story, in days.
pub(crate) struct Episode {
    received: Day,
    employed: bool,
    /// The ES at receipt; `None` while unallocated.
    es: Option<usize>,
    /// In order of day.
    transfers: Vec<Transfer>,
    access: Option<Day>,
    plan: Option<Plan>,
    contacts: Vec<Contact>,
    holds: Vec<Hold>,
    waiting: Vec<WaitingSpell>,
    engagement: Vec<EngagementChange>,
    decisions: Vec<Decision>,
    /// Who agreed each of `decisions` (see [`Episode::records`]).
    agreed_by: Vec<Vec<String>>,
    /// In-work checks (see [`Episode::records`]).
    checks: Vec<InWorkCheck>,
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
            let days = if rng.chance(SHORT_WAIT_SHARE) {
                rng.range(10, 60)
            } else {
                rng.range(61, 110)
            };
            let end = received.plus(days - 1);
            let expected = received.plus(rng.range(28, 56));
            ep.waiting.push(WaitingSpell {
                start: received,
                end,
                expected_return: expected,
            });
            ready = workday(end.plus(1));
            if days > 91 && rng.chance(CLOSED_FROM_WAITING_SHARE) {
                // Over three months: closed, with an invitation to re-refer.
                ep.discharge = ready;
                ep.reason = "closed from the waiting list; invited to re-refer when ready";
                ep.fix_leavers(rng, staffing, es);
                return ep;
            }
            // Some people waiting have no ES until they come off the list.
            if rng.chance(UNALLOCATED_WAITING_SHARE) {
                ep.allocate(rng, staffing, es, ready);
            }
        }

        if rng.chance(NEVER_ACCESSED_SHARE) {
            ep.never_accessed(rng, ready);
        } else {
            let delay = rng.weighted(&ACCESS_DELAY_DAYS);
            let access = workday(ready.plus(rng.range(delay.0, delay.1)));
            ep.accessed(rng, access);
        }
        ep.fix_leavers(rng, staffing, es);
        ep
    }

    /// the ES holding the referral on `day` (core's rule, over the
    /// story's own ES indexes).
    fn holder_on(&self, day: Day) -> Option<usize> {
        holder_on(
            self.es,
            self.transfers.iter().map(|t| (t.day, t.to)),
            day,
            day,
        )
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
}
