//! Crash safety and concurrency of the store.
//!
//! - A writer process is killed with SIGKILL in the middle of a stream of
//!   writes; the reopened database passes its integrity check, holds every
//!   write that had been acknowledged, and no half-written one.
//! - 8 writers and 16 readers run together (`IPSTRACK_SOAK_SECONDS`, default
//!   60) on SQLite and PostgreSQL: no error reaches them ("database is locked"
//!   included) and no acknowledged write is lost.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{databases, example_bundle, import_example};
use ipstrack_core::bundle::ContactDoc;
use ipstrack_store::{AuditFilter, Store};

fn contact(n: u64) -> ContactDoc {
    let day = ipstrack_core::Day::parse("2024-01-01")
        .unwrap()
        .plus((n % 600) as i32);
    ContactDoc {
        date: day.to_string(),
        kind: "remote".into(),
        mechanism: None,
        note: None,
        location: None,
    }
}

/// The child side of the crash test: writes contacts until killed, printing
/// each one once its transaction has committed.
#[tokio::test]
async fn crash_child_writer() {
    let Ok(url) = std::env::var("IPSTRACK_CRASH_CHILD_DB") else {
        return;
    };
    let store = Store::open(&url).await.unwrap();
    let mut n = 0_u64;
    loop {
        let referral = format!("r{}", n % 60 + 1);
        store
            .add_contact(&referral, &contact(n), "crash-writer")
            .await
            .unwrap();
        println!("ack {referral} {n}");
        n += 1;
    }
}

#[tokio::test]
async fn sigkill_during_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir
        .path()
        .join("crash.sqlite")
        .to_string_lossy()
        .into_owned();
    let store = Store::open(&url).await.unwrap();
    import_example(&store, "random-101", "setup").await;
    let mut before = std::collections::HashMap::new();
    for i in 1..=60 {
        let id = format!("r{i}");
        before.insert(id.clone(), store.contact_count(&id).await.unwrap());
    }
    store.close().await;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child_writer",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("IPSTRACK_CRASH_CHILD_DB", &url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = std::collections::HashMap::<String, i64>::new();
    let started = Instant::now();
    while let Some(Ok(line)) = lines.next() {
        if let Some(rest) = line.strip_prefix("ack ") {
            let referral = rest.split_whitespace().next().unwrap().to_string();
            *acknowledged.entry(referral).or_default() += 1;
        }
        if started.elapsed() > Duration::from_millis(1_500)
            && acknowledged.values().sum::<i64>() > 50
        {
            break;
        }
    }
    // SIGKILL: no chance to finish anything.
    child.kill().unwrap();
    child.wait().unwrap();
    let total: i64 = acknowledged.values().sum();
    assert!(total > 50, "the writer wrote too little to test: {total}");

    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.integrity_check().await.unwrap(), Vec::<String>::new());
    let mut written = 0;
    for (id, n) in &before {
        let now = store.contact_count(id).await.unwrap();
        let acked = acknowledged.get(id).copied().unwrap_or(0);
        // Every acknowledged write is there; at most one more (committed, not yet acknowledged).
        assert!(
            now - n >= acked,
            "{id}: {acked} acknowledged, {} found",
            now - n
        );
        written += now - n;
    }
    assert!(
        written - total <= 1,
        "{written} written, {total} acknowledged"
    );
    // No half-written record: each contact has its audit row, in the same transaction.
    let audit = store.audit(&AuditFilter::default()).await.unwrap();
    let contact_rows = audit.iter().filter(|e| e.record_type == "contact").count() as i64;
    assert_eq!(contact_rows, written);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_writers_and_sixteen_readers_lose_nothing() {
    let seconds: u64 = std::env::var("IPSTRACK_SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    for db in databases().await {
        // Two stores (two sets of connections), as two server processes would have.
        let first = db.open().await;
        import_example(&first, "random-101", "setup").await;
        let second = db.open().await;
        let stores = [first, second];
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(AtomicU64::new(0));
        let reads = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for w in 0..8_u64 {
            let store = stores[(w % 2) as usize].clone();
            let (stop, acknowledged) = (stop.clone(), acknowledged.clone());
            tasks.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    // Writers share referrals, so their writes interleave on the same records.
                    let referral = format!("r{}", (w * 7 + n) % 10 + 1);
                    store
                        .add_contact(&referral, &contact(n), &format!("writer{w}"))
                        .await?;
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
                Ok::<(), ipstrack_store::StoreError>(())
            }));
        }
        for r in 0..16_u64 {
            let store = stores[(r % 2) as usize].clone();
            let (stop, reads) = (stop.clone(), reads.clone());
            tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if r % 4 == 0 {
                        store.load().await?;
                    } else {
                        store.contact_count(&format!("r{}", r % 10 + 1)).await?;
                    }
                    reads.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: an error reached a user: {e}", db.name));
        }
        let acknowledged = acknowledged.load(Ordering::Relaxed);
        assert!(acknowledged > 0 && reads.load(Ordering::Relaxed) > 0);
        let audit = stores[0].audit(&AuditFilter::default()).await.unwrap();
        let contacts = audit.iter().filter(|e| e.record_type == "contact").count() as u64;
        assert_eq!(
            contacts, acknowledged,
            "{}: every acknowledged write is there",
            db.name
        );
        let bundle = stores[0].export().await.unwrap();
        let stored: u64 = bundle
            .referrals
            .iter()
            .map(|r| r.contacts.as_ref().map_or(0, Vec::len) as u64)
            .sum();
        let original: u64 = example_bundle("random-101")
            .referrals
            .iter()
            .map(|r| r.contacts.as_ref().map_or(0, Vec::len) as u64)
            .sum();
        assert_eq!(
            stored,
            original + acknowledged,
            "{}: no lost update",
            db.name
        );
        eprintln!(
            "{}: {acknowledged} writes and {} reads in {seconds} s, no error",
            db.name,
            reads.load(Ordering::Relaxed)
        );
        for s in &stores {
            s.close().await;
        }
        db.cleanup().await;
    }
}
