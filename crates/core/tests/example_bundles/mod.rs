//! The worked examples' bundles (copied into `tests/fixtures/examples`),
//! read, for tests that compare ways of making the same figures.

use std::path::{Path, PathBuf};

use ipstrack_core::{Dataset, read_bundle};

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
