//! Fidelity reviews in the store (issue 26), on SQLite and PostgreSQL:
//! recorded and changed one at a time (checked by core as in a bundle,
//! FIDR-10..12; audited with old and new values; a stale change refused),
//! imported and exported with the bundle, published as a change of
//! fidelity reviews only, and stored exactly as the loader reads them.

mod common;

use common::{each_database, each_database_with_caseload, example_bundle};
use ipstrack_core::Day;
use ipstrack_core::bundle::{FidelityActionDoc, FidelityItemDoc, FidelityReviewDoc};
use ipstrack_store::{AuditFilter, Change, StoreError};

fn today() -> Day {
    Day::parse("2024-07-15").unwrap()
}

/// A draft review of team t1's 2024/25 Q1: rapid search suggested 5 and
/// scored 3 with a note and an action; reviewers typed with spaces.
fn draft() -> FidelityReviewDoc {
    FidelityReviewDoc {
        id: String::new(),
        team: Some("t1".into()),
        period: "2024/25-Q1".into(),
        review_date: "2024-07-10".into(),
        reviewers: vec!["  Sam Reviewer ".into()],
        stage: "draft".into(),
        items: vec![FidelityItemDoc {
            item: 15,
            suggested: Some(5),
            score: Some(3),
            note: Some(" Slow starts after the summer. ".into()),
        }],
        actions: vec![FidelityActionDoc {
            item: 15,
            what: "First employer contact within 30 days".into(),
            who: "Team lead".into(),
            by_when: "2024-10-01".into(),
        }],
    }
}

#[tokio::test]
async fn fidr_19_a_review_is_recorded_and_changed_with_its_audit_and_a_change_of_reviews_only() {
    each_database_with_caseload(async |store, db| {
        let (_, start) = store.load_with_change().await.unwrap();
        let saved = store
            .record_fidelity_review(&draft(), today(), "lead1")
            .await
            .unwrap();
        assert_eq!(saved.review.id, "fr1", "{}", db.name);
        assert_eq!(saved.review.reviewers, ["Sam Reviewer"], "kept trimmed");
        assert_eq!(
            saved.review.items[0].note.as_deref(),
            Some("Slow starts after the summer.")
        );
        assert_eq!(saved.version, 1);

        let mut finished = saved.review.clone();
        finished.reviewers.push("Jo Lead".into());
        let after = store
            .change_fidelity_review(&finished, saved.version, today(), "lead1")
            .await
            .unwrap();
        assert_eq!((after.version, after.review.reviewers.len()), (2, 2));
        // A change from the page that showed version 1 is refused.
        let stale = store
            .change_fidelity_review(&finished, saved.version, today(), "lead1")
            .await;
        assert!(matches!(stale, Err(StoreError::Changed(_))), "{stale:?}");
        let mut unknown = finished.clone();
        unknown.id = "fr9".into();
        let missing = store
            .change_fidelity_review(&unknown, 1, today(), "lead1")
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))));

        // The dataset carries it as core read it.
        let loaded = store.load().await.unwrap();
        let [review] = loaded.dataset.fidelity_reviews.as_slice() else {
            panic!("one review")
        };
        assert_eq!(review.review.reviewers, ["Sam Reviewer", "Jo Lead"]);
        assert_eq!(review.review.items[14].score, Some(3));
        // Every write is a change of fidelity reviews only.
        let changes = store.changes_since(start, 100).await.unwrap();
        assert_eq!(changes.len(), 2, "{}", db.name);
        assert!(changes.iter().all(|(_, c)| *c == Change::FidelityReviews));
        // Audited: who, what, old and new values.
        let audit: Vec<_> = store
            .audit(&AuditFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.record_type == "fidelity_review" && a.record_id == "fr1")
            .collect();
        let actions: Vec<(&str, &str)> = audit
            .iter()
            .map(|a| (a.actor.as_str(), a.action.as_str()))
            .collect();
        assert_eq!(actions, [("lead1", "insert"), ("lead1", "update")]);
        assert!(!audit[1].old_value.as_deref().unwrap().contains("Jo Lead"));
        assert!(audit[1].new_value.as_deref().unwrap().contains("Jo Lead"));
        // Stored exactly as the loader reads it.
        let stored = store.export().await.unwrap();
        assert_eq!(ipstrack_core::bundle::canonical(&stored).unwrap(), stored);
        assert!(
            store.integrity_check().await.unwrap().is_empty(),
            "{}",
            db.name
        );
    })
    .await;
}

#[tokio::test]
async fn fidr_10_a_review_is_checked_by_core_and_nothing_is_written_when_refused() {
    each_database_with_caseload(async |store, db| {
        let mut bad = draft();
        bad.team = Some("t9".into());
        bad.items[0].note = None;
        let Err(StoreError::Invalid(errors)) =
            store.record_fidelity_review(&bad, today(), "lead1").await
        else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["team"], "{}", db.name);
        bad.team = None;
        let Err(StoreError::Invalid(errors)) =
            store.record_fidelity_review(&bad, today(), "lead1").await
        else {
            panic!("refused")
        };
        assert_eq!(errors.0[0].field, "items[15].note", "{}", db.name);
        // A review date after today is refused at data entry.
        let mut future = draft();
        future.review_date = "2024-07-16".into();
        let Err(StoreError::Invalid(errors)) = store
            .record_fidelity_review(&future, today(), "lead1")
            .await
        else {
            panic!("refused")
        };
        assert_eq!(errors.0[0].field, "review_date");
        assert!(store.fidelity_reviews().await.unwrap().is_empty());
        assert!(
            store
                .audit(&AuditFilter::default())
                .await
                .unwrap()
                .iter()
                .all(|a| a.record_type != "fidelity_review")
        );
    })
    .await;
}

#[tokio::test]
async fn fidr_19_reviews_are_imported_and_exported_with_the_bundle() {
    each_database(async |store, db| {
        let mut bundle = example_bundle("caseload");
        let mut first = draft();
        first.id = "fr-a".into();
        let mut second = draft();
        second.id = "fr-b".into();
        second.team = None;
        bundle.fidelity_reviews = vec![first.clone(), second];
        let summary = store.import(&bundle, "setup").await.unwrap();
        assert_eq!(summary.fidelity_reviews.created, 2, "{}", db.name);
        let exported = store.export().await.unwrap();
        assert_eq!(exported.fidelity_reviews.len(), 2);
        assert_eq!(exported.fidelity_reviews[0].reviewers, ["Sam Reviewer"]);
        assert_eq!(exported.fidelity_reviews[1].team, None);
        // The same bundle again changes nothing; a changed review is updated.
        let again = store.import(&bundle, "setup").await.unwrap();
        assert_eq!(again.fidelity_reviews.unchanged, 2);
        let (_, before) = store.load_with_change().await.unwrap();
        first.stage = "draft".into();
        first.items[0].score = Some(2);
        let mut one = example_bundle("caseload");
        one.fidelity_reviews = vec![first];
        let changed = store.import(&one, "setup").await.unwrap();
        assert_eq!(changed.fidelity_reviews.updated, 1, "{}", db.name);
        assert!(
            changed
                .updated
                .contains(&"fidelity review fr-a".to_string())
        );
        let changes = store.changes_since(before, 100).await.unwrap();
        assert_eq!(
            changes.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(),
            [Change::FidelityReviews]
        );
        // A refused review refuses the whole import, naming it.
        let mut bad = example_bundle("caseload");
        let mut refused = draft();
        refused.id = "fr-c".into();
        refused.items[0].score = Some(7);
        bad.fidelity_reviews = vec![refused];
        let Err(StoreError::Invalid(errors)) = store.import(&bad, "setup").await else {
            panic!("refused")
        };
        assert_eq!(errors.0[0].record, "fidelity review fr-c");
        assert_eq!(store.fidelity_reviews().await.unwrap().len(), 2);
    })
    .await;
}
