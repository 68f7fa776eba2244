//! One door (issue 20, BAD-1 revision 3): whichever way a record arrives —
//! a step on a referral, a new referral, a person's details, an employer
//! contact, an import — the store keeps it as core's validation reads it
//! (trimmed, an NHS number as its ten digits), so that what is stored is
//! exactly what the loader accepts, on SQLite and PostgreSQL.

mod common;

use common::{databases, each_database_with_caseload};
use ipstrack_core::bundle::{
    BundleDoc, ClientDoc, ContactDoc, DischargeDoc, EmployerContactDoc, JobDoc, ReferralDoc,
    canonical,
};
use ipstrack_store::{Edit, Step, Store, StoreError};
use proptest::prelude::*;

/// The whole database as it is stored is the loader's own form of it.
async fn assert_stored_as_loaded(store: &Store, name: &str) {
    let stored: BundleDoc = store.export().await.unwrap();
    let loaded = canonical(&stored).unwrap_or_else(|e| panic!("{name}: the loader refuses: {e}"));
    assert_eq!(
        stored, loaded,
        "{name}: stored differs from what the loader reads"
    );
    store.load().await.unwrap();
    assert!(
        store.integrity_check().await.unwrap().is_empty(),
        "{name}: doctor finds problems"
    );
}

/// An employee job of `hours` a week, the employer as typed.
fn job(employer: impl Into<String>, start: &str, hours: u64) -> JobDoc {
    JobDoc {
        id: String::new(),
        kind: "employee".into(),
        employer: Some(employer.into()),
        start: start.into(),
        end: None,
        hours_per_week: Some(serde_json::Number::from(hours)),
        weekly_hours: None,
        four_hours_confirmed: None,
        self_employment_registration: None,
        self_employment_evidence: None,
        retained: None,
        return_to_work: None,
        pays_minimum_wage: None,
        open_to_anyone: None,
        end_reason: None,
    }
}

fn person(id: &str, nhs: &str) -> ClientDoc {
    ClientDoc {
        id: id.into(),
        nhs_number: Some(nhs.into()),
        ..ClientDoc::default()
    }
}

#[tokio::test]
async fn bad_1_an_nhs_number_with_a_space_already_another_clients_is_refused() {
    each_database_with_caseload(async |store, db| {
        let a = store.referral("r1").await.unwrap().unwrap();
        let seen = ipstrack_store::client_fingerprint(&a.client);
        store
            .update_client("r1", &person(&a.client.id, "9434765919"), &seen, "es1")
            .await
            .unwrap();
        let b = store.referral("r2").await.unwrap().unwrap();
        let seen = ipstrack_store::client_fingerprint(&b.client);
        for typed in [" 9434765919", "9434765919 ", "943 476 5919"] {
            let refused = store
                .update_client("r2", &person(&b.client.id, typed), &seen, "es1")
                .await;
            assert!(
                matches!(refused, Err(StoreError::Exists(_))),
                "{}: {typed:?} gave {refused:?}",
                db.name
            );
        }
        // A new referral for a new person with that number: refused too.
        let mut new = ReferralDoc::new(
            "r900".into(),
            "c900".into(),
            "2024-06-01".into(),
            "unemployed".into(),
        );
        new.es = Some("es1".into());
        let refused = store
            .create_referral(Some(person("c900", " 943 476 5919 ")), new, None, "es1")
            .await;
        assert!(
            matches!(refused, Err(StoreError::Exists(_))),
            "{}: {refused:?}",
            db.name
        );
        assert_stored_as_loaded(store, db.name).await;
    })
    .await;
}

#[tokio::test]
async fn bad_1_every_write_stores_text_as_the_loader_reads_it() {
    each_database_with_caseload(async |store, db| {
        let r1 = store.referral("r1").await.unwrap().unwrap();
        // A step: a contact with a note typed with spaces around it.
        store
            .change_referral(
                "r1",
                &Step::Contact(ContactDoc {
                    date: " 2024-06-03 ".into(),
                    kind: "face_to_face ".into(),
                    mechanism: None,
                    note: Some("  met at the café \n".into()),
                    location: None,
                }),
                "es1",
            )
            .await
            .unwrap();
        // A job whose employer has spaces around it.
        let saved = store
            .change_referral("r1", &Step::Job(job("  Co-op ", "2024-06-10", 16)), "es1")
            .await
            .unwrap();
        assert_eq!(
            saved
                .referral
                .jobs
                .as_ref()
                .unwrap()
                .last()
                .unwrap()
                .employer
                .as_deref(),
            Some("Co-op")
        );
        // An edit: a discharge with its reason.
        let saved = store
            .change_referral(
                "r1",
                &Step::Edit {
                    edit: Edit::Discharge(DischargeDoc {
                        date: "2024-09-01".into(),
                        reason: Some(" moved away  ".into()),
                    }),
                    seen_version: saved.version,
                },
                "es1",
            )
            .await
            .unwrap();
        assert_eq!(
            saved.referral.discharge.as_ref().unwrap().reason.as_deref(),
            Some("moved away")
        );
        // The person's details.
        let seen = ipstrack_store::client_fingerprint(&r1.client);
        let client = ClientDoc {
            id: r1.client.id.clone(),
            nhs_number: Some(" 943 476 5919".into()),
            given_name: Some("  Ann ".into()),
            postcode: Some("ls14ap".into()),
            ..ClientDoc::default()
        };
        let saved = store
            .update_client("r1", &client, &seen, "es1")
            .await
            .unwrap();
        assert_eq!(saved.client.nhs_number.as_deref(), Some("9434765919"));
        assert_eq!(saved.client.given_name.as_deref(), Some("Ann"));
        assert_eq!(saved.client.postcode.as_deref(), Some("LS1 4AP"));
        // A new referral for a new person.
        let mut new = ReferralDoc::new(
            "r901".into(),
            "c901".into(),
            "2024-06-01".into(),
            " unemployed".into(),
        );
        new.es = Some("es1".into());
        let client = ClientDoc {
            id: "c901".into(),
            family_name: Some(" Green ".into()),
            ..ClientDoc::default()
        };
        let saved = store
            .create_referral(Some(client), new, None, "es1")
            .await
            .unwrap();
        assert_eq!(saved.client.family_name.as_deref(), Some("Green"));
        assert_eq!(saved.referral.status_at_referral, "unemployed");
        // An employer contact.
        let contact = store
            .record_employer_contact(
                &EmployerContactDoc {
                    id: String::new(),
                    es: "es1".into(),
                    date: "2024-06-04".into(),
                    employer: "  Tesco ".into(),
                    kind: "visit".into(),
                    note: Some("   ".into()),
                    client: Some(" c1 ".into()),
                },
                "es1",
            )
            .await
            .unwrap();
        assert_eq!(contact.contact.employer, "Tesco");
        assert_eq!(contact.contact.note, None);
        assert_eq!(contact.contact.client.as_deref(), Some("c1"));
        assert_stored_as_loaded(store, db.name).await;
    })
    .await;
}

#[tokio::test]
async fn bad_1_an_import_stores_text_as_the_loader_reads_it_and_a_trimmed_copy_changes_nothing() {
    each_database_with_caseload(async |store, db| {
        let mut doc = store.export().await.unwrap();
        doc.teams[0].name = format!("  {} ", doc.teams[0].name);
        doc.referrals[0].discharge = Some(DischargeDoc {
            date: "2024-09-01".into(),
            reason: Some(" moved away ".into()),
        });
        store.import(&doc, "cli:test").await.unwrap();
        assert_stored_as_loaded(store, db.name).await;
        // The same bundle again: the stored form is the same, nothing changes.
        let summary = store.import(&doc, "cli:test").await.unwrap();
        assert_eq!(summary.teams.updated, 0, "{}", db.name);
        assert_eq!(summary.referrals.updated, 0, "{}", db.name);
    })
    .await;
}

/// Text a person might type, spaces, line breaks, other scripts and
/// invisible characters included.
fn typed() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ \\t\\na-zA-Zé\u{200B}\u{202E}\u{0627}=!0-9]{0,12}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any contact note, job, discharge reason, person's names and employer
    /// contact accepted by the store reads back unchanged: the record as
    /// stored is the loader's own form of it.
    #[test]
    fn bad_1_any_record_accepted_loads_back_unchanged(note in typed(), reason in typed(), employer in typed()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let dbs = databases().await;
            let db = &dbs[0];
            let store = db.open_with_caseload().await;
            let contact = Step::Contact(ContactDoc {
                date: "2024-06-03".into(),
                kind: "remote".into(),
                mechanism: None,
                note: Some(note.clone()), location: None,
});
            let job = Step::Job(job(employer.clone(), "2024-06-10", 10));
            let mut accepted = Vec::new();
            for step in [contact, job] {
                if let Ok(saved) = store.change_referral("r1", &step, "es1").await {
                    accepted.push(saved);
                }
            }
            let version = store.referral("r1").await.unwrap().unwrap().version;
            let discharge = Step::Edit {
                edit: Edit::Discharge(DischargeDoc { date: "2024-09-01".into(), reason: Some(reason.clone()) }),
                seen_version: version,
            };
            if let Ok(saved) = store.change_referral("r1", &discharge, "es1").await {
                accepted.push(saved);
            }
            // The person's details and an employer contact, typed the same way.
            let client = store.referral("r1").await.unwrap().unwrap().client;
            let seen = ipstrack_store::client_fingerprint(&client);
            let typed_client = ClientDoc {
                given_name: Some(note.clone()),
                family_name: Some(employer.clone()),
                ..client.clone()
            };
            if let Ok(saved) = store.update_client("r1", &typed_client, &seen, "es1").await {
                assert_eq!(Some(&saved.client), store.export().await.unwrap().clients.iter().find(|c| c.id == client.id));
            }
            let contact = EmployerContactDoc {
                id: String::new(),
                es: "es1".into(),
                date: "2024-06-04".into(),
                employer: employer.clone(),
                kind: "call".into(),
                note: Some(reason.clone()),
                client: None,
            };
            if let Ok(saved) = store.record_employer_contact(&contact, "es1").await {
                assert_eq!(Some(saved.contact.clone()), store.employer_contact(&saved.contact.id).await.unwrap().map(|s| s.contact));
            }
            let loaded = store.load().await.unwrap();
            let again = store.referral("r1").await.unwrap().unwrap();
            let r = loaded.referral_index("r1").unwrap();
            let from_loader = ipstrack_core::bundle::referral_document(&loaded.dataset, &loaded.dataset.referrals[r]);
            // What the write answered is what is stored, and what the loader reads.
            if let Some(last) = accepted.last() {
                assert_eq!(&last.referral, &again.referral);
            }
            assert_eq!(again.referral, from_loader);
            assert_stored_as_loaded(&store, db.name).await;
        });
    }
}

/// Issue 20: an ES took another team's access credit by backdating a
/// transfer. A transfer cannot be dated before the current assignment,
/// through a step or an import.
#[tokio::test]
async fn r_2_a_transfer_cannot_be_backdated_before_the_current_assignment() {
    use ipstrack_core::bundle::TransferDoc;
    each_database_with_caseload(async |store, db| {
        let r = store.referral("r1").await.unwrap().unwrap();
        let before = |date: &str| {
            Step::Transfer(TransferDoc {
                date: date.into(),
                es: "es2".into(),
            })
        };
        // A day before the referral was received.
        let received = ipstrack_core::Day::parse(&r.referral.received).unwrap();
        let refused = store
            .change_referral("r1", &before(&received.plus(-1).to_string()), "es1")
            .await;
        match refused {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.0[0].field, "transfers[0].date", "{}", db.name)
            }
            other => panic!("{}: {other:?}", db.name),
        }
        // On that day: kept; then one before it: refused.
        store
            .change_referral("r1", &before(&received.plus(30).to_string()), "es1")
            .await
            .unwrap();
        let refused = store
            .change_referral("r1", &before(&received.plus(10).to_string()), "es1")
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{}",
            db.name
        );
        // The same through an import of the referral.
        let mut doc = store.export().await.unwrap();
        let at = doc.referrals.iter().position(|x| x.id == "r1").unwrap();
        doc.referrals[at]
            .transfers
            .get_or_insert_default()
            .push(TransferDoc {
                date: received.plus(5).to_string(),
                es: "es1".into(),
            });
        let refused = store.import(&doc, "cli:test").await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "{}: {refused:?}",
            db.name
        );
        assert_stored_as_loaded(store, db.name).await;
    })
    .await;
}

/// A row written before issue 20 (text with spaces around it) still loads;
/// `doctor` names it, so that it can be saved again as the loader reads it.
#[tokio::test]
async fn doctor_names_a_record_stored_otherwise_than_the_loader_reads_it() {
    use sqlx::{Connection, Executor};
    each_database_with_caseload(async |store, db| {
        assert!(
            store.integrity_check().await.unwrap().is_empty(),
            "{}",
            db.name
        );
        sqlx::any::install_default_drivers();
        let url = ipstrack_store::database_url(&db.url);
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        conn.execute("UPDATE teams SET name = '  ' || name || ' '")
            .await
            .unwrap();
        conn.close().await.unwrap();
        store.load().await.expect("it still loads");
        let problems = store.integrity_check().await.unwrap();
        assert_eq!(problems.len(), 1, "{}: {problems:?}", db.name);
        assert!(problems[0].contains("team t1"), "{}: {problems:?}", db.name);
    })
    .await;
}
