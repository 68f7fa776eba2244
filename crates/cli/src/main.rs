//! `ipstrack`: the command-line program.
//!
//! Reads files and the clock, calls the rules engine in `ipstrack-core`, and
//! renders its one report value as JSON, a terminal table or CSV. On bad input
//! or arguments it prints nothing on stdout, a clear message on stderr, and
//! exits non-zero.
//!
//! This file parses the command line and hands over to the command: each
//! command, its arguments and what it does are one file of `commands/`.

mod atomic;
mod commands;
mod database;
mod input;
mod logging;
mod progress;
mod render;
mod spreadsheet;

use std::io::stdout;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use database::block_on;

use commands::{
    audit::Audit, backup::Backup, check::Check, demo_data::DemoData, doctor::Doctor,
    export::Export, import::Import, report::Report, restore::Restore, serve::Serve,
    submissions::Submissions, submit::Submit, user::User,
};

#[derive(Parser)]
#[command(
    name = "ipstrack",
    version,
    about = "Caseload and performance tracker for IPS services"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report the IPS Grow KPIs of a period from a data bundle.
    Report(Report),
    /// Validate a data bundle: list every error (BAD-1) and warning (BAD-2).
    Check(Check),
    /// Write a generated demo service as a data bundle.
    DemoData(DemoData),
    /// Serve the web application.
    Serve(Serve),
    /// Import a data bundle, or spreadsheets (--xlsx, --csv), into the database, all or
    /// nothing (same ids are updated; a referral changed since the bundle was exported, or
    /// since the preview, refuses the import). Spreadsheets are previewed first: every
    /// problem by sheet, row and column, and nothing written unless the file is clean or
    /// --skip-problem-rows is given.
    Import(Import),
    /// Export the database as a data bundle, as a spreadsheet in the import's layout
    /// (--spreadsheet), (--grow-return) a period's IPS Grow return as xlsx or CSV (by the
    /// file's extension), or (--mhsds) a period's MHSDS-aligned extract as CSV files in
    /// the directory --out.
    Export(Export),
    /// Show the audit log: every change to case data, who and when.
    Audit(Audit),
    /// Manage users: add, reset-password, disable, list.
    User(User),
    /// Back up the database (SQLite: a consistent copy while in use; PostgreSQL: every table but sessions and the like, as JSON).
    Backup(Backup),
    /// Restore a backup into a new, empty database.
    Restore(Restore),
    /// Freeze a period's report as submitted (stamped with who and when).
    Submit(Submit),
    /// List submitted returns and what has changed since, figure by figure.
    Submissions(Submissions),
    /// Check the database: integrity, references, every record valid, nothing the audit log has missing.
    Doctor(Doctor),
}

fn main() -> ExitCode {
    // Everything ipstrack creates — the database with its WAL and SHM files,
    // backups, exports, extracts and their folders — is its owner's only,
    // whatever umask it was started with: they hold personal data and
    // password hashes.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Report(args) => args.run(),
        Command::Check(args) => args.run(),
        Command::DemoData(args) => args.run(),
        Command::Serve(args) => args.run(),
        Command::Import(args) => block_on(args.run(&mut stdout().lock())),
        Command::Export(args) => block_on(args.run(&mut stdout().lock())),
        Command::Audit(args) => block_on(args.run(&mut stdout().lock())),
        Command::User(args) => block_on(args.run(&mut stdout().lock())),
        Command::Backup(args) => block_on(args.run()),
        Command::Restore(args) => block_on(args.run()),
        Command::Submit(args) => block_on(args.run(&mut stdout().lock())),
        Command::Submissions(args) => block_on(args.run(&mut stdout().lock())),
        Command::Doctor(args) => block_on(args.run(&mut stdout().lock())),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
