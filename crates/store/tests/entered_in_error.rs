//! ERR-1 (issue 23) in the store: a referral marked as entered in error is
//! written as an edit of the referral (version-checked, with its audit entry
//! and its change in the sequence, in one transaction), refuses any other
//! change until restored, leaves every figure of the loaded data, and is
//! kept through an export and import and a backup and restore, on SQLite and
//! PostgreSQL.

mod common;

use common::{assert_restored_exports, audit_of, databases, each_database_with_example};
use ipstrack_core::bundle::{ContactDoc, EnteredInErrorDoc, canonical};
use ipstrack_core::{Period, report};
use ipstrack_store::{Change, Edit, Entry, Step, StoreError};

fn mark(date: &str) -> EnteredInErrorDoc {
    EnteredInErrorDoc {
        date: date.into(),
        reason: "  Referred twice by the GP  ".into(),
        recorded_by: "Sam Lead".into(),
    }
}

/// The referrals counted in the year of `day`'s report (the service's, both groups).
fn referrals_counted(loaded: &ipstrack_core::Loaded, day: &str) -> u64 {
    let day = ipstrack_core::Day::parse(day).unwrap();
    let period = Period::financial_year(day.financial_year());
    let r = report(&loaded.dataset, &loaded.warnings, &period, period.end).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    v["service"]["referrals"]["unemployed"].as_u64().unwrap()
        + v["service"]["referrals"]["employed"].as_u64().unwrap()
}

#[tokio::test]
async fn err_1_marking_and_restoring_a_referral_round_trips_on_both_databases() {
    each_database_with_example("revision3", "setup", async |store, db| {
        let exported = store.export().await.unwrap();
        let first = &exported.referrals[0];
        let (id, received) = (first.id.clone(), first.received.clone());
        let loaded = store.load().await.unwrap();
        let counted = referrals_counted(&loaded, &received);
        let saved = store.referral(&id).await.unwrap().unwrap();
        let (_, seq) = store.load_with_change().await.unwrap();

        // Without the version the page showed, or with an older one: refused.
        let stale = Step::Edit {
            edit: Edit::EnteredInError(mark(&received)),
            seen_version: saved.version - 1,
        };
        assert!(matches!(
            store.change_referral(&id, &stale, "lead1").await,
            Err(StoreError::Conflict { .. })
        ));
        // Before the referral: refused by core (BAD-1), nothing written.
        let early = Step::Edit {
            edit: Edit::EnteredInError(mark("1999-01-01")),
            seen_version: saved.version,
        };
        assert!(matches!(
            store.change_referral(&id, &early, "lead1").await,
            Err(StoreError::Invalid(_))
        ));

        let step = Step::Edit {
            edit: Edit::EnteredInError(mark(&received)),
            seen_version: saved.version,
        };
        let marked = store.change_referral(&id, &step, "lead1").await.unwrap();
        assert_eq!(marked.version, saved.version + 1, "{}", db.name);
        let e = marked.referral.entered_in_error.clone().unwrap();
        assert_eq!(e.reason, "Referred twice by the GP", "stored trimmed");
        assert_eq!(e.recorded_by, "Sam Lead");

        // Its audit entry and its change, written with it.
        let audit = audit_of(store, &id).await;
        let last = audit.last().unwrap();
        assert_eq!(
            (last.actor.as_str(), last.action.as_str()),
            ("lead1", "update")
        );
        assert!(
            last.new_value
                .as_ref()
                .unwrap()
                .to_string()
                .contains("Referred twice by the GP"),
            "{}",
            db.name
        );
        let changes = store.changes_since(seq, 10).await.unwrap();
        assert!(
            changes
                .iter()
                .any(|(_, c)| *c == Change::Referral(id.clone())),
            "{}: {changes:?}",
            db.name
        );

        // Out of the figures of the loaded data; kept in the referral.
        let loaded = store.load().await.unwrap();
        assert_eq!(referrals_counted(&loaded, &received), counted - 1);
        let at = loaded.referral_index(&id).unwrap();
        assert!(loaded.dataset.referrals[at].entered_in_error.is_some());

        // No other change until restored.
        let contact = Step::Contact(ContactDoc {
            date: received.clone(),
            kind: "remote".into(),
            mechanism: None,
            note: None,
            location: None,
        });
        assert!(matches!(
            store.change_referral(&id, &contact, "es1").await,
            Err(StoreError::Invalid(_))
        ));

        // Export and import, backup and restore keep it.
        let now = store.export().await.unwrap();
        assert_eq!(canonical(&now).unwrap(), now, "{}", db.name);
        assert!(
            now.referrals
                .iter()
                .any(|r| r.id == id && r.entered_in_error.is_some())
        );
        let backup = store.backup().await.unwrap();
        assert_restored_exports(db, &backup, &now).await;
        let mut expected = now.clone();
        expected.referral_versions.clear();
        for target in databases().await {
            let imported = target.open().await;
            imported.import(&now, "setup").await.unwrap();
            let mut again = imported.export().await.unwrap();
            again.referral_versions.clear();
            let name = format!("{} → {} by import", db.name, target.name);
            assert_eq!(again, expected, "{name}");
            target.cleanup().await;
        }
        assert!(
            store.integrity_check().await.unwrap().is_empty(),
            "{}",
            db.name
        );

        // Restored: the mark removed, audited, the figures back.
        let restore = Step::Edit {
            edit: Edit::Remove {
                entry: Entry::EnteredInError,
                index: 0,
            },
            seen_version: marked.version,
        };
        let back = store.change_referral(&id, &restore, "lead1").await.unwrap();
        assert!(back.referral.entered_in_error.is_none());
        let loaded = store.load().await.unwrap();
        assert_eq!(referrals_counted(&loaded, &received), counted);
        let audit = audit_of(store, &id).await;
        assert!(
            audit
                .last()
                .unwrap()
                .old_value
                .as_ref()
                .unwrap()
                .to_string()
                .contains("entered_in_error")
        );
    })
    .await;
}
