//! The API's writes (issue 13): the journey of one new person from referral
//! to a sustained job through the API alone, with the same scope and
//! validation as the forms, retries applied once (`Idempotency-Key`) and
//! stale edits refused (`If-Match`, 409).

use crate::common::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

/// A JSON request of `token`, with extra headers.
fn call(
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    extra: &[(&str, &str)],
) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (k, v) in extra {
        r = r.header(*k, *v);
    }
    match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    }
}

/// What a JSON request is answered: (status, ETag, body).
type Answer = (StatusCode, Option<String>, Value);
/// Extra headers: an `Idempotency-Key`, an `If-Match`.
type Extra<'a> = &'a [(&'a str, &'a str)];

/// A JSON request of `token` sent.
async fn api(
    w: &World,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    extra: Extra<'_>,
) -> Answer {
    json_of(w, call(method, path, token, body, extra)).await
}

/// `body` posted to `path` for `token`, with extra headers.
async fn post_api(w: &World, path: &str, token: &str, body: Value, extra: Extra<'_>) -> Answer {
    api(w, Method::POST, path, token, Some(body), extra).await
}

/// `body` put at `path` for `token`, with extra headers.
async fn put_api(w: &World, path: &str, token: &str, body: Value, extra: Extra<'_>) -> Answer {
    api(w, Method::PUT, path, token, Some(body), extra).await
}

/// What `path` reads for `token`.
async fn get_api(w: &World, path: &str, token: &str) -> Answer {
    api(w, Method::GET, path, token, None, &[]).await
}

async fn json_of(w: &World, request: Request<Body>) -> Answer {
    let (status, headers, body) = send(&w.app, request).await;
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, header_value(&headers, "etag"), value)
}

/// The service's figures of 2024/25 as of today (the manager's report).
async fn figures(w: &World, manager: &str) -> Value {
    let (status, _, report) = json_of(
        w,
        call(
            Method::GET,
            "/api/v1/report?period=2024/25",
            manager,
            None,
            &[],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    report["service"].clone()
}

#[tokio::test]
async fn one_person_from_referral_to_a_second_job_through_the_api_alone() {
    let w = world().await;
    let es3 = w.store.issue_token("es3", 30, "admin").await.unwrap();
    let manager = w.store.issue_token("manager", 30, "admin").await.unwrap();
    let before = figures(&w, &manager).await;

    // A new person, sent twice with one key: one referral.
    let new = json!({"given_name": "Amira", "family_name": "Khan", "nhs_number": "9434765919",
        "received": "2024-12-02", "status_at_referral": "unemployed", "es": "es3"});
    let key = [("idempotency-key", "trust-feed-0001")];
    let (status, etag, first) = post_api(&w, "/api/v1/referrals", &es3, new.clone(), &key).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, _, again) = post_api(&w, "/api/v1/referrals", &es3, new, &key).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"], "the retry is the same referral");
    let id = first["id"].as_str().unwrap().to_string();
    let steps = format!("/api/v1/referrals/{id}/steps");

    // Access is an edit: without If-Match 428, with a stale one 409.
    let access = json!({"step": "access", "date": "2024-12-03"});
    let (status, _, _) = post_api(&w, &steps, &es3, access.clone(), &[]).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
    let (status, _, _) =
        post_api(&w, &steps, &es3, access.clone(), &[("if-match", "\"99\"")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let tag = etag.unwrap();
    let (status, etag, _) = post_api(&w, &steps, &es3, access, &[("if-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK);
    let plan = json!({"step": "plan", "start": "2024-12-03", "end": null});
    let (status, _, _) = post_api(&w, &steps, &es3, plan, &[("if-match", &etag.unwrap())]).await;
    assert_eq!(status, StatusCode::OK);
    for step in [
        json!({"step": "contact", "date": "2024-12-04", "kind": "face_to_face", "note": "CV done; next: apply"}),
        json!({"step": "job", "id": "", "type": "zero_hours", "employer": "Garden centre", "start": "2024-12-09",
               "hours_per_week": null, "weekly_hours": [3, 5, 6, 4]}),
    ] {
        let (status, _, body) = post_api(&w, &steps, &es3, step, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // The first job corrected: 4 hours confirmed, then it ended; a second
    // job within six weeks.
    let (_, etag, _) = get_api(&w, &format!("/api/v1/referrals/{id}"), &es3).await;
    let job = json!({"id": "j1", "type": "zero_hours", "employer": "Garden centre", "start": "2024-12-09",
        "end": "2024-12-20", "weekly_hours": [3, 5, 6, 4], "four_hours_confirmed": "2024-12-16"});
    let (status, _, saved) = put_api(
        &w,
        &format!("/api/v1/referrals/{id}/jobs/0"),
        &es3,
        job,
        &[("if-match", &etag.unwrap())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["jobs"][0]["four_hours_confirmed"], "2024-12-16");
    let second = json!({"step": "job", "id": "", "type": "employee", "employer": "Co-op", "start": "2025-01-06", "hours_per_week": 16});
    let (status, _, saved) = post_api(&w, &steps, &es3, second, &[]).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["jobs"][1]["id"], "j2");
    assert_eq!(saved["contacts"][0]["note"], "CV done; next: apply");

    // The figures: one more referral and access, one more person into
    // work (JOB-4) with two job starts (JOB-5).
    let after = figures(&w, &manager).await;
    let n = |v: &Value, k: &str| v[k]["unemployed"].as_u64().unwrap();
    assert_eq!(n(&after, "referrals"), n(&before, "referrals") + 1);
    assert_eq!(n(&after, "access"), n(&before, "access") + 1);
    assert_eq!(
        n(&after, "people_into_work"),
        n(&before, "people_into_work") + 1
    );
    assert_eq!(n(&after, "job_starts"), n(&before, "job_starts") + 2);

    // The person's details: read with their ETag, changed, retried.
    let client = saved["client"].as_str().unwrap();
    let path = format!("/api/v1/clients/{client}");
    let (status, etag, person) = get_api(&w, &path, &es3).await;
    assert_eq!(
        (status, person["family_name"].as_str()),
        (StatusCode::OK, Some("Khan"))
    );
    let mut changed = person.clone();
    changed["family_name"] = "Begum".into();
    let tag = etag.unwrap();
    let (status, _, body) = put_api(&w, &path, &es3, changed.clone(), &[("if-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, _) = put_api(&w, &path, &es3, changed, &[("if-match", &tag)]).await;
    assert_eq!(status, StatusCode::OK, "the same change again is done");
    let mut other = person;
    other["family_name"] = "Smith".into();
    let (status, _, _) = put_api(&w, &path, &es3, other, &[("if-match", &tag)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "stale");
}

#[tokio::test]
async fn api_writes_keep_the_forms_scope_and_checks() {
    let w = world().await;
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let es3 = w.store.issue_token("es3", 30, "admin").await.unwrap();
    // Another team's referral: not found, for reads and writes.
    let steps = format!("/api/v1/referrals/{}/steps", w.es3_referral);
    let contact = json!({"step": "contact", "date": "2025-01-14", "kind": "face_to_face"});
    let (status, _, _) = post_api(&w, &steps, &es1, contact.clone(), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A date in the future, an unknown kind: 422 naming the field.
    let future = json!({"step": "contact", "date": "2025-06-01", "kind": "face_to_face"});
    let (status, _, body) = post_api(&w, &steps, &es3, future, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("date: 2025-06-01 is in the future"),
        "{body}"
    );
    let odd = json!({"step": "contact", "date": "2025-01-14", "kind": "telepathy"});
    let (status, _, body) = post_api(&w, &steps, &es3, odd, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("Kind `telepathy`"),
        "{body}"
    );
    // A new referral for another team's specialist, or with no name.
    let new = json!({"given_name": "A", "family_name": "B", "received": "2025-01-10", "status_at_referral": "unemployed", "es": "es1"});
    let (status, _, body) = post_api(&w, "/api/v1/referrals", &es3, new, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("es:"), "{body}");
    let nameless =
        json!({"received": "2025-01-10", "status_at_referral": "unemployed", "es": "es3"});
    let (status, _, body) = post_api(&w, "/api/v1/referrals", &es3, nameless, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"].as_str().unwrap().contains("given_name"),
        "{body}"
    );
    // Keys are each user's own: es1 reusing es3's key makes its own referral.
    let key = [("idempotency-key", "same-key")];
    let mine = |es: &str| json!({"given_name": "C", "family_name": "D", "received": "2025-01-10", "status_at_referral": "unemployed", "es": es});
    let (_, _, a) = post_api(&w, "/api/v1/referrals", &es3, mine("es3"), &key).await;
    let (status, _, b) = post_api(&w, "/api/v1/referrals", &es1, mine("es1"), &key).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_ne!(a["id"], b["id"]);
    let long = "k".repeat(101);
    let (status, _, _) = post_api(
        &w,
        "/api/v1/referrals",
        &es3,
        mine("es3"),
        &[("idempotency-key", &long)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A key is the user's own and names one request (issue 20): sent again with
/// the same request it is answered with the first result; on another
/// referral, or with another body, it is refused — never answered with what
/// the first request wrote, nor swallowing the second.
#[tokio::test]
async fn an_idempotency_key_reused_for_another_request_is_refused_not_answered_with_the_first() {
    let w = world().await;
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let es3 = w.store.issue_token("es3", 30, "admin").await.unwrap();
    let manager = w.store.issue_token("manager", 30, "admin").await.unwrap();
    // A second referral of es1's.
    let new = json!({"given_name": "Nia", "family_name": "Jones", "received": "2025-01-10",
        "status_at_referral": "unemployed", "es": "es1"});
    let (status, _, b) = post_api(&w, "/api/v1/referrals", &es1, new, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let b = b["id"].as_str().unwrap().to_string();
    let a = w.es1_referral.clone();
    let steps = |id: &str| format!("/api/v1/referrals/{id}/steps");
    let key = [("idempotency-key", "feed-0042")];
    let contact = json!({"step": "contact", "date": "2025-01-14", "kind": "remote"});
    let (status, _, first) = post_api(&w, &steps(&a), &es1, contact.clone(), &key).await;
    assert_eq!((status, first["id"].as_str()), (StatusCode::OK, Some(&*a)));
    // The same request again: the first result, applied once.
    let count = w.store.contact_count(&a).await.unwrap();
    let (status, _, again) = post_api(&w, &steps(&a), &es1, contact.clone(), &key).await;
    assert_eq!((status, again["id"].as_str()), (StatusCode::OK, Some(&*a)));
    assert_eq!(w.store.contact_count(&a).await.unwrap(), count);
    // A moves to es3, who writes a note on it.
    let transfer = json!({"step": "transfer", "date": "2025-01-14", "es": "es3"});
    let (status, _, body) = post_api(&w, &steps(&a), &manager, transfer, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let note = json!({"step": "contact", "date": "2025-01-15", "kind": "remote", "note": "es3's own words"});
    let (status, _, body) = post_api(&w, &steps(&a), &es3, note, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The key on es1's other referral: refused, with nothing of A's, and
    // B's contact not swallowed either — it is not written under a used key.
    let on_b = w.store.contact_count(&b).await.unwrap();
    let (status, _, body) = post_api(&w, &steps(&b), &es1, contact.clone(), &key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"],
        "Idempotency-Key was already used for another request"
    );
    let text = body.to_string();
    assert!(
        !text.contains(&a) && !text.contains("es3's own words"),
        "{text}"
    );
    assert_eq!(w.store.contact_count(&b).await.unwrap(), on_b);
    // The same key and referral with another body: refused too.
    let other_key = [("idempotency-key", "feed-0043")];
    let (status, _, _) = post_api(&w, &steps(&b), &es1, contact.clone(), &other_key).await;
    assert_eq!(status, StatusCode::OK);
    let later = json!({"step": "contact", "date": "2025-01-15", "kind": "face_to_face"});
    let (status, _, body) = post_api(&w, &steps(&b), &es1, later, &other_key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(w.store.contact_count(&b).await.unwrap(), on_b + 1);
    // Another user's key of the same text is their own: neither answered
    // with es1's result nor blocked by it.
    let mine = w.store.contact_count(&w.es3_referral).await.unwrap();
    let (status, _, body) = post_api(&w, &steps(&w.es3_referral), &es3, contact, &key).await;
    assert_eq!(
        (status, body["id"].as_str()),
        (StatusCode::OK, Some(&*w.es3_referral))
    );
    assert_eq!(
        w.store.contact_count(&w.es3_referral).await.unwrap(),
        mine + 1
    );
}

/// A new referral retried after it moved out of the caller's caseload is
/// not answered with its current content.
#[tokio::test]
async fn a_new_referral_retried_after_it_moved_away_is_not_shown_to_its_first_caller() {
    let w = world().await;
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let manager = w.store.issue_token("manager", 30, "admin").await.unwrap();
    let new = json!({"given_name": "Ola", "family_name": "Nowak", "received": "2025-01-10",
        "status_at_referral": "unemployed", "es": "es1"});
    let key = [("idempotency-key", "feed-0100")];
    let (status, _, made) = post_api(&w, "/api/v1/referrals", &es1, new.clone(), &key).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    let steps = format!("/api/v1/referrals/{id}/steps");
    let transfer = json!({"step": "transfer", "date": "2025-01-14", "es": "es3"});
    let (status, _, _) = post_api(&w, &steps, &manager, transfer, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let note = json!({"step": "contact", "date": "2025-01-15", "kind": "remote", "note": "new team's words"});
    let (status, _, _) = post_api(&w, &steps, &manager, note, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = post_api(&w, "/api/v1/referrals", &es1, new, &key).await;
    assert_ne!(status, StatusCode::CREATED, "{body}");
    assert!(!body.to_string().contains("new team's words"), "{body}");
}
