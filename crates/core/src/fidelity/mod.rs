//! The IPS fidelity review (issue 26, FIDR-1..18): the scale's 25 items and
//! their anchors, what the records say about the items they can speak to
//! (with the score it suggests), a review as the reviewers give it and the
//! one check every door calls, its totals and band, and reviews side by
//! side over time. Pure functions: the store and the pages sit above.
//!
//! Parts, bottom to top: `scale` (items, anchors, bands); `evidence` (what
//! an item's evidence is, and the anchors read as numbers), with the
//! figures worked out in `search` (caseloads, rapid search, employer
//! visits), `in_work` (job starts, follow-along, outreach) and `recorded`
//! (competitive jobs, community-based services, work incentives,
//! disclosure) and gathered
//! here by [`evidence()`]; `review` (the value, its one check, totals);
//! `compare` (reviews over time). Sources: docs/fidelity.md.

pub mod compare;
pub mod evidence;
mod in_work;
pub mod recorded;
mod search;

/// The scale and a review's value are the model's (a stored review is part
/// of the data); the check is the bundle's, as every record's is.
pub use crate::bundle::check_review;
pub use crate::model::fidelity_review as review;
pub use crate::model::fidelity_scale as scale;
pub use compare::{ItemRow, SideBySide, side_by_side};
pub use evidence::{Evidence, ReviewScope, Source};
pub use review::{
    Action, FidelityReview, Field, ItemScore, Review, ReviewError, ReviewInput, Stage, Totals,
};
pub use scale::{Band, ITEMS, Item, ItemId, MAXIMUM, Section};

use crate::model::Dataset;
use crate::time::{Day, Period};
use evidence::days_of;

/// FIDR-3..9, 15..18: the evidence for each of the 25 items, in scale order, for
/// `scope` over `period` as known on `as_of` (T-3).
pub fn evidence(data: &Dataset, scope: ReviewScope, period: &Period, as_of: Day) -> Vec<Evidence> {
    let days = days_of(period, as_of);
    let follow = in_work::follow_along(data, scope, days, as_of);
    ItemId::ALL
        .iter()
        .map(|&item| match item {
            ItemId::CaseloadSize => search::caseload_size(data, scope, days.end),
            ItemId::RapidJobSearch => search::rapid_job_search(data, scope, days, as_of),
            ItemId::JobDevelopmentFrequentContact => search::employer_contacts(data, scope, days),
            ItemId::DiversityOfJobTypes | ItemId::DiversityOfEmployers => {
                in_work::diversity(data, scope, days, as_of, item)
            }
            ItemId::IndividualisedFollowAlong | ItemId::TimeUnlimitedFollowAlong => {
                follow.evidence(item)
            }
            ItemId::AssertiveEngagement => in_work::assertive_engagement(data, scope, days, as_of),
            ItemId::CompetitiveJobs => recorded::competitive_jobs(data, scope, days, as_of),
            ItemId::CommunityBasedServices => recorded::community_based(data, scope, days, as_of),
            ItemId::WorkIncentivesPlanning => recorded::work_incentives(data, scope, days, as_of),
            ItemId::Disclosure => recorded::disclosure(data, scope, days, as_of),
            _ => Evidence::without(
                item,
                Source::Reviewers,
                "Scored by the reviewers from what they see and hear.",
            ),
        })
        .collect()
}

/// The suggested score of each item, in scale order, from its evidence.
pub fn suggestions(evidence: &[Evidence]) -> [Option<u8>; 25] {
    let mut out = [None; 25];
    for e in evidence {
        out[e.item.index()] = e.suggested;
    }
    out
}
