//! `ipstrack import --xlsx/--csv`: spreadsheets previewed, then written all
//! or nothing (or without the problem rows, when the user says so).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use ipstrack_interop::spreadsheet::{
    ImportOptions, Mapping, Preview, Sheet, limits, preview, read_csv, read_workbook,
};
use ipstrack_store::{Store, StoreError};

use crate::input::{bundle_error, read_text, today};

/// The files of one import.
pub struct Files {
    pub xlsx: Option<PathBuf>,
    pub csv: Vec<PathBuf>,
    pub mapping: Option<PathBuf>,
}

/// What to do after the preview.
#[derive(Clone, Copy)]
pub struct Write {
    pub dry_run: bool,
    pub skip_problem_rows: bool,
}

/// The stored referrals an import replaces that lose something by it, under
/// their heading, one a line; nothing when there are none.
pub fn list_losing(
    out: &mut impl std::io::Write,
    losing: &[impl std::fmt::Display],
) -> std::io::Result<()> {
    if !losing.is_empty() {
        writeln!(
            out,
            "Referrals replaced that lose what is stored ({}):",
            losing.len()
        )?;
        for r in losing {
            writeln!(out, "  {r}")?;
        }
    }
    Ok(())
}

fn read_sheets(files: &Files) -> Result<Vec<Sheet>> {
    let mut sheets = Vec::new();
    for path in files.xlsx.iter().chain(&files.csv) {
        // A file over the limit is refused before it is read into memory.
        let size = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        if size > limits::MAX_FILE_BYTES {
            anyhow::bail!(
                "{}: this file is larger than {} MiB: ipstrack reads at most {} MiB per file",
                path.display(),
                limits::MAX_FILE_BYTES >> 20,
                limits::MAX_FILE_BYTES >> 20
            );
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if files.xlsx.as_ref() == Some(path) {
            sheets.extend(read_workbook(&name, &bytes)?);
        } else {
            sheets.push(read_csv(&name, &bytes)?);
        }
    }
    Ok(sheets)
}

/// The mapping given, or the default one.
pub fn mapping(path: Option<&PathBuf>) -> Result<Mapping> {
    match path {
        None => Ok(Mapping::default()),
        Some(p) => {
            let text = read_text(p)?;
            Mapping::from_toml(&text)
                .with_context(|| format!("{} is not a usable mapping", p.display()))
        }
    }
}

/// Writes the preview as text: sheets, counts, problems and rows to skip.
pub fn show(p: &Preview, out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(out, "Sheets:")?;
    for s in &p.sheets {
        write!(out, "  {}: ", s.name)?;
        match (s.table, s.header_row) {
            (Some(t), Some(h)) => {
                write!(out, "{} (headings on row {h}), {} rows", t.label(), s.rows)?;
                match s.blank_rows {
                    0 => {}
                    1 => write!(out, ", 1 blank row left out")?,
                    n => write!(out, ", {n} blank rows left out")?,
                }
                if !s.unused_columns.is_empty() {
                    write!(out, "; columns not read: {}", s.unused_columns.join(", "))?;
                }
                if let Some(note) = &s.note {
                    write!(out, "; {note}")?;
                }
                writeln!(out)?;
            }
            _ => writeln!(out, "{}", s.note.as_deref().unwrap_or("empty"))?,
        }
    }
    let counts = |c: &ipstrack_interop::spreadsheet::Counts| {
        format!(
            "{} to create, {} to update, {} unchanged",
            c.create, c.update, c.unchanged
        )
    };
    writeln!(out, "Referrals: {}", counts(&p.referrals))?;
    writeln!(out, "Clients: {}", counts(&p.clients))?;
    writeln!(out, "Employer contacts: {}", counts(&p.employer_contacts))?;
    let losing: Vec<_> = p
        .replaced
        .iter()
        .filter(|r| !r.removed.is_empty())
        .map(|r| format!("referral {}: importing {}", r.referral, r.removed))
        .collect();
    list_losing(out, &losing)?;
    if p.is_clean() {
        writeln!(out, "No problems found.")?;
        return Ok(());
    }
    writeln!(out, "Problems ({}):", p.problems.len())?;
    for problem in &p.problems {
        writeln!(out, "  {problem}")?;
    }
    writeln!(
        out,
        "Rows left out if you accept skipping ({}):",
        p.skipped_rows()
    )?;
    for s in &p.skipped {
        let mut by_sheet: Vec<(String, Vec<u32>)> = Vec::new();
        for (sheet, row) in &s.rows {
            match by_sheet.last_mut() {
                Some((name, rows)) if name == sheet => rows.push(*row),
                _ => by_sheet.push((sheet.clone(), vec![*row])),
            }
        }
        let rows: Vec<String> = by_sheet
            .iter()
            .map(|(sheet, rows)| {
                let plural = if rows.len() == 1 { "" } else { "s" };
                format!("{sheet} row{plural} {}", ranges(rows))
            })
            .collect();
        match &s.referral {
            Some(r) => writeln!(out, "  referral {r}: {}", rows.join("; "))?,
            None => writeln!(out, "  {}", rows.join("; "))?,
        }
    }
    Ok(())
}

/// Row numbers with runs shown as ranges: `4, 7–9, 12`.
fn ranges(rows: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        parts.push(match j - i {
            0 => rows[i].to_string(),
            1 => format!("{}, {}", rows[i], rows[j]),
            _ => format!("{}–{}", rows[i], rows[j]),
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Previews the spreadsheets against the database and writes them when
/// clean (or when skipping is accepted).
pub async fn import(
    store: &Store,
    files: &Files,
    write: Write,
    actor: &str,
    out: &mut impl std::io::Write,
) -> Result<ExitCode> {
    let started = Instant::now();
    let mapping = mapping(files.mapping.as_ref())?;
    let sheets = read_sheets(files)?;
    let existing = store.export().await?;
    let p = preview(
        &sheets,
        &mapping,
        &existing,
        &ImportOptions {
            today: today(),
            team: None,
        },
    );
    show(&p, out)?;
    if write.dry_run {
        writeln!(out, "Dry run: nothing was written.")?;
        return Ok(if p.is_clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let Some(bundle) = p.to_import(write.skip_problem_rows) else {
        writeln!(
            out,
            "Nothing was written: mend the rows listed, or run again with --skip-problem-rows to \
             import the other referrals and leave these rows out."
        )?;
        return Ok(ExitCode::FAILURE);
    };
    let source = files
        .xlsx
        .iter()
        .chain(&files.csv)
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let summary = match store.import(bundle, actor).await {
        Ok(s) => s,
        Err(StoreError::Invalid(errors)) => {
            return Err(bundle_error(&PathBuf::from(&source), &errors));
        }
        Err(StoreError::Stale(stale)) => {
            return Err(crate::database::stale_error(
                &source,
                &stale,
                "the preview",
                "Run the import again to preview it over the records as they are now.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    writeln!(
        out,
        "Written: referrals {} created, {} updated; clients {} created, {} updated; \
         employer contacts {} created, {} updated{}.",
        summary.referrals.created,
        summary.referrals.updated,
        summary.clients.created,
        summary.clients.updated,
        summary.employer_contacts.created,
        summary.employer_contacts.updated,
        if p.is_clean() {
            String::new()
        } else {
            format!("; {} rows left out as listed", p.skipped_rows())
        }
    )?;
    eprintln!(
        "imported {source} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
