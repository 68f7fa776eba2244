//! The worked examples of `shared/examples` (copied into `tests/fixtures/examples`):
//! each bundle's report must equal the expected report as a JSON value
//! (`warnings` is not compared).

use std::path::{Path, PathBuf};

use ipstrack_core::{Day, Period, read_bundle, report};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/examples")
}

/// `NAME.PERIOD[.asof-DATE].expected.json` → (bundle, period, as-of).
fn parse_name(file: &str) -> (String, Period, Option<Day>) {
    let stem = file.strip_suffix(".expected.json").expect("expected file");
    let mut parts = stem.split('.');
    let name = parts.next().unwrap().to_string();
    let period_text = parts.next().unwrap();
    // `2024-25` in a file name is the period `2024/25`.
    let period = Period::parse(&period_text.replacen('-', "/", 1))
        .or_else(|_| Period::parse(period_text))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let as_of = parts
        .next()
        .map(|a| Day::parse(a.strip_prefix("asof-").unwrap()).unwrap());
    (name, period, as_of)
}

fn compare(file: &str) -> Vec<String> {
    let (name, period, as_of) = parse_name(file);
    let bundle = std::fs::read_to_string(fixtures().join(format!("{name}.bundle.json"))).unwrap();
    let loaded = read_bundle(&bundle).unwrap_or_else(|e| panic!("{name}: {e}"));
    let as_of = as_of.unwrap_or(period.end);
    let report = report(&loaded.dataset, &loaded.warnings, &period, as_of).unwrap();
    let mut actual = serde_json::to_value(&report).unwrap();
    actual.as_object_mut().unwrap().remove("warnings");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join(file)).unwrap()).unwrap();
    let mut diffs = Vec::new();
    diff("", &expected, &actual, &mut diffs);
    diffs.into_iter().map(|d| format!("{file}: {d}")).collect()
}

fn diff(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let key = e
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or(k.clone(), |_| k.clone());
                match a.get(k) {
                    Some(av) => diff(&format!("{path}.{key}"), ev, av, out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{k}: unexpected"));
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                let label = ev
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or(i.to_string(), str::to_string);
                diff(&format!("{path}[{label}]"), ev, av, out);
            }
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => {}
        _ if expected == actual => {}
        _ => out.push(format!("{path}: expected {expected}, got {actual}")),
    }
}

#[test]
fn every_example_report_matches() {
    let mut files: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".expected.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "the fixtures are missing");
    let diffs: Vec<String> = files.iter().flat_map(|f| compare(f)).collect();
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// *(rev. 3)* The worked examples of revision 3 are among the fixtures, for
/// the whole year and the third quarter, and each matches on its own.
#[test]
fn revision_3_examples_match() {
    let wanted = [
        "revision3.2024-25.expected.json",
        "revision3.2024-25-Q3.asof-2025-03-31.expected.json",
        "revision3-not-counted.2024-25.expected.json",
        "revision3-not-counted.2024-25-Q3.asof-2025-03-31.expected.json",
    ];
    for file in wanted {
        assert!(fixtures().join(file).exists(), "{file} is missing");
        let diffs = compare(file);
        assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    }
    // The two bundles differ in the policy only, and so do their figures:
    // sustainment after discharge is counted in one and not the other.
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(fixtures().join(f)).unwrap()).unwrap()
    };
    let (evidenced, not_counted) = (
        read("revision3.2024-25.expected.json"),
        read("revision3-not-counted.2024-25.expected.json"),
    );
    assert_ne!(
        evidenced["service"]["sustained"], not_counted["service"]["sustained"],
        "the examples show the policy"
    );
}
