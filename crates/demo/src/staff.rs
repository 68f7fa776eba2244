//! Teams, Employment Specialists and team leads, and when each ES receives
//! referrals.

use ipstrack_core::Day;
use ipstrack_core::bundle::{StaffDoc, TeamDoc};

use crate::rng::Rng;
use crate::text::{fte, weekday, workday};

/// The smallest and largest number of ES in a team.
const TEAM_SIZE: (i32, i32) = (6, 10);
/// Share of the ES (but each team's first, always a long-serving
/// full-timer) who start during the data.
const STARTER_SHARE: f64 = 0.12;
/// Share of the ES (but each team's first) who leave during the data.
const LEAVER_SHARE: f64 = 0.06;
/// Share of the ES (but each team's first) who work part-time.
const PART_TIME_SHARE: f64 = 0.18;
/// New referrals a year for a full-time ES.
pub(crate) const REFERRALS_PER_FTE_YEAR: f64 = 29.5;
/// A new ES shadows colleagues this many days before taking referrals; a
/// leaver takes none in their last weeks.
const SHADOWING_DAYS: i32 = 10;
const WIND_DOWN_DAYS: i32 = 21;

const TEAM_NAMES: [&str; 16] = [
    "North",
    "South",
    "East",
    "West",
    "Central",
    "Coast",
    "Valley",
    "City",
    "Moor",
    "Riverside",
    "Forest",
    "Harbour",
    "Downs",
    "Fens",
    "Dales",
    "Borders",
];

pub(crate) struct Specialist {
    /// `es<n>`.
    pub id: String,
    pub team: usize,
    pub start: Day,
    pub end: Option<Day>,
    /// FTE in hundredths.
    pub fte: u32,
}

impl Specialist {
    pub(crate) fn in_post_on(&self, day: Day) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

pub(crate) struct Staffing {
    pub teams: Vec<TeamDoc>,
    pub specialists: Vec<Specialist>,
    /// Specialists of each team (indices into `specialists`).
    pub by_team: Vec<Vec<usize>>,
    pub leads: Vec<StaffDoc>,
}

impl Staffing {
    /// A colleague in the same team who is in post on `day` and stays
    /// (no end date), other than `not`; anyone in the service if the team
    /// has none. Each team's first ES always qualifies once in post.
    pub(crate) fn colleague(
        &self,
        rng: &mut Rng,
        team: usize,
        not: usize,
        day: Day,
    ) -> Option<usize> {
        let ok = |i: &usize| {
            *i != not && self.specialists[*i].end.is_none() && self.specialists[*i].start <= day
        };
        let local: Vec<usize> = self.by_team[team].iter().copied().filter(ok).collect();
        if !local.is_empty() {
            return Some(rng.pick(&local));
        }
        let all: Vec<usize> = (0..self.specialists.len()).filter(ok).collect();
        (!all.is_empty()).then(|| rng.pick(&all))
    }

    /// The name of specialist `i` (`Specialist 12`).
    pub(crate) fn es_name(&self, i: usize) -> String {
        format!("Specialist {}", i + 1)
    }

    /// The name of team `t`'s lead.
    pub(crate) fn lead_name(&self, t: usize) -> String {
        self.leads[t].name.clone()
    }

    pub(crate) fn docs(&self) -> Vec<StaffDoc> {
        let mut staff: Vec<StaffDoc> = self
            .specialists
            .iter()
            .enumerate()
            .map(|(i, s)| StaffDoc {
                id: s.id.clone(),
                name: self.es_name(i),
                role: "es".into(),
                team: self.teams[s.team].id.clone(),
                start_date: s.start.to_string(),
                end_date: s.end.map(|e| e.to_string()),
                fte: fte(s.fte),
            })
            .collect();
        staff.extend(self.leads.iter().cloned());
        staff
    }
}

/// Splits `n` ES into teams of 6 to 10 (fewer when `n` is small).
fn team_sizes(rng: &mut Rng, n: u32) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut left = n as i32;
    while left > 0 {
        let size = if left <= TEAM_SIZE.1 {
            left
        } else if left < TEAM_SIZE.0 * 2 {
            left / 2
        } else {
            rng.range(TEAM_SIZE.0, TEAM_SIZE.1).min(left - TEAM_SIZE.0)
        };
        sizes.push(size as usize);
        left -= size;
    }
    if sizes.is_empty() {
        sizes.push(0);
    }
    sizes
}

/// A weekday between `from` and `to` (inclusive).
fn weekday_between(rng: &mut Rng, from: Day, to: Day) -> Day {
    let day = from.plus(rng.range(0, to.since(from)));
    let day = workday(day);
    if day > to {
        // Back to the Friday before.
        day.plus(-(weekday(day) + 3))
    } else {
        day
    }
}

pub(crate) fn staffing(
    rng: &mut Rng,
    n: u32,
    service_start: Day,
    data_start: Day,
    until: Day,
) -> Staffing {
    let sizes = team_sizes(rng, n);
    let teams: Vec<TeamDoc> = (0..sizes.len())
        .map(|t| {
            let base = TEAM_NAMES[t % TEAM_NAMES.len()];
            let round = t / TEAM_NAMES.len();
            TeamDoc {
                id: format!("t{}", t + 1),
                name: if round == 0 {
                    base.to_string()
                } else {
                    format!("{base} {}", round + 1)
                },
            }
        })
        .collect();

    // Who is a starter or a leaver: never a team's first ES.
    let mut team_of = Vec::with_capacity(n as usize);
    let mut firsts = Vec::new();
    for (t, size) in sizes.iter().enumerate() {
        for k in 0..*size {
            if k == 0 {
                firsts.push(team_of.len());
            }
            team_of.push(t);
        }
    }
    let mut others: Vec<usize> = (0..team_of.len()).filter(|i| !firsts.contains(i)).collect();
    for i in (1..others.len()).rev() {
        let j = rng.index(i + 1);
        others.swap(i, j);
    }
    let starters = ((f64::from(n) * STARTER_SHARE).round() as usize).min(others.len());
    let leavers = ((f64::from(n) * LEAVER_SHARE).round() as usize).min(others.len() - starters);
    let mut profile = vec![Profile::Serving; team_of.len()];
    for (k, i) in others.iter().enumerate() {
        if k < starters {
            profile[*i] = Profile::Starter { recent: k == 0 };
        } else if k < starters + leavers {
            profile[*i] = Profile::Leaver;
        }
    }

    let long_serving_to = data_start.plus(-60).max(service_start);
    let mut specialists = Vec::with_capacity(team_of.len());
    let mut by_team = vec![Vec::new(); sizes.len()];
    for (i, team) in team_of.iter().enumerate() {
        let first = firsts.contains(&i);
        let (start, end) = match profile[i] {
            Profile::Serving => (weekday_between(rng, service_start, long_serving_to), None),
            Profile::Starter { recent } => {
                // One starter always falls in the last year (year-1 targets).
                let from = if recent {
                    until.plus(-300).max(data_start)
                } else {
                    data_start
                };
                let to = until.plus(-30).max(from);
                (weekday_between(rng, from, to), None)
            }
            Profile::Leaver => {
                let start = weekday_between(rng, service_start, long_serving_to);
                let from = data_start.plus(30);
                let to = until.plus(-7).max(from);
                let end = weekday_between(rng, from, to).min(until.plus(-1));
                (start, Some(end))
            }
        };
        let fte = if !first && rng.chance(PART_TIME_SHARE) {
            rng.pick(&[80, 80, 70, 60, 60, 50])
        } else {
            100
        };
        by_team[*team].push(i);
        specialists.push(Specialist {
            id: format!("es{}", i + 1),
            team: *team,
            start,
            end,
            fte,
        });
    }

    let leads = teams
        .iter()
        .enumerate()
        .map(|(t, team)| {
            let start = weekday_between(rng, service_start, long_serving_to);
            StaffDoc {
                id: format!("lead{}", t + 1),
                name: format!("Team Lead {}", t + 1),
                role: "team_lead".into(),
                team: team.id.clone(),
                start_date: start.to_string(),
                end_date: None,
                fte: fte(100),
            }
        })
        .collect();

    Staffing {
        teams,
        specialists,
        by_team,
        leads,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Profile {
    Serving,
    Starter { recent: bool },
    Leaver,
}

/// The days an ES receives new referrals between `data_start` and `until`:
/// about [`REFERRALS_PER_FTE_YEAR`] a year pro rata to FTE, on weekdays.
pub(crate) fn intake(rng: &mut Rng, s: &Specialist, data_start: Day, until: Day) -> Vec<Day> {
    let from = s.start.plus(SHADOWING_DAYS).max(data_start);
    let to = s.end.map_or(until, |e| e.plus(-WIND_DOWN_DAYS)).min(until);
    if to < from {
        return Vec::new();
    }
    let expected =
        REFERRALS_PER_FTE_YEAR * f64::from(s.fte) / 100.0 * f64::from(to.since(from) + 1) / 365.25;
    // Roughly Poisson: the sum of three uniforms has variance 1/4.
    let noise = (rng.unit() + rng.unit() + rng.unit() - 1.5) * 2.0 * expected.sqrt();
    let count = (expected + noise).round().max(0.0) as usize;
    let mut days: Vec<Day> = (0..count).map(|_| weekday_between(rng, from, to)).collect();
    days.sort_unstable();
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_have_six_to_ten_specialists() {
        let mut rng = Rng::new(1);
        for n in [12, 13, 40, 57, 2000] {
            let sizes = team_sizes(&mut rng, n);
            assert_eq!(sizes.iter().sum::<usize>(), n as usize);
            assert!(sizes.iter().all(|s| (6..=10).contains(s)), "{n}: {sizes:?}");
        }
        assert_eq!(team_sizes(&mut rng, 3), vec![3]);
        assert_eq!(team_sizes(&mut rng, 11), vec![5, 6]);
    }
}
