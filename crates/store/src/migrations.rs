//! The schema's migrations, in version order: those written once for both
//! databases (`migrations/both`) and those each database needs in its own
//! words (`migrations/sqlite`, `migrations/postgres`). A version is in one of
//! the two folders a database reads, never both (a test below); each file's
//! text is what the database records a checksum of, so a file moved between
//! folders unchanged is the same migration to a database already migrated.

use std::sync::LazyLock;

use sqlx::migrate::Migrator;

use crate::Backend;

static BOTH: Migrator = sqlx::migrate!("./migrations/both");
static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

static SQLITE_ALL: LazyLock<Migrator> = LazyLock::new(|| with_both(&SQLITE));
static POSTGRES_ALL: LazyLock<Migrator> = LazyLock::new(|| with_both(&POSTGRES));

fn with_both(own: &Migrator) -> Migrator {
    Migrator::with_migrations(BOTH.iter().chain(own.iter()).cloned().collect())
}

/// Every migration of `backend`'s, in version order.
pub(crate) fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &SQLITE_ALL,
        Backend::Postgres => &POSTGRES_ALL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_database_has_every_version_once_from_one_onwards() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let versions: Vec<i64> = migrator(backend).iter().map(|m| m.version).collect();
            let expected: Vec<i64> = (1..=versions.len() as i64).collect();
            assert_eq!(versions, expected, "{backend:?}");
        }
    }

    #[test]
    fn a_database_of_its_own_and_both_never_hold_the_same_version() {
        for own in [&SQLITE, &POSTGRES] {
            for m in own.iter() {
                assert!(
                    !BOTH.version_exists(m.version),
                    "version {} is in migrations/both and a database's own folder",
                    m.version
                );
            }
        }
    }
}
