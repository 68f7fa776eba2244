//! FIDR-10..12 for a stored fidelity review (issue 26): a review in a
//! bundle is read through the same check as a form's (`check_review`),
//! every error names the review and the field, and what is written back is
//! exactly what the loader accepts.

mod common;

use common::{d, doc, load, only_error, refused};
use ipstrack_core::bundle::{FidelityReviewDoc, canonical, check_fidelity_review, parse_document};
use ipstrack_core::fidelity::{ItemId, Stage};
use serde_json::{Value, json};

/// A finished review of team t1's 2024/25 Q1 on 2024-07-10: every item
/// scored 4, caseload size 3 with an action, rapid search suggested 5 and
/// scored 4 with a note.
fn review() -> Value {
    let mut items: Vec<Value> = (1..=25).map(|n| json!({"item": n, "score": 4})).collect();
    items[0] = json!({"item": 1, "score": 3, "suggested": 3});
    items[14] =
        json!({"item": 15, "score": 4, "suggested": 5, "note": " Searches slowed in May. "});
    json!({
        "id": "fr1",
        "team": "t1",
        "period": "2024/25-Q1",
        "review_date": "2024-07-10",
        "reviewers": [" Sam Reviewer ", "Jo Lead"],
        "stage": "finished",
        "items": items,
        "actions": [{"item": 1, "what": "Recruit a fourth ES", "who": "Service manager", "by_when": "2024-10-01"}],
    })
}

fn with_review(review: Value) -> Value {
    let mut bundle = doc(vec![]);
    bundle["fidelity_reviews"] = json!([review]);
    bundle
}

fn changed(edit: impl FnOnce(&mut Value)) -> Value {
    let mut r = review();
    edit(&mut r);
    with_review(r)
}

#[test]
fn fidr_19_a_review_in_a_bundle_is_read_and_written_back_as_stored() {
    let loaded = load(&with_review(review()));
    let [stored] = loaded.dataset.fidelity_reviews.as_slice() else {
        panic!("one review");
    };
    assert_eq!(stored.id, "fr1");
    assert_eq!(stored.team.map(|t| t.0), Some(0));
    let r = &stored.review;
    assert_eq!(r.period.label, "2024/25-Q1");
    assert_eq!(r.review_date, d("2024-07-10"));
    assert_eq!(r.reviewers, ["Sam Reviewer", "Jo Lead"], "names trimmed");
    assert_eq!(r.stage, Stage::Finished);
    let rapid = &r.items[ItemId::RapidJobSearch.index()];
    assert_eq!(
        (rapid.suggested, rapid.score, rapid.note.as_str()),
        (Some(5), Some(4), "Searches slowed in May.")
    );
    assert_eq!(r.totals().total, 99);

    // Written back: trimmed, and reading it again gives the same.
    let doc = parse_document(&with_review(review()).to_string()).unwrap();
    let stored_doc = canonical(&doc).unwrap();
    assert_eq!(
        stored_doc.fidelity_reviews[0].reviewers,
        ["Sam Reviewer", "Jo Lead"]
    );
    assert_eq!(canonical(&stored_doc).unwrap(), stored_doc, "a fixed point");
}

#[test]
fn fidr_19_a_review_of_the_whole_service_names_no_team() {
    let loaded = load(&changed(|r| {
        r.as_object_mut().unwrap().remove("team");
    }));
    assert_eq!(loaded.dataset.fidelity_reviews[0].team, None);
}

#[test]
fn fidr_10_a_review_names_a_team_of_the_bundle_and_a_period_in_words() {
    let (record, field, _) = only_error(&changed(|r| r["team"] = json!("t9")));
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("fidelity review fr1", "team")
    );
    let (_, field, text) = only_error(&changed(|r| r["period"] = json!("last year")));
    assert_eq!(field, "period");
    assert!(text.contains("financial year (2024/25)"), "{text}");
    let (_, field, _) = only_error(&changed(|r| r["stage"] = json!("done")));
    assert_eq!(field, "stage");
    let (_, field, _) = only_error(&changed(|r| r["review_date"] = json!("2024-02-30")));
    assert_eq!(field, "review_date");
}

#[test]
fn fidr_19_review_ids_are_unique() {
    let mut bundle = with_review(review());
    bundle["fidelity_reviews"] = json!([review(), review()]);
    let errors = refused(&bundle);
    assert!(
        errors
            .iter()
            .any(|e| e.record == "fidelity review fr1" && e.field == "id"),
        "{errors:?}"
    );
}

#[test]
fn fidr_11_items_are_numbered_1_to_25_each_at_most_once() {
    let (_, field, text) = only_error(&changed(|r| {
        r["items"][3]["item"] = json!(26);
        r["stage"] = json!("draft");
    }));
    assert_eq!(field, "items[3].item");
    assert!(
        text.contains("item 26 is not an item of the scale"),
        "{text}"
    );
    let errors = refused(&changed(|r| r["items"][3]["item"] = json!(3)));
    assert!(
        errors.iter().any(|e| e.field == "items[3].item"
            && e.message
                .contains("item 3 (vocational generalists) is given more than once")),
        "{errors:?}"
    );
}

#[test]
fn fidr_11_scores_and_suggestions_are_1_to_5_in_a_bundle_too() {
    let (_, field, text) = only_error(&changed(|r| r["items"][4]["score"] = json!(6)));
    assert_eq!(field, "items[5].score");
    assert!(text.contains("must be 1 to 5, not 6"), "{text}");
    let (_, field, _) = only_error(&changed(|r| r["items"][4]["score"] = json!(0)));
    assert_eq!(field, "items[5].score");
    let (_, field, _) = only_error(&changed(|r| r["items"][4]["score"] = json!(70_000)));
    assert_eq!(field, "items[5].score");
    let (_, field, _) = only_error(&changed(|r| {
        r["items"][4]["suggested"] = json!(9);
        r["items"][4]["note"] = json!("noted");
    }));
    assert_eq!(field, "items[5].suggested");
}

#[test]
fn fidr_19_a_score_unlike_the_stored_suggestion_needs_a_note_in_a_bundle_too() {
    let (record, field, text) = only_error(&changed(|r| {
        r["items"][14].as_object_mut().unwrap().remove("note");
    }));
    assert_eq!(
        (record.as_str(), field.as_str()),
        ("fidelity review fr1", "items[15].note")
    );
    assert!(
        text.contains("differs from the 5 the records suggest"),
        "{text}"
    );
}

#[test]
fn fidr_11_a_finished_review_scores_every_item_but_a_draft_may_not() {
    let unscored = |r: &mut Value| {
        r["items"].as_array_mut().unwrap().remove(9);
    };
    let (_, field, text) = only_error(&changed(unscored));
    assert_eq!(field, "items[10].score");
    assert!(text.contains("to finish the review"), "{text}");
    load(&changed(|r| {
        unscored(r);
        r["stage"] = json!("draft");
    }));
}

#[test]
fn fidr_12_actions_in_a_bundle_name_their_item_and_field() {
    let (_, field, _) = only_error(&changed(|r| r["actions"][0]["what"] = json!("  ")));
    assert_eq!(field, "actions[0].what");
    let (_, field, _) = only_error(&changed(|r| {
        r["actions"][0]["by_when"] = json!("2024-07-09")
    }));
    assert_eq!(field, "actions[0].by_when");
    let errors = refused(&changed(|r| r["actions"] = json!([])));
    assert!(
        errors
            .iter()
            .any(|e| e.field == "actions"
                && e.message.contains("Item 1 (caseload size) scores below 4")),
        "{errors:?}"
    );
}

#[test]
fn fidr_10_data_entry_refuses_a_review_date_after_today_and_gives_the_stored_review() {
    let given: FidelityReviewDoc = serde_json::from_value(review()).unwrap();
    let teams = &["t1"];
    let stored = check_fidelity_review(&given, teams, d("2024-07-10")).unwrap();
    assert_eq!(stored.reviewers, ["Sam Reviewer", "Jo Lead"]);
    assert_eq!(
        stored.items[14].note.as_deref(),
        Some("Searches slowed in May.")
    );
    let refused = check_fidelity_review(&given, teams, d("2024-07-09")).unwrap_err();
    assert_eq!(refused.0.len(), 1, "{refused:?}");
    assert_eq!(refused.0[0].field, "review_date");
    assert!(refused.0[0].message.contains("in the future"));
}

#[test]
fn fidr_10_a_bundle_without_reviews_writes_none() {
    let doc = parse_document(&doc(vec![]).to_string()).unwrap();
    let text = serde_json::to_string(&canonical(&doc).unwrap()).unwrap();
    assert!(!text.contains("fidelity_reviews"), "left out when none");
}
