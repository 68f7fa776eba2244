//! FIDR-17, FIDR-18: work incentives planning (a better-off calculation
//! offered) and disclosure (the person's choice recorded), read from what
//! issue 26 records, with the boundary of every anchor; and BAD-1 for the
//! new fields (a better-off calculation's date, a disclosure choice, job
//! preferences on the vocational plan), checked as every other field is
//! and written back as read.

mod common;

use common::*;
use ipstrack_core::Period;
use ipstrack_core::bundle::{limits, referral_document};
use ipstrack_core::fidelity::recorded::work_incentives_score;
use ipstrack_core::fidelity::{Evidence, ItemId, ReviewScope, Source, evidence};
use ipstrack_core::model::{Disclosure, DisclosureChoice};
use serde_json::{Value, json};

fn quarter() -> Period {
    Period::range(d("2024-04-01"), d("2024-06-30"))
}

fn service_as_of(referrals: Vec<Value>, item: ItemId, as_of: &str) -> Evidence {
    let loaded = load(&doc(referrals));
    let all = evidence(&loaded.dataset, ReviewScope::Service, &quarter(), d(as_of));
    all.into_iter().find(|e| e.item == item).unwrap()
}

fn service(referrals: Vec<Value>, item: ItemId) -> Evidence {
    service_as_of(referrals, item, "2024-06-30")
}

/// Referral `i` of es1, accessed on 2024-04-02, changed by `extra`.
fn person(i: usize, extra: Value) -> Value {
    referral(&format!("r{i}"), extra)
}

#[test]
fn fidr_17_share_of_people_accessed_offered_a_better_off_calculation() {
    let mut referrals: Vec<Value> = (0..3)
        .map(|i| person(i, json!({"better_off_calculation": "2024-04-10"})))
        .collect();
    // Not offered; offered after the as-of date (not yet known).
    referrals.push(person(3, json!({})));
    referrals.push(person(4, json!({"better_off_calculation": "2024-07-01"})));
    // Accessed before the period, or never: not among the people.
    referrals.push(person(
        5,
        json!({"received": "2024-03-01", "access": "2024-03-02", "better_off_calculation": "2024-04-10"}),
    ));
    referrals.push(person(6, json!({"access": null, "vocational_plan": null})));
    let e = service(referrals, ItemId::WorkIncentivesPlanning);
    assert_eq!(e.source, Source::Records);
    assert_eq!((e.records, e.figure), (5, Some(0.6)));
    assert_eq!(e.suggested, Some(4), "3 of 5 is most");
    assert!(
        e.words
            .starts_with("3 of 5 people accessed in the period were offered"),
        "{}",
        e.words
    );
}

#[test]
fn fidr_17_words_count_those_offered_it_by_their_job_start() {
    let referrals = vec![
        person(
            0,
            json!({"better_off_calculation": "2024-05-01", "jobs": [job("j1", "2024-05-01", json!({}))]}),
        ),
        person(
            1,
            json!({"better_off_calculation": "2024-05-20", "jobs": [job("j1", "2024-05-10", json!({}))]}),
        ),
        person(2, json!({"jobs": [job("j1", "2024-05-10", json!({}))]})),
    ];
    let e = service(referrals, ItemId::WorkIncentivesPlanning);
    assert!(
        e.words
            .contains("of the 3 who started a job, 1 were offered it by their start"),
        "{}",
        e.words
    );
}

#[test]
fn fidr_17_everyone_is_5_more_than_half_4_some_3_nobody_1() {
    assert_eq!(work_incentives_score(10, 10), Some(5), "everyone");
    assert_eq!(
        work_incentives_score(99, 100),
        Some(4),
        "99% is most, not everyone"
    );
    assert_eq!(work_incentives_score(51, 100), Some(4));
    assert_eq!(work_incentives_score(50, 100), Some(3), "half is not most");
    assert_eq!(work_incentives_score(1, 100), Some(3), "some");
    assert_eq!(work_incentives_score(0, 100), Some(1), "nobody");
    assert_eq!(work_incentives_score(0, 0), None, "no one accessed");
}

#[test]
fn fidr_17_no_one_accessed_gives_no_figure_and_no_suggestion() {
    let e = service(
        vec![person(0, json!({"access": null, "vocational_plan": null}))],
        ItemId::WorkIncentivesPlanning,
    );
    assert_eq!(
        (e.source, e.figure, e.suggested, e.records),
        (Source::Records, None, None, 0)
    );
}

#[test]
fn fidr_17_an_offer_on_the_as_of_date_counts_and_one_after_does_not() {
    let referrals = vec![person(0, json!({"better_off_calculation": "2024-05-15"}))];
    let on = service_as_of(
        referrals.clone(),
        ItemId::WorkIncentivesPlanning,
        "2024-05-15",
    );
    assert_eq!((on.figure, on.suggested), (Some(1.0), Some(5)));
    let before = service_as_of(referrals, ItemId::WorkIncentivesPlanning, "2024-05-14");
    assert_eq!((before.figure, before.suggested), (Some(0.0), Some(1)));
}

#[test]
fn fidr_18_share_of_people_accessed_whose_disclosure_choice_is_recorded() {
    let choice = |c: &str, date: &str| json!({"disclosure": {"choice": c, "date": date}});
    let referrals = vec![
        person(0, choice("full", "2024-04-10")),
        person(1, choice("partial", "2024-04-10")),
        person(2, choice("none", "2024-06-30")),
        person(3, choice("none", "2024-07-01")),
        person(4, json!({})),
    ];
    let e = service(referrals, ItemId::Disclosure);
    assert_eq!(e.source, Source::Records);
    assert_eq!((e.records, e.figure, e.suggested), (5, Some(0.6), None));
    assert!(
        e.words.starts_with(
            "3 of 5 people accessed in the period have their disclosure choice recorded (60%): 1 to tell employers, 1 to tell some things, 1 not to tell."
        ),
        "{}",
        e.words
    );
}

#[test]
fn fidr_18_everyone_recorded_still_suggests_nothing() {
    let e = service(
        vec![person(
            0,
            json!({"disclosure": {"choice": "full", "date": "2024-04-02"}}),
        )],
        ItemId::Disclosure,
    );
    assert_eq!((e.figure, e.suggested), (Some(1.0), None));
}

#[test]
fn bad_1_the_new_fields_are_kept_and_written_back_as_read() {
    let r = person(
        0,
        json!({
            "better_off_calculation": "2024-04-02",
            "disclosure": {"choice": " partial ", "date": "2024-04-03"},
            "vocational_plan": {"start": "2024-04-02", "job_preferences": "  Outdoor work,\nnear home  "}
        }),
    );
    let loaded = load(&doc(vec![r]));
    let r = &loaded.dataset.referrals[0];
    assert_eq!(r.better_off_calculation, Some(d("2024-04-02")));
    assert_eq!(
        r.disclosure,
        Some(Disclosure {
            choice: DisclosureChoice::Partial,
            on: d("2024-04-03")
        })
    );
    assert_eq!(
        r.job_preferences.as_deref(),
        Some("Outdoor work,\nnear home")
    );
    let back = serde_json::to_value(referral_document(&loaded.dataset, r)).unwrap();
    assert_eq!(back["better_off_calculation"], json!("2024-04-02"));
    assert_eq!(
        back["disclosure"],
        json!({"choice": "partial", "date": "2024-04-03"})
    );
    assert_eq!(
        back["vocational_plan"]["job_preferences"],
        json!("Outdoor work,\nnear home")
    );
    // Not recorded: left out of the document.
    let plain = load(&doc(vec![person(1, json!({}))]));
    let back = serde_json::to_value(referral_document(
        &plain.dataset,
        &plain.dataset.referrals[0],
    ))
    .unwrap();
    assert!(back.get("better_off_calculation").is_none());
    assert!(back.get("disclosure").is_none());
    assert!(back["vocational_plan"].get("job_preferences").is_none());
}

#[track_caller]
fn assert_refused(extra: Value, field: &str, text: &str) {
    let (r, f, t) = only_error(&doc(vec![person(0, extra)]));
    let text = format!("referral r0: {text}");
    assert_eq!(
        (r.as_str(), f.as_str(), t.as_str()),
        ("referral r0", field, text.as_str())
    );
}

#[test]
fn bad_1_a_better_off_calculation_is_a_real_date_not_before_the_referral() {
    assert_refused(
        json!({"better_off_calculation": "2024-04-01"}),
        "better_off_calculation",
        "better_off_calculation 2024-04-01 is before received 2024-04-02",
    );
    let errors = refused(&doc(vec![person(
        0,
        json!({"better_off_calculation": "2024-02-30"}),
    )]));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "better_off_calculation");
}

#[test]
fn bad_1_a_disclosure_choice_is_one_of_the_words_discussed_not_before_the_referral() {
    assert_refused(
        json!({"disclosure": {"choice": "some", "date": "2024-04-02"}}),
        "disclosure.choice",
        "disclosure.choice `some` is not one of: full, partial, none",
    );
    assert_refused(
        json!({"disclosure": {"choice": "full", "date": "2024-04-01"}}),
        "disclosure.date",
        "disclosure.date 2024-04-01 is before received 2024-04-02",
    );
}

#[test]
fn bad_1_job_preferences_are_free_text_within_their_limit() {
    let long = "x".repeat(limits::JOB_PREFERENCES_CHARS + 1);
    assert_refused(
        json!({"vocational_plan": {"start": "2024-04-02", "job_preferences": long}}),
        "vocational_plan.job_preferences",
        "vocational_plan.job_preferences must be 500 characters or fewer",
    );
    assert_refused(
        json!({"vocational_plan": {"start": "2024-04-02", "job_preferences": "Shop\u{202E}work"}}),
        "vocational_plan.job_preferences",
        "vocational_plan.job_preferences holds a character that reorders text (U+202E)",
    );
    // Blank is not recorded.
    let loaded = load(&doc(vec![person(
        0,
        json!({"vocational_plan": {"start": "2024-04-02", "job_preferences": "   "}}),
    )]));
    assert_eq!(loaded.dataset.referrals[0].job_preferences, None);
}
