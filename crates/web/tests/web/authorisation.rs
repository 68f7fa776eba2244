//! Who may do what: the role × route and role × form matrices, the security headers every answer carries (crates/web/src/extract.rs, lib.rs).

use crate::common::*;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let w = world().await;
    let (_, headers, _) = send(&w.app, get("/sign-in", "")).await;
    let csp = header_value(&headers, "content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"));
    assert_eq!(
        header_value(&headers, "x-frame-options").as_deref(),
        Some("DENY")
    );
    assert_eq!(
        header_value(&headers, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
}

#[tokio::test]
async fn authorisation_matrix_of_roles_and_routes() {
    let w = world().await;
    let routes = |es1: &str, es3: &str| {
        vec![
            ("/caseload".to_string(), [200, 200, 200, 200]),
            (format!("/referrals/{es1}"), [200, 404, 200, 200]),
            (format!("/referrals/{es3}"), [404, 200, 200, 200]),
            ("/team".to_string(), [404, 200, 200, 200]),
            ("/team?team=t2".to_string(), [404, 404, 200, 200]),
            ("/fidelity".to_string(), [404, 200, 200, 200]),
            ("/fidelity?team=t2".to_string(), [404, 404, 200, 200]),
            ("/caseload?es=es1".to_string(), [200, 404, 200, 200]),
            ("/service".to_string(), [404, 404, 200, 200]),
            ("/equality".to_string(), [404, 200, 200, 200]),
            ("/equality?team=t2".to_string(), [404, 404, 200, 200]),
            (
                "/equality.csv?period=2024/25".to_string(),
                [404, 200, 200, 200],
            ),
            ("/data-quality".to_string(), [404, 200, 200, 200]),
            ("/audit".to_string(), [404, 404, 404, 200]),
            ("/returns".to_string(), [404, 404, 200, 200]),
            (
                "/returns?period=2024/25-Q3&as_of=".to_string(),
                [404, 404, 200, 200],
            ),
            (
                "/returns/confirm?period=2024/25-Q3&as_of=".to_string(),
                [404, 404, 200, 200],
            ),
            (
                "/returns/grow-return.csv?period=2024/25-Q3".to_string(),
                [404, 404, 200, 200],
            ),
            (
                "/api/v1/report?period=2024/25".to_string(),
                [404, 404, 200, 200],
            ),
        ]
    };
    // Users: es1 (ES, team t2), lead1 (team lead of t1), manager, admin.
    let users = ["es1", "lead1", "manager", "admin"];
    let mut sessions = Vec::new();
    for u in users {
        sessions.push(sign_in(&w, u, PASSWORD).await.unwrap().0);
    }
    for (route, expected) in routes(&w.es1_referral, &w.es3_referral) {
        for (i, user) in users.iter().enumerate() {
            let (status, _, _) = send(&w.app, get(&route, &sessions[i])).await;
            assert_eq!(status.as_u16(), expected[i], "{user} GET {route}");
        }
    }
}

#[tokio::test]
async fn authorisation_matrix_of_roles_and_form_posts() {
    let w = world().await;
    let users = ["es1", "lead1", "manager", "admin"];
    let mut sessions = Vec::new();
    for u in users {
        sessions.push(sign_in(&w, u, PASSWORD).await.unwrap());
    }
    // (route, form without csrf, expected status for es1, lead1 (team t1), manager, admin).
    let cases = [
        (
            format!("/referrals/{}/contacts", w.es1_referral),
            "date=2025-01-14&kind=remote",
            [303, 404, 303, 303],
        ),
        (
            format!("/referrals/{}/contacts", w.es3_referral),
            "date=2025-01-14&kind=remote",
            [404, 303, 303, 303],
        ),
        (
            format!("/referrals/{}/hold", w.es3_referral),
            "start=2025-01-14&end=",
            [404, 303, 303, 303],
        ),
        // Confirmed: the manager submits Q1; the admin after is refused (409).
        (
            "/returns".to_string(),
            "period=2024/25-Q1&as_of=&confirm=yes",
            [404, 404, 303, 409],
        ),
        // Unconfirmed: the confirmation page (for a quarter not yet submitted).
        (
            "/returns".to_string(),
            "period=2024/25-Q2&as_of=",
            [404, 404, 200, 200],
        ),
        (
            "/admin/users".to_string(),
            "username=x1&role=es&staff=&password=long+enough+pw",
            [404, 404, 404, 303],
        ),
        (
            "/admin/users/es3/disable".to_string(),
            "",
            [404, 404, 404, 303],
        ),
    ];
    for (route, form, expected) in cases {
        for (i, user) in users.iter().enumerate() {
            let (cookie, csrf) = &sessions[i];
            let body = format!("csrf={csrf}&{form}");
            let (status, _, _) = submit(&w, &route, cookie, &body).await;
            assert_eq!(status.as_u16(), expected[i], "{user} POST {route}");
        }
    }
}
