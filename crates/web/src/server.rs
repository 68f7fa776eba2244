//! Serving connections within bounds, so that slow or idle connections
//! cannot hold the server: at most [`Limits::max_connections`] open at once
//! (more wait to be accepted), request headers read within
//! [`Limits::header_read`] (this also closes a kept-alive connection left
//! idle that long), no pause longer than [`Limits::body_pause`] while a body
//! arrives, and every request answered within [`Limits::request`].
//!
//! HTTP/1.1 only: ipstrack sits behind a reverse proxy when it speaks
//! HTTP/2 or TLS to browsers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// The bounds on connections and requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once; further ones wait in the listen queue.
    pub max_connections: usize,
    /// Time to send a request's headers, and the longest a kept-alive
    /// connection may stay idle between requests.
    pub header_read: Duration,
    /// The longest pause while a request's body arrives.
    pub body_pause: Duration,
    /// The longest a request may take in all (its body and its answer):
    /// over it the answer is 408.
    pub request: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            header_read: Duration::from_secs(10),
            body_pause: Duration::from_secs(10),
            request: Duration::from_secs(60),
        }
    }
}

/// Serves the application on the listener until the process stops. Each
/// request carries the peer's address as [`ConnectInfo<SocketAddr>`].
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) -> std::io::Result<()> {
    let app = app
        .layer(RequestBodyTimeoutLayer::new(limits.body_pause))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request,
        ));
    let open = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let permit = Arc::clone(&open)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        tokio::spawn(async move {
            let _open = permit;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
}
