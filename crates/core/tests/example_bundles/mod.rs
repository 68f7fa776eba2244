//! The worked examples' bundles (copied into `tests/fixtures/examples`),
//! read, for tests that compare ways of making the same figures.

use std::path::{Path, PathBuf};

use ipstrack_core::{Dataset, Day, Period, read_bundle};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/examples")
}

/// Every example bundle's data, by name, in name order.
pub fn bundles() -> Vec<(String, Dataset)> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|f| f.strip_suffix(".bundle.json").map(str::to_string))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(fixtures().join(format!("{name}.bundle.json")));
            let loaded = read_bundle(&text.unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, loaded.dataset)
        })
        .collect()
}

/// The periods and as-of dates the examples are compared over: the year,
/// each quarter and the last quarter of the year before, each as known on
/// its first day, 45 days in, its last day and 200 days after.
pub fn windows() -> Vec<(Period, Day)> {
    let labels = [
        "2024/25",
        "2024/25-Q1",
        "2024/25-Q2",
        "2024/25-Q3",
        "2024/25-Q4",
        "2023/24-Q4",
    ];
    let mut out = Vec::new();
    for label in labels {
        let period = Period::parse(label).unwrap();
        let days = [
            period.start,
            period.start.plus(45),
            period.end,
            period.end.plus(200),
        ];
        out.extend(days.map(|as_of| (period.clone(), as_of)));
    }
    out
}
