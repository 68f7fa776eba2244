//! In-work checks and who agreed each team decision.

use crate::rng::Rng;
use crate::staff::Staffing;
use crate::text::workday;

use super::{Episode, InWorkCheck};

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
/// Share of team decisions with an ES that the team lead agrees too (an
/// unallocated referral's decision is always the team lead's).
const LEAD_AGREES_SHARE: f64 = 0.85;
/// Of the team decisions agreed by the ES and the team lead, the share one
/// of [`OTHERS_AGREEING`] agrees too (one always does when only one of them
/// has).
const OTHER_AGREES_SHARE: f64 = 0.4;
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

impl Episode {
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
            .map(|decision| {
                let holder = self.holder_on(decision.start);
                let team = staffing.specialists[holder.unwrap_or(es)].team;
                let mut names = Vec::new();
                if let Some(h) = holder {
                    names.push(staffing.es_name(h));
                }
                if holder.is_none() || rng.chance(LEAD_AGREES_SHARE) {
                    names.push(staffing.lead_name(team));
                }
                if names.len() < 2 || rng.chance(OTHER_AGREES_SHARE) {
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
                self.checks.push(InWorkCheck { day, source, note });
            }
        }
        self.checks.sort_by_key(|c| c.day);
        self.checks.dedup_by_key(|c| c.day);
    }
}
