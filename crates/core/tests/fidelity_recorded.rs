//! FIDR-15, FIDR-16: competitive jobs and community-based services, read
//! from what issue 26 records (a job's minimum wage and openness, where a
//! contact was held), with the boundary of every anchor.

mod common;

use common::*;
use ipstrack_core::Period;
use ipstrack_core::fidelity::recorded::{community_based_score, competitive_jobs_score};
use ipstrack_core::fidelity::{Evidence, ItemId, ReviewScope, Source, evidence};
use serde_json::{Value, json};

fn quarter() -> Period {
    Period::range(d("2024-04-01"), d("2024-06-30"))
}

fn service(referrals: Vec<Value>, item: ItemId) -> Evidence {
    let loaded = load(&doc(referrals));
    let all = evidence(
        &loaded.dataset,
        ReviewScope::Service,
        &quarter(),
        d("2024-06-30"),
    );
    all.into_iter().find(|e| e.item == item).unwrap()
}

/// Referral `i` of es1 with one job started on `start` answering `extra`.
fn with_job(i: usize, start: &str, extra: Value) -> Value {
    referral(&format!("r{i}"), json!({"jobs": [job("j1", start, extra)]}))
}

#[test]
fn fidr_15_competitive_jobs_share_of_those_recorded() {
    let yes = json!({"pays_minimum_wage": true, "open_to_anyone": true});
    let mut referrals: Vec<Value> = (0..9)
        .map(|i| with_job(i, "2024-05-01", yes.clone()))
        .collect();
    // Below the minimum wage; set aside; not recorded; before the period;
    // held at referral: only the first two count against, the rest are out.
    referrals.push(with_job(
        9,
        "2024-05-01",
        json!({"pays_minimum_wage": false, "open_to_anyone": true}),
    ));
    referrals.push(with_job(10, "2024-05-02", json!({"open_to_anyone": false})));
    referrals.push(with_job(11, "2024-05-03", json!({})));
    referrals.push(with_job(12, "2024-03-01", yes.clone()));
    let e = service(referrals, ItemId::CompetitiveJobs);
    assert_eq!(e.source, Source::Records);
    assert_eq!(
        (e.records, e.suggested),
        (11, Some(3)),
        "9 of 11 is 81.8%: 3"
    );
    assert!(
        e.words
            .starts_with("9 of 11 job starts whose answers are recorded are competitive (82%"),
        "{}",
        e.words
    );
    assert!(e.words.contains("1 not recorded, left out"), "{}", e.words);
}

#[test]
fn fidr_15_competitive_jobs_95_percent_scores_5_and_94_scores_4() {
    assert_eq!(competitive_jobs_score(19, 20), 5, "95%");
    assert_eq!(competitive_jobs_score(94, 100), 4, "94%");
    assert_eq!(competitive_jobs_score(85, 100), 4);
    assert_eq!(competitive_jobs_score(84, 100), 3);
    assert_eq!(competitive_jobs_score(75, 100), 3);
    assert_eq!(competitive_jobs_score(74, 100), 2);
    assert_eq!(competitive_jobs_score(65, 100), 2);
    assert_eq!(competitive_jobs_score(64, 100), 1);
}

#[test]
fn fidr_15_no_job_answered_suggests_nothing() {
    let e = service(
        vec![with_job(0, "2024-05-01", json!({}))],
        ItemId::CompetitiveJobs,
    );
    assert_eq!((e.suggested, e.figure, e.records), (None, None, 1));
    assert!(e.words.contains("none says whether"), "{}", e.words);
}

/// Referral r0 of es1 with contacts (kind, place) in May 2024.
fn with_contacts(places: &[(&str, Option<&str>)]) -> Value {
    let contacts: Vec<Value> = places
        .iter()
        .enumerate()
        .map(|(n, (kind, place))| {
            let mut c = json!({"date": format!("2024-05-{:02}", n + 1), "kind": kind});
            if let Some(p) = place {
                c["location"] = json!(p);
            }
            c
        })
        .collect();
    referral("r0", json!({"contacts": contacts}))
}

#[test]
fn fidr_16_community_based_share_of_contacts_with_a_place() {
    let e = service(
        vec![with_contacts(&[
            ("face_to_face", Some("community")),
            ("face_to_face", Some("home")),
            ("in_work_support", Some("workplace")),
            ("face_to_face", Some("office")),
            ("remote", Some("remote")),
            ("face_to_face", None),
            ("assertive_engagement", Some("home")),
        ])],
        ItemId::CommunityBasedServices,
    );
    assert_eq!(e.source, Source::Records);
    // 3 of 5 placed two-way contacts (60%); the attempt is not a contact
    // held with the person, the unplaced one is left out.
    assert_eq!((e.records, e.suggested), (5, Some(4)));
    assert_eq!(e.figure, Some(0.6));
    assert!(
        e.words.contains("1 without a place left out"),
        "{}",
        e.words
    );
}

#[test]
fn fidr_16_community_based_65_percent_scores_5_and_30_percent_scores_1() {
    assert_eq!(community_based_score(65, 100), 5);
    assert_eq!(community_based_score(64, 100), 4);
    assert_eq!(community_based_score(50, 100), 4);
    assert_eq!(community_based_score(49, 100), 3);
    assert_eq!(community_based_score(40, 100), 3);
    assert_eq!(community_based_score(39, 100), 2);
    assert_eq!(community_based_score(31, 100), 2);
    assert_eq!(community_based_score(30, 100), 1, "30% or less");
    assert_eq!(community_based_score(0, 10), 1);
}

#[test]
fn fidr_16_contacts_outside_the_period_do_not_count() {
    let r = referral(
        "r0",
        json!({"contacts": [
            {"date": "2024-03-31", "kind": "face_to_face", "location": "office"},
            {"date": "2024-04-01", "kind": "face_to_face", "location": "home"},
            {"date": "2024-06-30", "kind": "face_to_face", "location": "community"},
            {"date": "2024-07-01", "kind": "face_to_face", "location": "office"}
        ]}),
    );
    let e = service(vec![r], ItemId::CommunityBasedServices);
    assert_eq!(
        (e.records, e.figure, e.suggested),
        (2, Some(1.0), Some(5)),
        "{}",
        e.words
    );
}
