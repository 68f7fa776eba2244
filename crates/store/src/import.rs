//! A bundle into the tables: the incoming records put over the stored ones
//! (same id: replaced; new id: added), the whole result checked (BAD-1), and
//! only what changed written by each table, with its audit rows, in the
//! caller's transaction. A referral changed since the bundle was taken
//! refuses the import (issue 20).

use std::collections::{BTreeMap, HashMap};

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, ReferralDoc, Removed, canonical, removed};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::write_audit;
use crate::changes::{Change, append, append_referral};
use crate::sql::{scaled, unscaled};
use crate::tables::{
    clients, employer_contacts, fidelity_reviews, read_bundle, referrals, service, staff, teams,
};
use crate::{Result, Store, StoreError};

/// How many records of one kind an import created, updated or left unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What an import changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub service_changed: bool,
    pub teams: Changes,
    pub staff: Changes,
    pub clients: Changes,
    pub referrals: Changes,
    pub employer_contacts: Changes,
    pub fidelity_reviews: Changes,
    /// The records updated, by kind (`referral r1`); created ones are counted only.
    pub updated: Vec<String>,
    /// Every stored referral the import replaced, with what replacing it
    /// removed (issue 20), in the bundle's order.
    pub replaced: Vec<Replaced>,
}

/// A stored referral that an import replaces (or, changed since the bundle
/// was taken, refuses to replace): what replacing it removes, and the
/// versions that tell whether it changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Replaced {
    pub id: String,
    /// Its client's id (pages name the person).
    pub client: String,
    /// The version the bundle says it was taken at; `None` when the bundle
    /// does not say (a bundle made elsewhere, or by hand).
    pub bundle_version: Option<i64>,
    /// The version stored now.
    pub version: i64,
    /// What the incoming form removes from the stored one.
    pub removed: Removed,
}

impl Replaced {
    /// Changed since the bundle was taken: stored at another version than
    /// the bundle names.
    pub fn changed_since(&self) -> bool {
        self.bundle_version.is_some_and(|v| v != self.version)
    }
}

impl Replaced {
    /// The referral and what replacing it does; one changed since says so,
    /// with `taken` saying since when (`the bundle was taken`, `the
    /// preview`).
    pub fn explain(&self, taken: &str) -> String {
        match self.bundle_version {
            Some(at) if self.changed_since() => {
                let what = if self.removed.is_empty() {
                    "undo what was changed since".to_string()
                } else {
                    self.removed.describe()
                };
                format!(
                    "referral {} changed since {taken} (version {at}, now {}): importing would {what}",
                    self.id, self.version
                )
            }
            Some(_) => format!("referral {}: importing {}", self.id, self.removed),
            None => format!(
                "referral {} (not versioned by the bundle): importing {}",
                self.id, self.removed
            ),
        }
    }
}

impl std::fmt::Display for Replaced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.explain("the bundle was taken"))
    }
}

/// The message of [`StoreError::Stale`]: every referral named.
pub(crate) fn stale_message(stale: &[Replaced]) -> String {
    let n = stale.len();
    let mut message = format!(
        "the import was refused, nothing was written: {n} {} changed since the bundle was taken: ",
        if n == 1 { "referral" } else { "referrals" }
    );
    let each: Vec<String> = stale.iter().map(ToString::to_string).collect();
    message.push_str(&each.join("; "));
    message
}

/// added at the end) and reports which are new, changed or the same.
fn merge<T: Clone + PartialEq + Serialize>(
    stored: &[T],
    incoming: &[T],
    id: impl Fn(&T) -> &str,
) -> Merged<T> {
    let mut merged = stored.to_vec();
    let index: HashMap<String, usize> = stored
        .iter()
        .enumerate()
        .map(|(i, r)| (id(r).to_string(), i))
        .collect();
    let mut seen = std::collections::HashSet::new();
    // (position in merged, the old record if it was an update)
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for record in incoming {
        let key = id(record);
        let at = if !seen.insert(key) {
            // The same id twice in the incoming bundle: keep both, so that
            // validation refuses the duplicate by name.
            None
        } else {
            index.get(key).copied()
        };
        match at {
            Some(at) if merged[at] == *record => unchanged += 1,
            Some(at) => {
                let old = std::mem::replace(&mut merged[at], record.clone());
                changed.push((at, Some(old)));
            }
            None => {
                merged.push(record.clone());
                changed.push((merged.len() - 1, None));
            }
        }
    }
    Merged {
        records: merged,
        changed,
        unchanged,
    }
}

/// Stored records with the incoming ones put over them.
struct Merged<T> {
    records: Vec<T>,
    /// (position in `records`, the old record if it was an update).
    changed: Vec<(usize, Option<T>)>,
    unchanged: usize,
}

impl<T: PartialEq> Merged<T> {
    /// [`settle`] on these changes, against the records in their stored form.
    fn settle(&mut self, stored: &[T]) {
        settle(&mut self.changed, &mut self.unchanged, stored);
    }
}

/// Takes out of `changed` the updates whose record, as stored, is the old
/// one after all (it differed only in what storing trims), counting them as
/// unchanged.
fn settle<T: PartialEq>(
    changed: &mut Vec<(usize, Option<T>)>,
    unchanged: &mut usize,
    stored: &[T],
) {
    let before = changed.len();
    changed.retain(|(at, old)| old.as_ref() != Some(&stored[*at]));
    *unchanged += before - changed.len();
}

fn changes<T>(changed: &[(usize, Option<T>)], unchanged: usize) -> Changes {
    let updated = changed.iter().filter(|(_, old)| old.is_some()).count();
    Changes {
        created: changed.len() - updated,
        updated,
        unchanged,
    }
}

/// The stored form of a bundle: numbers as the store writes them back
/// (`1.0` is `1`), absent lists as empty lists, `retained` as false.
fn normalize(doc: &BundleDoc) -> BundleDoc {
    let mut doc = doc.clone();
    for s in &mut doc.staff {
        s.fte = unscaled(scaled(&s.fte, 10_000.0), 10_000);
    }
    for r in &mut doc.referrals {
        r.fill_absent();
        for j in r.jobs.iter_mut().flatten() {
            j.hours_per_week = j
                .hours_per_week
                .as_ref()
                .map(|h| unscaled(scaled(h, 100.0), 100));
            if let Some(weekly) = &mut j.weekly_hours {
                for h in weekly.iter_mut() {
                    *h = unscaled(scaled(h, 100.0), 100);
                }
            }
        }
    }
    // Employer contacts as the store keeps them: trimmed, a blank note none.
    for e in &mut doc.employer_contacts {
        e.employer = e.employer.trim().to_string();
        e.note = e
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
    }
    doc
}

/// An import changing more referrals than this asks servers for one whole
/// reload instead of loading each referral.
const RELOAD_ABOVE: usize = 500;

/// Writes an import inside the caller's transaction (every writer of records
/// that are not a referral's own rows comes through here: one door).
pub(crate) async fn import(
    conn: &mut AnyConnection,
    incoming: &BundleDoc,
    actor: &str,
) -> Result<ImportSummary> {
    let incoming = &normalize(incoming);
    let stored = read_bundle(conn).await?;
    let mut teams = merge(&stored.teams, &incoming.teams, |r| &r.id);
    let mut staff = merge(&stored.staff, &incoming.staff, |r| &r.id);
    let mut clients = merge(&stored.clients, &incoming.clients, |r| &r.id);
    let mut referrals = merge(&stored.referrals, &incoming.referrals, |r| &r.id);
    let mut employer_contacts = merge(
        &stored.employer_contacts,
        &incoming.employer_contacts,
        |r| &r.id,
    );
    let mut fidelity_reviews = merge(&stored.fidelity_reviews, &incoming.fidelity_reviews, |r| {
        &r.id
    });
    // A stored referral the import would replace that changed since the
    // bundle was taken refuses the whole import (issue 20). Which ones the
    // import replaces is known for sure once the result is in its stored
    // form (below: a copy differing only by spaces replaces nothing); a
    // bundle refused on the way is refused for these first, as what it
    // holds of them is out of date.
    let stale = |merged: &[ReferralDoc], changes: &[(usize, Option<ReferralDoc>)]| {
        replaced(merged, changes, incoming, &stored)
            .into_iter()
            .filter(Replaced::changed_since)
            .collect::<Vec<_>>()
    };
    let stale_or = |error: StoreError, stale: Vec<Replaced>| {
        if stale.is_empty() {
            error
        } else {
            StoreError::Stale(stale)
        }
    };
    let maybe_stale = stale(&referrals.records, &referrals.changed);
    let merged = BundleDoc {
        format: incoming.format.clone(),
        service: incoming.service.clone(),
        policy: incoming.policy.clone(),
        teams: std::mem::take(&mut teams.records),
        staff: std::mem::take(&mut staff.records),
        clients: std::mem::take(&mut clients.records),
        referrals: std::mem::take(&mut referrals.records),
        employer_contacts: std::mem::take(&mut employer_contacts.records),
        fidelity_reviews: std::mem::take(&mut fidelity_reviews.records),
        referral_versions: BTreeMap::new(),
    };
    // A referral the import changes is checked against what it was (a
    // transfer cannot be backdated), as a step on it would be.
    let mut refused = Vec::new();
    for (at, old) in &referrals.changed {
        if let Some(old) = old
            && let Err(e) =
                ipstrack_core::bundle::check_referral_change(old, &merged.referrals[*at])
        {
            refused.extend(e.0);
        }
    }
    if !refused.is_empty() {
        let invalid = StoreError::Invalid(ipstrack_core::bundle::BundleErrors(refused));
        return Err(stale_or(invalid, maybe_stale));
    }
    // The whole resulting dataset must pass every BAD-1 check; it is stored
    // as core writes it back (text trimmed, codes as the bundle writes
    // them), which is what the loader reads. A record the bundle gives as it
    // is stored, once so written, is not a change.
    let merged = match canonical(&merged) {
        Ok(merged) => merged,
        Err(errors) => return Err(stale_or(StoreError::Invalid(errors), maybe_stale)),
    };
    teams.settle(&merged.teams);
    staff.settle(&merged.staff);
    clients.settle(&merged.clients);
    referrals.settle(&merged.referrals);
    let stale = stale(&merged.referrals, &referrals.changed);
    if !stale.is_empty() {
        return Err(StoreError::Stale(stale));
    }
    employer_contacts.settle(&merged.employer_contacts);
    fidelity_reviews.settle(&merged.fidelity_reviews);

    let mut audit = Vec::new();
    let service_changed = stored.service != merged.service || stored.policy != merged.policy;
    if service_changed {
        audit.push(
            service::write(
                conn,
                (&stored.service, &stored.policy),
                &merged.service,
                &merged.policy,
            )
            .await?,
        );
    }

    let mut summary = ImportSummary {
        service_changed,
        teams: changes(&teams.changed, teams.unchanged),
        staff: changes(&staff.changed, staff.unchanged),
        clients: changes(&clients.changed, clients.unchanged),
        referrals: changes(&referrals.changed, referrals.unchanged),
        employer_contacts: changes(&employer_contacts.changed, employer_contacts.unchanged),
        fidelity_reviews: changes(&fidelity_reviews.changed, fidelity_reviews.unchanged),
        updated: Vec::new(),
        // Every stored referral replaced (in its stored form now), with what
        // that removes.
        replaced: replaced(&merged.referrals, &referrals.changed, incoming, &stored),
    };

    // Each table writes its changes: new rows inserted, changed ones
    // updated (a referral's child rows replaced whole), each audited.
    let updated = &mut summary.updated;
    teams::write(conn, (&merged.teams, &teams.changed), updated, &mut audit).await?;
    staff::write(conn, (&merged.staff, &staff.changed), updated, &mut audit).await?;
    clients::write(
        conn,
        (&merged.clients, &clients.changed),
        updated,
        &mut audit,
    )
    .await?;
    referrals::write(
        conn,
        &merged.referrals,
        &referrals.changed,
        updated,
        &mut audit,
    )
    .await?;
    let contacts = (
        &merged.employer_contacts[..],
        &employer_contacts.changed[..],
    );
    employer_contacts::write(conn, contacts, updated, &mut audit).await?;
    let reviews = (&merged.fidelity_reviews[..], &fidelity_reviews.changed[..]);
    fidelity_reviews::write(conn, reviews, updated, &mut audit).await?;
    // The change sequence: a server running beside this import loads the
    // referrals it changed, or everything when more than referrals changed
    // (or so many that one reload is cheaper).
    let others_changed = service_changed
        || !teams.changed.is_empty()
        || !staff.changed.is_empty()
        || !clients.changed.iter().all(|(_, old)| old.is_none());
    if others_changed || referrals.changed.len() > RELOAD_ABOVE {
        append(conn, &Change::Everything).await?;
    } else {
        for (at, _) in &referrals.changed {
            append_referral(conn, &merged.referrals[*at].id).await?;
        }
    }
    write_audit(conn, actor, audit).await?;
    Ok(summary)
}

/// The stored referrals that the changes replace (those with an old
/// record), each with the version the bundle names, the version stored and
/// what the incoming form removes.
fn replaced(
    merged: &[ReferralDoc],
    changes: &[(usize, Option<ReferralDoc>)],
    incoming: &BundleDoc,
    stored: &BundleDoc,
) -> Vec<Replaced> {
    changes
        .iter()
        .filter_map(|(at, old)| {
            let old = old.as_ref()?;
            let new = &merged[*at];
            Some(Replaced {
                id: new.id.clone(),
                client: old.client.clone(),
                bundle_version: incoming.referral_versions.get(&new.id).copied(),
                version: stored.referral_versions.get(&new.id).copied().unwrap_or(1),
                removed: removed(old, new),
            })
        })
        .collect()
}

impl Store {
    /// Imports a bundle: records with new ids are created, records with known
    /// ids replaced. All or nothing, in one transaction with the audit log.
    /// A referral the bundle names a version for (an export's
    /// `referral_versions`) that is stored at another version now, and that
    /// the import would change, refuses the whole import with
    /// [`StoreError::Stale`]: importing it would remove what was recorded
    /// since the bundle was taken (issue 20). The summary lists every stored
    /// referral replaced and what replacing it removed.
    pub async fn import(&self, incoming: &BundleDoc, actor: &str) -> Result<ImportSummary> {
        let mut tx = self.begin_write().await?;
        let summary = import(&mut tx, incoming, actor).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// What [`Store::import`] would do, and the same refusals, writing
    /// nothing: the import is made in a transaction that is rolled back.
    pub async fn import_dry_run(&self, incoming: &BundleDoc, actor: &str) -> Result<ImportSummary> {
        let mut tx = self.begin_write().await?;
        let summary = import(&mut tx, incoming, actor).await?;
        tx.rollback().await?;
        Ok(summary)
    }

    /// Saves one referral (new or changed) and, for a new person, their
    /// client record: the same checks and audit as an import, keeping the
    /// service and everything else as stored (data entry).
    pub async fn save_referral(
        &self,
        client: Option<ipstrack_core::bundle::ClientDoc>,
        referral: ReferralDoc,
        actor: &str,
    ) -> Result<ImportSummary> {
        let mut tx = self.begin_write().await?;
        let stored = service::read(&mut tx).await?;
        let doc = BundleDoc {
            format: BUNDLE_FORMAT.into(),
            service: stored.0,
            policy: stored.1,
            teams: Vec::new(),
            staff: Vec::new(),
            clients: client.into_iter().collect(),
            referrals: vec![referral],
            employer_contacts: Vec::new(),
            fidelity_reviews: Vec::new(),
            referral_versions: Default::default(),
        };
        let summary = import(&mut tx, &doc, actor).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Replaces the service's policy (thresholds and targets), checked like an
    /// import and audited.
    pub async fn save_policy(
        &self,
        policy: Option<ipstrack_core::bundle::PolicyDoc>,
        actor: &str,
    ) -> Result<ImportSummary> {
        let mut tx = self.begin_write().await?;
        let (service, _) = service::read(&mut tx).await?;
        let doc = BundleDoc {
            format: BUNDLE_FORMAT.into(),
            service,
            policy,
            teams: Vec::new(),
            staff: Vec::new(),
            clients: Vec::new(),
            referrals: Vec::new(),
            employer_contacts: Vec::new(),
            fidelity_reviews: Vec::new(),
            referral_versions: Default::default(),
        };
        let summary = import(&mut tx, &doc, actor).await?;
        tx.commit().await?;
        Ok(summary)
    }
}
