//! Backups, exports and restores end to end: written whole or not at all,
//! restored whole or not at all, with users.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

/// Runs `ipstrack` under a file size limit of 128 KiB (`ulimit -f`): a write
/// past it kills the program (SIGXFSZ) like a kill or crash mid-write, or,
/// with `ignore_signal`, fails as on a full disk (EFBIG).
fn ipstrack_limited(args: &[&str], ignore_signal: bool) -> Output {
    let script = if ignore_signal {
        "trap '' XFSZ; ulimit -f 256; exec \"$0\" \"$@\""
    } else {
        "ulimit -f 256; exec \"$0\" \"$@\""
    };
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_ipstrack"))
        .args(args)
        .env("IPSTRACK_ACTOR", "tester")
        .env_remove("IPSTRACK_DATABASE_URL")
        .output()
        .unwrap()
}

#[test]
fn a_write_that_cannot_finish_leaves_the_earlier_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = path(&dir, "demo.json");
    std::fs::write(&out, "the earlier file\n").unwrap();
    let demo = [
        "demo-data",
        "--out",
        out.as_str(),
        "--specialists",
        "4",
        "--years",
        "1",
        "--until",
        "2025-03-31",
    ];
    // Killed while writing: the final path keeps the earlier file.
    let o = ipstrack_limited(&demo, false);
    assert!(!o.status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the earlier file\n");
    // What a kill leaves is a hidden temporary file beside it, never the final name.
    let left = names(dir.path());
    assert_eq!(left.len(), 2, "{left:?}");
    for name in &left {
        if name != "demo.json" {
            assert!(
                name.starts_with(".demo.json.") && name.ends_with(".partial"),
                "{name}"
            );
        }
    }
    // A write refused (as on a full disk): a message, and the temporary file
    // removed, with the one the killed write left.
    let o = ipstrack_limited(&demo, true);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("cannot write {out}")) && err.contains("File too large"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the earlier file\n");
    assert_eq!(names(dir.path()), ["demo.json"], "no partial file left");
    // A complete write replaces it.
    let o = ipstrack(&demo);
    ok(&o);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"format\": \"ipstrack-bundle/1\""));
    assert_eq!(names(dir.path()), ["demo.json"]);

    // The same for an export from a database.
    let db = path(&dir, "ips.sqlite");
    ok(&ipstrack(&["import", "--data", &out, "--db", &db]));
    let export = path(&dir, "export.json");
    std::fs::write(&export, "the earlier export\n").unwrap();
    let o = ipstrack_limited(&["export", "--out", &export, "--db", &db], true);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("cannot write {export}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(&export).unwrap(),
        "the earlier export\n"
    );
    ok(&ipstrack(&["export", "--out", &export, "--db", &db]));
    assert_eq!(year_report("--data", &export), year_report("--data", &out));

    // A folder that does not exist: nothing written, the folder named.
    let missing = path(&dir, "no-such-folder/export.json");
    let o = ipstrack(&["export", "--out", &missing, "--db", &db]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot create a file in the folder"),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&missing).exists());

    // A backup that cannot finish leaves nothing at its path.
    let backup = path(&dir, "backup.sqlite");
    let o = ipstrack_limited(&["backup", "--out", &backup, "--db", &db], true);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!Path::new(&backup).exists());
    assert!(!names(dir.path()).iter().any(|n| n.ends_with(".partial")));
    ok(&ipstrack(&["backup", "--out", &backup, "--db", &db]));
    // An existing backup is never replaced.
    let before = std::fs::read(&backup).unwrap();
    assert!(fails(&["backup", "--out", &backup, "--db", &db]));
    assert_eq!(std::fs::read(&backup).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_permissions_and_a_new_one_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = path(&dir, "demo.json");
    let demo = [
        "demo-data",
        "--out",
        out.as_str(),
        "--specialists",
        "1",
        "--years",
        "1",
    ];
    ok(&ipstrack(&demo));
    assert_eq!(mode(&out), 0o600, "a new file is its owner's only");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    ok(&ipstrack(&demo));
    assert_eq!(
        mode(&out),
        0o640,
        "a replaced file keeps what its owner gave it"
    );
}

/// Runs `ipstrack` with a umask that would let everyone read what it makes.
#[cfg(unix)]
fn ipstrack_with_open_umask(args: &[&str]) -> Output {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec '{}' {}",
            env!("CARGO_BIN_EXE_ipstrack"),
            quoted.join(" ")
        ))
        .env("IPSTRACK_ACTOR", "tester")
        .env_remove("IPSTRACK_DATABASE_URL")
        .output()
        .unwrap()
}

/// The permission bits of the file or folder `p`.
#[cfg(unix)]
fn mode(p: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Issue 11: the database, its backups, exports and extracts hold personal
/// data and password hashes; they are created 0600 (folders 0700) whatever
/// the umask.
#[cfg(unix)]
#[test]
fn files_ipstrack_creates_are_its_owners_only_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "ips.sqlite");
    let bundle = example("random-101.bundle.json");
    let backup = path(&dir, "backup.sqlite");
    let restored = path(&dir, "restored.sqlite");
    let export = path(&dir, "export.json");
    let extract = path(&dir, "mhsds/2024-25-Q3");
    for args in [
        &["import", "--data", &bundle, "--db", &db][..],
        &["backup", "--out", &backup, "--db", &db],
        &["restore", "--from", &backup, "--db", &restored],
        &["export", "--out", &export, "--db", &db],
        &mhsds_q3_extract(&extract, &db),
    ] {
        ok(&ipstrack_with_open_umask(args));
    }
    for file in [&db, &backup, &restored, &export] {
        assert_eq!(mode(file), 0o600, "{file}");
    }
    for folder in [path(&dir, "mhsds"), extract.clone()] {
        assert_eq!(mode(&folder), 0o700, "{folder}");
    }
    for entry in std::fs::read_dir(&extract).unwrap() {
        let file = entry.unwrap().path();
        assert_eq!(mode(file.to_str().unwrap()), 0o600, "{}", file.display());
    }
    // While the database is open its WAL and SHM files exist: theirs too.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = ipstrack_store::Store::open(&db).await.unwrap();
        store.load().await.unwrap();
        for side in ["-wal", "-shm"] {
            let side = format!("{db}{side}");
            if Path::new(&side).exists() {
                assert_eq!(mode(&side), 0o600, "{side}");
            }
        }
        store.close().await;
    });
}

#[test]
fn long_work_reports_its_steps_on_stderr_in_plain_lines_when_not_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "ips.sqlite");
    let bundle = example("random-101.bundle.json");
    let o = ipstrack(&["import", "--data", &bundle, "--db", &db]);
    let out = ok(&o);
    assert!(out.starts_with("teams: "), "stdout as before: {out}");
    let err = stderr(&o);
    assert!(
        err.contains(&format!("import: reading {bundle} ("))
            && err.contains("import: writing 60 referrals, ")
            && !err.contains('\u{1b}'),
        "{err}"
    );
    let backup = path(&dir, "backup.sqlite");
    let err = stderr(&ipstrack(&["backup", "--out", &backup, "--db", &db]));
    assert!(
        err.contains(&format!("backup: copying {db} to {backup}")),
        "{err}"
    );
    let restored = path(&dir, "restored.sqlite");
    let err = stderr(&ipstrack(&[
        "restore", "--from", &backup, "--db", &restored,
    ]));
    assert!(err.contains("restore: checking the copy"), "{err}");
    let export = path(&dir, "export.json");
    let err = stderr(&ipstrack(&["export", "--out", &export, "--db", &db]));
    assert!(
        err.contains(&format!("export: writing 60 referrals to {export}")),
        "{err}"
    );
}

#[test]
fn a_sqlite_backup_restores_users_and_audit_log_and_a_damaged_one_leaves_nothing() {
    let (dir, db) = folder_with_example("random-101.bundle.json");
    ok(&ipstrack_with_input(
        &["user", "add", "alice", "--role", "manager", "--db", &db],
        "a long secret phrase\n",
    ));
    let backup = path(&dir, "backup.sqlite");
    ok(&ipstrack(&["backup", "--out", &backup, "--db", &db]));

    // A damaged backup (its last part cut off): refused, no database made.
    let damaged = path(&dir, "damaged.sqlite");
    let bytes = std::fs::read(&backup).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).unwrap();
    let restored = path(&dir, "restored.sqlite");
    let o = ipstrack(&["restore", "--from", &damaged, "--db", &restored]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("{damaged} cannot be restored")),
        "{}",
        stderr(&o)
    );
    assert!(!Path::new(&restored).exists());
    assert!(!names(dir.path()).iter().any(|n| n.contains(".partial")));

    // The good one afterwards: the same report, users and audit log.
    ok(&ipstrack(&[
        "restore", "--from", &backup, "--db", &restored,
    ]));
    for args in [
        vec!["report", "--period", "2024/25", "--db"],
        vec!["user", "list", "--db"],
        vec!["audit", "--values", "--db"],
    ] {
        let on = |db: &str| {
            let mut a = args.clone();
            a.push(db);
            ok(&ipstrack(&a))
        };
        assert_eq!(on(&restored), on(&db), "{args:?}");
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = ipstrack_store::Store::open(&restored).await.unwrap();
        let alice = store
            .verify_password("alice", "a long secret phrase")
            .await
            .unwrap();
        assert_eq!(alice.map(|u| u.username), Some("alice".to_string()));
        store.close().await;
    });
}

#[test]
fn a_postgres_restore_failing_at_its_end_leaves_the_database_empty_and_a_retry_works() {
    let Some((_databases, live, target)) = postgres_live_with_random_101("target", "restore")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    ok(&ipstrack_with_input(
        &[
            "user", "add", "alice", "--role", "es", "--staff", "es1", "--db", &live,
        ],
        "a long secret phrase\n",
    ));
    submit(&live, "2024/25-Q2");
    let backup = path(&dir, "backup.json");
    ok(&ipstrack(&["backup", "--out", &backup, "--db", &live]));
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&backup).unwrap()).unwrap();
    assert_eq!(doc["users"][0]["username"], "alice");
    assert!(
        doc["users"][0]["password_hash"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$")
    );

    // The last submitted return is damaged: everything before it was written
    // inside the transaction, and all of it is undone.
    doc["submissions"][0]["report"] = serde_json::json!({});
    let damaged = path(&dir, "damaged.json");
    std::fs::write(&damaged, doc.to_string()).unwrap();
    let o = ipstrack(&["restore", "--from", &damaged, "--db", &target]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nothing was written") && stderr(&o).contains("submission 2024/25-Q2"),
        "{}",
        stderr(&o)
    );
    assert_eq!(ok(&ipstrack(&["audit", "--db", &target])), "");
    assert_eq!(ok(&ipstrack(&["user", "list", "--db", &target])), "");

    ok(&ipstrack(&["restore", "--from", &backup, "--db", &target]));
    for args in [
        vec!["report", "--period", "2024/25", "--db"],
        vec!["user", "list", "--db"],
        vec!["audit", "--values", "--db"],
        vec!["submissions", "--db"],
    ] {
        let on = |db: &str| {
            let mut a = args.clone();
            a.push(db);
            ok(&ipstrack(&a))
        };
        assert_eq!(on(&target), on(&live), "{args:?}");
    }
}

/// Issue 20, through the binary: a generated service (with its employer
/// contacts) backed up and restored exports the same bundle and passes
/// `doctor`, on SQLite (the file copy) and on PostgreSQL (the JSON backup).
#[test]
fn a_restored_service_exports_the_same_bundle_employer_contacts_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let demo = path(&dir, "demo.json");
    demo_data(&demo, 3, 1);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&demo).unwrap()).unwrap();
    assert!(!doc["employer_contacts"].as_array().unwrap().is_empty());
    let mut pairs = vec![(
        path(&dir, "live.sqlite"),
        path(&dir, "restored.sqlite"),
        "backup.sqlite",
    )];
    let postgres = postgres_live_and_target("exports_live", "exports_target", "JSON backup");
    if let Some(databases) = &postgres {
        pairs.push((
            databases.live.clone(),
            databases.target.clone(),
            "backup.json",
        ));
    }
    for (live, target, file) in &pairs {
        ok(&ipstrack(&["import", "--data", &demo, "--db", live]));
        let backup = path(&dir, file);
        ok(&ipstrack(&["backup", "--out", &backup, "--db", live]));
        ok(&ipstrack(&["restore", "--from", &backup, "--db", target]));
        let export = |db: &str, name: &str| {
            let out = path(&dir, name);
            ok(&ipstrack(&["export", "--out", &out, "--db", db]));
            std::fs::read_to_string(out).unwrap()
        };
        let restored = export(target, &format!("{file}.restored.json"));
        let kept = export(live, &format!("{file}.live.json"));
        let contacts = |text: &str| {
            let doc: serde_json::Value = serde_json::from_str(text).unwrap();
            doc["employer_contacts"].as_array().map_or(0, Vec::len)
        };
        assert!(
            restored == kept,
            "{file}: the restored database exports another bundle ({} employer contacts of {})",
            contacts(&restored),
            contacts(&kept)
        );
        assert_eq!(
            ok(&ipstrack(&["doctor", "--db", target])),
            format!("{}: ok\n", target),
            "{file}"
        );
    }
}

/// Issue 20: a database an older restore left without its employer contacts
/// (its audit log has them). `doctor` names what is missing and fails;
/// restoring a backup of such a database works (the backup is faithful) and
/// says the same on stderr.
#[test]
fn doctor_names_the_records_an_incomplete_restore_lost_and_a_restore_of_it_warns() {
    let dir = tempfile::tempdir().unwrap();
    let demo = path(&dir, "demo.json");
    demo_data(&demo, 2, 1);
    let live = path(&dir, "live.sqlite");
    ok(&ipstrack(&["import", "--data", &demo, "--db", &live]));
    // The JSON backup an older restore gave back: the audit log whole, the
    // employer contacts gone.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut backup = runtime.block_on(async {
        let store = ipstrack_store::Store::open(&live).await.unwrap();
        let backup = store.backup().await.unwrap();
        store.close().await;
        backup
    });
    let lost = backup.bundle.employer_contacts.len();
    assert!(lost > 1);
    backup.bundle.employer_contacts.clear();
    let old = path(&dir, "old-restore.json");
    std::fs::write(&old, serde_json::to_string(&backup).unwrap()).unwrap();

    let damaged = path(&dir, "damaged.sqlite");
    let o = ipstrack(&["restore", "--from", &old, "--db", &damaged]);
    ok(&o);
    let says = format!(
        "the audit log records {lost} employer contacts that are not in the database (ec1, "
    );
    assert!(
        stderr(&o).contains(&format!("warning: {old}: {says}")),
        "{}",
        stderr(&o)
    );
    let o = ipstrack(&["doctor", "--db", &damaged]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with(&format!("{damaged}: {says}")),
        "{}",
        stdout(&o)
    );

    // Its SQLite backup restores as it is, with the same warning.
    let copy = path(&dir, "damaged-backup.sqlite");
    ok(&ipstrack(&["backup", "--out", &copy, "--db", &damaged]));
    let again = path(&dir, "again.sqlite");
    let o = ipstrack(&["restore", "--from", &copy, "--db", &again]);
    ok(&o);
    assert!(
        stderr(&o).contains(&format!("warning: {copy}: {says}")),
        "{}",
        stderr(&o)
    );
    assert_eq!(ipstrack(&["doctor", "--db", &again]).status.code(), Some(1));
    assert_eq!(
        ok(&ipstrack(&["doctor", "--db", &live])),
        format!("{live}: ok\n")
    );
}

#[test]
fn backup_keep_removes_the_oldest_backups_of_its_series_and_nothing_else() {
    let (dir, db) = folder_with_example("random-101.bundle.json");
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let older = [
        "ipstrack-2026-12-01T021500Z.sqlite",
        "ipstrack-2026-12-02T021500Z.sqlite",
        "ipstrack-2026-12-03T021500Z.sqlite",
        "ipstrack-2026-12-04T021500Z.sqlite",
    ];
    let others = [
        "ipstrack-2026-12-01T021500Z.json",
        "ipstrack-latest.sqlite",
        "notes.txt",
    ];
    for name in older.iter().chain(&others) {
        std::fs::write(backups.join(name), "an earlier backup\n").unwrap();
    }
    let out = backups.join("ipstrack-2026-12-05T021500Z.sqlite");
    let out = out.to_str().unwrap();
    let o = ipstrack(&["backup", "--out", out, "--keep", "3", "--db", &db]);
    ok(&o);
    let err = stderr(&o);
    for removed in &older[..2] {
        assert!(
            err.contains("removed the older backup") && err.contains(removed),
            "{err}"
        );
    }
    let mut expected: Vec<String> = older[2..]
        .iter()
        .chain(&others)
        .map(|s| s.to_string())
        .chain(["ipstrack-2026-12-05T021500Z.sqlite".to_string()])
        .collect();
    expected.sort();
    assert_eq!(names(&backups), expected);
    // The backup itself is whole.
    let restored = path(&dir, "restored.sqlite");
    ok(&ipstrack(&["restore", "--from", out, "--db", &restored]));

    // --keep 0 is a usage error: every backup would go.
    let o = ipstrack(&[
        "backup",
        "--out",
        &path(&dir, "x-1.sqlite"),
        "--keep",
        "0",
        "--db",
        &db,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
