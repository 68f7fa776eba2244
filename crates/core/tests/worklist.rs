//! CASE-4 (worklist) and FID-2 (job-retention share) alerts.

use ipstrack_core::worklist::{Alert, WorkItem, worklist};
use ipstrack_core::{Day, Loaded, read_bundle};
use serde_json::{Value, json};

fn d(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn bundle(referrals: Vec<Value>) -> Loaded {
    let clients: Vec<Value> = referrals
        .iter()
        .map(|r| json!({"id": r["client"]}))
        .collect();
    let doc = json!({
        "format": "ipstrack-bundle/1",
        "service": {"name": "Test", "start_date": "2018-04-01"},
        "teams": [{"id": "t1", "name": "North"}],
        "staff": [{"id": "es1", "name": "ES One", "role": "es", "team": "t1",
                   "start_date": "2020-01-06", "end_date": null, "fte": 1.0}],
        "clients": clients,
        "referrals": referrals,
    });
    read_bundle(&doc.to_string()).unwrap()
}

fn referral(id: &str, extra: Value) -> Value {
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

fn client_alerts(items: &[WorkItem]) -> Vec<(String, Alert)> {
    items
        .iter()
        .filter(|i| i.referral.is_some())
        .map(|i| (i.date.to_string(), i.alert.clone()))
        .collect()
}

#[test]
fn case_4_contact_due_from_21_days_without_contact() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}),
    )]);
    // 20 days since contact: nothing yet.
    assert!(client_alerts(&worklist(&loaded.dataset, d("2024-10-21"))).is_empty());
    // 21 days: becomes inactive on 2024-10-29 (28 days) without a contact.
    assert_eq!(
        client_alerts(&worklist(&loaded.dataset, d("2024-10-22"))),
        vec![(
            "2024-10-29".to_string(),
            Alert::ContactDue {
                last_contact: d("2024-10-01")
            }
        )]
    );
    // 28 days: already inactive, so no longer a "becomes inactive" alert.
    assert!(client_alerts(&worklist(&loaded.dataset, d("2024-10-29"))).is_empty());
}

#[test]
fn case_4_hold_reaching_28_days() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"contacts": [{"date": "2024-10-20", "kind": "remote"}],
               "holds": [{"start": "2024-10-01", "end": null}]}),
    )]);
    assert!(client_alerts(&worklist(&loaded.dataset, d("2024-10-21"))).is_empty());
    let items = client_alerts(&worklist(&loaded.dataset, d("2024-10-22")));
    assert_eq!(
        items,
        vec![(
            "2024-10-30".to_string(),
            Alert::HoldReachingLimit {
                hold_start: d("2024-10-01")
            }
        )]
    );
}

#[test]
fn case_4_waiting_list_past_expected_return_or_three_months() {
    let loaded = bundle(vec![
        referral(
            "r1",
            json!({"waiting_list": [{"start": "2024-07-01", "end": null, "expected_return": "2024-08-15"}],
                   "contacts": [{"date": "2024-08-10", "kind": "remote"}]}),
        ),
        referral(
            "r2",
            json!({"waiting_list": [{"start": "2024-06-10", "end": null, "expected_return": null}],
                   "contacts": [{"date": "2024-09-05", "kind": "remote"}]}),
        ),
    ]);
    let on = |day: &str| client_alerts(&worklist(&loaded.dataset, d(day)));
    assert!(
        on("2024-08-15").is_empty(),
        "on the expected return day it is not yet overdue"
    );
    assert_eq!(
        on("2024-08-16"),
        vec![(
            "2024-08-15".to_string(),
            Alert::WaitingListOverdue {
                spell_start: d("2024-07-01"),
                expected_return: Some(d("2024-08-15"))
            }
        )]
    );
    let on_sep_10 = on("2024-09-10");
    assert!(
        on_sep_10.contains(&(
            "2024-09-10".to_string(),
            Alert::WaitingListOverdue {
                spell_start: d("2024-06-10"),
                expected_return: None
            }
        )),
        "three calendar months after 2024-06-10: {on_sep_10:?}"
    );
    assert!(!on("2024-09-09").iter().any(|(_, a)| matches!(
        a,
        Alert::WaitingListOverdue {
            expected_return: None,
            ..
        }
    )));
}

#[test]
fn case_4_milestone_due_in_the_next_14_days() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"contacts": [{"date": "2024-09-25", "kind": "in_work_support"}],
               "jobs": [{"id": "j1", "type": "employee", "start": "2024-07-01", "end": null,
                         "hours_per_week": 16}]}),
    )]);
    // 13-week day is 2024-07-01 + 90 = 2024-09-29.
    let milestones = |day: &str| -> Vec<(String, Alert)> {
        client_alerts(&worklist(&loaded.dataset, d(day)))
            .into_iter()
            .filter(|(_, a)| matches!(a, Alert::MilestoneDue { .. }))
            .collect()
    };
    assert!(milestones("2024-09-14").is_empty(), "15 days ahead");
    assert_eq!(
        milestones("2024-09-15"),
        vec![("2024-09-29".to_string(), Alert::MilestoneDue { weeks: 13 })]
    );
    assert_eq!(
        milestones("2024-09-28"),
        vec![("2024-09-29".to_string(), Alert::MilestoneDue { weeks: 13 })]
    );
    assert!(
        milestones("2024-09-29").is_empty(),
        "achieved on the day: no longer due"
    );
}

#[test]
fn case_4_job_awaiting_four_hours() {
    let loaded = bundle(vec![referral(
        "r1",
        json!({"contacts": [{"date": "2024-10-01", "kind": "in_work_support"}],
               "jobs": [{"id": "j1", "type": "zero_hours", "start": "2024-10-01", "end": null,
                         "weekly_hours": [1, 2, 3]}]}),
    )]);
    let awaiting = |day: &str| {
        client_alerts(&worklist(&loaded.dataset, d(day)))
            .into_iter()
            .any(|(date, a)| {
                date == "2024-10-01" && a == Alert::AwaitingFourHours { job: "j1".into() }
            })
    };
    assert!(
        awaiting("2024-10-13"),
        "week 2 (ends 10-14) not yet reached: 1 hour so far"
    );
    assert!(awaiting("2024-10-14"), "3 hours after week 2");
    assert!(
        !awaiting("2024-10-21"),
        "6 hours after week 3: 4 hours completed"
    );
}

#[test]
fn case_4_caseload_outside_band_and_fid_2_retention_share() {
    let mut referrals: Vec<Value> = (0..6)
        .map(|i| {
            referral(
                &format!("r{i}"),
                json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}),
            )
        })
        .collect();
    referrals[0]["status_at_referral"] = json!("employed");
    let loaded = bundle(referrals);
    let es_alerts: Vec<Alert> = worklist(&loaded.dataset, d("2024-10-02"))
        .into_iter()
        .filter(|i| i.referral.is_none())
        .map(|i| i.alert)
        .collect();
    assert_eq!(
        es_alerts,
        vec![
            Alert::CaseloadOutsideBand {
                active: 6,
                band: (20, 25)
            },
            // 1 of 6 open is 16.7% > 15%.
            Alert::RetentionShareHigh {
                employed: 1,
                open: 6
            },
        ]
    );
}

#[test]
fn fid_2_retention_share_at_exactly_15_percent_is_fine() {
    let mut referrals: Vec<Value> = (0..20)
        .map(|i| {
            referral(
                &format!("r{i}"),
                json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}),
            )
        })
        .collect();
    for r in referrals.iter_mut().take(3) {
        r["status_at_referral"] = json!("employed");
    }
    let loaded = bundle(referrals);
    let es_alerts: Vec<Alert> = worklist(&loaded.dataset, d("2024-10-02"))
        .into_iter()
        .filter(|i| i.referral.is_none())
        .map(|i| i.alert)
        .collect();
    assert!(
        es_alerts.is_empty(),
        "20 active is inside the band and 3/20 = 15%: {es_alerts:?}"
    );
}
