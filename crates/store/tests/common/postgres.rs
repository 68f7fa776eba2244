//! A fresh PostgreSQL database for a test, on the server
//! `IPSTRACK_TEST_POSTGRES_URL` names; shared by the store's and the web
//! app's tests (the web's include this file by its path).

use sqlx::{Connection, Executor};

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A new, empty database named `{prefix}_{process}_{n}` on the server
/// `IPSTRACK_TEST_POSTGRES_URL` names: (its URL, the server's URL, its
/// name). `None` when no server is named.
pub async fn new_database(prefix: &str) -> Option<(String, String, String)> {
    let admin = std::env::var("IPSTRACK_TEST_POSTGRES_URL").ok()?;
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let db = format!("{prefix}_{}_{n}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("IPSTRACK_TEST_POSTGRES_URL={admin} is not reachable: {e}"));
    // A run stopped before it dropped its databases leaves them behind, and
    // a later process may have the same id: its leftover goes first, as
    // the command-line tests' set-up does.
    let leftover = format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)");
    conn.execute(sqlx::AssertSqlSafe(leftover)).await.unwrap();
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{db}\"")))
        .await
        .unwrap();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.clone(), |(b, _)| b.to_string());
    Some((format!("{base}/{db}"), admin, db))
}

/// Drops the database `db` (made by [`new_database`]) on the server `admin`.
pub async fn drop_database(admin: &str, db: &str) {
    let mut conn = sqlx::PgConnection::connect(admin).await.unwrap();
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"
    )))
    .await
    .unwrap();
}
