//! The ledger: each referral's facts credited to its ES, their team and the
//! service, and the KPI blocks made from it.

use super::chunks::{Stage, fetch_ahead, in_chunks};
use super::figures::{ByGroup, Caseload, Kpis, Rate, Sustained, SustainmentRate};
use crate::attribution::assigned_on;
use crate::caseload::status_on;
use crate::jobs::{Derivation, milestone_day};
use crate::model::{ClientIdx, Dataset, Group, Referral, StaffIdx};
use crate::policy::basis_to_f64;
use crate::targets::{per_fte, rate};
use crate::time::{Day, DayRange, Period, financial_year_range};

/// The days a report looks at (T-3).
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub(super) period: DayRange,
    pub(super) as_of: Day,
    /// Events are counted in the period only up to the as-of date.
    pub(super) counted: DayRange,
    /// Point-in-time figures are taken on min(as-of, period end).
    pub(super) point: Day,
}

impl Window {
    /// The days of `period` as known on `as_of` (not before its start).
    pub(super) fn new(period: &Period, as_of: Day) -> Window {
        Window {
            period: period.days(),
            as_of,
            counted: DayRange::new(period.start, period.end.min(as_of)),
            point: period.end.min(as_of),
        }
    }
}

pub(super) fn group_index(g: Group) -> usize {
    match g {
        Group::Unemployed => 0,
        Group::Employed => 1,
    }
}

/// Plain counts (not of distinct people) for one ES, team or the service.
#[derive(Clone, Debug, Default)]
pub(super) struct Tally {
    referrals: [u32; 2],
    job_starts: [u32; 2],
    pub(super) active: u32,
    open: u32,
    on_hold: u32,
    waiting_list: u32,
    carried_over: u32,
    sustainment_numerator: u32,
    sustainment_denominator: u32,
    sustainment_pending: u32,
}

impl Tally {
    /// Adds `other`'s counts to these.
    pub(super) fn add(&mut self, other: &Tally) {
        for g in 0..2 {
            self.referrals[g] += other.referrals[g];
            self.job_starts[g] += other.job_starts[g];
        }
        self.active += other.active;
        self.open += other.open;
        self.on_hold += other.on_hold;
        self.waiting_list += other.waiting_list;
        self.carried_over += other.carried_over;
        self.sustainment_numerator += other.sustainment_numerator;
        self.sustainment_denominator += other.sustainment_denominator;
        self.sustainment_pending += other.sustainment_pending;
    }
}

/// The counts of distinct people, one slot each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum People {
    /// ACC-2.
    Access(Group),
    /// JOB-4.
    IntoWork(Group),
    /// SUS-3 *(rev. 2)*: people reaching a 13-, 26- or 52-week milestone
    /// (index 0, 1, 2) in the period.
    Sustained(usize, Group),
    /// RATE-3 denominator: unemployed people supported.
    Supported,
    /// RATE-1 denominator *(rev. 2)*: unemployed people supported through a
    /// referral whose first job outcome did not start before the period.
    SeekingWork,
    /// RATE-1 numerator: people seeking work whose referral's first job
    /// outcome started in the period.
    SeekingWorkIntoWork,
    /// RATE-3 numerator.
    SupportedWorking,
}

pub(super) const PEOPLE_SLOTS: usize = 14;

impl People {
    pub(super) fn slot(self) -> usize {
        match self {
            People::Access(g) => group_index(g),
            People::IntoWork(g) => 2 + group_index(g),
            People::Sustained(weeks, g) => 4 + 2 * weeks + group_index(g),
            People::Supported => 10,
            People::SeekingWork => 11,
            People::SeekingWorkIntoWork => 12,
            People::SupportedWorking => 13,
        }
    }
}

/// RATE-2 *(rev. 2)*: one unemployed referral whose first job outcome started
/// in the period, before the client's referrals are taken together.
#[derive(Clone, Debug)]
pub(super) struct CohortEntry<'a> {
    pub(super) client: ClientIdx,
    /// The first job outcome's start.
    pub(super) start: Day,
    pub(super) referral: &'a str,
    /// The ES assigned to the referral on `start`.
    pub(super) es: Option<StaffIdx>,
    /// The referral achieved a 13-week outcome on or before the as-of date.
    pub(super) achieved: bool,
}

/// Where a referral's facts go as they are derived: straight into a
/// [`Ledger`] (a report made whole), or kept as the referral's
/// [`super::facts::Facts`] (a report made again after a save).
pub(super) trait Credits<'a> {
    /// Counts added to the ES `es` held the referral on the event's day
    /// (`None`: no ES), their team and the service.
    fn credit(&mut self, es: Option<StaffIdx>, add: impl Fn(&mut Tally));
    /// A person counted once per ES, team and service however often.
    fn person(&mut self, what: People, es: Option<StaffIdx>, client: ClientIdx);
    /// A RATE-2 candidate, taken together with the client's others.
    fn cohort(&mut self, entry: CohortEntry<'a>);
}

/// Credits events to an ES, its team and the service.
pub(super) struct Ledger<'a> {
    pub(super) data: &'a Dataset,
    pub(super) es: Vec<Tally>,
    pub(super) teams: Vec<Tally>,
    pub(super) service: Tally,
    /// What no ES held (unallocated referrals): the service's, no team's.
    pub(super) unallocated: Tally,
    /// (slot, ES, client): people credited, before counting distinct clients.
    people: Vec<(u8, Option<StaffIdx>, ClientIdx)>,
    /// RATE-2 candidates, taken together per client at the end.
    cohort: Vec<CohortEntry<'a>>,
}

impl<'a> Ledger<'a> {
    pub(super) fn new(data: &'a Dataset) -> Ledger<'a> {
        Ledger {
            data,
            es: vec![Tally::default(); data.staff.len()],
            teams: vec![Tally::default(); data.teams.len()],
            service: Tally::default(),
            unallocated: Tally::default(),
            people: Vec::new(),
            cohort: Vec::new(),
        }
    }

    /// The ledgers of the same data added together in one pass, room made
    /// once: each person and cohort entry is copied once (a tree of
    /// pairwise merges copied them again at each level).
    pub(super) fn sum(data: &'a Dataset, ledgers: Vec<Ledger<'a>>) -> Ledger<'a> {
        let mut ledgers = ledgers.into_iter();
        let Some(mut all) = ledgers.next() else {
            return Ledger::new(data);
        };
        let rest: Vec<Ledger<'a>> = ledgers.collect();
        all.people
            .reserve(rest.iter().map(|l| l.people.len()).sum());
        all.cohort
            .reserve(rest.iter().map(|l| l.cohort.len()).sum());
        for ledger in rest {
            all.merge(ledger);
        }
        all
    }

    /// Adds another ledger of the same data to this one.
    pub(super) fn merge(&mut self, other: Ledger<'a>) {
        let pairs = self.es.iter_mut().zip(&other.es);
        for (mine, theirs) in pairs.chain(self.teams.iter_mut().zip(&other.teams)) {
            mine.add(theirs);
        }
        self.service.add(&other.service);
        self.unallocated.add(&other.unallocated);
        self.people.extend(other.people);
        self.cohort.extend(other.cohort);
    }

    /// RATE-2 *(rev. 2)*: each client of the cohort once, from their earliest
    /// first job outcome in the period (ties: the referral whose id sorts
    /// first as text), credited to the ES assigned to that referral on that
    /// day; mature when that start + 90 days has come by the as-of date,
    /// achieved when any of the client's cohort referrals reached 13 weeks.
    pub(super) fn settle_cohort(&mut self, as_of: Day) {
        let mut cohort = std::mem::take(&mut self.cohort);
        cohort
            .sort_by(|a, b| (a.client, a.start, a.referral).cmp(&(b.client, b.start, b.referral)));
        for person in cohort.chunk_by(|a, b| a.client == b.client) {
            let first = &person[0];
            let mature = milestone_day(first.start, 13) <= as_of;
            let achieved = person.iter().any(|c| c.achieved);
            self.credit(first.es, |t| {
                if mature {
                    t.sustainment_denominator += 1;
                    t.sustainment_numerator += u32::from(achieved);
                } else {
                    t.sustainment_pending += 1;
                }
            });
        }
    }

    /// Distinct clients per slot for each ES, each team and the service.
    /// The people credited are put in order of client first (a counting
    /// sort: clients are numbered densely), then each client's few are
    /// told apart by (level, owner, slot): no sort of the whole list.
    pub(super) fn count_people(
        &mut self,
    ) -> (
        Vec<[u32; PEOPLE_SLOTS]>,
        Vec<[u32; PEOPLE_SLOTS]>,
        [u32; PEOPLE_SLOTS],
    ) {
        let mut es_counts = vec![[0; PEOPLE_SLOTS]; self.data.staff.len()];
        let mut team_counts = vec![[0; PEOPLE_SLOTS]; self.data.teams.len()];
        let mut service = [0; PEOPLE_SLOTS];
        let clients = self.data.clients.len();
        // starts[c]..starts[c + 1]: client c's entries in `by_client`.
        let mut starts = vec![0_usize; clients + 1];
        for (_, _, c) in &self.people {
            starts[c.index() + 1] += 1;
        }
        for c in 0..clients {
            starts[c + 1] += starts[c];
        }
        let mut next = starts.clone();
        let mut by_client = vec![(0_u8, None); self.people.len()];
        for (slot, es, c) in &self.people {
            by_client[next[c.index()]] = (*slot, *es);
            next[c.index()] += 1;
        }
        const ES: u8 = 0;
        const TEAM: u8 = 1;
        const SERVICE: u8 = 2;
        let staff = &self.data.staff;
        let mut keys: Vec<(u8, u32, u8)> = Vec::new();
        for c in 0..clients {
            let entries = &by_client[starts[c]..starts[c + 1]];
            if entries.is_empty() {
                continue;
            }
            keys.clear();
            for (slot, es) in entries {
                if let Some(es) = es {
                    keys.push((ES, es.0, *slot));
                    keys.push((TEAM, staff[es.index()].team.0, *slot));
                }
                keys.push((SERVICE, 0, *slot));
            }
            keys.sort_unstable();
            keys.dedup();
            for &(level, owner, slot) in &keys {
                let (owner, slot) = (owner as usize, slot as usize);
                match level {
                    ES => es_counts[owner][slot] += 1,
                    TEAM => team_counts[owner][slot] += 1,
                    _ => service[slot] += 1,
                }
            }
        }
        (es_counts, team_counts, service)
    }

    /// Distinct clients per slot credited to no ES (unallocated).
    pub(super) fn count_unallocated_people(&self) -> [u32; PEOPLE_SLOTS] {
        let mut keys: Vec<(u8, ClientIdx)> = self
            .people
            .iter()
            .filter(|(_, es, _)| es.is_none())
            .map(|(s, _, c)| (*s, *c))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut out = [0; PEOPLE_SLOTS];
        for (slot, _) in keys {
            out[slot as usize] += 1;
        }
        out
    }
}

impl<'a> Credits<'a> for Ledger<'a> {
    fn credit(&mut self, es: Option<StaffIdx>, add: impl Fn(&mut Tally)) {
        add(&mut self.service);
        match es {
            Some(es) => {
                add(&mut self.es[es.index()]);
                add(&mut self.teams[self.data.staff_member(es).team.index()]);
            }
            None => add(&mut self.unallocated),
        }
    }

    fn person(&mut self, what: People, es: Option<StaffIdx>, client: ClientIdx) {
        self.people.push((what.slot() as u8, es, client));
    }

    fn cohort(&mut self, entry: CohortEntry<'a>) {
        self.cohort.push(entry);
    }
}

/// Which referrals a tally reads: every one of the service's, or those at
/// some positions in [`Dataset::referrals`] (a part's).
#[derive(Clone, Copy, Debug)]
pub(super) enum Among<'a> {
    Service,
    Positions(&'a [usize]),
}

/// The referrals `among` that count (ERR-1) and were received by the as-of
/// date, each derived once and credited over window `w`: the ledger and the
/// distinct people per ES, team and the service. Which referrals count is
/// decided on the threads too (reading each referral's record is most of
/// the cost of looking at it).
pub(super) fn tally<'a>(data: &'a Dataset, among: Among<'a>, w: &Window) -> Tallied<'a> {
    let add_if = |ledger: &mut Ledger<'a>, room: &mut Derivation<'a>, r: &'a Referral| {
        if r.is_counted() && r.received <= w.as_of {
            add_referral(ledger, room, data, r, w);
        }
    };
    let ledger = match among {
        Among::Service => side_by_side(
            data,
            &data.referrals,
            |l, d, r| add_if(l, d, r),
            |r, stage| fetch_ahead(r, stage),
        ),
        Among::Positions(at) => side_by_side(
            data,
            at,
            |l, d, &at| add_if(l, d, &data.referrals[at]),
            |&at, stage| fetch_ahead(&data.referrals[at], stage),
        ),
    };
    settle(ledger, w)
}

/// A ledger of `items`, each added by `add`: chunks of them side by side
/// ([`in_chunks`]), each into a ledger of its own (with room to derive a
/// referral in, reused through the chunk), then the ledgers added
/// together. The order of people and cohort entries does not matter: both
/// are sorted before they are counted.
pub(super) fn side_by_side<'a, 'i, T: Sync>(
    data: &'a Dataset,
    items: &'i [T],
    add: impl Fn(&mut Ledger<'a>, &mut Derivation<'a>, &'i T) + Sync,
    fetch_ahead: impl Fn(&'i T, Stage) + Sync,
) -> Ledger<'a> {
    let chunks = in_chunks(
        items,
        || (Ledger::new(data), Derivation::default()),
        |(ledger, room), item| add(ledger, room, item),
        fetch_ahead,
    );
    Ledger::sum(data, chunks.into_iter().map(|(ledger, _)| ledger).collect())
}

/// The ledger's cohort taken together and its people counted distinct.
pub(super) fn settle<'a>(mut ledger: Ledger<'a>, w: &Window) -> Tallied<'a> {
    ledger.settle_cohort(w.as_of);
    let (es, teams, service) = ledger.count_people();
    (ledger, es, teams, service)
}

/// A ledger and the distinct people per ES, team and the service.
pub(super) type Tallied<'a> = (
    Ledger<'a>,
    Vec<[u32; PEOPLE_SLOTS]>,
    Vec<[u32; PEOPLE_SLOTS]>,
    [u32; PEOPLE_SLOTS],
);

/// CASE-3 *(rev. 3)*: cases are carried over from the previous financial
/// year: those active on the last day before the financial year containing
/// `period_start` (F − 1), whatever part of the year the period is.
pub fn carried_over_day(period_start: Day) -> Day {
    financial_year_range(period_start.financial_year())
        .start
        .plus(-1)
}

/// Adds one referral's facts to the ledger: every figure of the referral is
/// derived here, once (its outcomes, runs and milestones in `room`).
pub(super) fn add_referral<'a>(
    ledger: &mut impl Credits<'a>,
    room: &mut Derivation<'a>,
    data: &Dataset,
    r: &'a Referral,
    w: &Window,
) {
    let policy = &data.policy;
    let g = group_index(r.status_at_referral);
    let unemployed = r.status_at_referral == Group::Unemployed;
    let es_on = |day: Day| assigned_on(r, day, w.as_of);

    // REF-1
    if w.counted.contains(r.received) {
        ledger.credit(es_on(r.received), |t| t.referrals[g] += 1);
    }
    // ACC-2
    let access = r.access.filter(|a| *a <= w.as_of);
    if let Some(a) = access.filter(|a| w.counted.contains(*a)) {
        ledger.person(People::Access(r.status_at_referral), es_on(a), r.client);
    }

    // CASE-2 on the point day; CASE-3 (rev. 3) on the day before the
    // financial year the period starts in.
    // A referral closed on the day has no status to count: status_on (a
    // tenth of a report's time) is not asked.
    let held_on = |day: Day| r.received <= day && r.discharge.as_ref().is_none_or(|d| d.date > day);
    if held_on(w.point) {
        let status = status_on(r, w.point, policy);
        if status.received {
            ledger.credit(es_on(w.point), |t| {
                t.open += u32::from(status.open);
                t.active += u32::from(status.active);
                t.on_hold += u32::from(status.on_hold);
                t.waiting_list += u32::from(status.waiting_list);
            });
        }
    }
    let before = carried_over_day(w.period.start);
    if held_on(before) && status_on(r, before, policy).active {
        ledger.credit(es_on(before), |t| t.carried_over += 1);
    }

    // JOB-4, JOB-5; SUS-1..5
    room.derive(r, w.as_of, policy);
    let Derivation {
        outcomes,
        milestones,
        ..
    } = &*room;
    for o in outcomes.iter().filter(|o| w.counted.contains(o.start)) {
        ledger.credit(es_on(o.start), |t| t.job_starts[g] += 1);
    }
    let first = outcomes.first().map(|o| o.start);
    let first_in_period = first.filter(|f| w.counted.contains(*f));
    if let Some(f) = first_in_period {
        ledger.person(People::IntoWork(r.status_at_referral), es_on(f), r.client);
    }

    // SUS-3 (rev. 2): people, counted distinct per ES, team and service.
    for m in milestones.iter().filter(|m| w.counted.contains(m.achieved)) {
        let slot = match m.weeks {
            13 => 0,
            26 => 1,
            _ => 2,
        };
        ledger.person(
            People::Sustained(slot, r.status_at_referral),
            es_on(m.run_start),
            r.client,
        );
    }

    if !unemployed {
        return;
    }
    // RATE-2 (rev. 2): taken together per client in `Ledger::settle_cohort`.
    if let Some(f) = first_in_period {
        ledger.cohort(CohortEntry {
            client: r.client,
            start: f,
            referral: &r.id,
            es: es_on(f),
            achieved: milestones.iter().any(|m| m.weeks == 13),
        });
    }
    // RATE-1, RATE-3: open and accessed on at least one day of the period (up to A).
    if let Some(a) = access {
        let closed = r
            .discharge
            .as_ref()
            .map(|d| d.date)
            .filter(|d| *d <= w.as_of);
        let first_day = w.counted.start.max(a);
        let last_day = closed.map_or(w.counted.end, |d| w.counted.end.min(d.plus(-1)));
        if first_day <= last_day {
            let es = es_on(last_day);
            ledger.person(People::Supported, es, r.client);
            // RATE-1 (rev. 2): someone already moved into work before the
            // period is in in-work support, not seeking work.
            if first.is_none_or(|f| f >= w.period.start) {
                ledger.person(People::SeekingWork, es, r.client);
                if first_in_period.is_some() {
                    ledger.person(People::SeekingWorkIntoWork, es, r.client);
                }
            }
            if outcomes
                .iter()
                .any(|o| o.start <= w.counted.end && o.last_worked >= w.counted.start)
            {
                ledger.person(People::SupportedWorking, es, r.client);
            }
        }
    }
}

pub(super) fn rate_figure(numerator: u32, denominator: u32) -> Rate {
    Rate {
        numerator,
        denominator,
        value: rate(numerator, denominator).map(basis_to_f64),
    }
}

pub(super) fn kpis(
    t: &Tally,
    people: &[u32; PEOPLE_SLOTS],
    point: Day,
    fte: u64,
    score: Option<u8>,
) -> Kpis {
    let n = |what: People| people[what.slot()];
    let by_group = |what: fn(Group) -> People| {
        ByGroup::from([n(what(Group::Unemployed)), n(what(Group::Employed))])
    };
    Kpis {
        referrals: ByGroup::from(t.referrals),
        access: by_group(People::Access),
        people_into_work: by_group(People::IntoWork),
        job_starts: ByGroup::from(t.job_starts),
        sustained: Sustained {
            w13: by_group(|g| People::Sustained(0, g)),
            w26: by_group(|g| People::Sustained(1, g)),
            w52: by_group(|g| People::Sustained(2, g)),
        },
        caseload: Caseload {
            date: point,
            active: t.active,
            open: t.open,
            on_hold: t.on_hold,
            waiting_list: t.waiting_list,
            carried_over: t.carried_over,
            active_per_fte: per_fte(t.active, fte),
        },
        job_outcome_rate: rate_figure(n(People::SeekingWorkIntoWork), n(People::SeekingWork)),
        sustainment_rate_13w: SustainmentRate {
            numerator: t.sustainment_numerator,
            denominator: t.sustainment_denominator,
            pending: t.sustainment_pending,
            value: rate(t.sustainment_numerator, t.sustainment_denominator).map(basis_to_f64),
        },
        working_rate: rate_figure(n(People::SupportedWorking), n(People::Supported)),
        fidelity_caseload_score: score,
    }
}
