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
