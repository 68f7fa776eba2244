//! The team dashboard: its figures and charts agree with the engine (crates/web/src/team.rs).

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::Day;

#[tokio::test]
async fn the_team_dashboard_and_the_api_report_agree_with_the_engine() {
    let (w, manager, _) = world_signed_in("manager").await;
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
            "{}</span> of {:.1}<br><span class=\"ytd\">{:.1} for the year</span>",
            es3.kpis.access.unemployed, es3.targets.access_to_date, es3.targets.access
        ),
    );
    let (status, _, _) = send(&w.app, get("/api/v1/report?period=2024/26", &manager)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_team_dashboard_charts_cumulative_access_and_caseload_by_month() {
    let (w, _, page) = world_with_page("lead1", "/team?period=2024/25&as_of=2024-12-31").await;
    assert_eq!(
        page.matches("<svg class=\"chart-plot\"").count(),
        3,
        "three charts"
    );
    // Each with its table of numbers.
    assert_eq!(page.matches("<summary>The numbers</summary>").count(), 3);
    // Quarterly counts are bars; the third quarter is over on 31 December, so
    // none is marked as to date.
    assert!(
        page.contains("<th scope=\"row\">Q3</th>") && !page.contains("<th scope=\"row\">Q4</th>")
    );
    assert!(page.contains("<rect class=\"chart-bar\""), "bars");
    assert!(!page.contains("(to date)"));
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
        last_row.contains(&format!("<td class=\"num\">{access}</td>")),
        "{access}"
    );
}

#[tokio::test]
async fn tgt_3_each_behind_status_says_why_in_numbers_under_a_heading_naming_its_kpi() {
    let (_, _, page) = world_with_page("lead1", "/team").await;
    for heading in [
        "Access (unemployed): so far of the target to date",
        "Into work: of the target",
        "Job outcome rate",
        "13-week sustainment",
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

#[tokio::test]
async fn the_team_dashboard_marks_the_quarter_under_way_and_counts_in_whole_numbers() {
    let (w, _, page) = world_with_page("lead1", "/team?period=2024/25&as_of=2024-12-15").await;
    let chart = &page[page
        .find("Job starts and 13-week sustainment outcomes by quarter")
        .unwrap()..];
    let chart = &chart[..chart.find("</figure>").unwrap()];
    // Bars, not lines; the third quarter, not over on 15 December, is marked
    // in its label, in the key and in the table.
    assert!(chart.contains("<rect class=\"chart-bar\""), "{chart}");
    assert!(!chart.contains("<polyline"), "{chart}");
    assert!(chart.contains(">(to date)</text>"), "{chart}");
    assert!(chart.contains("Q3 is not over, figures to 15 Dec 2024"));
    shows(chart, "<th scope=\"row\">Q3 (to date)</th>");
    shows(chart, "<th scope=\"row\">Q2</th>");
    // The quarter's job starts, both groups, as a whole number.
    let loaded = w.store.load().await.unwrap();
    let q3 = ipstrack_core::Period::parse("2024/25-Q3").unwrap();
    let r = ipstrack_core::report(&loaded.dataset, &[], &q3, Day::parse("2024-12-15").unwrap())
        .unwrap();
    let k = &r.teams.iter().find(|t| t.id == "t1").unwrap().kpis;
    shows(
        chart,
        &format!(
            "<th scope=\"row\">Q3 (to date)</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            k.job_starts.unemployed + k.job_starts.employed,
            k.sustained.w13.unemployed + k.sustained.w13.employed
        ),
    );
    // Counts in the tables are whole numbers; the access target keeps one
    // decimal, the caseload per FTE too.
    let tables: Vec<&str> = page
        .split("<summary>The numbers</summary>")
        .skip(1)
        .map(|t| &t[..t.find("</table>").unwrap()])
        .collect();
    assert_eq!(tables.len(), 3);
    let cells = |table: &str| -> Vec<Vec<String>> {
        table
            .split("<tr><th scope=\"row\">")
            .skip(1)
            .map(|row| {
                row.split("<td class=\"num\">")
                    .skip(1)
                    .map(|c| c[..c.find('<').unwrap()].to_string())
                    .collect()
            })
            .collect()
    };
    let whole = |c: &str| !c.is_empty() && c.chars().all(|c| c.is_ascii_digit());
    let one_decimal = |c: &str| {
        c.split_once('.')
            .is_some_and(|(a, b)| whole(a) && b.len() == 1)
    };
    let access = cells(tables[0]);
    assert_eq!(access.len(), 9);
    for row in &access {
        assert!(whole(&row[0]) && one_decimal(&row[1]), "{row:?}");
    }
    for row in cells(tables[1]) {
        assert!(one_decimal(&row[0]), "{row:?}");
    }
    let quarters = cells(tables[2]);
    assert_eq!(quarters.len(), 3);
    for row in &quarters {
        assert!(row.iter().all(|c| whole(c)), "{row:?}");
    }
    // Gridlines are round steps from 0, each labelled.
    for table in page.split("<svg class=\"chart-plot\"").skip(1) {
        let svg = &table[..table.find("</svg>").unwrap()];
        let ticks: Vec<f64> = svg
            .split("dominant-baseline=\"middle\">")
            .skip(1)
            .map(|t| t[..t.find('<').unwrap()].parse().unwrap())
            .collect();
        assert!(ticks.len() >= 2, "{svg}");
        assert_eq!(ticks[0], 0.0);
        let step = ticks[1];
        let mantissa = step / 10f64.powf(step.log10().floor());
        assert!(
            [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
            "{ticks:?}"
        );
        for (i, t) in ticks.iter().enumerate() {
            assert!((t - step * i as f64).abs() < 1e-9, "{ticks:?}");
        }
    }
}

#[tokio::test]
async fn chart_text_keeps_its_size_at_every_width() {
    let (w, _, page) = world_with_page("lead1", "/team?period=2024/25&as_of=2024-12-31").await;
    // No chart is scaled to the screen: no viewBox on a chart's SVG (only the
    // key's swatches, which have no text), so its text is the size the style
    // sheet sets, not that times the width over a viewBox's.
    for svg in page.split("<svg ").skip(1) {
        let tag = &svg[..svg.find('>').unwrap()];
        if tag.contains("viewBox") {
            assert!(tag.contains("class=\"swatch\""), "{tag}");
            let inner = &svg[svg.find('>').unwrap()..svg.find("</svg>").unwrap()];
            assert!(!inner.contains("<text"), "{inner}");
        }
    }
    // The style sheet sizes chart text at 0.875rem (14px at the default size;
    // at least 12px) and gives the y-axis labels their margin; a narrow chart
    // hides minor month labels.
    let (_, _, css) = send(&w.app, get("/static/style.css", "")).await;
    let charts = &css[css.find("/* charts */").expect("chart rules")..];
    shows(charts, ".chart-plot text { font-size: 0.875rem;");
    shows(charts, "overflow: visible;");
    shows(
        charts,
        "@container (max-width: 42rem) { .chart-plot .minor { display: none; } }",
    );
    // A table wider than a phone scrolls in a region of its own, which the
    // keyboard reaches; its words are not broken.
    assert_eq!(
        page.matches(
            "<div class=\"chart-numbers\" role=\"region\" tabindex=\"0\" aria-label=\"The numbers: "
        )
        .count(),
        3
    );
    shows(charts, "overflow-wrap: normal;");
    // Nine months: all labelled, every second one minor (hidden when narrow),
    // the latest not.
    let access = &page[page.find("<svg class=\"chart-plot\"").unwrap()..];
    let access = &access[..access.find("</svg>").unwrap()];
    assert_eq!(access.matches("<text class=\"chart-x\"").count(), 5);
    assert_eq!(access.matches("<text class=\"chart-x minor\"").count(), 4);
    assert!(access.contains("text-anchor=\"middle\">Dec 24</text>"));
}

/// R-2 on the service page (issue 23): what no ES held is a row of its own,
/// "Not allocated to a team", so the teams and it add up to the service.
#[tokio::test]
async fn r_2_the_service_page_shows_what_no_team_held_so_the_teams_add_up() {
    let w = world().await;
    // A referral of the quarter left unallocated.
    unallocate_one(&w, "2024-10-01", "2024-12-31").await;
    let manager = session_of(&w, "manager").await;
    let path = "/service?period=2024/25-Q3&as_of=2024-12-31";
    let page = ok_page_once_it_shows(&w, path, &manager, "Not allocated to a team").await;
    let referrals = |row: &str| -> u32 {
        let cell = row.split("data-figure=\"referrals\">").nth(1).unwrap();
        let (u, e) = cell.split('<').next().unwrap().split_once(" / ").unwrap();
        u.trim().parse::<u32>().unwrap() + e.trim().parse::<u32>().unwrap()
    };
    let body = &page[page.find("<tbody>").unwrap()..page.find("</tbody>").unwrap()];
    let rows: Vec<&str> = body.split("<tr>").skip(1).collect();
    let (service, parts) = rows.split_last().unwrap();
    assert!(service.contains("Service"));
    assert!(
        parts.last().unwrap().contains("Not allocated to a team"),
        "{page}"
    );
    assert!(referrals(parts.last().unwrap()) >= 1);
    assert_eq!(
        parts.iter().map(|r| referrals(r)).sum::<u32>(),
        referrals(service)
    );
}
