//! Spreadsheet import speed (issue 5): a 50,000-row caseload workbook (one row
//! per client or per job, IPS Grow layout) read, previewed against the store
//! and written to a new SQLite database — the whole `ipstrack import --xlsx`
//! path. Target: under 10 s.
//!
//! `cargo bench -p ipstrack-cli --bench spreadsheet_import`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ipstrack_core::Day;
use ipstrack_core::bundle::BundleDoc;
use ipstrack_demo::{DemoOptions, generate};
use ipstrack_interop::spreadsheet::{
    ImportOptions, Mapping, caseload_xlsx, preview, read_workbook,
};
use ipstrack_store::Store;

const ROWS: usize = 50_000;

/// A generated service cut to 50,000 caseload rows (a referral per row, plus
/// a row for each further job), with the lists that live on other sheets
/// left out so the workbook is one 50,000-row sheet.
fn workbook() -> (BundleDoc, Vec<u8>, usize) {
    let until = Day::parse("2025-03-31").expect("date");
    let mut doc = generate(&DemoOptions {
        specialists: 1_200,
        years: 2,
        seed: 7,
        until,
    });
    let mut rows = 0;
    let mut keep = 0;
    for r in &doc.referrals {
        let n = r.jobs.as_ref().map_or(1, |j| j.len().max(1));
        if rows + n > ROWS {
            break;
        }
        rows += n;
        keep += 1;
    }
    doc.referrals.truncate(keep);
    for r in &mut doc.referrals {
        r.contacts = None;
        r.holds = None;
        r.waiting_list = None;
        r.engagement = None;
        r.decisions = None;
        r.transfers = None;
    }
    let clients: std::collections::HashSet<&str> =
        doc.referrals.iter().map(|r| r.client.as_str()).collect();
    doc.clients.retain(|c| clients.contains(c.id.as_str()));
    let bytes = caseload_xlsx(&doc, &Mapping::default()).expect("xlsx");
    (doc, bytes, rows)
}

fn import(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (doc, bytes, rows) = workbook();
    let staff_only = BundleDoc {
        clients: Vec::new(),
        referrals: Vec::new(),
        ..doc.clone()
    };
    let options = ImportOptions {
        today: Day::parse("2026-11-23").expect("date"),
        team: None,
    };
    let mapping = Mapping::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut n = 0;
    // A database holding the service and its staff, as before an import.
    let mut fresh = || {
        n += 1;
        let path = dir.path().join(format!("import-{n}.sqlite"));
        runtime.block_on(async {
            let store = Store::open(path.to_str().expect("utf-8"))
                .await
                .expect("open");
            store.import(&staff_only, "bench").await.expect("staff");
            store
        })
    };

    // One run by stage, for docs/performance.md.
    let store = fresh();
    let t0 = Instant::now();
    let sheets = read_workbook("bench.xlsx", &bytes).expect("read");
    let t1 = Instant::now();
    let existing = runtime.block_on(store.export()).expect("export");
    let p = preview(&sheets, &mapping, &existing, &options);
    assert!(p.is_clean(), "{:?}", p.problems.first());
    let t2 = Instant::now();
    runtime
        .block_on(store.import(p.to_import(false).expect("clean"), "bench"))
        .expect("import");
    let t3 = Instant::now();
    runtime.block_on(store.close());
    eprintln!(
        "{rows} rows ({} referrals, {} KiB xlsx): read {:.2} s, preview {:.2} s, write {:.2} s, total {:.2} s",
        doc.referrals.len(),
        bytes.len() / 1024,
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        (t3 - t0).as_secs_f64()
    );

    let mut group = c.benchmark_group("spreadsheet import");
    group.sample_size(10);
    group.bench_function("50,000-row xlsx: read + preview + write to SQLite", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let store = fresh();
                let started = Instant::now();
                let sheets = read_workbook("bench.xlsx", black_box(&bytes)).expect("read");
                let existing = runtime.block_on(store.export()).expect("export");
                let p = preview(&sheets, &mapping, &existing, &options);
                runtime
                    .block_on(store.import(p.to_import(false).expect("clean"), "bench"))
                    .expect("import");
                total += started.elapsed();
                runtime.block_on(store.close());
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
