//! `ipstrack export`: the database as a bundle, a spreadsheet in the
//! import's layout, a period's IPS Grow return, or its MHSDS-aligned extract.

use super::*;

/// Runs one of the export commands (`command` is a `StoreCommand::Export`).
pub(super) async fn export(command: StoreCommand, out: &mut impl Write) -> Result<()> {
    match command {
        StoreCommand::Export {
            out: dir,
            mhsds: true,
            period,
            as_of,
            db,
            ..
        } => {
            let progress = Progress::start("export");
            let (period, as_of, loaded) = period_data(&progress, period, as_of, &db).await?;
            progress.step(format!(
                "making the MHSDS-aligned extract for {}",
                period.label
            ));
            let extract = ipstrack_interop::mhsds_extract(&loaded.dataset, &period, as_of)?;
            progress.step(format!(
                "writing {} files to {}",
                extract.tables.len(),
                dir.display()
            ));
            write_extract(&dir, &extract)?;
            drop(progress);
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
            let progress = Progress::start("export");
            let (period, as_of, loaded) = period_data(&progress, period, as_of, &db).await?;
            progress.step(format!("making the IPS Grow return for {}", period.label));
            let r = report(&loaded.dataset, &loaded.warnings, &period, as_of)?;
            let rows = ipstrack_interop::grow_return(&r, &loaded.dataset);
            let bytes = match path.extension().and_then(|e| e.to_str()) {
                Some("xlsx") => ipstrack_interop::grow_return_xlsx(&r, &rows)?,
                Some("csv") => ipstrack_interop::grow_return_csv(&r, &rows)?.into_bytes(),
                _ => bail!("--out must end in .xlsx or .csv for the IPS Grow return"),
            };
            progress.step(format!("writing {}", path.display()));
            atomic::write_bytes(&path, Existing::Replace, &bytes)?;
            drop(progress);
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
            let progress = Progress::start("export");
            progress.step(format!("reading {}", redact(&db)));
            let store = open(&db).await?;
            let doc = store.export().await?;
            store.close().await;
            progress.step(format!(
                "making the workbook of {} referrals",
                doc.referrals.len()
            ));
            let bytes = ipstrack_interop::spreadsheet::caseload_xlsx(&doc, &mapping)?;
            progress.step(format!("writing {}", path.display()));
            atomic::write_bytes(&path, Existing::Replace, &bytes)?;
            drop(progress);
            eprintln!(
                "wrote {} referrals in the spreadsheet layout to {}",
                doc.referrals.len(),
                path.display()
            );
        }
        StoreCommand::Export { out: path, db, .. } => {
            let progress = Progress::start("export");
            progress.step(format!("reading {}", redact(&db)));
            let store = open(&db).await?;
            let doc = store.export().await?;
            let counter = progress.writing(format!(
                "writing {} referrals to {}",
                doc.referrals.len(),
                path.display()
            ));
            atomic::write_json(&path, Existing::Replace, &doc, &counter)?;
            drop(progress);
            eprintln!(
                "exported {} referrals to {}",
                doc.referrals.len(),
                path.display()
            );
            store.close().await;
        }
        _ => unreachable!("only the export commands come here"),
    }
    Ok(())
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
        atomic::write_bytes(&path, Existing::Replace, text.as_bytes())?;
    }
    Ok(())
}
