//! Opening a database for a command: the `--db` argument's help, the runtime,
//! who the command line acts as, the plain message for an empty database,
//! an import refused over stale referrals, and URLs without passwords.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use ipstrack_core::Loaded;
use ipstrack_core::bundle::validate;
use ipstrack_store::{Store, StoreError};

use crate::input::Timed;

/// The database: a SQLite file (created if missing) or a postgres:// URL.
pub const DB_HELP: &str = "A SQLite file (created if missing) or a postgres:// URL";

/// The database a command works on: `--db`, or `IPSTRACK_DATABASE_URL`, or
/// `ipstrack.sqlite` beside it; read as the text it holds.
#[derive(clap::Args, Clone)]
pub struct Database {
    #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
    db: String,
}

impl std::ops::Deref for Database {
    type Target = str;

    fn deref(&self) -> &str {
        &self.db
    }
}

/// Who the command line acts as, for the audit log.
pub fn actor() -> String {
    let user = std::env::var("IPSTRACK_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

/// Runs a database command's work to its end on a runtime of its own.
pub fn block_on<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(work)
}

pub async fn open(url: &str) -> Result<Store> {
    match Store::open(url).await {
        Ok(store) => Ok(store),
        // Already a plain message naming the file or server.
        Err(StoreError::Unavailable(message)) => Err(anyhow::anyhow!(message)),
        Err(e) => Err(anyhow::Error::new(e))
            .with_context(|| format!("cannot open the database {}", redact(url))),
    }
}

/// What to do with a database that holds no service yet.
const EMPTY: &str = "the database is empty: import a bundle (ipstrack import --data FILE) or run ipstrack serve --demo";

/// The validated dataset of a database, or the plain message for an empty one.
pub async fn loaded(store: &Store) -> Result<Loaded> {
    match store.load().await {
        Ok(loaded) => Ok(loaded),
        Err(e) => {
            if store.export().await?.service.start_date.is_empty() {
                bail!(EMPTY);
            }
            Err(e.into())
        }
    }
}

/// An import refused because referrals changed since `taken` (issue 20):
/// each named on its own line after `source`, what to do last.
pub fn stale_error(
    source: &str,
    stale: &[ipstrack_store::Replaced],
    taken: &str,
    what_to_do: &str,
) -> anyhow::Error {
    let lines: Vec<String> = stale
        .iter()
        .map(|r| format!("{source}: {}", r.explain(taken)))
        .collect();
    let n = stale.len();
    anyhow::anyhow!(
        "{}\n{source} refused: {n} {} changed since {taken}, and importing {} would lose what was recorded since; nothing was written. {what_to_do}",
        lines.join("\n"),
        if n == 1 { "referral" } else { "referrals" },
        if n == 1 { "it" } else { "them" }
    )
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Loads the dataset from a database (for `report --db`).
pub fn load(url: &str) -> Result<Timed<Loaded>> {
    block_on(async {
        let store = open(url).await?;
        let started = Instant::now();
        let doc = store.export().await?;
        if doc.service.start_date.is_empty() {
            bail!(EMPTY);
        }
        let read = Instant::now();
        let loaded =
            validate(&doc).map_err(|e| anyhow::anyhow!("the database holds invalid data: {e}"))?;
        let validated = Instant::now();
        store.close().await;
        Ok(Timed {
            value: loaded,
            parse_ms: (read - started).as_secs_f64() * 1e3,
            validate_ms: (validated - read).as_secs_f64() * 1e3,
        })
    })
}
