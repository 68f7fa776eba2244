//! FIDR-10..13: a fidelity review — as it arrives (a form, the API, an
//! import) and as stored once core's check (`bundle::check_review`) passed
//! it; its totals, band and the items below 4 that need an action plan.

use serde::Serialize;

use super::TeamIdx;
use super::fidelity_scale::{Band, ItemId, Section};
use crate::time::{Day, Period};

/// A stored review (issue 26): its id, whose it is (a team, or the whole
/// service when `team` is none) and the review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FidelityReview {
    pub id: String,
    pub team: Option<TeamIdx>,
    pub review: Review,
}

/// Whether the review is still being written or is finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Items may be left unscored.
    Draft,
    /// Every item scored, every item below 4 with an action.
    Finished,
}

/// One item as the reviewers scored it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ItemScore {
    /// The score the records suggested when the item was scored (kept with
    /// the review, so a later correction of the records does not change
    /// what the reviewers were shown); `None` when they suggested none.
    pub suggested: Option<u8>,
    /// 1 to 5; `None` while a draft leaves it empty.
    pub score: Option<u8>,
    /// Why, in the reviewers' words (trimmed; empty when none).
    pub note: String,
}

/// An action for an item scored below 4: what, who, by when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    pub item: ItemId,
    pub what: String,
    pub who: String,
    pub by_when: Day,
}

/// A review as given, before the check: the same shape as one checked.
pub type ReviewInput = Review;

/// A review; once it passed core's check (`bundle::check_review`), its text
/// is trimmed and every rule met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub period: Period,
    pub review_date: Day,
    pub reviewers: Vec<String>,
    /// The 25 items in scale order.
    pub items: [ItemScore; 25],
    pub actions: Vec<Action>,
    pub stage: Stage,
}

/// `text` with its first letter a capital ("Item 17 …" in a message that
/// starts with an item's label).
pub fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a review field is, for an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ReviewDate,
    Reviewers,
    Score,
    Suggested,
    Note,
    ActionWhat,
    ActionWho,
    ActionByWhen,
    ActionItem,
    Actions,
}

/// One thing wrong with a review, in plain words naming the item and field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReviewError {
    /// The item it is about, if any.
    pub item: Option<ItemId>,
    pub field: Field,
    pub message: String,
}

/// A section's score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SectionTotal {
    pub section: Section,
    /// The scores given so far.
    pub score: u32,
    pub maximum: u32,
    /// Items of the section not scored yet.
    pub unscored: u32,
}

/// FIDR-13: a review's totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// The scores given so far (out of 125).
    pub total: u32,
    pub sections: [SectionTotal; 3],
    /// The band, once all 25 items are scored.
    pub band: Option<Band>,
    /// Items scored below 4, in scale order: the action plan's items.
    pub below_4: Vec<ItemId>,
}

impl Review {
    /// FIDR-13: the total, per section, the band and the items below 4.
    pub fn totals(&self) -> Totals {
        let score_of = |id: ItemId| self.items[id.index()].score;
        let sections = Section::ALL.map(|section| {
            let scores: Vec<Option<u8>> = section.items().map(|i| score_of(i.id)).collect();
            SectionTotal {
                section,
                score: scores.iter().flatten().map(|s| u32::from(*s)).sum(),
                maximum: section.maximum(),
                unscored: scores.iter().filter(|s| s.is_none()).count() as u32,
            }
        });
        let total = sections.iter().map(|s| s.score).sum();
        let complete = sections.iter().all(|s| s.unscored == 0);
        Totals {
            total,
            sections,
            band: complete.then(|| Band::of(total)),
            below_4: ItemId::ALL
                .into_iter()
                .filter(|id| score_of(*id).is_some_and(|s| s < 4))
                .collect(),
        }
    }

    /// The actions for `item`.
    pub fn actions_for(&self, item: ItemId) -> impl Iterator<Item = &Action> {
        self.actions.iter().filter(move |a| a.item == item)
    }
}
