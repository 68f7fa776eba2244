//! The commands that work on a database: import, export, audit, users,
//! backup and restore, submitted returns, doctor.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use ipstrack_core::bundle::{BundleDoc, parse_document, validate};
use ipstrack_core::{Loaded, Period, report};
use ipstrack_store::{AuditEntry, AuditFilter, Backend, Role, Store, StoreError, Submission};
use serde::{Deserialize, Serialize};

use crate::{Timed, bundle_error, parse_day, read_text, today};

/// The database: a SQLite file (created if missing) or a postgres:// URL.
const DB_HELP: &str = "A SQLite file (created if missing) or a postgres:// URL";

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Import a data bundle, or spreadsheets (--xlsx, --csv), into the database, all or
    /// nothing (same ids are updated). Spreadsheets are previewed first: every problem by
    /// sheet, row and column, and nothing written unless the file is clean or
    /// --skip-problem-rows is given.
    Import {
        /// A data bundle (ipstrack-bundle/1 JSON).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["xlsx", "csv"], required_unless_present_any = ["xlsx", "csv", "print_mapping"])]
        data: Option<PathBuf>,
        /// A workbook (xlsx, xls or ods): one sheet per table (caseload, contacts, …).
        #[arg(long, value_name = "FILE", conflicts_with = "csv")]
        xlsx: Option<PathBuf>,
        /// A CSV file holding one table; give --csv once per file.
        #[arg(long, value_name = "FILE")]
        csv: Vec<PathBuf>,
        /// The column mapping (TOML); default: IPS Grow data tool headings (see --print-mapping).
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Show the preview and write nothing.
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
    /// Back up the database (SQLite: a consistent copy while in use; PostgreSQL: bundle and audit log as JSON).
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
    /// Check the database: integrity, references, every record valid.
    Doctor {
        #[arg(long, value_name = "URL", env = "IPSTRACK_DATABASE_URL", default_value = "ipstrack.sqlite", help = DB_HELP)]
        db: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Es,
    TeamLead,
    Manager,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Es => Role::Es,
            RoleArg::TeamLead => Role::TeamLead,
            RoleArg::Manager => Role::Manager,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Subcommand)]
pub enum UserAction {
    /// Add a user; the password is read from standard input.
    Add {
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The staff record of this user (an ES's own caseload).
        #[arg(long, value_name = "ID")]
        staff: Option<String>,
    },
    /// Set a new password, read from standard input.
    ResetPassword { username: String },
    /// Disable a user (kept for the audit log).
    Disable { username: String },
    /// List users.
    List,
    /// Issue an API token for scripts (printed once; send it as `Authorization: Bearer TOKEN`).
    Token {
        username: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 90)]
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
    Store::open(url)
        .await
        .with_context(|| format!("cannot open the database {}", redact(url)))
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
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
    period: Option<String>,
    as_of: Option<String>,
    db: &str,
) -> Result<(Period, ipstrack_core::Day, Loaded)> {
    let period = Period::parse(period.as_deref().unwrap_or_default())?;
    let as_of = match as_of {
        Some(text) => parse_day(&text, "--as-of")?,
        None => period.default_as_of(today()),
    };
    let store = open(db).await?;
    let loaded = store.load().await?;
    store.close().await;
    Ok((period, as_of, loaded))
}

/// Loads the dataset from a database (for `report --db`).
pub fn load(url: &str) -> Result<Timed<Loaded>> {
    runtime()?.block_on(async {
        let store = open(url).await?;
        let started = Instant::now();
        let doc = store.export().await?;
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

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("give the password on standard input");
    }
    Ok(password)
}

/// A backup of a PostgreSQL database (or any database, as JSON): the bundle,
/// the audit log and the submitted returns, as the store gives them.
#[derive(Serialize, Deserialize)]
struct JsonBackup {
    format: String,
    bundle: BundleDoc,
    audit: Vec<AuditEntry>,
    submissions: Vec<Submission>,
}

const JSON_BACKUP: &str = "ipstrack-backup/1";

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
            db,
            ..
        } => {
            let text = read_text(&data)?;
            let doc = parse_document(&text).map_err(|e| bundle_error(&data, &e))?;
            drop(text);
            let store = open(&db).await?;
            let started = Instant::now();
            let summary = match store.import(&doc, &actor()).await {
                Ok(summary) => summary,
                Err(StoreError::Invalid(errors)) => return Err(bundle_error(&data, &errors)),
                Err(e) => return Err(e.into()),
            };
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
            eprintln!(
                "imported {} into {} in {:.1} s",
                data.display(),
                redact(&db),
                started.elapsed().as_secs_f64()
            );
            store.close().await;
        }
        StoreCommand::Export {
            out: dir,
            mhsds: true,
            period,
            as_of,
            db,
            ..
        } => {
            let (period, as_of, loaded) = period_data(period, as_of, &db).await?;
            let extract = ipstrack_interop::mhsds_extract(&loaded.dataset, &period, as_of)?;
            write_extract(&dir, &extract)?;
            let m = &extract.mhs116;
            writeln!(
                out,
                "MHS116 (first direct contact from {} to {}, as of {as_of}): {} referrals, {} people",
                m.window.start, m.window.end, m.referrals, m.people
            )?;
            for t in &extract.tables {
                let n = t.rows.len();
                writeln!(
                    out,
                    "{}: {n} row{}",
                    t.file_name(),
                    if n == 1 { "" } else { "s" }
                )?;
            }
            // Clients by id only: never the number itself.
            for (client, problem) in &extract.nhs_number_problems {
                eprintln!("client {client}: {}", problem.message());
            }
            eprintln!(
                "wrote the MHSDS-aligned extract for {} (as of {as_of}) to {}",
                period.label,
                dir.display()
            );
        }
        StoreCommand::Export {
            out: path,
            grow_return: true,
            period,
            as_of,
            db,
            ..
        } => {
            let (period, as_of, loaded) = period_data(period, as_of, &db).await?;
            let r = report(&loaded.dataset, &loaded.warnings, &period, as_of)?;
            let rows = ipstrack_interop::grow_return(&r, &loaded.dataset);
            let bytes = match path.extension().and_then(|e| e.to_str()) {
                Some("xlsx") => ipstrack_interop::grow_return_xlsx(&r, &rows)?,
                Some("csv") => ipstrack_interop::grow_return_csv(&r, &rows)?.into_bytes(),
                _ => bail!("--out must end in .xlsx or .csv for the IPS Grow return"),
            };
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "wrote the IPS Grow return for {} (as of {as_of}) to {}",
                period.label,
                path.display()
            );
        }
        StoreCommand::Export {
            out: path,
            spreadsheet: true,
            mapping,
            db,
            ..
        } => {
            let mapping = crate::spreadsheet::mapping(mapping.as_ref())?;
            let store = open(&db).await?;
            let doc = store.export().await?;
            store.close().await;
            let bytes = ipstrack_interop::spreadsheet::caseload_xlsx(&doc, &mapping)?;
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "wrote {} referrals in the spreadsheet layout to {}",
                doc.referrals.len(),
                path.display()
            );
        }
        StoreCommand::Export { out: path, db, .. } => {
            let store = open(&db).await?;
            let doc = store.export().await?;
            write_json(&path, &doc)?;
            eprintln!(
                "exported {} referrals to {}",
                doc.referrals.len(),
                path.display()
            );
            store.close().await;
        }
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
                        .add_user(
                            &username,
                            &password,
                            role.into(),
                            staff.as_deref(),
                            &actor(),
                        )
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
        StoreCommand::Backup { out: path, db } => {
            let store = open(&db).await?;
            match store.backend() {
                Backend::Sqlite => store.backup_sqlite(&path).await?,
                Backend::Postgres => {
                    if path.exists() {
                        bail!("{} already exists", path.display());
                    }
                    let backup = JsonBackup {
                        format: JSON_BACKUP.into(),
                        bundle: store.export().await?,
                        audit: store.audit(&AuditFilter::default()).await?,
                        submissions: store.submissions().await?,
                    };
                    write_json(&path, &backup)?;
                }
            }
            eprintln!("backed up {} to {}", redact(&db), path.display());
            store.close().await;
        }
        StoreCommand::Restore { from, db } => restore(&from, &db).await?,
        StoreCommand::Submit { period, as_of, db } => {
            let period = Period::parse(&period)?;
            let as_of = match as_of {
                Some(text) => parse_day(&text, "--as-of")?,
                None => period.default_as_of(today()),
            };
            let store = open(&db).await?;
            let loaded = store.load().await?;
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
            let loaded = store.load().await?;
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

/// Writes the extract's CSV files into `dir` (created if missing). A file
/// already there is replaced only when it is an earlier ipstrack extract of
/// the same table (its first line is that table's header); any other file of
/// the same name refuses the whole export before anything is written. Each
/// file is written beside its final name and renamed into place.
fn write_extract(dir: &Path, extract: &ipstrack_interop::mhsds::Extract) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut files = Vec::new();
    let mut foreign = Vec::new();
    for t in &extract.tables {
        let path = dir.join(t.file_name());
        let text = t.to_csv()?;
        if path.exists() {
            let header = text.lines().next().unwrap_or_default();
            let existing =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let first = existing.split(|b| *b == b'\n').next().unwrap_or_default();
            if first != header.as_bytes() {
                foreign.push(path.display().to_string());
            }
        }
        files.push((path, text));
    }
    if !foreign.is_empty() {
        bail!(
            "not overwriting files that are not an ipstrack MHSDS extract: {}",
            foreign.join(", ")
        );
    }
    for (path, text) in files {
        let partial = path.with_extension("csv.partial");
        std::fs::write(&partial, text)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut writer, value)?;
    writer.write_all(b"\n")?;
    writer.flush()?;
    Ok(())
}

/// Restores a backup into a new database: a SQLite backup file is copied (the
/// target must not exist); a JSON backup is loaded into an empty database.
async fn restore(from: &Path, db: &str) -> Result<()> {
    let header = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    if header.starts_with(b"SQLite format 3\0") {
        let url = ipstrack_store::database_url(db);
        let target = url
            .strip_prefix("sqlite://")
            .map(|p| p.split('?').next().unwrap_or(p).to_string());
        let Some(target) = target else {
            bail!(
                "a SQLite backup restores into a SQLite file, not {}",
                redact(db)
            )
        };
        if Path::new(&target).exists() {
            bail!("{target} already exists: restore into a new file");
        }
        std::fs::copy(from, &target)?;
        let store = open(&target).await?;
        let problems = store.integrity_check().await?;
        store.close().await;
        if !problems.is_empty() {
            std::fs::remove_file(&target)?;
            bail!(
                "the backup fails its integrity check: {}",
                problems.join("; ")
            );
        }
        eprintln!("restored {} to {target}", from.display());
        return Ok(());
    }
    let backup: JsonBackup = serde_json::from_slice(&header)
        .with_context(|| format!("{} is not an ipstrack backup", from.display()))?;
    if backup.format != JSON_BACKUP {
        bail!(
            "{}: format {} is not {JSON_BACKUP}",
            from.display(),
            backup.format
        );
    }
    let store = open(db).await?;
    if !store.is_empty().await? {
        bail!("{} is not empty: restore into a new database", redact(db));
    }
    store.restore_audit(&backup.audit).await?;
    store
        .import(&backup.bundle, &format!("{} (restore)", actor()))
        .await?;
    for submission in &backup.submissions {
        store.restore_submission(submission).await?;
    }
    eprintln!("restored {} into {}", from.display(), redact(db));
    store.close().await;
    Ok(())
}

/// What has changed since a return was submitted: each figure whose value on
/// the same period and as-of date differs now, `path: submitted → now`.
fn changes_since(s: &Submission, loaded: &Loaded) -> Result<Vec<String>> {
    let period = Period::parse(&s.period_label)?;
    let as_of = parse_day(&s.as_of, "as-of")?;
    let now = serde_json::to_value(report(&loaded.dataset, &loaded.warnings, &period, as_of)?)?;
    Ok(ipstrack_core::report::figure_changes(&s.report, &now))
}
