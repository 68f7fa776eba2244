//! Who may see and change what (issue 20): core's one rule of scope, which
//! every page, API call, import and search asks.

mod common;

use common::*;
use ipstrack_core::model::Role;
use ipstrack_core::model::{StaffIdx, TeamIdx};
use ipstrack_core::scope::Scope;
use serde_json::json;

/// Team t1 with es1 and es2, team t2 with es3 and its lead; r1 is es1's, r2
/// es3's, r3 es1's until it moved to es2 on 2024-06-01.
fn service() -> ipstrack_core::Loaded {
    let mut doc = doc_with_staff(
        vec![
            staff("es1", json!({})),
            staff("es2", json!({"end_date": "2024-12-31"})),
            staff("es3", json!({"team": "t2"})),
            staff("lead2", json!({"team": "t2", "role": "team_lead"})),
        ],
        vec![
            referral("r1", json!({})),
            referral("r2", json!({"es": "es3"})),
            referral(
                "r3",
                json!({"transfers": [{"date": "2024-06-01", "es": "es2"}]}),
            ),
        ],
    );
    doc["teams"] = json!([{"id": "t1", "name": "North"}, {"id": "t2", "name": "South"}]);
    load(&doc)
}

fn sees(scope: Scope, data: &ipstrack_core::Loaded, day: &str) -> Vec<String> {
    let d = &data.dataset;
    d.referrals
        .iter()
        .filter(|r| scope.referral(d, r, ipstrack_core::Day::parse(day).unwrap()))
        .map(|r| r.id.clone())
        .collect()
}

#[test]
fn an_es_sees_the_referrals_assigned_to_them_today() {
    let data = service();
    let es1 = Scope::of(Role::Es, Some(StaffIdx(0)), &data.dataset);
    assert_eq!(sees(es1, &data, "2024-05-31"), ["r1", "r3"]);
    // From the transfer's day the referral is es2's.
    assert_eq!(sees(es1, &data, "2024-06-01"), ["r1"]);
    let es2 = Scope::of(Role::Es, Some(StaffIdx(1)), &data.dataset);
    assert_eq!(sees(es2, &data, "2024-06-01"), ["r3"]);
}

#[test]
fn a_team_lead_sees_their_teams_referrals_and_specialists() {
    let data = service();
    let lead = Scope::of(Role::TeamLead, Some(StaffIdx(3)), &data.dataset);
    assert_eq!(lead, Scope::Team(TeamIdx(1)));
    assert_eq!(sees(lead, &data, "2024-06-01"), ["r2"]);
    assert!(lead.specialist(&data.dataset, StaffIdx(2)));
    assert!(!lead.specialist(&data.dataset, StaffIdx(0)));
    assert!(
        !lead.specialist(&data.dataset, StaffIdx(3)),
        "a lead is not an ES"
    );
    assert!(lead.team(TeamIdx(1)) && !lead.team(TeamIdx(0)));
    assert_eq!(lead.imports(), Some(Some(TeamIdx(1))));
}

#[test]
fn a_manager_sees_the_service_and_a_user_without_a_staff_record_nothing() {
    let data = service();
    let manager = Scope::of(Role::Manager, None, &data.dataset);
    assert_eq!(sees(manager, &data, "2024-06-01"), ["r1", "r2", "r3"]);
    assert!(manager.team(TeamIdx(0)) && manager.team(TeamIdx(1)));
    assert_eq!(manager.default_team(&data.dataset, None), Some(TeamIdx(0)));
    assert!(!manager.records_employer_contacts_of(&data.dataset, StaffIdx(0)));
    for role in [Role::Es, Role::TeamLead] {
        let nobody = Scope::of(role, None, &data.dataset);
        assert!(sees(nobody, &data, "2024-06-01").is_empty());
        assert_eq!(nobody.imports(), None);
    }
}

#[test]
fn a_referral_may_be_given_only_to_an_es_of_the_scope_in_post() {
    let data = service();
    let d = &data.dataset;
    let day = |s: &str| ipstrack_core::Day::parse(s).unwrap();
    let es1 = Scope::of(Role::Es, Some(StaffIdx(0)), d);
    assert!(es1.may_assign(d, StaffIdx(0), day("2024-06-01")));
    assert!(
        !es1.may_assign(d, StaffIdx(1), day("2024-06-01")),
        "another ES"
    );
    let manager = Scope::Service;
    assert!(manager.may_assign(d, StaffIdx(1), day("2024-12-31")));
    assert!(
        !manager.may_assign(d, StaffIdx(1), day("2025-01-01")),
        "left their post"
    );
    assert!(
        !manager.may_assign(d, StaffIdx(3), day("2024-06-01")),
        "a team lead"
    );
    assert!(es1.records_employer_contacts_of(d, StaffIdx(0)));
    assert!(!es1.records_employer_contacts_of(d, StaffIdx(1)));
}

/// Issue 21: r1 (es1's, team t1) is client c1 with NHS number 9434765919.
fn service_with_a_number() -> ipstrack_core::Loaded {
    let mut doc =
        serde_json::to_value(ipstrack_core::bundle::to_document(&service().dataset)).unwrap();
    doc["clients"][0]["nhs_number"] = json!("9434765919");
    load(&doc)
}

#[test]
fn an_nhs_number_held_outside_the_scope_is_never_told_and_kept_as_a_possible_duplicate() {
    use ipstrack_core::scope::NumberHolder;
    let data = service_with_a_number();
    let d = &data.dataset;
    let day = ipstrack_core::Day::parse("2024-06-01").unwrap();
    let holder = d.referrals[0].client.index();
    let es1 = Scope::of(Role::Es, Some(StaffIdx(0)), d);
    let es3 = Scope::of(Role::Es, Some(StaffIdx(2)), d);
    let lead2 = Scope::of(Role::TeamLead, Some(StaffIdx(3)), d);
    let manager = Scope::of(Role::Manager, None, d);
    assert_eq!(
        es1.nhs_number_holder(d, "new", "9434765919", day),
        NumberHolder::Visible(holder)
    );
    assert_eq!(
        manager.nhs_number_holder(d, "new", "9434765919", day),
        NumberHolder::Visible(holder)
    );
    for other_team in [es3, lead2] {
        assert_eq!(
            other_team.nhs_number_holder(d, "new", "9434765919", day),
            NumberHolder::Hidden(holder)
        );
    }
    // Its own number, and a number nobody has.
    let own = &d.clients[holder].id;
    assert_eq!(
        es3.nhs_number_holder(d, own, "9434765919", day),
        NumberHolder::Nobody
    );
    assert_eq!(
        es3.nhs_number_holder(d, "new", "9999999999", day),
        NumberHolder::Nobody
    );
    assert!(manager.sees_possible_duplicates());
    assert!(!lead2.sees_possible_duplicates() && !es1.sees_possible_duplicates());
}

/// EQ-4: a team lead sees their team's equality figures only, a manager or
/// admin the service's or any team's, an ES none.
#[test]
fn eq_4_whose_equality_figures_a_viewer_sees() {
    let loaded = service();
    let d = &loaded.dataset;
    let (t1, t2) = (TeamIdx(0), TeamIdx(1));
    let lead2 = Scope::of(Role::TeamLead, Some(StaffIdx(3)), d);
    assert_eq!(lead2.equality(None), Some(Some(t2)));
    assert_eq!(lead2.equality(Some(t2)), Some(Some(t2)));
    assert_eq!(lead2.equality(Some(t1)), None);
    for role in [Role::Manager, Role::Admin] {
        let s = Scope::of(role, None, d);
        assert_eq!(s.equality(None), Some(None));
        assert_eq!(s.equality(Some(t1)), Some(Some(t1)));
    }
    let es1 = Scope::of(Role::Es, Some(StaffIdx(0)), d);
    assert_eq!(es1.equality(None), None);
    assert_eq!(es1.equality(Some(t1)), None);
    assert_eq!(Scope::Nothing.equality(None), None);
}

/// FIDR-20: a team lead reads and writes their team's fidelity reviews
/// only, a manager or admin the service's and any team's, an ES none.
#[test]
fn fidr_20_whose_fidelity_reviews_a_viewer_reads_and_writes() {
    let loaded = service();
    let d = &loaded.dataset;
    let (t1, t2) = (TeamIdx(0), TeamIdx(1));
    let lead2 = Scope::of(Role::TeamLead, Some(StaffIdx(3)), d);
    assert!(lead2.fidelity_review(Some(t2)));
    assert!(!lead2.fidelity_review(Some(t1)));
    assert!(!lead2.fidelity_review(None), "not the whole service's");
    for role in [Role::Manager, Role::Admin] {
        let s = Scope::of(role, None, d);
        assert!(s.fidelity_review(None) && s.fidelity_review(Some(t1)));
    }
    let es1 = Scope::of(Role::Es, Some(StaffIdx(0)), d);
    assert!(!es1.fidelity_review(Some(t1)) && !es1.fidelity_review(None));
    assert!(!Scope::Nothing.fidelity_review(None));
}
