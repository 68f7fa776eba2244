//! The team worklist (issue 14, crates/web/src/team_worklist.rs): every
//! CASE-4 item of a team on one page, filtered by ES and kind, sorted by
//! date with the overdue marked, each linking to the referral; and the team
//! lead's own caseload link that no longer dead-ends.

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_core::worklist::worklist;

/// The dates (ISO, in `data-next-due` or the due cell) of the rows, in page order.
fn due_dates(page: &str) -> Vec<String> {
    page.split("<td data-label=\"Due\">")
        .skip(1)
        .map(|rest| rest[..rest.find("<br>").unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn a_team_lead_sees_every_item_of_their_team_sorted_by_date_and_no_other_team() {
    let w = world().await;
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let t1 = d.teams.iter().position(|t| t.id == "t1").unwrap() as u32;
    let expected: Vec<_> = worklist(d, today())
        .into_iter()
        .filter(|i| {
            i.es.is_some_and(|s| d.staff_member(s).team == ipstrack_core::model::TeamIdx(t1))
        })
        .collect();
    assert!(
        !expected.is_empty(),
        "the example has work to do in team t1"
    );
    let lead = session_of(&w, "lead1").await;
    let page = ok_page(&w, "/team/worklist", &lead).await;
    assert_eq!(
        page.matches("<td data-label=\"Due\">").count(),
        expected.len(),
        "one row an item"
    );
    // Sorted by date: the page's order is the worklist's (by date).
    let shown = due_dates(&page);
    let wanted: Vec<String> = expected
        .iter()
        .map(|i| i.date.date().strftime("%-d %b %Y").to_string())
        .collect();
    assert_eq!(shown, wanted);
    // Overdue items are marked, and the summary counts them.
    let overdue = expected.iter().filter(|i| i.date < today()).count();
    assert_eq!(page.matches("class=\"tag overdue\"").count(), overdue);
    shows(&page, &format!("{overdue} overdue"));
    // Each client item links to its referral; no referral of another team.
    for i in expected.iter().filter_map(|i| i.referral) {
        shows(&page, &format!("href=\"/referrals/{}\"", d.referrals[i].id));
    }
    hides(&page, &format!("href=\"/referrals/{}\"", w.es1_referral));
    // Another team's worklist is not the lead's to see.
    let (status, _, _) = send(&w.app, get("/team/worklist?team=t2", &lead)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An ES has no team worklist.
    let es1 = session_of(&w, "es1").await;
    let (status, _, _) = send(&w.app, get("/team/worklist", &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_team_worklist_filters_by_es_and_kind() {
    let (w, manager, all) = world_with_page("manager", "/team/worklist?team=t2").await;
    let contact = ok_page(&w, "/team/worklist?team=t2&kind=contact", &manager).await;
    let rows = |page: &str| page.matches("<td data-label=\"Due\">").count();
    assert!(rows(&contact) <= rows(&all));
    assert_eq!(
        contact.matches("data-kind=\"contact\"").count(),
        rows(&contact),
        "only contacts due"
    );
    shows(&contact, "<option value=\"contact\" selected>");
    let es1 = ok_page(&w, "/team/worklist?team=t2&es=es1", &manager).await;
    hides(
        &es1,
        "<td data-label=\"Employment specialist\">Specialist 2</td>",
    );
    shows(&es1, "<option value=\"es1\" selected>");
    // An unknown kind or an ES of another team is "all", never an error.
    let odd = ok_page(
        &w,
        "/team/worklist?team=t2&kind=%3Cscript%3E&es=es3",
        &manager,
    )
    .await;
    assert_eq!(rows(&odd), rows(&all));
    hides(&odd, "<script>");
}

#[tokio::test]
async fn a_team_leads_my_caseload_leads_to_the_team_not_an_empty_table() {
    let (_, _, page) = world_with_page("lead1", "/caseload").await;
    shows(&page, "You hold no caseload");
    shows(&page, "href=\"/team/worklist\"");
    hides(&page, "id=\"caseload-table\"");
    hides(&page, "href=\"/specialists/lead1/plan\"");
    // The navigation offers the team's pages, not "My caseload".
    hides(&page, ">My caseload</a>");
    shows(&page, ">Team worklist</a>");
    // Every page has a skip link to its main content.
    shows(
        &page,
        "<a href=\"#main\" class=\"skip-link\">Skip to main content</a>",
    );
}
