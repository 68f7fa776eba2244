//! The national service the web benchmarks read and write (issues 10 and
//! 25): made once by a child process (so that the measuring process's peak
//! memory is the server's alone), signed-in users, and timing helpers.
// Each bench uses part of this module.
#![allow(dead_code)]

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
#[path = "../../tests/web/common.rs"]
#[allow(dead_code)]
mod common;
pub use common::{PASSWORD, get, hidden_csrf as csrf_of, send};

/// The administrator's username on the national service.
pub const ADMIN: &str = "admin";

/// Runs `run` on the national database, made by a child process of this
/// program started with `--prepare PATH`; nothing under `cargo test`, which
/// runs benchmarks without `--bench`.
pub fn main_with(run: impl AsyncFnOnce(&std::path::Path)) {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Some(at) = args.iter().position(|a| a == "--prepare") {
        runtime.block_on(prepare(std::path::Path::new(&args[at + 1])));
        return;
    }
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

pub fn post(path: &str, cookie: &str, form: String) -> Request<Body> {
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

/// Signs `user` in: (session cookie, CSRF token).
pub async fn sign_in(app: &Router, user: &str) -> (String, String) {
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
    let (_, _, page) = send(app, get(signed_in_page(user), &session)).await;
    (session.clone(), csrf_of(&page))
}

/// A page every user of the bench may read, carrying the CSRF token.
fn signed_in_page(user: &str) -> &'static str {
    if user == ADMIN {
        "/service"
    } else {
        "/caseload"
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The process's peak resident memory (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// The process's resident memory now (VmRSS), in MiB.
pub fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The ES given users `es0`…`es7`: the first 8 in post.
pub fn chosen_es(staff: &[ipstrack_core::bundle::StaffDoc]) -> Vec<String> {
    staff
        .iter()
        .filter(|s| s.role == "es" && s.end_date.is_none())
        .take(8)
        .map(|s| s.id.clone())
        .collect()
}

pub const TODAY: &str = "2025-03-31";

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
    store
        .add_user(ADMIN, PASSWORD, Role::Admin, None, "bench")
        .await
        .expect("admin");
    store.close().await;
}

/// The application on the national database, started and timed, the 8 ES
/// given users and one referral each holds today.
pub struct Served {
    pub store: Store,
    pub app: Router,
    pub es: Vec<String>,
    pub referrals: Vec<String>,
}

/// Starts the application on `path` (printing how long it took) and reads
/// the data as loaded, for what the bench needs to know of it.
pub async fn serve(path: &std::path::Path) -> (Served, ipstrack_core::Loaded) {
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
            oidc: None,
        },
    )
    .await
    .expect("app");
    println!(
        "start-up (load, validate, first snapshot): {:.2} s; resident memory then {:.0} MiB",
        started.elapsed().as_secs_f64(),
        rss_mib()
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
    let served = Served {
        store,
        app,
        es,
        referrals,
    };
    (served, loaded)
}
