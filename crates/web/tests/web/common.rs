//! The web tests' shared world: a store with the random-101 example, users of
//! every role, the application on a fixed day, and requests through it.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use ipstrack_core::Day;
use ipstrack_core::attribution::assigned_on;
use ipstrack_store::{AuditEntry, AuditFilter, Role, Store};
use ipstrack_web::{Config, app};
use tower::ServiceExt;

#[path = "../../src/state/example_store.rs"]
mod example_store;
#[path = "../../../store/tests/common/postgres.rs"]
mod postgres;

pub const PASSWORD: &str = "correct horse battery";

pub struct World {
    pub app: Router,
    pub store: Store,
    /// A referral of es1 (team t2) and one of es3 (team t1) on `today`.
    pub es1_referral: String,
    pub es3_referral: String,
    pub _dir: tempfile::TempDir,
}

pub fn today() -> Day {
    Day::parse("2025-01-15").unwrap()
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.sqlite");
    let url = path.to_str().unwrap().to_string();
    world_on(&url, dir).await
}

/// A new, empty PostgreSQL database on the server `IPSTRACK_TEST_POSTGRES_URL`
/// names: (its URL, a guard that drops it). `None` when no server is named.
pub async fn postgres_database() -> Option<(String, PgDrop)> {
    let (url, admin, db) = postgres::new_database("ipstrack_web").await?;
    Some((url, PgDrop { admin, db }))
}

/// Drops a test's PostgreSQL database (call `drop_now` at the test's end).
pub struct PgDrop {
    admin: String,
    db: String,
}

impl PgDrop {
    pub async fn drop_now(self) {
        postgres::drop_database(&self.admin, &self.db).await;
    }
}

/// The world on the database at `url` (a SQLite file or PostgreSQL).
pub async fn world_on(url: &str, dir: tempfile::TempDir) -> World {
    let store = example_store::example_store(url).await;
    for (user, role, staff) in [
        ("es1", Role::Es, Some("es1")),
        ("es3", Role::Es, Some("es3")),
        ("lead1", Role::TeamLead, Some("lead1")),
        ("manager", Role::Manager, None),
        ("admin", Role::Admin, None),
    ] {
        store
            .add_user(user, PASSWORD, role, staff, "setup")
            .await
            .unwrap();
    }
    let loaded = store.load().await.unwrap();
    let d = &loaded.dataset;
    let of = |es: &str| {
        let idx =
            ipstrack_core::model::StaffIdx::at(d.staff.iter().position(|s| s.id == es).unwrap());
        d.referrals
            .iter()
            .find(|r| {
                r.received <= today()
                    && assigned_on(r, today(), today()) == Some(idx)
                    && r.discharge.as_ref().is_none_or(|x| x.date > today())
            })
            .unwrap()
            .id
            .clone()
    };
    let (es1_referral, es3_referral) = (of("es1"), of("es3"));
    let app = app_on(&store).await;
    World {
        app,
        store,
        es1_referral,
        es3_referral,
        _dir: dir,
    }
}

/// The application on `store`, on the fixed day (a server; a second one on
/// the same database is another server).
pub async fn app_on(store: &Store) -> Router {
    app(
        store.clone(),
        Config {
            secure_cookies: false,
            today: Some(today()),
            oidc: None,
        },
    )
    .await
    .unwrap()
}

pub async fn send_bytes(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

pub async fn send(
    app: &Router,
    request: Request<Body>,
) -> (StatusCode, Vec<(String, String)>, String) {
    let (status, headers, body) = send_bytes(app, request).await;
    (status, headers, String::from_utf8(body).unwrap())
}

pub fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

pub fn post(path: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

/// Posts the form `form` (url-encoded, its CSRF token in it) to `path` for
/// the session `cookie`: (status, headers, page).
pub async fn submit(
    w: &World,
    path: &str,
    cookie: &str,
    form: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    send(&w.app, post(path, cookie, form)).await
}

pub fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// The `Location` of a redirect (empty when there is none).
pub fn location(headers: &[(String, String)]) -> String {
    header_value(headers, "location").unwrap_or_default()
}

/// The cookie a save sets to say so on the next page.
pub fn saved_cookie(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("ipstrack_saved="))
        .expect("a saved message")
}

/// The page a save redirected to, opened by `session` with the message the
/// save left (which must be answered 200).
pub async fn saved_page(w: &World, headers: &[(String, String)], session: &str) -> String {
    let saved = saved_cookie(headers);
    ok_page(w, &location(headers), &format!("{session}; {saved}")).await
}

pub fn hidden_csrf(body: &str) -> String {
    let at =
        body.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    body[at..at + 64].to_string()
}

/// The value of the first hidden field `name` on `page`, if there is one.
pub fn hidden_value(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker)? + marker.len();
    page[at..].split('"').next().map(str::to_string)
}

/// The version the edit form on `page` sends.
pub fn version_of(page: &str) -> String {
    hidden_value(page, "version").expect("a version")
}

/// The referral `id` as stored, with its client and version.
pub async fn saved_referral(w: &World, id: &str) -> ipstrack_store::Saved {
    w.store.referral(id).await.unwrap().unwrap()
}

/// The page at `path` for `cookie`, asked again for up to 3 s until it shows
/// `text` (a change another connection made); the last one asked.
pub async fn ok_page_once_it_shows(w: &World, path: &str, cookie: &str, text: &str) -> String {
    let mut page = ok_page(w, path, cookie).await;
    for _ in 0..60 {
        if page.contains(text) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = ok_page(w, path, cookie).await;
    }
    page
}

/// Posts the sign-in form, from `ip` when given (as the server tells the
/// peer's address): (status, headers, page).
async fn post_sign_in(
    w: &World,
    user: &str,
    password: &str,
    ip: Option<&str>,
) -> (StatusCode, Vec<(String, String)>, String) {
    let (_, headers, body) = send(&w.app, get("/sign-in", "")).await;
    let cookie = header_value(&headers, "set-cookie").unwrap();
    let pre = cookie.split(';').next().unwrap().to_string();
    let form = format!(
        "username={user}&password={}&csrf={}",
        password.replace(' ', "+"),
        hidden_csrf(&body)
    );
    let mut request = post("/sign-in", &pre, &form);
    if let Some(ip) = ip {
        let addr = std::net::SocketAddr::new(ip.parse().unwrap(), 40000);
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(addr));
    }
    send(&w.app, request).await
}

/// The session cookie (`name=value`) a sign-in set.
fn session_cookie(headers: &[(String, String)]) -> String {
    let session = header_value(headers, "set-cookie").unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    session.split(';').next().unwrap().to_string()
}

/// Signs in through the form; returns (session cookie, CSRF token of the session).
pub async fn sign_in(w: &World, user: &str, password: &str) -> Option<(String, String)> {
    let (status, headers, _) = post_sign_in(w, user, password, None).await;
    if status != StatusCode::SEE_OTHER {
        return None;
    }
    let session = session_cookie(&headers);
    // Every signed-in page carries the session's CSRF token (the sign-out form).
    let (_, _, page) = send(&w.app, get("/caseload", &session)).await;
    Some((session, hidden_csrf(&page)))
}

/// Signs in from `ip`: (status, page, session cookie if signed in).
pub async fn sign_in_from(
    w: &World,
    user: &str,
    password: &str,
    ip: &str,
) -> (StatusCode, String, Option<String>) {
    let (status, headers, body) = post_sign_in(w, user, password, Some(ip)).await;
    let session = (status == StatusCode::SEE_OTHER).then(|| session_cookie(&headers));
    (status, body, session)
}

/// Fails, showing the page, unless `page` contains `text`.
#[track_caller]
pub fn shows(page: &str, text: &str) {
    assert!(page.contains(text), "{text:?} not in: {page}");
}

/// Fails unless `headers` offer a download named `file_name` (an attachment).
#[track_caller]
pub fn downloads_as(headers: &[(String, String)], file_name: &str) {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    assert_eq!(
        header_value(headers, "content-disposition").as_deref(),
        Some(disposition.as_str())
    );
}

/// Fails, showing the page, if `page` contains `text`.
#[track_caller]
pub fn hides(page: &str, text: &str) {
    assert!(!page.contains(text), "{text:?} in: {page}");
}

/// The session cookie of `user` (signed in with [`PASSWORD`]).
pub async fn session_of(w: &World, user: &str) -> String {
    sign_in(w, user, PASSWORD)
        .await
        .unwrap_or_else(|| panic!("{user} signs in"))
        .0
}

/// A new world with `user` signed in (with [`PASSWORD`]): (the world, the
/// session cookie, its CSRF token).
pub async fn world_signed_in(user: &str) -> (World, String, String) {
    let w = world().await;
    let (session, csrf) = sign_in(&w, user, PASSWORD)
        .await
        .unwrap_or_else(|| panic!("{user} signs in"));
    (w, session, csrf)
}

/// The page at `path` for the session `cookie`, which must be answered 200.
pub async fn ok_page(w: &World, path: &str, cookie: &str) -> String {
    let (status, _, page) = send(&w.app, get(path, cookie)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {page}");
    page
}

/// The version of the referral at `path` (`/referrals/{id}`) as stored: what
/// its page's edit forms send.
pub async fn version_now(w: &World, path: &str) -> i64 {
    let id = path.rsplit('/').next().unwrap();
    w.store.referral(id).await.unwrap().unwrap().version
}

/// Fails, showing the page, unless the GOV.UK date input whose Day box is
/// `id` (`discharge-date`) holds the day `iso` (YYYY-MM-DD) in its Day,
/// Month and Year boxes.
#[track_caller]
pub fn shows_date(page: &str, id: &str, iso: &str) {
    let mut parts = iso.split('-');
    let (y, m, d) = (
        parts.next().unwrap(),
        parts.next().unwrap().trim_start_matches('0'),
        parts.next().unwrap().trim_start_matches('0'),
    );
    let value = |box_id: &str| {
        page.split(&format!("id=\"{box_id}\" name="))
            .nth(1)
            .and_then(|rest| rest.split("value=\"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("(none)")
            .to_string()
    };
    let shown = (
        value(id),
        value(&format!("{id}-month")),
        value(&format!("{id}-year")),
    );
    assert_eq!(
        shown,
        (d.to_string(), m.to_string(), y.to_string()),
        "the date input {id} in: {page}"
    );
}

/// Leaves one referral received between `from` and `to` (YYYY-MM-DD)
/// unallocated, as an import from a spreadsheet may hold one.
pub async fn unallocate_one(w: &World, from: &str, to: &str) {
    let mut bundle = w.store.export().await.unwrap();
    let doc = bundle
        .referrals
        .iter_mut()
        .find(|r| r.received.as_str() >= from && r.received.as_str() <= to)
        .expect("a referral received in the range");
    doc.es = None;
    doc.transfers = None;
    w.store.import(&bundle, "cli:test").await.unwrap();
}

/// The audit log's entries on the record `id` (a referral, client, user,
/// staff member…), oldest first.
pub async fn audit_of(w: &World, id: &str) -> Vec<AuditEntry> {
    w.store
        .audit(&AuditFilter {
            record: Some(id.to_string()),
            since: None,
        })
        .await
        .unwrap()
}

/// The newest audit entry on the record `id`.
pub async fn last_audit(w: &World, id: &str) -> AuditEntry {
    audit_of(w, id)
        .await
        .pop()
        .unwrap_or_else(|| panic!("an audit entry on {id}"))
}

/// es3 (signed in as `es3` with the token `csrf`) refers a new person,
/// Amira Khan (NHS number 943 476 5919), received on `received`
/// (YYYY-MM-DD); her referral's path.
pub async fn es3_refers_amira(w: &World, es3: &str, csrf: &str, received: &str) -> String {
    let form = format!(
        "csrf={csrf}&client=&given_name=Amira&family_name=Khan&nhs_number=9434765919\
         &received={received}&status_at_referral=unemployed&es=es3"
    );
    let (status, headers, _) = submit(w, "/referrals/new", es3, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    location(&headers)
}

/// A new world with `user` signed in and the page at `path` for them
/// (answered 200): (the world, the session cookie, the page).
pub async fn world_with_page(user: &str, path: &str) -> (World, String, String) {
    let (w, session, _) = world_signed_in(user).await;
    let page = ok_page(&w, path, &session).await;
    (w, session, page)
}

/// Fails, showing the page, unless `page` contains every one of `texts`.
#[track_caller]
pub fn shows_all(page: &str, texts: &[&str]) {
    for text in texts {
        shows(page, text);
    }
}

/// Fails, showing the page, if `page` contains any of `texts`.
#[track_caller]
pub fn hides_all(page: &str, texts: &[&str]) {
    for text in texts {
        hides(page, text);
    }
}

/// Removes the first entry of the kind `kind` (`discharge`, `job`…) from the
/// referral at `path` (`/referrals/{id}`) at `version`, as the session
/// `(cookie, csrf)`; the removal must redirect. The referral as stored after.
pub async fn remove_first(
    w: &World,
    (path, version): (&str, i64),
    (cookie, csrf): (&str, &str),
    kind: &str,
) -> ipstrack_store::Saved {
    let form = format!("csrf={csrf}&kind={kind}&index=0&version={version}");
    let (status, _, _) = submit(w, &format!("{path}/remove"), cookie, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    saved_referral(w, path.rsplit('/').next().unwrap()).await
}

/// A new world with `es` (`es1` or `es3`) signed in: (the world, the
/// session cookie, its CSRF token, the path of the referral they hold).
pub async fn world_at_own_referral(es: &str) -> (World, String, String, String) {
    let (w, session, csrf) = world_signed_in(es).await;
    let id = match es {
        "es1" => &w.es1_referral,
        "es3" => &w.es3_referral,
        _ => panic!("{es} holds no referral of the world"),
    };
    let referral = format!("/referrals/{id}");
    (w, session, csrf, referral)
}

/// [`postgres_database`], or a notice on stderr that the PostgreSQL `what`
/// test did not run when no server is named.
pub async fn postgres_database_or_notice(what: &str) -> Option<(String, PgDrop)> {
    let database = postgres_database().await;
    if database.is_none() {
        eprintln!(
            "NOTICE: IPSTRACK_TEST_POSTGRES_URL is not set: the PostgreSQL {what} test did not run"
        );
    }
    database
}
