//! Running ipstrack as a service: `/healthz` and `/readyz` for load
//! balancers, a request id on every request (in its log span and its
//! answer), and Prometheus metrics served on their own listen address
//! ([`metrics_router`]), never on the public one.
//!
//! No personal data reaches a metric: a request is labelled by its route's
//! template (`/referrals/{id}`), never its path, so ids never become label
//! values and the number of series stays bounded.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ipstrack_store::Store;
use tracing::Instrument;

use crate::state::Shared;
use crate::telemetry::{self, metrics_handle};

/// The header a request id comes in and goes back in.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a request (longer ones are replaced).
pub const REQUEST_ID_MAX: usize = 64;

/// How long `/readyz` waits for the database before answering 503.
pub const READY_WITHIN: Duration = Duration::from_secs(2);

/// `/healthz` and `/readyz`: no session, no personal data.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers (a cheap read, within [`READY_WITHIN`]) and the
/// snapshot is loaded (it is, once the application is built: `app` loads it
/// before serving).
async fn readyz(State(state): State<Shared>) -> Response {
    match tokio::time::timeout(READY_WITHIN, state.store.latest_change()).await {
        Ok(Ok(latest)) => {
            telemetry::change_feed_lag(
                latest,
                state
                    .applied_change
                    .load(std::sync::atomic::Ordering::SeqCst),
            );
            "ready".into_response()
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
        }
        Err(_) => {
            tracing::warn!("not ready: the database did not answer in time");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable").into_response()
        }
    }
}

/// The metrics application: `GET /metrics` in Prometheus's text format.
/// Serve it on its own listen address (`ipstrack serve --metrics-listen`),
/// for the monitoring system only.
pub fn metrics_router(store: Store) -> Router {
    let handle = metrics_handle();
    Router::new()
        .route(
            "/metrics",
            get(move || async move {
                for pool in store.pool_use() {
                    for (state, n) in [("open", pool.open), ("idle", pool.idle), ("max", pool.max)]
                    {
                        metrics::gauge!("ipstrack_db_pool_connections", "pool" => pool.pool, "state" => state)
                            .set(f64::from(n));
                    }
                }
                handle.run_upkeep();
                (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                    )],
                    handle.render(),
                )
            }),
        )
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// A request id from the request if it is well formed (1 to
/// [`REQUEST_ID_MAX`] characters of `A-Z a-z 0-9 -`), else a new one.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=REQUEST_ID_MAX).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map_or_else(new_request_id, str::to_string)
}

fn new_request_id() -> String {
    use sha2::{Digest, Sha256};
    let random = ipstrack_store::random_token();
    hex::encode(&Sha256::digest(random.as_bytes())[..16])
}

/// Every request: its id (taken or made, put in the request for whoever
/// reads it and sent back with the answer), a log span holding it with the
/// route's template, one log line when answered, and its metrics.
pub(crate) async fn observe(mut request: Request, next: Next) -> Response {
    let id = request_id(&request);
    let value = HeaderValue::from_str(&id).expect("a request id is visible ASCII");
    request.headers_mut().insert(REQUEST_ID, value.clone());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = method_label(request.method());
    let write = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let span = tracing::info_span!("request", request_id = %id, method, route = %route);
    let seen = Seen {
        value,
        method,
        route,
        write,
        span,
        started: Instant::now(),
    };
    // For the server's time limit, which answers outside the router.
    if let Some(InFlight(slot)) = request.extensions().get::<InFlight>() {
        let _ = slot.set(seen.clone());
    }
    let response = next.run(request).instrument(seen.span.clone()).await;
    seen.answered(response)
}

/// What `observe` knows of a request, to record its answer.
#[derive(Clone)]
struct Seen {
    value: HeaderValue,
    method: &'static str,
    route: String,
    write: bool,
    span: tracing::Span,
    started: Instant,
}

impl Seen {
    /// The answer's log line and metrics, and its request id.
    fn answered(self, mut response: Response) -> Response {
        let elapsed = self.started.elapsed();
        let status = response.status();
        self.span.in_scope(|| {
            tracing::info!(
                status = status.as_u16(),
                ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                "answered"
            );
        });
        response.headers_mut().insert(REQUEST_ID, self.value);
        let (method, route) = (self.method, self.route);
        metrics::counter!(
            "ipstrack_http_requests_total",
            "method" => method,
            "route" => route.clone(),
            "status" => status.as_str().to_string()
        )
        .increment(1);
        metrics::histogram!(
            "ipstrack_http_request_duration_seconds",
            "method" => method,
            "route" => route.clone()
        )
        .record(elapsed.as_secs_f64());
        if self.write {
            let outcome = match status.as_u16() {
                409 | 412 => "conflict",
                400..=499 => "refused",
                500..=599 => "failed",
                _ => "saved",
            };
            metrics::counter!("ipstrack_writes_total", "route" => route, "outcome" => outcome)
                .increment(1);
        }
        response
    }
}

/// Where `observe` leaves what it knows of a request for [`timed_out`].
#[derive(Clone, Default)]
struct InFlight(Arc<OnceLock<Seen>>);

/// Outside the server's time limit for a whole request: a request the limit
/// cut off (408, answered by the limit, so `observe` never saw its answer)
/// is logged and counted as any other, under its route, with its id.
pub(crate) async fn timed_out(mut request: Request, next: Next) -> Response {
    let slot = InFlight::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    let cut_off = response.status() == StatusCode::REQUEST_TIMEOUT
        && !response.headers().contains_key(&REQUEST_ID);
    match slot.0.get() {
        Some(seen) if cut_off => seen.clone().answered(response),
        _ => response,
    }
}

/// A method as a label: the usual ones by name, any other as `other` (a
/// request cannot add series by inventing methods).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
