//! The searches running (issue 21): one user's searches cannot slow the
//! service for others. The state holds this table; the search page
//! (`search.rs`) takes a place in it for each search.

/// The longest search kept (the caseload's and the audit log's filters
/// take the same bound).
pub(crate) const MAX_QUERY_CHARS: usize = 100;

/// Searches one user may run at once; searches run at once in all.
pub(crate) const SEARCHES_PER_USER: usize = 1;
pub(crate) const SEARCHES_AT_ONCE: usize = 4;
/// How long a search waits for one of the [`SEARCHES_AT_ONCE`] to end.
pub(crate) const SEARCH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The searches running: at most [`SEARCHES_PER_USER`] a user, the excess
/// answered 429 with `Retry-After`; at most [`SEARCHES_AT_ONCE`] in all,
/// the excess waiting up to [`SEARCH_WAIT`] for its turn, then 429.
pub(crate) struct Searches {
    running: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    pub(crate) at_once: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Default for Searches {
    fn default() -> Searches {
        Searches {
            running: Default::default(),
            at_once: std::sync::Arc::new(tokio::sync::Semaphore::new(SEARCHES_AT_ONCE)),
        }
    }
}

/// One user's running search (its place is given back when dropped).
pub(crate) struct UserSearch<'a> {
    searches: &'a Searches,
    user: String,
}

impl Searches {
    /// A place for one more search of `user`, unless they have
    /// [`SEARCHES_PER_USER`] running.
    pub(crate) fn enter(&self, user: &str) -> Option<UserSearch<'_>> {
        let mut running = self.running.lock().expect("not poisoned");
        let n = running.entry(user.to_string()).or_default();
        if *n >= SEARCHES_PER_USER {
            return None;
        }
        *n += 1;
        Some(UserSearch {
            searches: self,
            user: user.to_string(),
        })
    }
}

impl Drop for UserSearch<'_> {
    fn drop(&mut self) {
        let mut running = self.searches.running.lock().expect("not poisoned");
        if let Some(n) = running.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_search_at_a_time_per_user() {
        let searches = Searches::default();
        let first = searches.enter("es1").expect("the first");
        assert!(searches.enter("es1").is_none());
        // Another user is not held back.
        let other = searches.enter("es2").expect("another user's");
        drop(first);
        assert!(searches.enter("es1").is_some());
        drop(other);
        assert!(searches.running.lock().unwrap().is_empty());
    }
}
