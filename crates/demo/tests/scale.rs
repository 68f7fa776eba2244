//! A national-sized service: 2,000 ES over two years.

use std::time::Instant;

use ipstrack_core::Day;
use ipstrack_demo::{DemoOptions, generate};

#[test]
#[ignore = "slow in debug builds; run with --release -- --ignored"]
fn scale_2000_specialists_over_2_years_give_90_000_to_110_000_referrals() {
    let started = Instant::now();
    let doc = generate(&DemoOptions::national(Day::parse("2025-03-31").unwrap()));
    let took = started.elapsed();
    eprintln!("{} referrals in {took:?}", doc.referrals.len());
    assert!(
        (90_000..=110_000).contains(&doc.referrals.len()),
        "{} referrals",
        doc.referrals.len()
    );
    if !cfg!(debug_assertions) {
        assert!(took.as_secs_f64() < 10.0, "generation took {took:?}");
    }
}
