//! A referral entered in error (issue 23, ERR-1): marked on its own page
//! with a required reason, out of the caseload, search and the team's
//! figures, shown with its banner and no recording forms, restored by a team
//! lead (not an ES), every change audited
//! (crates/web/src/referrals/entered_in_error.rs).

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;

/// The team t1 block of the 2024/25 report as of today (the API, as a manager).
async fn team_t1(w: &World, manager: &str) -> Value {
    let (status, _, body) = send(&w.app, get("/api/v1/report?period=2024/25", manager)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    report["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "t1")
        .unwrap()
        .clone()
}

/// Whether es3's referral is stored marked as entered in error.
async fn es3_referral_marked(w: &World) -> bool {
    let stored = saved_referral(w, &w.es3_referral).await;
    stored.referral.entered_in_error.is_some()
}

/// A step (JSON) posted to the API's `steps` of a referral for `token`, at
/// `version` when given (`If-Match`): (status, body).
async fn api_step(
    w: &World,
    steps: &str,
    token: &str,
    step: &str,
    version: Option<i64>,
) -> (StatusCode, String) {
    let mut request = Request::post(steps)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(v) = version {
        request = request.header(header::IF_MATCH, format!("\"{v}\""));
    }
    let (status, _, body) = send(&w.app, request.body(Body::from(step.to_string())).unwrap()).await;
    (status, body)
}

/// A GET of the API's `path` for `token`.
fn api_get(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// Posts the mark form of `path` as `cookie` with `reason`.
async fn mark(
    w: &World,
    path: &str,
    cookie: &str,
    reason: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    let page = ok_page(w, &format!("{path}/entered-in-error"), cookie).await;
    let version = version_now(w, path).await;
    let form = format!(
        "csrf={}&version={version}&reason={}",
        hidden_csrf(&page),
        reason.replace(' ', "+")
    );
    submit(w, &format!("{path}/entered-in-error"), cookie, &form).await
}

#[tokio::test]
async fn err_1_a_referral_is_marked_with_a_reason_leaves_the_figures_and_a_lead_restores_it() {
    let w = world().await;
    let (es3, lead, manager) = (
        session_of(&w, "es3").await,
        session_of(&w, "lead1").await,
        session_of(&w, "manager").await,
    );
    let path = format!("/referrals/{}", w.es3_referral);
    let team_before = team_t1(&w, &manager).await;
    let caseload = ok_page(&w, "/caseload", &es3).await;
    shows(&caseload, &path);
    let page = ok_page(&w, &path, &es3).await;
    shows(&page, &format!("{path}/entered-in-error"));

    // Its own page: one question, the warning, the red button.
    let form = ok_page(&w, &format!("{path}/entered-in-error"), &es3).await;
    shows_all(
        &form,
        &[
            "Mark this referral as entered in error",
            "will leave every figure",
            "class=\"warning\"",
            "Mark as entered in error",
        ],
    );

    // No reason: the error summary and the field's error; nothing saved.
    let version = version_now(&w, &path).await;
    let (status, _, again) = mark(&w, &path, &es3, "   ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    shows_all(
        &again,
        &[
            "There is a problem",
            "href=\"#entered_in_error-reason\"",
            "id=\"entered_in_error-reason-error\"",
            "Enter why the referral was entered in error",
        ],
    );
    assert_eq!(version_now(&w, &path).await, version);

    // An ES of another team: 404, as for any referral not theirs.
    let es1 = session_of(&w, "es1").await;
    let (status, _, _) = send(&w.app, get(&format!("{path}/entered-in-error"), &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let csrf1 = hidden_csrf(&ok_page(&w, "/caseload", &es1).await);
    let mine_now = format!("csrf={csrf1}&version={version}&reason=Mine+now");
    let (status, _, _) = submit(&w, &format!("{path}/entered-in-error"), &es1, &mine_now).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!es3_referral_marked(&w).await);

    // The ES who holds it marks it.
    let (status, headers, _) = mark(&w, &path, &es3, "Referred twice by the GP").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), path);
    let page = saved_page(&w, &headers, &es3).await;
    shows_all(
        &page,
        &[
            "The referral is marked as entered in error",
            "Entered in error on 15 Jan 2025 by ",
            "Referred twice by the GP",
        ],
    );
    hides_all(
        &page,
        &["Record a contact", "Save contact", "Restore the referral"],
    );
    shows(&page, "A team lead can restore it");

    // Gone from the ES's caseload, their search and the team's figures.
    hides(&ok_page(&w, "/caseload", &es3).await, &path);
    let stored = saved_referral(&w, &w.es3_referral).await;
    let team_after = team_t1(&w, &manager).await;
    assert_eq!(
        team_after["caseload"]["open"].as_u64().unwrap() + 1,
        team_before["caseload"]["open"].as_u64().unwrap(),
        "{team_after}"
    );
    let search = ok_page(&w, &format!("/search?q={}", w.es3_referral), &es3).await;
    hides(&search, &path);
    // A lead still finds it, marked.
    let search = ok_page(&w, &format!("/search?q={}", w.es3_referral), &lead).await;
    shows(&search, &path);
    shows(&search, "Entered in error");
    let _ = stored;

    // A contact on it is refused by core's one door.
    let csrf3 = hidden_csrf(&page);
    let form = format!("csrf={csrf3}&date=2025-01-14&kind=remote");
    let (status, _, _) = submit(&w, &format!("{path}/contacts"), &es3, &form).await;
    assert_ne!(
        status,
        StatusCode::SEE_OTHER,
        "no contact on a marked referral"
    );

    // The ES cannot restore it.
    let version = version_now(&w, &path).await;
    let form = format!("csrf={csrf3}&version={version}");
    let (status, _, _) = submit(&w, &format!("{path}/restore"), &es3, &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(es3_referral_marked(&w).await);

    // The team lead restores it: back in the caseload and the figures.
    let page = ok_page(&w, &path, &lead).await;
    shows(&page, "Restore the referral");
    let form = format!("csrf={}&version={}", hidden_csrf(&page), version - 1);
    let (status, _, stale) = submit(&w, &format!("{path}/restore"), &lead, &form).await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    let form = format!("csrf={}&version={version}", hidden_csrf(&page));
    let (status, headers, _) = submit(&w, &format!("{path}/restore"), &lead, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), path);
    shows(&ok_page(&w, "/caseload", &es3).await, &path);
    assert_eq!(team_t1(&w, &manager).await, team_before);
    let page = ok_page(&w, &path, &es3).await;
    hides(&page, "Entered in error on");
    shows(&page, "Record a contact");

    // Both changes are in the audit log, by who made them.
    let audit = audit_of(&w, &w.es3_referral).await;
    let actors: Vec<&str> = audit
        .iter()
        .filter(|e| e.action == "update")
        .map(|e| e.actor.as_str())
        .collect();
    assert!(actors.ends_with(&["es3", "lead1"]), "{actors:?}");
    let marked = audit
        .iter()
        .rev()
        .find(|e| e.actor == "es3" && e.action == "update")
        .unwrap();
    assert!(
        marked
            .new_value
            .as_deref()
            .unwrap()
            .contains("Referred twice by the GP")
    );
}

#[tokio::test]
async fn err_1_the_api_shows_the_mark_and_marks_and_restores_at_its_version() {
    let w = world().await;
    let lead = w.store.issue_token("lead1", 30, "admin").await.unwrap();
    let es3 = w.store.issue_token("es3", 30, "admin").await.unwrap();
    let path = format!("/api/v1/referrals/{}", w.es3_referral);
    let version = version_now(&w, &w.es3_referral).await;
    let steps = format!("{path}/steps");
    let no_reason = r#"{"step": "entered_in_error", "reason": " "}"#;
    let mark = r#"{"step": "entered_in_error", "reason": "Test record"}"#;
    let restore = r#"{"step": "restore"}"#;
    // Without a reason: 422 naming the field.
    let (status, body) = api_step(&w, &steps, &es3, no_reason, Some(version)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    shows(&body, "entered_in_error.reason");
    // Without If-Match: 428.
    let (status, _) = api_step(&w, &steps, &es3, mark, None).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, body) = api_step(&w, &steps, &es3, mark, Some(version)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, body) = send(&w.app, api_get(&path, &es3)).await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["entered_in_error"]["reason"], "Test record");
    assert_eq!(doc["entered_in_error"]["date"], "2025-01-15");
    // The ES may not restore; the lead may.
    let version = version + 1;
    let (status, _) = api_step(&w, &steps, &es3, restore, Some(version)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api_step(&w, &steps, &lead, restore, Some(version)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert!(doc.get("entered_in_error").is_none(), "{doc}");
}
