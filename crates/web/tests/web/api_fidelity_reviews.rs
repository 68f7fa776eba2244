//! The API's fidelity reviews (issue 26, crates/web/src/api/fidelity_reviews.rs):
//! FIDR-20's scope (a lead their team's, a manager the service's and any
//! team's, an ES none; another team's review the same 404 as a missing
//! one), the one check's refusals field by field, `If-Match` on a change,
//! the export, the OpenAPI document, and hostile bodies.

use crate::common::*;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

const PATH: &str = "/api/v1/fidelity-reviews";

/// (status, ETag, body as JSON).
type Answer = (StatusCode, Option<String>, Value);

async fn api(
    w: &World,
    method: Method,
    path: &str,
    token: &str,
    body: Option<String>,
    extra: &[(&str, &str)],
) -> Answer {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (k, v) in extra {
        r = r.header(*k, *v);
    }
    let request = match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b))
            .unwrap(),
        None => r.body(Body::empty()).unwrap(),
    };
    let (status, headers, body) = send(&w.app, request).await;
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, header_value(&headers, "etag"), value)
}

async fn get_api(w: &World, path: &str, token: &str) -> Answer {
    api(w, Method::GET, path, token, None, &[]).await
}

async fn post_api(w: &World, token: &str, body: &Value) -> Answer {
    api(w, Method::POST, PATH, token, Some(body.to_string()), &[]).await
}

async fn put_api(w: &World, id: &str, token: &str, body: &Value, extra: &[(&str, &str)]) -> Answer {
    let path = format!("{PATH}/{id}");
    api(w, Method::PUT, &path, token, Some(body.to_string()), extra).await
}

/// A draft review of `team` (none: the service) in 2024/25.
fn draft(team: Option<&str>) -> Value {
    let mut review = json!({
        "period": "2024/25",
        "review_date": "2025-01-10",
        "reviewers": ["Ann Lee", "Bo Chan"],
        "stage": "draft",
        "items": [
            {"item": 1, "suggested": 5, "score": 5},
            {"item": 15, "suggested": 4, "score": 3, "note": "Searches start late."}
        ],
        "actions": [
            {"item": 15, "what": "Meet employers in week one", "who": "Team lead", "by_when": "2025-03-31"}
        ]
    });
    if let Some(t) = team {
        review["team"] = json!(t);
    }
    review
}

struct Tokens {
    manager: String,
    lead1: String,
    es1: String,
}

async fn tokens(w: &World) -> Tokens {
    let token =
        |user: &'static str| async move { w.store.issue_token(user, 30, "admin").await.unwrap() };
    Tokens {
        manager: token("manager").await,
        lead1: token("lead1").await,
        es1: token("es1").await,
    }
}

/// The ids the list answers `token`.
async fn listed(w: &World, token: &str) -> Vec<String> {
    let (status, _, list) = get_api(w, PATH, token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["version"].as_i64().unwrap() >= 1, "{r}");
            r["review"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[tokio::test]
async fn managers_review_the_service_and_any_team_and_a_lead_only_their_own() {
    let w = world().await;
    let t = tokens(&w).await;

    // A manager: the service and team t2.
    let (status, etag, service) = post_api(&w, &t.manager, &draft(None)).await;
    assert_eq!(status, StatusCode::CREATED, "{service}");
    assert_eq!(etag.as_deref(), Some("\"1\""));
    let service_id = service["id"].as_str().unwrap().to_string();
    assert!(service_id.starts_with("fr"), "{service_id}");
    assert!(service.get("team").is_none(), "{service}");
    let (status, _, south) = post_api(&w, &t.manager, &draft(Some("t2"))).await;
    assert_eq!(status, StatusCode::CREATED, "{south}");
    let south_id = south["id"].as_str().unwrap().to_string();
    assert_eq!(south["team"], "t2");
    assert_eq!(south["items"][1]["note"], "Searches start late.");

    // lead1 leads t1: their own team's, not t2's nor the service's.
    let mut own = draft(Some("t1"));
    own["id"] = json!("mine-please");
    let (status, _, north) = post_api(&w, &t.lead1, &own).await;
    assert_eq!(status, StatusCode::CREATED, "{north}");
    let north_id = north["id"].as_str().unwrap().to_string();
    assert_ne!(north_id, "mine-please", "the store gives the id");
    let before = w.store.fidelity_reviews().await.unwrap().len();
    for refused in [draft(Some("t2")), draft(None)] {
        let (status, _, body) = post_api(&w, &t.lead1, &refused).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body, json!({"error": "not found"}));
    }
    assert_eq!(
        w.store.fidelity_reviews().await.unwrap().len(),
        before,
        "nothing written"
    );

    // Reading: the manager sees all three, the lead their team's.
    assert_eq!(
        listed(&w, &t.manager).await,
        [service_id.as_str(), &south_id, &north_id]
    );
    assert_eq!(listed(&w, &t.lead1).await, [north_id.as_str()]);
    let (status, etag, doc) = get_api(&w, &format!("{PATH}/{north_id}"), &t.lead1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(etag.as_deref(), Some("\"1\""));
    assert_eq!(doc, north);

    // Another team's review is answered exactly as one that does not exist.
    let other = send(&w.app, bearer_get(&format!("{PATH}/{south_id}"), &t.lead1)).await;
    let missing = send(&w.app, bearer_get(&format!("{PATH}/fr999"), &t.lead1)).await;
    assert_eq!(other.0, StatusCode::NOT_FOUND);
    assert_eq!(other.0, missing.0);
    assert_eq!(other.2, missing.2);
    assert_eq!(
        header_value(&other.1, "cache-control").as_deref(),
        Some("no-store")
    );
    let strip = |h: &[(String, String)]| {
        h.iter()
            .filter(|(k, _)| k != "date" && k != "x-request-id")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&other.1), strip(&missing.1));
    // And a change of it too, before anything is read of the body.
    let (status, _, body) = put_api(
        &w,
        &south_id,
        &t.lead1,
        &draft(Some("t2")),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(
        (status, body.clone()),
        (StatusCode::NOT_FOUND, json!({"error": "not found"}))
    );
    // Nor may a lead move their review to another team.
    let (status, _, _) = put_api(
        &w,
        &north_id,
        &t.lead1,
        &draft(Some("t2")),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An ES: nothing at all.
    for path in [PATH.to_string(), format!("{PATH}/{north_id}")] {
        let (status, _, body) = get_api(&w, &path, &t.es1).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body, json!({"error": "not found"}));
    }
    let (status, _, _) = post_api(&w, &t.es1, &draft(Some("t2"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The created reviews are in the export, as the API answers them.
    let bundle = w.store.export().await.unwrap();
    let exported: Vec<Value> = bundle
        .fidelity_reviews
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    assert_eq!(exported, [service, south, north]);

    // Each write is audited with who made it.
    let audit = audit_of(&w, &north_id).await;
    assert!(
        audit
            .iter()
            .any(|a| a.action == "insert" && a.actor == "lead1"),
        "{audit:?}"
    );
}

fn bearer_get(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn a_refused_review_names_each_field_and_a_change_needs_the_version_it_saw() {
    let w = world().await;
    let t = tokens(&w).await;

    // 15 scored 2 where the records suggest 4, without a note; a review date in the future.
    let mut bad = draft(Some("t1"));
    bad["items"][1] = json!({"item": 15, "suggested": 4, "score": 2});
    bad["review_date"] = json!("2025-02-01");
    let (status, _, body) = post_api(&w, &t.lead1, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let note = body["fields"]["items[15].note"].as_str().unwrap();
    assert!(note.contains("item 15"), "{note}");
    assert!(
        body["fields"]["review_date"]
            .as_str()
            .unwrap()
            .contains("future"),
        "{body}"
    );
    assert!(w.store.fidelity_reviews().await.unwrap().is_empty());
    // A body that is not a review: 422 too.
    let (status, _, body) = post_api(&w, &t.lead1, &json!({"team": "t1", "period": 7})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"]["review"].is_string(), "{body}");

    let (status, _, created) = post_api(&w, &t.lead1, &draft(Some("t1"))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut changed = created.clone();
    changed["reviewers"] = json!(["Ann Lee", "Bo Chan", "Cy Dee"]);

    let (status, _, body) = put_api(&w, &id, &t.lead1, &changed, &[]).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");
    let (status, _, body) = put_api(&w, &id, &t.lead1, &changed, &[("if-match", "\"7\"")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "stale: {body}");
    let (status, etag, saved) =
        put_api(&w, &id, &t.lead1, &changed, &[("if-match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(etag.as_deref(), Some("\"2\""));
    assert_eq!(saved["reviewers"][2], "Cy Dee");
    assert_eq!(saved["id"], json!(id));
    // The version it saw is now stale.
    let (status, _, _) = put_api(&w, &id, &t.lead1, &changed, &[("if-match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A change refused by the check: 422, nothing changed.
    let mut bad = saved.clone();
    bad["reviewers"] = json!([]);
    let (status, _, body) = put_api(&w, &id, &t.lead1, &bad, &[("if-match", "\"2\"")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"]["reviewers"].is_string(), "{body}");
    let (_, etag, now) = get_api(&w, &format!("{PATH}/{id}"), &t.manager).await;
    assert_eq!((etag.as_deref(), now), (Some("\"2\""), saved));
    let audit = audit_of(&w, &id).await;
    assert!(audit.iter().any(|a| a.action == "update"), "{audit:?}");
}

#[tokio::test]
async fn the_openapi_document_lists_the_fidelity_reviews() {
    let w = world().await;
    let (status, _, doc) = get_api(&w, "/api/v1/openapi.json", "").await;
    assert_eq!(status, StatusCode::OK);
    let paths = &doc["paths"];
    assert!(paths[PATH]["get"].is_object(), "{paths}");
    assert!(paths[PATH]["post"].is_object());
    assert!(paths[format!("{PATH}/{{id}}")]["get"].is_object());
    assert!(paths[format!("{PATH}/{{id}}")]["put"].is_object());
    for schema in [
        "FidelityReviewDoc",
        "FidelityItemDoc",
        "FidelityActionDoc",
        "VersionedReview",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

#[tokio::test]
async fn hostile_bodies_are_refused_with_a_clear_error() {
    let w = world().await;
    let t = tokens(&w).await;

    // Over the body limit (2 MB): 413, nothing written.
    let mut huge = draft(Some("t1"));
    huge["items"][1]["note"] = json!("x".repeat(3 * 1024 * 1024));
    let (status, _, _) = post_api(&w, &t.manager, &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // 10,000 items, reviewers or actions: one error each, not 10,000.
    let mut items = draft(Some("t1"));
    items["items"] = (0..10_000)
        .map(|i| json!({"item": i % 25 + 1, "score": 3}))
        .collect();
    let mut reviewers = draft(Some("t1"));
    reviewers["reviewers"] = (0..10_000).map(|i| json!(format!("R{i}"))).collect();
    let mut actions = draft(Some("t1"));
    actions["actions"] = (0..10_000)
        .map(|_| json!({"item": 15, "what": "w", "who": "x", "by_when": "2025-03-31"}))
        .collect();
    for (body, field, words) in [
        (items, "items", "at most 25 items"),
        (reviewers, "reviewers", "at most 6 reviewers"),
        (actions, "actions", "at most 100 actions"),
    ] {
        let (status, _, answer) = post_api(&w, &t.manager, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let fields = answer["fields"].as_object().unwrap();
        assert_eq!(fields.len(), 1, "{answer}");
        let message = fields[field].as_str().unwrap();
        assert!(message.contains(words), "{message}");
        assert!(message.contains("10000 given"), "{message}");
    }
    // The same through a change.
    let (_, _, created) = post_api(&w, &t.manager, &draft(Some("t1"))).await;
    let id = created["id"].as_str().unwrap();
    let mut many = created.clone();
    many["reviewers"] = (0..10_000).map(|i| json!(format!("R{i}"))).collect();
    let (status, _, _) = put_api(&w, id, &t.manager, &many, &[("if-match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Scores, items and dates out of range: refused, named.
    let mut wild = draft(Some("t1"));
    wild["items"] = json!([{"item": 4_000_000_000u32, "score": 4_000_000_000u32}]);
    wild["actions"] =
        json!([{"item": 0, "what": "=HYPERLINK(\"x\")", "who": "x", "by_when": "9999-99-99"}]);
    let (status, _, body) = post_api(&w, &t.manager, &wild).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"]["items[0].item"].is_string(), "{body}");
    assert!(body["fields"]["actions[0].by_when"].is_string(), "{body}");

    // Only the one good review was written.
    assert_eq!(w.store.fidelity_reviews().await.unwrap().len(), 1);
}
