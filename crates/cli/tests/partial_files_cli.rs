//! Issue 20: the partial files of killed runs are removed by the next write
//! into the same folder, never a live writer's.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// The names of the partial files in a folder.
fn partials(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.contains(".partial"))
        .collect()
}

/// Issue 20: `kill -9` runs nothing, so a killed backup leaves its partial
/// file; the next write into the same folder removes it, and the partial
/// files of earlier dead runs (SQLite's files beside them too), but never a
/// live writer's (it holds a lock on its file) nor files that only look alike.
#[cfg(unix)]
#[test]
fn the_next_write_into_a_folder_removes_the_partial_files_of_killed_runs_not_a_live_ones() {
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let demo = path(&dir, "demo.json");
    demo_data(&demo, 12, 2);
    let db = path(&dir, "ips.sqlite");
    ok(&ipstrack(&["import", "--data", &demo, "--db", &db]));
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();

    // kill -9 in the middle of a backup (tried again in the rare case it
    // finished first).
    let mut killed = None;
    for attempt in 0..10 {
        let out = backups.join(format!("backup-{attempt}.sqlite"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_ipstrack"))
            .args(["backup", "--out", out.to_str().unwrap(), "--db", &db])
            .env_remove("IPSTRACK_DATABASE_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed once the copy has begun to fill its partial file.
        let writing = || {
            partials(&backups)
                .iter()
                .any(|n| std::fs::metadata(backups.join(n)).is_ok_and(|m| m.len() > 0))
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !writing() && Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap_or(());
        let status = child.wait().unwrap();
        if status.signal() == Some(9) && writing() {
            assert!(!out.exists());
            killed = Some(partials(&backups));
            break;
        }
        eprintln!("attempt {attempt}: the backup finished before it was killed");
        let _ = std::fs::remove_file(&out);
    }
    let killed = killed.expect("a backup killed while writing");
    // Its partial file, and SQLite's journal beside it (VACUUM INTO keeps one).
    assert_eq!(
        killed.iter().filter(|n| n.ends_with(".partial")).count(),
        1,
        "{killed:?}"
    );

    // What earlier dead runs left: an export's partial from before locks
    // (nothing holds it), a restore's partial with SQLite's files beside it,
    // and SQLite's file beside a partial file already gone.
    let old = [
        ".export.json.a1B2c3.partial",
        ".restored.sqlite.Zz9Yy8.partial",
        ".restored.sqlite.Zz9Yy8.partial-wal",
        ".restored.sqlite.Zz9Yy8.partial-shm",
        ".restored.sqlite.Qq1Ww2.partial-wal",
    ];
    for name in old {
        std::fs::write(backups.join(name), "dead").unwrap();
    }
    // A live writer's partial file: locked while its writer runs.
    let live_name = ".live.json.L1v3Xx.partial";
    let live = std::fs::File::create(backups.join(live_name)).unwrap();
    rustix::fs::flock(&live, rustix::fs::FlockOperation::LockExclusive).unwrap();
    // Files that only look alike.
    let alike = [".notes.partial", "report.partial", ".a.b.toolong1.partial"];
    for name in alike {
        std::fs::write(backups.join(name), "mine").unwrap();
    }

    let again = backups.join("backup.sqlite");
    let o = ipstrack(&["backup", "--out", again.to_str().unwrap(), "--db", &db]);
    ok(&o);
    let err = stderr(&o);
    for name in killed.iter().map(String::as_str).chain(old) {
        assert!(
            err.contains(&format!("removed {}", backups.join(name).display())),
            "{name}: {err}"
        );
    }
    let mut expected: Vec<String> = ["backup.sqlite", live_name]
        .into_iter()
        .chain(alike)
        .map(String::from)
        .collect();
    expected.sort();
    assert_eq!(names(&backups), expected);

    // Its writer gone, the live one's file goes with the next write there
    // (an export this time).
    drop(live);
    let export = backups.join("export.json");
    ok(&ipstrack(&[
        "export",
        "--out",
        export.to_str().unwrap(),
        "--db",
        &db,
    ]));
    let mut alike: Vec<String> = alike.map(String::from).to_vec();
    alike.sort();
    assert_eq!(partials(&backups), alike);
    // The backup the killed run could not finish restores.
    let restored = path(&dir, "restored.sqlite");
    ok(&ipstrack(&[
        "restore",
        "--from",
        again.to_str().unwrap(),
        "--db",
        &restored,
    ]));
    assert_eq!(
        ok(&ipstrack(&["doctor", "--db", &restored])).trim_end(),
        format!("{restored}: ok")
    );
}
