//! `ipstrack demo-data`: a generated demo service written as a data bundle.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::Args;

use crate::atomic;
use crate::input::{parse_day, today};
use crate::progress::Progress;

#[derive(Args)]
pub struct DemoData {
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
}

impl DemoData {
    pub fn run(self) -> Result<ExitCode> {
        let DemoData {
            out,
            specialists,
            years,
            seed,
            until,
        } = self;
        if specialists == 0 || years == 0 {
            bail!("--specialists and --years must be at least 1");
        }
        let until = match until {
            Some(text) => parse_day(&text, "--until")?,
            None => today(),
        };
        let progress = Progress::start("demo-data");
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
        atomic::write_json(&out, atomic::Existing::Replace, &doc, &counter)?;
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
}
