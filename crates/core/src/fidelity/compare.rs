//! FIDR-14: reviews side by side over time, per item and in total.

use serde::Serialize;

use super::review::Review;
use super::scale::{Band, ItemId};
use crate::time::Day;

/// One item across the reviews.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemRow {
    pub item: ItemId,
    /// The item's score in each review, oldest first (`None` when a draft
    /// left it empty).
    pub scores: Vec<Option<u8>>,
    /// The last score less the one before it, when both are given.
    pub change: Option<i8>,
}

/// Reviews side by side, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SideBySide {
    pub review_dates: Vec<Day>,
    pub periods: Vec<String>,
    pub items: Vec<ItemRow>,
    pub totals: Vec<u32>,
    /// Each review's Staffing, Organisation and Services scores.
    pub sections: Vec<[u32; 3]>,
    pub bands: Vec<Option<Band>>,
}

/// FIDR-14: `reviews` side by side, oldest review date first (on a tie,
/// the earlier period first).
pub fn side_by_side(reviews: &[&Review]) -> SideBySide {
    let mut ordered: Vec<&Review> = reviews.to_vec();
    ordered.sort_by(|a, b| {
        a.review_date
            .cmp(&b.review_date)
            .then_with(|| a.period.start.cmp(&b.period.start))
    });
    let totals: Vec<_> = ordered.iter().map(|r| r.totals()).collect();
    let items = ItemId::ALL
        .into_iter()
        .map(|item| {
            let scores: Vec<Option<u8>> = ordered
                .iter()
                .map(|r| r.items[item.index()].score)
                .collect();
            let change = match scores.as_slice() {
                [.., Some(before), Some(last)] => Some(*last as i8 - *before as i8),
                _ => None,
            };
            ItemRow {
                item,
                scores,
                change,
            }
        })
        .collect();
    SideBySide {
        review_dates: ordered.iter().map(|r| r.review_date).collect(),
        periods: ordered.iter().map(|r| r.period.label.clone()).collect(),
        items,
        totals: totals.iter().map(|t| t.total).collect(),
        sections: totals.iter().map(|t| t.sections.map(|s| s.score)).collect(),
        bands: totals.iter().map(|t| t.band).collect(),
    }
}
