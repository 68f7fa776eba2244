//! The referral as known on the last day of the data.

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    ContactDoc, DecisionDoc, DischargeDoc, EngagementDoc, InWorkCheckDoc, JobDoc, PlanDoc,
    ReferralDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
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
