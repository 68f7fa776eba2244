//! The `ipstrack` binary end to end: report formats, check, demo-data, and
//! refusal of bad input (nothing on stdout, a message on stderr, non-zero exit).

mod common;

use std::process::Output;

use common::*;
use serde_json::Value;

/// A fresh directory, removed when the guard is dropped.
fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Asserts a refusal: non-zero exit, nothing on stdout, the message on stderr.
fn assert_refused(o: &Output, message: &str) {
    assert!(!o.status.success(), "expected failure, got success");
    assert!(
        o.stdout.is_empty(),
        "stdout should be empty, got {}",
        stdout(o)
    );
    assert!(
        stderr(o).contains(message),
        "stderr should contain {message:?}, got:\n{}",
        stderr(o)
    );
}

#[test]
fn report_json_matches_the_worked_example() {
    let o = caseload_report(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut actual: Value = serde_json::from_str(&stdout(&o)).unwrap();
    actual.as_object_mut().unwrap().remove("warnings");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(
            examples().join("caseload.2024-25-Q3.asof-2024-10-31.expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(actual, expected);
}

#[test]
fn report_output_is_byte_identical_across_runs() {
    let args = [
        "report",
        "--data",
        &example("random-101.bundle.json"),
        "--period",
        "2024/25",
    ];
    let first = ipstrack(&args);
    let second = ipstrack(&args);
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
    assert!(!first.stdout.is_empty());
}

#[test]
fn report_default_as_of_is_the_period_end_when_it_has_passed() {
    let o = ipstrack(&[
        "report",
        "--data",
        &example("sustainment.bundle.json"),
        "--period",
        "2024/25",
    ]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["as_of"], "2025-03-31");
    assert_eq!(v["period"]["label"], "2024/25");
}

#[test]
fn report_csv_has_one_row_per_es_team_and_service() {
    let o = ipstrack(&[
        "report",
        "--data",
        &example("random-101.bundle.json"),
        "--period",
        "2024/25",
        "--format",
        "csv",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: Value = serde_json::from_str(&stdout(&ipstrack(&[
        "report",
        "--data",
        &example("random-101.bundle.json"),
        "--period",
        "2024/25",
    ])))
    .unwrap();
    let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let teams = json["teams"].as_array().unwrap().len();
    let specialists = json["specialists"].as_array().unwrap().len();
    assert_eq!(rows.len(), 1 + teams + specialists);
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let service = &rows[0];
    assert_eq!(&service[column("level")], "service");
    assert_eq!(
        service[column("referrals.unemployed")]
            .parse::<u64>()
            .unwrap(),
        json["service"]["referrals"]["unemployed"].as_u64().unwrap()
    );
    assert_eq!(
        service[column("caseload.active")].parse::<u64>().unwrap(),
        json["service"]["caseload"]["active"].as_u64().unwrap()
    );
    let first_es = &rows[1 + teams];
    assert_eq!(&first_es[column("level")], "es");
    assert_eq!(
        &first_es[column("id")],
        json["specialists"][0]["id"].as_str().unwrap()
    );
    assert_eq!(
        first_es[column("targets.access")].parse::<f64>().unwrap(),
        json["specialists"][0]["targets"]["access"]
            .as_f64()
            .unwrap()
    );
    assert_eq!(
        &service[column("targets.access")],
        "",
        "the service has no targets"
    );
}

#[test]
fn report_table_shows_service_teams_and_plans() {
    let o = caseload_report(&["--format", "table"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Example IPS — 2024/25-Q3 (2024-10-01 to 2024-12-31), as of 2024-10-31"),
        "{text}"
    );
    assert!(text.contains("North"));
    assert!(text.contains("6 / 12"), "es1 active / open: {text}");
    assert!(
        text.contains("3.4 / 10.1"),
        "es1 access target to date / period: {text}"
    );
    assert!(text.contains("Performance plans"));
}

#[test]
fn report_refuses_a_bad_period() {
    let o = ipstrack(&[
        "report",
        "--data",
        &example("caseload.bundle.json"),
        "--period",
        "2024/26",
    ]);
    assert_refused(&o, "period `2024/26` is not valid");
}

#[test]
fn report_refuses_as_of_before_the_period() {
    let o = ipstrack(&[
        "report",
        "--data",
        &example("caseload.bundle.json"),
        "--period",
        "2024/25-Q3",
        "--as-of",
        "2024-09-30",
    ]);
    assert_refused(
        &o,
        "as-of date 2024-09-30 is before the period's start 2024-10-01",
    );
}

#[test]
fn report_refuses_a_missing_file() {
    let o = ipstrack(&[
        "report",
        "--data",
        "/nonexistent/bundle.json",
        "--period",
        "2024/25",
    ]);
    assert_refused(&o, "cannot read /nonexistent/bundle.json");
}

#[test]
fn report_names_file_record_and_field_of_bad_input() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(examples().join("sustainment.bundle.json")).unwrap();
    let bad = text.replacen(
        "\"access\": \"2024-04-05\"",
        "\"access\": \"2024-03-30\"",
        1,
    );
    assert_ne!(bad, text);
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bad).unwrap();
    let path = path.to_string_lossy().into_owned();
    let o = ipstrack(&["report", "--data", &path, "--period", "2024/25"]);
    assert_refused(
        &o,
        &format!("{path}: referral rA: access 2024-03-30 is before received 2024-04-01"),
    );
}

#[test]
fn report_refuses_truncated_and_non_json_files_cleanly() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(examples().join("sustainment.bundle.json")).unwrap();
    for (name, content) in [
        ("truncated.json", &text[..text.len() / 2]),
        ("plain.txt", "hello, not json"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let o = ipstrack(&[
            "report",
            "--data",
            &path.to_string_lossy(),
            "--period",
            "2024/25",
        ]);
        assert_refused(&o, "not a valid JSON document");
        assert!(!stderr(&o).contains("panicked"));
    }
}

#[test]
fn check_lists_every_error() {
    let dir = temp_dir();
    let text = std::fs::read_to_string(examples().join("sustainment.bundle.json")).unwrap();
    let bad = text
        .replacen(
            "\"access\": \"2024-04-05\"",
            "\"access\": \"2024-03-30\"",
            1,
        )
        .replacen("\"hours_per_week\": 16", "\"hours_per_week\": 170", 1)
        .replacen("\"client\": \"c2\"", "\"client\": \"nobody\"", 1);
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bad).unwrap();
    let o = ipstrack(&["check", "--data", &path.to_string_lossy()]);
    assert!(!o.status.success());
    let out = stdout(&o);
    says(
        &out,
        &[
            "referral rA: access 2024-03-30 is before received 2024-04-01",
            "referral rA job rA-1: hours_per_week 170 is outside 0 to 168 hours a week",
            "referral rB: client nobody is not a client of this bundle",
            "refused: 3 errors",
        ],
    );
}

#[test]
fn check_lists_warnings_of_a_valid_bundle() {
    let o = ipstrack(&["check", "--data", &example("sustainment.bundle.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    says(
        &out,
        &[
            "warning (BAD-2): rC/rC-2: self-employment without a registration",
            "valid: 1 teams, 1 staff, 4 clients, 4 referrals",
        ],
    );
}

#[test]
fn demo_data_is_deterministic_and_valid() {
    let dir = temp_dir();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for path in [&a, &b] {
        let o = ipstrack(&[
            "demo-data",
            "--out",
            &path.to_string_lossy(),
            "--specialists",
            "6",
            "--years",
            "2",
            "--seed",
            "7",
            "--until",
            "2025-03-31",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let o = ipstrack(&["check", "--data", &a.to_string_lossy()]);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = ipstrack(&[
        "report",
        "--data",
        &a.to_string_lossy(),
        "--period",
        "2024/25",
        "--format",
        "table",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `ipstrack report` of the caseload example for 2024/25-Q3 as of 31 October
/// 2024, with `more` arguments.
fn caseload_report(more: &[&str]) -> std::process::Output {
    let bundle = example("caseload.bundle.json");
    let mut args = vec![
        "report",
        "--data",
        &bundle,
        "--period",
        "2024/25-Q3",
        "--as-of",
        "2024-10-31",
    ];
    args.extend_from_slice(more);
    ipstrack(&args)
}
