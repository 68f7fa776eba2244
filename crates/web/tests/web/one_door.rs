//! One door (issue 20, BAD-1 revision 3): a record gets the same checks and
//! the same words whichever way it arrives — a form or the API — and no
//! write can leave the database in a state its loader refuses.

use crate::common::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

async fn api(
    w: &World,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
    extra: &[(&str, &str)],
) -> (StatusCode, Option<String>, Value) {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    for (k, v) in extra {
        r = r.header(*k, *v);
    }
    let (status, headers, body) = send(&w.app, r.body(Body::from(body.to_string())).unwrap()).await;
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, header_value(&headers, "etag"), value)
}

async fn get_json(w: &World, path: &str, token: &str) -> (Option<String>, Value) {
    let r = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&w.app, r).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    (
        header_value(&headers, "etag"),
        serde_json::from_str(&body).unwrap(),
    )
}

/// The database still loads and `doctor` finds nothing.
async fn still_loads(w: &World) {
    w.store.load().await.expect("the database loads");
    assert!(w.store.integrity_check().await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_1_another_teams_nhs_number_with_a_leading_space_is_kept_apart_through_the_api() {
    let w = world().await;
    // es3's client has an NHS number.
    let theirs = saved_referral(&w, &w.es3_referral).await;
    let seen = ipstrack_store::client_fingerprint(&theirs.client);
    let mut client = theirs.client.clone();
    client.nhs_number = Some("9994710281".into());
    w.store
        .update_client(&w.es3_referral, &client, &seen, "setup")
        .await
        .unwrap();
    let w = World {
        app: app_on(&w.store).await,
        ..w
    };
    // es1 puts it, with a leading space, on their own client.
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let mine = saved_referral(&w, &w.es1_referral).await;
    let path = format!("/api/v1/clients/{}", mine.client.id);
    let (tag, mut person) = get_json(&w, &path, &es1).await;
    person["nhs_number"] = json!(" 9994710281");
    let if_match = [("if-match", tag.as_deref().unwrap())];
    let (status, _, body) = api(&w, Method::PUT, &path, &es1, person, &if_match).await;
    // Saved, as a number nobody has would be (issue 21: a refusal would
    // tell the number is known), and nothing in the answer says whose.
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        !body.to_string().contains(&theirs.client.id),
        "never whose it is: {body}"
    );
    assert_eq!(body["nhs_number"], json!("9994710281"));
    assert_eq!(body.get("possible_duplicate_of"), None);
    // Nor its ETag: the fingerprint of what the caller sees.
    let (tag, _) = get_json(&w, &path, &es1).await;
    let mut shown: ipstrack_core::bundle::ClientDoc = serde_json::from_value(body).unwrap();
    shown.possible_duplicate_of = None;
    assert_eq!(
        tag.unwrap(),
        format!("\"{}\"", ipstrack_store::client_fingerprint(&shown))
    );
    // Kept apart for a manager to merge; the database still loads.
    let stored = saved_referral(&w, &w.es1_referral).await.client;
    assert_eq!(
        stored.possible_duplicate_of.as_ref(),
        Some(&theirs.client.id)
    );
    still_loads(&w).await;
}

#[tokio::test]
async fn bad_1_text_over_its_limit_is_refused_in_the_same_words_by_form_and_api() {
    let w = world().await;
    let long = "x".repeat(ipstrack_core::bundle::limits::REASON_CHARS + 1);
    // Through the API: 422, the field named, the form's words.
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let (tag, _) = get_json(&w, &format!("/api/v1/referrals/{}", w.es1_referral), &es1).await;
    let steps = format!("/api/v1/referrals/{}/steps", w.es1_referral);
    let discharge = json!({"step": "discharge", "date": "2025-01-15", "reason": long});
    let if_match = [("if-match", tag.as_deref().unwrap())];
    let (status, _, body) = api(&w, Method::POST, &steps, &es1, discharge, &if_match).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let words = "Reason must be 500 characters or fewer";
    assert_eq!(body["fields"]["discharge.reason"], json!(words), "{body}");
    // Through the form: the same words beside the reason.
    let (cookie, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let version = saved_referral(&w, &w.es1_referral).await.version;
    let form = format!("csrf={csrf}&version={version}&date=2025-01-15&reason={long}&confirm=yes");
    let referral = format!("/referrals/{}", w.es1_referral);
    let (status, _, page) = submit(&w, &format!("{referral}/discharge"), &cookie, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, words);
    let saved = saved_referral(&w, &w.es1_referral).await;
    assert!(saved.referral.discharge.is_none(), "nothing was saved");
    still_loads(&w).await;
}

#[tokio::test]
async fn bad_1_an_employer_of_only_invisible_characters_is_refused_and_text_is_kept_trimmed() {
    let w = world().await;
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let steps = format!("/api/v1/referrals/{}/steps", w.es1_referral);
    let job = |employer: &str| json!({"step": "job", "id": "", "type": "employee", "employer": employer, "start": "2025-01-10", "hours_per_week": 16});
    let (status, _, body) = api(&w, Method::POST, &steps, &es1, job("\u{200B}\u{202E}"), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["fields"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k == "employer"),
        "{body}"
    );
    let (status, _, body) = api(&w, Method::POST, &steps, &es1, job("  Co-op  "), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved = saved_referral(&w, &w.es1_referral).await;
    let last = saved.referral.jobs.as_ref().unwrap().last().unwrap();
    assert_eq!(last.employer.as_deref(), Some("Co-op"));
    assert_eq!(
        body["jobs"].as_array().unwrap().last().unwrap()["employer"],
        json!("Co-op")
    );
    still_loads(&w).await;
}

#[tokio::test]
async fn r_2_a_backdated_transfer_is_refused_on_the_form_with_its_reason() {
    let (w, cookie, csrf) = world_signed_in("manager").await;
    // The referral's current assignment is from 29 Oct 2024 (a transfer).
    let referral = format!("/referrals/{}", w.es1_referral);
    let transfer = |date: &str| format!("csrf={csrf}&date={date}&es=es1");
    let path = format!("{referral}/transfer");
    let (status, _, _) = submit(&w, &path, &cookie, &transfer("2024-12-01")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let path = format!("{referral}/transfer");
    let (status, _, page) = submit(&w, &path, &cookie, &transfer("2024-11-15")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "a transfer cannot be backdated");
    still_loads(&w).await;
}

#[tokio::test]
async fn bad_1_a_new_persons_name_of_only_invisible_characters_is_refused_on_the_form() {
    let (w, cookie, csrf) = world_signed_in("es1").await;
    // A zero-width space and a right-to-left override, typed as the name.
    let form = format!(
        "csrf={csrf}&given_name=%E2%80%8B&family_name=%E2%80%AEnosrep&received=2025-01-10&status_at_referral=unemployed&es=es1"
    );
    let (status, _, page) = submit(&w, "/referrals/new", &cookie, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "The given name holds no letter, number or symbol");
    shows(
        &page,
        "The family name holds a character that reorders text (U+202E)",
    );
    still_loads(&w).await;
}
