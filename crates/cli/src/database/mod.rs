//! The commands that work on a database: import, export, audit, users,
//! backup and restore, submitted returns, doctor.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ipstrack_core::bundle::{parse_document, validate};
use ipstrack_core::{Loaded, Period, report};
use ipstrack_store::{AuditFilter, Backend, Role, Store, StoreError, Submission};

use crate::atomic::{self, Existing};
use crate::progress::Progress;
use crate::{Timed, bundle_error, parse_day, today};

mod backup;
use backup::read_with_progress;
mod export;

/// The database: a SQLite file (created if missing) or a postgres:// URL.
const DB_HELP: &str = "A SQLite file (created if missing) or a postgres:// URL";

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Import a data bundle, or spreadsheets (--xlsx, --csv), into the database, all or
    /// nothing (same ids are updated; a referral changed since the bundle was exported, or
    /// since the preview, refuses the import). Spreadsheets are previewed first: every
    /// problem by sheet, row and column, and nothing written unless the file is clean or
    /// --skip-problem-rows is given.
    Import {
        /// A data bundle (ipstrack-bundle/1 JSON).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["xlsx", "csv"], required_unless_present_any = ["xlsx", "csv", "print_mapping"])]
        data: Option<PathBuf>,
        /// A workbook (xlsx or ods; not xls): one sheet per table (caseload, contacts, …).
        #[arg(long, value_name = "FILE", conflicts_with = "csv")]
        xlsx: Option<PathBuf>,
        /// A CSV file holding one table; give --csv once per file.
        #[arg(long, value_name = "FILE")]
        csv: Vec<PathBuf>,
        /// The column mapping (TOML); default: IPS Grow data tool headings (see --print-mapping).
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Show the preview (what would change, every stored referral replaced and what
        /// it would lose) and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the rows without problems, leaving out the rows the preview lists.
        #[arg(long)]
        skip_problem_rows: bool,
        /// Print the default column mapping (to copy and edit) and stop.
        #[arg(long, conflicts_with_all = ["data", "xlsx", "csv"])]
        print_mapping: bool,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// Export the database as a data bundle, as a spreadsheet in the import's layout
    /// (--spreadsheet), (--grow-return) a period's IPS Grow return as xlsx or CSV (by the
    /// file's extension), or (--mhsds) a period's MHSDS-aligned extract as CSV files in
    /// the directory --out.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Write the case data as an xlsx workbook in the spreadsheet import's layout.
        #[arg(long, conflicts_with = "grow_return")]
        spreadsheet: bool,
        /// The column mapping for --spreadsheet (default: IPS Grow data tool headings).
        #[arg(long, value_name = "FILE", requires = "spreadsheet")]
        mapping: Option<PathBuf>,
        /// Write the IPS Grow quarterly return instead of the bundle.
        #[arg(long, requires = "period")]
        grow_return: bool,
        /// Write the MHSDS-aligned extract (CSV tables and ipstrack's MHS116
        /// count) into the directory --out instead of the bundle.
        #[arg(long, requires = "period", conflicts_with = "grow_return")]
        mhsds: bool,
        /// The return's period (2024/25-Q3, 2024/25 or a date range).
        #[arg(long, value_name = "P")]
        period: Option<String>,
        /// Figures as known on this day (default: the period's end or today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// Show the audit log: every change to case data, who and when.
    Audit {
        /// Only this record (a referral, client, staff or team id, or a username).
        #[arg(long, value_name = "ID")]
        record: Option<String>,
        /// Only changes on or after this day.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Also print the old and new values.
        #[arg(long)]
        values: bool,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// Manage users: add, reset-password, disable, list.
    User {
        #[command(subcommand)]
        action: UserAction,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP, global = true)]
        db: String,
    },
    /// Back up the database (SQLite: a consistent copy while in use; PostgreSQL: every table but sessions and the like, as JSON).
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// Restore a backup into a new, empty database.
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// Freeze a period's report as submitted (stamped with who and when).
    Submit {
        #[arg(long, value_name = "P")]
        period: String,
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// List submitted returns and what has changed since, figure by figure.
    Submissions {
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
    /// Check the database: integrity, references, every record valid, nothing the audit log has missing.
    Doctor {
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
}

/// A role on the command line: `es`, `team-lead`, `manager` or `admin` (the
/// bundle's `team_lead` is taken too).
fn role_arg(text: &str) -> Result<Role, String> {
    Role::parse(&text.replace('-', "_"))
        .ok_or_else(|| "not a role: use es, team-lead, manager or admin".to_string())
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Add a user; the password is asked for (without echo) on a terminal, else read as one line of standard input.
    Add {
        username: String,
        #[arg(long, value_parser = role_arg)]
        role: Role,
        /// The staff record of this user (an ES's own caseload).
        #[arg(long, value_name = "ID")]
        staff: Option<String>,
    },
    /// Set a new password (asked for without echo on a terminal, else one line of standard input); the user's sessions and API tokens end.
    ResetPassword { username: String },
    /// Disable a user (kept for the audit log); their sessions and API tokens end.
    Disable { username: String },
    /// List users.
    List,
    /// Issue an API token for scripts (printed once; send it as `Authorization: Bearer TOKEN`).
    Token {
        username: String,
        /// Days until it expires (1 to 365).
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=ipstrack_store::MAX_TOKEN_DAYS))]
        days: i64,
    },
}

/// Who the command line acts as, for the audit log.
fn actor() -> String {
    let user = std::env::var("IPSTRACK_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

async fn open(url: &str) -> Result<Store> {
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
async fn loaded(store: &Store) -> Result<Loaded> {
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

/// Every stored referral an import replaces that loses something by it,
/// one a line, and how many others it replaces without a loss (issue 20).
pub fn show_replaced(
    replaced: &[ipstrack_store::Replaced],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let losing: Vec<_> = replaced.iter().filter(|r| !r.removed.is_empty()).collect();
    if !losing.is_empty() {
        writeln!(
            out,
            "Referrals replaced that lose what is stored ({}):",
            losing.len()
        )?;
        for r in &losing {
            writeln!(out, "  {r}")?;
        }
    }
    match replaced.len() - losing.len() {
        0 => {}
        1 => writeln!(out, "1 referral replaced without removing anything")?,
        n => writeln!(out, "{n} referrals replaced without removing anything")?,
    }
    Ok(())
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

/// A period (`--period`, required by the command), its as-of day (`--as-of`,
/// default the period's end or today) and the data of the database.
async fn period_data(
    progress: &Progress,
    period: Option<String>,
    as_of: Option<String>,
    db: &str,
) -> Result<(Period, ipstrack_core::Day, Loaded)> {
    progress.step(format!("reading {}", redact(db)));
    let period = Period::parse(period.as_deref().unwrap_or_default())?;
    let as_of = match as_of {
        Some(text) => parse_day(&text, "--as-of")?,
        None => period.default_as_of(today()),
    };
    let store = open(db).await?;
    let loaded = loaded(&store).await?;
    store.close().await;
    Ok((period, as_of, loaded))
}

/// Loads the dataset from a database (for `report --db`).
pub fn load(url: &str) -> Result<Timed<Loaded>> {
    runtime()?.block_on(async {
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

/// The new password: asked twice without echo when standard input is a
/// terminal, else one line of standard input (scripts, tests).
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("New password (at least 10 characters): ")?;
        if password.is_empty() {
            bail!("no password given");
        }
        let again = rpassword::prompt_password("The same password again: ")?;
        if again != password {
            bail!("the two passwords are not the same; nothing was changed");
        }
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("give the password on standard input");
    }
    Ok(password)
}

pub fn run(command: StoreCommand) -> Result<ExitCode> {
    runtime()?.block_on(run_async(command))
}

async fn run_async(command: StoreCommand) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match command {
        StoreCommand::Import {
            print_mapping: true,
            ..
        } => {
            write!(out, "{}", ipstrack_interop::spreadsheet::DEFAULT_MAPPING)?;
        }
        StoreCommand::Import {
            data: None,
            xlsx,
            csv,
            mapping,
            dry_run,
            skip_problem_rows,
            db,
            ..
        } => {
            let files = crate::spreadsheet::Files { xlsx, csv, mapping };
            let store = open(&db).await?;
            let done = crate::spreadsheet::import(
                &store,
                &files,
                crate::spreadsheet::Write {
                    dry_run,
                    skip_problem_rows,
                },
                &actor(),
                &mut out,
            )
            .await;
            store.close().await;
            return done;
        }
        StoreCommand::Import {
            data: Some(data),
            dry_run,
            db,
            ..
        } => {
            let progress = Progress::start("import");
            let text = String::from_utf8(read_with_progress(&data, &progress)?)
                .map_err(|_| anyhow::anyhow!("{}: not UTF-8 text", data.display()))?;
            progress.step(format!("checking {}", data.display()));
            let doc = parse_document(&text).map_err(|e| bundle_error(&data, &e))?;
            drop(text);
            progress.step(format!("opening {}", redact(&db)));
            let store = open(&db).await?;
            let started = Instant::now();
            progress.step(format!(
                "{} {} referrals, {} clients, {} staff in one transaction",
                if dry_run {
                    "trying (then undoing)"
                } else {
                    "writing"
                },
                doc.referrals.len(),
                doc.clients.len(),
                doc.staff.len()
            ));
            let done = if dry_run {
                store.import_dry_run(&doc, &actor()).await
            } else {
                store.import(&doc, &actor()).await
            };
            let summary = match done {
                Ok(summary) => summary,
                Err(StoreError::Invalid(errors)) => return Err(bundle_error(&data, &errors)),
                Err(StoreError::Stale(stale)) => {
                    return Err(stale_error(
                        &data.display().to_string(),
                        &stale,
                        "the bundle was taken",
                        "Take a new export (ipstrack export) and make the changes on it.",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            drop(progress);
            for (kind, c) in [
                ("teams", summary.teams),
                ("staff", summary.staff),
                ("clients", summary.clients),
                ("referrals", summary.referrals),
            ] {
                writeln!(
                    out,
                    "{kind}: {} created, {} updated, {} unchanged",
                    c.created, c.updated, c.unchanged
                )?;
            }
            if summary.service_changed {
                writeln!(out, "service: updated")?;
            }
            let shown = 20;
            for id in summary.updated.iter().take(shown) {
                writeln!(out, "  updated {id}")?;
            }
            if summary.updated.len() > shown {
                writeln!(
                    out,
                    "  … and {} more updated (see `ipstrack audit`)",
                    summary.updated.len() - shown
                )?;
            }
            show_replaced(&summary.replaced, &mut out)?;
            if dry_run {
                writeln!(out, "Dry run: nothing was written.")?;
                store.close().await;
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "imported {} into {} in {:.1} s",
                data.display(),
                redact(&db),
                started.elapsed().as_secs_f64()
            );
            store.close().await;
        }
        command @ StoreCommand::Export { .. } => export::export(command, &mut out).await?,
        StoreCommand::Audit {
            record,
            since,
            values,
            db,
        } => {
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
        }
        StoreCommand::User { action, db } => {
            let store = open(&db).await?;
            match action {
                UserAction::Add {
                    username,
                    role,
                    staff,
                } => {
                    let password = read_password()?;
                    let user = store
                        .add_user(&username, &password, role, staff.as_deref(), &actor())
                        .await?;
                    writeln!(out, "added {} ({})", user.username, user.role.as_str())?;
                }
                UserAction::ResetPassword { username } => {
                    let password = read_password()?;
                    store.reset_password(&username, &password, &actor()).await?;
                    writeln!(out, "password reset for {username}")?;
                }
                UserAction::Disable { username } => {
                    store.disable_user(&username, &actor()).await?;
                    writeln!(out, "disabled {username}")?;
                }
                UserAction::Token { username, days } => {
                    let token = store.issue_token(&username, days, &actor()).await?;
                    writeln!(out, "{token}")?;
                }
                UserAction::List => {
                    for u in store.users().await? {
                        let state = if u.disabled { "disabled" } else { "active" };
                        let staff = u.staff_id.as_deref().unwrap_or("-");
                        writeln!(out, "{}\t{}\t{staff}\t{state}", u.username, u.role.as_str())?;
                    }
                }
            }
            store.close().await;
        }
        StoreCommand::Backup { out: path, db } => backup::backup(&path, &db).await?,
        StoreCommand::Restore { from, db } => backup::restore(&from, &db).await?,
        StoreCommand::Submit { period, as_of, db } => {
            let period = Period::parse(&period)?;
            let as_of = match as_of {
                Some(text) => parse_day(&text, "--as-of")?,
                None => period.default_as_of(today()),
            };
            let store = open(&db).await?;
            let loaded = loaded(&store).await?;
            let r = report(&loaded.dataset, &loaded.warnings, &period, as_of)?;
            let s = store.submit(&r, &actor()).await?;
            writeln!(
                out,
                "submitted {} as of {} by {} at {}",
                s.period_label, s.as_of, s.submitted_by, s.submitted_at
            )?;
            store.close().await;
        }
        StoreCommand::Submissions { db } => {
            let store = open(&db).await?;
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
        }
        StoreCommand::Doctor { db } => {
            let store = open(&db).await?;
            let problems = store.integrity_check().await?;
            store.close().await;
            if problems.is_empty() {
                writeln!(out, "{}: ok", redact(&db))?;
            } else {
                for p in &problems {
                    writeln!(out, "{}: {p}", redact(&db))?;
                }
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What has changed since a return was submitted: each figure whose value on
/// the same period and as-of date differs now, `path: submitted → now`.
fn changes_since(s: &Submission, loaded: &Loaded) -> Result<Vec<String>> {
    let period = Period::parse(&s.period_label)?;
    let as_of = parse_day(&s.as_of, "as-of")?;
    let now = serde_json::to_value(report(&loaded.dataset, &loaded.warnings, &period, as_of)?)?;
    Ok(ipstrack_core::report::figure_changes(&s.report, &now))
}
