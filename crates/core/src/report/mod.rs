//! The report (`ipstrack-report/1`): per-referral facts aggregated by ES, team
//! and service for a period, as known on an as-of date.
//!
//! One flow: each referral is derived once (the `ledger`): who it is
//! credited to on each event's day, its caseload status, job outcomes,
//! runs and milestones. The facts are then added up by ES, team and service.
//! Counts of people are distinct clients within each ES, team or service.

mod among;
mod chunks;
mod facts;
mod figures;
mod ledger;
mod part;
mod targets;
mod trends;

pub use among::kpis_among;
pub use figures::{
    ByGroup, Caseload, Kpis, PeriodOut, REPORT_FORMAT, Rate, Report, ReportError, SpecialistKpis,
    Sustained, SustainmentRate, TargetStatus, Targets, TeamKpis, YearToDate,
};
pub use ledger::carried_over_day;
pub use part::{Part, PartReferrals, PartReport, parts_reading_client, report_of_part};
pub use trends::{MonthTrend, PartTrends, QuarterTrend, trends_of_part};

use rayon::prelude::*;

use crate::bundle::Warning;
use crate::model::{Dataset, Fte, Role, StaffIdx, TeamIdx};
use crate::targets::fidelity_caseload_score;
use crate::time::{Day, Period};
use facts::WindowFacts;
use ledger::{Among, Tallied, Window, kpis, tally};
use targets::{targets, years_to_date};

pub use targets::year_to_date_period;

/// R-2 for a return's "not allocated to a team" row: the figures of what no
/// ES held on the day it counts (an unallocated referral's referral, access,
/// job starts, people and caseload), counted in the service but in no team.
/// Counts of referrals, job starts and caseload add up: the teams' and this
/// make the service's. People are counted distinct within each, so a person
/// of two teams is one in the service and one in each team.
/// Made with the whole report ([`report_and_unallocated`]).
pub fn unallocated(data: &Dataset, period: &Period, as_of: Day) -> Result<Kpis, ReportError> {
    report_and_unallocated(data, &[], period, as_of).map(|(_, none)| none)
}

/// Makes the report of `period` as known on `as_of` (T-3).
pub fn report(
    data: &Dataset,
    warnings: &[Warning],
    period: &Period,
    as_of: Day,
) -> Result<Report, ReportError> {
    report_and_unallocated(data, warnings, period, as_of).map(|(report, _)| report)
}

/// [`report`] and [`unallocated`] of the same period and as-of date, from
/// one tally of the service's referrals (the service page shows both).
pub fn report_and_unallocated(
    data: &Dataset,
    warnings: &[Warning],
    period: &Period,
    as_of: Day,
) -> Result<(Report, Kpis), ReportError> {
    let Figures {
        teams,
        specialists,
        service,
    } = figures(data, period, as_of, Among::Service, None)?;
    Ok(whole(
        period,
        as_of,
        warnings,
        (teams, specialists),
        service,
    ))
}

/// The whole service's report and what no ES held, from its blocks.
fn whole(
    period: &Period,
    as_of: Day,
    warnings: &[Warning],
    (teams, specialists): (Vec<TeamKpis>, Vec<SpecialistKpis>),
    service: Option<(Kpis, Kpis)>,
) -> (Report, Kpis) {
    let (service, unallocated) =
        service.expect("the whole service's report has the service's figures");
    let mut warnings = warnings.to_vec();
    warnings.sort();
    let report = Report {
        format: REPORT_FORMAT,
        period: period_out(period),
        as_of,
        service,
        teams,
        specialists,
        warnings,
    };
    (report, unallocated)
}

fn period_out(period: &Period) -> PeriodOut {
    PeriodOut {
        start: period.start,
        end: period.end,
        label: period.label.clone(),
    }
}

/// T-3: the days of `period` as known on `as_of`, refused before its start.
fn window(period: &Period, as_of: Day) -> Result<Window, ReportError> {
    if as_of < period.start {
        return Err(ReportError::AsOfBeforePeriod {
            as_of,
            start: period.start,
        });
    }
    Ok(Window::new(period, as_of))
}

/// The report's blocks: of every team and ES, and the service's with what
/// no ES held (`part` `None`), or of one part's team and ES only (the
/// service's then `None`).
struct Figures {
    teams: Vec<TeamKpis>,
    specialists: Vec<SpecialistKpis>,
    service: Option<(Kpis, Kpis)>,
}

/// Tallies the referrals `among` over `period` as known on `as_of` and makes the
/// blocks of the teams and ES `part` covers (every one for `None`).
fn figures<'a>(
    data: &'a Dataset,
    period: &Period,
    as_of: Day,
    among: Among<'a>,
    part: Option<Part>,
) -> Result<Figures, ReportError> {
    let w = window(period, as_of)?;
    let tallied = tally(data, among, &w);
    let years_to_date = years_to_date(data, period, as_of, |ytd| tally(data, among, ytd));
    Ok(blocks(data, period, &w, tallied, years_to_date, part))
}

/// [`report_and_unallocated`] added up from kept facts (issue 25): the
/// same report, at the cost of the referrals whose facts were derived
/// again since they were kept.
pub fn report_from_facts(
    data: &Dataset,
    warnings: &[Warning],
    facts: &ReportFacts,
) -> (Report, Kpis) {
    let (period, as_of) = facts.of.window();
    let w = *facts.of.days();
    let tallied = facts.of.tallied(data);
    let years_to_date = years_to_date(data, period, as_of, |_| {
        facts
            .year_to_date
            .as_ref()
            .expect("facts of the year to date when the period has one")
            .tallied(data)
    });
    let Figures {
        teams,
        specialists,
        service,
    } = blocks(data, period, &w, tallied, years_to_date, None);
    whole(period, as_of, warnings, (teams, specialists), service)
}

/// The facts a report of one period as known on one day is added up from:
/// the period's, and the financial year to date's when the period is part
/// of one (TGT-3) and the day is in that year.
#[derive(Clone, Debug)]
pub struct ReportFacts {
    of: WindowFacts,
    year_to_date: Option<WindowFacts>,
}

impl ReportFacts {
    /// Derives every counted referral's facts (refused as a report is).
    pub fn new(data: &Dataset, period: &Period, as_of: Day) -> Result<ReportFacts, ReportError> {
        let of = WindowFacts::new(data, period, as_of)?;
        let year_to_date = year_to_date_period(period)
            .filter(|ytd| as_of >= ytd.start)
            .map(|ytd| WindowFacts::new(data, &ytd, as_of))
            .transpose()?;
        Ok(ReportFacts { of, year_to_date })
    }

    /// The facts of `data`, in which only the referrals at `changed`
    /// differ from (or were added to) the data these were derived from.
    pub fn with_changed(&self, data: &Dataset, changed: &[usize]) -> ReportFacts {
        ReportFacts {
            of: self.of.with_changed(data, changed),
            year_to_date: self
                .year_to_date
                .as_ref()
                .map(|y| y.with_changed(data, changed)),
        }
    }

    /// The period and as-of date these facts are of.
    pub fn window(&self) -> (&Period, Day) {
        self.of.window()
    }
}

/// The blocks of the teams and ES `part` covers (every one for `None`) from
/// a ledger over window `w`.
fn blocks(
    data: &Dataset,
    period: &Period,
    w: &Window,
    (ledger, es_people, team_people, service_people): Tallied<'_>,
    years_to_date: Option<Vec<YearToDate>>,
    part: Option<Part>,
) -> Figures {
    let w = *w;
    let covers_es = |i: usize| part.is_none_or(|p| p.covers(data, StaffIdx::at(i)));
    let covers_team = |i: usize| part.is_none_or(|p| p.covers_team(TeamIdx::at(i)));
    let policy = &data.policy;

    let is_es = |i: usize| data.staff[i].role == Role::Es;
    let fte_on_point = |i: usize| es_fte_on(data, i, w.point);
    let mut team_fte = vec![0_u64; data.teams.len()];
    for i in 0..data.staff.len() {
        team_fte[data.staff[i].team.index()] += fte_on_point(i);
    }

    // Each ES's block and targets on the threads side by side (a service's
    // 2,000 of them are a tenth of a report's time).
    let mut specialists: Vec<SpecialistKpis> = (0..data.staff.len())
        .into_par_iter()
        .filter(|&i| is_es(i) && covers_es(i))
        .filter(|&i| in_post_in(data, i, period))
        .map(|i| {
            let s = &data.staff[i];
            let fte = fte_on_point(i);
            let t = &ledger.es[i];
            let score = fidelity_caseload_score(t.active, Fte(fte as u32), policy);
            let kpis = kpis(t, &es_people[i], w.point, fte, score);
            let year_to_date = years_to_date.as_ref().map(|y| y[i].clone());
            let targets = targets(data, i, &kpis, period, &w, year_to_date);
            SpecialistKpis {
                id: s.id.clone(),
                team: data.team(s.team).id.clone(),
                kpis,
                targets,
            }
        })
        .collect();
    specialists.sort_by(|a, b| a.id.cmp(&b.id));

    let mut teams: Vec<TeamKpis> = (0..data.teams.len())
        .filter(|&i| covers_team(i))
        .map(|i| TeamKpis {
            id: data.teams[i].id.clone(),
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

    let service = part.is_none().then(|| {
        let service = kpis(
            &ledger.service,
            &service_people,
            w.point,
            team_fte.iter().sum(),
            None,
        );
        let people = ledger.count_unallocated_people();
        let unallocated = kpis(&ledger.unallocated, &people, w.point, 0, None);
        (service, unallocated)
    });
    Figures {
        teams,
        specialists,
        service,
    }
}

/// CASE-2: the FTE of staff member `i` counted on `day` — an ES's FTE when
/// in post that day, else 0.
fn es_fte_on(data: &Dataset, i: usize, day: Day) -> u64 {
    let s = &data.staff[i];
    if s.role == Role::Es && s.in_post_on(day) {
        u64::from(s.fte.0)
    } else {
        0
    }
}

/// Whether staff member `i` is in post on some day of `period` (a report
/// has a block for each ES who is).
fn in_post_in(data: &Dataset, i: usize, period: &Period) -> bool {
    let s = &data.staff[i];
    s.start_date <= period.end && s.end_date.is_none_or(|e| e >= period.start)
}
