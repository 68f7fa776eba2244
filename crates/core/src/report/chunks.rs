//! A service's referrals read side by side: chunks of them on the
//! machine's threads, each into a value of its own (a ledger), with each
//! referral's memory asked for a few referrals ahead of reading it.

use rayon::prelude::*;

use crate::model::Referral;

/// How many records one thread adds to a ledger of its own before the
/// ledgers are added together.
pub(super) const CHUNK: usize = 4_096;

/// `items` in chunks on the machine's threads side by side (rayon), each
/// chunk added by `add` into a value of its own made by `fresh` (a ledger,
/// with room to derive a referral in, reused through the chunk).
/// `fetch_ahead` is told of each item a few before it is added (see
/// [`fetch_ahead`]). The chunks' values, in order, for the caller to add
/// together.
pub(super) fn in_chunks<'i, T: Sync, A: Send>(
    items: &'i [T],
    fresh: impl Fn() -> A + Sync,
    add: impl Fn(&mut A, &'i T) + Sync,
    fetch_ahead: impl Fn(&'i T, Stage) + Sync,
) -> Vec<A> {
    items
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut value = fresh();
            for (k, item) in chunk.iter().enumerate() {
                if let Some(next) = chunk.get(k + AHEAD) {
                    fetch_ahead(next, Stage::Record);
                }
                if let Some(next) = chunk.get(k + AHEAD / 2) {
                    fetch_ahead(next, Stage::Lists);
                }
                add(&mut value, item);
            }
            value
        })
        .collect()
}

/// How many items ahead a chunk's thread asks for the record it will read
/// (and, half as far ahead, its contacts, jobs and transfers).
const AHEAD: usize = 8;

/// What of an item to fetch ahead of reading it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Stage {
    /// The referral's record itself.
    Record,
    /// The lists the record points to (read by then, so their addresses
    /// are known without waiting).
    Lists,
}

/// Asks the processor for `r`'s memory before it is read. Each referral is
/// a record of its own (shared between versions of the data), so reading a
/// service's one after another waits on memory at every record: a third of
/// a report's time, which fetching ahead hides. A hint only: it changes no
/// result, and does nothing on other processors.
pub(super) fn fetch_ahead(r: &Referral, stage: Stage) {
    match stage {
        Stage::Record => {
            let at = std::ptr::from_ref(r).cast::<u8>();
            for offset in (0..size_of::<Referral>()).step_by(64) {
                prefetch(at.wrapping_add(offset));
            }
        }
        Stage::Lists => {
            let contacts = r.contacts.as_ptr().cast::<u8>();
            for offset in [0, 64, 128] {
                prefetch(contacts.wrapping_add(offset));
            }
            prefetch(r.jobs.as_ptr().cast());
            prefetch(r.transfers.as_ptr().cast());
        }
    }
}

/// A prefetch hint for the cache line holding `at` (any address: a hint
/// never faults).
#[inline(always)]
fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch reads nothing and cannot fault, whatever the
        // address; SSE (which it needs) is part of every x86-64 processor.
        unsafe { _mm_prefetch(at.cast::<i8>(), _MM_HINT_T0) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
