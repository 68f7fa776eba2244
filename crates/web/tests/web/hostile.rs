//! Issue 11, hostile input and abuse: what an attacker with an ordinary
//! login (or none) tries, and that the server stays up, bounded and inside
//! each user's scope. Every hostile file or request is made here.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ipstrack_web::{Config, Limits, app, serve};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------
// A real server, for what only shows on a connection
// ---------------------------------------------------------------------------

/// Serves `app` on a free local port with these limits; returns its address.
pub(crate) async fn served(app: Router, limits: Limits) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app, limits));
    addr
}

/// A new world served with [`short_limits`]: (the world, kept while
/// served, and the address).
async fn world_served() -> (World, std::net::SocketAddr) {
    let w = world().await;
    let addr = served(w.app.clone(), short_limits()).await;
    (w, addr)
}

/// The default limits but for idle connections held 30 s.
fn idle_held_30_s() -> Limits {
    Limits {
        header_read: Duration::from_secs(30),
        ..Limits::default()
    }
}

/// [`short_limits`] with room for two connections, idle ones held
/// `header_read` seconds and a stalled body `body_pause` seconds.
fn two_places(header_read: u64, body_pause: u64) -> Limits {
    Limits {
        max_connections: 2,
        header_read: Duration::from_secs(header_read),
        body_pause: Duration::from_secs(body_pause),
        ..short_limits()
    }
}

fn short_limits() -> Limits {
    Limits {
        max_connections: 4,
        header_read: Duration::from_secs(1),
        body_pause: Duration::from_secs(1),
        request: Duration::from_secs(3),
        ..Limits::default()
    }
}

/// A new connection to `addr` that has sent `bytes`.
async fn sent(addr: std::net::SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

/// Up to `count` connections to `addr`, those that could be made.
async fn connections(addr: std::net::SocketAddr, count: usize) -> Vec<TcpStream> {
    let mut made = Vec::new();
    for _ in 0..count {
        if let Ok(stream) = TcpStream::connect(addr).await {
            made.push(stream);
        }
    }
    made
}

/// A sign-in post whose body of 1000 bytes stalls after its first few.
const STALLED_SIGN_IN: &[u8] = b"POST /sign-in HTTP/1.1\r\nHost: x\r\n\
    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a";

/// The sign-in page asked for on a connection closed after the answer.
const SIGN_IN_THEN_CLOSE: &[u8] = b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

/// Reads until the server closes the connection or `within` passes:
/// (what was read, whether it closed).
pub(crate) async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0_u8; 4096];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into(), false),
        }
    }
}

// ---------------------------------------------------------------------------
// Uploads
// ---------------------------------------------------------------------------

/// The head of a multipart upload declaring a body of `length` bytes.
fn upload_head(cookie: &str, length: usize) -> String {
    format!(
        "POST /import HTTP/1.1\r\nHost: ipstrack\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary=X\r\nContent-Length: {length}\r\n\r\n"
    )
}

#[tokio::test]
async fn an_upload_without_a_session_is_refused_before_its_body_is_read() {
    let (_w, addr) = world_served().await;
    // 30 MB announced, not one byte of it sent: the answer comes anyway.
    let mut stream = sent(addr, upload_head("", 30_000_000).as_bytes()).await;
    let started = Instant::now();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_millis(900)).await;
    assert!(
        answer.starts_with("HTTP/1.1 303"),
        "answered {answer:?} after {:?}",
        started.elapsed()
    );
    shows(&answer, "location: /sign-in");
}

#[tokio::test]
async fn an_upload_by_an_es_is_refused_before_its_body_is_read() {
    let (w, session, _) = world_signed_in("es1").await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = sent(addr, upload_head(&session, 30_000_000).as_bytes()).await;
    let (answer, _) = read_until_closed(&mut stream, Duration::from_millis(900)).await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer:?}");
}

#[tokio::test]
async fn an_upload_declared_over_the_limit_answers_413_naming_the_limit_before_it_is_read() {
    let (w, session, _) = world_signed_in("lead1").await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = sent(addr, upload_head(&session, 40 * 1024 * 1024).as_bytes()).await;
    let (answer, _) = read_until_closed(&mut stream, Duration::from_millis(900)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    shows(&answer, "at most 32 MB");
}

#[tokio::test]
async fn an_upload_over_the_limit_without_a_declared_length_answers_413_not_a_parse_error() {
    let (w, session, csrf) = world_signed_in("lead1").await;
    let mut body = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.resize(body.len() + 33 * 1024 * 1024, b'a');
    body.extend_from_slice(b"\r\n--X--\r\n");
    // No Content-Length: the limit is found while reading.
    let request = Request::post("/import")
        .header(header::COOKIE, &session)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
        .body(Body::from(body))
        .unwrap();
    let (status, _, page) = send(&w.app, request).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{page}");
    shows(&page, "at most 32 MB");
    assert!(
        page.contains("error-summary"),
        "shown on the upload page: {page}"
    );
}

// ---------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_read_timeout() {
    let (_w, addr) = world_served().await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed, "an idle connection is held");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn headers_sent_slowly_are_cut_off_at_the_header_read_timeout() {
    let (_w, addr) = world_served().await;
    let started = Instant::now();
    let mut stream = sent(addr, b"GET /sign-in HTTP/1.1\r\nHost: x\r\n").await;
    // A header line every 300 ms, never the end of the headers.
    let mut closed = false;
    for i in 0..20 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        if stream
            .write_all(format!("X-Slow-{i}: yes\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = true;
            break;
        }
    }
    let (_, closed_now) = read_until_closed(&mut stream, Duration::from_secs(1)).await;
    assert!(closed || closed_now, "slow headers are held");
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed() {
    let (_w, addr) = world_served().await;
    let mut stream = sent(addr, b"GET /sign-in HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(closed && started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_body_that_stalls_gets_an_answer_within_the_request_timeout() {
    let (_w, addr) = world_served().await;
    let mut stream = sent(addr, STALLED_SIGN_IN).await;
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(6)).await;
    assert!(closed, "a stalled body is held: {answer:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer:?}"
    );
}

#[tokio::test]
async fn connections_over_the_cap_wait_and_are_served_when_one_closes() {
    let w = world().await;
    let addr = served(w.app.clone(), two_places(1, 2)).await;
    // Two connections whose requests are being answered (their bodies
    // stall) take every place: neither is idle, so neither is closed early.
    let idle1 = sent(addr, STALLED_SIGN_IN).await;
    let idle2 = sent(addr, STALLED_SIGN_IN).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut third = sent(addr, SIGN_IN_THEN_CLOSE).await;
    let (answer, _) = read_until_closed(&mut third, Duration::from_secs(6)).await;
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(
        waited >= Duration::from_millis(1200),
        "the third connection was served at once ({waited:?}): no cap"
    );
    drop((idle1, idle2));
}

#[tokio::test]
async fn when_every_place_is_taken_the_connection_idle_longest_is_closed_for_a_new_one() {
    let w = world().await;
    let addr = served(w.app.clone(), two_places(30, 1)).await;
    // Two idle connections take every place, the first idle longest.
    let mut first = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut second = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let took = served_from("127.0.0.1", addr).await;
    assert!(took < Duration::from_secs(5), "served after {took:?}");
    let (_, closed) = read_until_closed(&mut first, Duration::from_secs(1)).await;
    assert!(closed, "the connection idle longest is open");
    let (_, closed) = read_until_closed(&mut second, Duration::from_millis(300)).await;
    assert!(!closed, "the other idle connection was closed too");
}

/// A connection to `addr` from the local address `from` (any of 127/8 is
/// this machine), so that it counts as another peer than 127.0.0.1.
async fn connect_from(from: &str, addr: std::net::SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// `count` connections from each address of `froms` that each send
/// `requests` pipelined requests for the sign-in page and never read an
/// answer; kept open until the returned tasks are aborted ([`stop`]).
async fn pipelining_readers_of_nothing(
    froms: &[&str],
    addr: std::net::SocketAddr,
    count: usize,
    requests: usize,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut attack = Vec::new();
    for from in froms
        .iter()
        .flat_map(|from| std::iter::repeat_n(*from, count))
    {
        let stream = connect_from(from, addr).await;
        attack.push(tokio::spawn(async move {
            let (_read, mut write) = stream.into_split();
            let burst = "GET /sign-in HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests);
            let _ = write.write_all(burst.as_bytes()).await;
            // Never read; hold the connection until the test ends.
            tokio::time::sleep(Duration::from_secs(120)).await;
            drop(_read);
        }));
    }
    attack
}

/// The sign-in page asked for on a new connection from `from`: how long the
/// answer took, and its first line (empty if none within 10 s).
async fn sign_in_page_from(from: &str, addr: std::net::SocketAddr) -> (Duration, String) {
    let started = Instant::now();
    let mut stream = connect_from(from, addr).await;
    stream.write_all(SIGN_IN_THEN_CLOSE).await.unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    let first = answer.lines().next().unwrap_or_default().to_string();
    (started.elapsed(), first)
}

/// Fails unless the sign-in page asked for from `from` is answered 200
/// within 10 s; how long it took.
async fn served_from(from: &str, addr: std::net::SocketAddr) -> Duration {
    let (took, first) = sign_in_page_from(from, addr).await;
    assert_eq!(first, "HTTP/1.1 200 OK", "not served in {took:?}");
    took
}

/// Serves the app with room for four addresses at their cap of
/// `per_address` each, and has the four addresses from `127.0.0.{first}`
/// on take every place, each connection sending `requests` pipelined
/// requests and reading no answer. `(header_read, write_pause)` in seconds.
async fn every_place_taken(
    app: Router,
    per_address: usize,
    (header_read, write_pause): (u64, u64),
    first: u8,
    requests: usize,
) -> (std::net::SocketAddr, Vec<tokio::task::JoinHandle<()>>) {
    let limits = Limits {
        max_connections: 4 * per_address,
        per_address,
        header_read: Duration::from_secs(header_read),
        write_pause: Duration::from_secs(write_pause),
        ..Limits::default()
    };
    let addr = served(app, limits).await;
    let froms: Vec<String> = (first..first + 4).map(|n| format!("127.0.0.{n}")).collect();
    let froms: Vec<&str> = froms.iter().map(String::as_str).collect();
    let attack = pipelining_readers_of_nothing(&froms, addr, per_address, requests).await;
    (addr, attack)
}

/// Ends the connections of an attack.
fn stop(attack: Vec<tokio::task::JoinHandle<()>>) {
    for task in attack {
        task.abort();
    }
}

#[tokio::test]
async fn a_peer_that_sends_requests_and_reads_nothing_is_closed_after_the_write_pause() {
    let w = world().await;
    let limits = Limits {
        write_pause: Duration::from_secs(1),
        ..short_limits()
    };
    let addr = served(w.app.clone(), limits).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    // Far more answers than the socket buffers hold.
    let requests = 10_000;
    let writer = tokio::spawn(async move {
        let burst = "GET /sign-in HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests);
        let _ = write.write_all(burst.as_bytes()).await;
        write
    });
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut answers = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut answers))
        .await
        .is_ok();
    let answered = String::from_utf8_lossy(&answers)
        .matches("HTTP/1.1 200")
        .count();
    assert!(closed, "the connection is held ({answered} answers read)");
    assert!(
        answered < requests,
        "every answer waited for a peer that read nothing"
    );
    writer.abort();
}

#[tokio::test]
async fn pipelining_connections_that_read_nothing_do_not_keep_another_address_from_being_served() {
    let w = world().await;
    // Idle connections are held 30 s: only the cap per address lets
    // another address in within the 10 s the answer is waited for.
    let addr = served(w.app.clone(), idle_held_30_s()).await;
    // As many as the whole cap, from one address, each with more answers
    // than its socket buffers hold.
    let attack = pipelining_readers_of_nothing(&["127.0.0.1"], addr, 256, 4_000).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    served_from("127.0.0.2", addr).await;
    stop(attack);
}

#[tokio::test]
async fn connections_from_many_addresses_that_read_nothing_give_their_places_up_after_the_write_pause()
 {
    let w = world().await;
    // Four addresses take every place with answers they never read; the
    // write pause is a second.
    let (addr, attack) = every_place_taken(w.app.clone(), 4, (30, 1), 11, 10_000).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    served_from("127.0.0.2", addr).await;
    stop(attack);
}

#[tokio::test]
async fn a_newcomer_is_served_within_seconds_while_peers_that_read_nothing_hold_every_place() {
    let w = world().await;
    // The write pause is long: the newcomer must not wait for it. A peer
    // stalled for a second on an answer it does not read gives its place up.
    let (addr, attack) = every_place_taken(w.app.clone(), 16, (60, 60), 21, 20_000).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    for _ in 0..3 {
        let took = served_from("127.0.0.2", addr).await;
        assert!(took < Duration::from_secs(4), "served in {took:?}");
    }
    stop(attack);
}

#[tokio::test]
async fn idle_connections_from_one_address_do_not_keep_another_address_from_being_served() {
    let w = world().await;
    // Idle connections are held 30 s: only the cap per address lets
    // another address in within the 10 s the answer is waited for.
    let addr = served(w.app.clone(), idle_held_30_s()).await;
    let _idle = connections(addr, 768).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    // (The idle connections are held until here.)
    served_from("127.0.0.2", addr).await;
}

#[tokio::test]
async fn one_address_has_at_most_its_cap_of_connections() {
    let w = world().await;
    let limits = Limits {
        header_read: Duration::from_secs(30),
        per_address: 3,
        ..Limits::default()
    };
    let addr = served(w.app.clone(), limits).await;
    let mut held = connections(addr, 3).await;
    assert_eq!(held.len(), 3, "three connections from one address");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The fourth from the same address is closed at once, unanswered.
    let mut fourth = TcpStream::connect(addr).await.unwrap();
    let _ = fourth.write_all(SIGN_IN_THEN_CLOSE).await;
    let (answer, closed) = read_until_closed(&mut fourth, Duration::from_secs(5)).await;
    assert!(closed && answer.is_empty(), "{answer:?}");
    // Once one closes, the address is served again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    served_from("127.0.0.1", addr).await;
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_answer_with_personal_data_says_no_store() {
    let (w, lead, _) = world_signed_in("lead1").await;
    let manager = session_of(&w, "manager").await;
    let referral = format!("/referrals/{}", w.es3_referral);
    let api = format!("/api/v1/referrals/{}", w.es3_referral);
    for (path, cookie) in [
        ("/sign-in", ""),
        ("/caseload", lead.as_str()),
        (referral.as_str(), lead.as_str()),
        ("/team", lead.as_str()),
        ("/service", manager.as_str()),
        (api.as_str(), manager.as_str()),
        ("/api/v1/report", manager.as_str()),
        ("/returns/grow-return.csv", manager.as_str()),
        ("/returns/grow-return.xlsx", manager.as_str()),
        ("/referrals/nonexistent", lead.as_str()),
    ] {
        let (status, headers, _) = send_bytes(&w.app, get(path, cookie)).await;
        assert_eq!(
            header_value(&headers, "cache-control").as_deref(),
            Some("no-store"),
            "{path} ({status})"
        );
    }
}

#[tokio::test]
async fn the_stylesheet_and_script_are_cached_by_their_content_hash() {
    let w = world().await;
    let (_, _, page) = send(&w.app, get("/sign-in", "")).await;
    for asset in ["/static/style.css?v=", "/static/app.js?v="] {
        let at = page
            .find(asset)
            .unwrap_or_else(|| panic!("{asset} in {page}"));
        let href: String = page[at..].chars().take_while(|c| *c != '"').collect();
        let hash = href.split("?v=").nth(1).unwrap();
        assert_eq!(hash.len(), 16, "{href}");
        let (status, headers, _) = send_bytes(&w.app, get(&href, "")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header_value(&headers, "cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        let etag = header_value(&headers, "etag").unwrap();
        assert_eq!(etag, format!("\"{hash}\""));
        let again = Request::get(&href)
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send_bytes(&w.app, again).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
    }
}

#[tokio::test]
async fn hsts_is_sent_with_secure_cookies_only() {
    let w = world().await;
    let (_, headers, _) = send(&w.app, get("/sign-in", "")).await;
    assert_eq!(header_value(&headers, "strict-transport-security"), None);
    let secure = app(
        w.store.clone(),
        Config {
            secure_cookies: true,
            today: Some(today()),
            oidc: None,
        },
    )
    .await
    .unwrap();
    let (_, headers, _) = send(&secure, get("/sign-in", "")).await;
    assert_eq!(
        header_value(&headers, "strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
}
