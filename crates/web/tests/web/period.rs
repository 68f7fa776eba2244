//! The period of a page: a bad or too long one gets 400 with the form kept (crates/web/src/period.rs).

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn a_period_too_long_or_past_2099_gets_a_400_with_the_form_kept() {
    let w = world().await;
    let manager = session_of(&w, "manager").await;
    for (path, typed) in [
        (
            "/service?period=2024-04-21..2524-03-31",
            "2024-04-21..2524-03-31",
        ),
        (
            "/team?team=t1&period=2024-04-01..9999-03-31",
            "2024-04-01..9999-03-31",
        ),
        ("/specialists/es1/plan?period=9998/99-Q4", "9998/99-Q4"),
        ("/service?period=2024/25&as_of=9999-12-31", "2024/25"),
    ] {
        let started = std::time::Instant::now();
        let (status, _, page) = send(&w.app, get(path, &manager)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{path}"
        );
        assert!(page.contains("There is a problem"), "{path}: error summary");
        assert!(
            page.contains(&format!("name=\"period\" value=\"{typed}\"")),
            "{path}: the form keeps what was typed"
        );
        assert!(page.contains("href=\"#period\""), "{path}");
    }
    let (_, _, page) = send(
        &w.app,
        get("/service?period=2024-04-21..2524-03-31", &manager),
    )
    .await;
    assert!(page.contains("at most 5 years"));
}
