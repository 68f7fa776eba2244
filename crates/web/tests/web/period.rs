//! The period of a page: a bad or too long one gets 400 with the form kept (crates/web/src/period.rs).

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn a_period_too_long_or_past_2099_gets_a_400_with_the_form_kept() {
    let (w, manager, _) = world_signed_in("manager").await;
    // What the form keeps: a range as a custom range's days, a label as typed.
    for (path, kept, field) in [
        (
            "/service?period=2024-04-21..2524-03-31",
            "name=\"from-day\" class=\"width-2\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"21\"",
            "period-from",
        ),
        (
            "/team?team=t1&period=custom&from=2024-04-01&to=9999-03-31",
            "name=\"to-year\" class=\"width-4\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" value=\"9999\"",
            "period-from",
        ),
        (
            "/specialists/es1/plan?period=9998/99-Q4",
            "<option value=\"9998/99-Q4\" selected>9998/99-Q4 (as typed)</option>",
            "period",
        ),
        (
            "/service?period=2024/25&as_of=9999-12-31",
            "<option value=\"2024/25\" selected>",
            "period",
        ),
    ] {
        let started = std::time::Instant::now();
        let (status, _, page) = send(&w.app, get(path, &manager)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{path}"
        );
        assert!(page.contains("There is a problem"), "{path}: error summary");
        assert!(page.contains(kept), "{path}: the form keeps what was typed");
        assert!(page.contains(&format!("href=\"#{field}\"")), "{path}");
    }
    let (_, _, page) = send(
        &w.app,
        get("/service?period=2024-04-21..2524-03-31", &manager),
    )
    .await;
    assert!(page.contains("at most 5 years"));
}

#[tokio::test]
async fn pages_default_to_the_current_quarter_and_list_the_years_and_quarters_with_data() {
    let (w, manager, _) = world_signed_in("manager").await;
    // Today is 15 Jan 2025: the current quarter is 2024/25 Q4.
    let page = ok_page(&w, "/team?team=t1", &manager).await;
    shows(
        &page,
        "<option value=\"2024/25-Q4\" selected>2024/25 Q4: Jan to Mar 2025</option>",
    );
    shows(
        &page,
        "<option value=\"2024/25\">2024/25 (the whole financial year)</option>",
    );
    shows(&page, "<option value=\"2024/25-Q1\">");
    hides(&page, "2025/26");
    shows(
        &page,
        "<option value=\"custom\">A custom range: the days below</option>",
    );
    // A custom range from the form.
    let page = ok_page(
        &w,
        "/service?period=custom&from=2024-10-01&to=2024-11-30&as_of=2024-11-30",
        &manager,
    )
    .await;
    shows(&page, "<option value=\"custom\" selected>");
    shows_date(&page, "period-from", "2024-10-01");
    shows(&page, "1 Oct 2024 to 30 Nov 2024");
    // The same range typed in the form's day, month and year boxes.
    let page = ok_page(
        &w,
        "/service?period=custom&from-day=1&from-month=10&from-year=2024\
         &to-day=30&to-month=11&to-year=2024&as_of-day=&as_of-month=&as_of-year=",
        &manager,
    )
    .await;
    shows(&page, "1 Oct 2024 to 30 Nov 2024");
    shows_date(&page, "period-to", "2024-11-30");
    // Boxes that are not a date are told so, beside the first day.
    let (status, _, page) = send(
        &w.app,
        get(
            "/service?period=custom&from-day=31&from-month=2&from-year=2024&to-day=1&to-month=3&to-year=2024",
            &manager,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    shows(&page, "must be a real date, for example, 1 4 2024");
    // A bad custom range keeps the form with the error beside the first day.
    for (query, words) in [
        (
            "period=custom&from=2024-11-30&to=2024-10-01",
            "on or after its first day",
        ),
        ("period=custom&from=&to=2024-10-01", "Enter the first day"),
        (
            "period=custom&from=2024-02-30&to=2024-10-01",
            "must be a real date",
        ),
    ] {
        let (status, _, page) = send(&w.app, get(&format!("/service?{query}"), &manager)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        shows(&page, words);
        shows(&page, "href=\"#period-from\"");
        shows(&page, "<span class=\"error\" id=\"period-from-error\">");
    }
    // The API keeps the financial year to date as its default.
    let report: serde_json::Value = {
        let (_, _, body) = send(&w.app, get("/api/v1/report", &manager)).await;
        serde_json::from_str(&body).unwrap()
    };
    assert_eq!(report["period"]["label"], "2024/25");
}
