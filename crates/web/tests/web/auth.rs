//! Signing in and out, sessions, tokens and one's password (crates/web/src/auth.rs).

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

#[tokio::test]
async fn pages_need_a_session_and_the_api_answers_401() {
    let w = world().await;
    let (status, headers, _) = send(&w.app, get("/caseload", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        header_value(&headers, "location").as_deref(),
        Some("/sign-in?next=%2Fcaseload")
    );
    let (status, _, _) = send(&w.app, get("/api/v1/report", "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(&w.app, get("/caseload", "ipstrack_session=forged")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_an_error_summary() {
    let w = world().await;
    assert!(sign_in(&w, "es1", "not the password").await.is_none());
    let (_, headers, body) = send(&w.app, get("/sign-in", "")).await;
    let pre = header_value(&headers, "set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let form = format!("username=es1&password=wrong&csrf={}", hidden_csrf(&body));
    let (status, _, body) = submit(&w, "/sign-in", &pre, &form).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body.contains("There is a problem") && body.contains("href=\"#username\""),
        "{body}"
    );
    // Without the sign-in form's token: refused (CSRF).
    let (status, _, _) = submit(&w, "/sign-in", "", "username=es1&password=x&csrf=abc").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let (w, es1, csrf) = world_signed_in("es1").await;
    let (status, _, _) = submit(&w, "/sign-out", &es1, "csrf=wrong").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = submit(&w, "/sign-out", &es1, &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out");
}

/// Issue 11: the session that changes the password goes on (it used to end
/// too); every other session of the user ends.
#[tokio::test]
async fn changing_ones_password_ends_the_other_sessions() {
    let (w, es1, csrf) = world_signed_in("es1").await;
    let elsewhere = session_of(&w, "es1").await;
    let current = PASSWORD.replace(' ', "+");
    // (current, new, confirm) → the status, and the field the error links to.
    for (current, new, answer, field) in [
        ("wrong", "another+long+secret", 422, Some("current")),
        (current.as_str(), "short", 422, Some("new")),
        (current.as_str(), "another+long+secret", 303, None),
    ] {
        let form = format!("csrf={csrf}&current={current}&new={new}&confirm={new}");
        let (status, _, body) = submit(&w, "/account/password", &es1, &form).await;
        assert_eq!(status.as_u16(), answer, "{form}");
        if let Some(field) = field {
            shows(&body, &format!("href=\"#password-{field}\""));
        }
    }
    let (status, _, _) = send(&w.app, get("/caseload", &es1)).await;
    assert_eq!(status, StatusCode::OK, "this session goes on");
    let (status, _, _) = send(&w.app, get("/caseload", &elsewhere)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the other session has ended");
    assert!(sign_in(&w, "es1", PASSWORD).await.is_none());
    assert!(sign_in(&w, "es1", "another long secret").await.is_some());
}

#[tokio::test]
async fn an_expired_session_or_token_is_no_longer_accepted() {
    let w = world().await;
    // A session of no hours (a token is at least a day: sessions and tokens
    // are one table).
    let ipstrack_store::SignIn::Ok { token: expired, .. } = w
        .store
        .sign_in("manager", PASSWORD, "192.0.2.1", 0)
        .await
        .unwrap()
    else {
        panic!("signed in")
    };
    let (status, _, _) = send(
        &w.app,
        Request::get("/api/v1/report")
            .header(header::AUTHORIZATION, format!("Bearer {expired}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = send(
        &w.app,
        get("/service", &format!("ipstrack_session={expired}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/sign-in?next=%2Fservice");
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
    shows(&known, "Too many failed sign-ins: try again in 1 minute.");
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

/// Signs in through the page `from` sent the visitor to: (status, where to).
async fn sign_in_after(w: &World, from: &str) -> (StatusCode, String) {
    let (_, headers, body) = send(&w.app, get(from, "")).await;
    let cookie = header_value(&headers, "set-cookie").unwrap();
    let pre = cookie.split(';').next().unwrap().to_string();
    let next = body
        .split("name=\"next\" value=\"")
        .nth(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .unwrap_or_default();
    let form = serde_urlencoded::to_string([
        ("username", "es1"),
        ("password", PASSWORD),
        ("csrf", &hidden_csrf(&body)),
        ("next", &next.replace("&amp;", "&")),
    ])
    .unwrap();
    let (status, headers, _) = submit(w, "/sign-in", &pre, &form).await;
    (status, location(&headers))
}

#[tokio::test]
async fn a_link_to_a_page_survives_signing_in_and_never_leads_off_the_site() {
    let w = world().await;
    let page = format!("/referrals/{}?tab=timeline", w.es1_referral);
    let (status, headers, _) = send(&w.app, get(&page, "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to_sign_in = location(&headers);
    assert_eq!(
        to_sign_in,
        format!(
            "/sign-in?next=%2Freferrals%2F{}%3Ftab%3Dtimeline",
            w.es1_referral
        )
    );
    assert_eq!(
        sign_in_after(&w, &to_sign_in).await,
        (StatusCode::SEE_OTHER, page)
    );
    // Another site, or the sign-in page itself, is never where it leads.
    for next in [
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
        "/sign-in",
        "x",
    ] {
        let from = format!(
            "/sign-in?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap()
        );
        assert_eq!(
            sign_in_after(&w, &from).await,
            (StatusCode::SEE_OTHER, "/".to_string()),
            "{next}"
        );
    }
    // A very long address is not kept.
    let long = format!("/caseload?q={}", "x".repeat(600));
    let from = format!(
        "/sign-in?{}",
        serde_urlencoded::to_string([("next", long.as_str())]).unwrap()
    );
    assert_eq!(sign_in_after(&w, &from).await.1, "/");
}
