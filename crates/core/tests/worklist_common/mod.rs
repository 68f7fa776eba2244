//! Shared builders of the worklist tests (`worklist.rs`,
//! `worklist_engagement.rs`): one team `t1` with one Employment Specialist
//! `es1`, in post since 2020-01-06, and referrals of es1 received on
//! 2024-06-03 and accessed the next day with a vocational plan from then.

#![allow(dead_code)]

use ipstrack_core::{Day, Loaded, read_bundle};
use serde_json::{Value, json};

/// A day from `YYYY-MM-DD`.
pub fn d(s: &str) -> Day {
    Day::parse(s).unwrap()
}

/// An unemployed referral of client `c-ID` for es1, received 2024-06-03 and
/// accessed 2024-06-04 with a vocational plan from that day, changed by
/// `extra`.
pub fn referral(id: &str, extra: Value) -> Value {
    let mut r = json!({
        "id": id, "client": format!("c-{id}"), "received": "2024-06-03",
        "status_at_referral": "unemployed", "es": "es1", "access": "2024-06-04",
        "vocational_plan": {"start": "2024-06-04", "end": null},
    });
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

/// The bundle of `referrals` (and a client for each) and `employer_contacts`,
/// with es1 named `es_name` at `fte`.
pub fn one_es_bundle(
    es_name: &str,
    fte: f64,
    referrals: Vec<Value>,
    employer_contacts: Vec<Value>,
) -> Loaded {
    let clients: Vec<Value> = referrals
        .iter()
        .map(|r| json!({"id": r["client"]}))
        .collect();
    let doc = json!({
        "format": "ipstrack-bundle/1",
        "service": {"name": "Test", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}],
        "staff": [{"id": "es1", "name": es_name, "role": "es", "team": "t1",
                   "start_date": "2020-01-06", "end_date": null, "fte": fte}],
        "clients": clients,
        "referrals": referrals,
        "employer_contacts": employer_contacts,
    });
    read_bundle(&doc.to_string()).unwrap_or_else(|e| panic!("{e}"))
}
