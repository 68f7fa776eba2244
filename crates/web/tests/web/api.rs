//! The JSON API: bearer tokens within the same scope, the OpenAPI document (crates/web/src/api.rs).

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_string());
                }
                refs(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_is_complete_and_every_reference_resolves() {
    let w = world().await;
    let (status, _, body) = send(&w.app, get("/api/v1/openapi.json", "")).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/report"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/referrals/{id}"]["get"].is_object());
    // It parses as an OpenAPI document, and every $ref points at a schema it defines.
    let _: utoipa::openapi::OpenApi = serde_json::from_str(&body).unwrap();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 10, "{all:?}");
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
    for field in [
        "referrals",
        "access",
        "caseload",
        "job_outcome_rate",
        "fidelity_caseload_score",
    ] {
        assert!(
            doc["components"]["schemas"]["Kpis"]["properties"][field].is_object(),
            "{field}"
        );
    }
}

#[tokio::test]
async fn scripts_use_bearer_tokens_within_the_same_scope() {
    let w = world().await;
    let manager = w.store.issue_token("manager", 30, "admin").await.unwrap();
    let es1 = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let bearer = |path: &str, token: &str| {
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, body) =
        send(&w.app, bearer("/api/v1/report?period=2024/25-Q3", &manager)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("ipstrack-report/1"));
    let (status, _, _) = send(&w.app, bearer("/api/v1/report", &es1)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the service report is for managers"
    );
    let (status, _, body) = send(
        &w.app,
        bearer(&format!("/api/v1/referrals/{}", w.es1_referral), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let doc: ipstrack_core::bundle::ReferralDoc = serde_json::from_str(&body).unwrap();
    assert_eq!(doc.id, w.es1_referral);
    let (status, _, _) = send(
        &w.app,
        bearer(&format!("/api/v1/referrals/{}", w.es3_referral), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&w.app, bearer("/api/v1/report", "forged")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
