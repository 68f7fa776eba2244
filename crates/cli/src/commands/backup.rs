//! `ipstrack backup`: SQLite as a consistent copy while in use, PostgreSQL
//! as every table (but sessions and the like) in JSON.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ipstrack_store::Backend;

use crate::atomic::{self, Existing};
use crate::database::{Database, open, redact};
use crate::progress::Progress;

#[derive(Args)]
pub struct Backup {
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// After the backup, keep only the N newest backups of its series in
    /// its folder: the files named as FILE with other digits (a date and
    /// time, year first: `ipstrack-2026-12-07T021500Z.sqlite`), newest by
    /// name. Other files are left alone.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    keep: Option<u32>,
    #[command(flatten)]
    db: Database,
}

impl Backup {
    pub async fn run(self) -> Result<ExitCode> {
        backup(&self.out, &self.db).await?;
        if let Some(keep) = self.keep {
            for old in remove_older(&self.out, keep as usize)? {
                eprintln!("removed the older backup {}", old.display());
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Whether `name` is of the series of `out`: the same name but for digits,
/// each digit of `out` a digit in `name`.
fn same_series(out: &str, name: &str) -> bool {
    out.len() == name.len()
        && out.bytes().zip(name.bytes()).all(|(o, n)| {
            if o.is_ascii_digit() {
                n.is_ascii_digit()
            } else {
                o == n
            }
        })
}

/// Removes the backups of `out`'s series in its folder but the `keep`
/// newest (by name: a stamp written year first sorts by time); the removed
/// files, oldest first. `out` itself, just written, is always kept.
fn remove_older(out: &Path, keep: usize) -> Result<Vec<PathBuf>> {
    let Some(name) = out.file_name().and_then(|n| n.to_str()) else {
        bail!("{} has no file name", out.display());
    };
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut series: Vec<String> = std::fs::read_dir(&folder)
        .with_context(|| format!("cannot read the folder {}", folder.display()))?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let file = entry.file_type().ok()?.is_file();
            let other = entry.file_name().into_string().ok()?;
            (file && other != name && same_series(name, &other)).then_some(other)
        })
        .collect();
    series.sort_unstable();
    let remove = (series.len() + 1).saturating_sub(keep);
    let mut removed = Vec::new();
    for old in series.into_iter().take(remove) {
        let path = folder.join(old);
        std::fs::remove_file(&path)
            .with_context(|| format!("cannot remove the older backup {}", path.display()))?;
        removed.push(path);
    }
    Ok(removed)
}

/// Backs the database `db` up to `path` (refused if it exists).
async fn backup(path: &Path, db: &str) -> Result<()> {
    if path.exists() {
        bail!("{} already exists", path.display());
    }
    let progress = Progress::start("backup");
    progress.step(format!("opening {}", redact(db)));
    let store = open(db).await?;
    match store.backend() {
        Backend::Sqlite => {
            progress.step(format!("copying {} to {}", redact(db), path.display()));
            // VACUUM INTO a temporary file beside the backup, renamed
            // into place when complete.
            let temp = atomic::beside(path)?;
            store
                .backup_sqlite(temp.path())
                .await
                .with_context(|| format!("cannot write {}", path.display()))?;
            atomic::finish(temp, path, Existing::Refuse)?;
        }
        Backend::Postgres => {
            progress.step(format!("reading {} in one snapshot", redact(db)));
            let backup = store.backup().await?;
            let counter = progress.writing(format!(
                "writing {} referrals, {} employer contacts, {} audit entries, {} users to {}",
                backup.bundle.referrals.len(),
                backup.bundle.employer_contacts.len(),
                backup.audit.len(),
                backup.users.len(),
                path.display()
            ));
            atomic::write_json(path, Existing::Refuse, &backup, &counter)?;
        }
    }
    drop(progress);
    eprintln!("backed up {} to {}", redact(db), path.display());
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_the_same_name_with_other_digits() {
        let out = "ipstrack-2026-12-07T021500Z.sqlite";
        assert!(same_series(out, "ipstrack-2025-01-31T235959Z.sqlite"));
        assert!(!same_series(out, "ipstrack-2026-12-07T021500Z.json"));
        assert!(!same_series(out, "ipstrack-2026-12-07T02150Z.sqlite"));
        assert!(!same_series(out, "ipstrack-2026-12-07Tx21500Z.sqlite"));
        assert!(!same_series(out, ".ipstrack-2026-12-07T021500Z.sqlite"));
    }
}
