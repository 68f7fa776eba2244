//! One user's requests in flight, bounded (issue 21): a session or token
//! with [`PER_SESSION`] requests being answered gets 429 at once for more,
//! so that one login opening hundreds of connections that ask for
//! expensive pages (and reopening each the server closes) cannot take the
//! cores from everyone else. A browser asks for a page and its stylesheet
//! and script at once: far below the bound. Requests without a session are
//! bounded by the connection limits (`server.rs`) and the sign-in rules.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Requests of one session or token answered at once; more get 429.
pub const PER_SESSION: usize = 8;

/// The requests in flight, by session (its token's SHA-256: the token
/// itself is never kept here); an entry goes when its count is 0.
#[derive(Clone, Default)]
pub(crate) struct InFlight {
    by_session: Arc<Mutex<HashMap<[u8; 32], usize>>>,
}

/// A request's place among its session's; given back on drop.
pub(crate) struct Place {
    table: InFlight,
    key: [u8; 32],
}

impl InFlight {
    /// A place for a request of the session whose token is `token`, unless
    /// it has [`PER_SESSION`] answered now.
    pub(crate) fn enter(&self, token: &str) -> Option<Place> {
        use sha2::{Digest, Sha256};
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut by = self.by_session.lock().unwrap_or_else(|e| e.into_inner());
        let n = by.entry(key).or_insert(0);
        if *n >= PER_SESSION {
            return None;
        }
        *n += 1;
        Some(Place {
            table: self.clone(),
            key,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut by = self
            .table
            .by_session
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(n) = by.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                by.remove(&self.key);
            }
        }
    }
}

/// The middleware: a place for the request's session, or 429. It holds its
/// table itself (the application's state does not).
pub(crate) async fn bounded(
    State(in_flight): State<InFlight>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = crate::cookies::token(request.headers()) else {
        return next.run(request).await;
    };
    let Some(_place) = in_flight.enter(token) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            "Too many of your requests are being answered at once: try again in a moment.",
        )
            .into_response();
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_has_at_most_its_bound_of_requests_in_flight_and_others_are_not_held() {
        let table = InFlight::default();
        let mine: Vec<Place> = (0..PER_SESSION)
            .map(|_| table.enter("mine").unwrap())
            .collect();
        assert!(table.enter("mine").is_none(), "one more is refused");
        assert!(
            table.enter("yours").is_some(),
            "another session is not held"
        );
        drop(mine);
        assert!(
            table.enter("mine").is_some(),
            "places come back when answered"
        );
        assert!(
            table.by_session.lock().unwrap().is_empty(),
            "no entry is kept"
        );
    }
}
