//! The fidelity review's evidence page (issue 26): a lead sees their team's,
//! a manager the service's or any team's; each of the 25 items in its
//! section with what the records say and the score they suggest.

use crate::common::*;
use axum::http::StatusCode;

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

/// The evidence as a workbook to fill in at the review: one sheet per
/// section, each item with the page's words and suggested score, the
/// reviewers' columns empty; a lead's team only, an ES none.
#[tokio::test]
async fn fidelity_the_evidence_downloads_as_a_workbook_of_three_sections() {
    use calamine::{Data, Reader, Xlsx};
    let (w, lead, page) =
        world_with_page("lead1", "/fidelity?period=2024/25&as_of=2025-03-31").await;
    shows(&page, "Download the evidence as a workbook");
    let (status, headers, bytes) = send_bytes(
        &w.app,
        get("/fidelity.xlsx?period=2024/25&as_of=2025-03-31", &lead),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header_value(&headers, "cache-control").as_deref(),
        Some("no-store")
    );
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["Staffing", "Organisation", "Services"]
    );
    let mut items = Vec::new();
    for sheet in ["Staffing", "Organisation", "Services"] {
        let range = book.worksheet_range(sheet).unwrap();
        let title = range.get((0, 0)).unwrap().to_string();
        assert!(title.starts_with("Fidelity review evidence – "), "{title}");
        assert!(title.contains("1 Apr 2024 to 31 Mar 2025"), "{title}");
        assert_eq!(
            range.get((2, 6)),
            Some(&Data::String("Reviewers' score".into()))
        );
        for row in 3..range.height() {
            let number = match range.get((row, 0)) {
                Some(Data::Float(n)) => *n as u8,
                Some(Data::Int(n)) => *n as u8,
                other => panic!("{sheet} row {row}: {other:?}"),
            };
            items.push(number);
            let words = range.get((row, 2)).unwrap().to_string();
            assert!(!words.is_empty(), "item {number}: what the records say");
            assert!(
                matches!(range.get((row, 6)), None | Some(Data::Empty)),
                "the reviewers' score is theirs to fill in"
            );
        }
    }
    assert_eq!(items, (1..=25).collect::<Vec<u8>>());
    // Item 1's suggestion is the page's.
    let staffing = book.worksheet_range("Staffing").unwrap();
    let suggested = staffing.get((3, 4)).unwrap().to_string();
    assert!(
        page.contains(&format!("<strong>{suggested}</strong>")),
        "{suggested}"
    );
    // Another team's workbook answers as a team that does not exist.
    let other = send(&w.app, get("/fidelity.xlsx?team=t2", &lead)).await;
    let none = send(&w.app, get("/fidelity.xlsx?team=nowhere", &lead)).await;
    assert_eq!((other.0.as_u16(), none.0.as_u16()), (404, 404));
    // An ES has no fidelity evidence to download.
    let es1 = session_of(&w, "es1").await;
    let (status, _, _) = send_bytes(&w.app, get("/fidelity.xlsx", &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Issue 26: items 12 and 13 read the new records (FIDR-17, FIDR-18) on the
/// page and in the workbook: a better-off calculation recorded on a form
/// moves item 12's figure.
#[tokio::test]
async fn fidelity_work_incentives_and_disclosure_are_read_from_the_records() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let manager = session_of(&w, "manager").await;
    let path = "/fidelity?period=2024/25&as_of=2025-01-15";
    let before = ok_page(&w, path, &manager).await;
    hides(&before, "Not recorded yet: benefits");
    shows_all(&before, &["12. Work incentives planning", "13. Disclosure"]);
    shows(&before, "have their disclosure choice recorded");
    let page = ok_page(&w, &format!("{referral}/record/better_off"), &es3).await;
    let form = format!("csrf={csrf}&version={}&date=2025-01-10", version_of(&page));
    let (status, _, body) = submit(&w, &format!("{referral}/better_off"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = saved_referral(&w, &w.es3_referral).await.referral;
    let accessed_in_year = stored
        .access
        .as_deref()
        .is_some_and(|a| ("2024-04-01".."2025-01-16").contains(&a));
    if accessed_in_year {
        let mut after = ok_page(&w, path, &manager).await;
        for _ in 0..60 {
            if after != before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            after = ok_page(&w, path, &manager).await;
        }
        assert_ne!(before, after, "item 12's figure moves");
        shows(&after, "were offered a better-off calculation");
    }
}
