//! The metrics ipstrack records (Prometheus's names, `ipstrack_…`) and
//! the one recorder of the process. Labels are bounded: route templates,
//! methods, statuses, reasons and pool names, never a path, an id or a name.
//! Served by `ops::metrics_router` on its own listen address.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The latency histogram's buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's metrics, recorded from the first application built (one
/// recorder per process: a second server in the same process shares it).
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "ipstrack_http_requests_total",
        "Requests answered, by method, route template and status."
    );
    describe_histogram!(
        "ipstrack_http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer a request, by method and route template."
    );
    describe_counter!(
        "ipstrack_writes_total",
        "Writes (POST, PUT, PATCH, DELETE) by route template and outcome: saved, conflict (409, 412), refused (other 4xx), failed (5xx)."
    );
    describe_counter!(
        "ipstrack_snapshot_reloads_total",
        "Snapshots rebuilt from the whole database."
    );
    describe_counter!(
        "ipstrack_changes_followed_total",
        "Rounds of following the change sequence that loaded changes made elsewhere."
    );
    describe_gauge!(
        "ipstrack_change_feed_lag",
        "Changes in the database's change sequence the snapshot does not hold yet."
    );
    describe_counter!(
        "ipstrack_sign_in_failures_total",
        "Failed sign-ins by reason: refused (wrong), slowed (too many failures), busy (too many checks at once)."
    );
    describe_gauge!(
        "ipstrack_db_pool_connections",
        "Database connections by pool (read, write) and state (open, idle, max)."
    );
}

/// A failed sign-in or password check, by reason (`refused`, `slowed`, `busy`).
pub(crate) fn sign_in_failed(reason: &'static str) {
    metrics::counter!("ipstrack_sign_in_failures_total", "reason" => reason).increment(1);
}

/// A snapshot rebuilt from the whole database.
pub(crate) fn snapshot_reloaded() {
    metrics::counter!("ipstrack_snapshot_reloads_total").increment(1);
}

/// The follower loaded changes made elsewhere.
pub(crate) fn changes_followed() {
    metrics::counter!("ipstrack_changes_followed_total").increment(1);
}

/// The change-feed lag: the database's last change less the snapshot's.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn change_feed_lag(latest: i64, applied: i64) {
    metrics::gauge!("ipstrack_change_feed_lag").set((latest - applied).max(0) as f64);
}
