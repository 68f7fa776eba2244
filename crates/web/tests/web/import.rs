//! The spreadsheet upload page: who may use it, the preview with its
//! problems, nothing written before the confirmation, skipping accepted,
//! a team lead limited to their team, the audit log.

use crate::common::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ipstrack_store::{AuditFilter, Store};

/// A request's status and page.
async fn fetch(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let (status, _, body) = send(app, request).await;
    (status, body)
}

/// A multipart upload of one CSV file.
fn upload(cookie: &str, csrf: &str, file_name: &str, csv: &str) -> Request<Body> {
    let boundary = "XipstrackBoundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    Request::post("/import")
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    body[at..].split('"').next().unwrap().to_string()
}

/// es3 is in team t1 (lead1's), es1 in team t2.
const TWO_TEAMS: &str = "Client ID,Referral date,Employment status at referral,Employment specialist\n\
                         new1,02/12/2024,Unemployed,Specialist 3\n\
                         new2,03/12/2024,Unemployed,Specialist 1\n";

async fn referral_ids(store: &Store) -> Vec<String> {
    store
        .export()
        .await
        .unwrap()
        .referrals
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[tokio::test]
async fn an_es_cannot_import() {
    let (w, session, csrf) = world_signed_in("es1").await;
    let app = &w.app;
    let (status, _) = fetch(app, get("/import", &session)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = fetch(app, upload(&session, &csrf, "x.csv", TWO_TEAMS)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = format!("csrf={csrf}&upload=x&fingerprint=y");
    let (status, _) = fetch(app, post("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let (w, session, _) = world_signed_in("manager").await;
    let (app, store) = (&w.app, &w.store);
    let before = referral_ids(store).await;
    let (status, _) = fetch(app, upload(&session, "forged", "x.csv", TWO_TEAMS)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(referral_ids(store).await, before);
}

#[tokio::test]
async fn a_team_lead_sees_the_problems_and_nothing_is_written_until_skipping_is_accepted() {
    let (w, session, csrf) = world_signed_in("lead1").await;
    let (app, store) = (&w.app, &w.store);
    let (status, page) = fetch(app, get("/import", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("enctype=\"multipart/form-data\""));
    let before = referral_ids(store).await;

    let (status, page) = fetch(app, upload(&session, &csrf, "team.csv", TWO_TEAMS)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("1 problems") || page.contains("1 problem"),
        "{page}"
    );
    shows(&page, "names specialist es1, who is not in your team (t1)");
    assert!(
        page.contains("<td>3</td>"),
        "the row of the problem: {page}"
    );
    assert_eq!(
        referral_ids(store).await,
        before,
        "a preview writes nothing"
    );

    // Confirming without accepting the skip writes nothing either.
    let upload_token = hidden(&page, "upload");
    let fingerprint = hidden(&page, "fingerprint");
    let form = format!("csrf={csrf}&upload={upload_token}&fingerprint={fingerprint}");
    let (status, page) = fetch(app, post("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "Nothing was written");
    assert_eq!(referral_ids(store).await, before);

    // Accepting: the clean row is imported, the other left out.
    let form = format!("{form}&accept=yes");
    let (status, page) = fetch(app, post("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "Referrals: 1 created");
    let after = referral_ids(store).await;
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&"new1-2024-12-02".to_string()));
    let audit = store
        .audit(&AuditFilter {
            record: Some("new1-2024-12-02".into()),
            since: None,
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "lead1");
    // The team dashboard sees it at once (a new snapshot).
    let (_, team) = fetch(app, get("/team", &session)).await;
    assert!(team.contains("Specialist 3"));

    // An upload is used once.
    let (status, _) = fetch(app, post("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_clean_file_is_imported_and_an_upload_is_only_its_senders() {
    let (w, manager, csrf) = world_signed_in("manager").await;
    let (app, store) = (&w.app, &w.store);
    let (lead, lead_csrf) = sign_in(&w, "lead1", PASSWORD).await.unwrap();
    let (_, page) = fetch(app, upload(&manager, &csrf, "team.csv", TWO_TEAMS)).await;
    shows(&page, "No problems found.");
    let upload_token = hidden(&page, "upload");
    let fingerprint = hidden(&page, "fingerprint");
    // Someone else cannot confirm it.
    let form = format!("csrf={lead_csrf}&upload={upload_token}&fingerprint={fingerprint}");
    let (status, page) = fetch(app, post("/import/confirm", &lead, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "expired");
    // A preview made on other data is checked again.
    let form = format!("csrf={csrf}&upload={upload_token}&fingerprint=0000");
    let (status, page) = fetch(app, post("/import/confirm", &manager, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "The data changed since the preview");
    let form = format!("csrf={csrf}&upload={upload_token}&fingerprint={fingerprint}");
    let (status, page) = fetch(app, post("/import/confirm", &manager, &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "Referrals: 2 created");
    let ids = referral_ids(store).await;
    assert!(ids.contains(&"new2-2024-12-03".to_string()));
}

#[tokio::test]
async fn a_file_that_is_not_a_spreadsheet_is_refused_with_a_message() {
    let (w, session, csrf) = world_signed_in("manager").await;
    let app = &w.app;
    let (status, page) = fetch(app, upload(&session, &csrf, "notes.xlsx", "hello")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "notes.xlsx: not a spreadsheet workbook");
}

#[tokio::test]
async fn a_file_over_the_spreadsheet_limits_answers_413_with_the_limit_on_the_page() {
    let (w, session, csrf) = world_signed_in("manager").await;
    let (app, store) = (&w.app, &w.store);
    let before = referral_ids(store).await;
    let csv = "x\n".repeat(100_001);
    let (status, page) = fetch(app, upload(&session, &csrf, "rows.csv", &csv)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    shows(
        &page,
        "has more than 100,000 rows: ipstrack reads at most 100,000 rows per sheet",
    );
    assert!(
        page.contains("enctype=\"multipart/form-data\""),
        "the form again"
    );
    assert_eq!(referral_ids(store).await, before);
}

#[tokio::test]
async fn an_upload_over_the_size_limit_answers_413_and_a_file_not_a_spreadsheet_422() {
    let (w, session, csrf) = world_signed_in("manager").await;
    let app = &w.app;
    let csv = "x".repeat(32 * 1024 * 1024 + 1);
    let (status, _) = fetch(app, upload(&session, &csrf, "big.csv", &csv)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, page) = fetch(app, upload(&session, &csrf, "notes.xlsx", "hello")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    shows(&page, "not a spreadsheet workbook");
}

/// A contacts CSV for `referral`: its `contacts` (date, kind) as rows.
fn contacts_csv(referral: &str, contacts: &[ipstrack_core::bundle::ContactDoc]) -> String {
    let kind = |k: &str| match k {
        "face_to_face" => "Face to face",
        "remote" => "Remote",
        "in_work_support" => "In-work support",
        _ => "Assertive engagement",
    };
    let mut csv = "Referral ID,Contact date,Contact type\n".to_string();
    for c in contacts {
        let d = ipstrack_core::Day::parse(&c.date).unwrap().date();
        csv.push_str(&format!(
            "{referral},{:02}/{:02}/{},{}\n",
            d.day(),
            d.month(),
            d.year(),
            kind(&c.kind)
        ));
    }
    csv
}

#[tokio::test]
async fn a_contact_recorded_after_the_preview_is_kept_and_the_import_refused_naming_the_person() {
    let w = world().await;
    // A referral of es3's with contacts, none after today (a file's dates
    // after today are refused), still open.
    let today = today().to_string();
    let referral = w
        .store
        .export()
        .await
        .unwrap()
        .referrals
        .into_iter()
        .find(|r| {
            let contacts = r.contacts.as_deref().unwrap_or_default();
            r.es.as_deref() == Some("es3")
                && r.transfers.as_deref().unwrap_or_default().is_empty()
                && r.discharge.is_none()
                && contacts.len() >= 2
                && contacts.iter().all(|c| c.date <= today)
        })
        .expect("a referral of es3 with contacts")
        .id;
    // The person has a name: pages name them by it.
    let stored = saved_referral(&w, &referral).await;
    let mut named = w.store.export().await.unwrap();
    let mut client = stored.client.clone();
    client.given_name = Some("Amira".into());
    client.family_name = Some("Khan".into());
    named.clients = vec![client];
    named.referrals.clear();
    named.employer_contacts.clear();
    w.store.import(&named, "setup").await.unwrap();
    let w = World {
        app: app_on(&w.store).await,
        ..w
    };
    let app = &w.app;
    let (manager, csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();

    // A file that keeps only the first contact: the preview says what it removes.
    let contacts = stored.referral.contacts.clone().unwrap_or_default();
    assert!(contacts.len() >= 2, "{contacts:?}");
    let fewer = contacts_csv(&referral, &contacts[..1]);
    let (status, page) = fetch(app, upload(&manager, &csrf, "fewer.csv", &fewer)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "Amira Khan");
    shows(
        &page,
        &format!("importing removes {} contact", contacts.len() - 1),
    );

    // A file that adds a contact recorded on paper: previewed, clean.
    let mut more = contacts.clone();
    more.push(ipstrack_core::bundle::ContactDoc {
        date: "2025-01-15".into(),
        kind: "remote".into(),
        ..Default::default()
    });
    let csv = contacts_csv(&referral, &more);
    let (status, page) = fetch(app, upload(&manager, &csrf, "contacts.csv", &csv)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shows(&page, "No problems found.");
    let form = format!(
        "csrf={csrf}&upload={}&fingerprint={}",
        hidden(&page, "upload"),
        hidden(&page, "fingerprint")
    );

    // Meanwhile the ES records a contact through the referral page.
    let (es3, es3_csrf) = sign_in(&w, "es3", PASSWORD).await.unwrap();
    let contact = format!("csrf={es3_csrf}&date=2025-01-15&kind=face_to_face");
    let (status, _, body) = send(
        app,
        post(&format!("/referrals/{referral}/contacts"), &es3, &contact),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let recorded = w.store.contact_count(&referral).await.unwrap();
    assert_eq!(recorded as usize, contacts.len() + 1);

    // The confirmation is refused, naming the person; the contact is kept.
    let (status, page) = fetch(app, post("/import/confirm", &manager, &form)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    shows_all(
        &page,
        &[
            "Nothing was written",
            "Amira Khan",
            "changed since the preview",
            "importing would remove 1 contact.",
            "upload the file again",
        ],
    );
    assert_eq!(w.store.contact_count(&referral).await.unwrap(), recorded);
}
