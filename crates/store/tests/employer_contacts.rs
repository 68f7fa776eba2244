//! Employer contacts in the store (issue 13), on SQLite and PostgreSQL:
//! recorded, changed and removed one at a time (checked as in a bundle,
//! audited with old and new values, a stale edit refused), imported and
//! exported with the bundle, and published as a change of employer contacts
//! only.

mod common;

use common::{each_database, each_database_with_caseload, example_bundle};
use ipstrack_core::bundle::EmployerContactDoc;
use ipstrack_store::{AuditFilter, Change, StoreError};

fn visit(es: &str) -> EmployerContactDoc {
    EmployerContactDoc {
        id: String::new(),
        es: es.into(),
        date: "2024-10-07".into(),
        employer: "  Greggs ".into(),
        kind: "visit".into(),
        note: Some("Met the manager".into()),
        client: Some("c1".into()),
    }
}

#[tokio::test]
async fn an_employer_contact_is_recorded_changed_and_removed_with_its_audit() {
    each_database_with_caseload(async |store, db| {
        let (_, start) = store.load_with_change().await.unwrap();

        let saved = store
            .record_employer_contact(&visit("es1"), "es1")
            .await
            .unwrap();
        assert_eq!(saved.contact.id, "ec1", "{}", db.name);
        assert_eq!(saved.contact.employer, "Greggs", "kept trimmed");
        assert_eq!(saved.version, 1);
        let second = store
            .record_employer_contact(&visit("es2"), "es2")
            .await
            .unwrap();
        assert_eq!(second.contact.id, "ec2");

        let mut changed = saved.contact.clone();
        changed.kind = "call".into();
        changed.note = None;
        let after = store
            .change_employer_contact(&changed, saved.version, "es1")
            .await
            .unwrap();
        assert_eq!((after.version, after.contact.kind.as_str()), (2, "call"));
        // An edit from the page that showed version 1 is refused.
        let stale = store
            .change_employer_contact(&changed, saved.version, "es1")
            .await;
        assert!(matches!(stale, Err(StoreError::Changed(_))), "{stale:?}");
        let stale_removal = store.remove_employer_contact("ec1", 1, "es1").await;
        assert!(matches!(stale_removal, Err(StoreError::Changed(_))));
        store
            .remove_employer_contact("ec1", 2, "es1")
            .await
            .unwrap();
        let missing = store.remove_employer_contact("ec1", 2, "es1").await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))));

        let stored = store.employer_contacts().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].id, "ec2");
        // The dataset carries them; every write is a change of employer
        // contacts only.
        let loaded = store.load().await.unwrap();
        assert_eq!(loaded.dataset.employer_contacts.len(), 1);
        let changes = store.changes_since(start, 100).await.unwrap();
        assert_eq!(changes.len(), 4, "{}", db.name);
        assert!(changes.iter().all(|(_, c)| *c == Change::EmployerContacts));
        // Audited: who, what, old and new values.
        let audit: Vec<_> = store
            .audit(&AuditFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.record_type == "employer_contact" && a.record_id == "ec1")
            .collect();
        let actions: Vec<(&str, &str)> = audit
            .iter()
            .map(|a| (a.actor.as_str(), a.action.as_str()))
            .collect();
        assert_eq!(
            actions,
            [("es1", "insert"), ("es1", "update"), ("es1", "delete")]
        );
        assert!(audit[1].old_value.as_deref().unwrap().contains("visit"));
        assert!(audit[1].new_value.as_deref().unwrap().contains("call"));
        assert!(audit[2].new_value.is_none());
    })
    .await;
}

#[tokio::test]
async fn an_employer_contact_is_checked_as_in_a_bundle_and_nothing_is_written_when_refused() {
    each_database_with_caseload(async |store, db| {
        let mut no_es = visit("es9");
        no_es.kind = "lunch".into();
        let Err(StoreError::Invalid(errors)) = store.record_employer_contact(&no_es, "es1").await
        else {
            panic!("refused")
        };
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["es", "kind"], "{}", db.name);
        let mut unknown_client = visit("es1");
        unknown_client.client = Some("c999".into());
        assert!(matches!(
            store.record_employer_contact(&unknown_client, "es1").await,
            Err(StoreError::Invalid(_))
        ));
        assert!(store.employer_contacts().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn employer_contacts_are_imported_and_exported_with_the_bundle() {
    each_database(async |store, db| {
        let mut bundle = example_bundle("caseload");
        let mut first = visit("es1");
        first.id = "ec-a".into();
        let mut second = visit("es2");
        second.id = "ec-b".into();
        second.client = None;
        bundle.employer_contacts = vec![first.clone(), second];
        let summary = store.import(&bundle, "setup").await.unwrap();
        assert_eq!(summary.employer_contacts.created, 2, "{}", db.name);
        let exported = store.export().await.unwrap();
        assert_eq!(exported.employer_contacts.len(), 2);
        assert_eq!(exported.employer_contacts[0].employer, "Greggs");
        // The same bundle again changes nothing; a changed contact is updated.
        let again = store.import(&bundle, "setup").await.unwrap();
        assert_eq!(again.employer_contacts.unchanged, 2);
        first.kind = "email".into();
        let (_, before) = store.load_with_change().await.unwrap();
        let mut one = example_bundle("caseload");
        one.employer_contacts = vec![first];
        let changed = store.import(&one, "setup").await.unwrap();
        assert_eq!(changed.employer_contacts.updated, 1);
        assert_eq!(changed.updated, ["employer contact ec-a"]);
        let changes = store.changes_since(before, 100).await.unwrap();
        assert_eq!(
            changes.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(),
            [Change::EmployerContacts]
        );
        // An import naming an unknown ES is refused whole.
        let mut bad = example_bundle("caseload");
        bad.employer_contacts = vec![visit("es9")];
        bad.employer_contacts[0].id = "ec-c".into();
        assert!(matches!(
            store.import(&bad, "setup").await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(store.employer_contacts().await.unwrap().len(), 2);
    })
    .await;
}
