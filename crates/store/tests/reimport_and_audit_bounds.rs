//! The store on SQLite and PostgreSQL: an export imported again (refused
//! when a referral changed since, unchanged otherwise, replacements reported)
//! and the bounds of the out-of-scope audit rows and the audit queue.

mod common;

use common::{audit_len, each_database_with_caseload, example_bundle};
use ipstrack_store::{AuditFilter, StoreError};
use serde_json::Value;

/// A face-to-face contact on `date`, as the referral page records it.
fn contact_on(date: &str) -> ipstrack_core::bundle::ContactDoc {
    ipstrack_core::bundle::ContactDoc {
        date: date.into(),
        kind: "face_to_face".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_export_imported_after_a_contact_was_recorded_is_refused_naming_the_referral_and_nothing_is_written()
 {
    each_database_with_caseload(async |store, db| {
        let export = store.export().await.unwrap();
        // The export says which version of each referral it was taken at.
        assert_eq!(export.referral_versions.len(), export.referrals.len());
        assert_eq!(export.referral_versions["r3"], 1, "{}", db.name);
        let text = serde_json::to_string(&export).unwrap();
        assert!(text.contains("\"referral_versions\":{"), "{text}");

        // A contact recorded through the referral page after the export.
        store
            .change_referral(
                "r3",
                &ipstrack_store::Step::Contact(contact_on("2024-11-04")),
                "es1",
            )
            .await
            .unwrap();
        let contacts = store.contact_count("r3").await.unwrap();
        // The export, with another referral changed too (a whole import refused).
        let mut bundle = export.clone();
        let r1 = bundle.referrals.iter_mut().find(|r| r.id == "r1").unwrap();
        r1.contacts
            .get_or_insert_default()
            .push(contact_on("2024-11-05"));
        let before = store.export().await.unwrap();
        let audit_before = audit_len(store).await;

        let err = store.import(&bundle, "importer").await.unwrap_err();
        let message = err.to_string();
        let StoreError::Stale(stale) = &err else {
            panic!("{}: not refused as changed since: {message}", db.name);
        };
        assert_eq!(stale.len(), 1, "{message}");
        assert_eq!(stale[0].id, "r3");
        assert_eq!((stale[0].bundle_version, stale[0].version), (Some(1), 2));
        assert_eq!(stale[0].removed.contacts, 1);
        assert!(
            message.contains(
                "referral r3 changed since the bundle was taken (version 1, now 2): \
                 importing would remove 1 contact"
            ),
            "{message}"
        );

        assert_eq!(store.contact_count("r3").await.unwrap(), contacts);
        assert_eq!(store.export().await.unwrap(), before, "{}", db.name);
        assert_eq!(
            audit_len(store).await,
            audit_before,
            "{}: no audit rows",
            db.name
        );
    })
    .await;
}

#[tokio::test]
async fn an_export_imported_again_unchanged_changes_nothing_and_its_edits_are_written() {
    each_database_with_caseload(async |store, db| {
        let export = store.export().await.unwrap();
        let audit_before = audit_len(store).await;
        let again = store.import(&export, "importer").await.unwrap();
        assert_eq!(again.referrals.unchanged, export.referrals.len());
        assert!(again.updated.is_empty(), "{:?}", again.updated);
        assert!(again.replaced.is_empty(), "{:?}", again.replaced);
        assert_eq!(store.export().await.unwrap(), export, "{}", db.name);
        assert_eq!(audit_len(store).await, audit_before);

        // An edit made on a current export is written, and counts the version up.
        let mut edited = export.clone();
        let r2 = edited.referrals.iter_mut().find(|r| r.id == "r2").unwrap();
        r2.contacts
            .get_or_insert_default()
            .push(contact_on("2024-11-06"));
        let summary = store.import(&edited, "importer").await.unwrap();
        assert_eq!(summary.updated, vec!["referral r2".to_string()]);
        let now = store.export().await.unwrap();
        assert_eq!(
            now.referral_versions["r2"],
            export.referral_versions["r2"] + 1
        );
        // The same file again: r2 changed since it was taken, but the file
        // holds it as stored, so nothing is replaced and nothing refused.
        let same = store.import(&edited, "importer").await.unwrap();
        assert!(same.updated.is_empty(), "{:?}", same.updated);
    })
    .await;
}

#[tokio::test]
async fn a_referral_the_bundle_does_not_version_is_replaced_and_reported_with_what_it_removed() {
    each_database_with_caseload(async |store, db| {
        store
            .change_referral(
                "r3",
                &ipstrack_store::Step::Contact(contact_on("2024-11-04")),
                "es1",
            )
            .await
            .unwrap();
        let contacts = store.contact_count("r3").await.unwrap();
        // The example as written: a bundle made elsewhere, without versions.
        let foreign = example_bundle("caseload");
        assert!(foreign.referral_versions.is_empty());

        // The dry run says what the import would replace, and writes nothing.
        let before = store.export().await.unwrap();
        let dry = store.import_dry_run(&foreign, "importer").await.unwrap();
        assert_eq!(store.export().await.unwrap(), before, "{}", db.name);
        assert_eq!(dry.updated, vec!["referral r3".to_string()]);
        assert_eq!(dry.replaced.len(), 1, "{:?}", dry.replaced);
        assert_eq!(dry.replaced[0].id, "r3");
        assert_eq!(dry.replaced[0].bundle_version, None);
        assert_eq!(dry.replaced[0].removed.contacts, 1);
        assert_eq!(
            dry.replaced[0].to_string(),
            "referral r3 (not versioned by the bundle): importing removes 1 contact"
        );

        let summary = store.import(&foreign, "importer").await.unwrap();
        assert_eq!(summary.replaced, dry.replaced);
        assert_eq!(store.contact_count("r3").await.unwrap(), contacts - 1);
    })
    .await;
}

fn out_of_scope(record_id: &str) -> Vec<ipstrack_core::model::OutOfScope> {
    vec![ipstrack_core::model::OutOfScope {
        record_type: "referral",
        record_id: record_id.to_string(),
        matched_by: "id",
    }]
}

/// The out-of-scope rows: (actor, record id, minute, count).
async fn out_of_scope_rows(store: &ipstrack_store::Store) -> Vec<(String, String, String, u64)> {
    store
        .audit(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "out-of-scope")
        .map(|e| {
            let v: Value = serde_json::from_str(e.new_value.as_deref().unwrap()).unwrap();
            (
                e.actor,
                e.record_id,
                e.at[..16].to_string(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn repeated_out_of_scope_lookups_are_one_row_a_minute_with_their_count() {
    each_database_with_caseload(async |store, db| {
        for _ in 0..500 {
            assert!(store.audit_out_of_scope_later("es1", out_of_scope("r-x")));
        }
        assert!(store.audit_out_of_scope_later("es2", out_of_scope("r-x")));
        store.flush_audit().await;
        let rows = out_of_scope_rows(store).await;
        let mut keys: Vec<_> = rows.iter().map(|r| (&r.0, &r.1, &r.2)).collect();
        keys.dedup();
        assert_eq!(keys.len(), rows.len(), "{}: {rows:?}", db.name);
        let count = |actor: &str| {
            rows.iter()
                .filter(|r| r.0 == actor)
                .map(|r| r.3)
                .sum::<u64>()
        };
        assert_eq!((count("es1"), count("es2")), (500, 1), "{}", db.name);
        assert!(rows.len() <= 3, "{}: {rows:?}", db.name);
    })
    .await;
}

#[tokio::test]
async fn one_user_adds_at_most_the_limit_of_out_of_scope_rows_a_minute() {
    each_database_with_caseload(async |store, db| {
        let n = 5 * ipstrack_store::AUDIT_ROWS_PER_USER_MINUTE;
        for i in 0..n {
            store.audit_out_of_scope_later("es1", out_of_scope(&format!("r-{i}")));
        }
        // Another user is not held back by the first.
        store.audit_out_of_scope_later("es2", out_of_scope("r-0"));
        store.flush_audit().await;
        let rows = out_of_scope_rows(store).await;
        let es1: Vec<_> = rows.iter().filter(|r| r.0 == "es1").collect();
        // At most the limit and one folded row (`*`) a minute (a minute may
        // end during the test: two minutes).
        assert!(
            es1.len() <= 2 * (ipstrack_store::AUDIT_ROWS_PER_USER_MINUTE + 1),
            "{}: {}",
            db.name,
            es1.len()
        );
        assert!(es1.iter().any(|r| r.1 == "*"), "{}", db.name);
        assert_eq!(
            es1.iter().map(|r| r.3).sum::<u64>(),
            n as u64,
            "{}",
            db.name
        );
        assert!(
            rows.iter().any(|r| r.0 == "es2" && r.1 == "r-0"),
            "{}",
            db.name
        );
    })
    .await;
}

#[tokio::test]
async fn a_full_audit_queue_drops_and_counts_entries_and_never_waits() {
    each_database_with_caseload(async |store, db| {
        store.audit_out_of_scope_later("es1", out_of_scope("r-first"));
        let held = store.hold_audit_writer().await;
        // The writer stops at its next write (a flush) while entries come.
        let flushing = {
            let store = store.clone();
            tokio::spawn(async move { store.flush_audit().await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let n = 3 * ipstrack_store::AUDIT_QUEUE;
        for _ in 0..n {
            store.audit_out_of_scope_later("es1", out_of_scope("r-x"));
        }
        let dropped = store.audit_dropped();
        assert!(dropped > 0, "{}", db.name);
        drop(held);
        flushing.await.unwrap();
        store.flush_audit().await;
        let rows = out_of_scope_rows(store).await;
        let written: u64 = rows.iter().filter(|r| r.1 == "r-x").map(|r| r.3).sum();
        assert_eq!(written + dropped, n as u64, "{}", db.name);
    })
    .await;
}
