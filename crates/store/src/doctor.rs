//! `doctor`: what a store checks of itself — the database's own integrity,
//! references, every record valid and stored as the loader reads it,
//! every record the audit log has present, and users' links to an identity
//! as the users page stores them.

use ipstrack_core::bundle::BundleDoc;

use crate::{Backend, Result, Store};

impl Store {
    /// SQLite's `PRAGMA integrity_check` and a foreign-key check; PostgreSQL
    /// answers for its own storage, so only the references are checked there.
    /// On both, every record must be valid, and every record the audit log
    /// says exists must be there (an incomplete restore, a lost write).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if self.backend == Backend::Sqlite {
            let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                .fetch_all(&self.read)
                .await?;
            problems.extend(rows.into_iter().map(|(r,)| r).filter(|r| r != "ok"));
            let fk: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(&self.read)
                    .await?;
            problems.extend(
                fk.into_iter()
                    .map(|(t,)| format!("a row of {t} refers to a missing record")),
            );
        }
        if let Err(e) = self.load().await {
            problems.push(e.to_string());
        } else {
            problems.extend(not_as_loaded(&self.export().await?));
        }
        problems.extend(self.lost_records().await?);
        problems.extend(self.identity_problems().await?);
        Ok(problems)
    }
}

/// The records stored otherwise than the loader reads them (issue 20: every
/// write stores core's canonical form, so only rows written before that —
/// text with spaces around it, an NHS number with spaces — are named). They
/// load, but a write that compared them as stored could disagree with the
/// loader: saving each record again, or importing an export, stores them as
/// read.
fn not_as_loaded(stored: &BundleDoc) -> Vec<String> {
    let Ok(loaded) = ipstrack_core::bundle::canonical(stored) else {
        return Vec::new();
    };
    fn differ<T: PartialEq>(
        noun: &str,
        a: &[T],
        b: &[T],
        id: impl Fn(&T) -> &str,
        out: &mut Vec<String>,
    ) {
        for (x, y) in a.iter().zip(b) {
            if x != y {
                out.push(format!("{noun} {}", id(x)));
            }
        }
    }
    let mut names = Vec::new();
    if stored.service != loaded.service {
        names.push("the service".to_string());
    }
    differ("team", &stored.teams, &loaded.teams, |t| &t.id, &mut names);
    differ("staff", &stored.staff, &loaded.staff, |s| &s.id, &mut names);
    differ(
        "client",
        &stored.clients,
        &loaded.clients,
        |c| &c.id,
        &mut names,
    );
    differ(
        "referral",
        &stored.referrals,
        &loaded.referrals,
        |r| &r.id,
        &mut names,
    );
    differ(
        "employer contact",
        &stored.employer_contacts,
        &loaded.employer_contacts,
        |e| &e.id,
        &mut names,
    );
    differ(
        "fidelity review",
        &stored.fidelity_reviews,
        &loaded.fidelity_reviews,
        |f| &f.id,
        &mut names,
    );
    if names.is_empty() {
        return Vec::new();
    }
    const SHOWN: usize = 20;
    let more = names.len().saturating_sub(SHOWN);
    names.truncate(SHOWN);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    vec![format!(
        "stored otherwise than the loader reads them (text with spaces around it, written before issue 20): {}{more}; save them again, or import an export, to store them as read",
        names.join(", ")
    )]
}
