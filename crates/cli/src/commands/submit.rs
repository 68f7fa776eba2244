//! `ipstrack submit`: a period's report frozen as submitted.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use ipstrack_core::{Period, report};

use crate::database::{Database, actor, loaded, open};
use crate::input::{parse_day, today};

#[derive(Args)]
pub struct Submit {
    #[arg(long, value_name = "P")]
    period: String,
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    #[command(flatten)]
    db: Database,
}

impl Submit {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
        let period = Period::parse(&self.period)?;
        let as_of = match &self.as_of {
            Some(text) => parse_day(text, "--as-of")?,
            None => period.default_as_of(today()),
        };
        let store = open(&self.db).await?;
        let loaded = loaded(&store).await?;
        let r = report(&loaded.dataset, &loaded.warnings, &period, as_of)?;
        let s = store.submit(&r, &actor()).await?;
        writeln!(
            out,
            "submitted {} as of {} by {} at {}",
            s.period_label, s.as_of, s.submitted_by, s.submitted_at
        )?;
        store.close().await;
        Ok(ExitCode::SUCCESS)
    }
}
