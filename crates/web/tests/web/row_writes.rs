//! Issue 10 through the web: no acknowledged write is lost when people (or
//! two servers on one database) write to one referral at once, a server picks
//! up writes it did not make within a second, and an edit from a page that
//! showed an older version gets the "changed since you opened it" page.

use crate::common::*;
use axum::http::StatusCode;
use ipstrack_store::Store;
use std::time::{Duration, Instant};

/// A second server on the same database file (its own connections and snapshot).
async fn second_server(w: &World) -> (axum::Router, Store) {
    let path = w._dir.path().join("web.sqlite");
    let store = Store::open(path.to_str().unwrap()).await.unwrap();
    (app_on(&store).await, store)
}

/// The number of timeline rows that are contacts on a referral page.
fn contacts_shown(page: &str) -> usize {
    page.matches("<td>Contact: ").count()
}

/// Waits (up to 3 s) until `check` holds for the page at `path` on `app`.
async fn eventually(app: &axum::Router, path: &str, cookie: &str, check: impl Fn(&str) -> bool) {
    let start = Instant::now();
    loop {
        let (status, _, page) = send(app, get(path, cookie)).await;
        assert_eq!(status, StatusCode::OK);
        if check(&page) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{path} did not show the change within 3 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Fails unless every one of the posts sent at once was answered as saved (303).
async fn all_saved(tasks: Vec<tokio::task::JoinHandle<StatusCode>>) {
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn contacts_saved_at_once_with_a_step_are_all_kept() {
    let w = world().await;
    // Three of es1's sessions (a phone, a laptop, a colleague's desk): one
    // session has at most `PER_SESSION` requests answered at once.
    let mut sessions = Vec::new();
    for _ in 0..3 {
        sessions.push(sign_in(&w, "es1", PASSWORD).await.unwrap());
    }
    let (lead, lead_csrf) = sign_in(&w, "manager", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es1_referral);
    let before = w.store.contact_count(&w.es1_referral).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (es1, csrf) = sessions[n % 3].clone();
        let (app, path) = (w.app.clone(), format!("{referral}/contacts"));
        let form = format!("csrf={csrf}&date=2025-01-{:02}&kind=remote", 1 + n % 14);
        tasks.push(tokio::spawn(async move {
            send(&app, post(&path, &es1, &form)).await.0
        }));
    }
    for n in 0..6 {
        let (app, lead, path) = (
            w.app.clone(),
            lead.clone(),
            format!("{referral}/engagement"),
        );
        let form = format!(
            "csrf={lead_csrf}&date=2025-01-{:02}&status=seeking_work",
            1 + n
        );
        tasks.push(tokio::spawn(async move {
            send(&app, post(&path, &lead, &form)).await.0
        }));
    }
    all_saved(tasks).await;
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap(),
        before + 20,
        "every acknowledged contact is in the database"
    );
    let (_, _, page) = send(&w.app, get(&format!("{referral}/timeline"), &sessions[0].0)).await;
    assert_eq!(contacts_shown(&page) as i64, before + 20, "and on the page");
}

#[tokio::test]
async fn two_servers_on_one_database_lose_nothing_and_see_each_others_writes() {
    let w = world().await;
    let (b, store_b) = second_server(&w).await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let referral = format!("/referrals/{}", w.es1_referral);
    let (_, _, page) = send(&b, get(&format!("{referral}/timeline"), &es1)).await;
    let shown = contacts_shown(&page);
    // A contact through server A...
    let form = format!("csrf={csrf}&date=2025-01-14&kind=face_to_face");
    let (status, _, _) = submit(&w, &format!("{referral}/contacts"), &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // ... is on server B's page within a second or so, without a restart.
    eventually(&b, &format!("{referral}/timeline"), &es1, |p| {
        contacts_shown(p) == shown + 1
    })
    .await;
    // A step through server B keeps A's contact.
    let (status, _, _) = send(
        &b,
        post(
            &format!("{referral}/hold"),
            &es1,
            &format!("csrf={csrf}&start=2025-01-14&end=2025-01-15"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let saved = saved_referral(&w, &w.es1_referral).await;
    assert_eq!(
        saved.referral.contacts.unwrap().len(),
        shown + 1,
        "the contact saved through A survives B's step"
    );
    // And A shows B's hold.
    eventually(&w.app, &format!("{referral}/timeline"), &es1, |p| {
        p.contains("On hold until 15 Jan 2025")
    })
    .await;
    store_b.close().await;
}

#[tokio::test]
async fn an_import_while_the_server_runs_is_shown_and_not_reverted() {
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    // A command-line import adds a contact behind the server's back.
    let mut bundle = w.store.export().await.unwrap();
    let doc = bundle
        .referrals
        .iter_mut()
        .find(|r| r.id == w.es1_referral)
        .unwrap();
    let count = doc.contacts.as_ref().map_or(0, Vec::len);
    doc.contacts
        .get_or_insert_default()
        .push(ipstrack_core::bundle::ContactDoc {
            date: "2025-01-13".into(),
            kind: "in_work_support".into(),
            mechanism: None,
            note: None,
            location: None,
        });
    w.store.import(&bundle, "cli:test").await.unwrap();
    eventually(&w.app, &format!("{referral}/timeline"), &es1, |p| {
        contacts_shown(p) == count + 1
    })
    .await;
    // The server's next step on that referral keeps it.
    let form = format!("csrf={csrf}&date=2025-01-14&status=seeking_work");
    let (status, _, _) = submit(&w, &format!("{referral}/engagement"), &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap() as usize,
        count + 1
    );
}

#[tokio::test]
async fn an_edit_from_an_older_page_gets_the_changed_since_you_opened_it_page() {
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    let (_, _, page) = send(&w.app, get(&format!("{referral}/record/discharge"), &es1)).await;
    // The discharge form carries the version the page showed.
    let version = {
        let start = page
            .find("name=\"version\" value=\"")
            .expect("a version field")
            + "name=\"version\" value=\"".len();
        page[start..start + page[start..].find('"').unwrap()].to_string()
    };
    // Someone else records a contact: the page is now out of date.
    let contact = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, _, _) = submit(&w, &format!("{referral}/contacts"), &es1, &contact).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form =
        format!("csrf={csrf}&version={version}&date=2025-01-15&reason=moved+away&confirm=yes");
    let (status, _, page) = submit(&w, &format!("{referral}/discharge"), &es1, &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    shows(&page, "changed by someone else since you opened it");
    // Both versions: the change, not saved, is still in its form; the page
    // shows the referral as it is now (with the other person's contact).
    // The date typed is kept.
    shows_date(&page, "discharge-date", "2025-01-15");
    assert!(page.contains("moved away"), "the reason typed is kept");
    assert!(
        page.contains("<td>14 Jan 2025</td>"),
        "the newer contact is shown"
    );
    let saved = saved_referral(&w, &w.es1_referral).await;
    assert!(saved.referral.discharge.is_none(), "nothing was saved");
    // Sent again from the page as it is now, it is saved.
    let form = format!(
        "csrf={csrf}&version={}&date=2025-01-15&reason=moved+away&confirm=yes",
        saved.version
    );
    let (status, _, _) = submit(&w, &format!("{referral}/discharge"), &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_busy_database_gets_a_try_again_page_not_a_server_error() {
    use sqlx::{Connection, Executor};
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    // Another program (an import, a backup) holds the write lock.
    let path = w._dir.path().join("web.sqlite");
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    other.execute("BEGIN IMMEDIATE").await.unwrap();
    let started = Instant::now();
    let contact = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, headers, body) = submit(&w, &format!("{referral}/contacts"), &es1, &contact).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    shows(&body, "try again");
    assert_eq!(header_value(&headers, "retry-after").as_deref(), Some("60"));
    assert!(started.elapsed() < Duration::from_secs(10));
    // Once the other program is done, the same form is saved.
    other.execute("ROLLBACK").await.unwrap();
    let before = w.store.contact_count(&w.es1_referral).await.unwrap();
    let form = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, _, _) = submit(&w, &format!("{referral}/contacts"), &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap(),
        before + 1
    );
}

/// The one-time token of the form posting to `action` on a page.
fn once_of(page: &str, action: &str) -> String {
    let form = &page[page
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form for {action}"))..];
    let start = form
        .find("name=\"once\" value=\"")
        .expect("a one-time token")
        + "name=\"once\" value=\"".len();
    form[start..start + 64].to_string()
}

#[tokio::test]
async fn a_form_sent_twice_is_applied_once() {
    let (w, es1, csrf, referral) = world_at_own_referral("es1").await;
    let (_, _, page) = send(&w.app, get(&format!("{referral}/record/contact"), &es1)).await;
    let token = once_of(&page, &format!("{referral}/contacts"));
    let before = w.store.contact_count(&w.es1_referral).await.unwrap();
    let form = format!("csrf={csrf}&once={token}&date=2025-01-14&kind=remote");
    // Sent, then sent again (a retry after a time-out): both acknowledged.
    for _ in 0..2 {
        let (status, headers, _) = submit(&w, &format!("{referral}/contacts"), &es1, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location(&headers), referral);
    }
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap(),
        before + 1,
        "applied once"
    );
    // Every form on the page has its own token.
    let tokens: std::collections::HashSet<&str> = page
        .match_indices("name=\"once\" value=\"")
        .map(|(at, m)| &page[at + m.len()..at + m.len() + 64])
        .collect();
    assert_eq!(tokens.len(), page.matches("name=\"once\"").count());
    // A new referral sent twice is created once.
    let (_, _, page) = send(&w.app, get("/referrals/new", &es1)).await;
    let token = once_of(&page, "/referrals/new");
    let form = format!(
        "csrf={csrf}&once={token}&client=&given_name=Amira&family_name=Khan&nhs_number=&received=2025-01-10&status_at_referral=unemployed&es=es1"
    );
    let (status, headers, _) = submit(&w, "/referrals/new", &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = location(&headers);
    let count = w.store.load().await.unwrap().dataset.referrals.len();
    let (status, headers, _) = submit(&w, "/referrals/new", &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), first, "the same referral");
    assert_eq!(w.store.load().await.unwrap().dataset.referrals.len(), count);
}

#[tokio::test]
async fn two_servers_on_one_postgresql_database_lose_nothing() {
    let Some((url, database)) = postgres_database_or_notice("two-server").await else {
        return;
    };
    let w = world_on(&url, tempfile::tempdir().unwrap()).await;
    let store_b = Store::open(&url).await.unwrap();
    let b = app_on(&store_b).await;
    // Four of es1's sessions: one session has at most `PER_SESSION`
    // requests answered at once.
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(sign_in(&w, "es1", PASSWORD).await.unwrap());
    }
    let referral = format!("/referrals/{}", w.es1_referral);
    let before = w.store.contact_count(&w.es1_referral).await.unwrap();
    // Contacts through both servers at once, and steps through B.
    let mut tasks = Vec::new();
    for n in 0..16 {
        let server = if n % 2 == 0 { w.app.clone() } else { b.clone() };
        let (es1, csrf) = sessions[n % 4].clone();
        let path = format!("{referral}/contacts");
        let form = format!("csrf={csrf}&date=2025-01-{:02}&kind=remote", 1 + n % 14);
        tasks.push(tokio::spawn(async move {
            send(&server, post(&path, &es1, &form)).await.0
        }));
    }
    for (n, (es1, csrf)) in sessions.iter().cloned().enumerate() {
        let (server, path) = (b.clone(), format!("{referral}/engagement"));
        let form = format!("csrf={csrf}&date=2025-01-{:02}&status=seeking_work", 1 + n);
        tasks.push(tokio::spawn(async move {
            send(&server, post(&path, &es1, &form)).await.0
        }));
    }
    all_saved(tasks).await;
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap(),
        before + 16
    );
    // Each server shows every contact, whichever server saved it.
    let all = (before + 16) as usize;
    let es1 = &sessions[0].0;
    eventually(&w.app, &format!("{referral}/timeline"), es1, |p| {
        contacts_shown(p) == all
    })
    .await;
    eventually(&b, &format!("{referral}/timeline"), es1, |p| {
        contacts_shown(p) == all
    })
    .await;
    store_b.close().await;
    w.store.close().await;
    database.drop_now().await;
}

#[tokio::test]
async fn an_employer_contact_recorded_on_one_server_shows_on_another() {
    let w = world().await;
    let (b, _store_b) = second_server(&w).await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let plan = "/specialists/es1/plan";
    let (_, _, page) = send(&b, get(plan, &es1)).await;
    hides(&page, "Ellis &amp; Co");
    let form = format!("csrf={csrf}&date=2025-01-14&employer=Ellis+%26+Co&kind=call&note=&client=");
    let (status, _, _) = submit(&w, "/specialists/es1/employer-contacts", &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Server B loads the employer contacts only (a change of employer contacts).
    eventually(&b, plan, &es1, |p| p.contains("Ellis &amp; Co")).await;
}

/// A request of `token` to the API (a JSON body when given).
fn api_request(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> axum::http::Request<axum::body::Body> {
    let r = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(b) => r
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .body(axum::body::Body::from(b.to_string()))
            .unwrap(),
        None => r.body(axum::body::Body::empty()).unwrap(),
    }
}

/// What a page, a form and the API answer while the database cannot be
/// reached: 503 with Retry-After, within `within` each — never the sign-in
/// page or 401, which would throw away the form typed.
async fn answers_unavailable(w: &World, session: &str, csrf: &str, token: &str, within: Duration) {
    let referral = format!("/referrals/{}", w.es1_referral);
    let requests = [
        get(&referral, session),
        post(
            &format!("{referral}/contacts"),
            session,
            &format!("csrf={csrf}&date=2025-01-14&kind=remote"),
        ),
        api_request("GET", &format!("/api/v1{referral}"), token, None),
        api_request(
            "POST",
            &format!("/api/v1{referral}/steps"),
            token,
            Some(r#"{"step": "contact", "date": "2025-01-14", "kind": "remote"}"#),
        ),
    ];
    for request in requests {
        let what = format!("{} {}", request.method(), request.uri());
        let started = Instant::now();
        let (status, headers, body) = send(&w.app, request).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {body}");
        assert!(
            header_value(&headers, "retry-after").is_some(),
            "{what}: no Retry-After"
        );
        assert!(
            started.elapsed() < within,
            "{what}: answered after {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn a_database_that_is_gone_is_503_with_retry_after_not_the_sign_in_page() {
    let (w, es1, csrf) = world_signed_in("es1").await;
    let token = w.store.issue_token("es1", 30, "admin").await.unwrap();
    // Every connection closed: as a database that went away.
    w.store.close().await;
    answers_unavailable(&w, &es1, &csrf, &token, Duration::from_secs(4)).await;
}

/// A TCP proxy in front of the PostgreSQL server of `url`: (the URL through
/// it, the proxy's task — aborting it is an outage: every connection cut,
/// new ones refused).
async fn proxy(url: &str) -> (String, tokio::task::JoinHandle<()>) {
    let rest = url.split_once('@').unwrap().1;
    let (server, db) = rest.split_once('/').unwrap();
    let server = server.to_string();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            let server = server.clone();
            connections.spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&server).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    let user = url.split_once("://").unwrap().1.split_once('@').unwrap().0;
    (format!("postgres://{user}@127.0.0.1:{port}/{db}"), task)
}

#[tokio::test]
async fn on_postgresql_an_outage_is_503_within_seconds_not_the_sign_in_page() {
    let Some((url, database)) = postgres_database_or_notice("outage").await else {
        return;
    };
    let (through, outage) = proxy(&url).await;
    let w = world_on(&through, tempfile::tempdir().unwrap()).await;
    let (es1, csrf) = sign_in(&w, "es1", PASSWORD).await.unwrap();
    let token = w.store.issue_token("es1", 30, "admin").await.unwrap();
    outage.abort();
    let _ = outage.await;
    answers_unavailable(&w, &es1, &csrf, &token, Duration::from_millis(4500)).await;
    w.store.close().await;
    database.drop_now().await;
}

/// A write whose commit succeeded is answered as saved even when the new
/// snapshot cannot be made just then; the change follower puts it in once
/// it can.
#[tokio::test]
async fn a_saved_change_is_answered_as_saved_when_publishing_it_fails() {
    use sqlx::{Connection, Executor};
    let (w, es1, csrf) = world_signed_in("es1").await;
    let manager = session_of(&w, "manager").await;
    let token = w.store.issue_token("es1", 30, "admin").await.unwrap();
    let referral = format!("/referrals/{}", w.es1_referral);
    let (_, _, page) = send(&w.app, get(&format!("{referral}/timeline"), &manager)).await;
    let shown = contacts_shown(&page);
    let before = w.store.contact_count(&w.es1_referral).await.unwrap();
    // Behind the server's back: es1's referral moves to a specialist this
    // server has not loaded (so the referral cannot go into its snapshot)
    // and another referral is damaged (so a whole reload fails).
    let path = w._dir.path().join("web.sqlite");
    let mut other = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (access,): (Option<String>,) = sqlx::query_as("SELECT access FROM referrals WHERE id = $1")
        .bind(&w.es3_referral)
        .fetch_one(&mut other)
        .await
        .unwrap();
    other
        .execute(sqlx::AssertSqlSafe(format!(
            "INSERT INTO staff (id, position, name, role, team_id, start_date, end_date, fte) \
             VALUES ('es99', 999, 'New ES', 'es', 't2', '2024-01-01', NULL, 10000); \
             INSERT INTO transfers (referral_id, position, date, es_id) VALUES ('{}', 99, '2025-01-15', 'es99'); \
             UPDATE referrals SET access = '2024-13-45' WHERE id = '{}';",
            w.es1_referral, w.es3_referral
        )))
        .await
        .unwrap();
    let form = format!("csrf={csrf}&date=2025-01-14&kind=remote");
    let (status, headers, body) = submit(&w, &format!("{referral}/contacts"), &es1, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location(&headers), referral);
    let (status, _, body) = send(
        &w.app,
        api_request(
            "POST",
            &format!("/api/v1{referral}/steps"),
            &token,
            Some(r#"{"step": "contact", "date": "2025-01-14", "kind": "face_to_face"}"#),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        w.store.contact_count(&w.es1_referral).await.unwrap(),
        before + 2
    );
    // Once the data can be loaded again, the change follower catches up.
    sqlx::query("UPDATE referrals SET access = $1 WHERE id = $2")
        .bind(access)
        .bind(&w.es3_referral)
        .execute(&mut other)
        .await
        .unwrap();
    eventually(&w.app, &format!("{referral}/timeline"), &manager, |p| {
        contacts_shown(p) == shown + 2
    })
    .await;
}
