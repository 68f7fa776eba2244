//! The out-of-scope audit entries, written off the request path (issue 21).
//!
//! A request that matched a record outside the user's scope hands its entry
//! to a bounded queue and is answered at once: the answer takes the same
//! time whether a record was matched (an entry to write) or not. One
//! background writer per store drains the queue and collapses repeats into
//! one row per user, record, way of matching and minute, with a `count` in
//! the row's `new_value` (`{"matched_by":"id","count":3}`). A minute's rows
//! are written once the minute is over (or on [`Store::flush_audit`]).
//!
//! Limits: the queue holds [`AUDIT_QUEUE`] requests' entries (beyond, an
//! entry is dropped and counted, [`Store::audit_dropped`]); a user has at
//! most [`AUDIT_ROWS_PER_USER_MINUTE`] rows a minute, and further records
//! of that minute are folded into one row per record type with record id
//! `*` and their count, so that a flood of lookups cannot flood the log.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ipstrack_core::model::OutOfScope;
use tokio::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};

use crate::audit::COLUMNS;
use crate::sql::{Value, insert_rows};
use crate::{Result, Store};

/// How many requests' entries wait for the writer at most.
pub const AUDIT_QUEUE: usize = 1024;
/// How many out-of-scope rows one user can add to the audit log a minute.
pub const AUDIT_ROWS_PER_USER_MINUTE: usize = 60;
/// How often the writer looks for minutes that are over.
const TICK: Duration = Duration::from_secs(1);

enum Msg {
    Entry {
        at: jiff::Timestamp,
        actor: String,
        matched: Vec<OutOfScope>,
    },
    Flush(oneshot::Sender<()>),
}

/// The queue of a store (its clones share it); the writer is started with
/// the first entry.
#[derive(Debug, Default)]
pub(crate) struct AuditQueue {
    tx: OnceLock<mpsc::Sender<Msg>>,
    dropped: AtomicU64,
    /// Held by the writer while it writes (and by a test to stop it).
    gate: Arc<Mutex<()>>,
}

/// One row to be: the minute, who, the record, how it was matched.
type Key = (i64, String, &'static str, String, &'static str);

struct Group {
    at: jiff::Timestamp,
    count: u64,
}

#[derive(Default)]
struct Pending {
    groups: BTreeMap<Key, Group>,
    /// Rows each user has this minute (those written included).
    rows: HashMap<(i64, String), usize>,
}

fn minute(at: jiff::Timestamp) -> i64 {
    at.as_second().div_euclid(60)
}

impl Pending {
    fn add(&mut self, at: jiff::Timestamp, actor: &str, matched: Vec<OutOfScope>) {
        let m = minute(at);
        for o in matched {
            let key = (
                m,
                actor.to_string(),
                o.record_type,
                o.record_id,
                o.matched_by,
            );
            let key = if self.groups.contains_key(&key) {
                key
            } else {
                let rows = self.rows.entry((m, actor.to_string())).or_default();
                let folded = (m, actor.to_string(), o.record_type, "*".to_string(), "*");
                if *rows < AUDIT_ROWS_PER_USER_MINUTE {
                    *rows += 1;
                    key
                } else {
                    // The one row of the minute's further records (it may
                    // go one beyond the limit).
                    if !self.groups.contains_key(&folded) {
                        *rows += 1;
                    }
                    folded
                }
            };
            self.groups
                .entry(key)
                .or_insert(Group { at, count: 0 })
                .count += 1;
        }
    }

    /// The groups of minutes before `before` (all with `None`).
    fn take(&mut self, before: Option<i64>) -> Vec<(Key, Group)> {
        let keys: Vec<Key> = self
            .groups
            .keys()
            .filter(|k| before.is_none_or(|b| k.0 < b))
            .cloned()
            .collect();
        if let Some(b) = before {
            self.rows.retain(|(m, _), _| *m >= b);
        }
        let mut groups: Vec<(Key, Group)> = keys
            .into_iter()
            .map(|k| {
                let g = self.groups.remove(&k).expect("listed");
                (k, g)
            })
            .collect();
        // In the order of their first lookup.
        groups.sort_by_key(|(_, g)| g.at);
        groups
    }
}

async fn write_groups(store: &Store, groups: Vec<(Key, Group)>) -> Result<()> {
    if groups.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<Value>> = groups
        .into_iter()
        .map(|((_, actor, record_type, record_id, matched_by), g)| {
            vec![
                Value::text(&g.at.to_string()),
                Value::text(&actor),
                Value::text("out-of-scope"),
                Value::text(record_type),
                Value::Text(Some(record_id)),
                Value::Text(None),
                Value::Text(Some(
                    serde_json::json!({ "matched_by": matched_by, "count": g.count }).to_string(),
                )),
            ]
        })
        .collect();
    let mut tx = store.begin_write().await?;
    insert_rows(&mut tx, "audit_log", &COLUMNS, &rows).await?;
    tx.commit().await?;
    Ok(())
}

async fn writer(store: Store, gate: Arc<Mutex<()>>, mut rx: mpsc::Receiver<Msg>) {
    let mut pending = Pending::default();
    let mut tick = tokio::time::interval(TICK);
    loop {
        let (groups, done, closed) = tokio::select! {
            msg = rx.recv() => match msg {
                Some(Msg::Entry { at, actor, matched }) => {
                    pending.add(at, &actor, matched);
                    continue;
                }
                Some(Msg::Flush(done)) => (pending.take(None), Some(done), false),
                None => (pending.take(None), None, true),
            },
            _ = tick.tick() => (pending.take(Some(minute(jiff::Timestamp::now()))), None, false),
        };
        {
            let _writing = gate.lock().await;
            // A write that fails (the database cannot be reached) is tried
            // no more: the entries are lost, as a request's would have been.
            let _ = write_groups(&store, groups).await;
        }
        if let Some(done) = done {
            let _ = done.send(());
        }
        if closed {
            break;
        }
    }
}

impl Store {
    /// Hands `actor`'s out-of-scope entries to the audit writer without
    /// waiting for them to be written. False when the queue is full: the
    /// entries are dropped and counted ([`Store::audit_dropped`]).
    pub fn audit_out_of_scope_later(&self, actor: &str, matched: Vec<OutOfScope>) -> bool {
        if matched.is_empty() {
            return true;
        }
        let q = &self.audit_queue;
        let tx = q.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(AUDIT_QUEUE);
            // The writer's store has a queue of its own (never used), so
            // that it does not keep its own queue open.
            let store = Store {
                audit_queue: Default::default(),
                ..self.clone()
            };
            tokio::spawn(writer(store, q.gate.clone(), rx));
            tx
        });
        let sent = tx.try_send(Msg::Entry {
            at: jiff::Timestamp::now(),
            actor: actor.to_string(),
            matched,
        });
        if sent.is_err() {
            q.dropped.fetch_add(1, Ordering::Relaxed);
        }
        sent.is_ok()
    }

    /// How many requests' out-of-scope entries were dropped (the queue was
    /// full) since the store was opened.
    pub fn audit_dropped(&self) -> u64 {
        self.audit_queue.dropped.load(Ordering::Relaxed)
    }

    /// Writes every out-of-scope entry handed to the writer so far, this
    /// minute's too (on shutdown; tests).
    pub async fn flush_audit(&self) {
        let Some(tx) = self.audit_queue.tx.get() else {
            return;
        };
        let (done, wait) = oneshot::channel();
        if tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Stops the audit writer until the guard is dropped (tests: a request
    /// is answered while its entry waits).
    #[doc(hidden)]
    pub async fn hold_audit_writer(&self) -> OwnedMutexGuard<()> {
        self.audit_queue.gate.clone().lock_owned().await
    }
}
