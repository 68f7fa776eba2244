//! Finding a person from the header (issue 13): by name, NHS number or
//! referral id, within the user's scope only; another team's record found
//! by an id is answered as no match and audited; searches are bounded.

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_store::AuditFilter;

#[tokio::test]
async fn a_person_is_found_by_name_nhs_number_or_referral_id() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    let referral = es3_refers_amira(&w, &es3, &csrf, "2025-01-10").await;
    let id = referral.rsplit('/').next().unwrap();
    let client = saved_referral(&w, id).await.client.id;
    for q in [
        "amira",
        "KHAN",
        "ami+kha",
        "943+476+5919",
        id,
        client.as_str(),
    ] {
        let page = ok_page(&w, &format!("/search?q={q}"), &es3).await;
        shows(&page, &format!("href=\"{referral}\">Amira Khan</a>"));
    }
    let page = ok_page(&w, "/search?q=nobody+called+this", &es3).await;
    shows(&page, "No one in your caseloads matches");
    // Every page's header offers the search.
    shows(&ok_page(&w, "/caseload", &es3).await, "action=\"/search\"");
}

#[tokio::test]
async fn another_teams_person_is_not_found_and_the_lookup_is_audited() {
    let (w, es3, csrf) = world_signed_in("es3").await;
    es3_refers_amira(&w, &es3, &csrf, "2025-01-10").await;
    let es1 = session_of(&w, "es1").await;
    for q in ["amira", "9434765919", w.es3_referral.as_str()] {
        let page = ok_page(&w, &format!("/search?q={q}"), &es1).await;
        shows(&page, "No one in your caseloads matches");
        hides(&page, "Khan");
    }
    w.store.flush_audit().await;
    let audit = w.store.audit(&AuditFilter::default()).await.unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "out-of-scope" && e.actor == "es1")
        .map(|e| e.new_value.clone().unwrap_or_default())
        .collect();
    // By NHS number and by id; a name is not an identifier.
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused[0].contains("nhs_number") && refused[1].contains("\"id\""),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_search_longer_than_100_characters_is_refused() {
    let (w, es3, _) = world_signed_in("es3").await;
    let q = "a".repeat(101);
    let (status, _, page) = send(&w.app, get(&format!("/search?q={q}"), &es3)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    shows(&page, "at most 100 characters");
}
