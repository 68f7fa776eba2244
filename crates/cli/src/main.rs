//! `ipstrack`: the command-line program.
//!
//! Reads files and the clock, calls the rules engine in `ipstrack-core`, and
//! renders its one report value as JSON, a terminal table or CSV. On bad input
//! or arguments it prints nothing on stdout, a clear message on stderr, and
//! exits non-zero.

mod atomic;
mod database;
mod logging;
mod progress;
mod render;
mod serve;
mod spreadsheet;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use ipstrack_core::bundle::{BundleErrors, parse_document, validate};
use ipstrack_core::{Day, Loaded, Period, report};

#[derive(Parser)]
#[command(
    name = "ipstrack",
    version,
    about = "Caseload and performance tracker for IPS services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report the IPS Grow KPIs of a period from a data bundle.
    Report {
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
    },
    /// Validate a data bundle: list every error (BAD-1) and warning (BAD-2).
    Check {
        #[arg(long, value_name = "FILE")]
        data: PathBuf,
    },
    /// Write a generated demo service as a data bundle.
    DemoData {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Number of employment specialists.
        #[arg(long, default_value_t = 24)]
        specialists: u32,
        /// Financial years of history.
        #[arg(long, default_value_t = 2)]
        years: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last day of the generated data (default: today).
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// Serve the web application.
    Serve {
        #[arg(
            long,
            value_name = "URL",
            env = "IPSTRACK_DATABASE_URL",
            default_value = "ipstrack.sqlite"
        )]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Use (and create if missing) a SQLite file with a generated demo service and demo logins.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (when served behind TLS).
        #[arg(long)]
        secure_cookies: bool,
        /// Connections one address may hold open at once (of 256). Behind a
        /// reverse proxy every connection comes from the proxy: raise it to
        /// what the proxy may open (nginx `max_conns`).
        #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=256))]
        connections_per_address: u16,
    },
    #[command(flatten)]
    Store(database::StoreCommand),
}

/// Where case data comes from.
pub enum Source {
    Bundle(PathBuf),
    Database(String),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
    Csv,
}

fn main() -> ExitCode {
    // Everything ipstrack creates — the database with its WAL and SHM files,
    // backups, exports, extracts and their folders — is its owner's only,
    // whatever umask it was started with: they hold personal data and
    // password hashes.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report {
            data,
            db,
            period,
            as_of,
            format,
            timings,
        } => {
            let source = match (data, db) {
                (Some(path), _) => Source::Bundle(path),
                (None, Some(url)) => Source::Database(url),
                (None, None) => unreachable!("clap requires --data or --db"),
            };
            run_report(&source, &period, as_of.as_deref(), format, timings)
        }
        Command::Store(command) => database::run(command),
        Command::Serve {
            db,
            listen,
            demo,
            secure_cookies,
            connections_per_address,
        } => {
            let db = if demo && db == "ipstrack.sqlite" {
                "ipstrack-demo.sqlite".to_string()
            } else {
                db
            };
            serve::run(
                &db,
                &listen,
                demo,
                secure_cookies,
                usize::from(connections_per_address),
            )
        }
        Command::Check { data } => run_check(&data),
        Command::DemoData {
            out,
            specialists,
            years,
            seed,
            until,
        } => run_demo(&out, specialists, years, seed, until.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

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

fn load(path: &Path) -> Result<Timed<Loaded>> {
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

fn run_report(
    source: &Source,
    period: &str,
    as_of: Option<&str>,
    format: Format,
    timings: bool,
) -> Result<ExitCode> {
    let period = Period::parse(period)?;
    let as_of = match as_of {
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
    let loaded = match source {
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
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Table => render::table(&report, &loaded.value.dataset),
        Format::Csv => render::csv(&report)?,
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    if timings {
        eprintln!(
            "timings: parse {:.1} ms, validate {:.1} ms, report {:.1} ms",
            loaded.parse_ms, loaded.validate_ms, report_ms
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_check(data: &Path) -> Result<ExitCode> {
    let text = read_text(data)?;
    let checked = parse_document(&text).and_then(|doc| validate(&doc));
    let mut out = std::io::stdout().lock();
    match checked {
        Ok(loaded) => {
            let d = &loaded.dataset;
            for w in &loaded.warnings {
                writeln!(
                    out,
                    "{}: warning ({}): {}: {}",
                    data.display(),
                    w.rule,
                    w.record,
                    w.message
                )?;
            }
            writeln!(
                out,
                "{}: valid: {} teams, {} staff, {} clients, {} referrals; 0 errors, {} warnings",
                data.display(),
                d.teams.len(),
                d.staff.len(),
                d.clients.len(),
                d.referrals.len(),
                loaded.warnings.len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in &errors.0 {
                writeln!(out, "{}: error (BAD-1): {e}", data.display())?;
            }
            writeln!(
                out,
                "{}: refused: {} errors",
                data.display(),
                errors.0.len()
            )?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn run_demo(
    out: &Path,
    specialists: u32,
    years: u32,
    seed: u64,
    until: Option<&str>,
) -> Result<ExitCode> {
    if specialists == 0 || years == 0 {
        bail!("--specialists and --years must be at least 1");
    }
    let until = match until {
        Some(text) => parse_day(text, "--until")?,
        None => today(),
    };
    let progress = progress::Progress::start("demo-data");
    progress.step(format!(
        "generating {specialists} specialists, {years} years to {until}"
    ));
    let doc = ipstrack_demo::generate(&ipstrack_demo::DemoOptions {
        specialists,
        years,
        seed,
        until,
    });
    let counter = progress.writing(format!(
        "writing {} referrals to {}",
        doc.referrals.len(),
        out.display()
    ));
    atomic::write_json(out, atomic::Existing::Replace, &doc, &counter)?;
    drop(progress);
    eprintln!(
        "wrote {}: {} specialists, {} referrals, {} years to {until} (seed {seed})",
        out.display(),
        specialists,
        doc.referrals.len(),
        years
    );
    Ok(ExitCode::SUCCESS)
}
