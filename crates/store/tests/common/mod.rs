//! Runs each storage test on every backend: SQLite always, and PostgreSQL when
//! `IPSTRACK_TEST_POSTGRES_URL` names a server (each test in a fresh database
//! it creates and drops).

#![allow(dead_code)]

mod postgres;

use std::collections::BTreeMap;
use std::path::PathBuf;

use ipstrack_core::bundle::BundleDoc;
use ipstrack_store::{AuditEntry, AuditFilter, Backup, Store};
use sqlx::{AnyConnection, Connection};

pub struct TestDb {
    pub url: String,
    pub name: &'static str,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn open(&self) -> Store {
        Store::open(&self.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// The store with the `caseload` example imported (the set-up of most
    /// row-level tests).
    pub async fn open_with_caseload(&self) -> Store {
        let store = self.open().await;
        store
            .import(&example_bundle("caseload"), "setup")
            .await
            .unwrap();
        store
    }

    pub async fn cleanup(self) {
        if let Some((admin, db)) = &self.drop_pg {
            postgres::drop_database(admin, db).await;
        }
    }
}

/// The password of the users tests add.
pub const PASSWORD: &str = "a long secret phrase";

/// A fresh SQLite file alone.
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    TestDb {
        url: dir
            .path()
            .join("test.sqlite")
            .to_string_lossy()
            .into_owned(),
        name: "sqlite",
        _dir: Some(dir),
        drop_pg: None,
    }
}

/// A fresh SQLite file, and a fresh PostgreSQL database when configured.
pub async fn databases() -> Vec<TestDb> {
    let mut out = vec![sqlite()];
    if let Some((url, admin, db)) = postgres::new_database("ipstrack_test").await {
        out.push(TestDb {
            url,
            name: "postgres",
            _dir: None,
            drop_pg: Some((admin, db)),
        });
    }
    out
}

/// Runs `test` on every backend with a fresh store open, then closes the
/// store and drops the database.
pub async fn each_database(test: impl AsyncFn(&Store, &TestDb)) {
    for db in databases().await {
        let store = db.open().await;
        test(&store, &db).await;
        store.close().await;
        db.cleanup().await;
    }
}

/// [`each_database`] with the worked example `name` imported by `actor`
/// first.
pub async fn each_database_with_example(
    name: &str,
    actor: &str,
    test: impl AsyncFn(&Store, &TestDb),
) {
    each_database(async |store, db| {
        store.import(&example_bundle(name), actor).await.unwrap();
        test(store, db).await;
    })
    .await;
}

/// [`each_database`] with the `caseload` example imported (the set-up of
/// most row-level tests).
pub async fn each_database_with_caseload(test: impl AsyncFn(&Store, &TestDb)) {
    each_database_with_example("caseload", "setup", test).await;
}

/// Restores `backup` (taken from `source`) into a fresh store on every
/// backend and runs `test` on it with the pair's name (`sqlite → postgres`),
/// then closes the store and drops the database.
pub async fn each_restore_of(
    source: &TestDb,
    backup: &Backup,
    test: impl AsyncFn(&Store, &TestDb, &str),
) {
    for target in databases().await {
        let name = format!("{} → {}", source.name, target.name);
        let restored = target.open().await;
        restored.restore(backup).await.unwrap();
        test(&restored, &target, &name).await;
        restored.close().await;
        target.cleanup().await;
    }
}

/// `backup` (taken from `source`) restored on every backend exports
/// `expected`.
pub async fn assert_restored_exports(source: &TestDb, backup: &Backup, expected: &BundleDoc) {
    each_restore_of(source, backup, async |restored, _, name| {
        assert_eq!(&restored.export().await.unwrap(), expected, "{name}");
    })
    .await;
}

/// The audit log's entries on the record `id`, oldest first.
pub async fn audit_of(store: &Store, id: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        record: Some(id.into()),
        since: None,
    };
    store.audit(&filter).await.unwrap()
}

/// How many entries the audit log holds.
pub async fn audit_len(store: &Store) -> usize {
    store.audit(&AuditFilter::default()).await.unwrap().len()
}

pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/examples")
}

pub fn example_bundle(name: &str) -> ipstrack_core::bundle::BundleDoc {
    let text = std::fs::read_to_string(examples().join(format!("{name}.bundle.json"))).unwrap();
    ipstrack_core::bundle::parse_document(&text).unwrap()
}

/// A connection of its own to the database at `url`.
pub async fn connect(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&ipstrack_store::database_url(url))
        .await
        .unwrap()
}

/// Every table of the schema with its columns, sorted, as the database
/// itself lists them (sqlite_master, information_schema).
pub async fn schema(conn: &mut AnyConnection) -> BTreeMap<String, Vec<String>> {
    let postgres = conn.backend_name() == "PostgreSQL";
    let names: Vec<String> = if postgres {
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    } else {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    };
    let mut out = BTreeMap::new();
    for name in names {
        let mut columns: Vec<String> = if postgres {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await
            .unwrap()
        } else {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{name}')"
            )))
            .fetch_all(&mut *conn)
            .await
            .unwrap()
        };
        columns.sort();
        out.insert(name, columns);
    }
    out
}

/// Imports the example bundle `name` into `store` as `actor`.
pub async fn import_example(store: &Store, name: &str, actor: &str) {
    store.import(&example_bundle(name), actor).await.unwrap();
}

/// Whether `user` signs in with `password` on `store`.
pub async fn signs_in(store: &Store, user: &str, password: &str) -> bool {
    store
        .verify_password(user, password)
        .await
        .unwrap()
        .is_some()
}

/// A remote contact in the month `month` of 2024, on a day that `n` picks.
pub fn remote_contact(month: u32, n: usize) -> ipstrack_core::bundle::ContactDoc {
    ipstrack_core::bundle::ContactDoc {
        date: format!("2024-{month:02}-{:02}", 1 + n % 28),
        kind: "remote".into(),
        mechanism: None,
        note: None,
        location: None,
    }
}
