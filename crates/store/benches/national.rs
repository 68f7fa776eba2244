//! Store performance on a national-size service (issue 3): importing the
//! generated national bundle (2,000 ES, ~100,000 referrals) into SQLite, and
//! an FY report from the database (load + report) against the same report
//! from the bundle in memory.
//!
//! `cargo bench -p ipstrack-store --bench national`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ipstrack_core::bundle::validate;
use ipstrack_core::{Day, Period, report};
use ipstrack_demo::{DemoOptions, generate};
use ipstrack_store::Store;

/// A new SQLite database at `path` holding `doc`.
async fn imported(path: &std::path::Path, doc: &ipstrack_core::bundle::BundleDoc) -> Store {
    let store = Store::open(path.to_str().expect("utf-8"))
        .await
        .expect("open");
    store.import(doc, "bench").await.expect("import");
    store
}

fn national(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let until = Day::parse("2025-03-31").expect("date");
    let doc = generate(&DemoOptions::national(until));
    let period = Period::parse("2024/25").expect("period");
    let dir = tempfile::tempdir().expect("temp dir");

    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    let mut n = 0;
    group.bench_function("import national bundle into a new SQLite file", |b| {
        b.iter(|| {
            n += 1;
            let path = dir.path().join(format!("import-{n}.sqlite"));
            let store = runtime.block_on(imported(&path, black_box(&doc)));
            runtime.block_on(store.close());
            std::fs::remove_file(&path).ok();
        })
    });

    let path = dir.path().join("national.sqlite");
    let store = runtime.block_on(imported(&path, &doc));
    group.bench_function("FY report from the database (load + report)", |b| {
        b.iter(|| {
            let loaded = runtime.block_on(store.load()).expect("load");
            report(&loaded.dataset, &loaded.warnings, &period, until).expect("report")
        })
    });
    group.bench_function(
        "FY report from the bundle in memory (validate + report)",
        |b| {
            b.iter(|| {
                let loaded = validate(black_box(&doc)).expect("valid");
                report(&loaded.dataset, &loaded.warnings, &period, until).expect("report")
            })
        },
    );
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
