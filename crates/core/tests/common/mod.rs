//! Shared helpers for the `rules_*` boundary tests: small bundles built with
//! `serde_json::json!`, read with `read_bundle`, and reports as JSON values.
//!
//! The default bundle has one team `t1` and two full-time Employment
//! Specialists `es1` and `es2`, in post since 2020-01-06 (so in year 2 of
//! their performance plan), in a service that started on 2018-04-01.
//! Every test file uses a different subset of these helpers.
#![allow(dead_code)]

use ipstrack_core::bundle::BundleError;
use ipstrack_core::caseload::{Criterion, DayStatus, status_on};
use ipstrack_core::model::Referral;
use ipstrack_core::{Day, Loaded, Period, read_bundle, report};
use serde_json::{Value, json};

/// A day from `YYYY-MM-DD`.
pub fn d(s: &str) -> Day {
    Day::parse(s).unwrap_or_else(|| panic!("{s} is not a date"))
}

/// Sets every key of `extra` (an object) on `base`; a `null` sets null.
pub fn merge(base: &mut Value, extra: Value) {
    for (k, v) in extra.as_object().expect("extra is an object") {
        base[k] = v.clone();
    }
}

/// A staff member of team `t1`: a full-time ES in post since 2020-01-06,
/// changed by `extra`.
pub fn staff(id: &str, extra: Value) -> Value {
    let mut s = json!({
        "id": id, "name": format!("Staff {id}"), "role": "es", "team": "t1",
        "start_date": "2020-01-06", "end_date": null, "fte": 1.0,
    });
    merge(&mut s, extra);
    s
}

/// An unemployed referral of client `c-ID` for `es1`, received and accessed on
/// 2024-04-02 with a vocational plan from that day, changed by `extra`.
pub fn referral(id: &str, extra: Value) -> Value {
    let mut r = json!({
        "id": id, "client": format!("c-{id}"), "received": "2024-04-02",
        "status_at_referral": "unemployed", "es": "es1", "access": "2024-04-02",
        "vocational_plan": {"start": "2024-04-02", "end": null},
    });
    merge(&mut r, extra);
    r
}

/// A 16-hours-a-week employee job, changed by `extra`.
pub fn job(id: &str, start: &str, extra: Value) -> Value {
    let mut j = json!({
        "id": id, "type": "employee", "employer": "Co-op", "start": start,
        "end": null, "hours_per_week": 16,
    });
    merge(&mut j, extra);
    j
}

/// A whole bundle document around `staff` and `referrals`; the clients are
/// the distinct `client` values of the referrals.
pub fn doc_with_staff(staff: Vec<Value>, referrals: Vec<Value>) -> Value {
    let mut clients: Vec<String> = referrals
        .iter()
        .filter_map(|r| r["client"].as_str().map(str::to_string))
        .collect();
    clients.sort();
    clients.dedup();
    let clients: Vec<Value> = clients.iter().map(|c| json!({"id": c})).collect();
    json!({
        "format": "ipstrack-bundle/1",
        "service": {"name": "Test IPS", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}],
        "staff": staff,
        "clients": clients,
        "referrals": referrals,
    })
}

/// The default bundle document: team `t1` with `es1` and `es2`.
pub fn doc(referrals: Vec<Value>) -> Value {
    doc_with_staff(
        vec![staff("es1", json!({})), staff("es2", json!({}))],
        referrals,
    )
}

/// Reads a bundle document that must be valid.
pub fn load(doc: &Value) -> Loaded {
    read_bundle(&doc.to_string()).unwrap_or_else(|e| panic!("bundle refused:\n{e}"))
}

/// The default bundle around `referrals`, read.
pub fn bundle(referrals: Vec<Value>) -> Loaded {
    load(&doc(referrals))
}

/// Every BAD-1 error of a bundle document that must be refused.
pub fn refused(doc: &Value) -> Vec<BundleError> {
    refused_text(&doc.to_string())
}

/// Every BAD-1 error of bundle text that must be refused.
pub fn refused_text(text: &str) -> Vec<BundleError> {
    match read_bundle(text) {
        Ok(_) => panic!("the bundle should have been refused"),
        Err(e) => e.0,
    }
}

/// The single BAD-1 error of a refused bundle, as (record, field, displayed text).
pub fn only_error(doc: &Value) -> (String, String, String) {
    let errors = refused(doc);
    assert_eq!(errors.len(), 1, "expected exactly one error: {errors:?}");
    let e = &errors[0];
    (e.record.clone(), e.field.clone(), e.to_string())
}

/// The report of `period` as known on `as_of`, as a JSON value.
pub fn report_json(loaded: &Loaded, period: &str, as_of: &str) -> Value {
    let period = Period::parse(period).expect("period");
    let r = report(&loaded.dataset, &loaded.warnings, &period, d(as_of)).expect("report");
    serde_json::to_value(&r).expect("serialises")
}

/// The default bundle around `referrals`, reported.
pub fn report_of(referrals: Vec<Value>, period: &str, as_of: &str) -> Value {
    report_json(&bundle(referrals), period, as_of)
}

/// The first quarter of 2024/25 and its last day.
pub const Q1: &str = "2024/25-Q1";
pub const Q1_END: &str = "2024-06-30";

/// The default bundle around `referrals`, reported for Q1 as known at its end.
pub fn q1_report(referrals: Vec<Value>) -> Value {
    report_of(referrals, Q1, Q1_END)
}

/// The default bundle around `referrals`, reported for Q1 as known on `as_of`.
pub fn q1_report_as_of(referrals: Vec<Value>, as_of: &str) -> Value {
    report_of(referrals, Q1, as_of)
}

/// The service's figures in the 2024/25-Q1 report as known on `as_of`.
pub fn q1_service(loaded: &Loaded, as_of: &str) -> Value {
    report_json(loaded, "2024/25-Q1", as_of)["service"].clone()
}

/// `n` unemployed referrals of es1 accessed on 2024-04-02; the first
/// `into_work` of them start a job on 2024-05-01.
pub fn unemployed_referrals(n: usize, into_work: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let jobs = if i < into_work {
                json!([job("j1", "2024-05-01", json!({}))])
            } else {
                json!([])
            };
            referral(&format!("r{i}"), json!({"jobs": jobs}))
        })
        .collect()
}

/// The KPI block of ES `id` in a report.
pub fn es<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["specialists"]
        .as_array()
        .expect("specialists")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not listed"))
}

/// The ids listed under `key` (`teams` or `specialists`) of a report.
pub fn ids(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_string())
        .collect()
}

/// `{"unemployed": u, "employed": e}`.
pub fn ue(u: u32, e: u32) -> Value {
    json!({"unemployed": u, "employed": e})
}

/// The only referral of a loaded bundle.
pub fn only_referral(loaded: &Loaded) -> &Referral {
    assert_eq!(loaded.dataset.referrals.len(), 1);
    &loaded.dataset.referrals[0]
}

/// CASE-1: the status on `day` of the referral `referral("r1", extra)`.
pub fn status(extra: Value, day: &str) -> DayStatus {
    let loaded = bundle(vec![referral("r1", extra)]);
    status_on(only_referral(&loaded), d(day), &loaded.dataset.policy)
}

/// CASE-1: the failed criteria, in order, of `referral("r1", extra)` on `day`.
pub fn failed(extra: Value, day: &str) -> Vec<Criterion> {
    status(extra, day).failed.iter().collect()
}
