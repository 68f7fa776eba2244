//! `ipstrack import`: a data bundle, or spreadsheets (previewed first, see
//! `crate::spreadsheet`), into the database, all or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use ipstrack_core::bundle::parse_document;
use ipstrack_store::StoreError;

use crate::database::{Database, actor, open, redact, stale_error};
use crate::input::bundle_error;
use crate::progress::Progress;
use crate::spreadsheet;

#[derive(Args)]
pub struct Import {
    /// A data bundle (ipstrack-bundle/1 JSON).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["xlsx", "csv"], required_unless_present_any = ["xlsx", "csv", "print_mapping"])]
    data: Option<PathBuf>,
    /// A workbook (xlsx or ods; not xls): one sheet per table (caseload, contacts, …).
    #[arg(long, value_name = "FILE", conflicts_with = "csv")]
    xlsx: Option<PathBuf>,
    /// A CSV file holding one table; give --csv once per file.
    #[arg(long, value_name = "FILE")]
    csv: Vec<PathBuf>,
    /// The column mapping (TOML); default: IPS Grow data tool headings (see --print-mapping).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Show the preview (what would change, every stored referral replaced and what
    /// it would lose) and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the rows without problems, leaving out the rows the preview lists.
    #[arg(long)]
    skip_problem_rows: bool,
    /// Print the default column mapping (to copy and edit) and stop.
    #[arg(long, conflicts_with_all = ["data", "xlsx", "csv"])]
    print_mapping: bool,
    #[command(flatten)]
    db: Database,
}

impl Import {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
        if self.print_mapping {
            write!(out, "{}", ipstrack_interop::spreadsheet::DEFAULT_MAPPING)?;
            return Ok(ExitCode::SUCCESS);
        }
        match self.data {
            None => {
                let files = spreadsheet::Files {
                    xlsx: self.xlsx,
                    csv: self.csv,
                    mapping: self.mapping,
                };
                let store = open(&self.db).await?;
                let done = spreadsheet::import(
                    &store,
                    &files,
                    spreadsheet::Write {
                        dry_run: self.dry_run,
                        skip_problem_rows: self.skip_problem_rows,
                    },
                    &actor(),
                    out,
                )
                .await;
                store.close().await;
                done
            }
            Some(data) => import_bundle(&data, self.dry_run, &self.db, out).await,
        }
    }
}

/// Imports the data bundle `data` into `db` in one transaction (or tries it
/// and undoes it, for a dry run) and says what changed.
async fn import_bundle(
    data: &Path,
    dry_run: bool,
    db: &str,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let progress = Progress::start("import");
    let text = String::from_utf8(progress.read_file(data)?)
        .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", data.display()))?;
    progress.step(format!("checking {}", data.display()));
    let doc = parse_document(&text).map_err(|e| bundle_error(data, &e))?;
    drop(text);
    progress.step(format!("opening {}", redact(db)));
    let store = open(db).await?;
    let started = Instant::now();
    progress.step(format!(
        "{} {} referrals, {} clients, {} staff in one transaction",
        if dry_run {
            "trying (then undoing)"
        } else {
            "writing"
        },
        doc.referrals.len(),
        doc.clients.len(),
        doc.staff.len()
    ));
    let done = if dry_run {
        store.import_dry_run(&doc, &actor()).await
    } else {
        store.import(&doc, &actor()).await
    };
    let summary = match done {
        Ok(summary) => summary,
        Err(StoreError::Invalid(errors)) => return Err(bundle_error(data, &errors)),
        Err(StoreError::Stale(stale)) => {
            return Err(stale_error(
                &data.display().to_string(),
                &stale,
                "the bundle was taken",
                "Take a new export (ipstrack export) and make the changes on it.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    drop(progress);
    for (kind, c) in [
        ("teams", summary.teams),
        ("staff", summary.staff),
        ("clients", summary.clients),
        ("referrals", summary.referrals),
    ] {
        writeln!(
            out,
            "{kind}: {} created, {} updated, {} unchanged",
            c.created, c.updated, c.unchanged
        )?;
    }
    if summary.service_changed {
        writeln!(out, "service: updated")?;
    }
    let shown = 20;
    for id in summary.updated.iter().take(shown) {
        writeln!(out, "  updated {id}")?;
    }
    if summary.updated.len() > shown {
        writeln!(
            out,
            "  … and {} more updated (see `ipstrack audit`)",
            summary.updated.len() - shown
        )?;
    }
    show_replaced(&summary.replaced, out)?;
    if dry_run {
        writeln!(out, "Dry run: nothing was written.")?;
        store.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "imported {} into {} in {:.1} s",
        data.display(),
        redact(db),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Every stored referral an import replaces that loses something by it,
/// one a line, and how many others it replaces without a loss (issue 20).
fn show_replaced(
    replaced: &[ipstrack_store::Replaced],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let losing: Vec<_> = replaced.iter().filter(|r| !r.removed.is_empty()).collect();
    spreadsheet::list_losing(out, &losing)?;
    match replaced.len() - losing.len() {
        0 => {}
        1 => writeln!(out, "1 referral replaced without removing anything")?,
        n => writeln!(out, "{n} referrals replaced without removing anything")?,
    }
    Ok(())
}
