//! FIDR-10..12 for a fidelity review (issue 26): the one check every door
//! calls ([`check_review`]), and a review in a bundle
//! ([`FidelityReviewDoc`]): read into the check, written back from the
//! checked review, its records named `fidelity review <id>`.

use std::collections::HashMap;

use super::document::{FidelityActionDoc, FidelityItemDoc, FidelityReviewDoc};
use super::errors::{BundleErrors, Checker, index_ids};
use super::limits::{FIDELITY_ACTION_CHARS, FIDELITY_NOTE_CHARS, FIDELITY_REVIEWER_CHARS};
use super::text::{TextRule, read_text};
use crate::model::fidelity_review::{
    Action, FidelityReview, Field, ItemScore, Review, ReviewError, ReviewInput, Stage, capital,
};
use crate::model::fidelity_scale::{ITEMS, ItemId};
use crate::model::{Team, TeamIdx};
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

/// A review's stages as a bundle writes them.
pub const STAGES: [(&str, Stage); 2] = [("draft", Stage::Draft), ("finished", Stage::Finished)];

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

/// FIDR-10..12: the one check of a review, whichever way it arrived. Each
/// item's `suggested` score is the one the records suggested when it was
/// scored (`fidelity::evidence`). `today`, at data entry (a form, the
/// API), refuses a review date after it; a bundle, read on any later day,
/// gives none. Every error is listed at once.
pub fn check_review(input: &ReviewInput, today: Option<Day>) -> Result<Review, Vec<ReviewError>> {
    let mut errors = Vec::new();
    if today.is_some_and(|today| input.review_date > today) {
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
        if let (Some(score), Some(suggestion)) = (given.score, given.suggested)
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
        if given.suggested.is_some_and(|s| !(1..=5).contains(&s)) {
            errors.push(error(
                Some(id),
                Field::Suggested,
                format!("The suggested score of {label} must be 1 to 5."),
            ));
        }
        items[at] = ItemScore {
            suggested: given.suggested,
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

/// Where a review error goes in a bundle: `review_date`, `reviewers`,
/// `items[15].score`, `actions[2].what`…
fn field_of(e: &ReviewError, actions: &[FidelityActionDoc]) -> String {
    let item = e.item.map(ItemId::number).unwrap_or(0);
    let action = || {
        actions
            .iter()
            .position(|a| a.item == u32::from(item))
            .map_or(String::from("actions"), |at| format!("actions[{at}]"))
    };
    match e.field {
        Field::ReviewDate => "review_date".into(),
        Field::Reviewers => "reviewers".into(),
        Field::Score => format!("items[{item}].score"),
        Field::Suggested => format!("items[{item}].suggested"),
        Field::Note => format!("items[{item}].note"),
        Field::ActionWhat => format!("{}.what", action()),
        Field::ActionWho => format!("{}.who", action()),
        Field::ActionByWhen => format!("{}.by_when", action()),
        Field::ActionItem => format!("{}.item", action()),
        Field::Actions => "actions".into(),
    }
}

/// A score or item number as given, at most 255 (the check refuses all
/// but 1 to 5 or 1 to 25, so anything larger stays refused).
fn small(n: u32) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

/// BAD-1 and FIDR-10..12 for the fidelity reviews of a bundle (issue 26):
/// each with an id, unique; `team` a team of the bundle (none: the whole
/// service); a period in T-2's words; a review date; a stage (`draft`,
/// `finished`); items by their number on the scale (1 to 25, each at most
/// once; an item left out has no score, no suggestion and no note);
/// actions naming an item; then [`check_review`] with no today (a bundle's
/// dates are checked at data entry). Records are named `fidelity review <id>`.
pub(super) fn check_fidelity_review_docs(
    c: &mut Checker,
    docs: &[FidelityReviewDoc],
    teams: &HashMap<&str, u32>,
    today: Option<Day>,
) -> Vec<FidelityReview> {
    let _ids = index_ids(
        &mut c.errors,
        "fidelity review",
        docs.iter().map(|r| r.id.as_str()),
    );
    let mut checked = Vec::with_capacity(docs.len());
    for doc in docs {
        c.record = format!("fidelity review {}", doc.id.trim());
        let team = match doc.team.as_deref().map(str::trim) {
            None => Ok(None),
            Some(id) => match teams.get(id) {
                Some(&at) => Ok(Some(TeamIdx(at))),
                None => {
                    c.error("team", format!("team {id} is not a team of this bundle"));
                    Err(())
                }
            },
        };
        let period = Period::parse(doc.period.trim())
            .map_err(|e| c.error("period", e.to_string()))
            .ok();
        let review_date = c.date("review_date", &doc.review_date);
        let stage = c.enumeration("stage", &doc.stage, &STAGES);
        let mut items: [ItemScore; 25] = Default::default();
        let mut seen = [false; 25];
        for (at, given) in doc.items.iter().enumerate() {
            let Some(id) = ItemId::from_number(small(given.item)) else {
                c.error(
                    format!("items[{at}].item"),
                    format!("item {} is not an item of the scale (1 to 25)", given.item),
                );
                continue;
            };
            if std::mem::replace(&mut seen[id.index()], true) {
                c.error(
                    format!("items[{at}].item"),
                    format!("{} is given more than once", id.label()),
                );
            }
            items[id.index()] = ItemScore {
                suggested: given.suggested.map(small),
                score: given.score.map(small),
                note: given.note.clone().unwrap_or_default(),
            };
        }
        let mut actions = Vec::with_capacity(doc.actions.len().min(MAX_ACTIONS + 1));
        for (at, given) in doc.actions.iter().enumerate() {
            let item = ItemId::from_number(small(given.item));
            if item.is_none() {
                c.error(
                    format!("actions[{at}].item"),
                    format!("item {} is not an item of the scale (1 to 25)", given.item),
                );
            }
            let by_when = c.date(&format!("actions[{at}].by_when"), &given.by_when);
            if let (Some(item), Some(by_when)) = (item, by_when) {
                actions.push(Action {
                    item,
                    what: given.what.clone(),
                    who: given.who.clone(),
                    by_when,
                });
            }
        }
        let (Ok(team), Some(period), Some(review_date), Some(stage)) =
            (team, period, review_date, stage)
        else {
            continue;
        };
        let input = ReviewInput {
            period,
            review_date,
            reviewers: doc.reviewers.clone(),
            items,
            actions,
            stage,
        };
        match check_review(&input, today) {
            Ok(review) => checked.push(FidelityReview {
                id: doc.id.trim().to_string(),
                team,
                review,
            }),
            Err(errors) => {
                for e in errors {
                    c.error(field_of(&e, &doc.actions), e.message);
                }
            }
        }
    }
    checked
}

/// A review as a bundle writes it: items in scale order, those with a
/// suggestion, a score or a note; `teams` the dataset's, for the team's id.
pub fn fidelity_review_document(r: &FidelityReview, teams: &[Team]) -> FidelityReviewDoc {
    let ids: Vec<&str> = teams.iter().map(|t| t.id.as_str()).collect();
    document(r, &ids)
}

/// [`fidelity_review_document`] given the teams' ids.
fn document(r: &FidelityReview, team_ids: &[&str]) -> FidelityReviewDoc {
    let review = &r.review;
    FidelityReviewDoc {
        id: r.id.clone(),
        team: r.team.map(|t| team_ids[t.0 as usize].to_string()),
        period: review.period.label.clone(),
        review_date: review.review_date.to_string(),
        reviewers: review.reviewers.clone(),
        stage: super::vocabulary::name_of(&STAGES, review.stage).into(),
        items: ItemId::ALL
            .iter()
            .zip(&review.items)
            .filter(|(_, i)| i.suggested.is_some() || i.score.is_some() || !i.note.is_empty())
            .map(|(id, i)| FidelityItemDoc {
                item: u32::from(id.number()),
                suggested: i.suggested.map(u32::from),
                score: i.score.map(u32::from),
                note: Some(i.note.clone()).filter(|n| !n.is_empty()),
            })
            .collect(),
        actions: review
            .actions
            .iter()
            .map(|a| FidelityActionDoc {
                item: u32::from(a.item.number()),
                what: a.what.clone(),
                who: a.who.clone(),
                by_when: a.by_when.to_string(),
            })
            .collect(),
    }
}

/// Checks one review on its own, as data entry records it (a form, the
/// API): as in a bundle, against the service's teams (`team_ids`), and its
/// review date not after `today`. Gives the review as it is stored.
pub fn check_fidelity_review(
    doc: &FidelityReviewDoc,
    team_ids: &[&str],
    today: Day,
) -> Result<FidelityReviewDoc, BundleErrors> {
    let index: HashMap<&str, u32> = team_ids
        .iter()
        .enumerate()
        .map(|(at, id)| (*id, at as u32))
        .collect();
    let mut c = Checker {
        errors: Vec::new(),
        record: String::new(),
    };
    let checked =
        check_fidelity_review_docs(&mut c, std::slice::from_ref(doc), &index, Some(today));
    match checked.first() {
        Some(r) if c.errors.is_empty() => Ok(document(r, team_ids)),
        _ => Err(BundleErrors(c.errors)),
    }
}
