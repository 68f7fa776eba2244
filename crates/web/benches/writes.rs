//! Writes on the national service through the web application (issue 10):
//! start-up on the stored national service, 20 contacts one after another,
//! 8 people saving at once, each saved contact on its page at once, and the
//! process's peak memory. Timings of whole requests through the router (as a
//! browser's form posts arrive), on SQLite.
//!
//! `cargo bench -p ipstrack-web --bench writes`

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ipstrack_core::Day;
use ipstrack_core::attribution::assigned_on;
use ipstrack_demo::{DemoOptions, generate};
use ipstrack_store::{Role, Store};
use ipstrack_web::{Config, app};

// The web tests' requests and answers (send, get, post, the CSRF field).
#[path = "../tests/web/common.rs"]
#[allow(dead_code)]
mod common;
use common::{PASSWORD, get, hidden_csrf as csrf_of, send};

fn post(path: &str, cookie: &str, form: String) -> Request<Body> {
    common::post(path, cookie, &form)
}

fn cookie_of(headers: &[(String, String)]) -> String {
    let set = headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.clone())
        .expect("a cookie");
    set.split(';').next().unwrap_or_default().to_string()
}

async fn sign_in(app: &Router, user: &str) -> (String, String) {
    let (_, headers, page) = send(app, get("/sign-in", "")).await;
    let pre = cookie_of(&headers);
    let form = format!(
        "username={user}&password={}&csrf={}",
        PASSWORD.replace(' ', "+"),
        csrf_of(&page)
    );
    let (status, headers, _) = send(app, post("/sign-in", &pre, form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed in");
    let session = cookie_of(&headers);
    let (_, _, page) = send(app, get("/caseload", &session)).await;
    (session.clone(), csrf_of(&page))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // The national database is made by a child process, so that this
    // process's peak memory is the server's alone.
    if let Some(at) = args.iter().position(|a| a == "--prepare") {
        runtime.block_on(prepare(std::path::Path::new(&args[at + 1])));
        return;
    }
    // `cargo test` runs benchmarks once with `--bench` absent: do nothing then.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("national.sqlite");
    let status = std::process::Command::new(std::env::current_exe().expect("this program"))
        .arg("--prepare")
        .arg(&path)
        .status()
        .expect("the preparing process runs");
    assert!(status.success(), "the national database was made");
    runtime.block_on(run(&path));
}

/// The ES given users `es0`…`es7`: the first 8 in post.
fn chosen_es(staff: &[ipstrack_core::bundle::StaffDoc]) -> Vec<String> {
    staff
        .iter()
        .filter(|s| s.role == "es" && s.end_date.is_none())
        .take(8)
        .map(|s| s.id.clone())
        .collect()
}

const TODAY: &str = "2025-03-31";

async fn prepare(path: &std::path::Path) {
    let today = Day::parse(TODAY).expect("date");
    let doc = generate(&DemoOptions::national(today));
    let contacts: usize = doc
        .referrals
        .iter()
        .map(|r| r.contacts.as_ref().map_or(0, Vec::len))
        .sum();
    println!(
        "national service: {} staff, {} referrals, {} contacts",
        doc.staff.len(),
        doc.referrals.len(),
        contacts
    );
    let store = Store::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    let started = Instant::now();
    store.import(&doc, "bench").await.expect("import");
    println!("import: {:.1} s", started.elapsed().as_secs_f64());
    for (n, id) in chosen_es(&doc.staff).iter().enumerate() {
        store
            .add_user(&format!("es{n}"), PASSWORD, Role::Es, Some(id), "bench")
            .await
            .expect("user");
    }
    store.close().await;
}

async fn run(path: &std::path::Path) {
    let today = Day::parse(TODAY).expect("date");
    let store = Store::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    let started = Instant::now();
    let app = app(
        store.clone(),
        Config {
            secure_cookies: false,
            today: Some(today),
        },
    )
    .await
    .expect("app");
    println!(
        "start-up (load, validate, first snapshot): {:.2} s",
        started.elapsed().as_secs_f64()
    );

    // One referral held by each of the 8 ES today.
    let loaded = store.load().await.expect("load");
    let d = &loaded.dataset;
    let es = chosen_es(&ipstrack_core::bundle::to_document(d).staff);
    let referral_of = |es: &str| {
        let idx = d.staff.iter().position(|s| s.id == es).expect("es") as u32;
        d.referrals
            .iter()
            .find(|r| {
                assigned_on(r, today, today) == Some(ipstrack_core::model::StaffIdx(idx))
                    && r.discharge.as_ref().is_none_or(|x| x.date > today)
            })
            .map(|r| r.id.clone())
            .expect("a referral")
    };
    let referrals: Vec<String> = es.iter().map(|e| referral_of(e)).collect();
    // The engine's part of a write: a new snapshot with one referral changed.
    let saved = store
        .referral(&referrals[0])
        .await
        .expect("read")
        .expect("stored");
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let next = loaded
            .with_referral(None, &saved.referral, saved.version + 1)
            .expect("valid");
        times.push(t.elapsed());
        drop(next);
    }
    times.sort();
    println!(
        "a new snapshot with one referral changed ({} warnings): median {}",
        loaded.warnings.len(),
        ms(percentile(&times, 0.5))
    );
    drop(loaded);
    // The store's part of a write: one contact in its transaction.
    let mut times = Vec::new();
    for n in 0..20 {
        let contact = ipstrack_core::bundle::ContactDoc {
            date: format!("2025-03-{:02}", 1 + n),
            kind: "remote".into(),
            mechanism: None,
            note: None,
        };
        let t = Instant::now();
        store
            .add_contact(&referrals[1], &contact, "bench")
            .await
            .expect("contact");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "the store's part of a contact (one transaction): median {}",
        ms(percentile(&times, 0.5))
    );
    let mut people = Vec::new();
    for n in 0..es.len() {
        people.push(sign_in(&app, &format!("es{n}")).await);
    }

    // 20 contacts one after another, each on its page at once.
    let (session, csrf) = &people[0];
    let path = format!("/referrals/{}", referrals[0]);
    let mut one_by_one = Vec::new();
    for n in 0..20 {
        let form = format!("csrf={csrf}&date=2025-03-{:02}&kind=remote", 1 + n);
        let t = Instant::now();
        let (status, _, _) = send(&app, post(&format!("{path}/contacts"), session, form)).await;
        one_by_one.push(t.elapsed());
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, page) = send(&app, get(&path, session)).await;
        let shown = page.matches("<td>Contact: ").count();
        assert!(shown > n as usize, "the contact is on its page at once");
    }
    one_by_one.sort();
    println!(
        "20 contacts one after another: median {}, slowest {}",
        ms(percentile(&one_by_one, 0.5)),
        ms(*one_by_one.last().expect("some"))
    );

    // 8 people saving at once, 10 contacts each.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, (session, csrf)) in people.iter().enumerate() {
        let (app, session, csrf, path) = (
            app.clone(),
            session.clone(),
            csrf.clone(),
            format!("/referrals/{}/contacts", referrals[n]),
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for k in 0..10 {
                let form = format!("csrf={csrf}&date=2025-03-{:02}&kind=face_to_face", 1 + k);
                let t = Instant::now();
                let (status, _, _) = send(&app, post(&path, &session, form)).await;
                times.push(t.elapsed());
                assert_eq!(status, StatusCode::SEE_OTHER);
            }
            times
        }));
    }
    let mut at_once = Vec::new();
    for t in tasks {
        at_once.extend(t.await.expect("writer"));
    }
    at_once.sort();
    println!(
        "8 writers at once, 80 contacts in {:.2} s: median {}, p99 {}, slowest {}",
        started.elapsed().as_secs_f64(),
        ms(percentile(&at_once, 0.5)),
        ms(percentile(&at_once, 0.99)),
        ms(*at_once.last().expect("some"))
    );
    println!("peak RSS: {:.0} MiB", peak_rss_mib());
    store.close().await;
}
