//! The SQLite and PostgreSQL migrations define the same tables with the same
//! columns: a fresh database of each, migrated, is listed as the database
//! itself lists it (sqlite_master, information_schema) and compared. Without
//! `IPSTRACK_TEST_POSTGRES_URL` only SQLite is opened and the comparison is
//! skipped, as other store tests skip PostgreSQL.

mod common;

use std::collections::BTreeMap;

use common::*;
use sqlx::Connection;

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
