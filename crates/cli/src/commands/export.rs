//! `ipstrack export`: the database as a bundle, a spreadsheet in the
//! import's layout, a period's IPS Grow return, or its MHSDS-aligned extract.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ipstrack_core::{Day, Loaded, Period, report};

use crate::atomic::{self, Existing};
use crate::database::{Database, loaded, open, redact};
use crate::input::{parse_day, today};
use crate::progress::Progress;
use crate::spreadsheet;

#[derive(Args)]
pub struct Export {
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Write the case data as an xlsx workbook in the spreadsheet import's layout.
    #[arg(long, conflicts_with = "grow_return")]
    spreadsheet: bool,
    /// The column mapping for --spreadsheet (default: IPS Grow data tool headings).
    #[arg(long, value_name = "FILE", requires = "spreadsheet")]
    mapping: Option<PathBuf>,
    /// Write the IPS Grow quarterly return instead of the bundle.
    #[arg(long, requires = "period")]
    grow_return: bool,
    /// Write the MHSDS-aligned extract (CSV tables and ipstrack's MHS116
    /// count) into the directory --out instead of the bundle.
    #[arg(long, requires = "period", conflicts_with = "grow_return")]
    mhsds: bool,
    /// The return's period (2024/25-Q3, 2024/25 or a date range).
    #[arg(long, value_name = "P")]
    period: Option<String>,
    /// Figures as known on this day (default: the period's end or today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    #[command(flatten)]
    db: Database,
}

impl Export {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
        if self.mhsds {
            self.mhsds_extract(out).await?;
        } else if self.grow_return {
            self.grow_return().await?;
        } else if self.spreadsheet {
            self.spreadsheet().await?;
        } else {
            self.bundle().await?;
        }
        Ok(ExitCode::SUCCESS)
    }

    /// The MHSDS-aligned extract, as CSV files in the directory `--out`.
    async fn mhsds_extract(&self, out: &mut impl Write) -> Result<()> {
        let dir = &self.out;
        let progress = Progress::start("export");
        let (period, as_of, loaded) = self.period_data(&progress).await?;
        progress.step(format!(
            "making the MHSDS-aligned extract for {}",
            period.label
        ));
        let extract = ipstrack_interop::mhsds_extract(&loaded.dataset, &period, as_of)?;
        progress.step(format!(
            "writing {} files to {}",
            extract.tables.len(),
            dir.display()
        ));
        write_extract(dir, &extract)?;
        drop(progress);
        let m = &extract.mhs116;
        writeln!(
            out,
            "MHS116 (first direct contact from {} to {}, as of {as_of}): {} referrals, {} people",
            m.window.start, m.window.end, m.referrals, m.people
        )?;
        for t in &extract.tables {
            let n = t.rows.len();
            writeln!(
                out,
                "{}: {n} row{}",
                t.file_name(),
                if n == 1 { "" } else { "s" }
            )?;
        }
        // Clients by id only: never the number itself.
        for (client, problem) in &extract.nhs_number_problems {
            eprintln!("client {client}: {}", problem.message());
        }
        wrote_for_period("the MHSDS-aligned extract", &period, as_of, dir);
        Ok(())
    }

    /// The IPS Grow return, as xlsx or CSV by the extension of `--out`.
    async fn grow_return(&self) -> Result<()> {
        let path = &self.out;
        let progress = Progress::start("export");
        let (period, as_of, loaded) = self.period_data(&progress).await?;
        progress.step(format!("making the IPS Grow return for {}", period.label));
        let r = report(&loaded.dataset, &loaded.warnings, &period, as_of)?;
        let rows = ipstrack_interop::grow_return(&r, &loaded.dataset);
        let bytes = match path.extension().and_then(|e| e.to_str()) {
            Some("xlsx") => ipstrack_interop::grow_return_xlsx(&r, &rows)?,
            Some("csv") => ipstrack_interop::grow_return_csv(&r, &rows)?.into_bytes(),
            _ => bail!("--out must end in .xlsx or .csv for the IPS Grow return"),
        };
        progress.step(format!("writing {}", path.display()));
        atomic::write_bytes(path, Existing::Replace, &bytes)?;
        drop(progress);
        wrote_for_period("the IPS Grow return", &period, as_of, path);
        Ok(())
    }

    /// The case data as an xlsx workbook in the spreadsheet import's layout.
    async fn spreadsheet(&self) -> Result<()> {
        let path = &self.out;
        let db = &self.db;
        let mapping = spreadsheet::mapping(self.mapping.as_ref())?;
        let progress = Progress::start("export");
        progress.step(format!("reading {}", redact(db)));
        let store = open(db).await?;
        let doc = store.export().await?;
        store.close().await;
        progress.step(format!(
            "making the workbook of {} referrals",
            doc.referrals.len()
        ));
        let bytes = ipstrack_interop::spreadsheet::caseload_xlsx(&doc, &mapping)?;
        progress.step(format!("writing {}", path.display()));
        atomic::write_bytes(path, Existing::Replace, &bytes)?;
        drop(progress);
        eprintln!(
            "wrote {} referrals in the spreadsheet layout to {}",
            doc.referrals.len(),
            path.display()
        );
        Ok(())
    }

    /// The database as a data bundle.
    async fn bundle(&self) -> Result<()> {
        let path = &self.out;
        let db = &self.db;
        let progress = Progress::start("export");
        progress.step(format!("reading {}", redact(db)));
        let store = open(db).await?;
        let doc = store.export().await?;
        let counter = progress.writing(format!(
            "writing {} referrals to {}",
            doc.referrals.len(),
            path.display()
        ));
        atomic::write_json(path, Existing::Replace, &doc, &counter)?;
        drop(progress);
        eprintln!(
            "exported {} referrals to {}",
            doc.referrals.len(),
            path.display()
        );
        store.close().await;
        Ok(())
    }

    /// The period (`--period`, required by the export), its as-of day
    /// (`--as-of`, default the period's end or today) and the data of the
    /// database.
    async fn period_data(&self, progress: &Progress) -> Result<(Period, Day, Loaded)> {
        progress.step(format!("reading {}", redact(&self.db)));
        let period = Period::parse(self.period.as_deref().unwrap_or_default())?;
        let as_of = match &self.as_of {
            Some(text) => parse_day(text, "--as-of")?,
            None => period.default_as_of(today()),
        };
        let store = open(&self.db).await?;
        let loaded = loaded(&store).await?;
        store.close().await;
        Ok((period, as_of, loaded))
    }
}

/// Writes the extract's CSV files into `dir` (created if missing). A file
/// already there is replaced only when it is an earlier ipstrack extract of
/// the same table (its first line is that table's header); any other file of
/// the same name refuses the whole export before anything is written. Each
/// file is written beside its final name and renamed into place.
/// The closing line of a period's export: what was written, for which
/// period, as of when, and where.
fn wrote_for_period(what: &str, period: &Period, as_of: Day, to: &Path) {
    eprintln!(
        "wrote {what} for {} (as of {as_of}) to {}",
        period.label,
        to.display()
    );
}

fn write_extract(dir: &Path, extract: &ipstrack_interop::mhsds::Extract) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut files = Vec::new();
    let mut foreign = Vec::new();
    for t in &extract.tables {
        let path = dir.join(t.file_name());
        let text = t.to_csv()?;
        if path.exists() {
            let header = text.lines().next().unwrap_or_default();
            let existing =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let first = existing.split(|b| *b == b'\n').next().unwrap_or_default();
            if first != header.as_bytes() {
                foreign.push(path.display().to_string());
            }
        }
        files.push((path, text));
    }
    if !foreign.is_empty() {
        bail!(
            "not overwriting files that are not an ipstrack MHSDS extract: {}",
            foreign.join(", ")
        );
    }
    for (path, text) in files {
        atomic::write_bytes(&path, Existing::Replace, text.as_bytes())?;
    }
    Ok(())
}
