//! A deterministic generator of realistic IPS services, for demos, tests and
//! benchmarks.
//!
//! [`generate`] makes a whole service as a data bundle (`ipstrack-bundle/1`)
//! that passes BAD-1 validation. What it looks like:
//!
//! - **Service and staff.** The service started six years before the data.
//!   Teams `t1…` of 6 to 10 Employment Specialists `es1…` ("Specialist 12"),
//!   each with a team lead `lead1…` (role `team_lead`, no caseload). Most ES
//!   have been in post for years, full-time; about one in six works
//!   part-time (FTE 0.5–0.8); about 12% start during the data (one always in
//!   the last year, so year-1 targets show) and about 6% leave, their open
//!   referrals transferred to colleagues the day after they go.
//! - **Referrals.** About 29.5 new referrals a year per full-time ES (about 27
//!   per ES, counting part-timers), on weekdays, received from the first day
//!   of the data: the first financial year builds the caseloads up from
//!   nothing, later years are close to steady state, with about 20 open
//!   (accessed) referrals per full-time ES, nine in ten of them active.
//!   2,000 ES over two years give about 100,000 referrals. A few percent are
//!   re-referrals of someone discharged at least two months before. Clients
//!   `c1…` have a unique, valid NHS number from the range kept for testing
//!   (999…) or none.
//! - **Support.** 85% of people are unemployed at referral; the others are in
//!   work (two thirds job retention: a retained job started years before and,
//!   for most, a return-to-work date; the rest looking for a new job, which
//!   half of them find). Some wait on a waiting list before access (a third
//!   of them unallocated until they come off it, a few closed after three
//!   months) or after a first meeting until an ES has room. Most get access
//!   within days or weeks; about one in ten never do. A vocational plan
//!   usually starts at access. Two-way contacts (face to face, remote,
//!   in-work support) come every one to three weeks, with the odd gap of four
//!   weeks or more and assertive-engagement attempts; some people go on hold
//!   (some for more than four weeks, a few kept active by a team decision
//!   with its reason), stop seeking work for a while, go abroad (an inactive
//!   team decision), or drift away and are discharged after attempts to
//!   re-engage. A few referrals move to a colleague.
//! - **Work.** About 60% of the unemployed people accessed start paid work,
//!   half within about four months and nearly all within a year (job outcome
//!   rate about 35% in a steady year): employee jobs (contracted hours
//!   4–37.5), zero-hours and self-employed work (hours of the first four
//!   weeks, in quarter hours; self-employment registered as a sole trader
//!   or company with the evidence seen ("UTR seen"), about 15% not yet
//!   registered: BAD-2 warnings, not outcomes), apprenticeships and paid
//!   placements. There are short jobs, further jobs after breaks either side
//!   of six weeks, the odd second job alongside the first, some four-hours
//!   confirmations, and many jobs still running. People in work are
//!   discharged after some months of in-work support; their jobs go on
//!   (sustainment after discharge), and the team records in-work checks
//!   (SUS-6): of those still in work, about 80% at 13 weeks after the start
//!   of their work, 65% at 26 and 40% at 52 (mostly a payslip or the
//!   employer, some the person; some with a note; a few a little early);
//!   now and then one while the referral is open.
//! - **Team decisions** name who agreed them (ENG-3): the ES assigned that
//!   day and one or two others (the team lead, a care coordinator …).
//! - **Employers.** Over the last twelve weeks each ES makes two to seven
//!   employer contacts a week (visits, calls, emails), from their own random
//!   stream: the case data is the same with or without them.
//! - **Time.** Nothing is dated after `until`: the story of each referral is
//!   told in full and then cut at `until`, so later contacts, jobs and
//!   discharges do not exist yet and longer spells, plans and jobs are still
//!   open. The only warnings (BAD-2) are unregistered self-employment and
//!   variable-hours jobs started in the last week, with no week recorded yet.
//!
//! The same [`DemoOptions`] always give the same bundle, byte for byte.

mod employers;
mod episode;
mod people;
mod rng;
mod staff;
mod text;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use ipstrack_core::Day;
use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, ClientDoc, ServiceDoc};
use ipstrack_core::time::financial_year_range;

use episode::Episode;
use people::People;
use rng::Rng;
use text::{DayTexts, NhsNumbers};

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Number of Employment Specialists.
    pub specialists: u32,
    /// Financial years of data, the last one containing `until` (at least 1).
    pub years: u32,
    /// Seed of the random stream: the same options give the same bundle.
    pub seed: u64,
    /// Nothing is dated after this day (open spells simply have no end).
    pub until: Day,
}

impl DemoOptions {
    /// The national-scale service the benchmarks and scale test measure:
    /// 2,000 ES over two financial years to `until` (seed 1, about 100,000
    /// referrals).
    pub fn national(until: Day) -> DemoOptions {
        DemoOptions {
            specialists: 2_000,
            years: 2,
            seed: 1,
            until,
        }
    }
}

/// Share of referrals that are re-referrals of someone discharged before.
const RE_REFERRAL_SHARE: f64 = 0.05;
/// A re-referral comes at least this many days after the discharge.
const RE_REFERRAL_AFTER_DAYS: i32 = 60;
/// Share of clients with an NHS number recorded.
const NHS_NUMBER_SHARE: f64 = 0.75;
/// Years the service ran before the data starts.
const SERVICE_YEARS_BEFORE: i32 = 6;

/// A new referral: received on `received` by the ES `es` (an index into the
/// staffing's specialists). Ordered by day, then ES.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Intake {
    received: Day,
    es: usize,
}

/// Someone discharged, who may be re-referred to their team `team` from
/// `returns_from` on. Ordered by that day first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Discharged {
    returns_from: Day,
    team: usize,
    client: usize,
}

/// The first day of the data: 1 April of the first of `years` financial
/// years ending with the one containing `until`.
pub fn data_start(years: u32, until: Day) -> Day {
    let back = i16::try_from(years.max(1) - 1).unwrap_or(i16::MAX);
    financial_year_range(until.financial_year().saturating_sub(back)).start
}

/// Generates a service (see the crate documentation for what it looks like).
pub fn generate(options: &DemoOptions) -> BundleDoc {
    let until = options.until;
    let mut rng = Rng::new(options.seed);
    let data_start = data_start(options.years, until);
    let service_start = data_start.plus_months(-12 * SERVICE_YEARS_BEFORE);
    let texts = DayTexts::new(data_start.plus(-5_100).min(service_start), until);

    let staffing = staff::staffing(
        &mut rng,
        options.specialists,
        service_start,
        data_start,
        until,
    );
    let mut intake: Vec<Intake> = Vec::new();
    for (es, s) in staffing.specialists.iter().enumerate() {
        intake.extend(
            staff::intake(&mut rng, s, data_start, until)
                .into_iter()
                .map(|received| Intake { received, es }),
        );
    }
    intake.sort_unstable();

    let mut nhs = NhsNumbers::new(rng.range(0, 999_999) as u32);
    let mut clients: Vec<ClientDoc> = Vec::new();
    let mut people = People::new(options.seed);
    let mut referrals = Vec::with_capacity(intake.len());
    // What teams record beside each story (in-work checks, who agreed a
    // decision) comes from a stream of its own: the stories are the same
    // with or without it.
    let mut records = Rng::new(options.seed ^ 0x7265_636f_7264_7321);
    // People discharged, waiting to be re-referred (earliest first), and
    // those who may be now, by team.
    let mut discharged: BinaryHeap<Reverse<Discharged>> = BinaryHeap::new();
    let mut returning: Vec<Vec<usize>> = vec![Vec::new(); staffing.teams.len()];

    for Intake { received, es } in intake {
        while let Some(Reverse(r)) = discharged.peek().copied() {
            if r.returns_from > received {
                break;
            }
            discharged.pop();
            returning[r.team].push(r.client);
        }
        let team = staffing.specialists[es].team;
        let client = if !returning[team].is_empty() && rng.chance(RE_REFERRAL_SHARE) {
            let k = rng.index(returning[team].len());
            returning[team].swap_remove(k)
        } else {
            let nhs_number = rng.chance(NHS_NUMBER_SHARE).then(|| nhs.next());
            let id = format!("c{}", clients.len() + 1);
            clients.push(people.client(id, nhs_number, received));
            clients.len() - 1
        };
        let mut episode = Episode::simulate(&mut rng, &staffing, received, es);
        episode.records(&mut records, &staffing, es);
        if let Some(day) = episode.discharged_by(until) {
            discharged.push(Reverse(Discharged {
                returns_from: day.plus(RE_REFERRAL_AFTER_DAYS),
                team,
                client,
            }));
        }
        referrals.push(episode.doc(
            format!("r{}", referrals.len() + 1),
            clients[client].id.clone(),
            &staffing,
            &texts,
            until,
        ));
    }

    BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service: ServiceDoc {
            name: "Demo IPS Service".into(),
            start_date: service_start.to_string(),
        },
        policy: None,
        teams: staffing.teams.clone(),
        staff: staffing.docs(),
        clients,
        referrals,
        employer_contacts: employers::employer_contacts(options.seed, &staffing.specialists, until),
        fidelity_reviews: Vec::new(),
        referral_versions: Default::default(),
    }
}
