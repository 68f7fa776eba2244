//! Persistence for ipstrack: one schema for every record of the data bundle,
//! on SQLite (embedded, the default) or PostgreSQL (larger deployments).
//!
//! Both backends share one implementation through sqlx's `Any` driver: dates
//! are ISO text, hours and FTE integers, so the SQL is portable; each backend
//! runs versioned migrations: `migrations/both`, written once for the two,
//! and `migrations/sqlite` or `migrations/postgres` where their SQL differs.
//! Every write validates the whole resulting dataset with the rules engine's
//! BAD-1 checks first, then writes in one transaction with its audit log rows:
//! a refused or failed write leaves the database exactly as it was.
//!
//! This file is the `Store` itself (open, transactions, errors, export and
//! load); each table is one file of `tables/` with its columns, reader,
//! writer and part of `Store`, over `sql`, `audit` and `changes`; `import`,
//! `entry`, `accounts`, `sign_in` and `backup` span several tables.

mod accounts;
mod audit;
mod audit_queue;
mod backup;
mod changes;
mod doctor;
mod entry;
mod identities;
mod import;
mod migrations;
mod open;
mod sign_in;
mod sql;
mod tables;

use std::time::Duration;

use ipstrack_core::bundle::{BundleDoc, BundleErrors, Loaded, validate};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

pub use accounts::one_time_password;
pub use audit::{AUDIT_PAGE_MOST, AuditEntry, AuditFilter, AuditSearch};
pub use audit_queue::{AUDIT_QUEUE, AUDIT_ROWS_PER_USER_MINUTE};
pub use backup::{BACKUP_FORMAT, Backup, NOT_BACKED_UP, Versions};
pub(crate) use changes::CHANGES_CHANNEL;
pub use changes::Change;
pub use entry::{Saved, StaffChange};
pub use identities::{IdentitySignIn, LinkedIdentity};
pub use import::{Changes, ImportSummary, Replaced};
/// The roles of ipstrack's users: the domain's one [`Role`] type.
pub use ipstrack_core::model::Role;
pub use open::OPEN_TIMEOUT;
pub use sign_in::{
    MAX_PASSWORD, MAX_USERNAME, PASSWORD_CHECK_WAIT, PASSWORD_CHECKS_AT_ONCE, PasswordChange,
    SignIn, address_key, most_password_checks_at_once,
};
pub use tables::clients::fingerprint as client_fingerprint;
pub use tables::employer_contacts::SavedEmployerContact;
pub use tables::fidelity_reviews::SavedFidelityReview;
pub use tables::referrals::{Edit, Entry, Replacement, Step};
pub use tables::request_keys::{KEY_HOURS, KeyKind, RequestKey};
pub use tables::sessions::{MAX_TOKEN_DAYS, Session, random_token};
pub use tables::sign_in_gates::{
    ACCOUNT_CHECKS, ACCOUNT_MAX_WAIT_MINUTES, ACCOUNT_WINDOW_MINUTES, PAIR_CHECKS,
    PAIR_MAX_WAIT_MINUTES, SignInFailures, WINDOW_MINUTES,
};
pub use tables::submissions::Submission;
pub use tables::users::{BackupUser, User};

/// Which database is behind a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data would break a BAD-1 rule; nothing was written.
    #[error("{0}")]
    Invalid(BundleErrors),
    /// The request breaks one of ipstrack's own rules (a password of fewer
    /// than 10 characters, a token of 400 days, a user for no staff record):
    /// nothing was written; the message says what to change.
    #[error("{0}")]
    NotAllowed(String),
    /// The record already exists or the change is already made (a username
    /// taken, a return already submitted, a user already disabled, a backup
    /// into a database that holds data): nothing was written.
    #[error("{0}")]
    Exists(String),
    /// The database cannot be used as asked: it cannot be reached or opened
    /// (the message names the file or server, never a password), or it
    /// holds no service yet.
    #[error("{0}")]
    Unavailable(String),
    /// An edit made from a page that showed an older version of the record
    /// (named, e.g. `client c3`): nothing was written.
    #[error("the {0} changed since the form was opened")]
    Changed(String),
    /// No such record (named, e.g. `referral r9`); nothing was written.
    #[error("{0} does not exist")]
    NotFound(String),
    /// An edit made from a page that showed an older version of the referral:
    /// nothing was written; `current` is the referral as stored now.
    #[error("the referral changed since the page was opened (now version {version})")]
    Conflict {
        current: Box<ipstrack_core::bundle::ReferralDoc>,
        version: i64,
    },
    /// An import of a bundle taken before some of its referrals changed
    /// (issue 20): importing would remove what was recorded since, so
    /// nothing was written. Each such referral is named, with the version
    /// the bundle was taken at, the version now and what would be lost.
    #[error("{}", import::stale_message(.0))]
    Stale(Vec<Replaced>),
    /// Another writer (an import, a backup) held the database for longer
    /// than a write waits: nothing was written; trying again later works.
    #[error("the database is busy with another change: nothing was saved, try again in a minute")]
    Busy,
    /// The database's disk is full: nothing was written.
    #[error("the database's disk is full: nothing was saved")]
    Full,
    /// The database cannot be reached just now (its server is down or the
    /// connection was lost): try again later.
    #[error("the database cannot be reached just now: try again in a minute")]
    Unreachable,
    /// A retry key (a form's one-time token, an API request's
    /// `Idempotency-Key`) already used by this user for another request (another
    /// referral, another kind of write or another body): nothing was written.
    #[error("Idempotency-Key was already used for another request")]
    KeyReused,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data could not be read back: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    /// A busy or locked database, or no connection free in time, is
    /// [`StoreError::Busy`]; a full disk [`StoreError::Full`] (SQLite's
    /// primary codes 5, 6 and 13; PostgreSQL's lock timeout 55P03 and disk
    /// full 53100); a lost or refused connection
    /// [`StoreError::Unreachable`].
    fn from(e: sqlx::Error) -> StoreError {
        match e {
            sqlx::Error::PoolTimedOut => return StoreError::Busy,
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => return StoreError::Unreachable,
            _ => {}
        }
        let code = e
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned()));
        // SQLite gives extended codes (517 is BUSY_SNAPSHOT): the primary
        // code is the low byte.
        let sqlite = code
            .as_deref()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|n| n & 0xff);
        match (sqlite, code.as_deref()) {
            (Some(5 | 6), _) | (_, Some("55P03")) => StoreError::Busy,
            (Some(13), _) | (_, Some("53100")) => StoreError::Full,
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A write transaction on its own connection. [`WriteTx::commit`] ends it;
/// dropped without a commit (an error on the way), its connection is closed
/// rather than given back to the pool, so the database rolls the transaction
/// back and the next write starts on a fresh connection.
pub(crate) struct WriteTx {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    committed: bool,
}

impl WriteTx {
    pub(crate) async fn commit(mut self) -> Result<()> {
        self.conn.execute("COMMIT").await?;
        self.committed = true;
        Ok(())
    }

    /// Ends the transaction writing nothing (a dry run).
    pub(crate) async fn rollback(mut self) -> Result<()> {
        self.conn.execute("ROLLBACK").await?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if !self.committed {
            self.conn.close_on_drop();
        }
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

/// One connection pool's use (see [`Store::pool_use`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// `read` or `write`.
    pub pool: &'static str,
    /// Connections open (idle or in use).
    pub open: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max: u32,
}

/// A connection to an ipstrack database.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// Writes go through here: one connection for SQLite (one writer).
    write: AnyPool,
    /// Reads: a pool of readers (WAL lets them run beside the writer), each
    /// waiting at most [`READ_TIMEOUT`] for a connection.
    read: AnyPool,
    /// PostgreSQL: the URL, for listening to the change sequence's notices.
    url: std::sync::Arc<str>,
    /// PostgreSQL: the connection listening for changes (made when first needed).
    listener: std::sync::Arc<tokio::sync::Mutex<Option<sqlx::postgres::PgListener>>>,
    /// Passwords checked with argon2 (see [`Store::password_checks`]).
    password_checks: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Out-of-scope audit entries waiting for their writer (see `audit_queue`).
    audit_queue: std::sync::Arc<audit_queue::AuditQueue>,
    /// When local passwords are off for everyone but a break-glass admin:
    /// that admin's username (see [`Store::allow_passwords_only_for`]).
    password_only_for: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

/// SQLite settings for every connection: durability, integrity, patience.
/// How long a read waits for a connection: a database that cannot be
/// reached is told within seconds (a write waits longer for its turn).
pub const READ_TIMEOUT: Duration = Duration::from_secs(3);

const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = FULL",
];

/// Turns a file path or URL into a database URL: a plain path is a SQLite file.
pub fn database_url(text: &str) -> String {
    if text.starts_with("postgres://")
        || text.starts_with("postgresql://")
        || text.starts_with("sqlite:")
    {
        text.to_string()
    } else {
        format!("sqlite://{text}")
    }
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database.
    /// One connection is tried first, within [`OPEN_TIMEOUT`]: a bad
    /// configuration (not a database, damaged, cannot be created, server not
    /// reachable, no database in the URL) is refused with a plain message
    /// ([`StoreError::Unavailable`]) instead of a long wait.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let url = database_url(url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        open::check_url(backend, &url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url,
        };
        let options: AnyConnectOptions = url.parse()?;
        open::probe(backend, &url, &options).await?;
        let pool = |max: u32, acquire: Duration| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(acquire)
                .after_connect(move |conn: &mut AnyConnection, _| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            for pragma in SQLITE_PRAGMAS {
                                conn.execute(pragma).await?;
                            }
                        }
                        Ok(())
                    })
                })
        };
        let explain = |e| open::explain(backend, &url, e);
        // SQLite: a write waits its turn for the one writer (an import may
        // hold it longer than the open deadline); readers are many.
        // PostgreSQL: writers wait for their turn in the database (a table
        // lock), readers for a connection only.
        let (writers, write_wait, readers) = match backend {
            Backend::Sqlite => (1, Duration::from_secs(60), 8),
            Backend::Postgres => (16, open::OPEN_TIMEOUT, 16),
        };
        let write = pool(writers, write_wait)
            .connect_with(options.clone())
            .await
            .map_err(explain)?;
        let read = pool(readers, READ_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(explain)?;
        let store = Store {
            backend,
            write,
            read,
            url: url.as_str().into(),
            listener: Default::default(),
            password_checks: Default::default(),
            audit_queue: Default::default(),
            password_only_for: Default::default(),
        };
        match store.migrate().await {
            Err(StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e))) => Err(explain(e)),
            Err(StoreError::Database(e)) => Err(explain(e)),
            other => other,
        }?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        migrations::migrator(self.backend).run(&self.write).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pools' use now, for metrics: each pool (`read`,
    /// `write`) with its connections open, idle and its most.
    pub fn pool_use(&self) -> [PoolUse; 2] {
        let of = |pool: &'static str, p: &AnyPool| PoolUse {
            pool,
            open: p.size(),
            idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
            max: p.options().get_max_connections(),
        };
        [of("read", &self.read), of("write", &self.write)]
    }

    /// Waits until another write may have changed the data, at most `poll`:
    /// on PostgreSQL until a write's notice arrives (LISTEN/NOTIFY), on
    /// SQLite (no notices between processes) for `poll`, after which the
    /// caller looks at the change sequence (a cheap query) anyway.
    pub async fn wait_for_change(&self, poll: Duration) {
        if self.backend == Backend::Postgres {
            let mut listener = self.listener.lock().await;
            if listener.is_none() {
                // Without a listener (the server cannot be reached just now)
                // the poll still finds every change.
                if let Ok(mut l) = sqlx::postgres::PgListener::connect(&self.url).await
                    && l.listen(CHANGES_CHANNEL).await.is_ok()
                {
                    *listener = Some(l);
                }
            }
            if let Some(l) = listener.as_mut() {
                // A lost connection is made again at the next wait.
                if let Ok(Err(_)) = tokio::time::timeout(poll, l.recv()).await {
                    *listener = None;
                }
                return;
            }
        }
        tokio::time::sleep(poll).await;
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so a
    /// read-then-write transaction holds the write lock from its start; on
    /// PostgreSQL a table lock makes writers take turns across processes.
    async fn begin_write(&self) -> Result<WriteTx> {
        // Closed, not returned to the pool, unless the transaction ends
        // cleanly (see `WriteTx`): a connection left inside a failed
        // transaction (a full disk, a lost server) never serves the next write.
        let mut tx = WriteTx {
            conn: self.write.acquire().await?,
            committed: false,
        };
        match self.backend {
            Backend::Sqlite => {
                tx.execute("BEGIN IMMEDIATE").await?;
            }
            Backend::Postgres => {
                tx.execute("BEGIN").await?;
                tx.execute("LOCK TABLE service IN SHARE ROW EXCLUSIVE MODE")
                    .await?;
            }
        }
        Ok(tx)
    }

    /// A read-only transaction that sees one consistent snapshot of every
    /// table while others write (PostgreSQL: repeatable read; SQLite: a
    /// read transaction on the WAL).
    async fn snapshot<'c>(
        &self,
        conn: &'c mut sqlx::pool::PoolConnection<sqlx::Any>,
    ) -> Result<sqlx::Transaction<'c, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => conn.begin().await?,
            Backend::Postgres => {
                conn.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        })
    }

    /// The whole dataset as a bundle (export, backup).
    pub async fn export(&self) -> Result<BundleDoc> {
        let mut conn = self.read.acquire().await?;
        // One consistent snapshot for every table.
        let mut tx = self.snapshot(&mut conn).await?;
        let doc = tables::read_bundle(&mut tx).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// The validated dataset, ready for a report, with each referral's version.
    pub async fn load(&self) -> Result<Loaded> {
        Ok(self.load_with_change().await?.0)
    }

    /// The validated dataset and the last change it includes (the change
    /// sequence's number): a server that loads it then applies the changes
    /// after that number.
    pub async fn load_with_change(&self) -> Result<(Loaded, i64)> {
        let mut conn = self.read.acquire().await?;
        let mut tx = self.snapshot(&mut conn).await?;
        let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM changes")
            .fetch_one(&mut *tx)
            .await?;
        let doc = tables::read_bundle(&mut tx).await?;
        tx.commit().await?;
        let mut loaded = validate(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for r in &mut loaded.dataset.referrals {
            if let Some(v) = doc.referral_versions.get(&r.id) {
                std::sync::Arc::make_mut(r).version = *v;
            }
        }
        Ok((loaded, seq))
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}
