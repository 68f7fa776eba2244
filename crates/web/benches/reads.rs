//! Reads while the service writes, on the national service (issue 25):
//! start-up and the snapshot's memory; the team dashboard, an ES's plan and
//! the service page read quietly and as the first read after a save; 8
//! people saving while 16 readers load dashboards. Timings of whole
//! requests through the router, on SQLite, signed in as an administrator.
//!
//! `cargo bench -p ipstrack-web --bench reads`

use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;

mod national;
use national::{ADMIN, get, ms, peak_rss_mib, percentile, post, send, sign_in};

fn main() {
    national::main_with(run);
}

/// One read of `path`, timed; the page must be served.
async fn read(app: &Router, path: &str, session: &str) -> Duration {
    let t = Instant::now();
    let (status, _, _) = send(app, get(path, session)).await;
    let took = t.elapsed();
    assert_eq!(status, StatusCode::OK, "{path}");
    took
}

/// "p50 …, p99 …" of some timings of `what` (reads, saves).
fn summary(mut times: Vec<Duration>, what: &str) -> String {
    times.sort();
    format!(
        "p50 {}, p99 {}, slowest {} ({} {what})",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("some")),
        times.len()
    )
}

/// A contact saved by `who` (session, CSRF) on `referral`, on day `n` of
/// March 2025.
async fn save(app: &Router, (session, csrf): &(String, String), referral: &str, n: usize) {
    let form = format!(
        "csrf={csrf}&date=2025-03-{:02}&kind=face_to_face",
        1 + n % 28
    );
    let path = format!("/referrals/{referral}/contacts");
    let (status, _, _) = send(app, post(&path, session, form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "saved");
}

async fn run(path: &std::path::Path) {
    let (served, loaded) = national::serve(path).await;
    let d = &loaded.dataset;
    let national::Served {
        store,
        app,
        es,
        referrals,
    } = served;
    let team_of = |es: &str| {
        let s = d.staff.iter().find(|s| s.id == es).expect("es");
        d.team(s.team).id.clone()
    };
    let team = team_of(&es[0]);
    let other_team = d
        .teams
        .iter()
        .map(|t| t.id.clone())
        .find(|t| es.iter().all(|e| team_of(e) != *t))
        .expect("a team none of the 8 ES is in");
    drop(loaded);
    let pages = [
        (
            "team dashboard (the saving ES's team)",
            format!("/team?team={team}"),
        ),
        (
            "team dashboard (another team)",
            format!("/team?team={other_team}"),
        ),
        (
            "ES plan (the saving ES)",
            format!("/specialists/{}/plan", es[0]),
        ),
        ("service page", "/service".to_string()),
    ];
    let admin = sign_in(&app, ADMIN).await;
    let people: Vec<(String, String)> = {
        let mut p = Vec::new();
        for n in 0..es.len() {
            p.push(sign_in(&app, &format!("es{n}")).await);
        }
        p
    };

    // Quiet: each page read 20 times with nothing saved between.
    for (name, path) in &pages {
        read(&app, path, &admin.0).await;
        let mut times = Vec::new();
        for _ in 0..20 {
            times.push(read(&app, path, &admin.0).await);
        }
        println!("quiet, {name}: {}", summary(times, "reads"));
    }

    // The first read after a save: 10 saves by the first ES, each followed by
    // one read of the page.
    let mut saved = 0;
    for (name, path) in &pages {
        let mut times = Vec::new();
        for _ in 0..10 {
            save(&app, &people[0], &referrals[0], saved).await;
            saved += 1;
            times.push(read(&app, path, &admin.0).await);
        }
        println!(
            "first read after a save, {name}: {}",
            summary(times, "reads")
        );
    }

    // 8 people saving (10 contacts each) while 16 readers load the pages
    // above round and round (four administrator sessions: a session has at
    // most 8 requests answered at once).
    let mut sessions = Vec::new();
    for _ in 0..4 {
        sessions.push(sign_in(&app, ADMIN).await.0);
    }
    let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let started = Instant::now();
    let mut readers = Vec::new();
    for n in 0..16 {
        let (app, session, writing) = (app.clone(), sessions[n % 4].clone(), writing.clone());
        let paths: Vec<String> = pages.iter().map(|(_, p)| p.clone()).collect();
        readers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut k = n;
            while writing.load(std::sync::atomic::Ordering::SeqCst) {
                times.push(read(&app, &paths[k % paths.len()], &session).await);
                k += 1;
            }
            times
        }));
    }
    let mut writers = Vec::new();
    for (n, who) in people.iter().enumerate() {
        let (app, who, referral) = (app.clone(), who.clone(), referrals[n].clone());
        writers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for k in 0..10 {
                let t = Instant::now();
                save(&app, &who, &referral, k).await;
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut saves = Vec::new();
    for w in writers {
        saves.extend(w.await.expect("writer"));
    }
    writing.store(false, std::sync::atomic::Ordering::SeqCst);
    let mut reads = Vec::new();
    for r in readers {
        reads.extend(r.await.expect("reader"));
    }
    println!(
        "8 writers and 16 readers at once, {:.1} s: saves {}; reads {}",
        started.elapsed().as_secs_f64(),
        summary(saves, "saves"),
        summary(reads, "reads")
    );
    println!("peak RSS: {:.0} MiB", peak_rss_mib());
    store.close().await;
}
