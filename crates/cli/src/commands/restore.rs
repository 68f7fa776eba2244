//! `ipstrack restore`: a backup into a new, empty database (a SQLite backup
//! copied, checked and renamed into place; a JSON backup loaded in one
//! transaction).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::atomic::{self, Existing};
use crate::database::{Database, open, redact};
use crate::progress::Progress;

#[derive(Args)]
pub struct Restore {
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    #[command(flatten)]
    db: Database,
}

impl Restore {
    pub async fn run(self) -> Result<ExitCode> {
        restore(&self.from, &self.db).await?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Restores a backup into a new database: a SQLite backup file is copied
/// into a temporary file beside the target, checked, and renamed into place
/// (the target must not exist); a JSON backup is loaded into an empty
/// database in one transaction.
async fn restore(from: &Path, db: &str) -> Result<()> {
    let progress = Progress::start("restore");
    let bytes = progress.read_file(from)?;
    if bytes.starts_with(b"SQLite format 3\0") {
        let url = ipstrack_store::database_url(db);
        let target = url
            .strip_prefix("sqlite://")
            .map(|p| p.split('?').next().unwrap_or(p).to_string());
        let Some(target) = target else {
            bail!(
                "a SQLite backup restores into a SQLite file, not {}",
                redact(db)
            )
        };
        let target = PathBuf::from(target);
        if target.exists() {
            bail!(
                "{} already exists: restore into a new file",
                target.display()
            );
        }
        progress.step(format!("copying {}", from.display()));
        let temp = atomic::beside(&target)?;
        std::fs::write(temp.path(), &bytes)
            .with_context(|| format!("cannot write {}", target.display()))?;
        drop(bytes);
        progress.step("checking the copy: integrity, references, every record");
        let checked = check_sqlite_backup(temp.path()).await;
        // Never keep the check's journal files beside the temporary file.
        for suffix in ["-wal", "-shm"] {
            let mut side = temp.path().as_os_str().to_owned();
            side.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(side));
        }
        let lost = checked.with_context(|| format!("{} cannot be restored", from.display()))?;
        atomic::finish(temp, &target, Existing::Refuse)?;
        drop(progress);
        eprintln!("restored {} to {}", from.display(), target.display());
        warn_lost(from, &lost);
        return Ok(());
    }
    let backup: ipstrack_store::Backup = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not an ipstrack backup", from.display()))?;
    drop(bytes);
    progress.step(format!("opening {}", redact(db)));
    let store = open(db).await?;
    progress.step(format!(
        "restoring {} referrals, {} employer contacts, {} audit entries, {} users in one transaction",
        backup.bundle.referrals.len(),
        backup.bundle.employer_contacts.len(),
        backup.audit.len(),
        backup.users.len()
    ));
    let restored = store.restore(&backup).await;
    let lost = match restored {
        Ok(()) => store.lost_records().await,
        Err(_) => Ok(Vec::new()),
    };
    store.close().await;
    drop(progress);
    restored.with_context(|| {
        format!(
            "cannot restore {} into {} (nothing was written)",
            from.display(),
            redact(db)
        )
    })?;
    eprintln!("restored {} into {}", from.display(), redact(db));
    warn_lost(from, &lost?);
    Ok(())
}

/// A backup restored whole that already lacked records its audit log has
/// (made from a database an older restore or a lost write left incomplete):
/// restored as it is, and said, as `doctor` will say it.
fn warn_lost(from: &Path, lost: &[String]) {
    for line in lost {
        eprintln!("warning: {}: {line}", from.display());
    }
}

/// Opens a copied SQLite backup and checks it whole: integrity, references,
/// every record valid. A faithful copy of a database that lacks records its
/// audit log has is not refused: those records are given back to be told.
async fn check_sqlite_backup(path: &Path) -> Result<Vec<String>> {
    let text = path
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not a UTF-8 path", path.display()))?;
    let store = open(text).await?;
    let problems = store.integrity_check().await;
    let lost = store.lost_records().await;
    store.close().await;
    let lost = lost?;
    let problems: Vec<String> = problems?
        .into_iter()
        .filter(|p| !lost.contains(p))
        .collect();
    if !problems.is_empty() {
        bail!("it fails its integrity check: {}", problems.join("; "));
    }
    Ok(lost)
}
