//! CASE-1 (active client) on the day each criterion tips, CASE-2 (caseload
//! figures) and CASE-3 (carried over).
//!
//! Unless a test says otherwise the referral is `referral("r1", …)`: received
//! and accessed on 2024-04-02 with a vocational plan from that day, and D is
//! 2024-10-31.

mod common;

use common::*;
use ipstrack_core::caseload::Criterion::{self, *};
use ipstrack_core::model::StaffIdx;
use serde_json::{Value, json};

const D: &str = "2024-10-31";

fn contact(date: &str) -> Value {
    json!({"date": date, "kind": "face_to_face"})
}

/// A referral with a two-way contact on 2024-10-20 (11 days before D), changed by `extra`.
fn in_touch(extra: Value) -> Value {
    let mut r = json!({"contacts": [contact("2024-10-20")]});
    merge(&mut r, extra);
    r
}

const NONE: [Criterion; 0] = [];

#[test]
fn case_1_contact_27_days_ago_is_active() {
    let s = status(json!({"contacts": [contact("2024-10-04")]}), D);
    assert!(s.active);
    assert_eq!(s.last_two_way_contact, Some(d("2024-10-04")));
}

#[test]
fn case_1_contact_28_days_ago_is_inactive() {
    assert_eq!(
        failed(json!({"contacts": [contact("2024-10-03")]}), D),
        [InContact]
    );
}

#[test]
fn case_1_each_two_way_kind_counts_as_contact() {
    for kind in ["face_to_face", "remote", "in_work_support"] {
        let contacts = json!([{"date": "2024-10-04", "kind": kind}]);
        assert_eq!(failed(json!({"contacts": contacts}), D), NONE, "{kind}");
    }
}

#[test]
fn case_1_assertive_engagement_with_last_contact_55_days_ago_is_active() {
    let contacts = json!([contact("2024-09-06"),
        {"date": "2024-10-20", "kind": "assertive_engagement"}]);
    assert_eq!(failed(json!({"contacts": contacts}), D), NONE);
}

#[test]
fn case_1_assertive_engagement_with_last_contact_56_days_ago_is_inactive() {
    let contacts = json!([contact("2024-09-05"),
        {"date": "2024-10-20", "kind": "assertive_engagement"}]);
    assert_eq!(failed(json!({"contacts": contacts}), D), [InContact]);
}

#[test]
fn case_1_assertive_engagement_28_days_ago_does_not_count() {
    let at = |attempt: &str| {
        let contacts = json!([contact("2024-09-20"),
            {"date": attempt, "kind": "assertive_engagement"}]);
        failed(json!({"contacts": contacts}), D)
    };
    assert_eq!(at("2024-10-04"), NONE);
    assert_eq!(at("2024-10-03"), [InContact]);
}

#[test]
fn case_1_hold_started_28_days_ago_is_active() {
    let s = status(
        in_touch(json!({"holds": [{"start": "2024-10-03", "end": null}]})),
        D,
    );
    assert!(s.active);
    assert!(s.on_hold);
}

#[test]
fn case_1_hold_started_29_days_ago_is_inactive() {
    let s = status(
        in_touch(json!({"holds": [{"start": "2024-10-02", "end": null}]})),
        D,
    );
    assert_eq!(s.failed.iter().collect::<Vec<_>>(), [NotOnLongHold]);
    assert!(s.on_hold);
}

#[test]
fn case_1_long_hold_that_ended_the_day_before_no_longer_counts() {
    let hold = |end: &str| {
        failed(
            in_touch(json!({"holds": [{"start": "2024-09-01", "end": end}]})),
            D,
        )
    };
    assert_eq!(hold("2024-10-31"), [NotOnLongHold]);
    assert_eq!(hold("2024-10-30"), NONE);
}

#[test]
fn case_1_waiting_list_covering_d_is_inactive() {
    let spell = |start: &str, end: Option<&str>| {
        in_touch(json!({"waiting_list": [{"start": start, "end": end, "expected_return": null}]}))
    };
    let s = status(spell("2024-10-31", None), D);
    assert_eq!(s.failed.iter().collect::<Vec<_>>(), [NotOnWaitingList]);
    assert!(s.waiting_list);
    assert_eq!(
        failed(spell("2024-10-01", Some("2024-10-31")), D),
        [NotOnWaitingList]
    );
}

#[test]
fn case_1_waiting_list_ending_the_day_before_is_active() {
    let r = in_touch(json!({"waiting_list":
        [{"start": "2024-10-01", "end": "2024-10-30", "expected_return": null}]}));
    let s = status(r, D);
    assert!(s.active);
    assert!(!s.waiting_list);
}

#[test]
fn case_1_no_plan_is_inactive() {
    assert_eq!(
        failed(in_touch(json!({"vocational_plan": null})), D),
        [VocationalPlan]
    );
}

#[test]
fn case_1_plan_starting_after_d_is_inactive() {
    let plan = |start: &str| failed(in_touch(json!({"vocational_plan": {"start": start}})), D);
    assert_eq!(plan("2024-11-01"), [VocationalPlan]);
    assert_eq!(plan("2024-10-31"), NONE);
}

#[test]
fn case_1_plan_ended_the_day_before_is_inactive() {
    let r = in_touch(json!({"vocational_plan": {"start": "2024-04-02", "end": "2024-10-30"}}));
    assert_eq!(failed(r, D), [VocationalPlan]);
}

#[test]
fn case_1_plan_ending_on_d_is_still_active() {
    let r = in_touch(json!({"vocational_plan": {"start": "2024-04-02", "end": "2024-10-31"}}));
    assert_eq!(failed(r, D), NONE);
}

#[test]
fn case_1_not_seeking_work_from_d_is_inactive() {
    let r = in_touch(json!({"engagement": [{"date": "2024-10-31", "status": "not_seeking_work"}]}));
    assert_eq!(failed(r.clone(), D), [SeekingWork]);
    assert_eq!(failed(r, "2024-10-30"), NONE);
}

#[test]
fn case_1_in_work_support_and_seeking_again_are_active() {
    let r = json!({"contacts": [contact("2024-09-25"), contact("2024-10-20")], "engagement": [
        {"date": "2024-09-01", "status": "in_work_support"},
        {"date": "2024-10-01", "status": "not_seeking_work"},
        {"date": "2024-10-25", "status": "seeking_work"}]});
    assert_eq!(failed(r.clone(), "2024-09-30"), NONE);
    assert_eq!(failed(r.clone(), "2024-10-24"), [SeekingWork]);
    assert_eq!(failed(r, D), NONE);
}

#[test]
fn case_1_team_decision_active_overrides_a_failed_contact() {
    let r = json!({
        "contacts": [contact("2024-08-01")],
        "holds": [{"start": "2024-08-01", "end": null}],
        "engagement": [{"date": "2024-09-01", "status": "not_seeking_work"}],
        "decisions": [{"start": "2024-10-31", "end": null, "status": "active",
                       "reason": "in hospital, will re-engage"}]});
    let s = status(r.clone(), D);
    assert!(s.active);
    assert_eq!(s.decision, Some(true));
    // The day before the decision the other criteria apply again.
    assert_eq!(
        failed(r, "2024-10-30"),
        [NotOnLongHold, InContact, SeekingWork]
    );
}

#[test]
fn case_1_team_decision_does_not_override_discharge_or_access() {
    let decision = json!([{"start": "2024-10-01", "end": null, "status": "active",
                           "reason": "team agreed"}]);
    let discharged = status(
        in_touch(json!({"decisions": decision, "discharge": {"date": D}})),
        D,
    );
    assert!(!discharged.active);
    assert!(!discharged.open);
    assert_eq!(discharged.failed.iter().collect::<Vec<_>>(), [Open]);
    assert_eq!(
        failed(in_touch(json!({"decisions": decision, "access": null})), D),
        [Accessed]
    );
}

#[test]
fn case_1_team_decision_inactive() {
    let r = in_touch(
        json!({"decisions": [{"start": "2024-10-01", "end": "2024-10-31",
        "status": "inactive", "reason": "moved abroad for a month"}]}),
    );
    let s = status(r.clone(), D);
    assert_eq!(s.failed.iter().collect::<Vec<_>>(), [TeamDecision]);
    assert_eq!(s.decision, Some(false));
    // Ended on D: the next day the ordinary criteria apply again.
    assert_eq!(failed(r, "2024-11-01"), NONE);
}

#[test]
fn case_1_latest_starting_decision_wins() {
    // `later` starts 2024-10-20, `earlier` 2024-10-01; both still running.
    let decisions = |later: &str, earlier: &str, later_listed_first: bool| {
        let later = json!({"start": "2024-10-20", "status": later, "reason": "later"});
        let earlier = json!({"start": "2024-10-01", "status": earlier, "reason": "earlier"});
        let list = if later_listed_first {
            json!([later, earlier])
        } else {
            json!([earlier, later])
        };
        in_touch(json!({"decisions": list}))
    };
    for later_first in [true, false] {
        assert_eq!(
            failed(decisions("active", "inactive", later_first), D),
            NONE
        );
        assert_eq!(
            failed(decisions("inactive", "active", later_first), D),
            [TeamDecision]
        );
        // Before the later one starts, the earlier one is in force.
        assert_eq!(
            failed(decisions("active", "inactive", later_first), "2024-10-19"),
            [TeamDecision]
        );
    }
}

#[test]
fn case_1_discharge_on_d_is_not_open() {
    let discharged = |date: &str| status(in_touch(json!({"discharge": {"date": date}})), D);
    let s = discharged(D);
    assert!(!s.open);
    assert_eq!(s.failed.iter().collect::<Vec<_>>(), [Open]);
    assert!(discharged("2024-11-01").active);
}

#[test]
fn case_1_received_after_d_is_not_open() {
    let r = json!({"received": "2024-11-01", "access": "2024-11-01",
                   "vocational_plan": {"start": "2024-11-01"}});
    assert_eq!(failed(r, D), [Open, Accessed, InContact, VocationalPlan]);
}

#[test]
fn case_1_access_on_d_counts_as_a_contact() {
    let r = |access: &str| {
        json!({"received": "2024-10-01", "access": access,
               "vocational_plan": {"start": "2024-10-01"}})
    };
    let s = status(r(D), D);
    assert!(s.active);
    assert_eq!(s.last_two_way_contact, Some(d(D)));
    assert_eq!(failed(r("2024-11-01"), D), [Accessed, InContact]);
}

#[test]
fn case_1_failed_criteria_come_back_in_rules_order() {
    let r = json!({
        "engagement": [{"date": "2024-10-01", "status": "not_seeking_work"}],
        "vocational_plan": null,
        "contacts": [contact("2024-09-01")],
        "holds": [{"start": "2024-09-01", "end": null}],
        "waiting_list": [{"start": "2024-10-01", "end": null}]});
    assert_eq!(
        failed(r, D),
        [
            NotOnWaitingList,
            NotOnLongHold,
            InContact,
            VocationalPlan,
            SeekingWork
        ]
    );
}

#[test]
fn case_1_policy_moves_the_contact_and_hold_limits() {
    let mut doc = doc(vec![
        referral("contact", json!({"contacts": [contact("2024-10-18")]})),
        referral(
            "hold",
            in_touch(json!({"holds": [{"start": "2024-10-17"}]})),
        ),
    ]);
    doc["policy"] = json!({"contact_window_days": 14, "hold_limit_days": 14});
    let loaded = load(&doc);
    let p = &loaded.dataset.policy;
    let failed_on = |i: usize, day: &str| -> Vec<Criterion> {
        ipstrack_core::caseload::status_on(&loaded.dataset.referrals[i], d(day), p)
            .failed
            .iter()
            .collect()
    };
    // Contact 13 days before D is in, 14 days is out.
    assert_eq!(failed_on(0, "2024-10-31"), NONE);
    assert_eq!(failed_on(0, "2024-11-01"), [InContact]);
    // Hold 14 days old is in, 15 days is out.
    assert_eq!(failed_on(1, D), NONE);
    assert_eq!(failed_on(1, "2024-11-01"), [NotOnLongHold]);
}

/// CASE-2 fixture: es1 at FTE 0.5 and es2 full time, in Q3 2024/25 on 2024-10-31.
fn case_2_report(es2: Value) -> Value {
    let referrals = vec![
        referral("active", in_touch(json!({}))),
        referral(
            "short_hold",
            in_touch(json!({"holds": [{"start": "2024-10-20"}]})),
        ),
        referral(
            "long_hold",
            in_touch(json!({"holds": [{"start": "2024-09-01"}]})),
        ),
        referral(
            "waiting",
            in_touch(json!({"waiting_list": [{"start": "2024-10-01"}]})),
        ),
        referral(
            "waiting_no_access",
            json!({"access": null, "waiting_list": [{"start": "2024-10-01"}]}),
        ),
        referral("no_contact", json!({})),
        referral("no_access", in_touch(json!({"access": null}))),
        referral(
            "discharged",
            in_touch(json!({"discharge": {"date": "2024-10-31"}})),
        ),
        referral("es2_active", in_touch(json!({"es": "es2"}))),
    ];
    let doc = doc_with_staff(
        vec![staff("es1", json!({"fte": 0.5})), staff("es2", es2)],
        referrals,
    );
    report_json(&load(&doc), "2024/25-Q3", D)
}

#[test]
fn case_2_caseload_figures_per_es_team_and_service() {
    let report = case_2_report(json!({}));
    assert_eq!(
        es(&report, "es1")["caseload"],
        json!({"date": D, "active": 2, "open": 5, "on_hold": 2, "waiting_list": 2,
               "carried_over": 0, "active_per_fte": 4.0})
    );
    assert_eq!(es(&report, "es2")["caseload"]["active_per_fte"], 1.0);
    // Team and service: 3 active over 1.5 FTE.
    for block in [&report["teams"][0], &report["service"]] {
        assert_eq!(
            block["caseload"],
            json!({"date": D, "active": 3, "open": 6, "on_hold": 2, "waiting_list": 2,
                   "carried_over": 0, "active_per_fte": 2.0})
        );
    }
}

#[test]
fn case_2_waiting_list_counts_people_not_yet_seen_rev2() {
    let spell = json!([{"start": "2024-10-01", "end": null, "expected_return": null}]);
    let report = report_of(
        vec![
            // Referred, not yet seen, waiting: on the waiting list, not open.
            referral("unseen", json!({"access": null, "waiting_list": spell})),
            // Seen and waiting: on the waiting list and open, never active.
            referral("seen", in_touch(json!({"waiting_list": spell}))),
            // Discharged on D: no longer held, so not waiting.
            referral(
                "discharged",
                json!({"access": null, "waiting_list": spell,
                       "discharge": {"date": D}}),
            ),
            // Received after D: not yet received.
            referral(
                "later",
                json!({"received": "2024-11-01", "access": null, "waiting_list":
                    [{"start": "2024-11-01", "end": null, "expected_return": null}]}),
            ),
            // The spell ended the day before D.
            referral(
                "ended",
                json!({"access": null, "waiting_list":
                    [{"start": "2024-10-01", "end": "2024-10-30", "expected_return": null}]}),
            ),
        ],
        "2024/25-Q3",
        D,
    );
    let caseload = &es(&report, "es1")["caseload"];
    assert_eq!(caseload["waiting_list"], 2);
    assert_eq!(caseload["open"], 1);
    assert_eq!(caseload["active"], 0);
    let s = status(json!({"access": null, "waiting_list": spell}), D);
    assert!(s.waiting_list && s.received && !s.open);
}

#[test]
fn case_2_unallocated_referral_waiting_counts_for_the_service_only() {
    let report = report_of(
        vec![referral(
            "r1",
            json!({"es": null, "access": null, "waiting_list":
                [{"start": "2024-10-01", "end": null, "expected_return": null}]}),
        )],
        "2024/25-Q3",
        D,
    );
    assert_eq!(report["service"]["caseload"]["waiting_list"], 1);
    assert_eq!(report["teams"][0]["caseload"]["waiting_list"], 0);
    assert_eq!(es(&report, "es1")["caseload"]["waiting_list"], 0);
}

/// es2, not in post on D, has one active referral but no active-per-FTE
/// figure and no fidelity caseload score.
#[track_caller]
fn assert_es2_active_without_per_fte(report: &Value) {
    let es2 = es(report, "es2");
    assert_eq!(es2["caseload"]["active"], 1);
    assert_eq!(es2["caseload"]["active_per_fte"], json!(null));
    assert_eq!(es2["fidelity_caseload_score"], json!(null));
}

#[test]
fn case_2_active_per_fte_is_null_when_the_es_left_the_day_before_d() {
    // es2's end date is the day before the caseload day: not in post on D.
    let report = case_2_report(json!({"end_date": "2024-10-30"}));
    assert_es2_active_without_per_fte(&report);
    // In post on their last day: a figure.
    let report = case_2_report(json!({"end_date": D}));
    assert_eq!(es(&report, "es2")["caseload"]["active_per_fte"], 1.0);
    assert_eq!(es(&report, "es2")["fidelity_caseload_score"], 5);
}

#[test]
fn case_2_active_per_fte_is_null_when_the_es_is_not_in_post_on_d() {
    let report = case_2_report(json!({"end_date": "2024-10-30"}));
    assert_es2_active_without_per_fte(&report);
    // The team's FTE on D is es1's 0.5 only.
    assert_eq!(report["teams"][0]["caseload"]["active_per_fte"], 6.0);
}

#[test]
fn case_2_active_per_fte_has_two_decimals() {
    let doc = doc_with_staff(
        vec![staff("es1", json!({"fte": 0.75}))],
        vec![referral("r1", in_touch(json!({})))],
    );
    let report = report_json(&load(&doc), "2024/25-Q3", D);
    // 1 / 0.75 = 1.333…
    assert_eq!(es(&report, "es1")["caseload"]["active_per_fte"], 1.33);
    // 1 / 0.32 = 3.125 exactly, rounded half away from zero.
    let doc = doc_with_staff(
        vec![staff("es1", json!({"fte": 0.32}))],
        vec![referral("r1", in_touch(json!({})))],
    );
    let report = report_json(&load(&doc), "2024/25-Q3", D);
    assert_eq!(es(&report, "es1")["caseload"]["active_per_fte"], 3.13);
}

// CASE-3 (carried over, rev. 3) is tested in rules_carried_over.rs.

// CASE-4 "days until inactive": the engine's figure, never negative.

fn days_until(extra: Value, day: &str) -> Option<i32> {
    status(extra, day).days_until_inactive(d(day))
}

#[test]
fn case_4_days_until_inactive_counts_down_from_the_last_two_way_contact() {
    // Contact on 2024-10-20: active to 2024-11-16 (27 days after), inactive from 2024-11-17.
    assert_eq!(days_until(in_touch(json!({})), D), Some(17));
    assert_eq!(days_until(in_touch(json!({})), "2024-11-16"), Some(1));
    assert_eq!(days_until(in_touch(json!({})), "2024-11-17"), None);
    // The day after the contact window closes the client is inactive: no countdown.
    assert!(!status(in_touch(json!({})), "2024-11-17").active);
}

#[test]
fn case_4_days_until_inactive_includes_assertive_engagement() {
    // Last two-way contact 2024-09-06 (55 days before D), an attempt on 2024-10-20:
    // the attempt keeps the client active until 2024-10-31 (56 days after the
    // contact), so 1 day is left, not a negative figure from the contact alone.
    let contacts = json!([contact("2024-09-06"),
        {"date": "2024-10-20", "kind": "assertive_engagement"}]);
    let s = status(json!({"contacts": contacts}), D);
    assert!(s.active);
    assert_eq!(s.days_until_inactive(d(D)), Some(1));
    assert_eq!(
        s.inactive_from,
        Some(d("2024-11-01")),
        "two-way contact + 28 + 28"
    );
    // An attempt that ends earlier than the extra weeks: attempt + 28.
    let contacts = json!([contact("2024-10-01"),
        {"date": "2024-10-25", "kind": "assertive_engagement"}]);
    let s = status(json!({"contacts": contacts}), D);
    assert_eq!(s.inactive_from, Some(d("2024-11-22")));
    assert_eq!(s.days_until_inactive(d(D)), Some(22));
    // An attempt before the last two-way contact adds nothing.
    let contacts = json!([{"date": "2024-10-15", "kind": "assertive_engagement"},
        contact("2024-10-20")]);
    assert_eq!(days_until(json!({"contacts": contacts}), D), Some(17));
}

#[test]
fn case_4_days_until_inactive_is_none_for_inactive_and_team_decision_clients() {
    // Inactive: nothing to count down.
    assert_eq!(
        days_until(json!({"contacts": [contact("2024-10-03")]}), D),
        None
    );
    // Kept active by a team decision although out of contact.
    let decided = json!({"contacts": [contact("2024-09-01")], "decisions":
        [{"start": "2024-10-01", "end": null, "status": "active", "reason": "in hospital"}]});
    let s = status(decided, D);
    assert!(s.active_by_decision());
    assert_eq!(s.days_until_inactive(d(D)), None);
}

#[test]
fn case_2_es_caseload_agrees_with_the_report() {
    // The caseload page's counts come from `es_caseload`: on the report's
    // caseload day they are the report's figures for the ES.
    let referrals = vec![
        referral("active", in_touch(json!({}))),
        referral(
            "waiting_no_access",
            json!({"access": null, "waiting_list": [{"start": "2024-10-01"}]}),
        ),
        referral("no_access", in_touch(json!({"access": null}))),
        referral("no_contact", json!({})),
        referral(
            "decided",
            json!({"decisions": [{"start": "2024-10-01", "status": "active", "reason": "in hospital"}]}),
        ),
        referral(
            "short_hold",
            in_touch(json!({"holds": [{"start": "2024-10-20"}]})),
        ),
        referral(
            "discharged",
            in_touch(json!({"discharge": {"date": "2024-10-31"}})),
        ),
        referral("es2_active", in_touch(json!({"es": "es2"}))),
    ];
    let loaded = bundle(referrals);
    let report = report_json(&loaded, "2024/25-Q3", D);
    let figures = &es(&report, "es1")["caseload"];
    let c = ipstrack_core::caseload::es_caseload(&loaded.dataset, StaffIdx(0), d(D));
    assert_eq!(figures["open"], c.open);
    assert_eq!(figures["active"], c.active);
    assert_eq!(figures["on_hold"], c.on_hold);
    assert_eq!(figures["waiting_list"], c.waiting_list);
    assert_eq!((c.open, c.not_yet_seen, c.active), (4, 2, 3));
    assert_eq!(c.active_by_decision, 1);
    assert_eq!(c.entries.len(), 6, "open and not yet seen; not discharged");
    let standing = c.standing.expect("in post");
    assert_eq!(standing.open_per_fte.to_string(), "4");
}
