//! The store on SQLite and PostgreSQL: round trips of the worked examples,
//! all-or-nothing imports, upserts with their audit trail, users, submitted
//! returns, backup and restore.

mod common;

use common::{
    audit_len, audit_of, each_database, each_database_with_example, example_bundle, examples,
    import_example, signs_in,
};
use ipstrack_core::bundle::{parse_document, to_document, validate};
use ipstrack_core::{Day, Period, report};
use ipstrack_store::{AuditFilter, Role, StoreError};
use serde_json::Value;

fn expected_files() -> Vec<(String, Period, Day, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = file.strip_suffix(".expected.json") else {
            continue;
        };
        let mut parts = stem.split('.');
        let name = parts.next().unwrap().to_string();
        let period = Period::parse(&parts.next().unwrap().replacen('-', "/", 1)).unwrap();
        let as_of = parts.next().map_or(period.end, |a| {
            Day::parse(a.strip_prefix("asof-").unwrap()).unwrap()
        });
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(examples().join(&file)).unwrap())
                .unwrap();
        out.push((name, period, as_of, expected));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn without_warnings(report: &ipstrack_core::Report) -> Value {
    let mut v = serde_json::to_value(report).unwrap();
    v.as_object_mut().unwrap().remove("warnings");
    v
}

#[tokio::test]
async fn examples_round_trip_and_report_from_the_database() {
    for (name, period, as_of, expected) in expected_files() {
        each_database(async |store, db| {
            let bundle = example_bundle(&name);
            store.import(&bundle, "test").await.unwrap();
            let exported = store.export().await.unwrap();
            // Import then export gives the same bundle, as values.
            let a = validate(&bundle).unwrap().dataset;
            let b = validate(&exported).unwrap().dataset;
            assert_eq!(a, b, "{}: {name} export differs", db.name);
            // Re-importing the export changes nothing.
            let again = store.import(&exported, "test").await.unwrap();
            assert_eq!(
                again.referrals.created + again.referrals.updated,
                0,
                "{}: {name}",
                db.name
            );
            assert_eq!(again.referrals.unchanged, bundle.referrals.len());
            assert!(
                again.updated.is_empty(),
                "{}: {name}: {:?}",
                db.name,
                again.updated
            );
            let loaded = store.load().await.unwrap();
            let r = report(&loaded.dataset, &loaded.warnings, &period, as_of).unwrap();
            assert_eq!(
                without_warnings(&r),
                expected,
                "{}: {name} {}",
                db.name,
                period.label
            );
        })
        .await;
    }
}

#[tokio::test]
async fn a_bad_record_among_thousands_leaves_the_database_as_it_was() {
    each_database_with_example("random-101", "test", async |store, db| {
        let before = store.export().await.unwrap();
        let audit_before = audit_len(store).await;

        let until = Day::parse("2025-03-31").unwrap();
        let mut big = ipstrack_demo::generate(&ipstrack_demo::DemoOptions {
            specialists: 40,
            years: 2,
            seed: 3,
            until,
        });
        assert!(big.referrals.len() > 1_000);
        let victim = big.referrals.len() / 2;
        big.referrals[victim].access = Some("2001-01-01".into());
        let id = big.referrals[victim].id.clone();
        let err = store.import(&big, "test").await.unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, StoreError::Invalid(_)), "{message}");
        assert!(
            message.contains(&format!(
                "referral {id}: access 2001-01-01 is before received"
            )),
            "{message}"
        );

        assert_eq!(
            store.export().await.unwrap(),
            before,
            "{}: nothing written",
            db.name
        );
        assert_eq!(audit_len(store).await, audit_before);
    })
    .await;
}

#[tokio::test]
async fn reimport_upserts_and_audits_old_and_new_values() {
    each_database(async |store, _| {
        let first = store
            .import(&example_bundle("sustainment"), "alice")
            .await
            .unwrap();
        assert_eq!(
            (
                first.referrals.created,
                first.clients.created,
                first.staff.created
            ),
            (4, 4, 1)
        );

        let mut changed = example_bundle("sustainment");
        changed.referrals[0].access = Some("2024-04-06".into());
        changed.referrals.truncate(1);
        changed.clients.truncate(1);
        let second = store.import(&changed, "bob").await.unwrap();
        assert_eq!(second.referrals.updated, 1);
        assert_eq!(second.referrals.created, 0);
        assert_eq!(second.updated, vec!["referral rA".to_string()]);
        // The records not in the second bundle are kept.
        assert_eq!(store.export().await.unwrap().referrals.len(), 4);

        let audit = audit_of(store, "rA").await;
        assert_eq!(audit.len(), 2);
        assert_eq!(
            (audit[0].action.as_str(), audit[0].actor.as_str()),
            ("insert", "alice")
        );
        assert_eq!(
            (audit[1].action.as_str(), audit[1].actor.as_str()),
            ("update", "bob")
        );
        let old: Value = serde_json::from_str(audit[1].old_value.as_ref().unwrap()).unwrap();
        let new: Value = serde_json::from_str(audit[1].new_value.as_ref().unwrap()).unwrap();
        assert_eq!(
            (old["access"].as_str(), new["access"].as_str()),
            (Some("2024-04-05"), Some("2024-04-06"))
        );
        let today = jiff::Zoned::now().date().to_string();
        let since_today = store
            .audit(&AuditFilter {
                record: None,
                since: Some(today),
            })
            .await
            .unwrap();
        assert!(since_today.len() >= 2);
        let future = store
            .audit(&AuditFilter {
                record: None,
                since: Some("2999-01-01".into()),
            })
            .await
            .unwrap();
        assert!(future.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    each_database_with_example("sustainment", "alice", async |_, db| {
        let pool_url = ipstrack_store::database_url(&db.url);
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&pool_url)
            .await
            .unwrap();
        for sql in [
            "UPDATE audit_log SET actor = 'mallory'",
            "DELETE FROM audit_log",
        ] {
            let err = sqlx::query(sql).execute(&mut conn).await.expect_err(sql);
            assert!(
                err.to_string().contains("append-only"),
                "{}: {err}",
                db.name
            );
        }
    })
    .await;
}

#[tokio::test]
async fn users_have_argon2id_passwords_and_can_be_disabled() {
    each_database_with_example("sustainment", "admin", async |store, _| {
        store
            .add_user(
                "es1",
                "correct horse battery",
                Role::Es,
                Some("es1"),
                "admin",
            )
            .await
            .unwrap();
        assert!(
            store
                .add_user("es1", "another password!", Role::Es, None, "admin")
                .await
                .is_err()
        );
        assert!(
            store
                .add_user("x", "short", Role::Es, None, "admin")
                .await
                .is_err()
        );
        assert!(
            store
                .add_user("y", "long enough pass", Role::Es, Some("nobody"), "admin")
                .await
                .is_err()
        );
        let user = store
            .verify_password("es1", "correct horse battery")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (user.role, user.staff_id.as_deref()),
            (Role::Es, Some("es1"))
        );
        assert!(!signs_in(store, "es1", "wrong password!!").await);
        store
            .reset_password("es1", "a brand new secret", "admin")
            .await
            .unwrap();
        assert!(!signs_in(store, "es1", "correct horse battery").await);
        assert!(signs_in(store, "es1", "a brand new secret").await);
        store.disable_user("es1", "admin").await.unwrap();
        assert!(!signs_in(store, "es1", "a brand new secret").await);
        assert!(store.users().await.unwrap()[0].disabled);
        let audit = audit_of(store, "es1").await;
        assert!(
            audit
                .iter()
                .all(|e| !e.new_value.clone().unwrap_or_default().contains("argon2")),
            "no hashes in the log"
        );
    })
    .await;
}

#[tokio::test]
async fn a_submitted_return_never_changes() {
    each_database_with_example("sustainment", "admin", async |store, _| {
        let period = Period::parse("2024/25-Q2").unwrap();
        let loaded = store.load().await.unwrap();
        let r = report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
        let submitted = store.submit(&r, "manager").await.unwrap();
        assert_eq!(submitted.submitted_by, "manager");
        assert!(
            store.submit(&r, "manager").await.is_err(),
            "a period is submitted once"
        );

        // A later correction changes the current figures, not the return.
        let mut changed = example_bundle("sustainment");
        changed.referrals.retain(|r| r.id == "rA");
        changed.clients.truncate(1);
        changed.referrals[0].jobs.as_mut().unwrap().clear();
        store.import(&changed, "es").await.unwrap();
        let list = store.submissions().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].report, serde_json::to_value(&r).unwrap());
        let now = store.load().await.unwrap();
        let current = report(&now.dataset, &now.warnings, &period, period.end).unwrap();
        assert_ne!(serde_json::to_value(&current).unwrap(), list[0].report);
    })
    .await;
}

#[tokio::test]
async fn sqlite_backup_restores_identical_figures() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.sqlite");
    let store = ipstrack_store::Store::open(live.to_str().unwrap())
        .await
        .unwrap();
    import_example(&store, "random-102", "admin").await;
    let backup = dir.path().join("backup.sqlite");
    store.backup_sqlite(&backup).await.unwrap();
    assert!(
        store.backup_sqlite(&backup).await.is_err(),
        "never overwrites"
    );
    let restored = ipstrack_store::Store::open(backup.to_str().unwrap())
        .await
        .unwrap();
    assert!(restored.integrity_check().await.unwrap().is_empty());
    let period = Period::parse("2024/25").unwrap();
    let a = store.load().await.unwrap();
    let b = restored.load().await.unwrap();
    assert_eq!(
        report(&a.dataset, &[], &period, period.end).unwrap(),
        report(&b.dataset, &[], &period, period.end).unwrap()
    );
    assert_eq!(
        store.audit(&AuditFilter::default()).await.unwrap(),
        restored.audit(&AuditFilter::default()).await.unwrap()
    );
}

#[tokio::test]
async fn export_is_a_valid_bundle_document() {
    each_database_with_example("caseload", "admin", async |store, _| {
        let text = serde_json::to_string(&store.export().await.unwrap()).unwrap();
        let doc = parse_document(&text).unwrap();
        let loaded = validate(&doc).unwrap();
        assert_eq!(to_document(&loaded.dataset).referrals.len(), 14);
    })
    .await;
}
