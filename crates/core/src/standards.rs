//! ENG-1..4 *(rev. 3)*: the engagement standards of the caseload guidance,
//! as worklist items for one referral on one day. None changes a figure.

use crate::caseload::{DayStatus, engagement_on};
use crate::model::{Dataset, Engagement, Referral, StaffIdx};
use crate::time::Day;
use crate::worklist::Alert;

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
        let mut names: Vec<String> = decision
            .agreed_by
            .iter()
            .map(|a| a.to_lowercase())
            .collect();
        let es_named = es.is_some_and(|es| {
            let s = &data.staff[es as usize];
            let (id, name) = (s.id.to_lowercase(), s.name.to_lowercase());
            names.iter().any(|a| *a == id || *a == name)
        });
        names.sort();
        names.dedup();
        if names.len() < 2 || (es.is_some() && !es_named) {
            out.push((
                decision.spell.start,
                Alert::DecisionAgreementMissing {
                    decision_start: decision.spell.start,
                    agreed_by: names.len() as u32,
                    es_named,
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
