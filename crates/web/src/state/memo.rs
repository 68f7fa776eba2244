//! Values made once per key of a snapshot: the first reader of a key makes
//! it, and readers of the same key arriving meanwhile wait for that one
//! rather than make it again — ten dashboards read right after a save cost
//! one report, not ten. A memo holds at most its bound of keys (a signed-in
//! user choosing one as-of date after another cannot fill the memory); past
//! it the key made longest ago is let go and made again when asked. Making
//! a value (or waiting for it) leaves the server's other tasks free to run.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

pub(crate) struct Memo<K, V> {
    bound: usize,
    cells: Mutex<Cells<K, V>>,
}

struct Cells<K, V> {
    by_key: HashMap<K, Arc<OnceLock<V>>>,
    /// Keys in the order they were first asked for, oldest first.
    order: VecDeque<K>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    /// An empty memo of at most `bound` keys.
    pub(crate) fn new(bound: usize) -> Memo<K, V> {
        Memo {
            bound: bound.max(1),
            cells: Mutex::new(Cells {
                by_key: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }

    /// The value of `key`, made by `make` when no reader has made it (or is
    /// making it) yet.
    pub(crate) fn get_or_make(&self, key: &K, make: impl FnOnce() -> V) -> V {
        let cell = {
            let mut cells = self.cells.lock().expect("not poisoned");
            match cells.by_key.get(key) {
                Some(cell) => cell.clone(),
                None => {
                    if cells.order.len() >= self.bound
                        && let Some(oldest) = cells.order.pop_front()
                    {
                        cells.by_key.remove(&oldest);
                    }
                    let cell = Arc::new(OnceLock::new());
                    cells.by_key.insert(key.clone(), cell.clone());
                    cells.order.push_back(key.clone());
                    cell
                }
            }
        };
        if let Some(made) = cell.get() {
            return made.clone();
        }
        // Outside the lock: readers of other keys never wait for this one.
        // One of the server's few makers at a time, taken before the cell
        // (not inside it): a cell is only ever being made by a thread that
        // holds a maker, so no maker waits for a cell whose maker waits.
        off_the_runtime(|| makers::one_at_a_time(|| cell.get_or_init(make).clone()))
    }

    /// A memo for the next snapshot holding the keys `keep` keeps, made or
    /// still being made (the reader making one finishes it for both).
    pub(crate) fn carried(&self, keep: impl Fn(&K) -> bool) -> Memo<K, V> {
        let cells = self.cells.lock().expect("not poisoned");
        let order: VecDeque<K> = cells.order.iter().filter(|k| keep(k)).cloned().collect();
        let by_key = order
            .iter()
            .map(|k| (k.clone(), cells.by_key[k].clone()))
            .collect();
        Memo {
            bound: self.bound,
            cells: Mutex::new(Cells { by_key, order }),
        }
    }

    /// The values made so far (not those still being made), oldest first.
    pub(crate) fn made(&self) -> Vec<(K, V)> {
        let cells = self.cells.lock().expect("not poisoned");
        cells
            .order
            .iter()
            .filter_map(|k| cells.by_key[k].get().map(|v| (k.clone(), v.clone())))
            .collect()
    }

    /// How many keys are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.cells.lock().expect("not poisoned").order.len()
    }
}

/// Runs `work` — making a value, or waiting for the reader making it: a
/// report's time — so that on the server's runtime the tasks queued behind
/// this one (a save, a quick page) move to another worker meanwhile rather
/// than wait for it. Elsewhere (a test's single-threaded runtime, no
/// runtime) it simply runs.
fn off_the_runtime<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

/// How many values are made at once in the whole server: one fewer than
/// the machine's cores (at least one), so that saves and quick pages always
/// have a core while reports are made after a burst of saves. A value made
/// while making another (a report's facts) counts once; values depend on
/// others one way only (a report on its facts, a part's report on its
/// referrals), so makers never wait for each other in a circle.
pub(super) mod makers {
    use std::cell::Cell;
    use std::sync::{Condvar, LazyLock, Mutex};

    /// One fewer than the machine's cores, at least one.
    pub(crate) fn all_but_one_core() -> usize {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        cores.saturating_sub(1).max(1)
    }

    static FREE: LazyLock<(Mutex<usize>, Condvar)> =
        LazyLock::new(|| (Mutex::new(all_but_one_core()), Condvar::new()));

    thread_local! {
        static MAKING: Cell<bool> = const { Cell::new(false) };
    }

    pub(super) fn one_at_a_time<V>(make: impl FnOnce() -> V) -> V {
        if MAKING.get() {
            return make();
        }
        let (free, freed) = &*FREE;
        {
            let mut n = free.lock().expect("not poisoned");
            while *n == 0 {
                n = freed.wait(n).expect("not poisoned");
            }
            *n -= 1;
        }
        MAKING.set(true);
        // Given back however `make` ends (a panic included).
        struct Release;
        impl Drop for Release {
            fn drop(&mut self) {
                MAKING.set(false);
                let (free, freed) = &*FREE;
                *free.lock().expect("not poisoned") += 1;
                freed.notify_one();
            }
        }
        let _release = Release;
        make()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[test]
    fn readers_arriving_while_a_value_is_made_wait_for_it_and_it_is_made_once() {
        let memo: Memo<u32, u32> = Memo::new(8);
        let made = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..10 {
                s.spawn(|| {
                    let v = memo.get_or_make(&1, || {
                        made.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        42
                    });
                    assert_eq!(v, 42);
                });
            }
        });
        assert_eq!(made.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_value_being_made_leaves_the_runtimes_other_tasks_free_to_run() {
        // One worker thread: without handing it over, the quick task would
        // wait for the slow report.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let memo: Arc<Memo<u32, u32>> = Arc::new(Memo::new(8));
        let (slow, quick) = runtime.block_on(async {
            let started = std::time::Instant::now();
            let m = memo.clone();
            let slow = tokio::spawn(async move {
                m.get_or_make(&1, || {
                    std::thread::sleep(Duration::from_millis(400));
                    1
                });
                started.elapsed()
            });
            tokio::time::sleep(Duration::from_millis(50)).await;
            let quick = tokio::spawn(async move { started.elapsed() });
            (slow.await.unwrap(), quick.await.unwrap())
        });
        assert!(
            quick < slow,
            "the quick task ran at {quick:?}, the report was made at {slow:?}"
        );
        assert!(quick < Duration::from_millis(300), "{quick:?}");
    }

    #[test]
    fn past_its_bound_the_key_asked_for_first_is_let_go() {
        let memo: Memo<u32, u32> = Memo::new(3);
        for k in 0..5 {
            memo.get_or_make(&k, || k * 10);
        }
        assert_eq!(memo.len(), 3);
        // 0 and 1 were let go: made again; 4 is held.
        assert_eq!(memo.get_or_make(&4, || 0), 40);
        assert_eq!(memo.get_or_make(&0, || 7), 7);
    }

    #[test]
    fn a_carried_memo_holds_the_kept_keys_values_and_nothing_else() {
        let memo: Memo<u32, u32> = Memo::new(8);
        for k in 0..4 {
            memo.get_or_make(&k, || k * 10);
        }
        let next = memo.carried(|k| k % 2 == 0);
        assert_eq!(next.len(), 2);
        assert_eq!(next.get_or_make(&2, || 0), 20);
        assert_eq!(next.get_or_make(&1, || 99), 99);
    }
}
