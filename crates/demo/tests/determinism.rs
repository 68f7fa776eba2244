//! The same options always give the same bundle, byte for byte.

use ipstrack_core::Day;
use ipstrack_demo::{DemoOptions, generate};

fn options(seed: u64) -> DemoOptions {
    DemoOptions {
        specialists: 25,
        years: 2,
        seed,
        until: Day::parse("2025-03-31").unwrap(),
    }
}

fn json(options: &DemoOptions) -> String {
    serde_json::to_string(&generate(options)).unwrap()
}

#[test]
fn same_options_twice_give_identical_json() {
    let first = json(&options(7));
    let second = json(&options(7));
    assert!(first == second, "two runs with seed 7 differ");
}

#[test]
fn a_different_seed_gives_different_json() {
    assert_ne!(json(&options(7)), json(&options(8)));
}

#[test]
fn same_options_give_identical_json_with_a_mid_year_until() {
    let options = DemoOptions {
        until: Day::parse("2026-11-23").unwrap(),
        ..options(99)
    };
    assert!(json(&options) == json(&options));
}
