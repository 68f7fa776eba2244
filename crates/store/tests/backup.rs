//! The JSON backup on every backend: one snapshot with users, restored in one
//! transaction that leaves the target empty when it fails; what comes back is
//! compared with what was backed up table by table, every table of the schema
//! as the database lists it.

mod common;

use common::*;
use ipstrack_store::{AuditFilter, BackupUser, Role, SignIn, Store, StoreError};

/// A database with case data, two users (one disabled), a submitted return
/// and the audit log they made.
async fn filled(store: &Store) {
    import_example(store, "sustainment", "cli:tester").await;
    store
        .add_user("alice", PASSWORD, Role::TeamLead, Some("es1"), "cli:tester")
        .await
        .unwrap();
    store
        .add_user("bob", PASSWORD, Role::Es, None, "cli:tester")
        .await
        .unwrap();
    store.disable_user("bob", "cli:tester").await.unwrap();
    let loaded = store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25-Q2").unwrap();
    let report = ipstrack_core::report(
        &loaded.dataset,
        &loaded.warnings,
        &period,
        ipstrack_core::Day::parse("2024-09-30").unwrap(),
    )
    .unwrap();
    store.submit(&report, "cli:tester").await.unwrap();
}

#[tokio::test]
async fn backup_then_restore_gives_the_same_data_users_audit_log_and_returns() {
    for source in databases().await {
        let live = source.open().await;
        filled(&live).await;
        let backup = live.backup().await.unwrap();
        assert_eq!(backup.users.len(), 2, "{}", source.name);
        each_restore_of(&source, &backup, async |restored, _, name| {
            assert_eq!(
                restored.export().await.unwrap(),
                live.export().await.unwrap(),
                "{name}"
            );
            assert_eq!(
                restored.users().await.unwrap(),
                live.users().await.unwrap(),
                "{name}"
            );
            assert_eq!(
                restored.audit(&AuditFilter::default()).await.unwrap(),
                live.audit(&AuditFilter::default()).await.unwrap(),
                "{name}: the same entries with the same numbers, none added"
            );
            assert_eq!(
                restored.submissions().await.unwrap(),
                live.submissions().await.unwrap(),
                "{name}"
            );
            // Users sign in with their passwords; disabled stays disabled.
            let alice = restored.verify_password("alice", PASSWORD).await.unwrap();
            assert_eq!(
                alice.map(|u| u.staff_id),
                Some(Some("es1".into())),
                "{name}"
            );
            assert!(
                matches!(
                    restored
                        .sign_in("alice", PASSWORD, "127.0.0.1", 1)
                        .await
                        .unwrap(),
                    SignIn::Ok { .. }
                ),
                "{name}"
            );
            assert!(!signs_in(restored, "bob", PASSWORD).await, "{name}");
            // New audit entries follow the restored ones.
            restored
                .add_user("carol", PASSWORD, Role::Manager, None, "cli:tester")
                .await
                .unwrap();
            let audit = restored.audit(&AuditFilter::default()).await.unwrap();
            assert_eq!(
                audit.last().unwrap().seq,
                backup.audit.last().unwrap().seq + 1,
                "{name}"
            );
            // Only into an empty database.
            assert!(
                matches!(restored.restore(&backup).await, Err(StoreError::Exists(_))),
                "{name}"
            );
        })
        .await;
        live.close().await;
        source.cleanup().await;
    }
}

#[tokio::test]
async fn a_restore_failing_at_its_last_part_leaves_the_database_empty_and_a_retry_works() {
    for db in databases().await {
        let source = sqlite();
        let live = source.open().await;
        filled(&live).await;
        let good = live.backup().await.unwrap();
        live.close().await;

        let store = db.open().await;
        // A user naming a staff member who does not exist: refused by the
        // database after everything else was written.
        let mut bad = good.clone();
        bad.users.push(BackupUser {
            username: "zed".into(),
            password_hash: bad.users[0].password_hash.clone(),
            role: "es".into(),
            staff_id: Some("nobody".into()),
            disabled: false,
            created_at: "2024-01-01T00:00:00Z".into(),
            identity_subject: None,
            identity_email: None,
        });
        assert!(store.restore(&bad).await.is_err(), "{}", db.name);
        assert!(store.is_empty().await.unwrap(), "{}", db.name);
        // A submitted return without its period, last of all.
        let mut bad = good.clone();
        bad.submissions.last_mut().unwrap().report = serde_json::json!({});
        assert!(
            matches!(store.restore(&bad).await, Err(StoreError::Corrupt(_))),
            "{}",
            db.name
        );
        assert!(store.is_empty().await.unwrap(), "{}", db.name);

        store.restore(&good).await.unwrap();
        assert_eq!(
            store.audit(&AuditFilter::default()).await.unwrap(),
            good.audit,
            "{}: the retry restores the log with its numbers",
            db.name
        );
        assert_eq!(
            store.backup().await.unwrap().users,
            good.users,
            "{}",
            db.name
        );
        store.close().await;
        db.cleanup().await;
        source.cleanup().await;
    }
}
