//! A bad database configuration is told in plain words, within seconds:
//! status 1, nothing on stdout, the file or server named, never a password.

mod common;

use std::time::{Duration, Instant};

use common::*;

/// Runs a report on `db` and returns its message, checking it failed fast.
fn refused(db: &str) -> String {
    let started = Instant::now();
    let o = ipstrack(&["report", "--db", db, "--period", "2024/25"]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1), "{db}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{db}");
    assert!(
        took < Duration::from_secs(5),
        "{db}: the message took {took:?}"
    );
    stderr(&o)
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "these are my notes, not a database\n".repeat(100)).unwrap();
    let file = file.to_string_lossy().into_owned();
    assert_eq!(
        refused(&file),
        format!("error: {file} is not an ipstrack database (SQLite could not read it)\n")
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "these are my notes, not a database\n".repeat(100),
        "left as it was"
    );
}

#[test]
fn a_truncated_database_is_called_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ips.sqlite").to_string_lossy().into_owned();
    import_example(&db, "random-101.bundle.json");
    let bytes = std::fs::read(&db).unwrap();
    let cut = dir.path().join("cut.sqlite").to_string_lossy().into_owned();
    std::fs::write(&cut, &bytes[..bytes.len() / 8]).unwrap();
    let err = refused(&cut);
    assert_eq!(
        err,
        format!(
            "error: {cut} is damaged (SQLite: database disk image is malformed): restore it from a backup\n"
        )
    );
}

#[test]
fn a_database_that_cannot_be_created_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder/ips.sqlite");
    let missing = missing.to_string_lossy().into_owned();
    let folder = dir.path().join("no-such-folder");
    assert_eq!(
        refused(&missing),
        format!(
            "error: cannot create the SQLite database {missing}: the folder {} does not exist\n",
            folder.display()
        )
    );
    // A read-only file system (/proc takes no new files).
    let err = refused("/proc/ips.sqlite");
    assert!(
        err.starts_with("error: cannot create the SQLite database /proc/ips.sqlite: "),
        "{err}"
    );
}

#[test]
fn an_unreachable_server_is_named_without_the_password() {
    // Nothing listens on port 1.
    let err = refused("postgres://ips:secret-password@127.0.0.1:1/ipstrack");
    assert_eq!(
        err,
        "error: cannot reach the PostgreSQL server at 127.0.0.1:1 (connection refused)\n"
    );
    assert!(!err.contains("secret-password"));
}

#[test]
fn a_postgres_url_without_a_database_is_refused() {
    // Refused before connecting: no tables are ever made in `postgres`.
    let err = refused("postgres://ips:secret-password@127.0.0.1:1");
    assert_eq!(
        err,
        "error: the PostgreSQL URL for 127.0.0.1:1 names no database: add /DATABASE at its end (postgres://USER@HOST:PORT/DATABASE)\n"
    );
    if let Ok(admin) = std::env::var("IPSTRACK_TEST_POSTGRES_URL") {
        let base = admin.rsplit_once('/').unwrap().0;
        let err = refused(base);
        assert!(err.contains("names no database"), "{err}");
        let err = refused(&format!("{base}/ipstrack_no_such_database"));
        assert!(
            err.contains("has no such database") && err.contains("ipstrack_no_such_database"),
            "{err}"
        );
    }
}

#[test]
fn an_empty_database_says_how_to_fill_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite").to_string_lossy().into_owned();
    let message = "error: the database is empty: import a bundle (ipstrack import --data FILE) or run ipstrack serve --demo\n";
    assert_eq!(refused(&db), message);
    let o = ipstrack(&[
        "export",
        "--grow-return",
        "--period",
        "2024/25",
        "--out",
        &dir.path().join("r.csv").to_string_lossy(),
        "--db",
        &db,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).ends_with(message), "{}", stderr(&o));
    let o = ipstrack(&["submit", "--period", "2024/25", "--db", &db]);
    assert_eq!(stderr(&o), message);
}
