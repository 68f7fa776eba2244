//! The fidelity review's evidence page (issue 26): a lead sees their team's,
//! a manager the service's or any team's; each of the 25 items in its
//! section with what the records say and the score they suggest.

use crate::common::*;

#[tokio::test]
async fn fidelity_a_lead_sees_the_25_items_of_their_team_with_suggestions() {
    let (w, lead, page) =
        world_with_page("lead1", "/fidelity?period=2024/25&as_of=2025-03-31").await;
    shows_all(
        &page,
        &[
            "Fidelity review evidence – ",
            " team",
            "<h2>Staffing</h2>",
            "<h2>Organisation</h2>",
            "<h2>Services</h2>",
            "1. Caseload size",
            "25. Assertive engagement and outreach",
            "What scores 1 to 5",
            "The records suggest scores for",
            "For the reviewers",
        ],
    );
    // The caseload item suggests a score with its anchor's words.
    assert!(
        page.contains("largest active caseload is"),
        "caseload evidence shown"
    );
    // No ISO dates or ids in the evidence: UK dates in the heading only.
    shows(&page, "1 Apr 2024 to 31 Mar 2025");
    // Another team's evidence is not the lead's: the same answer as a
    // team that does not exist.
    let other = send(&w.app, get("/fidelity?team=t2", &lead)).await;
    let none = send(&w.app, get("/fidelity?team=nowhere", &lead)).await;
    assert_eq!((other.0.as_u16(), none.0.as_u16()), (404, 404));
    assert_eq!(other.2.replace("t2", "X"), none.2.replace("nowhere", "X"));
}

#[tokio::test]
async fn fidelity_a_manager_sees_the_service_and_any_team() {
    let (w, manager, page) = world_with_page("manager", "/fidelity?period=2024/25").await;
    hides(&page, " team</h1>");
    shows(&page, "<h2>Services</h2>");
    let team = ok_page(&w, "/fidelity?team=t2&period=2024/25", &manager).await;
    shows(&team, " team</h1>");
    // A bad period names the problem on the page, as the other pages do.
    let (status, _, bad) = send(&w.app, get("/fidelity?period=2024/99", &manager)).await;
    assert_eq!(status.as_u16(), 400, "{bad}");
    shows(&bad, "There is a problem");
}
