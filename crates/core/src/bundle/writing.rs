//! Writing: a dataset back as a bundle document (export, backup) and one
//! referral as a bundle writes it (data entry starts from it).

use serde_json::Number;

use super::document::{
    BUNDLE_FORMAT, BundleDoc, ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc,
    EmployerContactDoc, EngagementDoc, EnteredInErrorDoc, InWorkCheckDoc, JobDoc, PlanDoc,
    PolicyDoc, ReferralDoc, ServiceDoc, SpellDoc, StaffDoc, TeamDoc, TransferDoc, WaitingSpellDoc,
};
use super::vocabulary::{
    AFTER_DISCHARGE, CHECK_SOURCES, CONTACT_KINDS, CONTACT_LOCATIONS, DECISIONS,
    DISCLOSURE_CHOICES, EMPLOYER_CONTACT_KINDS, ENGAGEMENTS, GROUPS, JOB_END_REASONS, JOB_TYPES,
    MECHANISMS, REGISTRATIONS, ROLES, name_of,
};
use crate::model::*;
use crate::policy::Policy;
use crate::time::Day;

/// Hours as the bundle writes them: `16`, `16.5`, `7.25` (exact hundredths).
pub fn hours_number(h: Hours) -> Number {
    if h.0.is_multiple_of(100) {
        Number::from(h.0 / 100)
    } else {
        Number::from_f64(f64::from(h.0) / 100.0).expect("finite")
    }
}

fn day_text(d: Option<Day>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn spell_doc(s: &Spell) -> SpellDoc {
    SpellDoc {
        start: s.start.to_string(),
        end: day_text(s.end),
    }
}

fn policy_doc(p: &Policy) -> Option<PolicyDoc> {
    let d = Policy::default();
    let pick = |a: i32, b: i32| (a != b).then_some(a);
    let pick_u = |a: u32, b: u32| (a != b).then_some(a);
    let basis = |a: u32, b: u32| {
        (a != b).then(|| Number::from_f64(f64::from(a) / 10_000.0).expect("finite"))
    };
    let doc = PolicyDoc {
        contact_window_days: pick(p.contact_window_days, d.contact_window_days),
        assertive_engagement_extra_days: pick(
            p.assertive_engagement_extra_days,
            d.assertive_engagement_extra_days,
        ),
        hold_limit_days: pick(p.hold_limit_days, d.hold_limit_days),
        job_hours_threshold: (p.job_hours_threshold != d.job_hours_threshold)
            .then(|| hours_number(Hours(p.job_hours_threshold))),
        sustainment_gap_days: pick(p.sustainment_gap_days, d.sustainment_gap_days),
        access_target_year1: pick_u(p.access_target_year1, d.access_target_year1),
        access_target_year2: pick_u(p.access_target_year2, d.access_target_year2),
        training_months: pick_u(p.training_months, d.training_months),
        job_outcome_rate_target: basis(p.job_outcome_rate_target, d.job_outcome_rate_target),
        sustainment_rate_target: basis(p.sustainment_rate_target, d.sustainment_rate_target),
        fidelity_caseload: pick_u(p.fidelity_caseload, d.fidelity_caseload),
        caseload_band: (p.caseload_band != d.caseload_band)
            .then_some([p.caseload_band.0, p.caseload_band.1]),
        retention_share_max: basis(p.retention_share_max, d.retention_share_max),
        sustainment_after_discharge: (p.sustainment_after_discharge
            != d.sustainment_after_discharge)
            .then(|| name_of(&AFTER_DISCHARGE, p.sustainment_after_discharge).into()),
        contact_due_days: pick(p.contact_due_days, d.contact_due_days),
        plan_review_days: pick(p.plan_review_days, d.plan_review_days),
        rapid_search_days: pick(p.rapid_search_days, d.rapid_search_days),
    };
    (doc != PolicyDoc::default()).then_some(doc)
}

/// Writes a dataset back as a bundle document (export, backup), with the
/// version of each referral read from a database.
pub fn to_document(data: &Dataset) -> BundleDoc {
    BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service: ServiceDoc {
            name: data.service.name.clone(),
            start_date: data.service.start_date.to_string(),
        },
        policy: policy_doc(&data.policy),
        teams: data
            .teams
            .iter()
            .map(|t| TeamDoc {
                id: t.id.clone(),
                name: t.name.clone(),
            })
            .collect(),
        staff: data
            .staff
            .iter()
            .map(|s| StaffDoc {
                id: s.id.clone(),
                name: s.name.clone(),
                role: name_of(&ROLES, s.role).into(),
                team: data.team(s.team).id.clone(),
                start_date: s.start_date.to_string(),
                end_date: day_text(s.end_date),
                fte: if s.fte.0.is_multiple_of(10_000) {
                    Number::from(s.fte.0 / 10_000)
                } else {
                    Number::from_f64(f64::from(s.fte.0) / 10_000.0).expect("finite")
                },
            })
            .collect(),
        clients: data
            .clients
            .iter()
            .map(super::person::client_document)
            .collect(),
        referrals: data
            .referrals
            .iter()
            .map(|r| referral_document(data, r))
            .collect(),
        employer_contacts: data
            .employer_contacts
            .iter()
            .map(|e| employer_contact_document(data, e))
            .collect(),
        fidelity_reviews: data
            .fidelity_reviews
            .iter()
            .map(|r| super::fidelity_review::fidelity_review_document(r, &data.teams))
            .collect(),
        // The versions of referrals read from a database (a bundle's own
        // referrals have none).
        referral_versions: data
            .referrals
            .iter()
            .filter(|r| r.version > 0)
            .map(|r| (r.id.clone(), r.version))
            .collect(),
    }
}

/// One employer contact as written in a bundle.
pub fn employer_contact_document(data: &Dataset, e: &EmployerContact) -> EmployerContactDoc {
    EmployerContactDoc {
        id: e.id.clone(),
        es: data.staff_member(e.es).id.clone(),
        date: e.date.to_string(),
        employer: e.employer.clone(),
        kind: name_of(&EMPLOYER_CONTACT_KINDS, e.kind).into(),
        note: e.note.as_deref().map(str::to_string),
        client: e.client.map(|c| data.client(c).id.clone()),
    }
}

/// One referral as written in a bundle (data entry starts from it).
pub fn referral_document(data: &Dataset, r: &Referral) -> ReferralDoc {
    let staff_id = |i: StaffIdx| data.staff_member(i).id.clone();
    ReferralDoc {
        id: r.id.clone(),
        client: data.client(r.client).id.clone(),
        received: r.received.to_string(),
        status_at_referral: name_of(&GROUPS, r.status_at_referral).into(),
        es: r.es.map(staff_id),
        transfers: Some(
            r.transfers
                .iter()
                .map(|t| TransferDoc {
                    date: t.date.to_string(),
                    es: staff_id(t.es),
                })
                .collect(),
        ),
        access: day_text(r.access),
        vocational_plan: r.vocational_plan.as_ref().map(|p| PlanDoc {
            start: p.start.to_string(),
            end: day_text(p.end),
            reviews: r.plan_reviews.iter().map(|d| d.to_string()).collect(),
            agreed_with_clinical_team: r.plan_agreed,
            job_preferences: r.job_preferences.as_deref().map(str::to_string),
        }),
        contacts: Some(
            r.contacts
                .iter()
                .map(|k| ContactDoc {
                    date: k.date.to_string(),
                    kind: name_of(&CONTACT_KINDS, k.kind).into(),
                    mechanism: k.mechanism.map(|m| name_of(&MECHANISMS, m).into()),
                    note: k.note.as_deref().map(str::to_string),
                    location: k.location.map(|l| name_of(&CONTACT_LOCATIONS, l).into()),
                })
                .collect(),
        ),
        holds: Some(r.holds.iter().map(spell_doc).collect()),
        waiting_list: Some(
            r.waiting_list
                .iter()
                .map(|w| WaitingSpellDoc {
                    start: w.spell.start.to_string(),
                    end: day_text(w.spell.end),
                    expected_return: day_text(w.expected_return),
                })
                .collect(),
        ),
        engagement: Some(
            r.engagement
                .iter()
                .map(|e| EngagementDoc {
                    date: e.date.to_string(),
                    status: name_of(&ENGAGEMENTS, e.status).into(),
                })
                .collect(),
        ),
        decisions: Some(
            r.decisions
                .iter()
                .map(|d| DecisionDoc {
                    start: d.spell.start.to_string(),
                    end: day_text(d.spell.end),
                    status: name_of(&DECISIONS, d.active).into(),
                    reason: d.reason.clone(),
                    agreed_by: d.agreed_by.clone(),
                })
                .collect(),
        ),
        discharge: r.discharge.as_ref().map(|d| DischargeDoc {
            date: d.date.to_string(),
            reason: d.reason.clone(),
        }),
        jobs: Some(
            r.jobs
                .iter()
                .map(|j| JobDoc {
                    id: j.id.clone(),
                    kind: name_of(&JOB_TYPES, j.kind).into(),
                    employer: j.employer.clone(),
                    start: j.start.to_string(),
                    end: day_text(j.end),
                    hours_per_week: j.hours_per_week.map(hours_number),
                    weekly_hours: (!j.weekly_hours.is_empty())
                        .then(|| j.weekly_hours.iter().copied().map(hours_number).collect()),
                    four_hours_confirmed: day_text(j.four_hours_confirmed),
                    self_employment_registration: j
                        .self_employment_registration
                        .map(|s| name_of(&REGISTRATIONS, s).into()),
                    self_employment_evidence: j
                        .self_employment_evidence
                        .as_deref()
                        .map(str::to_string),
                    retained: Some(j.retained),
                    return_to_work: day_text(j.return_to_work),
                    pays_minimum_wage: j.pays_minimum_wage,
                    open_to_anyone: j.open_to_anyone,
                    end_reason: j.end_reason.map(|r| name_of(&JOB_END_REASONS, r).into()),
                })
                .collect(),
        ),
        in_work_checks: r
            .in_work_checks
            .iter()
            .map(|k| InWorkCheckDoc {
                date: k.date.to_string(),
                source: name_of(&CHECK_SOURCES, k.source).into(),
                note: k.note.as_deref().map(str::to_string),
            })
            .collect(),
        entered_in_error: r.entered_in_error.as_ref().map(|e| EnteredInErrorDoc {
            date: e.on.to_string(),
            reason: e.reason.clone(),
            recorded_by: e.by.clone(),
        }),
        better_off_calculation: day_text(r.better_off_calculation),
        disclosure: r.disclosure.map(|d| DisclosureDoc {
            choice: name_of(&DISCLOSURE_CHOICES, d.choice).into(),
            date: d.on.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{MINIMAL, read_bundle, validate};

    #[test]
    fn contact_mechanism_round_trips_and_is_omitted_when_not_recorded() {
        let text = MINIMAL.replace(
            "\"jobs\":",
            "\"contacts\": [{\"date\": \"2024-04-03\", \"kind\": \"remote\", \"mechanism\": \"video\"},
                           {\"date\": \"2024-04-04\", \"kind\": \"face_to_face\"},
                           {\"date\": \"2024-04-05\", \"kind\": \"in_work_support\", \"mechanism\": null}],
             \"jobs\":",
        );
        let loaded = read_bundle(&text).expect("valid");
        let contacts = &loaded.dataset.referrals[0].contacts;
        assert_eq!(contacts[0].mechanism, Some(Mechanism::Video));
        assert_eq!(contacts[1].mechanism, None);
        assert_eq!(contacts[2].mechanism, None);
        let doc = to_document(&loaded.dataset);
        let written = doc.referrals[0].contacts.as_ref().unwrap();
        assert_eq!(written[0].mechanism.as_deref(), Some("video"));
        assert_eq!(written[1].mechanism, None);
        let r = referral_document(&loaded.dataset, &loaded.dataset.referrals[0]);
        assert_eq!(&r, &doc.referrals[0]);
        assert_eq!(validate(&doc).expect("valid").dataset, loaded.dataset);
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(
            json.matches("mechanism").count(),
            1,
            "only the recorded mechanism is written: {json}"
        );
    }

    #[test]
    fn export_gives_back_the_same_values() {
        let loaded = read_bundle(MINIMAL).expect("valid");
        let doc = to_document(&loaded.dataset);
        let again = validate(&doc).expect("valid");
        assert_eq!(again.dataset, loaded.dataset);
        let text = serde_json::to_string(&doc).unwrap();
        assert!(
            text.contains("\"hours_per_week\":16"),
            "whole hours are written as integers: {text}"
        );
    }
}
