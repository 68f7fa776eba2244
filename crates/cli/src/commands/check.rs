//! `ipstrack check`: every error (BAD-1) and warning (BAD-2) of a data
//! bundle, on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use ipstrack_core::bundle::{parse_document, validate};

use crate::input::read_text;

#[derive(Args)]
pub struct Check {
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
}

impl Check {
    pub fn run(self) -> Result<ExitCode> {
        let data = &self.data;
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
}
