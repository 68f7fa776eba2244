//! Rules revision 3 (issue 22) in the store: in-work checks (SUS-6) and who
//! agreed a team decision (ENG-3) are kept through every path — a step, a
//! correction, an import and export, a backup and restore — on SQLite and
//! PostgreSQL.

mod common;

use common::{assert_restored_exports, each_database, example_bundle};
use ipstrack_core::bundle::{DecisionDoc, InWorkCheckDoc, canonical};
use ipstrack_store::{Edit, Entry, Replacement, Step};

fn check(date: &str, source: &str, note: Option<&str>) -> InWorkCheckDoc {
    InWorkCheckDoc {
        date: date.into(),
        source: source.into(),
        note: note.map(str::to_string),
    }
}

#[tokio::test]
async fn sus_6_in_work_checks_and_eng_3_agreed_by_survive_every_path() {
    each_database(async |store, db| {
        let bundle = example_bundle("revision3");
        assert!(
            bundle
                .referrals
                .iter()
                .any(|r| !r.in_work_checks.is_empty()),
            "the example has in-work checks"
        );
        store.import(&bundle, "setup").await.unwrap();
        let exported = store.export().await.unwrap();
        assert_eq!(
            exported.referrals,
            canonical(&bundle).unwrap().referrals,
            "{}: import then export keeps every referral as the loader reads it",
            db.name
        );

        // A step adds a check; a correction replaces it; another removes it.
        let id = exported.referrals[0].id.clone();
        let received = exported.referrals[0].received.clone();
        let before = exported.referrals[0].in_work_checks.len();
        let step = Step::InWorkCheck(check(&received, "payslip", Some("March payslip seen")));
        store.change_referral(&id, &step, "es1").await.unwrap();
        let saved = store.referral(&id).await.unwrap().unwrap();
        assert_eq!(
            saved.referral.in_work_checks.len(),
            before + 1,
            "{}",
            db.name
        );
        assert_eq!(
            saved
                .referral
                .in_work_checks
                .last()
                .unwrap()
                .note
                .as_deref(),
            Some("March payslip seen")
        );
        let replace = Step::Edit {
            edit: Edit::Replace(Replacement::InWorkCheck(
                before,
                check(&received, "employer", None),
            )),
            seen_version: saved.version,
        };
        let saved = store.change_referral(&id, &replace, "es1").await.unwrap();
        assert_eq!(saved.referral.in_work_checks[before].source, "employer");
        let remove = Step::Edit {
            edit: Edit::Remove {
                entry: Entry::InWorkCheck,
                index: before,
            },
            seen_version: saved.version,
        };
        let saved = store.change_referral(&id, &remove, "es1").await.unwrap();
        assert_eq!(saved.referral.in_work_checks.len(), before, "{}", db.name);

        // A decision with who agreed it.
        let decision = Step::Decision(DecisionDoc {
            start: received.clone(),
            end: None,
            status: "active".into(),
            reason: Some("Seen weekly by the care coordinator".into()),
            agreed_by: vec!["Team lead".into(), "Care coordinator".into()],
        });
        let saved = store
            .change_referral(&id, &decision, "lead1")
            .await
            .unwrap();
        let last = saved.referral.decisions.as_ref().unwrap().last().unwrap();
        assert_eq!(last.agreed_by, ["Team lead", "Care coordinator"]);

        // A backup gives it all back; the database loads as stored.
        let now = store.export().await.unwrap();
        assert_eq!(
            canonical(&now).unwrap().referrals,
            now.referrals,
            "{}",
            db.name
        );
        let backup = store.backup().await.unwrap();
        assert_restored_exports(db, &backup, &now).await;
        assert!(store.integrity_check().await.unwrap().is_empty());
    })
    .await;
}
