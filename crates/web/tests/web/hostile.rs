//! Issue 11, hostile input and abuse: what an attacker with an ordinary
//! login (or none) tries, and that the server stays up, bounded and inside
//! each user's scope. Every hostile file or request is made here.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ipstrack_core::bundle::BundleDoc;
use ipstrack_store::{AuditFilter, Store};
use ipstrack_web::{Config, Limits, app, serve};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---------------------------------------------------------------------------
// A real server, for what only shows on a connection
// ---------------------------------------------------------------------------

/// Serves `app` on a free local port with these limits; returns its address.
async fn served(app: Router, limits: Limits) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app, limits));
    addr
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

/// Reads until the server closes the connection or `within` passes:
/// (what was read, whether it closed).
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> (String, bool) {
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
    let w = world().await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // 30 MB announced, not one byte of it sent: the answer comes anyway.
    stream
        .write_all(upload_head("", 30_000_000).as_bytes())
        .await
        .unwrap();
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
    let w = world().await;
    let session = session_of(&w, "es1").await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(upload_head(&session, 30_000_000).as_bytes())
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_millis(900)).await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer:?}");
}

#[tokio::test]
async fn an_upload_declared_over_the_limit_answers_413_naming_the_limit_before_it_is_read() {
    let w = world().await;
    let session = session_of(&w, "lead1").await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(upload_head(&session, 40 * 1024 * 1024).as_bytes())
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_millis(900)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer:?}");
    shows(&answer, "at most 32 MB");
}

#[tokio::test]
async fn an_upload_over_the_limit_without_a_declared_length_answers_413_not_a_parse_error() {
    let w = world().await;
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
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
    let w = world().await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(closed, "an idle connection is held");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn headers_sent_slowly_are_cut_off_at_the_header_read_timeout() {
    let w = world().await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream
        .write_all(b"GET /sign-in HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
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
    let w = world().await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /sign-in HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(closed && started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_body_that_stalls_gets_an_answer_within_the_request_timeout() {
    let w = world().await;
    let addr = served(w.app.clone(), short_limits()).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /sign-in HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a",
        )
        .await
        .unwrap();
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
    let limits = Limits {
        max_connections: 2,
        body_pause: Duration::from_secs(2),
        ..short_limits()
    };
    let addr = served(w.app.clone(), limits).await;
    // Two connections whose requests are being answered (their bodies
    // stall) take every place: neither is idle, so neither is closed early.
    let mut idle1 = TcpStream::connect(addr).await.unwrap();
    let mut idle2 = TcpStream::connect(addr).await.unwrap();
    for stream in [&mut idle1, &mut idle2] {
        stream
            .write_all(
                b"POST /sign-in HTTP/1.1\r\nHost: x\r\n\
                  Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a",
            )
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut third = TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
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
    let limits = Limits {
        max_connections: 2,
        header_read: Duration::from_secs(30),
        ..short_limits()
    };
    let addr = served(w.app.clone(), limits).await;
    // Two idle connections take every place, the first idle longest.
    let mut first = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut second = TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (took, answer) = sign_in_page_from("127.0.0.1", addr).await;
    assert_eq!(answer, "HTTP/1.1 200 OK", "not served in {took:?}");
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

/// `count` connections from `from` that each send `requests` pipelined
/// requests for the sign-in page and never read an answer; kept open until
/// the returned tasks are aborted.
async fn pipelining_readers_of_nothing(
    from: &str,
    addr: std::net::SocketAddr,
    count: usize,
    requests: usize,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut attack = Vec::new();
    for _ in 0..count {
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
    stream
        .write_all(b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    let first = answer.lines().next().unwrap_or_default().to_string();
    (started.elapsed(), first)
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
    let limits = Limits {
        header_read: Duration::from_secs(30),
        ..Limits::default()
    };
    let addr = served(w.app.clone(), limits).await;
    // As many as the whole cap, from one address, each with more answers
    // than its socket buffers hold.
    let attack = pipelining_readers_of_nothing("127.0.0.1", addr, 256, 4_000).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (took, first) = sign_in_page_from("127.0.0.2", addr).await;
    assert_eq!(first, "HTTP/1.1 200 OK", "not served in {took:?}");
    for task in attack {
        task.abort();
    }
}

#[tokio::test]
async fn connections_from_many_addresses_that_read_nothing_give_their_places_up_after_the_write_pause()
 {
    let w = world().await;
    let limits = Limits {
        max_connections: 16,
        per_address: 4,
        header_read: Duration::from_secs(30),
        write_pause: Duration::from_secs(1),
        ..Limits::default()
    };
    let addr = served(w.app.clone(), limits).await;
    // Four addresses take every place with answers they never read.
    let mut attack = Vec::new();
    for from in ["127.0.0.11", "127.0.0.12", "127.0.0.13", "127.0.0.14"] {
        attack.extend(pipelining_readers_of_nothing(from, addr, 4, 10_000).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (took, first) = sign_in_page_from("127.0.0.2", addr).await;
    assert_eq!(first, "HTTP/1.1 200 OK", "not served in {took:?}");
    for task in attack {
        task.abort();
    }
}

#[tokio::test]
async fn a_newcomer_is_served_within_seconds_while_peers_that_read_nothing_hold_every_place() {
    let w = world().await;
    // The write pause is long: the newcomer must not wait for it. A peer
    // stalled for a second on an answer it does not read gives its place up.
    let limits = Limits {
        max_connections: 64,
        per_address: 16,
        header_read: Duration::from_secs(60),
        write_pause: Duration::from_secs(60),
        ..Limits::default()
    };
    let addr = served(w.app.clone(), limits).await;
    let mut attack = Vec::new();
    for from in ["127.0.0.21", "127.0.0.22", "127.0.0.23", "127.0.0.24"] {
        attack.extend(pipelining_readers_of_nothing(from, addr, 16, 20_000).await);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    for _ in 0..3 {
        let (took, first) = sign_in_page_from("127.0.0.2", addr).await;
        assert_eq!(first, "HTTP/1.1 200 OK", "not served in {took:?}");
        assert!(took < Duration::from_secs(4), "served in {took:?}");
    }
    for task in attack {
        task.abort();
    }
}

#[tokio::test]
async fn idle_connections_from_one_address_do_not_keep_another_address_from_being_served() {
    let w = world().await;
    // Idle connections are held 30 s: only the cap per address lets
    // another address in within the 10 s the answer is waited for.
    let limits = Limits {
        header_read: Duration::from_secs(30),
        ..Limits::default()
    };
    let addr = served(w.app.clone(), limits).await;
    let mut idle = Vec::new();
    for _ in 0..768 {
        if let Ok(stream) = TcpStream::connect(addr).await {
            idle.push(stream);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (took, first) = sign_in_page_from("127.0.0.2", addr).await;
    assert_eq!(first, "HTTP/1.1 200 OK", "not served in {took:?}");
    drop(idle);
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
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The fourth from the same address is closed at once, unanswered.
    let mut fourth = TcpStream::connect(addr).await.unwrap();
    let _ = fourth
        .write_all(b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let (answer, closed) = read_until_closed(&mut fourth, Duration::from_secs(5)).await;
    assert!(closed && answer.is_empty(), "{answer:?}");
    // Once one closes, the address is served again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (took, first) = sign_in_page_from("127.0.0.1", addr).await;
    assert_eq!(first, "HTTP/1.1 200 OK", "not served in {took:?}");
}

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_answer_with_personal_data_says_no_store() {
    let w = world().await;
    let lead = session_of(&w, "lead1").await;
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

// ---------------------------------------------------------------------------
// Scope and privacy
// ---------------------------------------------------------------------------

/// The team of a specialist.
fn team_of<'a>(doc: &'a BundleDoc, es: &str) -> Option<&'a str> {
    doc.staff
        .iter()
        .find(|s| s.id == es)
        .map(|s| s.team.as_str())
}

/// A stored client all of whose referrals are outside `team`.
fn client_of_another_team(doc: &BundleDoc, team: &str) -> String {
    doc.clients
        .iter()
        .find(|c| {
            let mut referrals = doc.referrals.iter().filter(|r| r.client == c.id).peekable();
            referrals.peek().is_some()
                && referrals.all(|r| {
                    r.es.iter()
                        .chain(r.transfers.iter().flatten().map(|t| &t.es))
                        .all(|es| team_of(doc, es) != Some(team))
                })
        })
        .map(|c| c.id.clone())
        .expect("the example has clients of both teams")
}

/// `YYYY-MM-DD` as a spreadsheet shows it (`DD/MM/YYYY`).
fn uk(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", parts[2], parts[1], parts[0])
}

/// Gives a client of another team than `team` a valid NHS number, and a new
/// server that knows it: (the client, the number, the server).
async fn with_nhs_number_elsewhere(w: &World, team: &str) -> (String, String, Router) {
    let mut doc = w.store.export().await.unwrap();
    let other = client_of_another_team(&doc, team);
    let nhs = "9434765919".to_string();
    for c in doc.clients.iter_mut().filter(|c| c.id == other) {
        c.nhs_number = Some(nhs.clone());
    }
    w.store.import(&doc, "setup").await.unwrap();
    (other, nhs, app_on(&w.store).await)
}

fn csv_upload(cookie: &str, csrf: &str, csv: &str) -> Request<Body> {
    let body = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--X--\r\n"
    );
    Request::post("/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
        .body(Body::from(body))
        .unwrap()
}

/// The out-of-scope entries once written, a row of `count` repeats given
/// `count` times (`new_value` without its count).
async fn out_of_scope_entries(store: &Store) -> Vec<(String, String, String, String)> {
    store.flush_audit().await;
    store
        .audit(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "out-of-scope")
        .flat_map(|e| {
            let mut value: serde_json::Value =
                serde_json::from_str(e.new_value.as_deref().unwrap_or("{}")).unwrap();
            let count = value["count"].as_u64().unwrap_or(1);
            value.as_object_mut().unwrap().remove("count");
            let entry = (e.actor, e.record_type, e.record_id, value.to_string());
            std::iter::repeat_n(entry, count as usize)
        })
        .collect()
}

#[tokio::test]
async fn an_out_of_scope_lookup_is_answered_while_the_audit_writer_is_stopped() {
    let w = world().await;
    let es1 = session_of(&w, "es1").await;
    let theirs = format!("/referrals/{}", w.es3_referral);
    // The first lookup starts the writer; then it is stopped inside a write.
    let (status, _, _) = send(&w.app, get(&theirs, &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let held = w.store.hold_audit_writer().await;
    let flushing = {
        let store = w.store.clone();
        tokio::spawn(async move { store.flush_audit().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Answered with the entry still to be written, as a referral that does
    // not exist is (no entry at all): the same answer.
    let (status, _, page) =
        tokio::time::timeout(Duration::from_secs(10), send(&w.app, get(&theirs, &es1)))
            .await
            .expect("answered without waiting for the audit log");
    let (none_status, _, none_page) = send(&w.app, get("/referrals/r-none", &es1)).await;
    assert_eq!(
        (status, page.replace(&w.es3_referral, "r-none")),
        (none_status, none_page)
    );
    drop(held);
    flushing.await.unwrap();
    let entries = out_of_scope_entries(&w.store).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
}

#[tokio::test]
async fn a_team_leads_import_naming_another_teams_client_is_refused_without_confirming_it() {
    let w = world().await;
    let before = w.store.export().await.unwrap();
    let other = client_of_another_team(&before, "t1");
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    // A new referral for es3 (lead1's team), for another team's client.
    let csv = format!(
        "Client ID,Referral date,Employment status at referral,Employment specialist\n\
         {other},02/12/2024,Unemployed,Specialist 3\n"
    );
    let (status, _, page) = send(&w.app, csv_upload(&session, &csrf, &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(
        &page,
        &format!(
            "client id {other} cannot be used in your import: check it, or ask a manager if this person is already known to the service"
        ),
    );
    hides(&page, "another team");
    assert!(!page.contains("es1") && !page.contains("es2"), "{page}");
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![(
            "lead1".to_string(),
            "client".to_string(),
            other.clone(),
            r#"{"matched_by":"id"}"#.to_string()
        )]
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

#[tokio::test]
async fn a_team_leads_import_with_another_teams_nhs_number_is_not_refused_nor_names_the_client() {
    let mut w = world().await;
    let (other, nhs, app) = with_nhs_number_elsewhere(&w, "t1").await;
    w.app = app;
    let before = w.store.export().await.unwrap();
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let csv = format!(
        "Client ID,NHS number,Referral date,Employment status at referral,Employment specialist\n\
         brandnew,{nhs},02/12/2024,Unemployed,Specialist 3\n"
    );
    let (status, _, page) = send(&w.app, csv_upload(&session, &csrf, &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Not refused (that would tell): the new client will be kept as a
    // possible duplicate of the other team's, for a manager (issue 21).
    hides(&page, "cannot be used");
    assert!(
        !page.contains(&format!(">{other}<")) && !page.contains(&format!("client {other}")),
        "{page}"
    );
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![(
            "lead1".to_string(),
            "client".to_string(),
            other,
            r#"{"matched_by":"nhs_number"}"#.to_string()
        )]
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

#[tokio::test]
async fn a_team_leads_import_of_another_teams_referral_does_not_name_its_specialist() {
    let w = world().await;
    let before = w.store.export().await.unwrap();
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    // es1's referral (team t2), sent as if it were es3's.
    let theirs = before
        .referrals
        .iter()
        .find(|r| r.id == w.es1_referral)
        .unwrap();
    let csv = format!(
        "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist\n\
         {},{},{},Unemployed,Specialist 3\n",
        theirs.id,
        theirs.client,
        uk(&theirs.received)
    );
    let (status, _, page) = send(&w.app, csv_upload(&session, &csrf, &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(
        &page,
        &format!("referral id {} cannot be used in your import", theirs.id),
    );
    assert!(
        !page.contains("another team") && !page.contains("es1"),
        "{page}"
    );
    let entries = out_of_scope_entries(&w.store).await;
    assert!(
        entries.contains(&(
            "lead1".to_string(),
            "referral".to_string(),
            theirs.id.clone(),
            r#"{"matched_by":"id"}"#.to_string()
        )),
        "{entries:?}"
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

#[tokio::test]
async fn opening_another_teams_referral_is_written_to_the_audit_log() {
    let w = world().await;
    let es1 = session_of(&w, "es1").await;
    let (status, _, page) =
        send(&w.app, get(&format!("/referrals/{}", w.es3_referral), &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    hides(&page, &w.es3_referral);
    let (status, _, _) = send(
        &w.app,
        get(&format!("/api/v1/referrals/{}", w.es3_referral), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A referral that does not exist matches nothing: nothing to log.
    let (status, _, _) = send(&w.app, get("/referrals/r-none", &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let entry = (
        "es1".to_string(),
        "referral".to_string(),
        w.es3_referral.clone(),
        r#"{"matched_by":"id"}"#.to_string(),
    );
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![entry.clone(), entry]
    );
}

/// The new-referral form of `session`, filled with `client` and `nhs`.
async fn new_referral(w: &World, session: &str, client: &str, nhs: &str) -> (StatusCode, String) {
    let (_, _, page) = send(&w.app, get("/referrals/new", session)).await;
    let csrf = hidden_csrf(&page);
    let once = page
        .split("name=\"once\" value=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .unwrap_or_default();
    let form = format!(
        "csrf={csrf}&once={once}&client={client}&given_name=Amira&family_name=Khan&nhs_number={nhs}&received=2025-01-10&status_at_referral=unemployed&es=es1"
    );
    let (status, _, page) = send(&w.app, post("/referrals/new", session, &form)).await;
    (status, page)
}

#[tokio::test]
async fn an_es_cannot_attach_a_referral_to_another_teams_client_nor_tell_it_exists() {
    let w = world().await;
    let before = w.store.export().await.unwrap();
    let other = client_of_another_team(&before, "t2");
    let es1 = session_of(&w, "es1").await;
    let (status, taken) = new_referral(&w, &es1, &other, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{taken}");
    let (status, absent) = new_referral(&w, &es1, "c-none-such", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{absent}");
    let message = "There is no such client in your caseloads: leave it empty for a new person";
    assert!(
        taken.contains(message) && absent.contains(message),
        "{taken}"
    );
    assert_eq!(w.store.export().await.unwrap(), before);
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![(
            "es1".to_string(),
            "client".to_string(),
            other,
            r#"{"matched_by":"id"}"#.to_string()
        )]
    );
}

/// The client a new referral made (the newest client), as stored.
async fn newest_client(w: &World) -> ipstrack_core::bundle::ClientDoc {
    w.store.export().await.unwrap().clients.pop().unwrap()
}

#[tokio::test]
async fn another_teams_nhs_number_on_a_new_person_is_answered_as_any_new_persons_and_kept_for_a_manager()
 {
    let mut w = world().await;
    let (other, nhs, app) = with_nhs_number_elsewhere(&w, "t2").await;
    w.app = app;
    let es1 = session_of(&w, "es1").await;
    // A number nobody has, then another team's client's: the same answer —
    // saved, to the new referral's page — never a refusal that tells.
    let (fresh_status, fresh) = new_referral(&w, &es1, "", "4010232137").await;
    assert_eq!(fresh_status, StatusCode::SEE_OTHER, "{fresh}");
    let fresh_client = newest_client(&w).await;
    assert_eq!(fresh_client.possible_duplicate_of, None);
    let (status, page) = new_referral(&w, &es1, "", &nhs).await;
    assert_eq!(status, fresh_status, "{page}");
    assert_eq!(page, fresh, "the same (empty) body: a redirect");
    hides(&page, &other);
    // Kept apart, as a possible duplicate of the known client, for a manager.
    let kept = newest_client(&w).await;
    assert_eq!(kept.nhs_number.as_deref(), Some(nhs.as_str()));
    assert_eq!(kept.possible_duplicate_of.as_deref(), Some(other.as_str()));
    w.store.load().await.expect("the database loads");
    assert!(w.store.integrity_check().await.unwrap().is_empty());
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![(
            "es1".to_string(),
            "client".to_string(),
            other,
            r#"{"matched_by":"nhs_number"}"#.to_string()
        )]
    );
}

#[tokio::test]
async fn the_new_referral_form_names_a_client_of_ones_own_with_the_nhs_number() {
    let mut w = world().await;
    w.app = app_on(&w.store).await;
    let es1 = session_of(&w, "es1").await;
    // One of es1's own clients' NHS number: named, to add the referral to them.
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let es1_idx = d.staff.iter().position(|s| s.id == "es1").unwrap() as u32;
    let own = d
        .referrals
        .iter()
        .find(|r| ipstrack_core::report::assigned_on(r, today(), today()) == Some(es1_idx))
        .map(|r| d.clients[r.client as usize].id.clone())
        .unwrap();
    let mut doc = w.store.export().await.unwrap();
    for c in doc.clients.iter_mut().filter(|c| c.id == own) {
        c.nhs_number = Some("4010232137".into());
    }
    w.store.import(&doc, "setup").await.unwrap();
    let before = w.store.export().await.unwrap();
    w.app = app_on(&w.store).await;
    let (status, page) = new_referral(&w, &es1, "", "4010232137").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    shows(
        &page,
        &format!("enter {own} as the client to add a referral"),
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

/// One HTTP/1.1 exchange on a new connection: the whole answer.
async fn exchange(addr: std::net::SocketAddr, request: String) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let (answer, closed) = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(closed, "{answer}");
    answer
}

#[tokio::test]
async fn a_failed_sign_in_through_the_server_is_counted_by_the_senders_address() {
    let w = world().await;
    let addr = served(w.app.clone(), Limits::default()).await;
    let page = exchange(
        addr,
        "GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    let cookie = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let form = format!("username=es1&password=wrong&csrf={}", hidden_csrf(&page));
    let answer = exchange(
        addr,
        format!(
            "POST /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 401") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
    let db = w._dir.path().join("web.sqlite");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let addresses: Vec<(String,)> = sqlx::query_as("SELECT address FROM sign_in_failures")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(addresses, vec![("127.0.0.1".to_string(),)]);
}

/// Form tokens and API keys are apart, and each user's own (issue 20): a
/// form token made as the store once made an API key's (`sha256("api\0es1\0KEY")`)
/// by another user neither swallows es1's later API write nor answers it
/// with the attacker's referral.
#[tokio::test]
async fn a_form_token_crafted_from_another_users_api_key_neither_blocks_nor_answers_it() {
    use sha2::Digest;
    let w = world().await;
    let (es3, csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let crafted = hex::encode(sha2::Sha256::digest(b"api\0es1\0nightly-7"));
    let form = format!("csrf={csrf}&once={crafted}&date=2025-01-14&kind=remote&note=es3+only");
    let (status, _, body) = send(
        &w.app,
        post(
            &format!("/referrals/{}/contacts", w.es3_referral),
            &es3,
            &form,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let before = w.store.contact_count(&w.es1_referral).await.unwrap();
    let request = Request::post(format!("/api/v1/referrals/{}/steps", w.es1_referral))
        .header(header::AUTHORIZATION, format!("Bearer {es1}"))
        .header("idempotency-key", "nightly-7")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"step": "contact", "date": "2025-01-14", "kind": "remote"}"#,
        ))
        .unwrap();
    let (status, _, body) = send(&w.app, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    hides(&body, &format!("\"{}\"", w.es3_referral));
    hides(&body, "es3 only");
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap(),
        before + 1,
        "es1's write is made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_users_many_searches_at_once_are_answered_429_or_served_and_others_are_served() {
    let w = world().await;
    let es1 = session_of(&w, "es1").await;
    let es3 = session_of(&w, "es3").await;
    let many: Vec<_> = (0..32)
        .map(|_| {
            let app = w.app.clone();
            let es1 = es1.clone();
            tokio::spawn(async move { send(&app, get("/search?q=a", &es1)).await })
        })
        .collect();
    let (status, _, _) = send(&w.app, get("/search?q=a", &es3)).await;
    assert_eq!(status, StatusCode::OK);
    for answer in many {
        let (status, headers, _) = answer.await.unwrap();
        assert!(
            status == StatusCode::OK
                || (status == StatusCode::TOO_MANY_REQUESTS
                    && header_value(&headers, "retry-after").as_deref() == Some("1")),
            "{status}"
        );
    }
    // Their places are given back: the next search is served.
    let (status, _, _) = send(&w.app, get("/search?q=a", &es1)).await;
    assert_eq!(status, StatusCode::OK);
}

// ---------------------------------------------------------------------------
// Sign-in fields over their lengths
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_sign_in_with_a_two_megabyte_username_is_refused_as_a_wrong_password_and_stores_nothing()
{
    let w = world().await;
    let before = w.store.password_checks();
    let long = "u".repeat(1_900_000);
    let (status, page, session) = sign_in_from(&w, &long, "wrong", "192.0.2.9").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(session.is_none());
    shows(&page, "The username or password is not right.");
    hides(&page, "uuuuuuuu");
    assert_eq!(w.store.password_checks(), before, "a password was checked");
    assert!(
        w.store.sign_in_failures().await.unwrap().is_empty(),
        "a failure was stored"
    );
    // A password over its length alike.
    let long = "p".repeat(ipstrack_store::MAX_PASSWORD + 1);
    let (status, page, _) = sign_in_from(&w, "es1", &long, "192.0.2.9").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    shows(&page, "The username or password is not right.");
    assert_eq!(w.store.password_checks(), before, "a password was checked");
}

#[tokio::test]
async fn a_password_change_with_a_current_password_over_its_length_is_refused_unchecked() {
    let w = world().await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let before = w.store.password_checks();
    let long = "p".repeat(ipstrack_store::MAX_PASSWORD + 1);
    let form =
        format!("csrf={csrf}&current={long}&new=another+long+secret&confirm=another+long+secret");
    let (status, _, body) = send(&w.app, post("/account/password", &es1, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&body, "The current password is not right");
    assert_eq!(w.store.password_checks(), before, "a password was checked");
    assert!(w.store.sign_in_failures().await.unwrap().is_empty());
    // A new password over its length is refused, naming the limit.
    let current = PASSWORD.replace(' ', "+");
    let form = format!("csrf={csrf}&current={current}&new={long}&confirm={long}");
    let (status, _, body) = send(&w.app, post("/account/password", &es1, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&body, "at most 1024 characters");
    assert!(sign_in(&w, "es1", PASSWORD).await.is_some(), "unchanged");
}

/// A wrong sign-in of `user` from `ip` through the application: its status
/// and `Retry-After`.
async fn wrong_sign_in(app: Router, user: String, ip: String) -> (StatusCode, Option<String>) {
    let (_, headers, body) = send(&app, get("/sign-in", "")).await;
    let cookie = header_value(&headers, "set-cookie").unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let form = format!(
        "username={user}&password=wrong+password&csrf={}",
        hidden_csrf(&body)
    );
    let mut request = post("/sign-in", &cookie, &form);
    let addr = std::net::SocketAddr::new(ip.parse().unwrap(), 40000);
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    let (status, headers, _) = send(&app, request).await;
    (status, header_value(&headers, "retry-after"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_parallel_wrong_sign_ins_never_check_more_than_four_passwords_at_once() {
    let w = world().await;
    let before = w.store.password_checks();
    let mut tasks = Vec::new();
    for i in 0..64 {
        tasks.push(tokio::spawn(wrong_sign_in(
            w.app.clone(),
            format!("user{i}"),
            format!("10.1.0.{i}"),
        )));
    }
    let mut busy = 0;
    for task in tasks {
        match task.await.unwrap() {
            (StatusCode::UNAUTHORIZED, _) => {}
            (StatusCode::SERVICE_UNAVAILABLE, Some(retry)) => {
                assert_eq!(retry, "5");
                busy += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    let most = ipstrack_store::most_password_checks_at_once();
    assert!(
        most <= ipstrack_store::PASSWORD_CHECKS_AT_ONCE,
        "{most} passwords checked at once"
    );
    assert_eq!(w.store.password_checks() - before, 64 - busy);
}
