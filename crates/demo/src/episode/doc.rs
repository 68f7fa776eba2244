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
                    .filter(|(d, _)| known(*d))
                    .map(|(d, to)| TransferDoc {
                        date: t(*d),
                        es: es_id(*to),
                    })
                    .collect(),
            ),
            access: self.access.filter(|a| known(*a)).map(t),
            vocational_plan: self.plan.filter(|(s, _)| known(*s)).map(|(s, e)| PlanDoc {
                start: t(s),
                end: e.filter(|_| discharged).and_then(end_as_known),
                ..PlanDoc::default()
            }),
            contacts: Some(
                self.contacts
                    .iter()
                    .filter(|(d, _)| known(*d))
                    .map(|(d, kind)| ContactDoc {
                        date: t(*d),
                        kind: (*kind).into(),
                        mechanism: None,
                        note: None,
                    })
                    .collect(),
            ),
            holds: Some(
                self.holds
                    .iter()
                    .filter(|(s, _)| known(*s))
                    .map(|(s, e)| SpellDoc {
                        start: t(*s),
                        end: end_as_known(*e),
                    })
                    .collect(),
            ),
            waiting_list: Some(
                self.waiting
                    .iter()
                    .filter(|(s, _, _)| known(*s))
                    .map(|(s, e, expected)| WaitingSpellDoc {
                        start: t(*s),
                        end: end_as_known(*e),
                        expected_return: end_as_known(*expected),
                    })
                    .collect(),
            ),
            engagement: Some(
                self.engagement
                    .iter()
                    .filter(|(d, _)| known(*d))
                    .map(|(d, status)| EngagementDoc {
                        date: t(*d),
                        status: (*status).into(),
                    })
                    .collect(),
            ),
            decisions: Some(
                self.decisions
                    .iter()
                    .zip(&self.agreed_by)
                    .filter(|((s, _, _, _), _)| known(*s))
                    .map(|((s, e, status, reason), agreed_by)| DecisionDoc {
                        start: t(*s),
                        end: end_as_known(*e),
                        status: (*status).into(),
                        reason: Some((*reason).into()),
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
                .filter(|(d, ..)| known(*d))
                .map(|(d, source, note)| InWorkCheckDoc {
                    date: t(*d),
                    source: (*source).into(),
                    note: note.map(str::to_string),
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
