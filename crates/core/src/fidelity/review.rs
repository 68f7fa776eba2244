//! FIDR-10..13: a fidelity review as it arrives (a form, the API, an
//! import) and the one check every door calls; its totals, band and the
//! items below 4 that need an action plan.

use serde::Serialize;

use super::scale::{Band, ITEMS, ItemId, Section};
use crate::bundle::limits::{FIDELITY_ACTION_CHARS, FIDELITY_NOTE_CHARS, FIDELITY_REVIEWER_CHARS};
use crate::bundle::{TextRule, read_text};
use crate::time::{Day, Period};

/// The most reviewers a review names.
pub const MAX_REVIEWERS: usize = 6;
/// The longest reviewer's name, in characters.
pub const MAX_REVIEWER_CHARS: usize = FIDELITY_REVIEWER_CHARS;
/// The longest note on an item, in characters.
pub const MAX_NOTE_CHARS: usize = FIDELITY_NOTE_CHARS;
/// The longest "what" or "who" of an action, in characters.
pub const MAX_ACTION_CHARS: usize = FIDELITY_ACTION_CHARS;
/// The most actions a review carries.
pub const MAX_ACTIONS: usize = 100;

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

/// A review as given, before the check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewInput {
    pub period: Period,
    pub review_date: Day,
    pub reviewers: Vec<String>,
    /// The 25 items in scale order.
    pub items: [ItemScore; 25],
    pub actions: Vec<Action>,
    pub stage: Stage,
}

/// A review that passed [`check_review`]: text trimmed, every rule met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub period: Period,
    pub review_date: Day,
    pub reviewers: Vec<String>,
    pub items: [ItemScore; 25],
    pub actions: Vec<Action>,
    pub stage: Stage,
}

/// What a review field is, for an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ReviewDate,
    Reviewers,
    Score,
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

fn error(item: Option<ItemId>, field: Field, message: String) -> ReviewError {
    ReviewError {
        item,
        field,
        message,
    }
}

/// Reads free text as every door does (BAD-1's `read_text`): trimmed, or
/// an error saying what `subject` holds wrong; blank is empty.
fn text(
    value: &str,
    rule: TextRule,
    subject: &str,
    item: Option<ItemId>,
    field: Field,
    errors: &mut Vec<ReviewError>,
) -> String {
    match read_text(value, rule) {
        Ok(text) => text.unwrap_or_default().to_string(),
        Err(problem) => {
            errors.push(error(
                item,
                field,
                format!("{subject} {}.", problem.words()),
            ));
            value.trim().to_string()
        }
    }
}

/// FIDR-10..12: the one check of a review, whichever way it arrived.
/// `suggested` holds each item's suggested score in scale order (from
/// [`super::evidence`]); `today` is the day it is checked. Every error is
/// listed at once.
pub fn check_review(
    input: &ReviewInput,
    suggested: &[Option<u8>; 25],
    today: Day,
) -> Result<Review, Vec<ReviewError>> {
    let mut errors = Vec::new();
    if input.review_date > today {
        errors.push(error(
            None,
            Field::ReviewDate,
            format!("The review date {} is in the future.", input.review_date),
        ));
    }
    if input.review_date < input.period.start {
        errors.push(error(
            None,
            Field::ReviewDate,
            format!(
                "The review date {} is before the period's start {}.",
                input.review_date, input.period.start
            ),
        ));
    }
    let reviewers: Vec<String> = input
        .reviewers
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let subject = format!("Reviewer {}'s name", i + 1);
            let rule = TextRule::line(MAX_REVIEWER_CHARS);
            text(name, rule, &subject, None, Field::Reviewers, &mut errors)
        })
        .collect();
    if reviewers.is_empty() {
        errors.push(error(
            None,
            Field::Reviewers,
            "Name at least one reviewer.".into(),
        ));
    }
    if reviewers.len() > MAX_REVIEWERS {
        errors.push(error(
            None,
            Field::Reviewers,
            format!(
                "Name at most {MAX_REVIEWERS} reviewers ({} named).",
                reviewers.len()
            ),
        ));
    }
    for (i, name) in reviewers.iter().enumerate() {
        if name.is_empty() {
            errors.push(error(
                None,
                Field::Reviewers,
                format!("Reviewer {} has no name.", i + 1),
            ));
        }
    }
    let mut items: [ItemScore; 25] = Default::default();
    for (at, given) in input.items.iter().enumerate() {
        let id = ITEMS[at].id;
        let label = id.label();
        let subject = format!("The note on {label}");
        let rule = TextRule::lines(MAX_NOTE_CHARS);
        let note = text(
            &given.note,
            rule,
            &subject,
            Some(id),
            Field::Note,
            &mut errors,
        );
        match given.score {
            Some(s) if !(1..=5).contains(&s) => errors.push(error(
                Some(id),
                Field::Score,
                format!("The score of {label} must be 1 to 5, not {s}."),
            )),
            None if input.stage == Stage::Finished => errors.push(error(
                Some(id),
                Field::Score,
                format!("Score {label} to finish the review."),
            )),
            _ => {}
        }
        if let (Some(score), Some(suggestion)) = (given.score, suggested[at])
            && score != suggestion
            && note.is_empty()
        {
            errors.push(error(
                Some(id),
                Field::Note,
                format!(
                    "Add a note on {label}: the score {score} differs from the {suggestion} the records suggest."
                ),
            ));
        }
        items[at] = ItemScore {
            score: given.score,
            note,
        };
    }
    if input.actions.len() > MAX_ACTIONS {
        errors.push(error(
            None,
            Field::Actions,
            format!("A review carries at most {MAX_ACTIONS} actions."),
        ));
    }
    let mut actions = Vec::new();
    for action in &input.actions {
        let id = action.item;
        let label = id.label();
        let score = input.items[id.index()].score;
        if let Some(s) = score.filter(|s| *s >= 4) {
            errors.push(error(
                Some(id),
                Field::ActionItem,
                format!(
                    "{label} scores {s}: the action plan is for items below 4.",
                    label = capital(&label)
                ),
            ));
        }
        let mut read = |value: &str, field: Field, word: &str| {
            let subject = format!("The {word} of the action on {label}");
            let rule = TextRule::line(MAX_ACTION_CHARS);
            let read = text(value, rule, &subject, Some(id), field, &mut errors);
            if read.is_empty() {
                let message = format!("Say {word} for the action on {label}.");
                errors.push(error(Some(id), field, message));
            }
            read
        };
        let what = read(&action.what, Field::ActionWhat, "what");
        let who = read(&action.who, Field::ActionWho, "who");
        if action.by_when < input.review_date {
            errors.push(error(
                Some(id),
                Field::ActionByWhen,
                format!(
                    "The action on {label} is due {} , before the review date {}.",
                    action.by_when, input.review_date
                )
                .replace(" ,", ","),
            ));
        }
        actions.push(Action {
            item: id,
            what,
            who,
            by_when: action.by_when,
        });
    }
    if input.stage == Stage::Finished {
        for (at, given) in input.items.iter().enumerate() {
            let id = ITEMS[at].id;
            if given.score.is_some_and(|s| (1..4).contains(&s))
                && !input.actions.iter().any(|a| a.item == id)
            {
                errors.push(error(
                    Some(id),
                    Field::Actions,
                    format!(
                        "{} scores below 4: give it an action (what, who, by when).",
                        capital(&id.label())
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Review {
        period: input.period.clone(),
        review_date: input.review_date,
        reviewers,
        items,
        actions,
        stage: input.stage,
    })
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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
