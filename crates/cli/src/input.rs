//! What the commands read: days given on the command line, text files and
//! data bundles (with the time spent reading and validating them).

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use ipstrack_core::bundle::{BundleErrors, parse_document, validate};
use ipstrack_core::{Day, Loaded};

pub fn today() -> Day {
    Day::from_date(jiff::Zoned::now().date())
}

pub fn parse_day(text: &str, what: &str) -> Result<Day> {
    Day::parse(text).with_context(|| format!("{what} `{text}` is not a date (YYYY-MM-DD)"))
}

pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", path.display()))
}

/// Names the file in front of every bundle error, one per line.
pub fn bundle_error(path: &Path, errors: &BundleErrors) -> anyhow::Error {
    let lines: Vec<String> = errors
        .0
        .iter()
        .map(|e| format!("{}: {e}", path.display()))
        .collect();
    let count = errors.0.len();
    anyhow::anyhow!(
        "{}\n{} refused: {count} error{}; nothing was written",
        lines.join("\n"),
        path.display(),
        if count == 1 { "" } else { "s" }
    )
}

pub struct Timed<T> {
    pub value: T,
    pub parse_ms: f64,
    pub validate_ms: f64,
}

/// Reads and validates the data bundle at `path`.
pub fn load(path: &Path) -> Result<Timed<Loaded>> {
    let text = read_text(path)?;
    let started = Instant::now();
    let doc = parse_document(&text).map_err(|e| bundle_error(path, &e))?;
    drop(text);
    let parsed = Instant::now();
    let loaded = validate(&doc).map_err(|e| bundle_error(path, &e))?;
    let validated = Instant::now();
    Ok(Timed {
        value: loaded,
        parse_ms: (parsed - started).as_secs_f64() * 1e3,
        validate_ms: (validated - parsed).as_secs_f64() * 1e3,
    })
}
