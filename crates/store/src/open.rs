//! Opening a database: one connection tried first, with a deadline, so that a
//! bad configuration — a file that is not a database, a damaged one, a folder
//! where the file cannot be made, a server that cannot be reached, a URL
//! without a database — is told in plain words within seconds instead of
//! after the pool's long wait ("pool timed out").

use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, Connection, Executor};

use crate::{Backend, Result, SQLITE_PRAGMAS, StoreError};

/// How long opening a database may take before it is given up.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite file of a `sqlite://` URL (without its options).
fn sqlite_path(url: &str) -> &str {
    let rest = url.strip_prefix("sqlite://").unwrap_or(url);
    let rest = rest.strip_prefix("sqlite:").unwrap_or(rest);
    rest.split('?').next().unwrap_or(rest)
}

/// `HOST:PORT` of a PostgreSQL URL (never its user or password).
pub(crate) fn server(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host.is_empty() { "localhost" } else { host };
    if host.ends_with(']') || !host.contains(':') {
        format!("{host}:5432")
    } else {
        host.to_string()
    }
}

/// The database a PostgreSQL URL names, if any.
fn database_name(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, q),
        None => (rest, ""),
    };
    let in_path = path
        .split_once('/')
        .map(|(_, db)| db)
        .filter(|db| !db.is_empty());
    in_path.or_else(|| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix("dbname="))
            .filter(|db| !db.is_empty())
    })
}

/// Refuses a PostgreSQL URL that names no database: PostgreSQL would use the
/// user's default database (often `postgres`) and ipstrack would make its
/// tables there.
pub(crate) fn check_url(backend: Backend, url: &str) -> Result<()> {
    if backend == Backend::Postgres && database_name(url).is_none() {
        return Err(StoreError::Unavailable(format!(
            "the PostgreSQL URL for {} names no database: add /DATABASE at its end (postgres://USER@HOST:PORT/DATABASE)",
            server(url)
        )));
    }
    Ok(())
}

/// Opens one connection and reads the schema, within [`OPEN_TIMEOUT`].
pub(crate) async fn probe(backend: Backend, url: &str, options: &AnyConnectOptions) -> Result<()> {
    let attempt = async {
        let mut conn = AnyConnection::connect_with(options).await?;
        if backend == Backend::Sqlite {
            for pragma in SQLITE_PRAGMAS {
                conn.execute(pragma).await?;
            }
            conn.execute("SELECT COUNT(*) FROM sqlite_master").await?;
        }
        conn.close().await?;
        Ok::<(), sqlx::Error>(())
    };
    match tokio::time::timeout(OPEN_TIMEOUT, attempt).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(explain(backend, url, e)),
        Err(_) => Err(StoreError::Unavailable(match backend {
            Backend::Postgres => format!(
                "cannot reach the PostgreSQL server at {} (no answer within {} s)",
                server(url),
                OPEN_TIMEOUT.as_secs()
            ),
            Backend::Sqlite => format!(
                "cannot open {} (no answer within {} s: is another program holding it?)",
                sqlite_path(url),
                OPEN_TIMEOUT.as_secs()
            ),
        })),
    }
}

/// The SQLite result code of an error (its primary code), if it is one.
fn sqlite_code(e: &sqlx::Error) -> Option<i64> {
    match e {
        sqlx::Error::Database(db) => db.code()?.parse::<i64>().ok().map(|c| c & 0xff),
        _ => None,
    }
}

/// Why a file cannot be made: the folder is missing, or not writable.
fn why_not_created(path: &Path) -> String {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return format!("the folder {} does not exist", folder.display());
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(path);
            "SQLite could not open it".into()
        }
        Err(e) => e.to_string(),
    }
}

/// A plain message for an error met while opening or migrating a database.
pub(crate) fn explain(backend: Backend, url: &str, e: sqlx::Error) -> StoreError {
    match backend {
        Backend::Sqlite => {
            let file = sqlite_path(url);
            let message = match sqlite_code(&e) {
                // SQLITE_NOTADB
                Some(26) => {
                    format!("{file} is not an ipstrack database (SQLite could not read it)")
                }
                // SQLITE_CORRUPT
                Some(11) => format!(
                    "{file} is damaged (SQLite: database disk image is malformed): restore it from a backup"
                ),
                // SQLITE_CANTOPEN
                Some(14) if !Path::new(file).exists() => format!(
                    "cannot create the SQLite database {file}: {}",
                    why_not_created(Path::new(file))
                ),
                Some(14) => format!(
                    "cannot open the SQLite database {file}: SQLite could not open it or its journal files beside it (is the folder read-only?)"
                ),
                // SQLITE_READONLY
                Some(8) => format!(
                    "cannot write the SQLite database {file}: the file or its folder is read-only"
                ),
                // SQLITE_FULL
                Some(13) => format!("cannot write the SQLite database {file}: the disk is full"),
                // SQLITE_IOERR
                Some(10) => format!("cannot read or write the SQLite database {file}: {e}"),
                _ => return StoreError::Database(e),
            };
            StoreError::Unavailable(message)
        }
        Backend::Postgres => {
            let at = server(url);
            let message = match &e {
                sqlx::Error::Io(io) => {
                    let why = match io.kind() {
                        std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                        std::io::ErrorKind::TimedOut => "no answer".to_string(),
                        _ => io.to_string(),
                    };
                    format!("cannot reach the PostgreSQL server at {at} ({why})")
                }
                sqlx::Error::Tls(tls) => {
                    format!("cannot reach the PostgreSQL server at {at} (TLS: {tls})")
                }
                sqlx::Error::Database(db) => match db.code().as_deref() {
                    Some("28P01" | "28000") => format!(
                        "the PostgreSQL server at {at} refused the sign-in ({})",
                        db.message()
                    ),
                    Some("3D000") => format!(
                        "the PostgreSQL server at {at} has no such database ({}): create it first (createdb)",
                        db.message()
                    ),
                    _ => return StoreError::Database(e),
                },
                _ => return StoreError::Database(e),
            };
            StoreError::Unavailable(message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_database_name_never_show_the_password() {
        let url = "postgres://ips:secret@db.example:6543/ipstrack?sslmode=require";
        assert_eq!(server(url), "db.example:6543");
        assert_eq!(database_name(url), Some("ipstrack"));
        assert_eq!(
            server("postgres://ips:secret@db.example"),
            "db.example:5432"
        );
        assert_eq!(database_name("postgres://ips:secret@db.example"), None);
        assert_eq!(database_name("postgres://ips:secret@db.example/"), None);
        assert_eq!(
            database_name("postgres://ips@db.example/?dbname=ipstrack"),
            Some("ipstrack")
        );
        let refused = check_url(Backend::Postgres, "postgres://ips:secret@db.example:6543")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("names no database"), "{refused}");
        assert!(!refused.contains("secret"), "{refused}");
        assert!(check_url(Backend::Postgres, url).is_ok());
    }
}
