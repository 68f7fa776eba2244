//! A deterministic generator of realistic IPS services, for demos and
//! benchmarks.
//!
//! The generated service has teams of about eight Employment Specialists and a
//! team lead each. Most ES have been in post for years; some work part-time,
//! some start during the data (year-1 targets) and some leave, their caseload
//! transferred to a colleague. Each ES receives about 22 referrals a year (pro
//! rata to FTE), so open caseloads sit around 20–25. About 85% of people are
//! unemployed at referral; the rest are in work (job retention, most with a
//! return-to-work date). People may wait on a waiting list, get access within
//! days or weeks (some never do), have a vocational plan, regular two-way
//! contacts with the odd gap and assertive-engagement attempts, holds,
//! not-seeking-work spells, team decisions and transfers. About half of the
//! unemployed people start paid work — employee, zero-hours (first-month weekly
//! hours), self-employed (mostly registered), apprenticeships and paid
//! placements — with short jobs, second jobs after breaks either side of six
//! weeks, and long-lasting ones. Episodes end in discharge, some with a
//! re-referral later.
//!
//! The same [`DemoOptions`] always give the same bundle, byte for byte.

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    BUNDLE_FORMAT, BundleDoc, ClientDoc, ContactDoc, DecisionDoc, DischargeDoc, EngagementDoc,
    JobDoc, ReferralDoc, ServiceDoc, SpellDoc, StaffDoc, TeamDoc, TransferDoc, WaitingSpellDoc,
};
use ipstrack_core::time::financial_year_range;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Number;

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Number of Employment Specialists.
    pub specialists: u32,
    /// Financial years of data, the last one containing `until`.
    pub years: u32,
    pub seed: u64,
    /// Nothing is dated after this day (open spells simply have no end).
    pub until: Day,
}

const TEAM_SIZE: u32 = 8;
const REFERRALS_PER_YEAR: f64 = 22.5;
const TEAM_NAMES: [&str; 8] = [
    "North", "South", "East", "West", "Central", "Coast", "Valley", "City",
];
const EMPLOYERS: [&str; 10] = [
    "Co-op",
    "Council",
    "Care home",
    "Garden centre",
    "Warehouse",
    "Cafe",
    "Supermarket",
    "Library",
    "Builders' merchant",
    "Call centre",
];

/// Generates a service.
pub fn generate(options: &DemoOptions) -> BundleDoc {
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        until: options.until,
        clients: Vec::new(),
        referrals: Vec::new(),
    };
    let last_fy = options.until.financial_year();
    let data_start = financial_year_range(last_fy - (options.years.max(1) as i16 - 1)).start;
    let service_start = data_start.plus_months(-60);
    // Referrals from a few months before the data, so caseloads are carried over.
    let history_start = data_start.plus_months(-9);

    let team_count = options.specialists.div_ceil(TEAM_SIZE).max(1);
    let teams: Vec<TeamDoc> = (1..=team_count)
        .map(|t| {
            let base = TEAM_NAMES[(t as usize - 1) % TEAM_NAMES.len()];
            let name = if t as usize > TEAM_NAMES.len() {
                format!("{base} {t}")
            } else {
                base.to_string()
            };
            TeamDoc {
                id: format!("t{t}"),
                name,
            }
        })
        .collect();

    let mut staff = Vec::new();
    let mut specialists = Vec::new();
    for i in 1..=options.specialists {
        let team = (i - 1) / TEAM_SIZE + 1;
        let roll = g.rng.random_range(0..100);
        let start = if roll < 15 {
            // A new starter during the data: year-1 targets.
            g.day_between(data_start, options.until.plus(-120).max(data_start))
        } else {
            g.day_between(service_start, history_start.plus(-30))
        };
        let leaves = roll >= 92 && options.until.since(start) > 400;
        let end =
            leaves.then(|| g.day_between(start.plus(300).max(data_start), options.until.plus(-30)));
        let fte = match g.rng.random_range(0..100) {
            0..80 => 10_000,
            80..88 => 8_000,
            88..94 => 6_000,
            _ => 5_000,
        };
        specialists.push(Specialist {
            index: i,
            team,
            start,
            end,
            fte,
        });
        staff.push(StaffDoc {
            id: format!("es{i}"),
            name: format!("Specialist {i}"),
            role: "es".into(),
            team: format!("t{team}"),
            start_date: start.to_string(),
            end_date: end.map(|e| e.to_string()),
            fte: fte_number(fte),
        });
    }
    for t in 1..=team_count {
        staff.push(StaffDoc {
            id: format!("lead{t}"),
            name: format!("Team Lead {t}"),
            role: "team_lead".into(),
            team: format!("t{t}"),
            start_date: service_start.to_string(),
            end_date: None,
            fte: fte_number(10_000),
        });
    }

    for s in &specialists {
        let from = s.start.max(history_start);
        let to = s.end.unwrap_or(options.until).min(options.until);
        if to <= from {
            continue;
        }
        let years = f64::from(to.since(from) + 1) / 365.25;
        let expected = REFERRALS_PER_YEAR * years * f64::from(s.fte) / 10_000.0;
        let count = (expected + g.rng.random_range(-0.5..0.5)).round().max(0.0) as u32;
        let mut days: Vec<Day> = (0..count).map(|_| g.day_between(from, to)).collect();
        days.sort();
        // A colleague in the same team takes the caseload of a leaver.
        let colleague = specialists
            .iter()
            .find(|o| o.team == s.team && o.index != s.index && o.end.is_none())
            .map(|o| o.index);
        for received in days {
            g.referral(s, received, colleague, &specialists);
        }
    }

    BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service: ServiceDoc {
            name: "Demo IPS Service".into(),
            start_date: service_start.to_string(),
        },
        policy: None,
        teams,
        staff,
        clients: g.clients,
        referrals: g.referrals,
    }
}

struct Specialist {
    index: u32,
    team: u32,
    start: Day,
    end: Option<Day>,
    fte: u32,
}

struct Generator {
    rng: ChaCha8Rng,
    until: Day,
    clients: Vec<ClientDoc>,
    referrals: Vec<ReferralDoc>,
}

fn fte_number(fte: u32) -> Number {
    if fte == 10_000 {
        Number::from(1)
    } else {
        Number::from_f64(f64::from(fte) / 10_000.0).expect("finite")
    }
}

fn hours(hundredths: u32) -> Number {
    if hundredths.is_multiple_of(100) {
        Number::from(hundredths / 100)
    } else {
        Number::from_f64(f64::from(hundredths) / 100.0).expect("finite")
    }
}

fn text(day: Day) -> String {
    day.to_string()
}

impl Generator {
    fn day_between(&mut self, from: Day, to: Day) -> Day {
        if to <= from {
            from
        } else {
            from.plus(self.rng.random_range(0..=to.since(from)))
        }
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    /// A valid 10-digit NHS number (mod-11 check digit), or none.
    fn nhs_number(&mut self) -> Option<String> {
        if !self.chance(60) {
            return None;
        }
        loop {
            let digits: Vec<u32> = (0..9).map(|_| self.rng.random_range(0..10)).collect();
            let sum: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, d)| d * (10 - i as u32))
                .sum();
            let check = (11 - sum % 11) % 11;
            if check == 10 || digits[0] == 0 {
                continue;
            }
            let mut number: String = digits.iter().map(|d| char::from(b'0' + *d as u8)).collect();
            number.push(char::from(b'0' + check as u8));
            return Some(number);
        }
    }

    /// One referral: its whole episode up to `until`.
    fn referral(
        &mut self,
        es: &Specialist,
        received: Day,
        colleague: Option<u32>,
        all: &[Specialist],
    ) {
        let until = self.until;
        let id = format!("r{}", self.referrals.len() + 1);
        // About 1 in 20 is a re-referral of someone discharged earlier.
        let client = if self.chance(5) && !self.referrals.is_empty() {
            let earlier = self.rng.random_range(0..self.referrals.len());
            let r = &self.referrals[earlier];
            match &r.discharge {
                Some(d) if Day::parse(&d.date).is_some_and(|d| d < received) => r.client.clone(),
                _ => self.new_client(),
            }
        } else {
            self.new_client()
        };
        let employed = self.chance(15);

        // Waiting list, then access (some never engage).
        let mut waiting_list = Vec::new();
        let mut ready = received;
        if self.chance(12) {
            let back = received.plus(self.rng.random_range(7..75));
            let expected = received.plus(self.rng.random_range(14..60));
            let end = (back <= until).then_some(back);
            waiting_list.push(WaitingSpellDoc {
                start: text(received),
                end: end.map(text),
                expected_return: Some(text(expected)),
            });
            ready = back;
        }
        let access = (self.chance(88))
            .then(|| ready.plus(self.rng.random_range(0..21)))
            .filter(|a| *a <= until);

        // The episode: how long support lasts, and whether they drift away.
        let length = self.rng.random_range(240..720);
        let disengages = self.chance(12);
        let mut end = received.plus(length);
        let mut discharge_reason = "completed support";
        if access.is_none() {
            end = ready.plus(self.rng.random_range(30..120));
            discharge_reason = "did not engage";
        }

        // Jobs.
        let mut jobs = Vec::new();
        let mut retained_job = false;
        if let Some(a) = access {
            if employed && self.chance(70) {
                retained_job = true;
                let rtw = self
                    .chance(75)
                    .then(|| received.plus(self.rng.random_range(0..60)))
                    .filter(|d| *d <= until);
                jobs.push(JobDoc {
                    id: format!("{id}j0"),
                    kind: "employee".into(),
                    employer: Some(EMPLOYERS[self.rng.random_range(0..EMPLOYERS.len())].into()),
                    start: text(received.plus(-self.rng.random_range(200..3000))),
                    end: None,
                    hours_per_week: Some(hours(self.rng.random_range(32..76) * 50)),
                    weekly_hours: None,
                    four_hours_confirmed: None,
                    self_employment_registration: None,
                    retained: Some(true),
                    return_to_work: rtw.map(text),
                });
            }
            let finds_work = if employed {
                !retained_job && self.chance(45)
            } else {
                self.chance(58)
            };
            if finds_work && !disengages {
                let mut start = a.plus(self.rng.random_range(14..200));
                let mut n = 1;
                while start <= until && start < end && n <= 3 {
                    let (job, job_end) = self.job(&id, n, start);
                    jobs.push(job);
                    let Some(job_end) = job_end else { break };
                    // Working people stay on the caseload for in-work support.
                    end = end.max(job_end.plus(self.rng.random_range(30..120)));
                    if !self.chance(55) {
                        break;
                    }
                    // A break either side of six weeks before the next job.
                    start = job_end.plus(self.rng.random_range(5..90));
                    n += 1;
                }
                if discharge_reason == "completed support" {
                    discharge_reason = "sustained in work";
                }
            }
        }
        if disengages {
            discharge_reason = "disengaged";
        }
        let discharge = (end <= until).then(|| DischargeDoc {
            date: text(end),
            reason: Some(discharge_reason.into()),
        });
        let open_until = end.min(until).plus(if end <= until { -1 } else { 0 });

        // Contacts every one to three weeks, with the odd gap.
        let mut contacts = Vec::new();
        if let Some(a) = access {
            let stop = if disengages {
                a.plus(self.rng.random_range(30..200)).min(open_until)
            } else {
                open_until
            };
            let mut day = a.plus(self.rng.random_range(3..14));
            while day <= stop {
                if self.chance(7) {
                    // A gap: attempts to re-engage, no reply.
                    let gap = self.rng.random_range(25..60);
                    let mut attempt = day.plus(self.rng.random_range(10..20));
                    while attempt < day.plus(gap) && attempt <= stop {
                        contacts.push(ContactDoc {
                            date: text(attempt),
                            kind: "assertive_engagement".into(),
                        });
                        attempt = attempt.plus(self.rng.random_range(7..14));
                    }
                    day = day.plus(gap);
                    continue;
                }
                let kind = match self.rng.random_range(0..10) {
                    0..5 => "face_to_face",
                    5..8 => "remote",
                    _ if jobs.iter().any(|j| j.retained != Some(true)) => "in_work_support",
                    _ => "remote",
                };
                contacts.push(ContactDoc {
                    date: text(day),
                    kind: kind.into(),
                });
                day = day.plus(self.rng.random_range(6..22));
            }
            if disengages {
                let mut attempt = stop.plus(7);
                for _ in 0..self.rng.random_range(1..4) {
                    if attempt > open_until {
                        break;
                    }
                    contacts.push(ContactDoc {
                        date: text(attempt),
                        kind: "assertive_engagement".into(),
                    });
                    attempt = attempt.plus(self.rng.random_range(7..20));
                }
            }
        }

        let vocational_plan = access.filter(|_| self.chance(92)).map(|a| {
            let start = a.plus(self.rng.random_range(0..15)).min(until);
            SpellDoc {
                start: text(start),
                end: None,
            }
        });

        let mut holds = Vec::new();
        if let Some(a) = access
            && self.chance(9)
        {
            let start = self.day_between(a.plus(20), open_until);
            if start <= open_until {
                let finish = start.plus(self.rng.random_range(7..50));
                holds.push(SpellDoc {
                    start: text(start),
                    end: (finish <= until).then(|| text(finish)),
                });
            }
        }
        let mut engagement = Vec::new();
        if let Some(a) = access
            && self.chance(8)
        {
            let from = self.day_between(a.plus(30), open_until);
            if from <= open_until {
                engagement.push(EngagementDoc {
                    date: text(from),
                    status: "not_seeking_work".into(),
                });
                let back = from.plus(self.rng.random_range(20..120));
                if back <= open_until && self.chance(50) {
                    engagement.push(EngagementDoc {
                        date: text(back),
                        status: "seeking_work".into(),
                    });
                }
            }
        }
        let mut decisions = Vec::new();
        if let Some(a) = access
            && self.chance(2)
        {
            let start = self.day_between(a.plus(20), open_until);
            if start <= open_until {
                let finish = start.plus(self.rng.random_range(14..60));
                decisions.push(DecisionDoc {
                    start: text(start),
                    end: (finish <= until).then(|| text(finish)),
                    status: if self.chance(70) {
                        "active"
                    } else {
                        "inactive"
                    }
                    .into(),
                    reason: Some("in hospital; team agreed at caseload review".into()),
                });
            }
        }

        // Transfers: a leaver's caseload goes to a colleague; a few move anyway.
        let mut transfers = Vec::new();
        if let (Some(left), Some(to)) = (es.end, colleague)
            && left < end.min(until)
        {
            transfers.push(TransferDoc {
                date: text(left.plus(1)),
                es: format!("es{to}"),
            });
        } else if self.chance(4) {
            let team: Vec<&Specialist> = all
                .iter()
                .filter(|o| o.team == es.team && o.index != es.index && o.end.is_none())
                .collect();
            if !team.is_empty() {
                let to = team[self.rng.random_range(0..team.len())];
                let date = self
                    .day_between(received.plus(14), open_until)
                    .max(to.start);
                if date <= open_until {
                    transfers.push(TransferDoc {
                        date: text(date),
                        es: format!("es{}", to.index),
                    });
                }
            }
        }

        self.referrals.push(ReferralDoc {
            id,
            client,
            received: text(received),
            status_at_referral: if employed { "employed" } else { "unemployed" }.into(),
            es: Some(format!("es{}", es.index)),
            transfers: Some(transfers),
            access: access.map(text),
            vocational_plan,
            contacts: Some(contacts),
            holds: Some(holds),
            waiting_list: Some(waiting_list),
            engagement: Some(engagement),
            decisions: Some(decisions),
            discharge,
            jobs: Some(jobs),
        });
    }

    fn new_client(&mut self) -> String {
        let id = format!("c{}", self.clients.len() + 1);
        let nhs_number = self.nhs_number();
        self.clients.push(ClientDoc {
            id: id.clone(),
            nhs_number,
        });
        id
    }

    /// The `n`th job of a referral starting on `start`; returns its end if it ended.
    fn job(&mut self, referral: &str, n: u32, start: Day) -> (JobDoc, Option<Day>) {
        let until = self.until;
        let kind = match self.rng.random_range(0..100) {
            0..58 => "employee",
            58..73 => "zero_hours",
            73..82 => "self_employed",
            82..91 => "apprenticeship",
            _ => "paid_placement",
        };
        let variable = matches!(kind, "zero_hours" | "self_employed");
        let weekly_hours = (variable && self.chance(85)).then(|| {
            let weeks = ((until.since(start) / 7).clamp(0, 4) as usize).max(1);
            (0..weeks)
                .map(|_| hours(self.rng.random_range(0..=40) * 50))
                .collect()
        });
        let hours_per_week = (!variable || weekly_hours.is_none())
            .then(|| hours(self.rng.random_range(8..=75) * 50));
        let length = if self.chance(35) {
            self.rng.random_range(10..120)
        } else {
            self.rng.random_range(120..700)
        };
        let end = start.plus(length);
        let end = (end <= until).then_some(end);
        let confirmed = self
            .chance(20)
            .then(|| start.plus(self.rng.random_range(2..14)))
            .filter(|d| *d <= until);
        let registration = (kind == "self_employed")
            .then(|| {
                if self.chance(85) {
                    Some(if self.chance(80) {
                        "sole_trader"
                    } else {
                        "company"
                    })
                } else {
                    None
                }
            })
            .flatten();
        let job = JobDoc {
            id: format!("{referral}j{n}"),
            kind: kind.into(),
            employer: Some(EMPLOYERS[self.rng.random_range(0..EMPLOYERS.len())].into()),
            start: text(start),
            end: end.map(text),
            hours_per_week,
            weekly_hours,
            four_hours_confirmed: confirmed.map(text),
            self_employment_registration: registration.map(str::to_string),
            retained: Some(false),
            return_to_work: None,
        };
        (job, end)
    }
}
