//! CASE-4 (worklist) and FID-2 (job-retention share) alerts.

use ipstrack_core::alert::{Alert, WorkItem};
use ipstrack_core::caseload::es_caseload;
use ipstrack_core::model::StaffIdx;
use ipstrack_core::targets::{BandPosition, PerFte};
use ipstrack_core::worklist::worklist;
use ipstrack_core::{Day, Loaded, read_bundle};
use serde_json::{Value, json};

mod worklist_common;
use worklist_common::{d, one_es_bundle, referral};

fn bundle(referrals: Vec<Value>) -> Loaded {
    bundle_fte(referrals, 1.0)
}

/// The bundle with es1 at `fte`.
fn bundle_fte(referrals: Vec<Value>, fte: f64) -> Loaded {
    one_es_bundle("ES One", fte, referrals, Vec::new())
}

/// `n` referrals `r0`, `r1`, … of es1, each with a remote contact on
/// 2024-10-01.
fn contacted_on_2024_10_01(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            referral(
                &format!("r{i}"),
                json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}),
            )
        })
        .collect()
}

/// The bundle with one referral `r1` of es1 with `extra` over its defaults.
fn one_referral(extra: Value) -> Loaded {
    bundle(vec![referral("r1", extra)])
}

/// *(rev. 3)* The engagement standards (ENG-1..4), left out of the CASE-4
/// tests here and tested in `worklist_engagement.rs`.
fn is_standard(alert: &Alert) -> bool {
    matches!(
        alert,
        Alert::FortnightlyContactDue { .. }
            | Alert::PlanReviewDue { .. }
            | Alert::DecisionAgreementMissing { .. }
            | Alert::RapidSearchDue { .. }
    )
}

/// The worklist on `day` without the engagement standards.
fn without_standards(loaded: &Loaded, day: &str) -> Vec<WorkItem> {
    worklist(&loaded.dataset, d(day))
        .into_iter()
        .filter(|i| !is_standard(&i.alert))
        .collect()
}

fn client_alerts(items: &[WorkItem]) -> Vec<(String, Alert)> {
    items
        .iter()
        .filter(|i| i.referral.is_some() && !is_standard(&i.alert))
        .map(|i| (i.date.to_string(), i.alert.clone()))
        .collect()
}

/// The referrals' own alerts (no engagement standards) on the worklist of `day`.
fn client_alerts_on(loaded: &Loaded, day: &str) -> Vec<(String, Alert)> {
    client_alerts(&worklist(&loaded.dataset, d(day)))
}

/// The ES's own alerts (about no one referral) on the worklist of `day`.
fn es_alerts_on(loaded: &Loaded, day: &str) -> Vec<Alert> {
    worklist(&loaded.dataset, d(day))
        .into_iter()
        .filter(|i| i.referral.is_none())
        .map(|i| i.alert)
        .collect()
}

#[test]
fn case_4_contact_due_from_21_days_without_contact() {
    let loaded = one_referral(json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}));
    // 20 days since contact: nothing yet.
    assert!(client_alerts_on(&loaded, "2024-10-21").is_empty());
    // 21 days: becomes inactive on 2024-10-29 (28 days) without a contact.
    assert_eq!(
        client_alerts_on(&loaded, "2024-10-22"),
        vec![(
            "2024-10-29".to_string(),
            Alert::ContactDue {
                last_contact: d("2024-10-01")
            }
        )]
    );
    // 28 days: already inactive, so no longer a "becomes inactive" alert:
    // the contact has lapsed (issue 14), dated the day it did, and stays
    // on the worklist, overdue, until a contact is recorded.
    let lapsed = vec![(
        "2024-10-29".to_string(),
        Alert::ContactLapsed {
            last_contact: Some(d("2024-10-01")),
        },
    )];
    assert_eq!(client_alerts_on(&loaded, "2024-10-29"), lapsed);
    assert_eq!(client_alerts_on(&loaded, "2024-12-31"), lapsed);
}

#[test]
fn case_4_a_lapsed_contact_is_listed_only_when_contact_alone_keeps_the_client_inactive() {
    let lapsed_on = |extra: serde_json::Value, day: &str| {
        let mut r = json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        let loaded = bundle(vec![referral("r1", r)]);
        client_alerts_on(&loaded, day)
            .into_iter()
            .any(|(_, a)| matches!(a, Alert::ContactLapsed { .. }))
    };
    assert!(lapsed_on(json!({}), "2024-11-15"));
    // A contact on the day: active again, nothing lapsed.
    assert!(!lapsed_on(
        json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}, {"date": "2024-11-15", "kind": "face_to_face"}]}),
        "2024-11-15"
    ));
    // Not seeking work, no plan, or a team decision: contact alone would not
    // make the client active, so it is not listed as a lapsed contact.
    assert!(!lapsed_on(
        json!({"engagement": [{"date": "2024-10-05", "status": "not_seeking_work"}]}),
        "2024-11-15"
    ));
    assert!(!lapsed_on(
        json!({"vocational_plan": {"start": "2024-06-04", "end": "2024-10-10"}}),
        "2024-11-15"
    ));
    assert!(!lapsed_on(
        json!({"decisions": [{"start": "2024-11-01", "end": null, "status": "inactive", "reason": "abroad"}]}),
        "2024-11-15"
    ));
    // Discharged: not listed.
    assert!(!lapsed_on(
        json!({"discharge": {"date": "2024-11-10", "reason": "moved"}}),
        "2024-11-15"
    ));
}

#[test]
fn case_4_hold_reaching_28_days() {
    let loaded = one_referral(
        json!({"contacts": [{"date": "2024-10-20", "kind": "remote"}],
               "holds": [{"start": "2024-10-01", "end": null}]}),
    );
    assert!(client_alerts_on(&loaded, "2024-10-21").is_empty());
    let items = client_alerts_on(&loaded, "2024-10-22");
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
    let on = |day: &str| client_alerts_on(&loaded, day);
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
    let loaded = one_referral(
        json!({"contacts": [{"date": "2024-09-25", "kind": "in_work_support"}],
               "jobs": [{"id": "j1", "type": "employee", "start": "2024-07-01", "end": null,
                         "hours_per_week": 16}]}),
    );
    // 13-week day is 2024-07-01 + 90 = 2024-09-29.
    let milestones = |day: &str| -> Vec<(String, Alert)> {
        client_alerts_on(&loaded, day)
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
    let loaded = one_referral(
        json!({"contacts": [{"date": "2024-10-01", "kind": "in_work_support"}],
               "jobs": [{"id": "j1", "type": "zero_hours", "start": "2024-10-01", "end": null,
                         "weekly_hours": [1, 2, 3]}]}),
    );
    let awaiting = |day: &str| {
        client_alerts_on(&loaded, day).into_iter().any(|(date, a)| {
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
    let mut referrals: Vec<Value> = contacted_on_2024_10_01(6);
    referrals[0]["status_at_referral"] = json!("employed");
    let loaded = bundle(referrals);
    let es_alerts = es_alerts_on(&loaded, "2024-10-02");
    assert_eq!(es_alerts.len(), 2, "{es_alerts:?}");
    let Alert::CaseloadPerFte { standing } = &es_alerts[0] else {
        panic!("{es_alerts:?}")
    };
    assert_eq!((standing.open, standing.active), (6, 6));
    assert_eq!(standing.band_position, BandPosition::Below);
    assert_eq!(standing.band, (20, 25));
    assert!(!standing.above_fidelity_limit);
    // 1 of 6 open is 16.7% > 15%.
    assert_eq!(
        es_alerts[1],
        Alert::RetentionShareHigh {
            employed: 1,
            open: 6,
            max_share: 1500
        }
    );
}

/// `open` open referrals of es1 at `fte` on 2024-10-02, of which `active` are
/// active (the rest have no vocational plan): the caseload alert, if any.
fn caseload_alert(open: usize, active: usize, fte: f64) -> Option<Alert> {
    let referrals: Vec<Value> = (0..open)
        .map(|i| {
            let mut r = referral(
                &format!("r{i}"),
                json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}),
            );
            if i >= active {
                r["vocational_plan"] = Value::Null;
            }
            r
        })
        .collect();
    let loaded = bundle_fte(referrals, fte);
    worklist(&loaded.dataset, d("2024-10-02"))
        .into_iter()
        .map(|i| i.alert)
        .find(|a| matches!(a, Alert::CaseloadPerFte { .. }))
}

#[test]
fn case_4_open_caseload_per_fte_outside_the_band_rev2() {
    // FTE 0.5: the band 20–25 per FTE is 10–12.5 open referrals.
    let standing = |open, active| match caseload_alert(open, active, 0.5) {
        Some(Alert::CaseloadPerFte { standing }) => Some(standing),
        _ => None,
    };
    assert_eq!(standing(10, 0), None, "20 open per FTE: inside");
    assert_eq!(standing(12, 0), None, "24 open per FTE: inside");
    let below = standing(9, 0).expect("18 per FTE is below");
    assert_eq!(below.band_position, BandPosition::Below);
    assert_eq!(below.open_per_fte, PerFte(1800));
    let above = standing(13, 0).expect("26 per FTE is above");
    assert_eq!(above.band_position, BandPosition::Above);
    assert_eq!(above.open_per_fte.to_string(), "26");
    // Full time: 25 open is inside, 26 above.
    assert_eq!(caseload_alert(25, 20, 1.0), None);
    assert!(caseload_alert(26, 20, 1.0).is_some());
}

#[test]
fn case_4_active_caseload_per_fte_above_the_fidelity_limit_rev2() {
    // FTE 0.5, 12 open (24 per FTE, inside the band): 10 active is 20 per FTE
    // (the limit, score 5), 11 active is 22 per FTE (above: score drops to 4).
    assert_eq!(caseload_alert(12, 10, 0.5), None);
    let Some(Alert::CaseloadPerFte { standing }) = caseload_alert(12, 11, 0.5) else {
        panic!("11 active at 0.5 FTE is above the fidelity limit")
    };
    assert!(standing.above_fidelity_limit);
    assert_eq!(standing.band_position, BandPosition::Within);
    assert_eq!(standing.active_per_fte.to_string(), "22");
    assert_eq!(standing.fidelity_limit, 20);
}

#[test]
fn case_4_caseload_alerts_follow_the_policy_rev2() {
    let referrals: Vec<Value> = contacted_on_2024_10_01(6);
    let mut loaded = bundle(referrals);
    loaded.dataset.policy.caseload_band = (5, 8);
    loaded.dataset.policy.fidelity_caseload = 6;
    assert!(without_standards(&loaded, "2024-10-02").is_empty());
    loaded.dataset.policy.fidelity_caseload = 5;
    assert!(matches!(
        without_standards(&loaded, "2024-10-02")[0].alert,
        Alert::CaseloadPerFte { standing } if standing.above_fidelity_limit
    ));
}

#[test]
fn case_4_contact_due_on_the_day_assertive_engagement_runs_out() {
    // Two-way contact 2024-09-06, attempt 2024-10-20: active until 2024-10-31,
    // inactive from 2024-11-01 (the two-way contact + 56 days).
    let loaded = one_referral(
        json!({"contacts": [{"date": "2024-09-06", "kind": "remote"},
                            {"date": "2024-10-20", "kind": "assertive_engagement"}]}),
    );
    let items = client_alerts_on(&loaded, "2024-10-25");
    assert_eq!(
        items,
        vec![(
            "2024-11-01".to_string(),
            Alert::ContactDue {
                last_contact: d("2024-09-06")
            }
        )]
    );
    let caseload = es_caseload(&loaded.dataset, StaffIdx(0), d("2024-10-25"));
    assert_eq!(caseload.entries[0].days_until_inactive, Some(7));
    assert_eq!(caseload.entries[0].days_since_contact, Some(49));
}

#[test]
fn fid_2_retention_share_at_exactly_15_percent_is_fine() {
    let mut referrals: Vec<Value> = contacted_on_2024_10_01(20);
    for r in referrals.iter_mut().take(3) {
        r["status_at_referral"] = json!("employed");
    }
    let loaded = bundle(referrals);
    let es_alerts = es_alerts_on(&loaded, "2024-10-02");
    assert!(
        es_alerts.is_empty(),
        "20 active is inside the band and 3/20 = 15%: {es_alerts:?}"
    );
}

// SUS-7 (rev. 3): after discharge, "confirm still in work" from 14 days
// before each milestone not reached until a check dated on or after it, or
// a job end, is recorded. j1 from 2024-06-10: 13 weeks on 2024-09-08, 26 on
// 2024-12-08.

fn discharged_in_work(checks: &[&str], end: Option<&str>) -> Loaded {
    let checks: Vec<Value> = checks
        .iter()
        .map(|c| json!({"date": c, "source": "client"}))
        .collect();
    one_referral(
        json!({"discharge": {"date": "2024-07-01", "reason": "in work"},
               "in_work_checks": checks,
               "jobs": [{"id": "j1", "type": "employee", "start": "2024-06-10",
                         "end": end, "hours_per_week": 16}]}),
    )
}

fn confirm(date: &str, weeks: i32) -> (String, Alert) {
    (date.to_string(), Alert::ConfirmStillInWork { weeks })
}

#[test]
fn sus_7_confirm_still_in_work_from_14_days_before_a_milestone() {
    let loaded = discharged_in_work(&[], None);
    let on = |day: &str| client_alerts_on(&loaded, day);
    assert_eq!(on("2024-08-24"), [], "15 days before");
    assert_eq!(on("2024-08-25"), [confirm("2024-09-08", 13)]);
    // Overdue, it stays; the next milestone joins 14 days before it.
    assert_eq!(on("2024-11-23"), [confirm("2024-09-08", 13)]);
    assert_eq!(
        on("2024-11-24"),
        [confirm("2024-09-08", 13), confirm("2024-12-08", 26)]
    );
}

#[test]
fn sus_7_a_check_on_the_milestone_day_clears_it_the_day_before_does_not() {
    let before = discharged_in_work(&["2024-09-07"], None);
    assert_eq!(
        client_alerts_on(&before, "2024-09-10"),
        [confirm("2024-09-08", 13)]
    );
    let on = discharged_in_work(&["2024-09-08"], None);
    assert_eq!(client_alerts_on(&on, "2024-09-10"), []);
    // The next milestone comes round in its turn.
    assert_eq!(
        client_alerts_on(&on, "2024-11-24"),
        [confirm("2024-12-08", 26)]
    );
}

#[test]
fn sus_7_a_recorded_job_end_clears_it() {
    let ended = discharged_in_work(&[], Some("2024-08-01"));
    assert_eq!(client_alerts_on(&ended, "2024-09-01"), []);
}

#[test]
fn sus_7_an_open_referral_gets_the_case_4_milestone_instead() {
    let loaded = one_referral(
        json!({"contacts": [{"date": "2024-08-30", "kind": "in_work_support"}],
               "jobs": [{"id": "j1", "type": "employee", "start": "2024-06-10",
                         "hours_per_week": 16}]}),
    );
    assert_eq!(
        client_alerts_on(&loaded, "2024-09-01"),
        [("2024-09-08".to_string(), Alert::MilestoneDue { weeks: 13 })]
    );
}

#[test]
fn sus_7_nothing_to_confirm_when_the_policy_counts_nothing_after_discharge() {
    let mut loaded = discharged_in_work(&[], None);
    loaded.dataset.policy.sustainment_after_discharge =
        ipstrack_core::policy::AfterDischarge::NotCounted;
    assert_eq!(client_alerts_on(&loaded, "2024-09-01"), []);
}

/// CASE-4 on a referral's own page: `referral_alerts` gives exactly the
/// worklist's items of that referral, soonest first, on every example
/// bundle and on a range of days (including days before its referral).
#[test]
fn case_4_a_referrals_own_alerts_are_its_worklist_items() {
    use ipstrack_core::worklist::referral_alerts;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/examples");
    let mut compared = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".bundle.json") {
            continue;
        }
        let loaded = read_bundle(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let data = &loaded.dataset;
        for day in [
            "2023-04-01",
            "2024-06-30",
            "2024-12-31",
            "2025-03-31",
            "2025-09-30",
        ] {
            let day = d(day);
            let all = worklist(data, day);
            for i in 0..data.referrals.len() {
                let expected: Vec<(Day, Alert)> = all
                    .iter()
                    .filter(|w| w.referral == Some(i))
                    .map(|w| (w.date, w.alert.clone()))
                    .collect();
                assert_eq!(
                    referral_alerts(data, i, day),
                    expected,
                    "{path:?} {i} {day}"
                );
                compared += expected.len();
            }
        }
    }
    assert!(
        compared > 20,
        "the examples have alerts to compare: {compared}"
    );
}
