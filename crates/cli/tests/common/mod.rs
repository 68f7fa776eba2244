//! The CLI tests' shared helpers: the worked examples and running the binary.
#![allow(dead_code)] // each test file uses its own part

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The worked examples copied into the project.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/examples")
}

pub fn example(name: &str) -> String {
    examples().join(name).to_string_lossy().into_owned()
}

/// Runs `ipstrack` as the audited user `cli:tester`, with no database in the
/// environment and nothing on standard input.
pub fn ipstrack(args: &[&str]) -> Output {
    ipstrack_with_input(args, "")
}

pub fn ipstrack_with_input(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipstrack"))
        .args(args)
        .env("IPSTRACK_ACTOR", "tester")
        .env_remove("IPSTRACK_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The standard output of a run that must succeed.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    stdout(o)
}

/// Imports the example bundle `name` into the database `db`.
pub fn import_example(db: &str, name: &str) {
    ok(&ipstrack(&["import", "--data", &example(name), "--db", db]));
}

/// A scratch folder and in it the SQLite database `ips.sqlite` holding the
/// example bundle `name`: (folder, database).
pub fn folder_with_example(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "ips.sqlite");
    import_example(&db, name);
    (dir, db)
}

/// Submits the return of `period` from the database `db` (`ipstrack submit`).
pub fn submit(db: &str, period: &str) -> String {
    ok(&ipstrack(&["submit", "--period", period, "--db", db]))
}

/// Writes a generated service of `specialists` specialists over `years`
/// years up to 2025-03-31 to the bundle file `out` (`ipstrack demo-data`).
pub fn demo_data(out: &str, specialists: u32, years: u32) {
    ok(&ipstrack(&[
        "demo-data",
        "--out",
        out,
        "--specialists",
        &specialists.to_string(),
        "--years",
        &years.to_string(),
        "--until",
        "2025-03-31",
    ]));
}

pub fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).to_string_lossy().into_owned()
}

/// The names in a folder, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A fresh PostgreSQL database for this test (`name` tells it from the
/// test's others), or none without a server.
pub fn postgres_database(name: &str) -> Option<(String, String)> {
    let admin = std::env::var("IPSTRACK_TEST_POSTGRES_URL").ok()?;
    let db = format!("ipstrack_cli_{}_{name}", std::process::id());
    let psql = |sql: &str| {
        let o = Command::new("psql")
            .args([admin.as_str(), "-Atqc", sql])
            .output()
            .expect("psql runs");
        assert!(
            o.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {db}"));
    psql(&format!("CREATE DATABASE {db}"));
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin.clone());
    Some((format!("{base}/{db}"), admin))
}

/// Two fresh PostgreSQL databases, the live one and a restore's target,
/// dropped when the test ends (passed or failed).
pub struct LiveAndTarget {
    pub live: String,
    pub target: String,
    admin: String,
}

impl Drop for LiveAndTarget {
    fn drop(&mut self) {
        drop_database(&self.live, &self.admin);
        drop_database(&self.target, &self.admin);
    }
}

/// A live database and a restore's target (named `live` and `target` among
/// the test's others), or none without a server (said on stderr: `what` is
/// not tried).
pub fn postgres_live_and_target(live: &str, target: &str, what: &str) -> Option<LiveAndTarget> {
    let Some((live, admin)) = postgres_database(live) else {
        eprintln!("IPSTRACK_TEST_POSTGRES_URL is not set: PostgreSQL {what} not tried");
        return None;
    };
    let (target, _) = postgres_database(target).unwrap();
    Some(LiveAndTarget {
        live,
        target,
        admin,
    })
}

pub fn drop_database(url: &str, admin: &str) {
    let db = url.rsplit('/').next().unwrap();
    Command::new("psql")
        .args([
            admin,
            "-Atqc",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        ])
        .output()
        .unwrap();
}

/// Fails, showing `text`, unless it contains every one of `parts`.
#[track_caller]
pub fn says(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} not in: {text}");
    }
}

/// [`postgres_live_and_target`] (the live one named `live`) with the
/// `random-101` example imported into the live database: (the databases,
/// dropped with it, and the live and target URLs).
pub fn postgres_live_with_random_101(
    target: &str,
    what: &str,
) -> Option<(LiveAndTarget, String, String)> {
    let databases = postgres_live_and_target("live", target, what)?;
    let (live, target) = (databases.live.clone(), databases.target.clone());
    import_example(&live, "random-101.bundle.json");
    Some((databases, live, target))
}

/// The report for 2024/25 from `source`, given as `flag` (`--data` or
/// `--db`), which must succeed.
pub fn year_report(flag: &str, source: &str) -> String {
    ok(&ipstrack(&["report", flag, source, "--period", "2024/25"]))
}

/// Whether `ipstrack` with `args` fails.
pub fn fails(args: &[&str]) -> bool {
    !ipstrack(args).status.success()
}

/// The arguments that export the MHSDS extract of 2024/25 Q3 (as of its
/// last day) from `db` into the folder `out`.
pub fn mhsds_q3_extract<'a>(out: &'a str, db: &'a str) -> [&'a str; 10] {
    [
        "export",
        "--mhsds",
        "--period",
        "2024/25-Q3",
        "--as-of",
        "2024-12-31",
        "--out",
        out,
        "--db",
        db,
    ]
}
