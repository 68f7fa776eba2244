//! TGT-1..3 (performance-plan targets) and FID-1/FID-2 (fidelity).

mod common;

use common::*;
use ipstrack_core::Policy;
use ipstrack_core::alert::Alert;
use ipstrack_core::model::Fte;
use ipstrack_core::targets::{
    BandPosition, Exact, PerFte, Status, access_target, band_position, fidelity_caseload_score,
};
use ipstrack_core::time::DayRange;
use ipstrack_core::worklist::worklist;
use serde_json::{Value, json};

/// The targets of the only ES `es1` (changed by `es`) in a bundle with
/// `policy` and the `referrals`, for `period` as known on `as_of`.
fn targets_with(
    policy: Value,
    es: Value,
    referrals: Vec<Value>,
    period: &str,
    as_of: &str,
) -> Value {
    let mut doc = doc_with_staff(vec![staff("es1", es)], referrals);
    doc["policy"] = policy;
    let report = report_json(&load(&doc), period, as_of);
    report["specialists"][0]["targets"].clone()
}

/// The targets of `es1` (changed by `es`) with the default policy and no referrals.
fn targets(es: Value, period: &str, as_of: &str) -> Value {
    targets_with(json!({}), es, vec![], period, as_of)
}

/// TGT-1 exactly, for `es1` changed by `es`, over `start..=end`.
fn exact(es: Value, service_start: &str, policy: &Policy, start: &str, end: &str) -> Exact {
    let loaded = load(&doc_with_staff(vec![staff("es1", es)], vec![]));
    access_target(
        &loaded.dataset.staff[0],
        d(service_start),
        policy,
        DayRange::new(d(start), d(end)),
    )
}

#[test]
fn tgt_1_full_time_year_2_financial_year_is_40() {
    let t = targets(json!({}), "2024/25", "2025-03-31");
    assert_eq!(t["year"], 2);
    assert_eq!(t["access"], 40.0);
    assert_eq!(t["access_to_date"], 40.0);
    assert_eq!(t["people_into_work"], 16.0);
}

#[test]
fn tgt_1_quarter_3_is_40_times_92_over_365() {
    let t = targets(json!({}), "2024/25-Q3", "2024-12-31");
    assert_eq!(t["access"], 10.1);
    let p = Policy::default();
    assert_eq!(
        exact(json!({}), "2018-04-01", &p, "2024-10-01", "2024-12-31"),
        Exact::new(40 * 92, 365)
    );
}

#[test]
fn tgt_1_leap_financial_year_is_still_40() {
    let t = targets(json!({}), "2023/24", "2024-03-31");
    assert_eq!(t["access"], 40.0);
    let p = Policy::default();
    assert_eq!(
        exact(json!({}), "2018-04-01", &p, "2023-04-01", "2024-03-31"),
        Exact::from_integer(40)
    );
    // The leap day carries 40/366.
    assert_eq!(
        exact(json!({}), "2018-04-01", &p, "2024-02-29", "2024-02-29"),
        Exact::new(40, 366)
    );
}

#[test]
fn tgt_1_year_1_half_time_training_quarter_has_no_target() {
    let es = json!({"start_date": "2024-07-01", "fte": 0.5});
    let q2 = targets(es.clone(), "2024/25-Q2", "2024-09-30");
    assert_eq!(q2["year"], 1);
    assert_eq!(q2["access"], 0.0);
    assert_eq!(q2["people_into_work"], 0.0);
    // Training ends 2024-10-01; the rest of year 1 is 2024-10-01..2025-06-30 (273 days).
    let q3 = targets(es.clone(), "2024/25-Q3", "2024-12-31");
    assert_eq!(q3["year"], 1);
    assert_eq!(q3["access"], 5.9);
    assert_eq!(
        exact(
            es,
            "2018-04-01",
            &Policy::default(),
            "2024-10-01",
            "2024-12-31"
        ),
        Exact::new(35 * 92, 273 * 2)
    );
}

#[test]
fn tgt_1_year_1_carries_the_whole_35() {
    let es = json!({"start_date": "2024-07-01"});
    let p = Policy::default();
    assert_eq!(
        exact(es.clone(), "2018-04-01", &p, "2024-07-01", "2025-06-30"),
        Exact::from_integer(35)
    );
    // The last day of training carries nothing; the first day after it does.
    assert_eq!(
        exact(es.clone(), "2018-04-01", &p, "2024-09-30", "2024-09-30"),
        Exact::from_integer(0)
    );
    assert_eq!(
        exact(es, "2018-04-01", &p, "2024-10-01", "2024-10-01"),
        Exact::new(35, 273)
    );
}

#[test]
fn tgt_1_training_months_0_prorates_plainly() {
    let es = json!({"start_date": "2024-07-01"});
    let t = targets_with(
        json!({"training_months": 0}),
        es,
        vec![],
        "2024/25-Q2",
        "2024-09-30",
    );
    // 35 × 92 / 365 = 8.82…
    assert_eq!(t["access"], 8.8);
    assert_eq!(t["year"], 1);
}

#[test]
fn tgt_1_es_with_end_date_mid_period_gets_nothing_after_it() {
    let t = targets(
        json!({"end_date": "2024-05-15"}),
        "2024/25-Q1",
        "2024-06-30",
    );
    // 2024-04-01..2024-05-15 is 45 days: 40 × 45 / 365 = 4.93…
    assert_eq!(t["access"], 4.9);
    assert_eq!(
        exact(
            json!({"end_date": "2024-05-15"}),
            "2018-04-01",
            &Policy::default(),
            "2024-04-01",
            "2024-06-30"
        ),
        Exact::new(40 * 45, 365)
    );
}

#[test]
fn tgt_1_days_before_the_start_in_post_carry_none() {
    // No training; in post from 2024-06-01: 30 of Q1's days, 35 × 30 / 365 = 2.876…
    let es = json!({"start_date": "2024-06-01"});
    let t = targets_with(
        json!({"training_months": 0}),
        es.clone(),
        vec![],
        "2024/25-Q1",
        "2024-06-30",
    );
    assert_eq!(t["access"], 2.9);
    let p = Policy {
        training_months: 0,
        ..Policy::default()
    };
    assert_eq!(
        exact(es, "2018-04-01", &p, "2024-04-01", "2024-06-30"),
        Exact::new(35 * 30, 365)
    );
}

#[test]
fn tgt_1_service_start_later_than_es_start_moves_year_1() {
    let targets_for = |period: &str, as_of: &str| {
        let mut doc = doc_with_staff(vec![staff("es1", json!({}))], vec![]);
        doc["service"]["start_date"] = json!("2024-07-01");
        report_json(&load(&doc), period, as_of)["specialists"][0]["targets"].clone()
    };
    let q1 = targets_for("2024/25-Q1", "2024-06-30");
    assert_eq!(
        (q1["year"].clone(), q1["access"].clone()),
        (json!(1), json!(0.0))
    );
    let q2 = targets_for("2024/25-Q2", "2024-09-30");
    assert_eq!(
        (q2["year"].clone(), q2["access"].clone()),
        (json!(1), json!(0.0))
    );
    // 35 × 92 / 273 = 11.79…
    let q3 = targets_for("2024/25-Q3", "2024-12-31");
    assert_eq!(
        (q3["year"].clone(), q3["access"].clone()),
        (json!(1), json!(11.8))
    );
}

#[test]
fn tgt_1_year_is_the_year_on_the_last_day_of_the_period() {
    // In post from 2023-07-01: year 2 from 2024-07-01.
    let es = json!({"start_date": "2023-07-01"});
    assert_eq!(targets(es.clone(), "2024/25-Q1", "2024-06-30")["year"], 1);
    assert_eq!(targets(es.clone(), "2024/25-Q2", "2024-09-30")["year"], 2);
    // 2024/25 mixes the end of year 1 (91 of its 274 target days) and year 2.
    let fy = targets(es.clone(), "2024/25", "2025-03-31");
    assert_eq!(fy["year"], 2);
    assert_eq!(fy["access"], 41.7);
    assert_eq!(
        exact(
            es,
            "2018-04-01",
            &Policy::default(),
            "2024-04-01",
            "2025-03-31"
        ),
        Exact::new(35 * 91, 274) + Exact::new(40 * 274, 365)
    );
}

#[test]
fn tgt_1_access_to_date_stops_at_the_as_of_date() {
    let t = targets(json!({}), "2024/25", "2024-06-30");
    assert_eq!(t["access"], 40.0);
    // 40 × 91 / 365 = 9.97…
    assert_eq!(t["access_to_date"], 10.0);
}

#[test]
fn tgt_2_people_into_work_target_is_40_percent_of_access() {
    let q3 = targets(json!({}), "2024/25-Q3", "2024-12-31");
    assert_eq!(
        (q3["access"].clone(), q3["people_into_work"].clone()),
        (json!(10.1), json!(4.0))
    );
    let half = targets_with(
        json!({"job_outcome_rate_target": 0.5}),
        json!({}),
        vec![],
        "2024/25",
        "2025-03-31",
    );
    assert_eq!(half["people_into_work"], 20.0);
    assert_eq!(half["job_outcome_rate"], 0.5);
}

/// Count statuses with a target of 4 a year: 4.0 for 2024/25, 1.0 to
/// 2024-06-30 (4 × 91 / 365 = 0.997); people into work 1.6, to date 0.4.
fn small_target_status(n: usize, into_work: usize) -> Value {
    targets_with(
        json!({"access_target_year2": 4}),
        json!({}),
        unemployed_referrals(n, into_work),
        "2024/25",
        "2024-06-30",
    )
}

#[test]
fn tgt_3_count_status_met_on_track_behind() {
    let t = small_target_status(4, 2);
    assert_eq!(
        (t["access"].clone(), t["access_to_date"].clone()),
        (json!(4.0), json!(1.0))
    );
    assert_eq!(t["people_into_work"], 1.6);
    assert_eq!(t["status"]["access"], "met");
    assert_eq!(t["status"]["people_into_work"], "met");
    let t = small_target_status(1, 1);
    assert_eq!(t["status"]["access"], "on_track");
    assert_eq!(t["status"]["people_into_work"], "on_track");
    let t = small_target_status(0, 0);
    assert_eq!(t["status"]["access"], "behind");
    assert_eq!(t["status"]["people_into_work"], "behind");
}

#[test]
fn tgt_2_people_into_work_target_to_date_is_the_one_the_status_uses() {
    let specialist = |policy: Value, n: usize, into_work: usize, as_of: &str| {
        let mut doc = doc_with_staff(
            vec![staff("es1", json!({}))],
            unemployed_referrals(n, into_work),
        );
        doc["policy"] = policy;
        let loaded = load(&doc);
        let period = ipstrack_core::Period::parse("2024/25").unwrap();
        let r =
            ipstrack_core::report(&loaded.dataset, &loaded.warnings, &period, d(as_of)).unwrap();
        r.specialists[0].clone()
    };
    // 16 × 91 / 365 = 3.989…, reported 4.0.
    let s = specialist(json!({}), 0, 0, "2024-06-30");
    assert_eq!(s.targets.people_into_work, 16.0);
    assert_eq!(s.targets.people_into_work_to_date, 4.0);
    // 1.6 × 91 / 365 = 0.398…, reported 0.4: one person into work is on track.
    let small = json!({"access_target_year2": 4});
    let s = specialist(small.clone(), 1, 1, "2024-06-30");
    assert_eq!(s.targets.people_into_work_to_date, 0.4);
    assert_eq!(s.targets.status.people_into_work, Some(Status::OnTrack));
    // At the year's end the target to date is the year's target.
    let s = specialist(small, 0, 0, "2025-03-31");
    assert_eq!(s.targets.people_into_work_to_date, 1.6);
    // Not a field of ipstrack-report/1.
    let json = serde_json::to_value(&s.targets).unwrap();
    assert!(json.get("people_into_work_to_date").is_none());
}

#[test]
fn case_4_caseload_band_is_inclusive_at_both_ends() {
    let full = Fte::FULL;
    assert_eq!(band_position(19, full, (20, 25)), Some(BandPosition::Below));
    assert_eq!(
        band_position(20, full, (20, 25)),
        Some(BandPosition::Within)
    );
    assert_eq!(
        band_position(25, full, (20, 25)),
        Some(BandPosition::Within)
    );
    assert_eq!(band_position(26, full, (20, 25)), Some(BandPosition::Above));
    assert_eq!(band_position(0, full, (0, 0)), Some(BandPosition::Within));
}

#[test]
fn case_4_caseload_band_is_per_fte_rev2() {
    // 0.6 FTE: 12 is exactly 20 per FTE, 15 exactly 25; 11 is 18.33, 16 is 26.67.
    let fte = Fte(6_000);
    assert_eq!(band_position(11, fte, (20, 25)), Some(BandPosition::Below));
    assert_eq!(band_position(12, fte, (20, 25)), Some(BandPosition::Within));
    assert_eq!(band_position(15, fte, (20, 25)), Some(BandPosition::Within));
    assert_eq!(band_position(16, fte, (20, 25)), Some(BandPosition::Above));
    assert_eq!(band_position(16, Fte(0), (20, 25)), None, "not in post");
    assert_eq!(PerFte::of(16, fte).unwrap().to_string(), "26.67");
    assert_eq!(PerFte::of(11, fte).unwrap().to_string(), "18.33");
    assert_eq!(PerFte::of(9, Fte(4_000)).unwrap().to_string(), "22.5");
}

#[test]
fn tgt_3_count_status_compares_with_the_target_as_reported() {
    // 251 a year at FTE 0.04 is 10.04, reported 10.0: 10 accesses have met it.
    let t = targets_with(
        json!({"access_target_year2": 251}),
        json!({"fte": 0.04}),
        unemployed_referrals(10, 0),
        "2024/25",
        "2025-03-31",
    );
    assert_eq!(t["access"], 10.0);
    assert_eq!(t["status"]["access"], "met");
}

#[test]
fn tgt_3_rate_status_met_behind_or_null() {
    let status = |n: usize, into_work: usize| {
        small_target_status(n, into_work)["status"]["job_outcome_rate"].clone()
    };
    assert_eq!(status(5, 2), "met"); // 0.4
    assert_eq!(status(3, 1), "behind"); // 0.3333
    assert_eq!(status(0, 0), json!(null));
    // No mature first job starts: no sustainment rate.
    assert_eq!(
        small_target_status(5, 2)["status"]["sustainment_rate_13w"],
        json!(null)
    );
}

#[test]
fn tgt_3_sustainment_rate_status() {
    let status = |as_of: &str, end: Value| {
        let r = referral(
            "r1",
            json!({"jobs": [job("j1", "2024-04-05", json!({"end": end}))]}),
        );
        targets_with(json!({}), json!({}), vec![r], "2024/25-Q1", as_of)["status"]
            ["sustainment_rate_13w"]
            .clone()
    };
    assert_eq!(status("2024-07-04", json!(null)), "met");
    assert_eq!(status("2024-07-04", json!("2024-06-30")), "behind");
    assert_eq!(status("2024-07-03", json!(null)), json!(null));
}

#[test]
fn tgt_3_rate_status_compares_the_rate_as_reported() {
    // 2/3 is reported as 0.6667, which meets a target of 0.6667.
    let t = targets_with(
        json!({"job_outcome_rate_target": 0.6667}),
        json!({}),
        unemployed_referrals(3, 2),
        "2024/25-Q1",
        "2024-06-30",
    );
    assert_eq!(t["job_outcome_rate"], 0.6667);
    assert_eq!(t["status"]["job_outcome_rate"], "met");
}

#[test]
fn fid_1_caseload_score_boundaries() {
    let p = Policy::default();
    let score = |active| fidelity_caseload_score(active, Fte::FULL, &p);
    let scores: Vec<(u32, Option<u8>)> = [0, 20, 21, 25, 26, 30, 31, 40, 41, 80]
        .into_iter()
        .map(|a| (a, score(a)))
        .collect();
    assert_eq!(
        scores,
        [
            (0, Some(5)),
            (20, Some(5)),
            (21, Some(4)),
            (25, Some(4)),
            (26, Some(3)),
            (30, Some(3)),
            (31, Some(2)),
            (40, Some(2)),
            (41, Some(1)),
            (80, Some(1))
        ]
    );
}

#[test]
fn fid_1_caseload_per_fte_is_rounded_up_to_a_whole_client() {
    let p = Policy::default();
    // FTE 0.5: 10 active is 20 per FTE, 11 is 22.
    assert_eq!(fidelity_caseload_score(10, Fte(5_000), &p), Some(5));
    assert_eq!(fidelity_caseload_score(11, Fte(5_000), &p), Some(4));
    // FTE 0.6: 12 active is 20 per FTE; 13 is 21.67, rounded up to 22.
    assert_eq!(fidelity_caseload_score(12, Fte(6_000), &p), Some(5));
    assert_eq!(fidelity_caseload_score(13, Fte(6_000), &p), Some(4));
    assert_eq!(fidelity_caseload_score(13, Fte(0), &p), None);
}

#[test]
fn fid_1_score_in_the_report_for_a_half_time_es() {
    let referrals: Vec<Value> = (0..11)
        .map(|i| {
            referral(
                &format!("r{i}"),
                json!({"contacts": [{"date": "2024-06-20", "kind": "remote"}]}),
            )
        })
        .collect();
    let doc = doc_with_staff(vec![staff("es1", json!({"fte": 0.5}))], referrals);
    let report = report_json(&load(&doc), "2024/25-Q1", "2024-06-30");
    let es1 = es(&report, "es1");
    assert_eq!(es1["caseload"]["active"], 11);
    assert_eq!(es1["caseload"]["active_per_fte"], 22.0);
    assert_eq!(es1["fidelity_caseload_score"], 4);
    assert_eq!(report["teams"][0]["fidelity_caseload_score"], json!(null));
    assert_eq!(report["service"]["fidelity_caseload_score"], json!(null));
}

#[test]
fn fid_2_retention_share_over_15_percent_is_flagged() {
    let share = |employed: usize| {
        let referrals: Vec<Value> = (0..20)
            .map(|i| {
                let status = if i < employed {
                    "employed"
                } else {
                    "unemployed"
                };
                referral(
                    &format!("r{i:02}"),
                    json!({"status_at_referral": status,
                           "contacts": [{"date": "2024-06-20", "kind": "remote"}]}),
                )
            })
            .collect();
        let loaded = bundle(referrals);
        worklist(&loaded.dataset, d("2024-06-30"))
            .into_iter()
            .filter(|i| matches!(i.alert, Alert::RetentionShareHigh { .. }))
            .map(|i| i.alert)
            .collect::<Vec<_>>()
    };
    assert_eq!(share(3), []);
    assert_eq!(
        share(4),
        [Alert::RetentionShareHigh {
            employed: 4,
            open: 20,
            max_share: 1500
        }]
    );
}
