//! Issue 26: a better-off calculation offered, the person's disclosure
//! choice and their job preferences — each a page of its own on the
//! referral (GOV.UK: one thing per page), saved with a message, refused
//! with an error summary naming the field, shown on the timeline,
//! corrected from it, and recorded through the API.

use crate::common::*;
use axum::http::StatusCode;

async fn stored(w: &World) -> ipstrack_core::bundle::ReferralDoc {
    saved_referral(w, &w.es3_referral).await.referral
}

/// es3's referral given a vocational plan (from 2 January 2025).
async fn with_plan(w: &World, es3: &str, csrf: &str, referral: &str) {
    if stored(w).await.vocational_plan.is_some() {
        return;
    }
    let page = ok_page(w, &format!("{referral}/record/plan"), es3).await;
    let form = format!("csrf={csrf}&version={}&date=2025-01-02", version_of(&page));
    let (status, _, body) = submit(w, &format!("{referral}/plan"), es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
}

/// Opens `action`'s page on es3's referral and posts `fields` at the
/// version it showed: (status, headers, answer).
async fn record(
    w: &World,
    (es3, csrf, referral): (&str, &str, &str),
    action: &str,
    fields: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    let page = ok_page(w, &format!("{referral}/record/{action}"), es3).await;
    let form = format!("csrf={csrf}&version={}&{fields}", version_of(&page));
    submit(w, &format!("{referral}/{action}"), es3, &form).await
}

#[tokio::test]
async fn a_better_off_calculation_is_recorded_on_a_page_of_its_own() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let summary = ok_page(&w, &referral, &es3).await;
    shows_all(
        &summary,
        &[
            "Record a better-off calculation offered",
            "Preparing for work",
            "Better-off calculation: not recorded.",
        ],
    );
    let page = ok_page(&w, &format!("{referral}/record/better_off"), &es3).await;
    shows_all(
        &page,
        &[
            "When was it offered?",
            "benefits and work-incentive advice",
            "Day",
            "Month",
            "Year",
        ],
    );
    let session = (es3.as_str(), csrf.as_str(), referral.as_str());
    let (status, headers, body) = record(
        &w,
        session,
        "better_off",
        "date-day=10&date-month=1&date-year=2025",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let page = saved_page(&w, &headers, &es3).await;
    shows(&page, "Better-off calculation saved for");
    shows(&page, "Better-off calculation: offered on 10 Jan 2025.");
    assert_eq!(
        stored(&w).await.better_off_calculation.as_deref(),
        Some("2025-01-10")
    );
    let timeline = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(
        &timeline,
        "Better-off calculation offered (benefits and work-incentive advice)",
    );
    // The page shows what is recorded, to change it.
    let again = ok_page(&w, &format!("{referral}/record/better_off"), &es3).await;
    shows(&again, "value=\"10\"");
    let last = last_audit(&w, &w.es3_referral).await;
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("update", "es3")
    );
}

#[tokio::test]
async fn a_better_off_calculation_in_the_future_or_before_the_referral_is_refused() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let session = (es3.as_str(), csrf.as_str(), referral.as_str());
    for (date, words) in [
        ("2025-01-16", "must be today or in the past"),
        ("2020-01-01", "must be on or after the referral"),
        ("2025-02-30", "as a real date"),
    ] {
        let (status, _, page) = record(&w, session, "better_off", &format!("date={date}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        shows_all(
            &page,
            &["There is a problem", "href=\"#better_off-date\"", words],
        );
    }
    assert_eq!(
        stored(&w).await.better_off_calculation,
        None,
        "nothing written"
    );
}

#[tokio::test]
async fn a_disclosure_choice_is_recorded_with_radios_and_changed_from_the_timeline() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let page = ok_page(&w, &format!("{referral}/record/disclosure"), &es3).await;
    shows_all(
        &page,
        &[
            "What did they choose?",
            "type=\"radio\"",
            "Not to tell employers",
            "When did you talk about it?",
        ],
    );
    let session = (es3.as_str(), csrf.as_str(), referral.as_str());
    let (status, headers, body) =
        record(&w, session, "disclosure", "choice=partial&date=2025-01-14").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    shows(
        &saved_page(&w, &headers, &es3).await,
        "Disclosure choice saved for",
    );
    let d = stored(&w).await.disclosure.unwrap();
    assert_eq!(
        (d.choice.as_str(), d.date.as_str()),
        ("partial", "2025-01-14")
    );
    let timeline = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(
        &timeline,
        "Disclosure talked through: they chose to tell employers some things, not all",
    );
    shows(&timeline, &format!("{referral}/edit/disclosure/0"));
    // Changed from the timeline: its form filled with it.
    let edit = ok_page(&w, &format!("{referral}/edit/disclosure/0"), &es3).await;
    shows(&edit, "Change the disclosure choice");
    shows(&edit, "value=\"partial\" checked");
    let form = format!(
        "csrf={csrf}&edit=0&version={}&choice=none&date=2025-01-14",
        version_of(&edit)
    );
    let (status, _, body) = submit(&w, &format!("{referral}/disclosure"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(stored(&w).await.disclosure.unwrap().choice, "none");
    // Removed from the timeline.
    let version = version_now(&w, &w.es3_referral).await;
    let after = remove_first(&w, (&referral, version), (&es3, &csrf), "disclosure").await;
    assert_eq!(after.referral.disclosure, None);
}

#[tokio::test]
async fn a_disclosure_form_without_a_choice_names_the_field() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    let session = (es3.as_str(), csrf.as_str(), referral.as_str());
    let (status, _, page) = record(&w, session, "disclosure", "choice=some&date=2025-01-14").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows_all(
        &page,
        &[
            "There is a problem",
            "href=\"#disclosure-choice\"",
            "Select what they chose to tell employers",
        ],
    );
    let (status, _, page) = record(&w, session, "disclosure", "date=2025-01-14").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "Select what they chose to tell employers");
    assert_eq!(stored(&w).await.disclosure, None, "nothing written");
}

#[tokio::test]
async fn job_preferences_are_recorded_on_the_plan_and_kept_by_a_change_of_the_plan() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    with_plan(&w, &es3, &csrf, &referral).await;
    let page = ok_page(&w, &format!("{referral}/record/job_preferences"), &es3).await;
    shows_all(
        &page,
        &["What kind of work do they want?", "maxlength=\"500\""],
    );
    let session = (es3.as_str(), csrf.as_str(), referral.as_str());
    let (status, headers, body) = record(
        &w,
        session,
        "job_preferences",
        "job_preferences=++Outdoor+work%2C+near+home++",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    shows(
        &saved_page(&w, &headers, &es3).await,
        "Job preferences saved for",
    );
    let plan = stored(&w).await.vocational_plan.unwrap();
    assert_eq!(
        plan.job_preferences.as_deref(),
        Some("Outdoor work, near home")
    );
    let timeline = ok_page(&w, &format!("{referral}/timeline"), &es3).await;
    shows(&timeline, "job preferences: Outdoor work, near home");
    // The plan's own change keeps them.
    let edit = ok_page(&w, &format!("{referral}/edit/plan/0"), &es3).await;
    let form = format!(
        "csrf={csrf}&edit=0&version={}&date={}&end=&agreed=yes",
        version_of(&edit),
        plan.start
    );
    let (status, _, body) = submit(&w, &format!("{referral}/plan"), &es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let plan = stored(&w).await.vocational_plan.unwrap();
    assert_eq!(
        plan.job_preferences.as_deref(),
        Some("Outdoor work, near home")
    );
    assert_eq!(plan.agreed_with_clinical_team, Some(true));
}

#[tokio::test]
async fn job_preferences_empty_or_too_long_are_refused_naming_the_field() {
    let (w, es3, csrf, referral) = world_at_own_referral("es3").await;
    with_plan(&w, &es3, &csrf, &referral).await;
    let session = (es3.as_str(), csrf.as_str(), referral.as_str());
    let long = "x".repeat(501);
    for (text, words) in [
        ("+++", "Enter the kind of work they want"),
        (
            long.as_str(),
            "Job preferences must be 500 characters or fewer",
        ),
    ] {
        let (status, _, page) = record(
            &w,
            session,
            "job_preferences",
            &format!("job_preferences={text}"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        shows_all(
            &page,
            &[
                "There is a problem",
                "href=\"#job_preferences-job_preferences\"",
                words,
            ],
        );
    }
    assert_eq!(
        stored(&w).await.vocational_plan.unwrap().job_preferences,
        None
    );
}

#[tokio::test]
async fn job_preferences_are_offered_only_with_a_plan() {
    let (w, es3, _, referral) = world_at_own_referral("es3").await;
    if stored(&w).await.vocational_plan.is_some() {
        return;
    }
    hides(
        &ok_page(&w, &referral, &es3).await,
        "Record their job preferences",
    );
    let (status, _, _) = send(
        &w.app,
        get(&format!("{referral}/record/job_preferences"), &es3),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// `body` posted as JSON to the referral's steps with `token` and an
/// `If-Match` of `tag`: (status, ETag, body).
async fn api_step(
    w: &World,
    token: &str,
    tag: &str,
    body: serde_json::Value,
) -> (StatusCode, Option<String>, serde_json::Value) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let request = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/referrals/{}/steps", w.es3_referral))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, tag)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, headers, text) = send(&w.app, request).await;
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, header_value(&headers, "etag"), value)
}

#[tokio::test]
async fn the_api_records_each_with_the_forms_checks() {
    use serde_json::json;
    let w = world().await;
    let es3 = w.store.issue_token("es3", 30, "admin").await.unwrap();
    let tag = |v: i64| format!("\"{v}\"");
    let mut version = version_now(&w, &w.es3_referral).await;
    let (status, _, body) = api_step(
        &w,
        &es3,
        &tag(version),
        json!({"step": "better_off_calculation", "date": "2025-01-20"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("in the future"),
        "{body}"
    );
    let (status, _, body) = api_step(
        &w,
        &es3,
        &tag(version),
        json!({"step": "disclosure", "choice": "some", "date": "2025-01-14"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"]["disclosure.choice"].is_string(), "{body}");
    for step in [
        json!({"step": "better_off_calculation", "date": "2025-01-13"}),
        json!({"step": "disclosure", "choice": "full", "date": "2025-01-14"}),
    ] {
        let (status, etag, body) = api_step(&w, &es3, &tag(version), step).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        version = etag.unwrap().trim_matches('"').parse().unwrap();
    }
    let saved = stored(&w).await;
    assert_eq!(saved.better_off_calculation.as_deref(), Some("2025-01-13"));
    assert_eq!(saved.disclosure.unwrap().choice, "full");
    let preferences = json!({"step": "job_preferences", "text": "Care work"});
    let (status, _, body) = api_step(&w, &es3, &tag(version), preferences.clone()).await;
    if saved.vocational_plan.is_none() {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("vocational plan first"),
            "{body}"
        );
    } else {
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["vocational_plan"]["job_preferences"], "Care work");
    }
    let (status, _, openapi) = send(&w.app, get("/api/v1/openapi.json", "")).await;
    assert_eq!(status, StatusCode::OK);
    for word in ["better_off_calculation", "job_preferences", "DisclosureDoc"] {
        assert!(openapi.contains(word), "{word} in the OpenAPI document");
    }
}
