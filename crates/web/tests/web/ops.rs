//! Running it like a service: `/healthz` and `/readyz` for load balancers
//! (no session, no personal data), a request id on every answer, and the
//! Prometheus metrics on their own router, labelled by route template.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use ipstrack_web::{REQUEST_ID_MAX, metrics_router};

use crate::common::*;

fn plain(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn with_request_id(path: &str, id: &[u8]) -> Request<Body> {
    Request::get(path)
        .header(
            "x-request-id",
            axum::http::HeaderValue::from_bytes(id).unwrap(),
        )
        .body(Body::empty())
        .unwrap()
}

/// A request id ipstrack made: 32 hexadecimal digits.
#[track_caller]
fn made_here(headers: &[(String, String)]) -> String {
    let id = header_value(headers, "x-request-id").expect("a request id");
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id:?}"
    );
    id
}

#[tokio::test]
async fn healthz_and_readyz_answer_without_a_session_or_personal_data() {
    let w = world().await;
    for (path, word) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let (status, headers, body) = send(&w.app, plain(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body, word, "{path}");
        assert_eq!(
            header_value(&headers, "cache-control").as_deref(),
            Some("no-store")
        );
        assert!(header_value(&headers, "set-cookie").is_none(), "{path}");
        made_here(&headers);
    }
    // Asked again and again by a load balancer: never slowed like sign-ins.
    for _ in 0..50 {
        let (status, _, _) = send(&w.app, plain("/readyz")).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_does_not_and_healthz_still_answers() {
    let w = world().await;
    w.store.close().await;
    let (status, _, body) = send(&w.app, plain("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "unavailable");
    let (status, _, body) = send(&w.app, plain("/healthz")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn a_well_formed_request_id_is_kept_and_a_hostile_one_replaced() {
    let w = world().await;
    let (_, headers, _) = send(&w.app, with_request_id("/healthz", b"lb-7f3a-0001")).await;
    assert_eq!(
        header_value(&headers, "x-request-id").as_deref(),
        Some("lb-7f3a-0001")
    );
    let long = "a".repeat(10_000);
    let just_over = "b".repeat(REQUEST_ID_MAX + 1);
    for hostile in [
        long.as_bytes(),
        just_over.as_bytes(),
        b"abc def".as_slice(),
        b"abc\tdef",
        b"id\"}{\"level\":\"INFO\"",
        b"caf\xc3\xa9",
        b"",
    ] {
        let (status, headers, _) = send(&w.app, with_request_id("/healthz", hostile)).await;
        assert_eq!(status, StatusCode::OK);
        let id = made_here(&headers);
        assert_ne!(id.as_bytes(), hostile);
    }
}

/// The value of the counter of `GET route` answered `status`, 0 if none yet.
fn requests_counted(metrics: &str, route: &str, status: u16) -> u64 {
    let labels = format!("{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&format!("ipstrack_http_requests_total{labels} ")))
        .map_or(0, |n| n.trim().parse().unwrap())
}

async fn scrape(w: &World) -> String {
    let (status, headers, body) = send(&metrics_router(w.store.clone()), plain("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        header_value(&headers, "content-type").is_some_and(|t| t.starts_with("text/plain")),
        "{headers:?}"
    );
    body
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_never_by_id_and_only_on_their_own_router() {
    let w = world().await;
    let manager = session_of(&w, "manager").await;
    let before = scrape(&w).await;
    let path = format!("/referrals/{}", w.es1_referral);
    ok_page(&w, &path, &manager).await;
    let (status, _, _) = send(&w.app, plain("/no/such/page/r123456")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let after = scrape(&w).await;
    assert!(
        requests_counted(&after, "/referrals/{id}", 200)
            > requests_counted(&before, "/referrals/{id}", 200),
        "{after}"
    );
    assert!(requests_counted(&after, "unmatched", 404) >= 1, "{after}");
    assert!(!after.contains(&path), "an id in a label: {after}");
    assert!(!after.contains("r123456"), "a path in a label: {after}");
    for name in [
        "ipstrack_http_request_duration_seconds_bucket",
        "ipstrack_db_pool_connections{pool=\"read\",state=\"max\"} 8",
        "ipstrack_db_pool_connections{pool=\"write\",state=\"max\"} 1",
    ] {
        assert!(after.contains(name), "{name} not in {after}");
    }
    // The public application has no metrics, signed in or not.
    for cookie in ["", manager.as_str()] {
        let (status, _, body) = send(&w.app, get("/metrics", cookie)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(!body.contains("ipstrack_http_requests_total"));
    }
}

#[tokio::test]
async fn metrics_count_failed_sign_ins_and_write_conflicts() {
    let w = world().await;
    let failures = |m: &str| {
        m.lines()
            .find_map(|l| l.strip_prefix("ipstrack_sign_in_failures_total{reason=\"refused\"} "))
            .map_or(0, |n| n.trim().parse::<u64>().unwrap())
    };
    let before = failures(&scrape(&w).await);
    assert!(sign_in(&w, "es1", "not the password").await.is_none());
    assert!(failures(&scrape(&w).await) > before);
    let after = scrape(&w).await;
    assert!(
        after.contains("ipstrack_writes_total{route=\"/sign-in\",outcome=\"refused\"}"),
        "{after}"
    );
}

/// A request the server's time limit cuts off (408, answered outside the
/// router) is counted under its route, and carries its request id, as any
/// other answer: a sign-in whose body trickles in a byte at a time, never
/// pausing long enough for the body's own limit.
#[tokio::test]
async fn a_request_cut_off_by_the_time_limit_is_counted_under_its_route() {
    use tokio::io::AsyncWriteExt;
    let w = world().await;
    let limits = ipstrack_web::Limits {
        request: std::time::Duration::from_secs(1),
        body_pause: std::time::Duration::from_secs(5),
        ..ipstrack_web::Limits::default()
    };
    let addr = crate::hostile::served(w.app.clone(), limits).await;
    let counted = |metrics: &str| {
        let labels = "{method=\"POST\",route=\"/sign-in\",status=\"408\"}";
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(&format!("ipstrack_http_requests_total{labels} ")))
            .map_or(0, |n| n.trim().parse::<u64>().unwrap())
    };
    let before = counted(&scrape(&w).await);
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n")
        .await
        .unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..20 {
            if stream.write_all(b"a").await.is_err() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        stream
    });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut stream = writer.await.unwrap();
    let (answer, _) =
        crate::hostile::read_until_closed(&mut stream, std::time::Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        answer.to_ascii_lowercase().contains("x-request-id: "),
        "{answer:?}"
    );
    assert!(
        counted(&scrape(&w).await) > before,
        "the 408 is counted under /sign-in"
    );
}
