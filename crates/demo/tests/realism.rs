//! A generated service looks like a real one in the report of its last full
//! financial year: caseloads, job outcomes, sustainment, employed referrals
//! and new starters with year-1 targets.

use std::sync::OnceLock;

use ipstrack_core::{Day, Period, Report};
use ipstrack_demo::{DemoOptions, generate};

/// The report of 2024/25 for 40 ES over two years to 2025-03-31.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let until = Day::parse("2025-03-31").unwrap();
        let doc = generate(&DemoOptions {
            specialists: 40,
            years: 2,
            seed: 1,
            until,
        });
        let text = serde_json::to_string(&doc).unwrap();
        let loaded = ipstrack_core::read_bundle(&text).unwrap();
        let period = Period::parse("2024/25").unwrap();
        let report =
            ipstrack_core::report(&loaded.dataset, &loaded.warnings, &period, until).unwrap();
        eprintln!(
            "2024/25: {} ES; mean open {:.2}, mean active {:.2}; job outcome rate {:?}; \
             sustained 13w {:?}; referrals {:?}",
            report.specialists.len(),
            mean(&report, |k| k.caseload.open),
            mean(&report, |k| k.caseload.active),
            report.service.job_outcome_rate.value,
            report.service.sustained.w13,
            report.service.referrals,
        );
        report
    })
}

fn mean(report: &Report, figure: impl Fn(&ipstrack_core::report::Kpis) -> u32) -> f64 {
    let es = &report.specialists;
    es.iter().map(|s| f64::from(figure(&s.kpis))).sum::<f64>() / es.len() as f64
}

#[test]
fn realism_mean_open_caseload_per_es_is_between_15_and_30() {
    let open = mean(report(), |k| k.caseload.open);
    assert!((15.0..=30.0).contains(&open), "mean open {open}");
}

#[test]
fn realism_mean_active_caseload_per_es_is_between_12_and_27() {
    let active = mean(report(), |k| k.caseload.active);
    assert!((12.0..=27.0).contains(&active), "mean active {active}");
}

#[test]
fn realism_service_job_outcome_rate_is_between_30_and_60_percent() {
    let rate = report()
        .service
        .job_outcome_rate
        .value
        .expect("people supported");
    assert!((0.3..=0.6).contains(&rate), "job outcome rate {rate}");
}

#[test]
fn realism_some_unemployed_people_sustain_13_weeks_in_work() {
    assert!(report().service.sustained.w13.unemployed > 0);
}

#[test]
fn realism_employed_referrals_exist() {
    let s = &report().service;
    assert!(s.referrals.employed > 0);
    assert!(s.referrals.employed * 4 < s.referrals.unemployed);
}

#[test]
fn realism_at_least_one_es_has_year_1_targets() {
    assert!(report().specialists.iter().any(|s| s.targets.year == 1));
}

#[test]
fn realism_people_start_work_and_caseloads_have_holds_and_inactive_clients() {
    let s = &report().service;
    assert!(s.people_into_work.unemployed > 0);
    assert!(s.job_starts.unemployed >= s.people_into_work.unemployed);
    assert!(s.caseload.on_hold > 0);
    assert!(s.caseload.active < s.caseload.open);
    assert!(s.caseload.carried_over > 0);
}
