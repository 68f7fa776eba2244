//! Issue 11, hostile requests about scope and privacy: another team's records
//! are neither shown nor named, looked up or attached to, and every look is
//! audited.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ipstrack_core::bundle::BundleDoc;
use ipstrack_store::{AuditFilter, Store};
use std::time::Duration;

// ---------------------------------------------------------------------------
// Scope and privacy
// ---------------------------------------------------------------------------

/// The team of a specialist.
fn team_of<'a>(doc: &'a BundleDoc, es: &str) -> Option<&'a str> {
    doc.staff
        .iter()
        .find(|s| s.id == es)
        .map(|s| s.team.as_str())
}

/// A stored client all of whose referrals are outside `team`.
fn client_of_another_team(doc: &BundleDoc, team: &str) -> String {
    doc.clients
        .iter()
        .find(|c| {
            let mut referrals = doc.referrals.iter().filter(|r| r.client == c.id).peekable();
            referrals.peek().is_some()
                && referrals.all(|r| {
                    r.es.iter()
                        .chain(r.transfers.iter().flatten().map(|t| &t.es))
                        .all(|es| team_of(doc, es) != Some(team))
                })
        })
        .map(|c| c.id.clone())
        .expect("the example has clients of both teams")
}

/// `YYYY-MM-DD` as a spreadsheet shows it (`DD/MM/YYYY`).
fn uk(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", parts[2], parts[1], parts[0])
}

/// Gives a client of another team than `team` a valid NHS number, and a new
/// server that knows it: (the client, the number, the server).
async fn with_nhs_number_elsewhere(w: &World, team: &str) -> (String, String, Router) {
    let mut doc = w.store.export().await.unwrap();
    let other = client_of_another_team(&doc, team);
    let nhs = "9434765919".to_string();
    for c in doc.clients.iter_mut().filter(|c| c.id == other) {
        c.nhs_number = Some(nhs.clone());
    }
    w.store.import(&doc, "setup").await.unwrap();
    (other, nhs, app_on(&w.store).await)
}

fn csv_upload(cookie: &str, csrf: &str, csv: &str) -> Request<Body> {
    let body = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rows.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--X--\r\n"
    );
    Request::post("/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
        .body(Body::from(body))
        .unwrap()
}

/// The out-of-scope entries once written, a row of `count` repeats given
/// `count` times (`new_value` without its count).
/// The out-of-scope entry of es1's request that matched the `record_type`
/// record `id` of another team by `matched_by`, as [`out_of_scope_entries`]
/// lists it.
fn es1_matched(record_type: &str, id: &str, matched_by: &str) -> (String, String, String, String) {
    let how = format!(r#"{{"matched_by":"{matched_by}"}}"#);
    ("es1".into(), record_type.into(), id.into(), how)
}

async fn out_of_scope_entries(store: &Store) -> Vec<(String, String, String, String)> {
    store.flush_audit().await;
    store
        .audit(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "out-of-scope")
        .flat_map(|e| {
            let mut value: serde_json::Value =
                serde_json::from_str(e.new_value.as_deref().unwrap_or("{}")).unwrap();
            let count = value["count"].as_u64().unwrap_or(1);
            value.as_object_mut().unwrap().remove("count");
            let entry = (e.actor, e.record_type, e.record_id, value.to_string());
            std::iter::repeat_n(entry, count as usize)
        })
        .collect()
}

#[tokio::test]
async fn an_out_of_scope_lookup_is_answered_while_the_audit_writer_is_stopped() {
    let (w, es1, _) = world_signed_in("es1").await;
    let theirs = format!("/referrals/{}", w.es3_referral);
    // The first lookup starts the writer; then it is stopped inside a write.
    let (status, _, _) = send(&w.app, get(&theirs, &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let held = w.store.hold_audit_writer().await;
    let flushing = {
        let store = w.store.clone();
        tokio::spawn(async move { store.flush_audit().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Answered with the entry still to be written, as a referral that does
    // not exist is (no entry at all): the same answer.
    let (status, _, page) =
        tokio::time::timeout(Duration::from_secs(10), send(&w.app, get(&theirs, &es1)))
            .await
            .expect("answered without waiting for the audit log");
    let (none_status, _, none_page) = send(&w.app, get("/referrals/r-none", &es1)).await;
    assert_eq!(
        (status, page.replace(&w.es3_referral, "r-none")),
        (none_status, none_page)
    );
    drop(held);
    flushing.await.unwrap();
    let entries = out_of_scope_entries(&w.store).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
}

#[tokio::test]
async fn a_team_leads_import_naming_another_teams_client_is_refused_without_confirming_it() {
    let w = world().await;
    let before = w.store.export().await.unwrap();
    let other = client_of_another_team(&before, "t1");
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    // A new referral for es3 (lead1's team), for another team's client.
    let csv = format!(
        "Client ID,Referral date,Employment status at referral,Employment specialist\n\
         {other},02/12/2024,Unemployed,Specialist 3\n"
    );
    let (status, _, page) = send(&w.app, csv_upload(&session, &csrf, &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(
        &page,
        &format!(
            "client id {other} cannot be used in your import: check it, or ask a manager if this person is already known to the service"
        ),
    );
    hides(&page, "another team");
    assert!(!page.contains("es1") && !page.contains("es2"), "{page}");
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![(
            "lead1".to_string(),
            "client".to_string(),
            other.clone(),
            r#"{"matched_by":"id"}"#.to_string()
        )]
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

#[tokio::test]
async fn a_team_leads_import_with_another_teams_nhs_number_is_not_refused_nor_names_the_client() {
    let mut w = world().await;
    let (other, nhs, app) = with_nhs_number_elsewhere(&w, "t1").await;
    w.app = app;
    let before = w.store.export().await.unwrap();
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let csv = format!(
        "Client ID,NHS number,Referral date,Employment status at referral,Employment specialist\n\
         brandnew,{nhs},02/12/2024,Unemployed,Specialist 3\n"
    );
    let (status, _, page) = send(&w.app, csv_upload(&session, &csrf, &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Not refused (that would tell): the new client will be kept as a
    // possible duplicate of the other team's, for a manager (issue 21).
    hides(&page, "cannot be used");
    assert!(
        !page.contains(&format!(">{other}<")) && !page.contains(&format!("client {other}")),
        "{page}"
    );
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![(
            "lead1".to_string(),
            "client".to_string(),
            other,
            r#"{"matched_by":"nhs_number"}"#.to_string()
        )]
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

#[tokio::test]
async fn a_team_leads_import_of_another_teams_referral_does_not_name_its_specialist() {
    let w = world().await;
    let before = w.store.export().await.unwrap();
    let (session, csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    // es1's referral (team t2), sent as if it were es3's.
    let theirs = before
        .referrals
        .iter()
        .find(|r| r.id == w.es1_referral)
        .unwrap();
    let csv = format!(
        "Referral ID,Client ID,Referral date,Employment status at referral,Employment specialist\n\
         {},{},{},Unemployed,Specialist 3\n",
        theirs.id,
        theirs.client,
        uk(&theirs.received)
    );
    let (status, _, page) = send(&w.app, csv_upload(&session, &csrf, &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(
        &page,
        &format!("referral id {} cannot be used in your import", theirs.id),
    );
    assert!(
        !page.contains("another team") && !page.contains("es1"),
        "{page}"
    );
    let entries = out_of_scope_entries(&w.store).await;
    assert!(
        entries.contains(&(
            "lead1".to_string(),
            "referral".to_string(),
            theirs.id.clone(),
            r#"{"matched_by":"id"}"#.to_string()
        )),
        "{entries:?}"
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}

#[tokio::test]
async fn opening_another_teams_referral_is_written_to_the_audit_log() {
    let (w, es1, _) = world_signed_in("es1").await;
    let (status, _, page) =
        send(&w.app, get(&format!("/referrals/{}", w.es3_referral), &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    hides(&page, &w.es3_referral);
    let (status, _, _) = send(
        &w.app,
        get(&format!("/api/v1/referrals/{}", w.es3_referral), &es1),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A referral that does not exist matches nothing: nothing to log.
    let (status, _, _) = send(&w.app, get("/referrals/r-none", &es1)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let entry = es1_matched("referral", &w.es3_referral, "id");
    assert_eq!(
        out_of_scope_entries(&w.store).await,
        vec![entry.clone(), entry]
    );
}

/// The new-referral form of `session`, filled with `client` and `nhs`.
async fn new_referral(w: &World, session: &str, client: &str, nhs: &str) -> (StatusCode, String) {
    let (_, _, page) = send(&w.app, get("/referrals/new", session)).await;
    let csrf = hidden_csrf(&page);
    let once = hidden_value(&page, "once").unwrap_or_default();
    let form = format!(
        "csrf={csrf}&once={once}&client={client}&given_name=Amira&family_name=Khan&nhs_number={nhs}&received=2025-01-10&status_at_referral=unemployed&es=es1"
    );
    let (status, _, page) = submit(w, "/referrals/new", session, &form).await;
    (status, page)
}

#[tokio::test]
async fn an_es_cannot_attach_a_referral_to_another_teams_client_nor_tell_it_exists() {
    let w = world().await;
    let before = w.store.export().await.unwrap();
    let other = client_of_another_team(&before, "t2");
    let es1 = session_of(&w, "es1").await;
    let (status, taken) = new_referral(&w, &es1, &other, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{taken}");
    let (status, absent) = new_referral(&w, &es1, "c-none-such", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{absent}");
    let message = "There is no such client in your caseloads: leave it empty for a new person";
    assert!(
        taken.contains(message) && absent.contains(message),
        "{taken}"
    );
    assert_eq!(w.store.export().await.unwrap(), before);
    let entry = es1_matched("client", &other, "id");
    assert_eq!(out_of_scope_entries(&w.store).await, vec![entry]);
}

/// The client a new referral made (the newest client), as stored.
async fn newest_client(w: &World) -> ipstrack_core::bundle::ClientDoc {
    w.store.export().await.unwrap().clients.pop().unwrap()
}

#[tokio::test]
async fn another_teams_nhs_number_on_a_new_person_is_answered_as_any_new_persons_and_kept_for_a_manager()
 {
    let mut w = world().await;
    let (other, nhs, app) = with_nhs_number_elsewhere(&w, "t2").await;
    w.app = app;
    let es1 = session_of(&w, "es1").await;
    // A number nobody has, then another team's client's: the same answer —
    // saved, to the new referral's page — never a refusal that tells.
    let (fresh_status, fresh) = new_referral(&w, &es1, "", "4010232137").await;
    assert_eq!(fresh_status, StatusCode::SEE_OTHER, "{fresh}");
    let fresh_client = newest_client(&w).await;
    assert_eq!(fresh_client.possible_duplicate_of, None);
    let (status, page) = new_referral(&w, &es1, "", &nhs).await;
    assert_eq!(status, fresh_status, "{page}");
    assert_eq!(page, fresh, "the same (empty) body: a redirect");
    hides(&page, &other);
    // Kept apart, as a possible duplicate of the known client, for a manager.
    let kept = newest_client(&w).await;
    assert_eq!(kept.nhs_number.as_deref(), Some(nhs.as_str()));
    assert_eq!(kept.possible_duplicate_of.as_deref(), Some(other.as_str()));
    w.store.load().await.expect("the database loads");
    assert!(w.store.integrity_check().await.unwrap().is_empty());
    let entry = es1_matched("client", &other, "nhs_number");
    assert_eq!(out_of_scope_entries(&w.store).await, vec![entry]);
}

#[tokio::test]
async fn the_new_referral_form_names_a_client_of_ones_own_with_the_nhs_number() {
    let mut w = world().await;
    w.app = app_on(&w.store).await;
    let es1 = session_of(&w, "es1").await;
    // One of es1's own clients' NHS number: named, to add the referral to them.
    let loaded = w.store.load().await.unwrap();
    let d = &loaded.dataset;
    let es1_idx = d.staff.iter().position(|s| s.id == "es1").unwrap() as u32;
    let own = d
        .referrals
        .iter()
        .find(|r| {
            ipstrack_core::attribution::assigned_on(r, today(), today())
                == Some(ipstrack_core::model::StaffIdx(es1_idx))
        })
        .map(|r| d.client(r.client).id.clone())
        .unwrap();
    let mut doc = w.store.export().await.unwrap();
    for c in doc.clients.iter_mut().filter(|c| c.id == own) {
        c.nhs_number = Some("4010232137".into());
    }
    w.store.import(&doc, "setup").await.unwrap();
    let before = w.store.export().await.unwrap();
    w.app = app_on(&w.store).await;
    let (status, page) = new_referral(&w, &es1, "", "4010232137").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    shows(
        &page,
        &format!("enter {own} as the client to add a referral"),
    );
    assert_eq!(w.store.export().await.unwrap(), before);
}
