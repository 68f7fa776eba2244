//! Serving connections within bounds, so that slow or idle connections
//! cannot hold the server: at most [`Limits::max_connections`] open at once
//! (when every place is taken, the connection whose peer has taken nothing
//! of its answer for longest, at least [`STALLED_FOR_ROOM`], is closed for
//! the next; failing that, the one idle longest — no request being answered;
//! the next waits to be accepted if there is neither),
//! at most [`Limits::per_address`] of them from
//! one address (more are closed at once, so one address cannot take every
//! place), an answer's bytes taken by the peer with no pause longer than
//! [`Limits::write_pause`] (a peer that sends requests and reads nothing is
//! closed), request headers read within
//! [`Limits::header_read`] (this also closes a kept-alive connection left
//! idle that long), no pause longer than [`Limits::body_pause`] while a body
//! arrives, and every request answered within [`Limits::request`].
//!
//! HTTP/1.1 only: ipstrack sits behind a reverse proxy when it speaks
//! HTTP/2 or TLS to browsers.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How long a connection's answer must have waited for its peer to read
/// before the connection may be closed to make room for a new one (a peer
/// that sends requests and reads nothing, from many addresses, would
/// otherwise hold every place for the whole write pause).
pub const STALLED_FOR_ROOM: Duration = Duration::from_secs(1);

/// How often a connection waiting for a place looks again for one whose
/// peer reads nothing (an idle one is closed for it once, when it comes).
const ROOM_RETRY: Duration = Duration::from_millis(250);

/// The bounds on connections and requests.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Connections open at once. A further one closes the connection idle
    /// longest, or waits for a place if none is idle (and others wait in
    /// the listen queue).
    pub max_connections: usize,
    /// Connections open at once from one address (an IPv6 address counts by
    /// its /64, as for sign-in); further ones are closed when accepted.
    pub per_address: usize,
    /// The longest an answer may wait for the peer to take its next bytes:
    /// past it the connection is closed.
    pub write_pause: Duration,
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
            per_address: 32,
            write_pause: Duration::from_secs(5),
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
        ))
        .layer(axum::middleware::from_fn(crate::ops::timed_out));
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let by_address = Arc::new(Mutex::new(HashMap::new()));
    let connections = Connections::default();
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, say: wait rather than spin.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(slot) = AddressSlot::take(&by_address, peer.ip(), limits.per_address) else {
            tracing::debug!(%peer, "connection refused: too many from its address");
            drop(stream);
            continue;
        };
        let permit = match Arc::clone(&open).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                // Every place is taken: the connection idle longest is
                // closed (after any answer it is sending), or else the one
                // stalled longest on a peer that reads nothing; this one
                // waits for a place (more wait to be accepted).
                connections.make_room(true);
                loop {
                    let wait = Arc::clone(&open).acquire_owned();
                    match tokio::time::timeout(ROOM_RETRY, wait).await {
                        Ok(permit) => break permit.expect("the semaphore is never closed"),
                        // Still full: a peer may have stalled since.
                        Err(_) => connections.make_room(false),
                    }
                }
            }
        };
        let activity = connections.add();
        let busy = Arc::clone(&activity);
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            })
            .map_future(move |answer| {
                let in_flight = InFlight::new(Arc::clone(&busy));
                async move {
                    let _in_flight = in_flight;
                    answer.await
                }
            });
        let connections = connections.clone();
        tokio::spawn(async move {
            let _open = (permit, slot);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .serve_connection(
                    TokioIo::new(WritePause::new(
                        stream,
                        limits.write_pause,
                        Arc::clone(&activity),
                    )),
                    TowerToHyperService::new(service),
                );
            tokio::pin!(connection);
            let mut closing = false;
            loop {
                tokio::select! {
                    ended = connection.as_mut() => {
                        if let Err(e) = ended {
                            tracing::debug!(error = %e, "connection ended");
                        }
                        break;
                    }
                    () = activity.close.notified(), if !closing => {
                        if activity.stalled_since.load(Ordering::SeqCst) != 0 {
                            // Its peer reads nothing: no answer to finish.
                            tracing::debug!(%peer, "stalled connection closed: every place is taken");
                            break;
                        }
                        tracing::debug!(%peer, "idle connection closed: every place is taken");
                        closing = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            connections.remove(&activity);
        });
    }
}

/// A connection's state, for choosing the one idle longest.
struct Activity {
    id: u64,
    /// The server's start, which `idle_since` counts from.
    epoch: std::time::Instant,
    /// Requests being answered now.
    in_flight: std::sync::atomic::AtomicUsize,
    /// Since when no request has been answered (the connection's start at
    /// first), in milliseconds from the server's start.
    idle_since: std::sync::atomic::AtomicU64,
    /// Since when an answer has waited for the peer to take it (0: none
    /// waiting), in milliseconds from the server's start, plus one.
    stalled_since: std::sync::atomic::AtomicU64,
    /// Told to the connection chosen to close.
    close: tokio::sync::Notify,
}

/// The connections open now.
#[derive(Clone)]
struct Connections {
    started: std::time::Instant,
    next: Arc<std::sync::atomic::AtomicU64>,
    open: Arc<Mutex<HashMap<u64, Arc<Activity>>>>,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            started: std::time::Instant::now(),
            next: Arc::default(),
            open: Arc::default(),
        }
    }
}

impl Connections {
    fn now(&self) -> u64 {
        millis_since(self.started)
    }

    fn add(&self) -> Arc<Activity> {
        let activity = Arc::new(Activity {
            id: self.next.fetch_add(1, Ordering::Relaxed),
            epoch: self.started,
            in_flight: Default::default(),
            idle_since: self.now().into(),
            stalled_since: 0.into(),
            close: tokio::sync::Notify::new(),
        });
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(activity.id, Arc::clone(&activity));
        activity
    }

    fn remove(&self, activity: &Activity) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&activity.id);
    }

    /// Tells the connection whose answer has waited longest (at least
    /// [`STALLED_FOR_ROOM`]) for a peer that takes nothing to close; else the
    /// one idle longest (no request being answered) — when a newcomer looks
    /// again (`first` false), only one idle that long —, if there is one.
    fn make_room(&self, first: bool) {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let a_while_ago = self
            .now()
            .saturating_sub(u64::try_from(STALLED_FOR_ROOM.as_millis()).unwrap_or(u64::MAX));
        // A peer that reads nothing first: its answer has waited a while.
        let stalled = open
            .values()
            .filter(|a| a.in_flight.load(Ordering::SeqCst) < CLOSING)
            .map(|a| (a, a.stalled_since.load(Ordering::SeqCst)))
            .filter(|&(_, since)| since != 0 && since - 1 <= a_while_ago)
            .min_by_key(|&(_, since)| since)
            .map(|(a, _)| a);
        // Else the connection idle longest: no request being answered and no
        // answer waiting to be read (one written after its request's work is
        // done may be waiting). When a newcomer looks again, only one idle
        // a while, so that a person between two pages keeps theirs.
        let idle = || {
            open.values()
                .filter(|a| {
                    a.in_flight.load(Ordering::SeqCst) == 0
                        && a.stalled_since.load(Ordering::SeqCst) == 0
                })
                .min_by_key(|a| a.idle_since.load(Ordering::SeqCst))
                .filter(|a| first || a.idle_since.load(Ordering::SeqCst) <= a_while_ago)
        };
        if let Some(chosen) = stalled.or_else(idle) {
            // Not chosen again while it closes.
            chosen.in_flight.fetch_add(CLOSING, Ordering::SeqCst);
            chosen.close.notify_one();
        }
    }
}

/// Added to a connection's requests in flight once it is told to close, so
/// that it is not chosen again.
const CLOSING: usize = 1 << 20;

/// A request being answered on a connection; when it ends, the connection
/// is idle from then (unless another is being answered).
struct InFlight {
    activity: Arc<Activity>,
}

impl InFlight {
    fn new(activity: Arc<Activity>) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight { activity }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = millis_since(self.activity.epoch);
        self.activity.idle_since.store(now, Ordering::SeqCst);
        self.activity.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn millis_since(epoch: std::time::Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// One connection's place among those of its address; given back on drop.
struct AddressSlot {
    open: Arc<Mutex<HashMap<String, usize>>>,
    key: String,
}

impl AddressSlot {
    /// A place for a connection from `ip`, if its address has fewer than
    /// `max` open.
    fn take(
        open: &Arc<Mutex<HashMap<String, usize>>>,
        ip: std::net::IpAddr,
        max: usize,
    ) -> Option<AddressSlot> {
        let key = ipstrack_store::address_key(ip);
        let mut counts = open.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            open: Arc::clone(open),
            key,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut counts = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

/// A connection whose writes fail once the peer has taken nothing for
/// `pause` (hyper has no write timeout): an answer that cannot be sent ends
/// its connection instead of holding it.
struct WritePause<S> {
    inner: S,
    pause: Duration,
    /// Since when a write has been waiting, as the deadline's timer.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The connection's state, told since when a write has waited.
    activity: Arc<Activity>,
}

impl<S> WritePause<S> {
    fn new(inner: S, pause: Duration, activity: Arc<Activity>) -> Self {
        WritePause {
            inner,
            pause,
            stalled: None,
            activity,
        }
    }

    /// A write's outcome: progress ends the wait; waiting past the pause is
    /// an error.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            if self.stalled.take().is_some() {
                self.activity.stalled_since.store(0, Ordering::SeqCst);
            }
            return polled;
        }
        if self.stalled.is_none() {
            let now = millis_since(self.activity.epoch);
            self.activity.stalled_since.store(now + 1, Ordering::SeqCst);
        }
        let pause = self.pause;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the peer took nothing of the answer in time",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WritePause<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WritePause<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, polled)
    }
}
