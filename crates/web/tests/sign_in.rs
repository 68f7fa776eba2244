//! Sign-in over HTTP under the issue 11 rule: the same answers for unknown
//! and known usernames, backoff by account and source address, the admin's
//! notice of failed sign-ins, sessions ended by disabling a user.

mod common;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use common::*;

/// Posts the sign-in form from `ip`: (status, page, session cookie if signed in).
async fn sign_in_from(
    w: &World,
    user: &str,
    password: &str,
    ip: &str,
) -> (StatusCode, String, Option<String>) {
    let (_, headers, body) = send(&w.app, get("/sign-in", "")).await;
    let pre = header_value(&headers, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let form = format!(
        "username={user}&password={}&csrf={}",
        password.replace(' ', "+"),
        hidden_csrf(&body)
    );
    let mut request = post("/sign-in", &pre, &form);
    let addr = SocketAddr::new(ip.parse().unwrap(), 40000);
    request.extensions_mut().insert(ConnectInfo(addr));
    let (status, headers, body) = send(&w.app, request).await;
    let session = (status == StatusCode::SEE_OTHER).then(|| {
        header_value(&headers, "set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    });
    (status, body, session)
}

/// The sign-in page's message (the page without its one-time token).
fn message(page: &str) -> String {
    let token = hidden_csrf(page);
    page.replace(&token, "TOKEN")
}

#[tokio::test]
async fn unknown_and_known_usernames_get_the_same_answers() {
    let w = world().await;
    let (a, known, _) = sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await;
    let (b, unknown, _) = sign_in_from(&w, "nobody", "wrong password", "192.0.2.1").await;
    assert_eq!((a, b), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(message(&known), message(&unknown));
    assert!(known.contains("The username or password is not right."));
    for _ in 0..4 {
        sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await;
        sign_in_from(&w, "nobody", "wrong password", "192.0.2.1").await;
    }
    let (a, known, _) = sign_in_from(&w, "es1", PASSWORD, "192.0.2.1").await;
    let (b, unknown, _) = sign_in_from(&w, "nobody", PASSWORD, "192.0.2.1").await;
    assert_eq!((a, b), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(message(&known), message(&unknown));
    assert!(
        known.contains("Too many failed sign-ins: try again in 1 minute."),
        "{known}"
    );
}

#[tokio::test]
async fn another_address_still_signs_in_while_one_is_slowed() {
    let w = world().await;
    for _ in 0..5 {
        let (status, _, _) = sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (_, page, session) = sign_in_from(&w, "es1", PASSWORD, "192.0.2.1").await;
    assert!(session.is_none() && page.contains("Too many failed sign-ins"));
    let (status, _, session) = sign_in_from(&w, "es1", PASSWORD, "198.51.100.7").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/caseload", &session.unwrap())).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_users_page_tells_the_admin_of_failed_sign_ins_and_waits() {
    let w = world().await;
    let (admin, _) = sign_in(&w, "admin", PASSWORD).await.unwrap();
    let (_, _, page) = send(&w.app, get("/admin/users", &admin)).await;
    assert!(!page.contains("failed sign-in"), "{page}");
    for _ in 0..5 {
        sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await;
    }
    sign_in_from(&w, "es1", "wrong password", "192.0.2.1").await; // slowed, not counted
    sign_in_from(&w, "es1", "wrong password", "2001:db8::1").await;
    sign_in_from(&w, "somebody", "wrong password", "2001:db8::1").await;
    let (status, _, page) = send(&w.app, get("/admin/users", &admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(
            "6 failed sign-ins in the last hour, from 2 addresses; 1 address slowed until "
        ),
        "{page}"
    );
    assert!(
        page.contains("1 failed sign-in in the last hour named no user."),
        "{page}"
    );
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions() {
    let w = world().await;
    let (admin, csrf) = sign_in(&w, "admin", PASSWORD).await.unwrap();
    let (es1, _) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let token = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let (status, _, _) = send(
        &w.app,
        post("/admin/users/es1/disable", &admin, &format!("csrf={csrf}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(w.store.session(&token).await.unwrap(), None);
}
