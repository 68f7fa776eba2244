//! The shared state of a running server: the store, the snapshot of the
//! data as last loaded (with the reports and worklists made from it), and
//! how a write or a change made elsewhere becomes a new snapshot; and what
//! the running server keeps beside the data: the uploads waiting for their
//! confirmation and the searches running.

#[cfg(test)]
mod example_store;
pub(crate) mod searches;
pub(crate) mod uploads;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use ipstrack_core::alert::WorkItem;
use ipstrack_core::bundle::EmployerContactDoc;
use ipstrack_core::report::{Report, ReportError};
use ipstrack_core::{Day, Loaded, Period, report};
use ipstrack_store::{Change, Saved, Store, StoreError};

/// Settings of a running server.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Mark cookies `Secure` (serve behind TLS).
    pub secure_cookies: bool,
    /// A fixed "today" (tests and demos); the clock otherwise.
    pub today: Option<Day>,
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

/// One version of the data, with the reports and worklists made from it (by
/// period and as-of date, and by day). A write makes a new snapshot, so nothing
/// made from older data is ever served after it.
pub struct Snapshot {
    loaded: Loaded,
    reports: Mutex<HashMap<(String, Day), Arc<Report>>>,
    worklists: Mutex<HashMap<Day, Arc<Vec<WorkItem>>>>,
    unallocated: Mutex<HashMap<(String, Day), Arc<ipstrack_core::report::Kpis>>>,
}

impl Snapshot {
    pub(crate) fn new(loaded: Loaded) -> Snapshot {
        Snapshot {
            loaded,
            reports: Mutex::new(HashMap::new()),
            worklists: Mutex::new(HashMap::new()),
            unallocated: Mutex::new(HashMap::new()),
        }
    }

    /// The report of a period as of a day, made once per snapshot.
    pub(crate) fn report(&self, period: &Period, as_of: Day) -> Result<Arc<Report>, ReportError> {
        let key = (period.label.clone(), as_of);
        if let Some(r) = self.reports.lock().expect("not poisoned").get(&key) {
            return Ok(r.clone());
        }
        let r = Arc::new(report(
            &self.loaded.dataset,
            &self.loaded.warnings,
            period,
            as_of,
        )?);
        self.reports
            .lock()
            .expect("not poisoned")
            .insert(key, r.clone());
        Ok(r)
    }

    /// TGT-3 *(rev. 3)*: the report of the financial year to date of
    /// `r`'s period (as of the same day), whose rates a part-year period's
    /// statuses judge; `None` for a whole financial year.
    pub(crate) fn year_to_date(&self, r: &Report) -> Result<Option<Arc<Report>>, ReportError> {
        let period = Period {
            start: r.period.start,
            end: r.period.end,
            label: r.period.label.clone(),
        };
        ipstrack_core::report::year_to_date_period(&period)
            .map(|ytd| self.report(&ytd, r.as_of))
            .transpose()
    }

    /// What no ES held in a period as of a day (R-2, core's
    /// `report::unallocated`), made once per snapshot like the report.
    pub(crate) fn unallocated(
        &self,
        period: &Period,
        as_of: Day,
    ) -> Result<Arc<ipstrack_core::report::Kpis>, ReportError> {
        let key = (period.label.clone(), as_of);
        if let Some(k) = self.unallocated.lock().expect("not poisoned").get(&key) {
            return Ok(k.clone());
        }
        let k = Arc::new(ipstrack_core::report::unallocated(
            &self.loaded.dataset,
            period,
            as_of,
        )?);
        self.unallocated
            .lock()
            .expect("not poisoned")
            .insert(key, k.clone());
        Ok(k)
    }

    /// The worklist of a day (CASE-4), made once per snapshot.
    pub(crate) fn worklist(&self, day: Day) -> Arc<Vec<WorkItem>> {
        if let Some(w) = self.worklists.lock().expect("not poisoned").get(&day) {
            return w.clone();
        }
        let w = Arc::new(ipstrack_core::worklist::worklist(&self.loaded.dataset, day));
        self.worklists
            .lock()
            .expect("not poisoned")
            .insert(day, w.clone());
        w
    }
}

impl std::ops::Deref for Snapshot {
    type Target = Loaded;
    fn deref(&self) -> &Loaded {
        &self.loaded
    }
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
        match current
            .loaded
            .with_referral(client, &saved.referral, saved.version)
        {
            Ok(loaded) => {
                *self.data.write().expect("not poisoned") = Arc::new(Snapshot::new(loaded));
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
        match self.data().loaded.with_employer_contacts(contacts) {
            Ok(loaded) => {
                *self.data.write().expect("not poisoned") = Arc::new(Snapshot::new(loaded));
                true
            }
            Err(_) => false,
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
        Ok(())
    }
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
    }
}

/// The state every handler takes.
pub(crate) type Shared = Arc<AppState>;

#[cfg(test)]
mod tests {
    //! A whole reload racing the change follower (issue 20), driven by hand
    //! in the bad order: the reload reads the data, then a write is
    //! published (here, or followed from another server), then the reload
    //! publishes what it read.

    use super::*;
    use ipstrack_core::bundle::{ContactDoc, EmployerContactDoc};
    use ipstrack_core::model::Role;
    use ipstrack_store::Step;

    /// A server's state on a store holding the random-101 example, without
    /// its change follower (the test drives it).
    async fn state() -> (AppState, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("race.sqlite");
        let store = super::example_store::example_store(url.to_str().unwrap()).await;
        let (loaded, seq) = store.load_with_change().await.unwrap();
        let state = AppState {
            store,
            data: RwLock::new(Arc::new(Snapshot::new(loaded))),
            publish: Mutex::new(()),
            following: tokio::sync::Mutex::new(()),
            applied_change: AtomicI64::new(seq),
            config: Config::default(),
            uploads: Default::default(),
            searches: Default::default(),
        };
        (state, dir)
    }

    /// A contact on 14 January 2025 written to the store (not yet
    /// published to this server's snapshot).
    async fn contact_stored(state: &AppState, id: &str) -> ipstrack_store::Saved {
        let contact = ContactDoc {
            date: "2025-01-14".into(),
            kind: "remote".into(),
            mechanism: None,
            note: None,
        };
        let step = Step::Contact(contact);
        state.store.change_referral(id, &step, "es1").await.unwrap()
    }

    /// A referral received before 2025 and not discharged.
    fn open_referral(state: &AppState) -> String {
        let data = state.data();
        let before = Day::parse("2025-01-01").unwrap();
        let r = data
            .dataset
            .referrals
            .iter()
            .find(|r| r.received < before && r.discharge.is_none());
        r.unwrap().id.clone()
    }

    /// The referral `id` as the snapshot holds it: (version, contacts).
    fn shown(state: &AppState, id: &str) -> (i64, usize) {
        let data = state.data();
        let r = &data.dataset.referrals[data.referral_index(id).unwrap()];
        (r.version, r.contacts.len())
    }

    #[tokio::test]
    async fn a_reload_read_before_a_write_here_never_puts_the_older_referral_back() {
        let (state, _dir) = state().await;
        let id = open_referral(&state);
        // The reload reads the data at change N...
        let (loaded, seq) = state.store.load_with_change().await.unwrap();
        // ... a write on this server is published meanwhile ...
        let saved = contact_stored(&state, &id).await;
        state.publish(&saved).await;
        let written = shown(&state, &id);
        assert_eq!(written.0, saved.version);
        // ... and then the reload publishes what it read.
        state.install(loaded, seq);
        assert_eq!(
            shown(&state, &id),
            written,
            "the newer referral stays in the snapshot"
        );
    }

    #[tokio::test]
    async fn a_reload_read_before_changes_were_followed_leaves_no_change_skipped() {
        let (state, _dir) = state().await;
        let id = open_referral(&state);
        let es = {
            let data = state.data();
            let es = data.dataset.staff.iter().find(|s| s.role == Role::Es);
            es.unwrap().id.clone()
        };
        let (loaded, seq) = state.store.load_with_change().await.unwrap();
        // Another server writes a referral and an employer contact, and this
        // server's change follower loads them before the reload publishes.
        let saved = contact_stored(&state, &id).await;
        let ec = state
            .store
            .record_employer_contact(
                &EmployerContactDoc {
                    id: String::new(),
                    es,
                    date: "2025-01-14".into(),
                    employer: "Ellis & Co".into(),
                    kind: "call".into(),
                    note: None,
                    client: None,
                },
                "es1",
            )
            .await
            .unwrap();
        state.catch_up().await.unwrap();
        let has_ec = |state: &AppState| {
            state
                .data()
                .dataset
                .employer_contacts
                .iter()
                .any(|e| e.id == ec.contact.id)
        };
        assert!(has_ec(&state));
        state.install(loaded, seq);
        assert_eq!(shown(&state, &id).0, saved.version, "the referral is kept");
        // What the reload could not keep (employer contacts have no version)
        // is followed again: no change after the reload's is skipped.
        state.catch_up().await.unwrap();
        assert!(has_ec(&state), "the employer contact is back");
        assert_eq!(shown(&state, &id).0, saved.version);
    }
}
