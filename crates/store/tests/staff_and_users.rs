//! Staff and users changed on the web (issue 23): one staff member added or
//! changed through the import's checks, with its audit row and a change for
//! other servers; a user enabled again and given another role, the last
//! enabled admin kept. On SQLite, and PostgreSQL when configured.

mod common;

use common::{audit_of, each_database_with_caseload, signs_in};
use ipstrack_core::bundle::{BundleDoc, StaffDoc, canonical};
use ipstrack_store::{Change, Role, StaffChange, Store, StoreError};

fn new_es(name: &str, start: &str, fte: f64) -> StaffDoc {
    StaffDoc {
        id: String::new(),
        name: name.into(),
        role: "es".into(),
        team: "t1".into(),
        start_date: start.into(),
        end_date: None,
        fte: serde_json::Number::from_f64(fte).unwrap(),
    }
}

/// What is stored is exactly what the loader reads back.
async fn assert_stored_as_loaded(store: &Store, name: &str) {
    let stored: BundleDoc = store.export().await.unwrap();
    let loaded = canonical(&stored).unwrap_or_else(|e| panic!("{name}: the loader refuses: {e}"));
    assert_eq!(stored, loaded, "{name}: stored differs from what it loads");
    store.load().await.unwrap();
}

#[tokio::test]
async fn a_new_es_gets_a_fresh_id_and_is_stored_trimmed_audited_and_announced() {
    each_database_with_caseload(async |store, db| {
        let (_, before) = store.load_with_change().await.unwrap();
        let mut doc = new_es("  Ann Smith ", "2026-05-01", 0.8);
        doc.id = "es1".into(); // not used: the store chooses the id
        let saved = store.add_staff(&doc, "admin").await.unwrap();
        assert_eq!(saved.id, "es3", "{}", db.name);
        assert_eq!(saved.name, "Ann Smith", "trimmed as the loader reads it");
        let stored = store.export().await.unwrap();
        assert_eq!(stored.staff.len(), 3);
        assert_eq!(stored.staff[0].name, "Specialist One", "es1 untouched");
        let audit = audit_of(store, "es3").await;
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].actor.as_str(), audit[0].action.as_str()),
            ("admin", "insert")
        );
        let changes = store.changes_since(before, 100).await.unwrap();
        assert!(
            changes.iter().any(|(_, c)| *c == Change::Everything),
            "{changes:?}"
        );
        assert_stored_as_loaded(store, db.name).await;
    })
    .await;
}

#[tokio::test]
async fn a_changed_staff_member_is_audited_old_and_new_and_nothing_else_is_written() {
    each_database_with_caseload(async |store, db| {
        let mut es2 = store.export().await.unwrap().staff[1].clone();
        let clients_before = audit_of(store, "es1").await.len();
        es2.start_date = "2024-09-01".into();
        es2.fte = serde_json::Number::from_f64(0.6).unwrap();
        es2.end_date = Some("2026-03-31".into());
        let saved = store.save_staff(&es2, "admin").await.unwrap();
        assert_eq!(saved.start_date, "2024-09-01");
        assert_eq!(saved.end_date.as_deref(), Some("2026-03-31"));
        let audit = audit_of(store, "es2").await;
        let last = audit.last().unwrap();
        assert_eq!(
            (last.actor.as_str(), last.action.as_str()),
            ("admin", "update")
        );
        assert!(last.old_value.as_deref().unwrap().contains("2024-07-01"));
        assert!(last.new_value.as_deref().unwrap().contains("2024-09-01"));
        assert_eq!(audit_of(store, "es1").await.len(), clients_before);
        let loaded = store.load().await.unwrap();
        let es2 = loaded.dataset.staff.iter().find(|s| s.id == "es2").unwrap();
        assert_eq!(es2.fte.0, 6_000);
        assert_stored_as_loaded(store, db.name).await;
    })
    .await;
}

#[tokio::test]
async fn a_staff_record_the_loader_would_refuse_is_refused_and_nothing_is_written() {
    each_database_with_caseload(async |store, db| {
        let before = store.export().await.unwrap();
        let es2 = before.staff[1].clone();
        let bad = [
            StaffDoc {
                end_date: Some("2024-01-01".into()),
                ..es2.clone()
            },
            StaffDoc {
                fte: serde_json::Number::from_f64(1.5).unwrap(),
                ..es2.clone()
            },
            StaffDoc {
                team: "nowhere".into(),
                ..es2.clone()
            },
            StaffDoc {
                start_date: "2100-01-01".into(),
                ..es2.clone()
            },
            StaffDoc {
                name: "   ".into(),
                ..es2.clone()
            },
            StaffDoc {
                role: "boss".into(),
                ..es2.clone()
            },
        ];
        for record in &bad {
            match store.save_staff(record, "admin").await {
                Err(StoreError::Invalid(errors)) => {
                    assert!(!errors.0.is_empty(), "{record:?}")
                }
                other => panic!("{}: {record:?} gave {other:?}", db.name),
            }
        }
        match store.add_staff(&bad[0], "admin").await {
            Err(StoreError::Invalid(_)) => {}
            other => panic!("{other:?}"),
        }
        let unknown = StaffDoc {
            id: "nobody".into(),
            ..es2.clone()
        };
        assert!(matches!(
            store.save_staff(&unknown, "admin").await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(store.export().await.unwrap(), before, "{}", db.name);
    })
    .await;
}

#[tokio::test]
async fn a_disabled_user_is_enabled_again_and_roles_change_but_never_the_last_admins() {
    each_database_with_caseload(async |store, _| {
        let password = "correct horse battery";
        store
            .add_user("boss", password, Role::Admin, None, "setup")
            .await
            .unwrap();
        store
            .add_user("ann", password, Role::Es, Some("es1"), "setup")
            .await
            .unwrap();
        assert!(matches!(
            store.enable_user("ann", "boss").await,
            Err(StoreError::Exists(m)) if m.contains("not disabled")
        ));
        assert!(matches!(
            store.enable_user("nobody", "boss").await,
            Err(StoreError::NotFound(_))
        ));
        store.disable_user("ann", "boss").await.unwrap();
        assert!(!signs_in(store, "ann", password).await);
        store.enable_user("ann", "boss").await.unwrap();
        assert!(signs_in(store, "ann", password).await);

        store
            .change_role("ann", Role::TeamLead, "boss")
            .await
            .unwrap();
        let ann = store
            .verify_password("ann", password)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ann.role, Role::TeamLead);
        assert!(matches!(
            store.change_role("ann", Role::TeamLead, "boss").await,
            Err(StoreError::Exists(_))
        ));
        assert!(matches!(
            store.change_role("nobody", Role::Es, "boss").await,
            Err(StoreError::NotFound(_))
        ));
        // The only enabled admin keeps the role; with a second, it can go.
        assert!(matches!(
            store.change_role("boss", Role::Manager, "boss").await,
            Err(StoreError::NotAllowed(m)) if m.contains("last enabled admin")
        ));
        store.change_role("ann", Role::Admin, "boss").await.unwrap();
        store
            .change_role("boss", Role::Manager, "ann")
            .await
            .unwrap();
        let audit = audit_of(store, "boss").await;
        let last = audit.last().unwrap();
        assert_eq!(last.actor, "ann");
        assert_eq!(last.old_value.as_deref(), Some("{\"role\":\"admin\"}"));
        assert_eq!(last.new_value.as_deref(), Some("{\"role\":\"manager\"}"));
        let enabled = audit_of(store, "ann").await;
        assert!(enabled.iter().any(|e| {
            e.new_value
                .as_deref()
                .unwrap_or_default()
                .contains("enabled")
        }));
    })
    .await;
}

#[test]
fn one_time_passwords_are_long_random_and_readable() {
    let a = ipstrack_store::one_time_password();
    let b = ipstrack_store::one_time_password();
    assert_ne!(a, b);
    assert_eq!(a.len(), 19, "{a}");
    assert_eq!(a.split('-').count(), 4, "{a}");
    assert!(
        a.chars()
            .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"01ilo".contains(c))),
        "{a}"
    );
}

#[tokio::test]
async fn one_change_of_a_staff_member_keeps_what_was_changed_meanwhile() {
    each_database_with_caseload(async |store, db| {
        // Another page changed es2's FTE after this page read the record.
        let mut es2 = store.export().await.unwrap().staff[1].clone();
        es2.fte = serde_json::Number::from_f64(0.7).unwrap();
        store.save_staff(&es2, "other").await.unwrap();
        let saved = store
            .change_staff("es2", StaffChange::StartDate("2024-08-01".into()), "admin")
            .await
            .unwrap();
        assert_eq!(saved.start_date, "2024-08-01");
        assert_eq!(saved.fte.as_f64(), Some(0.7), "{}", db.name);
        let saved = store
            .change_staff("es2", StaffChange::EndDate(None), "admin")
            .await
            .unwrap();
        assert_eq!(saved.end_date, None);
        assert!(matches!(
            store
                .change_staff("nobody", StaffChange::Team("t1".into()), "admin")
                .await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store
                .change_staff("es2", StaffChange::Team("nowhere".into()), "admin")
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert_stored_as_loaded(store, db.name).await;
    })
    .await;
}
