//! `ipstrack audit`: the audit log, every change to case data, who and when.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use ipstrack_store::AuditFilter;

use crate::database::{Database, open};
use crate::input::parse_day;

#[derive(Args)]
pub struct Audit {
    /// Only this record (a referral, client, staff or team id, or a username).
    #[arg(long, value_name = "ID")]
    record: Option<String>,
    /// Only changes on or after this day.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Also print the old and new values.
    #[arg(long)]
    values: bool,
    #[command(flatten)]
    db: Database,
}

impl Audit {
    pub async fn run(self, out: &mut impl Write) -> Result<ExitCode> {
        let Audit {
            record,
            since,
            values,
            db,
        } = self;
        if let Some(s) = &since {
            parse_day(s, "--since")?;
        }
        let store = open(&db).await?;
        for e in store.audit(&AuditFilter { record, since }).await? {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{} {}",
                e.seq, e.at, e.actor, e.action, e.record_type, e.record_id
            )?;
            if values {
                writeln!(out, "\told: {}", e.old_value.as_deref().unwrap_or("-"))?;
                writeln!(out, "\tnew: {}", e.new_value.as_deref().unwrap_or("-"))?;
            }
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    }
}
