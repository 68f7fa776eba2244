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
    #[command(flatten)]
    db: Database,
}

impl Backup {
    pub async fn run(self) -> Result<ExitCode> {
        backup(&self.out, &self.db).await?;
        Ok(ExitCode::SUCCESS)
    }
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
