//! People entered twice (issue 21): a client kept as a possible duplicate
//! of another with the same NHS number is stored, backed up, restored and
//! exported with it; no other second client with the number is; a merge
//! makes the two one person — on SQLite and PostgreSQL.

mod common;

use common::{assert_restored_exports, each_database_with_caseload};
use ipstrack_core::bundle::{BundleDoc, canonical};
use ipstrack_store::{Store, StoreError};

const NHS: &str = "9434765919";

/// The caseload example's first two clients, with one NHS number, the
/// second kept as a possible duplicate of the first: (first, second).
async fn entered_twice(store: &Store) -> (String, String) {
    let mut doc = store.export().await.unwrap();
    let (a, b) = (doc.clients[0].id.clone(), doc.clients[1].id.clone());
    doc.clients[0].nhs_number = Some(NHS.into());
    doc.clients[1].nhs_number = Some(NHS.into());
    doc.clients[1].possible_duplicate_of = Some(a.clone());
    store.import(&doc, "setup").await.unwrap();
    (a, b)
}

async fn stored_as_loaded(store: &Store) -> BundleDoc {
    let stored = store.export().await.unwrap();
    assert_eq!(canonical(&stored).expect("the loader accepts it"), stored);
    store.load().await.unwrap();
    assert!(store.integrity_check().await.unwrap().is_empty());
    stored
}

#[tokio::test]
async fn a_possible_duplicate_is_kept_backed_up_restored_and_merged() {
    each_database_with_caseload(async |store, db| {
        let (a, b) = entered_twice(store).await;
        let stored = stored_as_loaded(store).await;
        assert_eq!(
            stored.clients[1].possible_duplicate_of.as_ref(),
            Some(&a),
            "{}",
            db.name
        );

        // A backup gives it back, table by table.
        let backup = store.backup().await.unwrap();
        assert_restored_exports(db, &backup, &stored).await;

        // A third client with the number, kept as no one's duplicate: refused.
        let referral_of = |c: &str| {
            stored
                .referrals
                .iter()
                .find(|r| r.client == c)
                .map(|r| r.id.clone())
                .unwrap()
        };
        let third = stored.clients[2].clone();
        let r3 = referral_of(&third.id);
        let seen = ipstrack_store::client_fingerprint(&third);
        let mut changed = third.clone();
        changed.nhs_number = Some(NHS.into());
        assert!(
            matches!(
                store.update_client(&r3, &changed, &seen, "es").await,
                Err(StoreError::Exists(_))
            ),
            "{}",
            db.name
        );
        // As a possible duplicate of the first: kept.
        changed.possible_duplicate_of = Some(a.clone());
        store
            .update_client(&r3, &changed, &seen, "es")
            .await
            .unwrap();
        stored_as_loaded(store).await;

        // Merging the second into the first: its referrals are the first's,
        // its record gone, and the third now names the first still.
        let rb = referral_of(&b);
        assert!(matches!(
            store.merge_clients(&a, &b, "manager").await,
            Err(StoreError::NotFound(_))
        ));
        store.merge_clients(&b, &a, "manager").await.unwrap();
        let after = stored_as_loaded(store).await;
        assert!(after.clients.iter().all(|c| c.id != b), "{}", db.name);
        assert_eq!(
            after.referrals.iter().find(|r| r.id == rb).unwrap().client,
            a
        );

        // Changing the first's number: nobody is its possible duplicate now.
        let first = after.clients.iter().find(|c| c.id == a).unwrap().clone();
        let mut renumbered = first.clone();
        renumbered.nhs_number = Some("4010232137".into());
        let seen = ipstrack_store::client_fingerprint(&first);
        store
            .update_client(&referral_of(&a), &renumbered, &seen, "manager")
            .await
            .unwrap();
        let last = stored_as_loaded(store).await;
        assert!(
            last.clients
                .iter()
                .all(|c| c.possible_duplicate_of.is_none()),
            "{}",
            db.name
        );
    })
    .await;
}
