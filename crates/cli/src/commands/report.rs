//! `ipstrack report`: the IPS Grow KPIs of a period, from a data bundle or a
//! database, as JSON, a terminal table or CSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use ipstrack_core::{Period, report};

use crate::input::{load, parse_day, today};
use crate::{database, render};

#[derive(Args)]
pub struct Report {
    /// The data bundle (ipstrack-bundle/1 JSON).
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "db",
        required_unless_present = "db"
    )]
    data: Option<PathBuf>,
    /// Report from a database instead (a SQLite file or postgres:// URL).
    #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL")]
    db: Option<String>,
    /// 2024/25, 2024/25-Q3 or 2024-04-01..2024-06-30.
    #[arg(long, value_name = "P")]
    period: String,
    /// Figures as known on this day (default: the period's end or today, whichever is earlier).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Print the time spent reading, validating and reporting on stderr.
    #[arg(long)]
    timings: bool,
}

/// How the report is written on stdout.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
    Csv,
}

/// Where case data comes from.
enum Source {
    Bundle(PathBuf),
    Database(String),
}

impl Report {
    pub fn run(self) -> Result<ExitCode> {
        let source = match (self.data, self.db) {
            (Some(path), _) => Source::Bundle(path),
            (None, Some(url)) => Source::Database(url),
            (None, None) => unreachable!("clap requires --data or --db"),
        };
        let period = Period::parse(&self.period)?;
        let as_of = match &self.as_of {
            Some(text) => parse_day(text, "--as-of")?,
            None => period.default_as_of(today()),
        };
        if as_of < period.start {
            bail!(
                "as-of date {as_of} is before the period's start {} ({})",
                period.start,
                period.label
            );
        }
        let loaded = match &source {
            Source::Bundle(path) => load(path)?,
            Source::Database(url) => database::load(url)?,
        };
        let started = Instant::now();
        let report = report(
            &loaded.value.dataset,
            &loaded.value.warnings,
            &period,
            as_of,
        )?;
        let report_ms = started.elapsed().as_secs_f64() * 1e3;
        let text = match self.format {
            Format::Json => serde_json::to_string_pretty(&report)? + "\n",
            Format::Table => render::table(&report, &loaded.value.dataset),
            Format::Csv => render::csv(&report)?,
        };
        std::io::stdout().lock().write_all(text.as_bytes())?;
        if self.timings {
            eprintln!(
                "timings: parse {:.1} ms, validate {:.1} ms, report {:.1} ms",
                loaded.parse_ms, loaded.validate_ms, report_ms
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}
