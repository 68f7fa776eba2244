//! Prints the headline figures of a generated service (a calibration aid):
//! `cargo run --release -p ipstrack-demo --example demo_stats -- 40 2 1 2025-03-31 2024/25`

use std::collections::BTreeMap;
use std::time::Instant;

use ipstrack_core::{Day, Period, read_bundle, report};
use ipstrack_demo::{DemoOptions, generate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let options = DemoOptions {
        specialists: arg(0, "40").parse().expect("specialists"),
        years: arg(1, "2").parse().expect("years"),
        seed: arg(2, "1").parse().expect("seed"),
        until: Day::parse(&arg(3, "2025-03-31")).expect("until"),
    };
    let period = Period::parse(&arg(4, "2024/25")).expect("period");
    let started = Instant::now();
    let doc = generate(&options);
    let generated = started.elapsed();
    let text = serde_json::to_string(&doc).expect("json");
    if let Ok(path) = std::env::var("DEMO_OUT") {
        std::fs::write(path, &text).expect("write");
    }
    let loaded = match read_bundle(&text) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let as_of = period.end.min(options.until);
    let rep = report(&loaded.dataset, &loaded.warnings, &period, as_of).expect("report");
    let es = &rep.specialists;
    let n = es.len() as f64;
    let mean = |f: &dyn Fn(&ipstrack_core::report::SpecialistKpis) -> f64| {
        es.iter().map(f).sum::<f64>() / n
    };
    println!(
        "generated {} referrals, {} clients, {} staff in {:?}; {} MiB JSON",
        doc.referrals.len(),
        doc.clients.len(),
        doc.staff.len(),
        generated,
        text.len() / (1 << 20)
    );
    let s = &rep.service;
    println!("service caseload {:?}", s.caseload);
    println!(
        "ES listed {}; mean open {:.1}, active {:.1}, hold {:.2}, waiting {:.2}, carried {:.1}",
        es.len(),
        mean(&|k| f64::from(k.kpis.caseload.open)),
        mean(&|k| f64::from(k.kpis.caseload.active)),
        mean(&|k| f64::from(k.kpis.caseload.on_hold)),
        mean(&|k| f64::from(k.kpis.caseload.waiting_list)),
        mean(&|k| f64::from(k.kpis.caseload.carried_over)),
    );
    println!(
        "mean per ES: referrals {:.1}+{:.1}, access {:.1}+{:.1}, into work {:.1}, job starts {:.1}",
        mean(&|k| f64::from(k.kpis.referrals.unemployed)),
        mean(&|k| f64::from(k.kpis.referrals.employed)),
        mean(&|k| f64::from(k.kpis.access.unemployed)),
        mean(&|k| f64::from(k.kpis.access.employed)),
        mean(&|k| f64::from(k.kpis.people_into_work.unemployed)),
        mean(&|k| f64::from(k.kpis.job_starts.unemployed)),
    );
    println!(
        "service: JOR {:?} ({}/{}), sustain13 {:?} ({}/{} pending {}), working {:?}",
        s.job_outcome_rate.value,
        s.job_outcome_rate.numerator,
        s.job_outcome_rate.denominator,
        s.sustainment_rate_13w.value,
        s.sustainment_rate_13w.numerator,
        s.sustainment_rate_13w.denominator,
        s.sustainment_rate_13w.pending,
        s.working_rate.value
    );
    println!(
        "sustained w13 {:?} w26 {:?} w52 {:?}; people into work {:?}; job starts {:?}",
        s.sustained.w13, s.sustained.w26, s.sustained.w52, s.people_into_work, s.job_starts
    );
    let mut years = BTreeMap::new();
    for k in es {
        *years.entry(k.targets.year).or_insert(0) += 1;
    }
    let mut scores = BTreeMap::new();
    for k in es {
        *scores.entry(k.kpis.fidelity_caseload_score).or_insert(0) += 1;
    }
    println!("target years {years:?}; fidelity scores {scores:?}");
    let mut warnings = BTreeMap::new();
    for w in &rep.warnings {
        let key: String = w.message.chars().take(30).collect();
        *warnings.entry(key).or_insert(0) += 1;
    }
    println!("warnings {}: {warnings:?}", rep.warnings.len());
    let (min, max) = es.iter().fold((u32::MAX, 0), |(lo, hi), k| {
        (
            lo.min(k.kpis.caseload.active),
            hi.max(k.kpis.caseload.active),
        )
    });
    println!("active range {min}..{max}");
}
