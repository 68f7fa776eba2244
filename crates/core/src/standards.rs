//! ENG-1..4 *(rev. 3)*: the engagement standards of the caseload guidance,
//! as worklist items for one referral on one day. None changes a figure.

use crate::alert::Alert;
use crate::caseload::{DayStatus, engagement_on};
use crate::model::{Dataset, Engagement, Referral, StaffIdx};
use crate::time::Day;

/// The engagement-standard items of referral `r` on `day` (its status that
/// day given), each with the day it falls due: ENG-1 fortnightly contact,
/// ENG-2 plan review, ENG-3 team decisions without who agreed, ENG-4 rapid
/// job search.
pub fn standards_items(
    data: &Dataset,
    r: &Referral,
    day: Day,
    status: &DayStatus,
    es: Option<StaffIdx>,
) -> Vec<(Day, Alert)> {
    let policy = &data.policy;
    let mut out = Vec::new();
    if !status.open {
        return out;
    }
    let seeking = engagement_on(r, day) == Engagement::SeekingWork;
    // ENG-1: an active client seeking work, last two-way contact 14+ days old.
    if status.active
        && seeking
        && let Some(last) = status.last_two_way_contact
        && day.since(last) >= policy.contact_due_days
    {
        out.push((
            last.plus(policy.contact_due_days),
            Alert::FortnightlyContactDue { last_contact: last },
        ));
    }
    // ENG-2: an open plan started or last reviewed 91+ days ago.
    if let Some(plan) = r.vocational_plan.filter(|p| p.covers(day)) {
        let last = r
            .plan_reviews
            .iter()
            .copied()
            .filter(|d| *d <= day)
            .fold(plan.start, Day::max);
        if day.since(last) >= policy.plan_review_days {
            out.push((
                last.plus(policy.plan_review_days),
                Alert::PlanReviewDue { last_review: last },
            ));
        }
    }
    // ENG-3: a team decision in force without the ES and one other member
    // recorded as agreeing it.
    for decision in r.decisions.iter().filter(|d| d.spell.covers(day)) {
        let agreement = agreement(data, es, &decision.agreed_by);
        if !agreement.is_team() {
            out.push((
                decision.spell.start,
                Alert::DecisionAgreementMissing {
                    decision_start: decision.spell.start,
                    agreed_by: agreement.people,
                    es_named: agreement.es_named,
                },
            ));
        }
    }
    // ENG-4: accessed and seeking work with no employer contact naming the
    // client since access, 30+ days on.
    if let Some(access) = r.access.filter(|a| *a <= day)
        && seeking
        && day.since(access) >= policy.rapid_search_days
        && first_employer_contact(data, r, day).is_none()
    {
        out.push((
            access.plus(policy.rapid_search_days),
            Alert::RapidSearchDue { access },
        ));
    }
    out
}

/// ENG-4: the first employer contact naming the referral's client dated
/// from its access date to `as_of`.
pub fn first_employer_contact(data: &Dataset, r: &Referral, as_of: Day) -> Option<Day> {
    let access = r.access?;
    data.employer_contacts
        .iter()
        .filter(|e| e.client == Some(r.client))
        .map(|e| e.date)
        .filter(|d| access <= *d && *d <= as_of)
        .min()
}

/// ENG-3: who agreed a team decision, as counted: the distinct people named
/// (compared without case), and whether the referral's ES (`es`, by staff
/// id or name) is one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Agreement {
    pub people: u32,
    pub es_named: bool,
    /// Whether the referral has an ES to name.
    pub has_es: bool,
}

impl Agreement {
    /// "A team approach": the ES (when there is one) and at least one other.
    pub fn is_team(self) -> bool {
        self.people >= 2 && (self.es_named || !self.has_es)
    }

    /// What is missing, in words, when it is not a team's decision: the
    /// data-entry forms and API refuse a new decision so (issue 22).
    pub fn problem(self) -> Option<&'static str> {
        match (self.is_team(), self.es_named || !self.has_es) {
            (true, _) => None,
            (false, false) => Some(
                "Record who agreed the decision: the employment specialist and at least one other member of the team (a team approach)",
            ),
            (false, true) => Some(
                "A decision by one person alone is not a team decision: record at least one other member of the team who agreed it",
            ),
        }
    }
}

/// ENG-3: how the names of `agreed_by` count for a referral whose ES is `es`.
pub fn agreement(data: &Dataset, es: Option<StaffIdx>, agreed_by: &[String]) -> Agreement {
    let mut names: Vec<String> = agreed_by.iter().map(|a| a.trim().to_lowercase()).collect();
    names.retain(|n| !n.is_empty());
    let es_named = es.is_some_and(|es| {
        let s = data.staff_member(es);
        let (id, name) = (s.id.to_lowercase(), s.name.to_lowercase());
        names.iter().any(|a| *a == id || *a == name)
    });
    names.sort();
    names.dedup();
    Agreement {
        people: names.len() as u32,
        es_named,
        has_es: es.is_some(),
    }
}
