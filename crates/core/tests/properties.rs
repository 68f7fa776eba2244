//! Invariants of the report over random services (proptest):
//! shuffling records changes nothing; records dated after the as-of date change
//! nothing; people into work ≤ job starts; ES figures add up to their team's;
//! the output is byte-identical across runs; nothing panics on any input.

use ipstrack_core::{Day, Period, read_bundle, report};
use proptest::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

mod random_service;

use random_service::service;

fn report_text(bundle: &Value, period: &Period, as_of: Day) -> String {
    let loaded = read_bundle(&bundle.to_string())
        .unwrap_or_else(|e| panic!("generated bundle invalid: {e}"));
    serde_json::to_string_pretty(&report(&loaded.dataset, &loaded.warnings, period, as_of).unwrap())
        .unwrap()
}

fn periods() -> impl Strategy<Value = (Period, i32)> {
    prop_oneof![
        Just(Period::parse("2024/25").unwrap()),
        Just(Period::parse("2023/24-Q4").unwrap()),
        Just(Period::parse("2024/25-Q3").unwrap()),
        Just(Period::parse("2024-02-10..2024-08-31").unwrap()),
    ]
    .prop_flat_map(|p| {
        let len = p.days().len() as i32;
        (Just(p), 0..len + 60)
    })
}

fn shuffle_array(value: &mut Value, rng: &mut StdRng) {
    if let Some(items) = value.as_array_mut() {
        items.shuffle(rng);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn shuffling_records_changes_nothing(seed in any::<u64>(), (period, offset) in periods(), shuffle_seed in any::<u64>()) {
        let bundle = service(seed, false);
        let as_of = period.start.plus(offset);
        let mut shuffled = bundle.clone();
        let mut rng = StdRng::seed_from_u64(shuffle_seed);
        for key in ["teams", "staff", "clients", "referrals"] {
            shuffle_array(&mut shuffled[key], &mut rng);
        }
        for r in shuffled["referrals"].as_array_mut().unwrap() {
            for key in ["transfers", "contacts", "holds", "waiting_list", "engagement", "decisions", "jobs"] {
                shuffle_array(&mut r[key], &mut rng);
            }
        }
        prop_assert_eq!(report_text(&bundle, &period, as_of), report_text(&shuffled, &period, as_of));
    }

    #[test]
    fn records_after_the_as_of_date_change_nothing(seed in any::<u64>(), (period, offset) in periods(), later in 1..200i32) {
        let bundle = service(seed, false);
        let as_of = period.start.plus(offset);
        let after = |n: i32| as_of.plus(n).to_string();
        let mut extended = bundle.clone();
        let first_es = extended["staff"][0]["id"].clone();
        extended["clients"].as_array_mut().unwrap().push(json!({"id": "c-late"}));
        extended["referrals"].as_array_mut().unwrap().push(json!({
            "id": "r-late", "client": "c-late", "received": after(later), "status_at_referral": "unemployed",
            "es": first_es, "access": after(later + 1),
            "contacts": [{"date": after(later + 2), "kind": "face_to_face"}]}));
        for r in extended["referrals"].as_array_mut().unwrap() {
            let start = r["received"].as_str().unwrap().to_string();
            if Day::parse(&start).unwrap() > as_of { continue; }
            r["contacts"].as_array_mut().unwrap().push(json!({"date": after(later), "kind": "remote"}));
            r["engagement"].as_array_mut().unwrap().push(json!({"date": after(later + 3), "status": "not_seeking_work"}));
            r["transfers"].as_array_mut().unwrap().push(json!({"date": after(later + 4), "es": first_es}));
            r["jobs"].as_array_mut().unwrap().push(json!({"id": "j-late", "type": "employee", "start": after(later),
                "hours_per_week": 30}));
            r["holds"].as_array_mut().unwrap().push(json!({"start": after(later), "end": null}));
            r["waiting_list"].as_array_mut().unwrap().push(json!({"start": after(later), "end": null}));
            r["decisions"].as_array_mut().unwrap().push(json!({"start": after(later), "status": "inactive", "reason": "x"}));
            r["in_work_checks"].as_array_mut().unwrap().push(json!({"date": after(later), "source": "payslip"}));
            if r["access"].is_null() {
                r["access"] = json!(after(later));
            }
            if r["discharge"].is_null() {
                r["discharge"] = json!({"date": after(later + 5)});
            }
            for job in r["jobs"].as_array_mut().unwrap() {
                let started = Day::parse(job["start"].as_str().unwrap()).unwrap() <= as_of;
                if started && job["four_hours_confirmed"].is_null() {
                    job["four_hours_confirmed"] = json!(after(later));
                }
            }
        }
        let strip = |text: String| {
            let mut v: Value = serde_json::from_str(&text).unwrap();
            v.as_object_mut().unwrap().remove("warnings");
            v
        };
        prop_assert_eq!(strip(report_text(&bundle, &period, as_of)), strip(report_text(&extended, &period, as_of)));
    }

    #[test]
    fn people_into_work_never_exceed_job_starts(seed in any::<u64>(), (period, offset) in periods()) {
        let bundle = service(seed, false);
        let text = report_text(&bundle, &period, period.start.plus(offset));
        let v: Value = serde_json::from_str(&text).unwrap();
        let blocks = std::iter::once(&v["service"])
            .chain(v["teams"].as_array().unwrap())
            .chain(v["specialists"].as_array().unwrap());
        for block in blocks {
            for g in ["unemployed", "employed"] {
                prop_assert!(block["people_into_work"][g].as_u64() <= block["job_starts"][g].as_u64(), "{}", block);
            }
            prop_assert!(block["job_outcome_rate"]["numerator"].as_u64() <= block["job_outcome_rate"]["denominator"].as_u64());
            prop_assert!(block["caseload"]["active"].as_u64() <= block["caseload"]["open"].as_u64());
        }
    }

    #[test]
    fn specialists_add_up_to_their_team(seed in any::<u64>(), (period, offset) in periods()) {
        // One referral per client, so no person is counted by two ES; every ES
        // started before the data, so every ES is listed.
        let bundle = service(seed, true);
        let text = report_text(&bundle, &period, period.start.plus(offset));
        let v: Value = serde_json::from_str(&text).unwrap();
        let figures = [
            "/referrals/unemployed", "/referrals/employed", "/job_starts/unemployed", "/job_starts/employed",
            "/sustained/w13/unemployed", "/sustained/w26/employed", "/caseload/active", "/caseload/open",
            "/caseload/on_hold", "/caseload/waiting_list", "/caseload/carried_over",
            "/sustainment_rate_13w/denominator", "/sustainment_rate_13w/pending",
        ];
        let people = ["/access/unemployed", "/access/employed", "/people_into_work/unemployed"];
        for team in v["teams"].as_array().unwrap() {
            let members: Vec<&Value> = v["specialists"].as_array().unwrap().iter().filter(|s| s["team"] == team["id"]).collect();
            for path in figures {
                let sum: u64 = members.iter().map(|s| s.pointer(path).unwrap().as_u64().unwrap()).sum();
                prop_assert!(sum <= team.pointer(path).unwrap().as_u64().unwrap(), "{path}");
            }
            for path in people {
                let sum: u64 = members.iter().map(|s| s.pointer(path).unwrap().as_u64().unwrap()).sum();
                prop_assert!(sum >= team.pointer(path).unwrap().as_u64().unwrap(), "{path}");
            }
        }
        // Every ES is listed (started before the period, no end date), so the
        // team totals are exactly the sums for the additive figures.
        for team in v["teams"].as_array().unwrap() {
            let members: Vec<&Value> = v["specialists"].as_array().unwrap().iter().filter(|s| s["team"] == team["id"]).collect();
            if members.len() as u64 != bundle["staff"].as_array().unwrap().iter().filter(|s| s["team"] == team["id"]).count() as u64 {
                continue;
            }
            for path in figures.iter().chain(&people) {
                let sum: u64 = members.iter().map(|s| s.pointer(path).unwrap().as_u64().unwrap()).sum();
                prop_assert_eq!(sum, team.pointer(path).unwrap().as_u64().unwrap(), "{}", path);
            }
        }
    }

    #[test]
    fn output_is_byte_identical_across_runs(seed in any::<u64>(), (period, offset) in periods()) {
        let bundle = service(seed, false);
        let as_of = period.start.plus(offset);
        prop_assert_eq!(report_text(&bundle, &period, as_of), report_text(&bundle, &period, as_of));
    }

    #[test]
    fn the_bundle_reader_never_panics_on_damaged_input(seed in any::<u64>(), cuts in proptest::collection::vec((any::<prop::sample::Index>(), 0..40usize, any::<u8>()), 1..4)) {
        let mut text = service(seed, false).to_string().into_bytes();
        for (at, len, byte) in cuts {
            let i = at.index(text.len());
            let end = (i + len).min(text.len());
            text.splice(i..end, [byte]);
        }
        let text = String::from_utf8_lossy(&text);
        let _ = read_bundle(&text);
    }

    #[test]
    fn the_bundle_reader_never_panics_on_arbitrary_text(text in ".{0,300}") {
        let _ = read_bundle(&text);
    }
}

proptest! {
    /// Issue 11: every date ipstrack accepts (1900-01-01 to 2099-12-31) can
    /// be used anywhere — its financial year and quarters, a period of up to
    /// 5 years from it, calendar months, a report of that period — without
    /// a panic.
    #[test]
    fn nothing_panics_on_any_accepted_date(offset in 0..=(Day::LAST.since(Day::FIRST)), months in 0..60_i32, q in 1..=4_u8) {
        let d = Day::FIRST.plus(offset);
        prop_assert_eq!(Day::parse(&d.to_string()), Some(d));
        let fy = d.financial_year();
        let year = Period::financial_year(fy);
        let quarter = Period::quarter(fy, q);
        prop_assert!(year.start <= d && d <= year.end);
        let _ = Period::parse(&year.label);
        let _ = Period::parse(&quarter.label);
        let end = d.plus_months(months).min(Day::LAST);
        let range = Period::parse(&format!("{d}..{end}")).expect("a period of under 5 years");
        let doc = json!({
            "format": "ipstrack-bundle/1",
            "service": {"name": "S", "start_date": Day::FIRST.to_string()},
            "teams": [{"id": "t", "name": "T"}],
            "staff": [{"id": "es", "name": "E", "role": "es", "team": "t",
                       "start_date": d.to_string(), "end_date": null, "fte": 1}],
            "clients": [{"id": "c"}],
            "referrals": [{"id": "r", "client": "c", "received": d.to_string(),
                           "status_at_referral": "unemployed", "es": "es", "access": d.to_string(),
                           "vocational_plan": {"start": d.to_string(), "end": null},
                           "jobs": [{"id": "j", "type": "employee", "start": d.to_string(),
                                     "end": null, "hours_per_week": 16}]}],
        });
        let loaded = read_bundle(&doc.to_string()).expect("valid");
        for p in [&year, &quarter, &range] {
            if p.end.in_range() {
                let _ = report(&loaded.dataset, &loaded.warnings, p, p.end);
            }
        }
    }
}
