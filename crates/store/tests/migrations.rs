//! The SQLite and PostgreSQL migrations define the same tables with the same
//! columns: a fresh database of each, migrated, is listed as the database
//! itself lists it (sqlite_master, information_schema) and compared. Without
//! `IPSTRACK_TEST_POSTGRES_URL` only SQLite is opened and the comparison is
//! skipped, as other store tests skip PostgreSQL.

mod common;

use std::collections::BTreeMap;

use common::*;
use sqlx::{AnyConnection, Connection};

async fn connect(url: &str) -> AnyConnection {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(&ipstrack_store::database_url(url))
        .await
        .unwrap()
}

/// Every table of the schema with its columns, sorted.
async fn schema(conn: &mut AnyConnection) -> BTreeMap<String, Vec<String>> {
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

#[tokio::test]
async fn sqlite_and_postgres_migrations_define_the_same_tables_and_columns() {
    let mut schemas = Vec::new();
    for db in databases().await {
        // Opening migrates the fresh database.
        db.open().await.close().await;
        let mut conn = connect(&db.url).await;
        let schema = schema(&mut conn).await;
        conn.close().await.unwrap();
        assert!(
            schema.contains_key("referrals") && schema.contains_key("audit_log"),
            "{}: the migrations made no tables: {schema:?}",
            db.name
        );
        schemas.push((db.name, schema));
        db.cleanup().await;
    }
    let [(_, sqlite), (_, postgres)] = &schemas[..] else {
        eprintln!("IPSTRACK_TEST_POSTGRES_URL is not set: PostgreSQL's migrations not compared");
        return;
    };
    let names = |s: &BTreeMap<String, Vec<String>>| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(sqlite),
        names(postgres),
        "the SQLite and PostgreSQL migrations make different tables"
    );
    for (table, columns) in sqlite {
        assert_eq!(
            columns, &postgres[table],
            "table {table}: SQLite's columns (left) differ from PostgreSQL's (right)"
        );
    }
}
