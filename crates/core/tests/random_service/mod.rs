//! A random service of a few ES and referrals, built from a seed: the
//! report's invariants (properties.rs) and its parts (report_parts.rs) are
//! checked over many of them.

use ipstrack_core::Day;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const ENGAGEMENTS: [&str; 3] = ["seeking_work", "in_work_support", "not_seeking_work"];

fn day(n: i32) -> String {
    Day::parse("2023-01-01").unwrap().plus(n).to_string()
}

/// A random service of a few ES and referrals around 2023–2025, built from a
/// seed. With `one_referral_per_client` no person has two referrals.
pub fn service(seed: u64, one_referral_per_client: bool) -> Value {
    let mut rng = StdRng::seed_from_u64(seed);
    let es_count = rng.random_range(1..=4);
    let staff: Vec<Value> = (0..es_count)
        .map(|i| {
            json!({"id": format!("es{i}"), "name": format!("ES {i}"), "role": "es",
                   "team": format!("t{}", i % 2), "start_date": day(-rng.random_range(0..900)),
                   "end_date": null, "fte": if rng.random_bool(0.3) { 0.5 } else { 1.0 }})
        })
        .collect();
    let referral_count = rng.random_range(1..=25);
    let client_count = if one_referral_per_client {
        referral_count
    } else {
        rng.random_range(1..=referral_count)
    };
    let kinds = [
        "face_to_face",
        "remote",
        "in_work_support",
        "assertive_engagement",
    ];
    let job_types = [
        "employee",
        "zero_hours",
        "self_employed",
        "apprenticeship",
        "paid_placement",
    ];
    let referrals: Vec<Value> = (0..referral_count)
        .map(|i| {
            let received = rng.random_range(0..800);
            let es = rng.random_bool(0.9).then(|| format!("es{}", rng.random_range(0..es_count)));
            let access = rng.random_bool(0.85).then(|| received + rng.random_range(0..40));
            let start = access.unwrap_or(received);
            let mut used = std::collections::BTreeSet::new();
            let mut distinct_day = |rng: &mut StdRng, from: i32, span: i32| loop {
                let d = from + rng.random_range(0..span);
                if used.insert(d) {
                    return d;
                }
            };
            let transfers: Vec<Value> = (0..rng.random_range(0..=2))
                .map(|_| json!({"date": day(distinct_day(&mut rng, received, 400)),
                                "es": format!("es{}", rng.random_range(0..es_count))}))
                .collect();
            let contacts: Vec<Value> = (0..rng.random_range(0..12))
                .map(|_| json!({"date": day(start + rng.random_range(0..500)),
                                "kind": kinds[rng.random_range(0..kinds.len())]}))
                .collect();
            let engagement: Vec<Value> = (0..rng.random_range(0..=2))
                .map(|_| json!({"date": day(distinct_day(&mut rng, received, 500)),
                                "status": ENGAGEMENTS[rng.random_range(0..3)]}))
                .collect();
            let hold_start = start + rng.random_range(0..300);
            let holds: Vec<Value> = (0..rng.random_range(0..=1))
                .map(|_| json!({"start": day(hold_start), "end": rng.random_bool(0.5).then(|| day(hold_start + rng.random_range(0..60)))}))
                .collect();
            let waiting: Vec<Value> = (0..rng.random_range(0..=1))
                .map(|_| json!({"start": day(received), "end": access.map(|a| day(a.max(received))), "expected_return": null}))
                .collect();
            let decisions: Vec<Value> = (0..rng.random_range(0..=1))
                .map(|_| {
                    let s = start + rng.random_range(0..300);
                    json!({"start": day(s), "end": rng.random_bool(0.5).then(|| day(s + 30)),
                           "status": if rng.random_bool(0.5) { "active" } else { "inactive" }, "reason": "agreed"})
                })
                .collect();
            let jobs: Vec<Value> = (0..rng.random_range(0..=3))
                .map(|j| {
                    let kind = job_types[rng.random_range(0..job_types.len())];
                    let s = start + rng.random_range(0..400);
                    let end = rng.random_bool(0.5).then(|| day(s + rng.random_range(0..300)));
                    let weekly = (kind == "zero_hours").then(|| {
                        (0..rng.random_range(1..=4)).map(|_| f64::from(rng.random_range(0..12)) / 2.0).collect::<Vec<_>>()
                    });
                    json!({"id": format!("j{j}"), "type": kind, "employer": "Employer", "start": day(s), "end": end,
                           "hours_per_week": if kind == "zero_hours" { None } else { Some(rng.random_range(1..38)) },
                           "weekly_hours": weekly,
                           "four_hours_confirmed": rng.random_bool(0.2).then(|| day(s + rng.random_range(0..20))),
                           "self_employment_registration": (kind == "self_employed" && rng.random_bool(0.7)).then_some("sole_trader"),
                           "retained": false, "return_to_work": null})
                })
                .collect();
            let discharge = rng.random_bool(0.3).then(|| json!({"date": day(received + rng.random_range(0..700)), "reason": "moved"}));
            // Rev. 3: in-work checks (SUS-6), anywhere from the received date on.
            let checks: Vec<Value> = (0..rng.random_range(0..=2))
                .map(|_| json!({"date": day(received + rng.random_range(0..900)), "source": "employer"}))
                .collect();
            let status = if rng.random_bool(0.8) { "unemployed" } else { "employed" };
            json!({"id": format!("r{i}"), "client": format!("c{}", if one_referral_per_client { i } else { rng.random_range(0..client_count) }),
                   "received": day(received), "status_at_referral": status, "es": es, "transfers": transfers,
                   "access": access.map(day),
                   "vocational_plan": access.filter(|_| rng.random_bool(0.85)).map(|a| json!({"start": day(a), "end": null})),
                   "contacts": contacts, "holds": holds, "waiting_list": waiting, "engagement": engagement,
                   "decisions": decisions, "discharge": discharge, "jobs": jobs,
                   "in_work_checks": checks})
        })
        .collect();
    json!({
        "format": "ipstrack-bundle/1",
        "service": {"name": "Random IPS", "start_date": "2018-04-01"},
        "teams": [{"id": "t0", "name": "North"}, {"id": "t1", "name": "South"}],
        "staff": staff,
        "clients": (0..client_count).map(|i| json!({"id": format!("c{i}")})).collect::<Vec<_>>(),
        "referrals": referrals,
    })
}

/// A random service's data (people with several referrals) with a period
/// and an as-of date in it or after it.
#[allow(dead_code)] // properties.rs asks for its own periods
pub fn data_and_window()
-> impl proptest::strategy::Strategy<Value = (ipstrack_core::Dataset, ipstrack_core::Period, Day)> {
    use proptest::prelude::*;
    (any::<u64>(), period_labels(), 0..420_i32).prop_map(|(seed, label, offset)| {
        let bundle = service(seed, false).to_string();
        let data = ipstrack_core::read_bundle(&bundle).unwrap().dataset;
        let period = ipstrack_core::Period::parse(label).unwrap();
        let as_of = period.start.plus(offset);
        (data, period, as_of)
    })
}

/// The periods random services' reports are asked for: a financial year, a
/// quarter of each year and a range across the year's start.
fn period_labels() -> proptest::sample::Select<&'static str> {
    proptest::sample::select(vec![
        "2024/25",
        "2023/24-Q4",
        "2024/25-Q3",
        "2024-02-10..2024-08-31",
    ])
}

/// How many ways [`one_change`] changes a service.
#[allow(dead_code)]
pub const CHANGES: u8 = 6;

/// A random service's data before and after one change to the referral
/// `pick` chooses — its client (0), who holds it (1), its jobs (2), a
/// discharge on its first day (3), its being entered in error (4) — or a
/// copy of it added (5); and the changed referral's position. `None` for a
/// service with no referrals.
#[allow(dead_code)]
pub fn one_change(
    seed: u64,
    pick: proptest::sample::Index,
    change: u8,
) -> Option<(ipstrack_core::Dataset, ipstrack_core::Dataset, usize)> {
    let read = |b: &Value| ipstrack_core::read_bundle(&b.to_string()).unwrap().dataset;
    let mut bundle = service(seed, false);
    let before = read(&bundle);
    let referrals = bundle["referrals"].as_array_mut().unwrap();
    if referrals.is_empty() {
        return None;
    }
    let at = pick.index(referrals.len());
    let changed = if change == 5 {
        let mut added = referrals[at].clone();
        added["id"] = "added".into();
        referrals.push(added);
        referrals.len() - 1
    } else {
        let r = &mut referrals[at];
        let first_day = r["received"].clone();
        match change {
            0 => r["client"] = "c0".into(),
            1 => {
                r["es"] = "es0".into();
                r["transfers"] = json!([]);
            }
            2 => r["jobs"] = json!([]),
            3 => r["discharge"] = json!({"date": first_day, "reason": "moved"}),
            _ => {
                r["entered_in_error"] =
                    json!({"date": first_day, "reason": "duplicate", "recorded_by": "lead"})
            }
        }
        at
    };
    Some((before, read(&bundle), changed))
}
