//! Writes on the national service through the web application (issue 10):
//! start-up on the stored national service, 20 contacts one after another,
//! 8 people saving at once, each saved contact on its page at once, and the
//! process's peak memory. Timings of whole requests through the router (as a
//! browser's form posts arrive), on SQLite.
//!
//! `cargo bench -p ipstrack-web --bench writes`

use std::time::Instant;

use axum::http::StatusCode;

mod national;
use national::{get, ms, peak_rss_mib, percentile, post, send, sign_in};

fn main() {
    national::main_with(run);
}

async fn run(path: &std::path::Path) {
    let (
        national::Served {
            store,
            app,
            es,
            referrals,
        },
        loaded,
    ) = national::serve(path).await;
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
            location: None,
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
        // The whole timeline (issue 23: the referral's page shows the
        // recent contacts only).
        let (_, _, page) = send(&app, get(&format!("{path}/timeline"), session)).await;
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
