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
