//! TGT-3 *(rev. 3)*: the rate targets are yearly, so for a period that is not
//! exactly one financial year the rates' statuses judge the financial year
//! to date (from the first day of the financial year containing the
//! period's last day to that day, as of the same date), reported per ES as
//! `targets.year_to_date`.

mod common;

use common::*;
use serde_json::{Value, json};

/// r1 moved into work in Q1 (job from 2024-05-01, 13 weeks on 2024-07-30);
/// r2 is still seeking work. In Q3 es1's job outcome rate is 0 of 1 and no
/// one joins the 13-week cohort; over 2024/25 to December it is 1 of 2 and
/// the cohort is 1 of 1.
fn service() -> Vec<Value> {
    vec![
        referral("r1", json!({"jobs": [job("j1", "2024-05-01", json!({}))]})),
        referral("r2", json!({})),
    ]
}

fn targets(report: &Value) -> &Value {
    &es(report, "es1")["targets"]
}

#[test]
fn tgt_3_a_quarters_rates_are_judged_on_the_year_to_date() {
    let report = report_of(service(), "2024/25-Q3", "2024-12-31");
    let es1 = es(&report, "es1");
    assert_eq!(
        es1["job_outcome_rate"],
        json!({"numerator": 0, "denominator": 1, "value": 0.0})
    );
    assert_eq!(es1["sustainment_rate_13w"]["value"], Value::Null);
    let t = targets(&report);
    assert_eq!(
        t["year_to_date"],
        json!({
            "period": {"start": "2024-04-01", "end": "2024-12-31", "label": "2024-04-01..2024-12-31"},
            "job_outcome_rate": {"numerator": 1, "denominator": 2, "value": 0.5},
            "sustainment_rate_13w": {"numerator": 1, "denominator": 1, "pending": 0, "value": 1.0},
        })
    );
    assert_eq!(t["status"]["job_outcome_rate"], "met");
    assert_eq!(t["status"]["sustainment_rate_13w"], "met");
}

#[test]
fn tgt_3_a_whole_financial_year_has_no_year_to_date() {
    let report = report_of(service(), "2024/25", "2025-03-31");
    assert_eq!(targets(&report)["year_to_date"], Value::Null);
    // Its own rate is judged: 1 of 2 is 0.5, met.
    assert_eq!(targets(&report)["status"]["job_outcome_rate"], "met");
    // The same days as a range are the same financial year.
    let report = report_of(service(), "2024-04-01..2025-03-31", "2025-03-31");
    assert_eq!(targets(&report)["year_to_date"], Value::Null);
    // One day short is not.
    let report = report_of(service(), "2024-04-01..2025-03-30", "2025-03-31");
    assert_eq!(
        targets(&report)["year_to_date"]["period"]["label"],
        "2024-04-01..2025-03-30"
    );
}

#[test]
fn tgt_3_the_year_is_the_one_containing_the_periods_last_day() {
    // A range across the financial-year edge: 2024/25 from 1 April to its end.
    let report = report_of(service(), "2024-03-01..2024-06-30", "2024-06-30");
    let y = &targets(&report)["year_to_date"];
    assert_eq!(y["period"]["start"], "2024-04-01");
    assert_eq!(y["period"]["end"], "2024-06-30");
    // The first quarter's year to date is the quarter itself.
    let report = report_of(service(), "2024/25-Q1", "2024-06-30");
    assert_eq!(
        targets(&report)["year_to_date"]["job_outcome_rate"],
        es(&report, "es1")["job_outcome_rate"]
    );
}

#[test]
fn tgt_3_the_year_to_date_ends_at_the_period_end_as_of_the_same_date() {
    // As of 2025-03-31, Q2's year to date runs to 2024-09-30 but knows what
    // is known on the as-of date (r1's 13 weeks, reached 2024-07-30).
    let report = report_of(service(), "2024/25-Q2", "2025-03-31");
    let y = &targets(&report)["year_to_date"];
    assert_eq!(y["period"]["end"], "2024-09-30");
    assert_eq!(y["sustainment_rate_13w"]["numerator"], 1);
    // As of 2024-07-29 the cohort is not mature yet: pending, status null.
    let report = report_of(service(), "2024/25-Q2", "2024-07-29");
    let t = targets(&report);
    assert_eq!(t["year_to_date"]["sustainment_rate_13w"]["pending"], 1);
    assert_eq!(t["status"]["sustainment_rate_13w"], Value::Null);
}

#[test]
fn tgt_3_as_of_before_the_years_first_day_gives_0_of_0_and_no_status() {
    let report = report_of(service(), "2024-03-15..2024-04-10", "2024-03-31");
    let t = targets(&report);
    assert_eq!(
        t["year_to_date"]["job_outcome_rate"],
        json!({"numerator": 0, "denominator": 0, "value": null})
    );
    assert_eq!(t["year_to_date"]["sustainment_rate_13w"]["denominator"], 0);
    assert_eq!(t["status"]["job_outcome_rate"], Value::Null);
    assert_eq!(t["status"]["sustainment_rate_13w"], Value::Null);
}

#[test]
fn tgt_3_an_es_not_in_post_in_the_year_still_has_a_year_to_date() {
    // es2 left on 2024-03-20: listed for March–June, and their year
    // to date (April–June) is reported, with what was credited to them.
    let doc = doc_with_staff(
        vec![
            staff("es1", json!({})),
            staff("es2", json!({"end_date": "2024-03-20"})),
        ],
        service(),
    );
    let report = report_json(&load(&doc), "2024-03-01..2024-06-30", "2024-06-30");
    let t = &es(&report, "es2")["targets"];
    assert_eq!(t["year_to_date"]["period"]["start"], "2024-04-01");
    assert_eq!(t["year_to_date"]["job_outcome_rate"]["denominator"], 0);
    assert_eq!(t["status"]["job_outcome_rate"], Value::Null);
}

#[test]
fn tgt_3_teams_and_the_service_have_no_year_to_date() {
    let report = report_of(service(), "2024/25-Q3", "2024-12-31");
    assert!(report["service"].get("targets").is_none());
    assert!(report["teams"][0].get("targets").is_none());
    assert!(report["teams"][0].get("year_to_date").is_none());
}

#[test]
fn tgt_3_the_year_to_date_is_the_report_of_those_days() {
    // On a generated service: each ES's year to date for Q3 (as of a day in
    // Q4) has the rates of the report of 1 April to 31 December itself.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/examples/random-102.bundle.json"),
    )
    .unwrap();
    let loaded = ipstrack_core::read_bundle(&text).unwrap();
    let quarter = report_json(&loaded, "2024/25-Q3", "2025-02-15");
    let days = report_json(&loaded, "2024-04-01..2024-12-31", "2025-02-15");
    let specialists = quarter["specialists"].as_array().unwrap();
    assert!(!specialists.is_empty());
    for s in specialists {
        let id = s["id"].as_str().unwrap();
        let y = &s["targets"]["year_to_date"];
        assert_eq!(y["period"]["label"], "2024-04-01..2024-12-31");
        assert_eq!(
            y["job_outcome_rate"],
            es(&days, id)["job_outcome_rate"],
            "{id}"
        );
        assert_eq!(
            y["sustainment_rate_13w"],
            es(&days, id)["sustainment_rate_13w"],
            "{id}"
        );
        // And the range's statuses judge the same rates.
        assert_eq!(
            s["targets"]["status"]["job_outcome_rate"],
            es(&days, id)["targets"]["status"]["job_outcome_rate"],
            "{id}"
        );
    }
}
