//! FIDR-1, FIDR-2: the fidelity scale's 25 items in their three sections,
//! their anchors, and the bands a total falls in.

use ipstrack_core::fidelity::{Band, ITEMS, ItemId, MAXIMUM, Section};

#[test]
fn fidr_1_the_scale_has_25_items_numbered_in_order_3_staffing_8_organisation_14_services() {
    assert_eq!(ITEMS.len(), 25);
    for (at, item) in ITEMS.iter().enumerate() {
        assert_eq!(item.id.index(), at);
        assert_eq!(usize::from(item.id.number()), at + 1);
        assert_eq!(ItemId::from_number(item.id.number()), Some(item.id));
        assert_eq!(ItemId::ALL[at], item.id);
        assert!(!item.name.is_empty() && !item.description.is_empty());
        assert!(item.anchors.iter().all(|a| !a.is_empty()), "{}", item.name);
    }
    let counts: Vec<usize> = Section::ALL.iter().map(|s| s.items().count()).collect();
    assert_eq!(counts, vec![3, 8, 14]);
    assert_eq!(
        Section::ALL.iter().map(|s| s.maximum()).sum::<u32>(),
        MAXIMUM
    );
    assert_eq!(ItemId::from_number(0), None);
    assert_eq!(ItemId::from_number(26), None);
}

#[test]
fn fidr_1_items_are_where_the_scale_puts_them() {
    assert_eq!(ItemId::CaseloadSize.number(), 1);
    assert_eq!(ItemId::IntegrationTeamAssignment.number(), 4);
    assert_eq!(ItemId::ExecutiveTeamSupport.number(), 11);
    assert_eq!(ItemId::WorkIncentivesPlanning.number(), 12);
    assert_eq!(ItemId::RapidJobSearch.number(), 15);
    assert_eq!(ItemId::JobDevelopmentFrequentContact.number(), 17);
    assert_eq!(ItemId::AssertiveEngagement.number(), 25);
    assert_eq!(ItemId::RapidJobSearch.item().section, Section::Services);
    assert_eq!(ItemId::VocationalUnit.item().section, Section::Organisation);
    assert_eq!(ItemId::RapidJobSearch.label(), "item 15 (rapid job search)");
}

#[test]
fn fidr_1_caseload_and_rapid_search_anchors_read_as_the_scale_does() {
    let caseload = ItemId::CaseloadSize.item();
    assert_eq!(caseload.anchor(5), Some("20 or fewer clients per ES"));
    assert_eq!(caseload.anchor(1), Some("41 or more clients per ES"));
    assert_eq!(caseload.anchor(0), None);
    assert_eq!(caseload.anchor(6), None);
    assert_eq!(
        ItemId::RapidJobSearch.item().anchor(5),
        Some("Within 30 days on average")
    );
}

#[test]
fn fidr_1_employment_services_staff_reads_the_2008_boundaries() {
    // The 2008 scale counts the share of time on employment services
    // (under 60, 60–74, 75–89, 90–95, 96 or more), not the older edition's
    // share of other work (80, 60, 40, 20).
    let staff = ItemId::EmploymentServicesStaff.item();
    assert_eq!(
        staff.anchor(1),
        Some("ES provide employment services less than 60% of the time")
    );
    assert_eq!(
        staff.anchor(4),
        Some("ES provide employment services 90–95% of the time")
    );
    assert_eq!(
        staff.anchor(5),
        Some("ES provide employment services 96% or more of the time")
    );
}

#[test]
fn fidr_2_bands_73_not_ips_74_fair_99_fair_100_good_114_good_115_exemplary() {
    assert_eq!(Band::of(25), Band::NotIps);
    assert_eq!(Band::of(73), Band::NotIps);
    assert_eq!(Band::of(74), Band::Fair);
    assert_eq!(Band::of(99), Band::Fair);
    assert_eq!(Band::of(100), Band::Good);
    assert_eq!(Band::of(114), Band::Good);
    assert_eq!(Band::of(115), Band::Exemplary);
    assert_eq!(Band::of(125), Band::Exemplary);
    assert_eq!(Band::of(73).words(), "not IPS");
    assert_eq!(Band::of(115).words(), "exemplary fidelity");
}
