//! Recording what the figures rest on (issue 22): in-work checks (SUS-6) on
//! the referral page, corrected and removed like any entry, and through the
//! API; a team decision records who agreed it (ENG-3) through the API too.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::common::*;

async fn api_post(w: &World, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let r = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, body) = send(&w.app, r).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

#[tokio::test]
async fn sus_6_an_in_work_check_is_recorded_shown_corrected_and_removed() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    // A job first: the page offers the check once there is work to confirm.
    let job =
        format!("csrf={csrf}&type=employee&employer=Co-op&start=2025-01-06&hours_per_week=16");
    let (status, _, _) = submit(&w, &format!("{referral}/jobs"), &es3, &job).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    shows(
        &ok_page(&w, &referral, &es3).await,
        "Record an in-work check",
    );

    let check = format!("csrf={csrf}&date=2025-01-13&source=payslip&note=+First+payslip+seen+");
    let (status, _, body) = submit(&w, &format!("{referral}/in_work_check"), &es3, &check).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let stored = saved_referral(&w, &w.es3_referral).await;
    let checks = &stored.referral.in_work_checks;
    assert_eq!(checks.len(), 1);
    assert_eq!(
        (checks[0].date.as_str(), checks[0].source.as_str()),
        ("2025-01-13", "payslip")
    );
    assert_eq!(checks[0].note.as_deref(), Some("First payslip seen"));
    let page = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(
        &page,
        "Still in work, confirmed by a payslip: First payslip seen",
    );

    // Bad checks: each field named, nothing written.
    for (form, anchor) in [
        (
            "date=2025-01-13&source=guess&note=",
            "#in_work_check-source",
        ),
        (
            "date=2999-01-01&source=employer&note=",
            "#in_work_check-date",
        ),
        (
            "date=2000-01-01&source=employer&note=",
            "#in_work_check-date",
        ),
    ] {
        let check_form = format!("csrf={csrf}&{form}");
        let (status, _, body) =
            submit(&w, &format!("{referral}/in_work_check"), &es3, &check_form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        shows(&body, &format!("href=\"{anchor}\""));
    }
    let after = saved_referral(&w, &w.es3_referral).await;
    assert_eq!(after.referral.in_work_checks.len(), 1);

    // Corrected from its own edit form, then removed.
    let edit = ok_page(&w, &format!("{referral}/edit/in_work_check/0"), &es3).await;
    shows(&edit, "Change the in-work check");
    let version = after.version;
    let fix = format!("csrf={csrf}&edit=0&version={version}&date=2025-01-13&source=employer&note=");
    let (status, _, body) = submit(&w, &format!("{referral}/in_work_check"), &es3, &fix).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let fixed = saved_referral(&w, &w.es3_referral).await;
    assert_eq!(fixed.referral.in_work_checks[0].source, "employer");
    assert_eq!(fixed.referral.in_work_checks[0].note, None);
    let removed = remove_first(
        &w,
        (&referral, fixed.version),
        (&es3, &csrf),
        "in_work_check",
    )
    .await;
    assert!(removed.referral.in_work_checks.is_empty());
}

#[tokio::test]
async fn sus_6_and_eng_3_through_the_api() {
    let w = world().await;
    let token = w.store.issue_token("es3", 30, "admin").await.unwrap();
    let steps = format!("/api/v1/referrals/{}/steps", w.es3_referral);
    let (status, body) = api_post(
        &w,
        &steps,
        &token,
        json!({"step": "in_work_check", "date": "2025-01-13", "source": "client", "note": "Said so on the phone"}),
    )
    .await;
    assert!(status.is_success(), "{status}: {body}");
    let stored = saved_referral(&w, &w.es3_referral).await;
    assert_eq!(stored.referral.in_work_checks.len(), 1);
    // A source core does not know: refused naming the field.
    let (status, body) = api_post(
        &w,
        &steps,
        &token,
        json!({"step": "in_work_check", "date": "2025-01-13", "source": "rumour"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // ENG-3: a decision by the ES alone is refused with the reason; with
    // one other it is saved.
    let decision = |agreed: Value| {
        json!({"step": "decision", "start": "2025-01-10", "end": null, "status": "active",
               "reason": "In hospital", "agreed_by": agreed})
    };
    let (status, body) = api_post(&w, &steps, &token, decision(json!(["es3"]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["fields"]["agreed_by"]
            .as_str()
            .unwrap()
            .contains("one person alone"),
        "{body}"
    );
    let (status, body) = api_post(
        &w,
        &steps,
        &token,
        decision(json!(["es3", "Care coordinator"])),
    )
    .await;
    assert!(status.is_success(), "{status}: {body}");
}
