//! ENG-1..4 *(rev. 3)*: the engagement standards of the caseload guidance as
//! worklist items (fortnightly contact, plan review, team decisions with who
//! agreed, rapid job search) and ENG-4's rapid-search share.
//!
//! The referral: received 2024-06-03, accessed 2024-06-04 with a vocational
//! plan from that day (a review due on 2024-09-03, the first employer
//! contact due by 2024-07-04).

use ipstrack_core::Loaded;
use ipstrack_core::alert::Alert;
use ipstrack_core::employer_engagement::{RapidSearch, rapid_search};
use ipstrack_core::model::StaffIdx;
use ipstrack_core::time::DayRange;
use ipstrack_core::worklist::worklist;
use serde_json::{Value, json};

mod worklist_common;
use worklist_common::{d, one_es_bundle, referral};

/// The bundle with one referral `r1` of es1 with `extra` over its defaults.
fn one_referral(extra: Value) -> Loaded {
    bundle(vec![referral("r1", extra)])
}

/// An employer contact by es1 on `date`, naming client `client` if any.
fn employer_contact(id: &str, date: &str, client: Option<&str>) -> Value {
    json!({"id": id, "es": "es1", "date": date, "employer": "Co-op", "kind": "visit",
           "client": client})
}

fn bundle_with(referrals: Vec<Value>, employer_contacts: Vec<Value>) -> Loaded {
    one_es_bundle("Amira Khan", 1.0, referrals, employer_contacts)
}

fn bundle(referrals: Vec<Value>) -> Loaded {
    bundle_with(referrals, Vec::new())
}

/// The items on `day` of the kind `pick` keeps, as (due date, alert).
fn items(loaded: &Loaded, day: &str, pick: fn(&Alert) -> bool) -> Vec<(String, Alert)> {
    worklist(&loaded.dataset, d(day))
        .into_iter()
        .filter(|i| pick(&i.alert))
        .map(|i| (i.date.to_string(), i.alert))
        .collect()
}

fn fortnightly(a: &Alert) -> bool {
    matches!(a, Alert::FortnightlyContactDue { .. })
}
fn plan_review(a: &Alert) -> bool {
    matches!(a, Alert::PlanReviewDue { .. })
}
fn agreement(a: &Alert) -> bool {
    matches!(a, Alert::DecisionAgreementMissing { .. })
}
fn rapid(a: &Alert) -> bool {
    matches!(a, Alert::RapidSearchDue { .. })
}

fn contacted(extra: Value) -> Value {
    let mut r = referral(
        "r1",
        json!({"contacts": [{"date": "2024-10-01", "kind": "remote"}]}),
    );
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

#[test]
fn eng_1_contact_due_14_days_after_the_last_two_way_contact() {
    let loaded = bundle(vec![contacted(json!({}))]);
    assert_eq!(items(&loaded, "2024-10-14", fortnightly), [], "13 days");
    let due = (
        "2024-10-15".to_string(),
        Alert::FortnightlyContactDue {
            last_contact: d("2024-10-01"),
        },
    );
    assert_eq!(
        items(&loaded, "2024-10-15", fortnightly),
        std::slice::from_ref(&due)
    );
    // The 21-day alert of CASE-4 stays beside it.
    let both = items(&loaded, "2024-10-22", |a| {
        fortnightly(a) || matches!(a, Alert::ContactDue { .. })
    });
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.contains(&due));
}

#[test]
fn eng_1_only_for_active_clients_seeking_work() {
    let in_work = contacted(json!({
        "engagement": [{"date": "2024-09-01", "status": "in_work_support"}],
    }));
    let mut no_plan = contacted(json!({"vocational_plan": null}));
    no_plan["id"] = json!("r2");
    no_plan["client"] = json!("c-r2");
    let loaded = bundle(vec![in_work, no_plan]);
    assert_eq!(items(&loaded, "2024-10-20", fortnightly), []);
}

#[test]
fn eng_1_follows_the_policy() {
    let mut loaded = bundle(vec![contacted(json!({}))]);
    loaded.dataset.policy.contact_due_days = 10;
    assert_eq!(
        items(&loaded, "2024-10-11", fortnightly),
        [(
            "2024-10-11".to_string(),
            Alert::FortnightlyContactDue {
                last_contact: d("2024-10-01")
            }
        )]
    );
}

#[test]
fn eng_2_plan_review_due_91_days_after_its_start_or_latest_review() {
    let loaded = one_referral(json!({}));
    assert_eq!(items(&loaded, "2024-09-02", plan_review), [], "90 days");
    assert_eq!(
        items(&loaded, "2024-09-03", plan_review),
        [(
            "2024-09-03".to_string(),
            Alert::PlanReviewDue {
                last_review: d("2024-06-04")
            }
        )]
    );
    let reviewed = one_referral(
        json!({"vocational_plan": {"start": "2024-06-04", "end": null,
                                   "reviews": ["2024-08-01", "2024-12-01"]}}),
    );
    // The review of 2024-12-01 is not known on 2024-10-31 (T-3).
    assert_eq!(items(&reviewed, "2024-10-30", plan_review), []);
    assert_eq!(
        items(&reviewed, "2024-10-31", plan_review),
        [(
            "2024-10-31".to_string(),
            Alert::PlanReviewDue {
                last_review: d("2024-08-01")
            }
        )]
    );
}

#[test]
fn eng_2_only_an_open_plan_of_an_open_referral() {
    let ended = referral(
        "r1",
        json!({"vocational_plan": {"start": "2024-06-04", "end": "2024-08-31"}}),
    );
    let discharged = referral("r2", json!({"discharge": {"date": "2024-09-01"}}));
    let loaded = bundle(vec![ended, discharged]);
    assert_eq!(items(&loaded, "2024-10-01", plan_review), []);
}

fn decided(agreed_by: Value, end: Option<&str>) -> Value {
    referral(
        "r1",
        json!({"decisions": [{"start": "2024-09-01", "end": end, "status": "active",
                              "reason": "in hospital", "agreed_by": agreed_by}]}),
    )
}

fn missing(agreed_by: u32, es_named: bool) -> Vec<(String, Alert)> {
    vec![(
        "2024-09-01".to_string(),
        Alert::DecisionAgreementMissing {
            decision_start: d("2024-09-01"),
            agreed_by,
            es_named,
        },
    )]
}

#[test]
fn eng_3_a_team_decision_records_the_es_and_one_other() {
    let on = |agreed: Value| {
        items(
            &bundle(vec![decided(agreed, None)]),
            "2024-09-15",
            agreement,
        )
    };
    assert_eq!(on(json!(null)), missing(0, false));
    assert_eq!(on(json!(["es1"])), missing(1, true));
    assert_eq!(
        on(json!(["es1", "ES1"])),
        missing(1, true),
        "one person twice"
    );
    assert_eq!(on(json!(["Dr Patel", "Nurse Ali"])), missing(2, false));
    assert_eq!(on(json!(["es1", "Dr Patel"])), []);
    // The ES by name, as people write it, in any case.
    assert_eq!(on(json!(["amira khan", "Dr Patel"])), []);
    assert_eq!(on(json!(["AMIRA KHAN", "Dr Patel"])), []);
    assert_eq!(on(json!(["Amira", "Dr Patel"])), missing(2, false));
}

#[test]
fn eng_3_only_decisions_in_force_on_the_day() {
    let ended = bundle(vec![decided(json!([]), Some("2024-09-10"))]);
    assert_eq!(items(&ended, "2024-09-10", agreement), missing(0, false));
    assert_eq!(items(&ended, "2024-09-11", agreement), []);
    // An unallocated referral: any two people.
    let mut r = decided(json!(["Dr Patel", "Nurse Ali"]), None);
    r["es"] = Value::Null;
    assert_eq!(items(&bundle(vec![r]), "2024-09-15", agreement), []);
}

#[test]
fn eng_4_first_employer_contact_due_within_30_days_of_access() {
    let loaded = one_referral(json!({}));
    assert_eq!(items(&loaded, "2024-07-03", rapid), [], "29 days");
    assert_eq!(
        items(&loaded, "2024-07-04", rapid),
        [(
            "2024-07-04".to_string(),
            Alert::RapidSearchDue {
                access: d("2024-06-04")
            }
        )]
    );
    // An employer contact naming the client, made on the 30th day: none due.
    let met = bundle_with(
        vec![referral("r1", json!({}))],
        vec![employer_contact("e1", "2024-07-04", Some("c-r1"))],
    );
    assert_eq!(items(&met, "2024-07-10", rapid), []);
}

#[test]
fn eng_4_contacts_before_access_or_for_someone_else_do_not_count() {
    let loaded = bundle_with(
        vec![referral("r1", json!({})), referral("r2", json!({}))],
        vec![
            employer_contact("e1", "2024-06-03", Some("c-r1")),
            employer_contact("e2", "2024-06-10", Some("c-r2")),
            employer_contact("e3", "2024-06-11", None),
        ],
    );
    let due: Vec<String> = worklist(&loaded.dataset, d("2024-07-10"))
        .into_iter()
        .filter(|i| rapid(&i.alert))
        .map(|i| loaded.dataset.referrals[i.referral.unwrap()].id.clone())
        .collect();
    assert_eq!(due, ["r1"]);
}

#[test]
fn eng_4_not_for_a_client_not_seeking_work() {
    let r = referral(
        "r1",
        json!({"engagement": [{"date": "2024-06-20", "status": "not_seeking_work"}]}),
    );
    assert_eq!(items(&bundle(vec![r]), "2024-07-10", rapid), []);
}

#[test]
fn eng_4_the_rapid_search_share() {
    // Accessed 2024-06-04: first contacts on day 30 (within) and 31 (late);
    // r3 none by 2024-07-04 (pending), r4 accessed 2024-06-01 and none by then
    // (33 days: late).
    let loaded = bundle_with(
        vec![
            referral("r1", json!({})),
            referral("r2", json!({})),
            referral("r3", json!({})),
            referral(
                "r4",
                json!({"received": "2024-06-01", "access": "2024-06-01",
                                  "vocational_plan": {"start": "2024-06-01", "end": null}}),
            ),
        ],
        vec![
            employer_contact("e1", "2024-07-04", Some("c-r1")),
            employer_contact("e2", "2024-07-05", Some("c-r2")),
        ],
    );
    let june = DayRange::new(d("2024-06-01"), d("2024-06-30"));
    let got = rapid_search(&loaded.dataset, Some(StaffIdx(0)), june, d("2024-07-04"));
    assert_eq!(
        got,
        RapidSearch {
            within: 1,
            late: 1,
            pending: 2
        },
        "r2's contact of 2024-07-05 is not known yet; r4 is due by 2024-07-01"
    );
    let got = rapid_search(&loaded.dataset, None, june, d("2024-07-05"));
    assert_eq!(
        got,
        RapidSearch {
            within: 1,
            late: 3,
            pending: 0
        }
    );
    assert_eq!(got.share(), Some(2500));
}

#[test]
fn eng_3_a_new_decision_by_one_person_alone_is_refused_with_the_reason() {
    use ipstrack_core::standards::agreement;
    let loaded = one_referral(json!({}));
    let d = &loaded.dataset;
    let es = Some(StaffIdx(0));
    let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let alone = agreement(d, es, &names(&["es1"])).problem().unwrap();
    assert!(alone.contains("one person alone"), "{alone}");
    let without_es = agreement(d, es, &names(&["Dr Patel", "Nurse Ali"]))
        .problem()
        .unwrap();
    assert!(
        without_es.contains("the employment specialist"),
        "{without_es}"
    );
    assert!(agreement(d, es, &names(&[])).problem().is_some());
    assert_eq!(
        agreement(d, es, &names(&["es1", " Dr Patel "])).problem(),
        None
    );
    assert_eq!(
        agreement(d, None, &names(&["Dr Patel", "Nurse Ali"])).problem(),
        None
    );
}
