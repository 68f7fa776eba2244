//! Files written whole or not at all: backups, exports, extracts and demo
//! bundles go into a temporary file in the final file's folder, which is
//! flushed to disk (fsync) and only then renamed to its final name. A kill, a
//! full disk or any other failure leaves the final path as it was: absent, or
//! the earlier file unchanged.
//!
//! A kill (`kill -9`, the OOM killer, a power cut) leaves the temporary file
//! (`.NAME.XXXXXX.partial`) behind: nothing runs after it. So its writer holds
//! an advisory lock (`flock`) on it while it lives, and every write into a
//! folder first removes the partial files there whose lock it can take: their
//! writers are dead. A live writer's file is locked, and left alone.

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

/// The random part of a temporary file's name: `XXXXXX` in
/// `.NAME.XXXXXX.partial`.
const RANDOM_CHARS: usize = 6;

/// The suffixes SQLite gives the files beside a database (a restore checks
/// the copy as a database before renaming it).
const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// An empty temporary file beside `path` (`.NAME.XXXXXX.partial`), locked
/// while it is open (see the module's comment) and removed again if it is
/// dropped before [`finish`]. The partial files of dead writers in the same
/// folder are removed first.
pub fn beside(path: &Path) -> Result<NamedTempFile> {
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} does not name a file", path.display()))?;
    let dir = folder(path);
    remove_dead_partials(&dir);
    // A new file gets 0666 less the umask, as File::create gives (ipstrack
    // runs with umask 077: its owner's only); a replaced file keeps the
    // permissions its owner gave it (set after creation, so the umask does
    // not narrow them).
    let kept = std::fs::metadata(path).ok().map(|m| m.permissions());
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .rand_bytes(RANDOM_CHARS)
        .suffix(".partial");
    if let Some(permissions) = new_file_permissions() {
        builder.permissions(permissions);
    }
    let cannot_create = || {
        format!(
            "cannot write {}: cannot create a file in the folder {}",
            path.display(),
            dir.display()
        )
    };
    let mut tries = 0;
    let temp = loop {
        let temp = builder.tempfile_in(&dir).with_context(cannot_create)?;
        // Where locks cannot be taken (some network file systems) the file
        // is written unlocked: no sweeper can lock it either, so none
        // removes it.
        let _ = lock(temp.as_file());
        // Another process sweeping the folder may have taken the lock of the
        // new file before this one did, and removed it: then make another.
        tries += 1;
        if tries == 5 || same_file(temp.path(), temp.as_file()) {
            break temp;
        }
        let _ = temp.into_temp_path().keep();
    };
    if let Some(permissions) = kept {
        temp.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(temp)
}

/// Locks a new temporary file for as long as it is open (blocking: a
/// sweeper holds it for a moment at most).
#[cfg(unix)]
fn lock(file: &File) -> std::io::Result<()> {
    Ok(rustix::fs::flock(
        file,
        rustix::fs::FlockOperation::LockExclusive,
    )?)
}

#[cfg(not(unix))]
fn lock(_file: &File) -> std::io::Result<()> {
    Ok(())
}

/// Whether `path` still names the open `file` (not removed or replaced).
#[cfg(unix)]
fn same_file(path: &Path, file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::symlink_metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_path: &Path, _file: &File) -> bool {
    true
}

/// The temporary file a name belongs to: itself for `.NAME.XXXXXX.partial`,
/// the partial file for SQLite's files beside it (`…partial-wal`); `None`
/// for every other name.
fn partial_of(name: &str) -> Option<&str> {
    let base = SIDE_FILES
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(name);
    let stem = base.strip_prefix('.')?.strip_suffix(".partial")?;
    let (final_name, random) = stem.rsplit_once('.')?;
    let ours = !final_name.is_empty()
        && random.len() == RANDOM_CHARS
        && random.bytes().all(|b| b.is_ascii_alphanumeric());
    ours.then_some(base)
}

/// Removes the partial files in `dir` whose writers are dead (their lock
/// can be taken), with SQLite's files beside them, saying so on stderr.
/// Only this user's files; best effort: what cannot be read or removed
/// stays.
#[cfg(unix)]
fn remove_dead_partials(dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = rustix::process::getuid().as_raw();
    let mut sides = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(partial) = partial_of(name) else {
            continue;
        };
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_file() && m.uid() == me => {}
            _ => continue,
        }
        if partial != name {
            sides.push((path, dir.join(partial)));
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        let free = rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive);
        // Locked: its writer lives. Taken: removed while held, so a writer
        // that made it just now makes another (see `beside`).
        if free.is_ok() && same_file(&path, &file) && std::fs::remove_file(&path).is_ok() {
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            eprintln!(
                "removed {} ({size} bytes): left by a write that did not finish",
                path.display()
            );
        }
    }
    // SQLite's files beside a partial file that is gone.
    for (side, partial) in sides {
        if !partial.exists() && std::fs::remove_file(&side).is_ok() {
            eprintln!(
                "removed {}: left by a write that did not finish",
                side.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn remove_dead_partials(_dir: &Path) {}

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
