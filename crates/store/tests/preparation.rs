//! Issue 26 in the store: a better-off calculation's date, a disclosure
//! choice and the job preferences on the vocational plan are written as
//! edits of the referral (version-checked, checked by core), read back as
//! written by both ways of reading a referral, taken out by a correction,
//! and carried by export, import, backup and restore, on SQLite and
//! PostgreSQL.

mod common;

use common::{assert_restored_exports, databases, each_database_with_example};
use ipstrack_core::bundle::{DisclosureDoc, PlanDoc, canonical};
use ipstrack_store::{Edit, Entry, Step, Store, StoreError};

async fn edit(store: &Store, id: &str, edit: Edit) -> Result<ipstrack_store::Saved, StoreError> {
    let version = store.referral(id).await.unwrap().unwrap().version;
    let step = Step::Edit {
        edit,
        seen_version: version,
    };
    store.change_referral(id, &step, "es1").await
}

#[tokio::test]
async fn preparation_fields_round_trip_on_both_databases() {
    each_database_with_example("revision3", "setup", async |store, db| {
        let exported = store.export().await.unwrap();
        let first = exported
            .referrals
            .iter()
            .find(|r| r.vocational_plan.is_some())
            .expect("a referral with a plan");
        let without_plan = exported
            .referrals
            .iter()
            .find(|r| r.vocational_plan.is_none());
        let (id, received) = (first.id.clone(), first.received.clone());

        // Core's checks: not before the referral, a known choice.
        assert!(matches!(
            edit(store, &id, Edit::BetterOffCalculation("1999-01-01".into())).await,
            Err(StoreError::Invalid(_))
        ));
        let bad_choice = DisclosureDoc {
            choice: "some".into(),
            date: received.clone(),
        };
        assert!(matches!(
            edit(store, &id, Edit::Disclosure(bad_choice)).await,
            Err(StoreError::Invalid(_))
        ));
        if let Some(r) = without_plan {
            assert!(matches!(
                edit(store, &r.id, Edit::JobPreferences(Some("Shop work".into()))).await,
                Err(StoreError::NotAllowed(_))
            ));
        }

        edit(store, &id, Edit::BetterOffCalculation(received.clone()))
            .await
            .unwrap();
        let choice = DisclosureDoc {
            choice: " partial ".into(),
            date: received.clone(),
        };
        edit(store, &id, Edit::Disclosure(choice)).await.unwrap();
        let saved = edit(
            store,
            &id,
            Edit::JobPreferences(Some("  Outdoor work,\nnear home ".into())),
        )
        .await
        .unwrap();
        let r = &saved.referral;
        assert_eq!(r.better_off_calculation.as_deref(), Some(received.as_str()));
        assert_eq!(
            r.disclosure,
            Some(DisclosureDoc {
                choice: "partial".into(),
                date: received.clone()
            }),
            "{}: stored trimmed",
            db.name
        );
        let plan = r.vocational_plan.clone().unwrap();
        assert_eq!(
            plan.job_preferences.as_deref(),
            Some("Outdoor work,\nnear home")
        );

        // Read table by table (a load, an export) as by one referral.
        let now = store.export().await.unwrap();
        assert_eq!(canonical(&now).unwrap(), now, "{}", db.name);
        let exported = now.referrals.iter().find(|x| x.id == id).unwrap();
        assert_eq!(exported.better_off_calculation, r.better_off_calculation);
        assert_eq!(exported.disclosure, r.disclosure);
        assert_eq!(exported.vocational_plan, r.vocational_plan);
        let loaded = store.load().await.unwrap();
        let at = loaded.referral_index(&id).unwrap();
        assert!(loaded.dataset.referrals[at].disclosure.is_some());

        // A change of the plan keeps what it is given; removing the plan
        // takes its preferences with it.
        let kept = PlanDoc {
            end: None,
            ..plan.clone()
        };
        let saved = edit(store, &id, Edit::Plan(kept)).await.unwrap();
        assert_eq!(
            saved
                .referral
                .vocational_plan
                .unwrap()
                .job_preferences
                .as_deref(),
            Some("Outdoor work,\nnear home")
        );

        // Backup and restore, export and import keep them.
        let now = store.export().await.unwrap();
        let backup = store.backup().await.unwrap();
        assert_restored_exports(db, &backup, &now).await;
        let mut expected = now.clone();
        expected.referral_versions.clear();
        for target in databases().await {
            let imported = target.open().await;
            imported.import(&now, "setup").await.unwrap();
            let mut again = imported.export().await.unwrap();
            again.referral_versions.clear();
            assert_eq!(again, expected, "{} → {} by import", db.name, target.name);
            imported.close().await;
            target.cleanup().await;
        }

        // Corrections take each out.
        for entry in [Entry::BetterOffCalculation, Entry::Disclosure, Entry::Plan] {
            edit(store, &id, Edit::Remove { entry, index: 0 })
                .await
                .unwrap();
        }
        let r = store.referral(&id).await.unwrap().unwrap().referral;
        assert_eq!(
            (r.better_off_calculation, r.disclosure, r.vocational_plan),
            (None, None, None)
        );
        let again = store.export().await.unwrap();
        let r = again.referrals.iter().find(|x| x.id == id).unwrap();
        assert_eq!((&r.better_off_calculation, &r.disclosure), (&None, &None));
        assert!(
            store.integrity_check().await.unwrap().is_empty(),
            "{}",
            db.name
        );
    })
    .await;
}
