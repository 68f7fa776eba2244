//! Issue 25 on a generated service large enough that a report is made in
//! several chunks side by side (more than 8,000 referrals): the report
//! made whole, each team's made from its referrals alone, and the report
//! added up from kept facts all give the same figures.

use ipstrack_core::bundle::validate;
use ipstrack_core::model::TeamIdx;
use ipstrack_core::report::{
    Part, ReportFacts, report_and_unallocated, report_from_facts, report_of_part,
};
use ipstrack_core::{Day, Period};
use ipstrack_demo::{DemoOptions, generate};

#[test]
fn a_report_made_whole_by_parts_and_from_facts_agrees_on_a_large_service() {
    let until = Day::parse("2025-03-31").unwrap();
    let doc = generate(&DemoOptions {
        specialists: 180,
        years: 2,
        seed: 7,
        until,
    });
    let data = validate(&doc).unwrap().dataset;
    assert!(
        data.referrals.len() > 8_000,
        "{} referrals",
        data.referrals.len()
    );
    for label in ["2024/25", "2024/25-Q3"] {
        let period = Period::parse(label).unwrap();
        let whole = report_and_unallocated(&data, &[], &period, until).unwrap();
        let facts = ReportFacts::new(&data, &period, until).unwrap();
        assert_eq!(
            report_from_facts(&data, &[], &facts),
            whole,
            "{label}: from facts"
        );
        for t in 0..data.teams.len() {
            let part = Part::Team(TeamIdx::at(t));
            let made = report_of_part(&data, &period, until, &part.referrals(&data)).unwrap();
            let id = &data.teams[t].id;
            let team = whole.0.teams.iter().find(|b| &b.id == id).unwrap();
            assert_eq!(made.teams, vec![team.clone()], "{label}: team {id}");
            let members: Vec<_> = whole
                .0
                .specialists
                .iter()
                .filter(|s| &s.team == id)
                .cloned()
                .collect();
            assert_eq!(made.specialists, members, "{label}: team {id}'s ES");
        }
    }
}
