//! R-2 for a return's "not allocated to a team" row (issue 23): what no ES
//! held is counted in the service and in no team, so the teams and this row
//! add up to the service — exactly for counts of referrals, job starts and
//! caseload; for people, counted distinct within each, never less.

use std::path::Path;

use ipstrack_core::report::{Kpis, unallocated};
use ipstrack_core::{Day, Period, read_bundle, report};

fn counts(k: &Kpis) -> [u32; 8] {
    [
        k.referrals.unemployed,
        k.referrals.employed,
        k.job_starts.unemployed,
        k.job_starts.employed,
        k.caseload.open,
        k.caseload.active,
        k.caseload.carried_over,
        k.caseload.waiting_list,
    ]
}

fn people(k: &Kpis) -> [u32; 6] {
    [
        k.access.unemployed,
        k.access.employed,
        k.people_into_work.unemployed,
        k.people_into_work.employed,
        k.sustained.w13.unemployed,
        k.sustained.w13.employed,
    ]
}

#[test]
fn r_2_the_teams_and_what_no_team_held_add_up_to_the_service() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/examples");
    let mut unallocated_seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".bundle.json") {
            continue;
        }
        let loaded = read_bundle(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for label in ["2023/24", "2024/25", "2024/25-Q3", "2025/26"] {
            let period = Period::parse(label).unwrap();
            let as_of = period.end.min(Day::parse("2025-12-31").unwrap());
            let Ok(r) = report(&loaded.dataset, &loaded.warnings, &period, as_of) else {
                continue;
            };
            let none = unallocated(&loaded.dataset, &period, as_of).unwrap();
            let mut summed = counts(&none);
            for t in &r.teams {
                for (s, c) in summed.iter_mut().zip(counts(&t.kpis)) {
                    *s += c;
                }
            }
            assert_eq!(summed, counts(&r.service), "{path:?} {label}");
            let mut people_summed = people(&none);
            for t in &r.teams {
                for (s, c) in people_summed.iter_mut().zip(people(&t.kpis)) {
                    *s += c;
                }
            }
            for (sum, service) in people_summed.iter().zip(people(&r.service)) {
                assert!(*sum >= service, "{path:?} {label}");
            }
            unallocated_seen += counts(&none).iter().sum::<u32>();
        }
    }
    assert!(
        unallocated_seen > 0,
        "some example holds unallocated referrals"
    );
}

#[test]
fn r_2_the_unallocated_row_refuses_an_as_of_before_the_period() {
    let bundle = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/examples/random-101.bundle.json"),
    )
    .unwrap();
    let loaded = read_bundle(&bundle).unwrap();
    let period = Period::parse("2024/25").unwrap();
    assert!(unallocated(&loaded.dataset, &period, Day::parse("2024-03-31").unwrap()).is_err());
}
