//! The shared state of a running server: the store, the snapshot of the
//! data as last loaded (with the reports and worklists made from it), and
//! how a write or a change made elsewhere becomes a new snapshot; and what
//! the running server keeps beside the data: the uploads waiting for their
//! confirmation and the searches running.

#[cfg(test)]
mod example_store;
mod memo;
pub(crate) mod searches;
mod snapshot;
pub(crate) mod uploads;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ipstrack_core::bundle::{EmployerContactDoc, FidelityReviewDoc};
use ipstrack_core::report::{Part, parts_reading_client};
use ipstrack_core::{Day, Loaded};
use ipstrack_store::{Change, Saved, Store, StoreError};
pub use snapshot::Snapshot;

/// Settings of a running server.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Mark cookies `Secure` (serve behind TLS).
    pub secure_cookies: bool,
    /// A fixed "today" (tests and demos); the clock otherwise.
    pub today: Option<Day>,
    /// Signing in with the organisation's account (OpenID Connect), when
    /// set up.
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
}

/// What every handler shares: the store and the dataset as last loaded.
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) data: RwLock<Arc<Snapshot>>,
    /// Serialises publishing a new snapshot (readers never wait for it).
    pub(crate) publish: Mutex<()>,
    /// Serialises following the change sequence and whole reloads, so that
    /// a reload never undoes changes followed while it read.
    pub(crate) following: tokio::sync::Mutex<()>,
    /// The last change of the database's change sequence the snapshot holds.
    pub(crate) applied_change: AtomicI64,
    pub(crate) config: Config,
    /// Spreadsheets uploaded and waiting for their confirmation.
    pub(crate) uploads: uploads::Uploads,
    /// Searches running, limited per user and in all.
    pub(crate) searches: searches::Searches,
}

impl AppState {
    pub(crate) fn data(&self) -> Arc<Snapshot> {
        self.data.read().expect("not poisoned").clone()
    }

    pub(crate) fn today(&self) -> Day {
        self.config
            .today
            .unwrap_or_else(|| Day::from_date(jiff::Zoned::now().date()))
    }

    /// Reloads the whole dataset (after an import, or a change to the
    /// service, policy or staff): a new snapshot.
    pub(crate) async fn reload(&self) -> Result<(), StoreError> {
        let _following = self.following.lock().await;
        self.reload_following().await
    }

    /// [`AppState::reload`] by the holder of the `following` lock.
    async fn reload_following(&self) -> Result<(), StoreError> {
        let (loaded, seq) = self.store.load_with_change().await?;
        self.install(loaded, seq);
        crate::telemetry::snapshot_reloaded();
        Ok(())
    }

    /// Publishes the data of a whole reload, read at change `seq`. A
    /// referral published since it was read (a write here, or one followed
    /// from elsewhere) is newer than the one read: it stays. The change
    /// sequence is followed again from `seq`, so that nothing published
    /// since and not kept (employer contacts have no version) is skipped.
    pub(crate) fn install(&self, mut loaded: Loaded, seq: i64) {
        let _publishing = self.publish.lock().expect("not poisoned");
        let current = self.data();
        let d = &current.dataset;
        for r in d.referrals.iter() {
            let newer = loaded
                .referral_index(&r.id)
                .is_none_or(|at| loaded.dataset.referrals[at].version < r.version);
            if !newer {
                continue;
            }
            let doc = ipstrack_core::bundle::referral_document(d, r);
            let client = ipstrack_core::bundle::client_document(d.client(r.client));
            // One that does not fit (it cannot happen with data read later)
            // is left to the change follower.
            if let Ok(with) = loaded.with_referral(Some(&client), &doc, r.version) {
                loaded = with;
            }
        }
        *self.data.write().expect("not poisoned") = Arc::new(Snapshot::new(loaded));
        self.applied_change.store(seq, Ordering::SeqCst);
    }

    /// Publishes a new snapshot with one referral as stored (after a write
    /// here or elsewhere), sharing every other referral with the current one.
    /// A version the snapshot already has (or a newer one) changes nothing.
    /// `false` when the snapshot cannot take it (a specialist it names is not
    /// loaded yet): the caller reloads.
    pub(crate) fn apply(&self, saved: &Saved) -> bool {
        let _publishing = self.publish.lock().expect("not poisoned");
        let current = self.data();
        let d = &current.dataset;
        if current
            .referral_index(&saved.referral.id)
            .is_some_and(|at| d.referrals[at].version >= saved.version)
        {
            return true;
        }
        // The client is put in only when it is new or changed, so that the
        // list of clients stays shared.
        let known = current.client_index(&saved.client.id).is_some_and(|at| {
            ipstrack_core::bundle::client_document(&d.clients[at]) == saved.client
        });
        let client = (!known).then_some(&saved.client);
        match current.with_referral(client, &saved.referral, saved.version) {
            Ok(loaded) => {
                let moved = moved_parts(&current, &loaded, &saved.referral.id);
                let at = loaded
                    .referral_index(&saved.referral.id)
                    .expect("the referral just put in");
                let next = current.after_referral(loaded, &moved, at);
                *self.data.write().expect("not poisoned") = Arc::new(next);
                true
            }
            Err(_) => false,
        }
    }

    /// Publishes a new snapshot with the employer contacts as stored,
    /// sharing everything else; `false` when they do not fit the snapshot
    /// (an ES or client not loaded yet): the caller reloads.
    pub(crate) fn apply_employer_contacts(&self, contacts: &[EmployerContactDoc]) -> bool {
        let _publishing = self.publish.lock().expect("not poisoned");
        let current = self.data();
        match current.with_employer_contacts(contacts) {
            Ok(loaded) => {
                let next = current.after_employer_contacts(loaded);
                *self.data.write().expect("not poisoned") = Arc::new(next);
                true
            }
            Err(_) => false,
        }
    }

    /// Publishes a new snapshot with the fidelity reviews as stored, sharing
    /// everything else; `false` when they do not fit the snapshot (a team
    /// not loaded yet): the caller reloads.
    pub(crate) fn apply_fidelity_reviews(&self, reviews: &[FidelityReviewDoc]) -> bool {
        let _publishing = self.publish.lock().expect("not poisoned");
        let current = self.data();
        match current.with_fidelity_reviews(reviews) {
            Ok(loaded) => {
                let next = current.after_fidelity_reviews(loaded);
                *self.data.write().expect("not poisoned") = Arc::new(next);
                true
            }
            Err(_) => false,
        }
    }

    /// Puts the stored fidelity reviews into the snapshot (after a write
    /// here), or reloads everything; a failure is logged, and the change
    /// follower loads them once it can.
    pub(crate) async fn publish_fidelity_reviews(&self) {
        let published = match self.store.fidelity_reviews().await {
            Ok(reviews) if self.apply_fidelity_reviews(&reviews) => Ok(()),
            Ok(_) => self.reload().await,
            Err(e) => Err(e),
        };
        if let Err(e) = published {
            not_published(&e);
        }
    }

    /// Puts the stored employer contacts into the snapshot (after a write
    /// here), or reloads everything. The write is saved: a failure here is
    /// logged, and the change follower loads the contacts once it can.
    pub(crate) async fn publish_employer_contacts(&self) {
        let published = match self.store.employer_contacts().await {
            Ok(contacts) if self.apply_employer_contacts(&contacts) => Ok(()),
            Ok(_) => self.reload().await,
            Err(e) => Err(e),
        };
        if let Err(e) = published {
            not_published(&e);
        }
    }

    /// Puts a written referral into the snapshot, or reloads everything. The
    /// write is saved: a failure here (the database lost just then) is
    /// logged, not answered, and the change follower puts the referral in
    /// once it can.
    pub(crate) async fn publish(&self, saved: &Saved) {
        if !self.apply(saved) {
            self.refresh().await;
        }
    }

    /// Reloads everything after a write made here (an import, the policy):
    /// the write is saved, so a failure is logged, not answered, and the
    /// change follower loads it once it can.
    pub(crate) async fn refresh(&self) {
        if let Err(e) = self.reload().await {
            not_published(&e);
        }
    }

    /// Loads what other servers and commands wrote since the snapshot's last
    /// change: only the referrals they changed, or everything when a change
    /// touched more than referrals.
    pub(crate) async fn catch_up(&self) -> Result<(), StoreError> {
        const BATCH: i64 = 1_000;
        let _following = self.following.lock().await;
        let since = self.applied_change.load(Ordering::SeqCst);
        let changes = self.store.changes_since(since, BATCH).await?;
        let Some(&(last, _)) = changes.last() else {
            return Ok(());
        };
        if changes.len() as i64 == BATCH || changes.iter().any(|(_, c)| *c == Change::Everything) {
            return self.reload_following().await;
        }
        if changes.iter().any(|(_, c)| *c == Change::EmployerContacts) {
            let contacts = self.store.employer_contacts().await?;
            if !self.apply_employer_contacts(&contacts) {
                return self.reload_following().await;
            }
        }
        if changes.iter().any(|(_, c)| *c == Change::FidelityReviews) {
            let reviews = self.store.fidelity_reviews().await?;
            if !self.apply_fidelity_reviews(&reviews) {
                return self.reload_following().await;
            }
        }
        let mut ids: Vec<&str> = changes
            .iter()
            .filter_map(|(_, c)| match c {
                Change::Referral(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            if let Some(saved) = self.store.referral(id).await?
                && !self.apply(&saved)
            {
                return self.reload_following().await;
            }
        }
        self.applied_change.fetch_max(last, Ordering::SeqCst);
        crate::telemetry::changes_followed();
        Ok(())
    }
}

/// The parts whose figures putting referral `id` into `before` (making
/// `after`) can move: those reading its client before and after (core's
/// `parts_reading_client`).
fn moved_parts(before: &Loaded, after: &Loaded, id: &str) -> Vec<Part> {
    let client = |l: &Loaded| {
        l.referral_index(id)
            .map(|at| l.dataset.referrals[at].client)
    };
    let mut moved = Vec::new();
    if let Some(c) = client(before) {
        moved.extend(parts_reading_client(&before.dataset, c));
    }
    if let Some(c) = client(after) {
        moved.extend(parts_reading_client(&after.dataset, c));
    }
    moved
}

/// Logs that a write saved here is not in the snapshot yet.
fn not_published(e: &StoreError) {
    tracing::warn!(
        error = %e,
        "a saved change is not shown yet: loading it failed; the change follower loads it once it can"
    );
}

/// How often a server looks for changes it did not make.
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(400);

/// Follows the database's change sequence while the application lives:
/// woken by a write's notice on PostgreSQL, every `CHANGE_POLL` on SQLite.
pub(crate) async fn follow_changes(state: std::sync::Weak<AppState>) {
    let Some(store) = state.upgrade().map(|s| s.store.clone()) else {
        return;
    };
    loop {
        store.wait_for_change(CHANGE_POLL).await;
        let Some(state) = state.upgrade() else { return };
        if let Err(e) = state.catch_up().await {
            tracing::warn!("loading changes made elsewhere failed: {e}");
        }
        if let Ok(latest) = store.latest_change().await {
            crate::telemetry::change_feed_lag(latest, state.applied_change.load(Ordering::SeqCst));
        }
    }
}

/// Core's reports derive referrals on rayon's threads side by side: in the
/// server, on one fewer than the machine's cores (as many as make reports
/// at once, [`memo`]), so that a burst of reports made after saves leaves a
/// core for the saves themselves. Set once per process; a second server in
/// the same process (tests) finds it set.
pub(crate) fn leave_a_core_for_saves() {
    let threads = memo::makers::all_but_one_core();
    let _already = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global();
}

/// The state every handler takes.
pub(crate) type Shared = Arc<AppState>;

#[cfg(test)]
mod tests;
