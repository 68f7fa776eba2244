//! A whole reload racing the change follower (issue 20), driven by hand
//! in the bad order: the reload reads the data, then a write is
//! published (here, or followed from another server), then the reload
//! publishes what it read. And what a save keeps of the snapshot's reports
//! (issue 25).

use super::*;
use ipstrack_core::Period;
use ipstrack_core::bundle::{ContactDoc, EmployerContactDoc};
use ipstrack_core::model::Role;
use ipstrack_core::report::{PartReport, PartTrends, report_of_part, trends_of_part};
use ipstrack_store::Step;

/// A server's state on a store holding the random-101 example, without
/// its change follower (the test drives it).
async fn state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("race.sqlite");
    let store = super::example_store::example_store(url.to_str().unwrap()).await;
    let (loaded, seq) = store.load_with_change().await.unwrap();
    let state = AppState {
        store,
        data: RwLock::new(Arc::new(Snapshot::new(loaded))),
        publish: Mutex::new(()),
        following: tokio::sync::Mutex::new(()),
        applied_change: AtomicI64::new(seq),
        config: Config::default(),
        uploads: Default::default(),
        searches: Default::default(),
    };
    (state, dir)
}

/// A contact on 14 January 2025 written to the store (not yet
/// published to this server's snapshot).
async fn contact_stored(state: &AppState, id: &str) -> ipstrack_store::Saved {
    let contact = ContactDoc {
        date: "2025-01-14".into(),
        kind: "remote".into(),
        mechanism: None,
        note: None,
        location: None,
    };
    let step = Step::Contact(contact);
    state.store.change_referral(id, &step, "es1").await.unwrap()
}

/// A call to an employer by ES `es` on 14 January 2025.
fn employer_contact(es: String) -> EmployerContactDoc {
    EmployerContactDoc {
        id: String::new(),
        es,
        date: "2025-01-14".into(),
        employer: "Ellis & Co".into(),
        kind: "call".into(),
        note: None,
        client: None,
    }
}

/// `doc` recorded by es1 and published, as the employer contacts page does.
async fn employer_contact_saved(state: &AppState, doc: &EmployerContactDoc) {
    state
        .store
        .record_employer_contact(doc, "es1")
        .await
        .unwrap();
    state.publish_employer_contacts().await;
}

/// A referral received before 2025 and not discharged.
fn open_referral(state: &AppState) -> String {
    let data = state.data();
    let before = Day::parse("2025-01-01").unwrap();
    let r = data
        .dataset
        .referrals
        .iter()
        .find(|r| r.received < before && r.discharge.is_none());
    r.unwrap().id.clone()
}

/// The referral `id` as the snapshot holds it: (version, contacts).
fn shown(state: &AppState, id: &str) -> (i64, usize) {
    let data = state.data();
    let r = &data.dataset.referrals[data.referral_index(id).unwrap()];
    (r.version, r.contacts.len())
}

#[tokio::test]
async fn a_reload_read_before_a_write_here_never_puts_the_older_referral_back() {
    let (state, _dir) = state().await;
    let id = open_referral(&state);
    // The reload reads the data at change N...
    let (loaded, seq) = state.store.load_with_change().await.unwrap();
    // ... a write on this server is published meanwhile ...
    let saved = contact_stored(&state, &id).await;
    state.publish(&saved).await;
    let written = shown(&state, &id);
    assert_eq!(written.0, saved.version);
    // ... and then the reload publishes what it read.
    state.install(loaded, seq);
    assert_eq!(
        shown(&state, &id),
        written,
        "the newer referral stays in the snapshot"
    );
}

#[tokio::test]
async fn a_reload_read_before_changes_were_followed_leaves_no_change_skipped() {
    let (state, _dir) = state().await;
    let id = open_referral(&state);
    let es = {
        let data = state.data();
        let es = data.dataset.staff.iter().find(|s| s.role == Role::Es);
        es.unwrap().id.clone()
    };
    let (loaded, seq) = state.store.load_with_change().await.unwrap();
    // Another server writes a referral and an employer contact, and this
    // server's change follower loads them before the reload publishes.
    let saved = contact_stored(&state, &id).await;
    let ec = state
        .store
        .record_employer_contact(&employer_contact(es), "es1")
        .await
        .unwrap();
    state.catch_up().await.unwrap();
    let has_ec = |state: &AppState| {
        state
            .data()
            .dataset
            .employer_contacts
            .iter()
            .any(|e| e.id == ec.contact.id)
    };
    assert!(has_ec(&state));
    state.install(loaded, seq);
    assert_eq!(shown(&state, &id).0, saved.version, "the referral is kept");
    // What the reload could not keep (employer contacts have no version)
    // is followed again: no change after the reload's is skipped.
    state.catch_up().await.unwrap();
    assert!(has_ec(&state), "the employer contact is back");
    assert_eq!(shown(&state, &id).0, saved.version);
}

/// Every team and ES of `data` as a part, with their report of 2024/25 as
/// of its end, made (or taken from the cache) in `data`.
fn every_part_report(data: &Snapshot) -> Vec<(Part, Arc<PartReport>)> {
    let fy = Period::parse("2024/25").unwrap();
    every_part(data)
        .map(|p| (p, data.part_report(p, &fy, fy.end).unwrap()))
        .collect()
}

/// Each part's value after a save (`now`) equals one made anew (`fresh`),
/// and is the very value made before the save (`then`) unless the part is
/// one the save `moved`; some of each.
fn kept_unless_moved<T: PartialEq + std::fmt::Debug>(
    then: &[(Part, Arc<T>)],
    now: &[(Part, Arc<T>)],
    moved: &[Part],
    fresh: impl Fn(Part) -> T,
) {
    let (mut kept, mut made_again) = (0, 0);
    for ((part, then), (_, now)) in then.iter().zip(now) {
        assert_eq!(**now, fresh(*part), "{part:?}: as if made anew");
        if moved.contains(part) {
            assert!(
                !Arc::ptr_eq(then, now),
                "{part:?} read the person: made again"
            );
            made_again += 1;
        } else {
            assert!(Arc::ptr_eq(then, now), "{part:?} kept");
            kept += 1;
        }
    }
    assert!(
        kept > 0 && made_again > 0,
        "{kept} kept, {made_again} made again"
    );
}

/// Every team and ES of `data` as a part.
fn every_part(data: &Snapshot) -> impl Iterator<Item = Part> {
    let d = &data.dataset;
    (0..d.teams.len())
        .map(|i| Part::Team(ipstrack_core::model::TeamIdx::at(i)))
        .chain((0..d.staff.len()).map(|i| Part::Specialist(ipstrack_core::model::StaffIdx::at(i))))
}

#[tokio::test]
async fn a_save_keeps_the_reports_of_every_part_that_never_held_the_persons_referrals() {
    let (state, _dir) = state().await;
    let id = open_referral(&state);
    let before = state.data();
    let fy = Period::parse("2024/25").unwrap();
    let whole_before = before.report(&fy, fy.end).unwrap();
    let made_before = every_part_report(&before);
    let saved = contact_stored(&state, &id).await;
    state.publish(&saved).await;
    let after = state.data();
    let moved = moved_parts(&before, &after, &id);
    kept_unless_moved(&made_before, &every_part_report(&after), &moved, |part| {
        report_of_part(&after.dataset, &fy, fy.end, &part.referrals(&after.dataset)).unwrap()
    });
    // The whole service's report is added up again, from the facts the
    // last snapshot kept with the saved referral's derived again: the same
    // as made whole from the new data.
    assert!(after.inherits(&fy, fy.end));
    let whole_after = after.report(&fy, fy.end).unwrap();
    assert!(!Arc::ptr_eq(&whole_before, &whole_after));
    let made_whole = ipstrack_core::report(&after.dataset, &after.warnings, &fy, fy.end);
    assert_eq!(*whole_after, made_whole.unwrap());
}

/// Every team and ES of `data` as a part, with their trends over 2024/25
/// as of 20 January 2025, made (or taken from the cache) in `data`.
fn every_part_trends(data: &Snapshot) -> Vec<(Part, Arc<PartTrends>)> {
    let fy = Period::parse("2024/25").unwrap();
    let as_of = Day::parse("2025-01-20").unwrap();
    every_part(data)
        .map(|p| (p, data.part_trends(p, &fy, as_of).unwrap()))
        .collect()
}

/// A part's trends are kept by a save exactly when its reports are, and
/// equal those made anew from the saved data either way.
#[tokio::test]
async fn a_save_keeps_the_trends_of_every_part_that_never_held_the_persons_referrals() {
    let (state, _dir) = state().await;
    let id = open_referral(&state);
    let before = state.data();
    let made_before = every_part_trends(&before);
    let saved = contact_stored(&state, &id).await;
    state.publish(&saved).await;
    let after = state.data();
    let moved = moved_parts(&before, &after, &id);
    let fy = Period::parse("2024/25").unwrap();
    let as_of = Day::parse("2025-01-20").unwrap();
    kept_unless_moved(&made_before, &every_part_trends(&after), &moved, |part| {
        trends_of_part(&after.dataset, &fy, as_of, &part.referrals(&after.dataset)).unwrap()
    });
    // An employer contact moves no figure: every part's trends are kept.
    let es = after.dataset.staff.iter().find(|s| s.role == Role::Es);
    let doc = employer_contact(es.unwrap().id.clone());
    employer_contact_saved(&state, &doc).await;
    let last = state.data();
    for ((part, then), (_, now)) in every_part_trends(&after)
        .iter()
        .zip(every_part_trends(&last))
    {
        assert!(Arc::ptr_eq(then, &now), "{part:?} kept");
    }
}

#[tokio::test]
async fn an_employer_contact_saved_keeps_every_report() {
    let (state, _dir) = state().await;
    let fy = Period::parse("2024/25").unwrap();
    let before = state.data();
    let whole = before.report(&fy, fy.end).unwrap();
    let parts = every_part_report(&before);
    let es = parts
        .iter()
        .find_map(|(p, _)| match p {
            Part::Specialist(s) => Some(before.dataset.staff_member(*s).id.clone()),
            Part::Team(_) => None,
        })
        .unwrap();
    let doc = employer_contact(es);
    employer_contact_saved(&state, &doc).await;
    let after = state.data();
    assert!(after.dataset.employer_contacts.len() > before.dataset.employer_contacts.len());
    assert!(Arc::ptr_eq(&whole, &after.report(&fy, fy.end).unwrap()));
    for ((part, then), (_, now)) in parts.iter().zip(every_part_report(&after)) {
        assert!(Arc::ptr_eq(then, &now), "{part:?} kept");
    }
}

/// ENG-4 reads the employer contacts: a worklist made before an employer
/// contact naming a client is not kept after it, and the client's "rapid
/// job search due" item goes.
#[tokio::test]
async fn an_employer_contact_naming_a_client_takes_their_rapid_search_item_off_the_worklist() {
    let (state, _dir) = state().await;
    let before = state.data();
    let day = before
        .dataset
        .referrals
        .iter()
        .filter_map(|r| r.access)
        .max()
        .unwrap()
        .plus(60);
    let list = before.worklist(day);
    let due = |w: &[ipstrack_core::alert::WorkItem], at: usize| {
        w.iter().any(|i| {
            i.referral == Some(at)
                && matches!(i.alert, ipstrack_core::alert::Alert::RapidSearchDue { .. })
        })
    };
    let item = list
        .iter()
        .find(|i| matches!(i.alert, ipstrack_core::alert::Alert::RapidSearchDue { .. }))
        .expect("a client with no employer contact 30 days after access");
    let at = item.referral.unwrap();
    let r = &before.dataset.referrals[at];
    let doc = EmployerContactDoc {
        date: r.access.unwrap().plus(1).to_string(),
        client: Some(before.dataset.client(r.client).id.clone()),
        ..employer_contact(before.dataset.staff_member(item.es.unwrap()).id.clone())
    };
    employer_contact_saved(&state, &doc).await;
    let after = state.data().worklist(day);
    assert!(!Arc::ptr_eq(&list, &after), "made again");
    assert!(due(&list, at) && !due(&after, at));
}

#[tokio::test]
async fn saves_with_no_read_between_are_all_in_the_next_report() {
    let (state, _dir) = state().await;
    // A contact on 14 January counts in the caseload at the end of January.
    let q4 = Period::parse("2024/25-Q4").unwrap();
    let as_of = Day::parse("2025-01-31").unwrap();
    let before = state.data().report(&q4, as_of).unwrap();
    let ids: Vec<String> = {
        let data = state.data();
        let open = |r: &&Arc<ipstrack_core::model::Referral>| r.discharge.is_none();
        let ids = data.dataset.referrals.iter().filter(open).take(3);
        ids.map(|r| r.id.clone()).collect()
    };
    for id in &ids {
        let saved = contact_stored(&state, id).await;
        state.publish(&saved).await;
    }
    let after = state.data();
    assert!(after.inherits(&q4, as_of), "carried over three saves");
    let made_whole = ipstrack_core::report(&after.dataset, &after.warnings, &q4, as_of).unwrap();
    assert_ne!(
        before.service.caseload, made_whole.service.caseload,
        "the saves count"
    );
    assert_eq!(*after.report(&q4, as_of).unwrap(), made_whole);
}
