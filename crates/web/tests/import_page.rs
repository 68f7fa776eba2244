//! The spreadsheet upload page: who may use it, the preview with its
//! problems, nothing written before the confirmation, skipping accepted,
//! a team lead limited to their team, the audit log.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use ipstrack_core::Day;
use ipstrack_store::{AuditFilter, Role, Store};
use ipstrack_web::{Config, app};
use tower::ServiceExt;

const PASSWORD: &str = "correct horse battery";

async fn world() -> (Router, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("web.sqlite").to_str().unwrap())
        .await
        .unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/examples/random-101.bundle.json"),
    )
    .unwrap();
    store
        .import(
            &ipstrack_core::bundle::parse_document(&text).unwrap(),
            "setup",
        )
        .await
        .unwrap();
    for (user, role, staff) in [
        ("es1", Role::Es, Some("es1")),
        ("lead1", Role::TeamLead, Some("lead1")),
        ("manager", Role::Manager, None),
    ] {
        store
            .add_user(user, PASSWORD, role, staff, "setup")
            .await
            .unwrap();
    }
    let app = app(
        store.clone(),
        Config {
            secure_cookies: false,
            today: Some(Day::parse("2025-01-15").unwrap()),
        },
    )
    .await
    .unwrap();
    (app, store, dir)
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post_form(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
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

async fn sign_in(app: &Router, user: &str) -> (String, String) {
    let response = app.clone().oneshot(get("/sign-in", "")).await.unwrap();
    let pre = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let token = hidden(std::str::from_utf8(&body).unwrap(), "csrf");
    let form = format!(
        "username={user}&password={}&csrf={token}",
        PASSWORD.replace(' ', "+")
    );
    let response = app
        .clone()
        .oneshot(post_form("/sign-in", &pre, &form))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = response.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, page) = send(app, get("/import", &session)).await;
    let csrf = if page.contains("name=\"csrf\"") {
        hidden(&page, "csrf")
    } else {
        let (_, page) = send(app, get("/caseload", &session)).await;
        hidden(&page, "csrf")
    };
    (session, csrf)
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
    let (app, _store, _dir) = world().await;
    let (session, csrf) = sign_in(&app, "es1").await;
    let (status, _) = send(&app, get("/import", &session)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(&app, upload(&session, &csrf, "x.csv", TWO_TEAMS)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let form = format!("csrf={csrf}&upload=x&fingerprint=y");
    let (status, _) = send(&app, post_form("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let (app, store, _dir) = world().await;
    let (session, _) = sign_in(&app, "manager").await;
    let before = referral_ids(&store).await;
    let (status, _) = send(&app, upload(&session, "forged", "x.csv", TWO_TEAMS)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(referral_ids(&store).await, before);
}

#[tokio::test]
async fn a_team_lead_sees_the_problems_and_nothing_is_written_until_skipping_is_accepted() {
    let (app, store, _dir) = world().await;
    let (session, csrf) = sign_in(&app, "lead1").await;
    let (status, page) = send(&app, get("/import", &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("enctype=\"multipart/form-data\""));
    let before = referral_ids(&store).await;

    let (status, page) = send(&app, upload(&session, &csrf, "team.csv", TWO_TEAMS)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("1 problems") || page.contains("1 problem"),
        "{page}"
    );
    assert!(
        page.contains("names specialist es1, who is not in your team (t1)"),
        "{page}"
    );
    assert!(
        page.contains("<td>3</td>"),
        "the row of the problem: {page}"
    );
    assert_eq!(
        referral_ids(&store).await,
        before,
        "a preview writes nothing"
    );

    // Confirming without accepting the skip writes nothing either.
    let upload_token = hidden(&page, "upload");
    let fingerprint = hidden(&page, "fingerprint");
    let form = format!("csrf={csrf}&upload={upload_token}&fingerprint={fingerprint}");
    let (status, page) = send(&app, post_form("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Nothing was written"), "{page}");
    assert_eq!(referral_ids(&store).await, before);

    // Accepting: the clean row is imported, the other left out.
    let form = format!("{form}&accept=yes");
    let (status, page) = send(&app, post_form("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Referrals: 1 created"), "{page}");
    let after = referral_ids(&store).await;
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
    let (_, team) = send(&app, get("/team", &session)).await;
    assert!(team.contains("Specialist 3"));

    // An upload is used once.
    let (status, _) = send(&app, post_form("/import/confirm", &session, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_clean_file_is_imported_and_an_upload_is_only_its_senders() {
    let (app, store, _dir) = world().await;
    let (manager, csrf) = sign_in(&app, "manager").await;
    let (lead, lead_csrf) = sign_in(&app, "lead1").await;
    let (_, page) = send(&app, upload(&manager, &csrf, "team.csv", TWO_TEAMS)).await;
    assert!(page.contains("No problems found."), "{page}");
    let upload_token = hidden(&page, "upload");
    let fingerprint = hidden(&page, "fingerprint");
    // Someone else cannot confirm it.
    let form = format!("csrf={lead_csrf}&upload={upload_token}&fingerprint={fingerprint}");
    let (status, page) = send(&app, post_form("/import/confirm", &lead, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("expired"), "{page}");
    // A preview made on other data is checked again.
    let form = format!("csrf={csrf}&upload={upload_token}&fingerprint=0000");
    let (status, page) = send(&app, post_form("/import/confirm", &manager, &form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The data changed since the preview"),
        "{page}"
    );
    let form = format!("csrf={csrf}&upload={upload_token}&fingerprint={fingerprint}");
    let (status, page) = send(&app, post_form("/import/confirm", &manager, &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Referrals: 2 created"), "{page}");
    let ids = referral_ids(&store).await;
    assert!(ids.contains(&"new2-2024-12-03".to_string()));
}

#[tokio::test]
async fn a_file_that_is_not_a_spreadsheet_is_refused_with_a_message() {
    let (app, _store, _dir) = world().await;
    let (session, csrf) = sign_in(&app, "manager").await;
    let (status, page) = send(&app, upload(&session, &csrf, "notes.xlsx", "hello")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("notes.xlsx: not a spreadsheet workbook"),
        "{page}"
    );
}
