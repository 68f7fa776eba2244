//! `ipstrack doctor`: the database checked: integrity, references, every
//! record valid, nothing the audit log has missing.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::database::{Database, open, redact, runtime};

#[derive(Args)]
pub struct Doctor {
    #[command(flatten)]
    db: Database,
}

impl Doctor {
    pub fn run(self) -> Result<ExitCode> {
        runtime()?.block_on(async {
            let mut out = std::io::stdout().lock();
            let db = &self.db;
            let store = open(db).await?;
            let problems = store.integrity_check().await?;
            store.close().await;
            if problems.is_empty() {
                writeln!(out, "{}: ok", redact(db))?;
                Ok(ExitCode::SUCCESS)
            } else {
                for p in &problems {
                    writeln!(out, "{}: {p}", redact(db))?;
                }
                Ok(ExitCode::FAILURE)
            }
        })
    }
}
