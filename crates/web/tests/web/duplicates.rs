//! People entered twice (issue 21): a new person entered with another
//! team's client's NHS number is kept apart as a possible duplicate; only
//! managers see the pairs, and merge them into the known person.

use axum::http::StatusCode;

use crate::common::*;

/// es3 (team t1) enters a new person with the NHS number es1's client
/// (team t2) has: (the known client's id, the kept client's id, es3's new
/// referral).
async fn entered_twice(w: &World) -> (String, String, String) {
    let known = saved_referral(w, &w.es1_referral).await.client;
    let mut client = known.clone();
    client.nhs_number = Some("9434765919".into());
    let seen = ipstrack_store::client_fingerprint(&known);
    w.store
        .update_client(&w.es1_referral, &client, &seen, "setup")
        .await
        .unwrap();
    let app = app_on(&w.store).await;
    let (es3, csrf) = sign_in(w, "es3", PASSWORD).await.unwrap();
    let form = format!(
        "csrf={csrf}&client=&given_name=Ola&family_name=Nowak&nhs_number=9434765919\
         &received=2025-01-10&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, _) = send(&app, crate::common::post("/referrals/new", &es3, &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let referral = location(&headers)
        .trim_start_matches("/referrals/")
        .to_string();
    let kept = saved_referral(w, &referral).await.client;
    assert_eq!(kept.possible_duplicate_of.as_ref(), Some(&known.id));
    (known.id, kept.id, referral)
}

const LIST: &str = "/data-quality/people-entered-twice";

#[tokio::test]
async fn only_managers_see_people_entered_twice() {
    let mut w = world().await;
    let (_, kept, _) = entered_twice(&w).await;
    w.app = app_on(&w.store).await;
    for user in ["es1", "es3", "lead1"] {
        let session = session_of(&w, user).await;
        for path in [LIST.to_string(), format!("{LIST}/{kept}")] {
            let (status, _, _) = send(&w.app, get(&path, &session)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{user} {path}");
        }
        let (status, _, page) = send(&w.app, get("/data-quality", &session)).await;
        if status == StatusCode::OK {
            hides(&page, "entered twice");
        }
    }
    let manager = session_of(&w, "manager").await;
    shows(
        &ok_page(&w, "/data-quality", &manager).await,
        "1 person may have been entered twice",
    );
    let page = ok_page(&w, LIST, &manager).await;
    shows(&page, "Ola Nowak");
    let page = ok_page(&w, &format!("{LIST}/{kept}"), &manager).await;
    shows(&page, "Are these one person?");
    shows(&page, "They are one person: merge");
}

#[tokio::test]
async fn a_manager_merges_a_person_entered_twice_into_the_known_one() {
    let mut w = world().await;
    let (known, kept, referral) = entered_twice(&w).await;
    w.app = app_on(&w.store).await;
    let (manager, csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    // Another user's form cannot merge (not theirs to know of).
    let (lead, lead_csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let path = format!("{LIST}/{kept}");
    let (status, _, _) = submit(&w, &path, &lead, &format!("csrf={lead_csrf}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, headers, _) = submit(&w, &path, &manager, &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), LIST);
    // es3's referral is now the known person's; the kept record is gone.
    let saved = saved_referral(&w, &referral).await;
    assert_eq!(saved.client.id, known);
    let all = w.store.export().await.unwrap();
    assert!(all.clients.iter().all(|c| c.id != kept));
    w.store.load().await.expect("the database loads");
    assert!(w.store.integrity_check().await.unwrap().is_empty());
    // Audited: the referral's client, and the merged record.
    w.store.flush_audit().await;
    let audit = w
        .store
        .audit(&ipstrack_store::AuditFilter::default())
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.action == "delete"
        && e.record_id == kept
        && e.new_value.as_deref().is_some_and(|v| v.contains(&known))
        && e.actor == "manager"));
    assert!(
        audit.iter().any(|e| e.record_type == "referral"
            && e.record_id == referral
            && e.actor == "manager")
    );
    // The list says so, and is empty; merging again finds nothing.
    let saved = header_value(&headers, "set-cookie").unwrap();
    let saved = saved.split(';').next().unwrap();
    let page = ok_page(&w, LIST, &format!("{manager}; {saved}")).await;
    shows(&page, "The two records are now one person");
    shows(&page, "Nobody is waiting to be checked");
    let (status, _, _) = submit(&w, &path, &manager, &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
