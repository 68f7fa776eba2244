//! The team dashboard: its figures and charts agree with the engine (crates/web/src/team.rs).

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::Day;

#[tokio::test]
async fn the_team_dashboard_and_the_api_report_agree_with_the_engine() {
    let w = world().await;
    let manager = session_of(&w, "manager").await;
    let (status, _, body) = send(
        &w.app,
        get(
            "/api/v1/report?period=2024/25-Q3&as_of=2024-12-31",
            &manager,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let api: serde_json::Value = serde_json::from_str(&body).unwrap();
    let loaded = w.store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25-Q3").unwrap();
    let engine =
        ipstrack_core::report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
    assert_eq!(api, serde_json::to_value(&engine).unwrap());
    let (status, _, page) = send(
        &w.app,
        get("/team?team=t1&period=2024/25-Q3&as_of=2024-12-31", &manager),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let es3 = engine.specialists.iter().find(|s| s.id == "es3").unwrap();
    shows(
        &page,
        &format!(
            "{:.1} / {:.1}",
            es3.targets.access_to_date, es3.targets.access
        ),
    );
    let (status, _, _) = send(&w.app, get("/api/v1/report?period=2024/26", &manager)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_team_dashboard_charts_cumulative_access_and_caseload_by_month() {
    let w = world().await;
    let lead = session_of(&w, "lead1").await;
    let page = ok_page(&w, "/team?period=2024/25&as_of=2024-12-31", &lead).await;
    assert_eq!(
        page.matches("<svg viewBox=\"0 0 640 240\"").count(),
        3,
        "three charts"
    );
    assert!(
        page.contains("<th scope=\"row\">Q3</th>") && !page.contains("<th scope=\"row\">Q4</th>")
    );
    assert!(page.contains("Cumulative access (unemployed) against the target to date"));
    // Nine months, April to December, each in the numbers table.
    for month in ["Apr 24", "Sep 24", "Dec 24"] {
        assert!(
            page.contains(&format!("<th scope=\"row\">{month}</th>")),
            "{month}"
        );
    }
    assert!(!page.contains("Jan 25"));
    // The last cumulative access is the team's access for the period so far.
    let loaded = w.store.load().await.unwrap();
    let period = ipstrack_core::Period::parse("2024/25").unwrap();
    let r = ipstrack_core::report(
        &loaded.dataset,
        &[],
        &period,
        Day::parse("2024-12-31").unwrap(),
    )
    .unwrap();
    let access = r
        .teams
        .iter()
        .find(|t| t.id == "t1")
        .unwrap()
        .kpis
        .access
        .unemployed;
    let last_row = &page[page.find("<th scope=\"row\">Dec 24</th>").unwrap()..];
    assert!(
        last_row.contains(&format!("<td class=\"num\">{access}.0</td>")),
        "{access}"
    );
}

#[tokio::test]
async fn tgt_3_each_behind_status_says_why_in_numbers_under_a_heading_naming_its_kpi() {
    let w = world().await;
    let lead = session_of(&w, "lead1").await;
    let page = ok_page(&w, "/team", &lead).await;
    for heading in [
        "Access status",
        "Into-work status",
        "Job outcome rate status",
        "Sustainment status",
    ] {
        shows(&page, &format!(">{heading}</th>"));
    }
    // Every status cell that says "Behind" carries its reasons; no other does.
    let cells: Vec<&str> = page
        .split("<td data-why=\"")
        .skip(1)
        .map(|c| &c[..c.find("</td>").unwrap()])
        .collect();
    assert!(!cells.is_empty());
    let behind: Vec<&&str> = cells.iter().filter(|c| c.contains(">Behind<")).collect();
    assert!(!behind.is_empty(), "someone is behind in the example");
    for c in &cells {
        assert_eq!(c.contains(">Behind<"), c.contains("class=\"why\""), "{c}");
    }
    for c in behind {
        match &c[..c.find('"').unwrap()] {
            "access" => shows(c, "waiting for a first meeting"),
            "into-work" | "job-outcome-rate" => shows(c, "seeking work"),
            "sustainment" => shows(c, "ended before 13 weeks"),
            other => panic!("unknown cell {other}"),
        }
    }
}
