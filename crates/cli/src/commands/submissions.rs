//! `ipstrack submissions`: the submitted returns and what has changed since,
//! figure by figure.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use ipstrack_core::{Loaded, Period, report};
use ipstrack_store::Submission;

use crate::database::{Database, loaded, open};
use crate::input::parse_day;

#[derive(Args)]
pub struct Submissions {
    #[command(flatten)]
    db: Database,
}

impl Submissions {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
        let store = open(&self.db).await?;
        let loaded = loaded(&store).await?;
        for s in store.submissions().await? {
            writeln!(
                out,
                "{}\tas of {}\tsubmitted {} by {}",
                s.period_label, s.as_of, s.submitted_at, s.submitted_by
            )?;
            let changes = changes_since(&s, &loaded)?;
            if changes.is_empty() {
                writeln!(out, "\tno change since submission")?;
            }
            for line in changes {
                writeln!(out, "\t{line}")?;
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    }
}

/// What has changed since a return was submitted: each figure whose value on
/// the same period and as-of date differs now, `path: submitted → now`.
fn changes_since(s: &Submission, loaded: &Loaded) -> Result<Vec<String>> {
    let period = Period::parse(&s.period_label)?;
    let as_of = parse_day(&s.as_of, "as-of")?;
    let now = serde_json::to_value(report(&loaded.dataset, &loaded.warnings, &period, as_of)?)?;
    Ok(ipstrack_core::returns::figure_changes(&s.report, &now))
}
