//! Fidelity reviews in the web app (issue 26): started by a team lead for
//! their team (or a manager for the service or any team), each item scored
//! on its own page with the evidence and the suggested score, notes where
//! a score differs, an action for each item below 4, finished, and listed
//! side by side; another team's review answers as one that does not exist.

use crate::common::*;
use axum::http::StatusCode;

/// Starts a review of `team` (empty: the service) as `session`: the new
/// review's id.
async fn start(w: &World, session: &str, team: &str, reviewers: &str) -> String {
    let query = if team.is_empty() {
        String::new()
    } else {
        format!("?team={team}")
    };
    let page = ok_page(w, &format!("/fidelity/reviews/new{query}"), session).await;
    shows_all(
        &page,
        &["Period reviewed", "Date of the review", "Reviewer 1"],
    );
    let csrf = hidden_csrf(&page);
    let form = format!(
        "csrf={csrf}&team={team}&period=2024%2F25-Q3&review_date-day=15&review_date-month=1&review_date-year=2025&{reviewers}"
    );
    let (status, headers, body) = submit(w, "/fidelity/reviews/new", session, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = location(&headers);
    assert!(to.ends_with("/items/1"), "{to}");
    let first = saved_page(w, &headers, session).await;
    shows_all(
        &first,
        &[
            "Fidelity review started",
            "1. Caseload size",
            "What the records say",
            "Item 1 of 25",
        ],
    );
    to.trim_start_matches("/fidelity/reviews/")
        .trim_end_matches("/items/1")
        .to_string()
}

/// Scores item `n` of review `id` with `score` and `note`: (status, page or redirect).
async fn score(
    w: &World,
    session: &str,
    id: &str,
    n: u8,
    score: u8,
    note: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    let path = format!("/fidelity/reviews/{id}/items/{n}");
    let page = ok_page(w, &path, session).await;
    let form = format!(
        "csrf={}&version={}&score={score}&note={}",
        hidden_csrf(&page),
        version_of(&page),
        note.replace(' ', "+")
    );
    submit(w, &path, session, &form).await
}

#[tokio::test]
async fn fidr_10_a_lead_scores_their_teams_review_item_by_item_and_finishes_it() {
    let (w, lead, _) = world_signed_in("lead1").await;
    let id = start(
        &w,
        &lead,
        "t1",
        "reviewer_1=+Sam+Reviewer+&reviewer_2=Jo+Lead",
    )
    .await;
    // Every item scored 4 with a note (so it may differ from the
    // suggestion), but item 17 scored 2.
    for n in 1..=25u8 {
        let s = if n == 17 { 2 } else { 4 };
        let (status, headers, body) = score(&w, &lead, &id, n, s, "Seen at the review").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "item {n}: {body}");
        let next = if n == 25 {
            format!("/fidelity/reviews/{id}")
        } else {
            format!("/fidelity/reviews/{id}/items/{}", n + 1)
        };
        assert_eq!(location(&headers), next);
    }
    let summary = ok_page(&w, &format!("/fidelity/reviews/{id}"), &lead).await;
    shows_all(
        &summary,
        &[
            "Total: <strong>98 of 125</strong>",
            "Fair fidelity",
            "Sam Reviewer, Jo Lead",
            "15 Jan 2025",
            "Action plan",
            "No action yet",
            "Finish the review",
        ],
    );
    // Finishing without an action for item 17 is refused, naming it.
    let csrf = hidden_csrf(&summary);
    let finish = format!("/fidelity/reviews/{id}/finish");
    let (status, _, refused) = submit(
        &w,
        &finish,
        &lead,
        &format!("csrf={csrf}&version={}", version_of(&summary)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows_all(
        &refused,
        &[
            "The review cannot be finished yet",
            "Item 17 (job development — frequent employer contact) scores below 4",
        ],
    );
    // The action, on its own page; a date that is not real is named.
    let path = format!("/fidelity/reviews/{id}/actions/17");
    let page = ok_page(&w, &path, &lead).await;
    shows_all(&page, &["What will be done", "Who does it", "By when"]);
    let base = format!(
        "csrf={}&version={}&what=Weekly+visit+targets&who=Team+lead",
        hidden_csrf(&page),
        version_of(&page)
    );
    let (status, _, bad) = submit(
        &w,
        &path,
        &lead,
        &format!("{base}&by_when-day=31&by_when-month=2&by_when-year=2025"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&bad, "There is a problem");
    let (status, headers, _) = submit(
        &w,
        &path,
        &lead,
        &format!("{base}&by_when-day=30&by_when-month=4&by_when-year=2025"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let summary = saved_page(&w, &headers, &lead).await;
    shows_all(
        &summary,
        &["Action saved.", "Weekly visit targets", "30 Apr 2025"],
    );
    let (status, headers, body) = submit(
        &w,
        &finish,
        &lead,
        &format!(
            "csrf={}&version={}",
            hidden_csrf(&summary),
            version_of(&summary)
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let finished = saved_page(&w, &headers, &lead).await;
    shows(&finished, "Fidelity review finished.");
    hides(&finished, "Finish the review</button>");
    // Stored as core read it, audited.
    let stored = w.store.fidelity_review(&id).await.unwrap().unwrap();
    assert_eq!(stored.review.stage, "finished");
    assert_eq!(stored.review.reviewers, ["Sam Reviewer", "Jo Lead"]);
    let audit = audit_of(&w, &id).await;
    assert!(audit.iter().all(|a| a.actor == "lead1"));
    assert!(audit.len() >= 27, "one entry a save: {}", audit.len());
    // The list shows it.
    let list = ok_page(&w, "/fidelity/reviews?team=t1", &lead).await;
    shows_all(
        &list,
        &["15 Jan 2025", "2024/25-Q3", "Finished", "98 of 125"],
    );
    // The filled-in review as a workbook: the scores, notes and action.
    let (status, headers, bytes) = send_bytes(
        &w.app,
        get(&format!("/fidelity/reviews/{id}/workbook.xlsx"), &lead),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header_value(&headers, "cache-control").as_deref(),
        Some("no-store")
    );
    let cells = workbook_text(bytes);
    for text in [
        "Seen at the review",
        "Weekly visit targets",
        "Team lead",
        "Sam Reviewer",
    ] {
        assert!(
            cells.iter().any(|c| c.contains(text)),
            "{text} in the workbook"
        );
    }
}

/// Every cell of a workbook as text.
fn workbook_text(bytes: Vec<u8>) -> Vec<String> {
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        out.extend(range.rows().flatten().map(|c| c.to_string()));
    }
    out
}

#[tokio::test]
async fn fidr_11_a_score_unlike_the_suggestion_without_a_note_is_refused_on_its_page() {
    let (w, lead, _) = world_signed_in("lead1").await;
    let id = start(&w, &lead, "t1", "reviewer_1=Sam").await;
    let stored = w.store.fidelity_review(&id).await.unwrap().unwrap();
    let suggested = stored
        .review
        .items
        .iter()
        .find(|i| i.item == 1)
        .and_then(|i| i.suggested);
    let suggested = suggested.expect("the example team's caseload suggests a score for item 1");
    let other = if suggested == 5 {
        4
    } else {
        suggested as u8 + 1
    };
    let (status, _, page) = score(&w, &lead, &id, 1, other, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows_all(
        &page,
        &["There is a problem", "Add a note on item 1 (caseload size)"],
    );
    // Nothing written: still unscored.
    let after = w.store.fidelity_review(&id).await.unwrap().unwrap();
    assert_eq!(after.version, stored.version);
}

#[tokio::test]
async fn fidr_20_a_review_outside_the_viewers_scope_answers_as_one_that_does_not_exist() {
    let (w, manager, _) = world_signed_in("manager").await;
    let team2 = start(&w, &manager, "t2", "reviewer_1=Sam").await;
    let service = start(&w, &manager, "", "reviewer_1=Sam").await;
    let lead = session_of(&w, "lead1").await;
    let missing = send(&w.app, get("/fidelity/reviews/fr999", &lead)).await;
    for id in [&team2, &service] {
        for path in [
            format!("/fidelity/reviews/{id}"),
            format!("/fidelity/reviews/{id}/items/1"),
        ] {
            let (status, _, body) = send(&w.app, get(&path, &lead)).await;
            assert_eq!(status, missing.0, "{path}");
            assert_eq!(body, missing.2, "{path}");
        }
    }
    // A lead cannot start one for another team or the whole service.
    let (status, _, _) = send(&w.app, get("/fidelity/reviews/new?team=t2", &lead)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A posted write to another team's review is refused, nothing written.
    let page = ok_page(&w, "/fidelity/reviews/new", &lead).await;
    let form = format!("csrf={}&version=1&score=1&note=x", hidden_csrf(&page));
    let (status, _, _) = submit(
        &w,
        &format!("/fidelity/reviews/{team2}/items/1"),
        &lead,
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.store
            .fidelity_review(&team2)
            .await
            .unwrap()
            .unwrap()
            .version,
        1
    );
    // An ES sees no reviews at all.
    let es = session_of(&w, "es1").await;
    let (status, _, _) = send(&w.app, get("/fidelity/reviews", &es)).await;
    assert!(matches!(status.as_u16(), 403 | 404), "{status}");
    // The manager sees both, side by side once there are two of a kind.
    let list = ok_page(&w, "/fidelity/reviews", &manager).await;
    shows(&list, "Start a fidelity review");
    assert_eq!(
        list.matches("Open the review of").count(),
        1,
        "the service's only"
    );
}

#[tokio::test]
async fn fidr_14_two_reviews_of_a_team_are_shown_side_by_side() {
    let (w, lead, _) = world_signed_in("lead1").await;
    let first = start(&w, &lead, "t1", "reviewer_1=Sam").await;
    let second = start(&w, &lead, "t1", "reviewer_1=Jo").await;
    score(&w, &lead, &first, 2, 3, "noted").await;
    score(&w, &lead, &second, 2, 5, "noted").await;
    let list = ok_page(&w, "/fidelity/reviews?team=t1", &lead).await;
    shows_all(
        &list,
        &["Side by side", "2. Employment services staff", "+2"],
    );
}

/// One door: an action due years ahead is taken by the form as by the API
/// (core bounds it below by the review date only).
#[tokio::test]
async fn fidr_12_an_action_due_years_ahead_is_taken_by_the_form_as_by_the_api() {
    let (w, lead, _) = world_signed_in("lead1").await;
    let id = start(&w, &lead, "t1", "reviewer_1=Sam").await;
    score(&w, &lead, &id, 17, 2, "noted").await;
    let path = format!("/fidelity/reviews/{id}/actions/17");
    let page = ok_page(&w, &path, &lead).await;
    let form = format!(
        "csrf={}&version={}&what=Visits&who=Lead&by_when-day=1&by_when-month=4&by_when-year=2035",
        hidden_csrf(&page),
        version_of(&page)
    );
    let (status, _, body) = submit(&w, &path, &lead, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = w.store.fidelity_review(&id).await.unwrap().unwrap();
    assert_eq!(stored.review.actions[0].by_when, "2035-04-01");
}
