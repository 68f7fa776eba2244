//! `ipstrack doctor`: the database checked: integrity, references, every
//! record valid, nothing the audit log has missing.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::database::{Database, open, redact};

#[derive(Args)]
pub struct Doctor {
    #[command(flatten)]
    db: Database,
}

impl Doctor {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
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
    }
}
