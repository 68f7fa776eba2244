//! Performance of the rules engine on a national-size service (issue 2):
//! 2,000 specialists, about 100,000 referrals, two financial years.
//!
//! `cargo bench -p ipstrack-cli --bench report` prints criterion timings for
//! reading (JSON parse, validation) and for the full financial-year report,
//! and, once, the peak heap used while making the report (a counting
//! allocator), so the memory target is checked by the benchmark too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use ipstrack_core::bundle::{parse_document, validate};
use ipstrack_core::equality::{self, Whole};
use ipstrack_core::{Day, Period, fidelity, report};
use ipstrack_demo::{DemoOptions, generate};

/// The system allocator, counting bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: f64 = 1024.0 * 1024.0;

fn national(c: &mut Criterion) {
    let until = Day::parse("2025-03-31").expect("date");
    let doc = generate(&DemoOptions::national(until));
    let text = serde_json::to_string(&doc).expect("serialise");
    drop(doc);
    let loaded = validate(&parse_document(&text).expect("parse")).expect("valid");
    let period = Period::parse("2024/25").expect("period");
    eprintln!(
        "national bundle: {} specialists, {} referrals, {:.0} MiB of JSON",
        loaded.dataset.staff.len(),
        loaded.dataset.referrals.len(),
        text.len() as f64 / MIB
    );

    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let r = report(&loaded.dataset, &loaded.warnings, &period, until).expect("report");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    eprintln!(
        "peak heap while making the FY report: {:.1} MiB (dataset held: {:.0} MiB); {} specialists reported",
        peak as f64 / MIB,
        before as f64 / MIB,
        r.specialists.len()
    );
    drop(r);

    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.bench_function("report FY 2024/25 (2,000 ES, ~100k referrals)", |b| {
        b.iter(|| {
            report(black_box(&loaded.dataset), &loaded.warnings, &period, until).expect("report")
        })
    });
    group.bench_function("report Q3 2024/25", |b| {
        let q3 = Period::parse("2024/25-Q3").expect("period");
        b.iter(|| {
            report(black_box(&loaded.dataset), &loaded.warnings, &q3, q3.end).expect("report")
        })
    });
    // Issue 26's pages read the whole service too: the fidelity review's
    // evidence and the equality figures, for the financial year.
    group.bench_function("fidelity evidence FY 2024/25 (the service)", |b| {
        b.iter(|| {
            fidelity::evidence(
                black_box(&loaded.dataset),
                fidelity::ReviewScope::Service,
                &period,
                until,
            )
        })
    });
    group.bench_function("equality FY 2024/25 (the service)", |b| {
        b.iter(|| {
            equality::equality(black_box(&loaded.dataset), &period, until, Whole::Service)
                .expect("equality")
        })
    });
    group.bench_function("parse JSON bundle", |b| {
        b.iter(|| parse_document(black_box(&text)).expect("parse"))
    });
    let doc = parse_document(&text).expect("parse");
    group.bench_function("validate bundle", |b| {
        b.iter(|| validate(black_box(&doc)).expect("valid"))
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
