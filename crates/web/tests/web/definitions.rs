//! Each KPI's definition one click away (issue 22): the definitions page
//! names every KPI with its rule, and the plan, team and service pages link
//! each figure's heading to it.

use crate::common::*;

#[tokio::test]
async fn tgt_3_every_kpi_is_defined_with_its_rule_and_linked_from_the_plan_team_and_service_pages()
{
    let (w, manager, page) = world_with_page("manager", "/definitions").await;
    for (anchor, rule) in [
        ("referrals", "REF-1"),
        ("access", "ACC-1"),
        ("into-work", "JOB-4"),
        ("job-starts", "JOB-5"),
        ("sustained", "SUS-1"),
        ("caseload", "CASE-1"),
        ("carried-over", "CASE-3"),
        ("job-outcome-rate", "RATE-1"),
        ("sustainment-rate", "RATE-2"),
    ] {
        shows(&page, &format!("id=\"{anchor}\""));
        shows(&page, rule);
    }
    // Every link to a definition points at an entry of the page.
    for path in [
        "/service?period=2024/25&as_of=2024-12-31",
        "/team?period=2024/25&as_of=2024-12-31",
        "/specialists/es1/plan?period=2024/25&as_of=2024-12-31",
    ] {
        let shown = ok_page(&w, path, &manager).await;
        let links: Vec<&str> = shown
            .split("href=\"/definitions#")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
            .collect();
        for needed in [
            "access",
            "into-work",
            "job-outcome-rate",
            "sustainment-rate",
            "caseload",
            "carried-over",
        ] {
            assert!(
                links.contains(&needed),
                "{path}: no link to {needed}: {links:?}"
            );
        }
        for anchor in links {
            shows(&page, &format!("id=\"{anchor}\""));
        }
    }
    // Anyone signed in may read it.
    let es1 = session_of(&w, "es1").await;
    ok_page(&w, "/definitions", &es1).await;
}
