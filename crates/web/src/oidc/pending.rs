//! Sign-ins begun at the provider and not yet back: each kept by its state
//! for [`PENDING_MINUTES`], used once, and bounded — at most
//! [`PENDING_PER_ADDRESS`] from one address and [`PENDING_IN_ALL`] in all,
//! so nobody without a login can fill the server's memory or push out
//! other people's sign-ins.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a sign-in at the provider may take.
pub const PENDING_MINUTES: u64 = 10;
/// Sign-ins begun and not back, from one address.
pub const PENDING_PER_ADDRESS: usize = 20;
/// Sign-ins begun and not back, in all.
pub const PENDING_IN_ALL: usize = 10_000;

/// What the return from the provider must match.
pub struct Pending {
    pub nonce: String,
    pub verifier: String,
    /// The page to show after signing in.
    pub next: Option<String>,
    address: String,
    at: Instant,
}

#[derive(Default)]
pub struct PendingSignIns {
    by_state: Mutex<HashMap<String, Pending>>,
}

impl PendingSignIns {
    /// Keeps a sign-in begun from `address`; `false` (nothing kept) when
    /// that address or everyone has too many waiting.
    pub fn keep(
        &self,
        state: String,
        nonce: String,
        verifier: String,
        next: Option<String>,
        address: &str,
    ) -> bool {
        let mut map = self.by_state.lock().expect("not poisoned");
        let ttl = Duration::from_secs(PENDING_MINUTES * 60);
        map.retain(|_, p| p.at.elapsed() < ttl);
        let from_address = map.values().filter(|p| p.address == address).count();
        if from_address >= PENDING_PER_ADDRESS || map.len() >= PENDING_IN_ALL {
            return false;
        }
        map.insert(
            state,
            Pending {
                nonce,
                verifier,
                next,
                address: address.to_string(),
                at: Instant::now(),
            },
        );
        true
    }

    /// The sign-in begun with `state`, taken (a second return with it finds
    /// nothing), if it has not expired.
    pub fn take(&self, state: &str) -> Option<Pending> {
        let pending = self.by_state.lock().expect("not poisoned").remove(state)?;
        (pending.at.elapsed() < Duration::from_secs(PENDING_MINUTES * 60)).then_some(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(p: &PendingSignIns, state: &str, address: &str) -> bool {
        p.keep(state.into(), "n".into(), "v".into(), None, address)
    }

    #[test]
    fn a_sign_in_begun_is_taken_once() {
        let p = PendingSignIns::default();
        assert!(keep(&p, "s1", "10.0.0.1"));
        assert!(p.take("s1").is_some());
        assert!(p.take("s1").is_none(), "used once");
        assert!(p.take("never").is_none());
    }

    #[test]
    fn one_address_cannot_hold_more_than_its_share() {
        let p = PendingSignIns::default();
        for i in 0..PENDING_PER_ADDRESS {
            assert!(keep(&p, &format!("a{i}"), "10.0.0.1"));
        }
        assert!(!keep(&p, "one-more", "10.0.0.1"));
        assert!(
            keep(&p, "other", "10.0.0.2"),
            "another address is not held up"
        );
        assert!(p.take("a0").is_some());
        assert!(keep(&p, "again", "10.0.0.1"), "a return frees its place");
    }
}
