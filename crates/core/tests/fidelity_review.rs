//! FIDR-10..14: a fidelity review's one check (every field's errors, in
//! plain words naming the item and the field), its totals, band and action
//! plan, and reviews side by side over time.

mod common;

use common::d;
use ipstrack_core::Period;
use ipstrack_core::bundle::{MAX_REVIEW_NOTE_CHARS as MAX_NOTE_CHARS, MAX_REVIEWER_CHARS};
use ipstrack_core::fidelity::{
    Action, Band, Field, ItemId, ItemScore, Review, ReviewError, ReviewInput, Section, Stage,
    check_review, side_by_side,
};

const TODAY: &str = "2024-07-15";

fn scored(scores: [u8; 25]) -> [ItemScore; 25] {
    scores.map(|s| ItemScore {
        suggested: None,
        score: Some(s),
        note: String::new(),
    })
}

/// A finished review of 2024/25-Q1 on 2024-07-10 by two reviewers, every
/// item scored 5 and no suggestion.
fn input() -> ReviewInput {
    ReviewInput {
        period: Period::quarter(2024, 1),
        review_date: d("2024-07-10"),
        reviewers: vec![" Sam Reviewer ".into(), "Jo Lead".into()],
        items: scored([5; 25]),
        actions: vec![],
        stage: Stage::Finished,
    }
}

fn errors(input: &ReviewInput) -> Vec<ReviewError> {
    check_review(input, Some(d(TODAY))).expect_err("refused")
}

fn only(input: &ReviewInput) -> ReviewError {
    let mut all = errors(input);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

fn action(item: ItemId, by_when: &str) -> Action {
    Action {
        item,
        what: "Weekly employer tracking".into(),
        who: "Team lead".into(),
        by_when: d(by_when),
    }
}

#[test]
fn fidr_10_a_finished_review_passes_with_names_and_notes_trimmed() {
    let mut given = input();
    given.items[0].note = "  Checked caseloads.  ".into();
    let review = check_review(&given, Some(d(TODAY))).unwrap();
    assert_eq!(review.reviewers, vec!["Sam Reviewer", "Jo Lead"]);
    assert_eq!(review.items[0].note, "Checked caseloads.");
}

#[test]
fn fidr_10_review_date_in_the_future_is_refused() {
    let mut given = input();
    given.review_date = d("2024-07-16");
    let e = only(&given);
    assert_eq!((e.item, e.field), (None, Field::ReviewDate));
    assert_eq!(e.message, "The review date 2024-07-16 is in the future.");
    given.review_date = d(TODAY);
    assert!(
        check_review(&given, Some(d(TODAY))).is_ok(),
        "today is fine"
    );
}

#[test]
fn fidr_10_review_date_before_the_period_start_is_refused() {
    let mut given = input();
    given.review_date = d("2024-03-31");
    let e = only(&given);
    assert_eq!(e.field, Field::ReviewDate);
    assert!(
        e.message.contains("before the period's start 2024-04-01"),
        "{}",
        e.message
    );
    given.review_date = d("2024-04-01");
    assert!(
        check_review(&given, Some(d(TODAY))).is_ok(),
        "the first day is fine"
    );
}

#[test]
fn fidr_10_reviewers_one_to_six_named_each_at_most_100_characters() {
    let mut given = input();
    given.reviewers = vec![];
    assert_eq!(only(&given).message, "Name at least one reviewer.");
    given.reviewers = (1..=7).map(|i| format!("Reviewer {i}")).collect();
    assert_eq!(only(&given).message, "Name at most 6 reviewers (7 named).");
    given.reviewers.pop();
    assert!(check_review(&given, Some(d(TODAY))).is_ok(), "six is fine");
    given.reviewers = vec!["Sam".into(), "   ".into()];
    let e = only(&given);
    assert_eq!(
        (e.field, e.message.as_str()),
        (Field::Reviewers, "Reviewer 2 has no name.")
    );
    given.reviewers = vec!["x".repeat(MAX_REVIEWER_CHARS + 1)];
    assert_eq!(
        only(&given).message,
        "Reviewer 1's name must be 100 characters or fewer."
    );
    given.reviewers = vec!["Sam\u{202E}Reviewer".into()];
    assert_eq!(
        only(&given).message,
        "Reviewer 1's name holds a character that reorders text (U+202E)."
    );
    given.reviewers = vec!["Sam\nReviewer".into()];
    assert_eq!(
        only(&given).message,
        "Reviewer 1's name holds a control character."
    );
    given.reviewers = vec!["é".repeat(MAX_REVIEWER_CHARS)];
    assert!(
        check_review(&given, Some(d(TODAY))).is_ok(),
        "100 characters are fine"
    );
}

#[test]
fn fidr_11_a_score_must_be_1_to_5() {
    let mut given = input();
    given.items[ItemId::RapidJobSearch.index()].score = Some(6);
    let e = only(&given);
    assert_eq!(
        (e.item, e.field),
        (Some(ItemId::RapidJobSearch), Field::Score)
    );
    assert_eq!(
        e.message,
        "The score of item 15 (rapid job search) must be 1 to 5, not 6."
    );
    given.items[ItemId::RapidJobSearch.index()].score = Some(0);
    assert_eq!(only(&given).field, Field::Score);
}

#[test]
fn fidr_11_a_finished_review_scores_every_item_and_a_draft_may_leave_some_empty() {
    let mut given = input();
    given.items[ItemId::ZeroExclusion.index()].score = None;
    let e = only(&given);
    assert_eq!(
        (e.item, e.field),
        (Some(ItemId::ZeroExclusion), Field::Score)
    );
    assert_eq!(
        e.message,
        "Score item 9 (zero exclusion) to finish the review."
    );
    given.stage = Stage::Draft;
    let draft = check_review(&given, Some(d(TODAY))).unwrap();
    let totals = draft.totals();
    assert_eq!(
        (totals.total, totals.band),
        (120, None),
        "no band until all 25 are scored"
    );
    assert_eq!(totals.sections[1].unscored, 1);
}

#[test]
fn fidr_11_a_note_is_at_most_2000_characters() {
    let mut given = input();
    given.items[0].note = "n".repeat(MAX_NOTE_CHARS + 1);
    let e = only(&given);
    assert_eq!((e.item, e.field), (Some(ItemId::CaseloadSize), Field::Note));
    assert_eq!(
        e.message,
        "The note on item 1 (caseload size) must be 2000 characters or fewer."
    );
    given.items[0].note = format!(
        "  {}\n{}  ",
        "n".repeat(MAX_NOTE_CHARS / 2),
        "n".repeat(MAX_NOTE_CHARS / 2 - 1)
    );
    assert!(
        check_review(&given, Some(d(TODAY))).is_ok(),
        "trimmed first"
    );
}

#[test]
fn fidr_11_a_score_that_differs_from_the_suggestion_needs_a_note() {
    let mut given = input();
    given.items[ItemId::CaseloadSize.index()].suggested = Some(4);
    let e = check_review(&given, Some(d(TODAY))).unwrap_err().remove(0);
    assert_eq!((e.item, e.field), (Some(ItemId::CaseloadSize), Field::Note));
    assert_eq!(
        e.message,
        "Add a note on item 1 (caseload size): the score 5 differs from the 4 the records suggest."
    );
    let mut noted = given.clone();
    noted.items[0].note = "Two ES left in June; caseloads were 20 until then.".into();
    assert!(check_review(&noted, Some(d(TODAY))).is_ok());
    let mut agreed = given;
    agreed.items[0].score = Some(4);
    assert!(
        check_review(&agreed, Some(d(TODAY))).is_ok(),
        "confirming needs no note"
    );
}

#[test]
fn fidr_12_every_item_below_4_of_a_finished_review_has_an_action() {
    let mut given = input();
    given.items[ItemId::JobDevelopmentFrequentContact.index()].score = Some(3);
    let e = only(&given);
    assert_eq!(
        (e.item, e.field),
        (Some(ItemId::JobDevelopmentFrequentContact), Field::Actions)
    );
    assert_eq!(
        e.message,
        "Item 17 (job development — frequent employer contact) scores below 4: give it an action (what, who, by when)."
    );
    given.actions = vec![action(ItemId::JobDevelopmentFrequentContact, "2024-07-10")];
    assert!(
        check_review(&given, Some(d(TODAY))).is_ok(),
        "due on the review date is fine"
    );
    given.stage = Stage::Draft;
    given.actions.clear();
    assert!(
        check_review(&given, Some(d(TODAY))).is_ok(),
        "a draft may come without"
    );
}

#[test]
fn fidr_12_an_action_says_what_and_who_and_is_not_due_before_the_review() {
    let mut given = input();
    given.items[ItemId::Disclosure.index()].score = Some(2);
    let mut bad = action(ItemId::Disclosure, "2024-07-09");
    bad.what = "  ".into();
    bad.who = "w".repeat(501);
    given.actions = vec![bad];
    let fields: Vec<(Option<ItemId>, Field)> =
        errors(&given).iter().map(|e| (e.item, e.field)).collect();
    let item = Some(ItemId::Disclosure);
    assert_eq!(
        fields,
        vec![
            (item, Field::ActionWhat),
            (item, Field::ActionWho),
            (item, Field::ActionByWhen)
        ]
    );
    let messages: Vec<String> = errors(&given).into_iter().map(|e| e.message).collect();
    assert_eq!(
        messages[0],
        "Say what for the action on item 13 (disclosure)."
    );
    assert_eq!(
        messages[1],
        "The who of the action on item 13 (disclosure) must be 500 characters or fewer."
    );
    assert_eq!(
        messages[2],
        "The action on item 13 (disclosure) is due 2024-07-09, before the review date 2024-07-10."
    );
}

#[test]
fn fidr_12_an_action_is_for_an_item_below_4() {
    let mut given = input();
    given.actions = vec![action(ItemId::VocationalUnit, "2024-08-01")];
    let e = only(&given);
    assert_eq!(
        (e.item, e.field),
        (Some(ItemId::VocationalUnit), Field::ActionItem)
    );
    assert_eq!(
        e.message,
        "Item 7 (vocational unit) scores 5: the action plan is for items below 4."
    );
}

fn finished(total_below: &[(ItemId, u8)], date: &str) -> Review {
    let mut given = input();
    given.review_date = d(date);
    given.period = Period::range(d("2024-04-01"), d(date));
    for (item, score) in total_below {
        given.items[item.index()].score = Some(*score);
        if *score < 4 {
            given.actions.push(action(*item, date));
        }
    }
    check_review(&given, Some(d(date))).unwrap()
}

/// A finished review whose total is `total` (down from 125 on the last items).
fn with_total(total: u32) -> Review {
    let mut drop = 125 - total;
    let mut scores = Vec::new();
    for item in ItemId::ALL.iter().rev() {
        let down = drop.min(4) as u8;
        if down == 0 {
            break;
        }
        scores.push((*item, 5 - down));
        drop -= u32::from(down);
    }
    finished(&scores, "2024-07-10")
}

#[test]
fn fidr_13_totals_73_74_99_100_114_115_fall_in_their_bands() {
    for (total, band) in [
        (73, Band::NotIps),
        (74, Band::Fair),
        (99, Band::Fair),
        (100, Band::Good),
        (114, Band::Good),
        (115, Band::Exemplary),
        (125, Band::Exemplary),
    ] {
        let totals = with_total(total).totals();
        assert_eq!((totals.total, totals.band), (total, Some(band)), "{total}");
    }
}

#[test]
fn fidr_13_totals_per_section_and_the_items_below_4() {
    let review = finished(
        &[
            (ItemId::CaseloadSize, 3),
            (ItemId::ZeroExclusion, 4),
            (ItemId::RapidJobSearch, 2),
        ],
        "2024-07-10",
    );
    let totals = review.totals();
    assert_eq!(totals.total, 125 - 2 - 1 - 3);
    let sections: Vec<(Section, u32, u32)> = totals
        .sections
        .iter()
        .map(|s| (s.section, s.score, s.maximum))
        .collect();
    assert_eq!(
        sections,
        vec![
            (Section::Staffing, 13, 15),
            (Section::Organisation, 39, 40),
            (Section::Services, 67, 70)
        ]
    );
    assert_eq!(
        totals.below_4,
        vec![ItemId::CaseloadSize, ItemId::RapidJobSearch]
    );
    assert_eq!(review.actions_for(ItemId::RapidJobSearch).count(), 1);
}

#[test]
fn fidr_14_reviews_side_by_side_oldest_first_with_each_items_change() {
    let later = finished(&[(ItemId::RapidJobSearch, 4)], "2025-01-20");
    let earlier = finished(
        &[(ItemId::RapidJobSearch, 2), (ItemId::CaseloadSize, 3)],
        "2024-07-10",
    );
    let side = side_by_side(&[&later, &earlier]);
    assert_eq!(side.review_dates, vec![d("2024-07-10"), d("2025-01-20")]);
    assert_eq!(side.totals, vec![120, 124]);
    assert_eq!(side.sections, vec![[13, 40, 67], [15, 40, 69]]);
    assert_eq!(
        side.bands,
        vec![Some(Band::Exemplary), Some(Band::Exemplary)]
    );
    let rapid = &side.items[ItemId::RapidJobSearch.index()];
    assert_eq!(
        (rapid.scores.clone(), rapid.change),
        (vec![Some(2), Some(4)], Some(2))
    );
    let caseload = &side.items[ItemId::CaseloadSize.index()];
    assert_eq!(caseload.change, Some(2));
    let unit = &side.items[ItemId::VocationalUnit.index()];
    assert_eq!(unit.change, Some(0));
    assert_eq!(
        side_by_side(&[&later]).items[0].change,
        None,
        "one review has no change"
    );
}
