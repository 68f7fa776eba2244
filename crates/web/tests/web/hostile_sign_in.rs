//! Issue 11, hostile sign-ins and floods by one user: failed sign-ins counted
//! by address, crafted tokens, oversized credentials, many searches at once,
//! bounded password checks.

use crate::common::*;
use crate::hostile::{read_until_closed, served};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ipstrack_web::Limits;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

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
    let (w, es3, csrf) = world_signed_in("es3").await;
    let crafted = hex::encode(sha2::Sha256::digest(b"api\0es1\0nightly-7"));
    let form = format!("csrf={csrf}&once={crafted}&date=2025-01-14&kind=remote&note=es3+only");
    let path = format!("/referrals/{}/contacts", w.es3_referral);
    let (status, _, body) = submit(&w, &path, &es3, &form).await;
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
    let (w, es1, _) = world_signed_in("es1").await;
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
    let (w, es1, csrf) = world_signed_in("es1").await;
    let before = w.store.password_checks();
    let long = "p".repeat(ipstrack_store::MAX_PASSWORD + 1);
    let form =
        format!("csrf={csrf}&current={long}&new=another+long+secret&confirm=another+long+secret");
    let (status, _, body) = submit(&w, "/account/password", &es1, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&body, "The current password is not right");
    assert_eq!(w.store.password_checks(), before, "a password was checked");
    assert!(w.store.sign_in_failures().await.unwrap().is_empty());
    // A new password over its length is refused, naming the limit.
    let current = PASSWORD.replace(' ', "+");
    let form = format!("csrf={csrf}&current={current}&new={long}&confirm={long}");
    let (status, _, body) = submit(&w, "/account/password", &es1, &form).await;
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
