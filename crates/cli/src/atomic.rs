//! Files written whole or not at all: backups, exports, extracts and demo
//! bundles go into a temporary file in the final file's folder, which is
//! flushed to disk (fsync) and only then renamed to its final name. A kill, a
//! full disk or any other failure leaves the final path as it was: absent, or
//! the earlier file unchanged.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use tempfile::NamedTempFile;

/// Whether a file already at the final path may be replaced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Replace,
    Refuse,
}

/// The folder a path's file lives in (`.` for a bare file name).
fn folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An empty temporary file beside `path` (`.NAME.XXXXXX.partial`), removed
/// again if it is dropped before [`finish`].
pub fn beside(path: &Path) -> Result<NamedTempFile> {
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} does not name a file", path.display()))?;
    let dir = folder(path);
    // A new file gets 0666 less the umask, as File::create gives (ipstrack
    // runs with umask 077: its owner's only); a replaced file keeps the
    // permissions its owner gave it (set after creation, so the umask does
    // not narrow them).
    let kept = std::fs::metadata(path).ok().map(|m| m.permissions());
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    if let Some(permissions) = new_file_permissions() {
        builder.permissions(permissions);
    }
    let temp = builder.tempfile_in(&dir).with_context(|| {
        format!(
            "cannot write {}: cannot create a file in the folder {}",
            path.display(),
            dir.display()
        )
    })?;
    if let Some(permissions) = kept {
        temp.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(temp)
}

#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    // The umask applies when the file is created.
    Some(std::fs::Permissions::from_mode(0o666))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Flushes a complete temporary file to disk and renames it to `path`, then
/// flushes the folder so the new name is durable too.
pub fn finish(temp: NamedTempFile, path: &Path, existing: Existing) -> Result<()> {
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    let persisted = match existing {
        Existing::Replace => temp.persist(path),
        Existing::Refuse => temp.persist_noclobber(path),
    };
    if let Err(e) = persisted {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(anyhow!("{} already exists", path.display()));
        }
        return Err(anyhow!("cannot write {}: {}", path.display(), e.error));
    }
    // The rename is durable once the folder is on disk (best effort: some
    // file systems cannot open a folder for syncing).
    if let Ok(dir) = File::open(folder(path)) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes `path` whole or not at all with `write` (see the module's comment).
pub fn write_with(
    path: &Path,
    existing: Existing,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    if existing == Existing::Refuse && path.exists() {
        return Err(anyhow!("{} already exists", path.display()));
    }
    let mut temp = beside(path)?;
    {
        let mut writer = BufWriter::new(temp.as_file_mut());
        write(&mut writer)
            .and_then(|()| Ok(writer.flush()?))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    finish(temp, path, existing)
}

/// Writes bytes to `path` whole or not at all.
pub fn write_bytes(path: &Path, existing: Existing, bytes: &[u8]) -> Result<()> {
    write_with(path, existing, |w| Ok(w.write_all(bytes)?))
}

/// Writes a value as pretty JSON (and a final newline) whole or not at all,
/// counting the bytes written on `counter` (a progress bar, or hidden).
pub fn write_json<T: serde::Serialize>(
    path: &Path,
    existing: Existing,
    value: &T,
    counter: &indicatif::ProgressBar,
) -> Result<()> {
    write_with(path, existing, |w| {
        let mut w = counter.wrap_write(w);
        serde_json::to_writer_pretty(&mut w, value)?;
        w.write_all(b"\n")?;
        Ok(())
    })
}
