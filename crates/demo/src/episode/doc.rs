//! The referral as known on the last day of the data.

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc, EngagementDoc, InWorkCheckDoc, JobDoc,
    PlanDoc, ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
};

use crate::staff::Staffing;
use crate::text::{DayTexts, hours};

use super::{Episode, Job, JobHours};

impl Episode {
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
                    .filter(|tr| known(tr.day))
                    .map(|tr| TransferDoc {
                        date: t(tr.day),
                        es: es_id(tr.to),
                    })
                    .collect(),
            ),
            access: self.access.filter(|a| known(*a)).map(t),
            vocational_plan: self.plan.filter(|p| known(p.start)).map(|p| PlanDoc {
                start: t(p.start),
                end: p.end.filter(|_| discharged).and_then(end_as_known),
                job_preferences: preferences(p.start),
                ..PlanDoc::default()
            }),
            contacts: Some(
                self.contacts
                    .iter()
                    .filter(|c| known(c.day))
                    .map(|c| ContactDoc {
                        date: t(c.day),
                        kind: c.kind.into(),
                        mechanism: None,
                        note: None,
                        location: location(c.kind, c.day),
                    })
                    .collect(),
            ),
            holds: Some(
                self.holds
                    .iter()
                    .filter(|h| known(h.start))
                    .map(|h| SpellDoc {
                        start: t(h.start),
                        end: end_as_known(h.end),
                    })
                    .collect(),
            ),
            waiting_list: Some(
                self.waiting
                    .iter()
                    .filter(|w| known(w.start))
                    .map(|w| WaitingSpellDoc {
                        start: t(w.start),
                        end: end_as_known(w.end),
                        expected_return: end_as_known(w.expected_return),
                    })
                    .collect(),
            ),
            engagement: Some(
                self.engagement
                    .iter()
                    .filter(|e| known(e.day))
                    .map(|e| EngagementDoc {
                        date: t(e.day),
                        status: e.status.into(),
                    })
                    .collect(),
            ),
            decisions: Some(
                self.decisions
                    .iter()
                    .zip(&self.agreed_by)
                    .filter(|(d, _)| known(d.start))
                    .map(|(d, agreed_by)| DecisionDoc {
                        start: t(d.start),
                        end: end_as_known(d.end),
                        status: d.status.into(),
                        reason: Some(d.reason.into()),
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
                .filter(|c| known(c.day))
                .map(|c| InWorkCheckDoc {
                    date: t(c.day),
                    source: c.source.into(),
                    note: c.note.map(str::to_string),
                })
                .collect(),
            // The demo's referrals were all entered correctly (ERR-1).
            entered_in_error: None,
            // Issue 26's work incentives and disclosure, from days the story
            // already holds (no draw of the generator).
            better_off_calculation: self
                .access
                .and_then(better_off)
                .filter(|d| known(*d) && (!discharged || *d <= self.discharge))
                .map(t),
            disclosure: self
                .plan
                .and_then(|p| disclosure(p.start))
                .filter(|(d, _)| known(*d) && (!discharged || *d <= self.discharge))
                .map(|(d, choice)| DisclosureDoc {
                    choice: choice.into(),
                    date: t(d),
                }),
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
        // Issue 26's fidelity evidence, from what the story already holds
        // (no draw of the generator, so every other figure stays as it was):
        // most jobs are competitive; a paid placement is set aside, and one
        // job in nine pays below the minimum wage; a retained job, not asked.
        pays_minimum_wage: (!j.retained).then(|| spread(j.start, 9) != 0),
        open_to_anyone: (!j.retained).then_some(j.kind != "paid_placement"),
        end_reason: j
            .end
            .filter(|e| known(*e))
            .map(|e| END_REASONS[spread(e, END_REASONS.len())].to_string()),
    }
}

/// Why a job ended, in the share a service sees most often first.
const END_REASONS: [&str; 6] = [
    "resigned",
    "temporary_ended",
    "resigned",
    "dismissed",
    "health",
    "laid_off",
];

/// A number from 0 to `n − 1` that follows from a day (the same day, the
/// same number): spreads the evidence issue 26 added over the stories
/// without drawing from the generator.
fn spread(day: Day, n: usize) -> usize {
    (day.since(Day::FIRST).rem_euclid(n as i32)) as usize
}

/// Where a contact was held (issue 26): face to face mostly in the
/// community or at home, sometimes at the office; in-work support at work;
/// remote contacts and attempts left unrecorded, as services often leave them.
fn location(kind: &str, day: Day) -> Option<String> {
    let place = match kind {
        "face_to_face" => ["community", "home", "office", "community", "workplace"][spread(day, 5)],
        "in_work_support" => "workplace",
        _ => return None,
    };
    Some(place.to_string())
}

/// The kind of work a person wants, on their plan (issue 26): one of a few
/// a service hears often; one plan in eight records none.
fn preferences(plan_start: Day) -> Option<String> {
    const KINDS: [&str; 8] = [
        "Retail or customer service, part time, near home",
        "Outdoor work: gardening or grounds maintenance",
        "Office administration, mornings",
        "Warehouse work or delivery driving",
        "Care work with older people",
        "Kitchen or catering work",
        "Working with animals",
        "",
    ];
    let kind = KINDS[spread(plan_start, KINDS.len())];
    (!kind.is_empty()).then(|| kind.to_string())
}

/// When a better-off calculation was offered (issue 26): within the first
/// four weeks after access for five people in six.
fn better_off(access: Day) -> Option<Day> {
    (spread(access, 6) != 5).then(|| access.plus(7 * spread(access.plus(1), 4) as i32))
}

/// The disclosure choice and when it was discussed (issue 26): in the
/// fortnight after the plan started for three plans in four; partial
/// disclosure the most common choice.
fn disclosure(plan_start: Day) -> Option<(Day, &'static str)> {
    const CHOICES: [&str; 4] = ["partial", "none", "full", "partial"];
    (spread(plan_start, 4) != 3).then(|| {
        (
            plan_start.plus(7 * spread(plan_start.plus(2), 3) as i32),
            CHOICES[spread(plan_start.plus(1), CHOICES.len())],
        )
    })
}
