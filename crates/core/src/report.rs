//! The report (`ipstrack-report/1`): per-referral facts aggregated by ES, team
//! and service for a period, as known on an as-of date.
//!
//! One flow: each referral is derived once ([`ReferralFacts`]): who it is
//! credited to on each event's day, its caseload status, job outcomes,
//! runs and milestones. The facts are then added up by ES, team and service.
//! Counts of people are distinct clients within each ES, team or service.

use serde::Serialize;

use crate::bundle::Warning;
use crate::caseload::status_on;
use crate::jobs::{Outcome, milestone_day, milestones, outcomes, runs};
use crate::model::{ClientIdx, Dataset, Fte, Group, Referral, Role, Staff, StaffIdx};
use crate::policy::{Policy, basis_to_f64};
use crate::targets::{
    CaseloadStanding, PlanYears, Status, access_target, caseload_standing, count_status,
    fidelity_caseload_score, per_fte, rate, rate_status, round_target, share_of,
};
use crate::time::{Day, DayRange, Period};

/// The `format` value of a report.
pub const REPORT_FORMAT: &str = "ipstrack-report/1";

/// Why a report cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("as-of date {as_of} is before the period's start {start}")]
    AsOfBeforePeriod { as_of: Day, start: Day },
}

/// The KPI report of formats.md.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "ipstrack-report/1"))]
    pub format: &'static str,
    pub period: PeriodOut,
    pub as_of: Day,
    pub service: Kpis,
    pub teams: Vec<TeamKpis>,
    pub specialists: Vec<SpecialistKpis>,
    pub warnings: Vec<Warning>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodOut {
    pub start: Day,
    pub end: Day,
    pub label: String,
}

/// A count split by employment status at referral.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ByGroup {
    pub unemployed: u32,
    pub employed: u32,
}

impl ByGroup {
    fn from(counts: [u32; 2]) -> ByGroup {
        ByGroup {
            unemployed: counts[0],
            employed: counts[1],
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sustained {
    pub w13: ByGroup,
    pub w26: ByGroup,
    pub w52: ByGroup,
}

/// CASE-2 and CASE-3.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caseload {
    pub date: Day,
    pub active: u32,
    pub open: u32,
    pub on_hold: u32,
    pub waiting_list: u32,
    pub carried_over: u32,
    pub active_per_fte: Option<f64>,
}

impl Caseload {
    /// CASE-4 *(rev. 2)*: this caseload of ES `staff` against the policy's
    /// band and fidelity limit per FTE; `None` when the ES is not in post on
    /// the caseload day (CASE-2: no FTE).
    pub fn standing(&self, staff: &Staff, policy: &Policy) -> Option<CaseloadStanding> {
        if staff.role != Role::Es || !staff.in_post_on(self.date) {
            return None;
        }
        caseload_standing(self.open, self.active, staff.fte, policy)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub numerator: u32,
    pub denominator: u32,
    pub value: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SustainmentRate {
    pub numerator: u32,
    pub denominator: u32,
    pub pending: u32,
    pub value: Option<f64>,
}

/// A KPI block: the figures of an ES, a team or the service.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kpis {
    pub referrals: ByGroup,
    pub access: ByGroup,
    pub people_into_work: ByGroup,
    pub job_starts: ByGroup,
    pub sustained: Sustained,
    pub caseload: Caseload,
    pub job_outcome_rate: Rate,
    pub sustainment_rate_13w: SustainmentRate,
    pub working_rate: Rate,
    pub fidelity_caseload_score: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamKpis {
    pub id: String,
    #[serde(flatten)]
    pub kpis: Kpis,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialistKpis {
    pub id: String,
    pub team: String,
    #[serde(flatten)]
    pub kpis: Kpis,
    pub targets: Targets,
}

/// An ES's performance-plan targets for the period (TGT-1..3).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Targets {
    pub year: u8,
    pub access: f64,
    pub access_to_date: f64,
    pub people_into_work: f64,
    /// TGT-2 to the as-of date: the figure the `on_track` status of people
    /// into work is judged by. Not part of `ipstrack-report/1` (the
    /// performance-plan page shows it).
    #[serde(skip)]
    pub people_into_work_to_date: f64,
    pub job_outcome_rate: f64,
    pub sustainment_rate_13w: f64,
    pub status: TargetStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetStatus {
    pub access: Option<Status>,
    pub people_into_work: Option<Status>,
    pub job_outcome_rate: Option<Status>,
    pub sustainment_rate_13w: Option<Status>,
}

/// The days a report looks at (T-3).
#[derive(Clone, Copy, Debug)]
struct Window {
    period: DayRange,
    as_of: Day,
    /// Events are counted in the period only up to the as-of date.
    counted: DayRange,
    /// Point-in-time figures are taken on min(as-of, period end).
    point: Day,
}

/// the ES assigned to the referral on `day` (transfers known on `as_of`).
pub fn assigned_on(r: &Referral, day: Day, as_of: Day) -> Option<StaffIdx> {
    let mut es = r.es;
    let mut latest: Option<Day> = None;
    for t in &r.transfers {
        if t.date <= day && t.date <= as_of && latest.is_none_or(|d| t.date >= d) {
            es = Some(t.es);
            latest = Some(t.date);
        }
    }
    es
}

fn group_index(g: Group) -> usize {
    match g {
        Group::Unemployed => 0,
        Group::Employed => 1,
    }
}

/// Plain counts (not of distinct people) for one ES, team or the service.
#[derive(Clone, Debug, Default)]
struct Tally {
    referrals: [u32; 2],
    job_starts: [u32; 2],
    active: u32,
    open: u32,
    on_hold: u32,
    waiting_list: u32,
    carried_over: u32,
    sustainment_numerator: u32,
    sustainment_denominator: u32,
    sustainment_pending: u32,
}

/// The counts of distinct people, one slot each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum People {
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

const PEOPLE_SLOTS: usize = 14;

impl People {
    fn slot(self) -> usize {
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
struct CohortEntry<'a> {
    client: ClientIdx,
    /// The first job outcome's start.
    start: Day,
    referral: &'a str,
    /// The ES assigned to the referral on `start`.
    es: Option<StaffIdx>,
    /// The referral achieved a 13-week outcome on or before the as-of date.
    achieved: bool,
}

/// Credits events to an ES, its team and the service.
struct Ledger<'a> {
    data: &'a Dataset,
    es: Vec<Tally>,
    teams: Vec<Tally>,
    service: Tally,
    /// (slot, ES, client): people credited, before counting distinct clients.
    people: Vec<(u8, Option<StaffIdx>, ClientIdx)>,
    /// RATE-2 candidates, taken together per client at the end.
    cohort: Vec<CohortEntry<'a>>,
}

impl<'a> Ledger<'a> {
    fn new(data: &'a Dataset) -> Ledger<'a> {
        Ledger {
            data,
            es: vec![Tally::default(); data.staff.len()],
            teams: vec![Tally::default(); data.teams.len()],
            service: Tally::default(),
            people: Vec::new(),
            cohort: Vec::new(),
        }
    }

    fn credit(&mut self, es: Option<StaffIdx>, add: impl Fn(&mut Tally)) {
        add(&mut self.service);
        if let Some(es) = es {
            add(&mut self.es[es as usize]);
            add(&mut self.teams[self.data.staff[es as usize].team as usize]);
        }
    }

    fn person(&mut self, what: People, es: Option<StaffIdx>, client: ClientIdx) {
        self.people.push((what.slot() as u8, es, client));
    }

    /// RATE-2 *(rev. 2)*: each client of the cohort once, from their earliest
    /// first job outcome in the period (ties: the referral whose id sorts
    /// first as text), credited to the ES assigned to that referral on that
    /// day; mature when that start + 90 days has come by the as-of date,
    /// achieved when any of the client's cohort referrals reached 13 weeks.
    fn settle_cohort(&mut self, as_of: Day) {
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
    fn count_people(
        &mut self,
    ) -> (
        Vec<[u32; PEOPLE_SLOTS]>,
        Vec<[u32; PEOPLE_SLOTS]>,
        [u32; PEOPLE_SLOTS],
    ) {
        let mut es_counts = vec![[0; PEOPLE_SLOTS]; self.data.staff.len()];
        let mut team_counts = vec![[0; PEOPLE_SLOTS]; self.data.teams.len()];
        let mut service = [0; PEOPLE_SLOTS];
        // Keys are (owner, slot, client); owner u32::MAX is the service.
        let mut keys: Vec<(u32, u8, ClientIdx)> = Vec::with_capacity(self.people.len());
        let count = |keys: &mut Vec<(u32, u8, ClientIdx)>, out: &mut dyn FnMut(u32, usize)| {
            keys.sort_unstable();
            keys.dedup();
            for (owner, slot, _) in keys.iter() {
                out(*owner, *slot as usize);
            }
            keys.clear();
        };
        keys.extend(
            self.people
                .iter()
                .filter_map(|(s, es, c)| es.map(|es| (es, *s, *c))),
        );
        count(&mut keys, &mut |owner, slot| {
            es_counts[owner as usize][slot] += 1
        });
        let staff = &self.data.staff;
        keys.extend(
            self.people
                .iter()
                .filter_map(|(s, es, c)| es.map(|es| (staff[es as usize].team, *s, *c))),
        );
        count(&mut keys, &mut |owner, slot| {
            team_counts[owner as usize][slot] += 1
        });
        keys.extend(self.people.iter().map(|(s, _, c)| (u32::MAX, *s, *c)));
        count(&mut keys, &mut |_, slot| service[slot] += 1);
        (es_counts, team_counts, service)
    }
}

/// Adds one referral's facts to the ledger: every figure of the referral is
/// derived here, once.
fn add_referral<'a>(ledger: &mut Ledger<'a>, r: &'a Referral, w: &Window) {
    let data = ledger.data;
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

    // CASE-2 on the point day, CASE-3 on the day before the period.
    if r.received <= w.point {
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
    let before = w.period.start.plus(-1);
    if r.received <= before && status_on(r, before, policy).active {
        ledger.credit(es_on(before), |t| t.carried_over += 1);
    }

    // JOB-4, JOB-5
    let outcomes: Vec<Outcome> = outcomes(r, w.as_of, policy);
    for o in outcomes.iter().filter(|o| w.counted.contains(o.start)) {
        ledger.credit(es_on(o.start), |t| t.job_starts[g] += 1);
    }
    let first = outcomes.first().map(|o| o.start);
    let first_in_period = first.filter(|f| w.counted.contains(*f));
    if let Some(f) = first_in_period {
        ledger.person(People::IntoWork(r.status_at_referral), es_on(f), r.client);
    }

    // SUS-1..5
    let runs = runs(r, &outcomes, w.as_of, policy);
    let milestones = milestones(&runs);
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
        ledger.cohort.push(CohortEntry {
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

fn rate_figure(numerator: u32, denominator: u32) -> Rate {
    Rate {
        numerator,
        denominator,
        value: rate(numerator, denominator).map(basis_to_f64),
    }
}

fn kpis(t: &Tally, people: &[u32; PEOPLE_SLOTS], point: Day, fte: u64, score: Option<u8>) -> Kpis {
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

/// Makes the report of `period` as known on `as_of` (T-3).
pub fn report(
    data: &Dataset,
    warnings: &[Warning],
    period: &Period,
    as_of: Day,
) -> Result<Report, ReportError> {
    if as_of < period.start {
        return Err(ReportError::AsOfBeforePeriod {
            as_of,
            start: period.start,
        });
    }
    let w = Window {
        period: period.days(),
        as_of,
        counted: DayRange::new(period.start, period.end.min(as_of)),
        point: period.end.min(as_of),
    };
    let mut ledger = Ledger::new(data);
    for r in data.referrals.iter().filter(|r| r.received <= as_of) {
        add_referral(&mut ledger, r, &w);
    }
    ledger.settle_cohort(as_of);
    let (es_people, team_people, service_people) = ledger.count_people();
    let policy = &data.policy;

    // FTE in post on the point day (CASE-2).
    let is_es = |i: usize| data.staff[i].role == Role::Es;
    let fte_on_point = |i: usize| {
        let s = &data.staff[i];
        if is_es(i) && s.in_post_on(w.point) {
            u64::from(s.fte.0)
        } else {
            0
        }
    };
    let mut team_fte = vec![0_u64; data.teams.len()];
    for i in 0..data.staff.len() {
        team_fte[data.staff[i].team as usize] += fte_on_point(i);
    }

    let mut specialists: Vec<SpecialistKpis> = (0..data.staff.len())
        .filter(|&i| is_es(i))
        .filter(|&i| {
            let s = &data.staff[i];
            s.start_date <= period.end && s.end_date.is_none_or(|e| e >= period.start)
        })
        .map(|i| {
            let s = &data.staff[i];
            let fte = fte_on_point(i);
            let t = &ledger.es[i];
            let score = fidelity_caseload_score(t.active, Fte(fte as u32), policy);
            let kpis = kpis(t, &es_people[i], w.point, fte, score);
            let targets = targets(data, i, &kpis, period, &w);
            SpecialistKpis {
                id: s.id.clone(),
                team: data.teams[s.team as usize].id.clone(),
                kpis,
                targets,
            }
        })
        .collect();
    specialists.sort_by(|a, b| a.id.cmp(&b.id));

    let mut teams: Vec<TeamKpis> = data
        .teams
        .iter()
        .enumerate()
        .map(|(i, team)| TeamKpis {
            id: team.id.clone(),
            kpis: kpis(
                &ledger.teams[i],
                &team_people[i],
                w.point,
                team_fte[i],
                None,
            ),
        })
        .collect();
    teams.sort_by(|a, b| a.id.cmp(&b.id));

    let service = kpis(
        &ledger.service,
        &service_people,
        w.point,
        team_fte.iter().sum(),
        None,
    );
    let mut warnings = warnings.to_vec();
    warnings.sort();
    Ok(Report {
        format: REPORT_FORMAT,
        period: PeriodOut {
            start: period.start,
            end: period.end,
            label: period.label.clone(),
        },
        as_of,
        service,
        teams,
        specialists,
        warnings,
    })
}

/// TGT-1..3 for one ES.
fn targets(data: &Dataset, es: usize, kpis: &Kpis, period: &Period, w: &Window) -> Targets {
    let policy = &data.policy;
    let staff = &data.staff[es];
    let start = data.service.start_date;
    let access = access_target(staff, start, policy, w.period);
    let access_to_date = access_target(
        staff,
        start,
        policy,
        DayRange::new(period.start, period.end.min(w.as_of)),
    );
    let into_work = share_of(access, policy.job_outcome_rate_target);
    let into_work_to_date = share_of(access_to_date, policy.job_outcome_rate_target);
    Targets {
        year: PlanYears::new(staff, start, policy).year_on(period.end),
        access: round_target(access),
        access_to_date: round_target(access_to_date),
        people_into_work: round_target(into_work),
        people_into_work_to_date: round_target(into_work_to_date),
        job_outcome_rate: basis_to_f64(policy.job_outcome_rate_target),
        sustainment_rate_13w: basis_to_f64(policy.sustainment_rate_target),
        status: TargetStatus {
            access: Some(count_status(
                kpis.access.unemployed,
                round_target(access),
                round_target(access_to_date),
            )),
            people_into_work: Some(count_status(
                kpis.people_into_work.unemployed,
                round_target(into_work),
                round_target(into_work_to_date),
            )),
            job_outcome_rate: rate_status(
                rate(
                    kpis.job_outcome_rate.numerator,
                    kpis.job_outcome_rate.denominator,
                ),
                policy.job_outcome_rate_target,
            ),
            sustainment_rate_13w: rate_status(
                rate(
                    kpis.sustainment_rate_13w.numerator,
                    kpis.sustainment_rate_13w.denominator,
                ),
                policy.sustainment_rate_target,
            ),
        },
    }
}

/// What differs between a report as submitted and the same report now, figure
/// by figure (`teams[t1].access.unemployed: 3 → 4`), for explaining a revision.
/// Reports are compared as JSON values; warnings are left out.
pub fn figure_changes(submitted: &serde_json::Value, now: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn walk(path: &str, then: &Value, now: &Value, out: &mut Vec<String>) {
        match (then, now) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in a {
                    if path.is_empty() && k == "warnings" {
                        continue;
                    }
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, v, b.get(k).unwrap_or(&Value::Null), out);
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                for item in a {
                    let id = item.get("id").and_then(Value::as_str).unwrap_or("?");
                    let other = b
                        .iter()
                        .find(|x| x.get("id").and_then(Value::as_str) == Some(id))
                        .unwrap_or(&Value::Null);
                    walk(&format!("{path}[{id}]"), item, other, out);
                }
            }
            _ if then != now => out.push(format!("{path}: {then} → {now}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", submitted, now, &mut out);
    out
}
