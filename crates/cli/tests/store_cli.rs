//! The database commands end to end on SQLite: import, report --db, export,
//! audit, user, submit and submissions, backup, restore and doctor.

mod common;

use std::path::Path;

use common::*;

#[test]
fn import_then_report_from_the_database_equals_the_bundle_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "ips.sqlite");
    let bundle = example("random-102.bundle.json");
    let out = ok(&ipstrack(&["import", "--data", &bundle, "--db", &db]));
    assert!(
        out.contains("referrals: 60 created, 0 updated, 0 unchanged"),
        "{out}"
    );
    let again = ok(&ipstrack(&["import", "--data", &bundle, "--db", &db]));
    assert!(
        again.contains("referrals: 0 created, 0 updated, 60 unchanged"),
        "{again}"
    );
    for period in ["2024/25", "2024/25-Q2"] {
        let from_db = ok(&ipstrack(&[
            "report",
            "--db",
            &db,
            "--period",
            period,
            "--as-of",
            "2024-08-20",
        ]));
        let from_file = ok(&ipstrack(&[
            "report",
            "--data",
            &bundle,
            "--period",
            period,
            "--as-of",
            "2024-08-20",
        ]));
        assert_eq!(from_db, from_file, "{period}");
    }
    // Export, then report from the exported bundle: the same figures.
    let exported = path(&dir, "export.json");
    ok(&ipstrack(&["export", "--out", &exported, "--db", &db]));
    assert_eq!(
        year_report("--data", &exported),
        year_report("--data", &bundle)
    );
}

#[test]
fn a_refused_import_names_the_record_and_writes_nothing() {
    let (dir, db) = folder_with_example("sustainment.bundle.json");
    let text = std::fs::read_to_string(example("sustainment.bundle.json")).unwrap();
    let bad = path(&dir, "bad.json");
    std::fs::write(
        &bad,
        text.replacen("\"start\": \"2024-05-01\"", "\"start\": \"2024-13-01\"", 1),
    )
    .unwrap();
    let o = ipstrack(&["import", "--data", &bad, "--db", &db]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("referral rA job rA-1: start `2024-13-01` is not a date"),
        "{err}"
    );
    let audit = ok(&ipstrack(&["audit", "--db", &db]));
    assert_eq!(
        audit.lines().count(),
        1 + 1 + 1 + 4 + 4,
        "service, team, staff, 4 clients, 4 referrals:\n{audit}"
    );
}

#[test]
fn audit_users_submissions_backup_restore_and_doctor() {
    let (dir, db) = folder_with_example("sustainment.bundle.json");

    let added = ok(&ipstrack_with_input(
        &[
            "user",
            "add",
            "alice",
            "--role",
            "team-lead",
            "--staff",
            "es1",
            "--db",
            &db,
        ],
        "a long secret phrase\n",
    ));
    assert!(added.contains("added alice (team_lead)"), "{added}");
    assert!(
        ok(&ipstrack(&["user", "list", "--db", &db])).contains("alice\tteam_lead\tes1\tactive")
    );
    ok(&ipstrack(&["user", "disable", "alice", "--db", &db]));
    assert!(
        ok(&ipstrack(&["user", "list", "--db", &db])).contains("alice\tteam_lead\tes1\tdisabled")
    );

    let audit = ok(&ipstrack(&[
        "audit", "--record", "rA", "--values", "--db", &db,
    ]));
    says(
        &audit,
        &[
            "cli:tester\tinsert\treferral rA",
            "\"received\":\"2024-04-01\"",
        ],
    );
    assert!(
        !ok(&ipstrack(&["audit", "--db", &db])).contains("argon2"),
        "no password hashes in the log"
    );

    let submitted = submit(&db, "2024/25-Q2");
    assert!(
        submitted.contains("submitted 2024/25-Q2 as of 2024-09-30 by cli:tester"),
        "{submitted}"
    );
    assert!(fails(&["submit", "--period", "2024/25-Q2", "--db", &db]));
    assert!(ok(&ipstrack(&["submissions", "--db", &db])).contains("no change since submission"));
    // A correction after submission: the return stays, the change is listed.
    let text = std::fs::read_to_string(example("sustainment.bundle.json")).unwrap();
    let fixed = path(&dir, "fixed.json");
    let moved = text
        .replacen(
            "\"received\": \"2024-06-01\"",
            "\"received\": \"2024-07-01\"",
            1,
        )
        .replacen(
            "\"access\": \"2024-06-03\"",
            "\"access\": \"2024-07-02\"",
            1,
        )
        .replacen("\"start\": \"2024-06-03\"", "\"start\": \"2024-07-02\"", 1);
    std::fs::write(&fixed, moved).unwrap();
    let o = ipstrack(&["import", "--data", &fixed, "--db", &db]);
    let out = ok(&o);
    assert!(out.contains("updated referral rC"), "{out}");
    let list = ok(&ipstrack(&["submissions", "--db", &db]));
    assert!(
        list.contains("service.referrals.unemployed: 0 → 1"),
        "{list}"
    );

    let backup = path(&dir, "backup.sqlite");
    ok(&ipstrack(&["backup", "--out", &backup, "--db", &db]));
    let restored = path(&dir, "restored.sqlite");
    ok(&ipstrack(&[
        "restore", "--from", &backup, "--db", &restored,
    ]));
    assert!(ok(&ipstrack(&["doctor", "--db", &restored])).contains(": ok"));
    assert_eq!(year_report("--db", &restored), year_report("--db", &db));
    assert!(
        fails(&["restore", "--from", &backup, "--db", &restored]),
        "never overwrites"
    );
}

#[test]
fn postgres_backup_restores_identical_figures() {
    let Some((_databases, live, target)) = postgres_live_with_random_101("restored", "backup")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    submit(&live, "2024/25-Q2");
    let backup = path(&dir, "backup.json");
    ok(&ipstrack(&["backup", "--out", &backup, "--db", &live]));
    ok(&ipstrack(&["restore", "--from", &backup, "--db", &target]));
    assert!(ok(&ipstrack(&["doctor", "--db", &target])).contains(": ok"));
    assert_eq!(year_report("--db", &target), year_report("--db", &live));
    assert!(ok(&ipstrack(&["submissions", "--db", &target])).contains("2024/25-Q2"));
    let audit = ok(&ipstrack(&["audit", "--db", &target]));
    assert!(
        audit.contains("insert\treferral r1"),
        "the audit log comes back: {audit}"
    );
    assert!(
        fails(&["restore", "--from", &backup, "--db", &target]),
        "only into an empty database"
    );
}

#[test]
fn export_grow_return_writes_xlsx_and_csv_from_the_database() {
    let (dir, db) = folder_with_example("random-101.bundle.json");
    let csv_path = path(&dir, "return.csv");
    let xlsx_path = path(&dir, "return.xlsx");
    for out in [&csv_path, &xlsx_path] {
        let args = [
            "export",
            "--grow-return",
            "--period",
            "2024/25-Q3",
            "--out",
            out.as_str(),
            "--db",
            db.as_str(),
        ];
        ok(&ipstrack(&args));
    }
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(text.starts_with("Level,Id,Name,Team,Period"), "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("service,"));
    assert_eq!(
        &std::fs::read(&xlsx_path).unwrap()[..2],
        b"PK",
        "an xlsx is a zip file"
    );
    let o = ipstrack(&[
        "export",
        "--grow-return",
        "--period",
        "2024/25-Q3",
        "--out",
        &path(&dir, "r.txt"),
        "--db",
        &db,
    ]);
    assert!(!o.status.success());
    assert!(
        fails(&["export", "--grow-return", "--out", &csv_path, "--db", &db]),
        "needs --period"
    );
}

#[test]
fn export_mhsds_writes_the_extract_and_reports_mhs116_and_nhs_number_problems() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "ips.sqlite");
    // The example with one valid NHS number and one client without (a
    // wrong number is refused on import, BAD-1, so it cannot be stored).
    let text = std::fs::read_to_string(example("random-101.bundle.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["clients"][0]["nhs_number"] = "9434765919".into();
    doc["clients"][1]["nhs_number"] = serde_json::Value::Null;
    let (good, bad) = (
        doc["clients"][0]["id"].as_str().unwrap().to_string(),
        doc["clients"][1]["id"].as_str().unwrap().to_string(),
    );
    let bundle = path(&dir, "bundle.json");
    std::fs::write(&bundle, doc.to_string()).unwrap();
    ok(&ipstrack(&["import", "--data", &bundle, "--db", &db]));

    let out_dir = path(&dir, "mhsds/2024-25-Q3");
    let args = mhsds_q3_extract(&out_dir, &db);
    let o = ipstrack(&args);
    let stdout = ok(&o);
    let stderr = String::from_utf8(o.stderr.clone()).unwrap();

    // MHS116 as the core counts it from the same data.
    let loaded = ipstrack_core::read_bundle(&doc.to_string()).unwrap();
    let day = |s: &str| ipstrack_core::Day::parse(s).unwrap();
    let m = ipstrack_core::mhsds::mhs116(&loaded.dataset, day("2024-12-31"), day("2024-12-31"));
    assert!(
        stdout.contains(&format!(
            "MHS116 (first direct contact from 2024-01-01 to 2024-12-31, as of 2024-12-31): {} referrals, {} people",
            m.referrals, m.people
        )),
        "{stdout}"
    );
    for name in ipstrack_interop::mhsds::TABLE_NAMES {
        let file = Path::new(&out_dir).join(format!("{name}.csv"));
        let text = std::fs::read_to_string(&file).unwrap();
        let rows = text.lines().count() - 1;
        assert!(
            stdout.contains(&format!(
                "{name}.csv: {rows} row{}\n",
                if rows == 1 { "" } else { "s" }
            )),
            "{name}: {stdout}"
        );
    }
    let referrals =
        std::fs::read_to_string(Path::new(&out_dir).join("MHS102ServiceTypeReferredTo.csv"))
            .unwrap();
    assert!(
        referrals.lines().skip(1).all(|l| l.ends_with(",D05")),
        "{referrals}"
    );
    // NHS-number problems by client id only, never the number.
    assert!(
        stderr.contains(&format!("client {bad}: no NHS number recorded")),
        "{stderr}"
    );
    assert!(!stderr.contains(&format!("client {good}:")), "{stderr}");
    assert!(!stderr.contains("9434765919") && !stdout.contains("9434765919"));
    let mpi = std::fs::read_to_string(Path::new(&out_dir).join("MHS001MPI.csv")).unwrap();
    assert!(mpi.contains(&format!("{good},9434765919,02")), "{mpi}");
    assert!(mpi.contains(&format!("{bad},,03")), "{mpi}");

    // Running it again replaces ipstrack's own files.
    ok(&ipstrack(&args));
    // Any other file of the same name is never overwritten; nothing is written.
    let foreign = Path::new(&out_dir).join("MHS101Referral.csv");
    std::fs::write(&foreign, "my own notes\n").unwrap();
    std::fs::remove_file(Path::new(&out_dir).join("MHS001MPI.csv")).unwrap();
    let o = ipstrack(&args);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not overwriting"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "my own notes\n");
    assert!(
        !Path::new(&out_dir).join("MHS001MPI.csv").exists(),
        "nothing written when refused"
    );
    // --mhsds needs a period, and is not --grow-return.
    assert!(fails(&[
        "export", "--mhsds", "--out", &out_dir, "--db", &db
    ]));
    assert!(fails(&[
        "export",
        "--mhsds",
        "--grow-return",
        "--period",
        "2024/25-Q3",
        "--out",
        &out_dir,
        "--db",
        &db
    ]));
}

/// The session of `token` in the database at `db`, if it is still valid.
fn session_of(db: &str, token: &str) -> Option<String> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = ipstrack_store::Store::open(db).await.unwrap();
        let session = store.session(token).await.unwrap();
        store.close().await;
        session.map(|s| s.user.username)
    })
}

#[test]
fn tokens_last_1_to_365_days_and_reset_or_disable_ends_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "ips.sqlite");
    ok(&ipstrack_with_input(
        &["user", "add", "bob", "--role", "manager", "--db", &db],
        "a long secret phrase\n",
    ));
    for days in ["0", "-1", "366", "3000000"] {
        let days = format!("--days={days}");
        let out = ipstrack(&["user", "token", "bob", &days, "--db", &db]);
        assert!(!out.status.success(), "--days {days}");
        assert!(stderr(&out).contains("1..=365"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    let token = ok(&ipstrack(&[
        "user", "token", "bob", "--days", "365", "--db", &db,
    ]));
    let token = token.trim();
    assert_eq!(session_of(&db, token).as_deref(), Some("bob"));
    // A new password, as one line of standard input (not a terminal).
    ok(&ipstrack_with_input(
        &["user", "reset-password", "bob", "--db", &db],
        "another long secret\n",
    ));
    assert_eq!(session_of(&db, token), None, "reset ends the token");
    let token = ok(&ipstrack(&["user", "token", "bob", "--db", &db]));
    ok(&ipstrack(&["user", "disable", "bob", "--db", &db]));
    assert_eq!(
        session_of(&db, token.trim()),
        None,
        "disable ends the token"
    );
}

/// Records a contact on `referral` as the referral page does (another user,
/// another process), and gives the referral's contacts afterwards.
fn record_contact(db: &str, referral: &str, date: &str) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = ipstrack_store::Store::open(db).await.unwrap();
        let contact = ipstrack_core::bundle::ContactDoc {
            date: date.into(),
            kind: "face_to_face".into(),
            ..Default::default()
        };
        store.add_contact(referral, &contact, "es1").await.unwrap();
        let n = store.contact_count(referral).await.unwrap();
        store.close().await;
        n
    })
}

fn contact_count(db: &str, referral: &str) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = ipstrack_store::Store::open(db).await.unwrap();
        let n = store.contact_count(referral).await.unwrap();
        store.close().await;
        n
    })
}

#[test]
fn importing_an_export_taken_before_a_contact_was_recorded_exits_1_naming_the_referral() {
    let (dir, db) = folder_with_example("caseload.bundle.json");
    let exported = path(&dir, "export.json");
    ok(&ipstrack(&["export", "--out", &exported, "--db", &db]));
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("\"referral_versions\""), "{text}");
    let contacts = record_contact(&db, "r3", "2024-11-04");
    let audit = ok(&ipstrack(&["audit", "--db", &db]));

    let message = "referral r3 changed since the bundle was taken (version 1, now 2): \
                   importing would remove 1 contact";
    // The dry run says so too, and writes nothing.
    let o = ipstrack(&["import", "--data", &exported, "--db", &db, "--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains(message), "{}", stderr(&o));
    let o = ipstrack(&["import", "--data", &exported, "--db", &db]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(stdout(&o), "", "nothing on stdout");
    let err = stderr(&o);
    assert!(err.contains(&exported), "names the file: {err}");
    assert!(err.contains(message), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(contact_count(&db, "r3"), contacts, "the contact is kept");
    assert_eq!(ok(&ipstrack(&["audit", "--db", &db])), audit);

    // A new export imports cleanly and changes nothing.
    ok(&ipstrack(&["export", "--out", &exported, "--db", &db]));
    let again = ok(&ipstrack(&["import", "--data", &exported, "--db", &db]));
    assert!(
        again.contains("referrals: 0 created, 0 updated, 14 unchanged"),
        "{again}"
    );
}

#[test]
fn a_dry_run_of_a_bundle_without_versions_lists_each_referral_it_replaces_and_what_it_removes() {
    let (_dir, db) = folder_with_example("caseload.bundle.json");
    let contacts = record_contact(&db, "r3", "2024-11-04");
    let bundle = example("caseload.bundle.json");
    let dry = ok(&ipstrack(&[
        "import",
        "--data",
        &bundle,
        "--db",
        &db,
        "--dry-run",
    ]));
    says(
        &dry,
        &[
            "referrals: 0 created, 1 updated, 13 unchanged",
            "referral r3 (not versioned by the bundle): importing removes 1 contact",
            "Dry run: nothing was written.",
        ],
    );
    assert_eq!(contact_count(&db, "r3"), contacts);
}
