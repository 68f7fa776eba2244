//! Row-level writes (issue 10) on SQLite and PostgreSQL: a step writes only
//! its own rows, so concurrent additions and steps on one referral lose
//! nothing; an edit from an older version is refused; every write counts the
//! referral's version up and appends to the change sequence.

mod common;

use common::{databases, each_database_with_caseload};
use ipstrack_core::bundle::{ContactDoc, EngagementDoc, SpellDoc};
use ipstrack_store::{Change, Edit, Entry, KeyKind, RequestKey, Step, Store, StoreError};

fn contact(day: u32) -> ContactDoc {
    common::remote_contact(5, day as usize)
}

/// A referral of the `caseload` example with its version.
async fn first_referral(store: &Store) -> (String, i64) {
    let loaded = store.load().await.unwrap();
    let r = &loaded.dataset.referrals[0];
    (r.id.clone(), r.version)
}

#[tokio::test]
async fn concurrent_contacts_and_steps_on_one_referral_lose_nothing() {
    each_database_with_caseload(async |store, db| {
        let (id, _) = first_referral(store).await;
        let before = store.contact_count(&id).await.unwrap();
        // Two people add 15 contacts each while a third records engagement
        // changes and holds on the same referral.
        let mut tasks = Vec::new();
        for writer in 0..2 {
            let (store, id) = (store.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                for n in 0..15 {
                    store
                        .add_contact(&id, &contact(writer * 15 + n), &format!("es{writer}"))
                        .await
                        .unwrap();
                }
            }));
        }
        let (steps, step_id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..10 {
                let step = if n % 2 == 0 {
                    Step::Engagement(EngagementDoc {
                        date: format!("2024-06-{:02}", n + 1),
                        status: "seeking_work".into(),
                    })
                } else {
                    Step::Hold(SpellDoc {
                        start: format!("2024-07-{:02}", n + 1),
                        end: Some(format!("2024-07-{:02}", n + 2)),
                    })
                };
                steps
                    .change_referral(&step_id, &step, "lead")
                    .await
                    .unwrap();
            }
        }));
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            store.contact_count(&id).await.unwrap(),
            before + 30,
            "{}: every acknowledged contact is kept",
            db.name
        );
        let saved = store.referral(&id).await.unwrap().unwrap();
        assert_eq!(saved.referral.engagement.unwrap().len(), 5, "{}", db.name);
        assert_eq!(saved.referral.holds.unwrap().len(), 5, "{}", db.name);
        // The stored whole is still valid and the version counted every write.
        store.load().await.unwrap();
        assert!(
            saved.version >= 41,
            "{}: version {}",
            db.name,
            saved.version
        );
    })
    .await;
}

#[tokio::test]
async fn an_edit_from_an_older_version_is_refused_and_an_addition_is_not() {
    each_database_with_caseload(async |store, db| {
        // A referral whose access is taken out (a correction), so that
        // access can be recorded again.
        let (id, version) = first_referral(store).await;
        let corrected = store
            .change_referral(
                &id,
                &Step::Edit {
                    edit: Edit::Remove {
                        entry: Entry::Access,
                        index: 0,
                    },
                    seen_version: version,
                },
                "es1",
            )
            .await
            .unwrap();
        let seen = corrected.version;
        assert_eq!(seen, version + 1, "{}", db.name);
        let received = corrected.referral.received.clone();
        // Someone else adds a contact: the page's version is now old.
        store.add_contact(&id, &contact(3), "es2").await.unwrap();
        let access = |seen_version| Step::Edit {
            edit: Edit::Access(received.clone()),
            seen_version,
        };
        match store.change_referral(&id, &access(seen), "es1").await {
            Err(StoreError::Conflict { current, version }) => {
                assert_eq!(version, seen + 1, "{}", db.name);
                assert!(current.access.is_none());
            }
            other => panic!("{}: expected a conflict, got {other:?}", db.name),
        }
        assert!(
            store
                .referral(&id)
                .await
                .unwrap()
                .unwrap()
                .referral
                .access
                .is_none(),
            "{}: nothing written",
            db.name
        );
        // An addition made from the same old page is applied.
        let added = store
            .change_referral(&id, &Step::Contact(contact(4)), "es1")
            .await
            .unwrap();
        // The edit from the current version is applied.
        let saved = store
            .change_referral(&id, &access(added.version), "es1")
            .await
            .unwrap();
        assert_eq!(saved.referral.access.as_deref(), Some(received.as_str()));
        assert_eq!(saved.version, added.version + 1);
        // A correction names the version too: removing the second contact.
        let before = saved.referral.contacts.as_ref().unwrap().len();
        let removed = store
            .change_referral(
                &id,
                &Step::Edit {
                    edit: Edit::Remove {
                        entry: Entry::Contact,
                        index: before - 1,
                    },
                    seen_version: saved.version,
                },
                "es1",
            )
            .await
            .unwrap();
        assert_eq!(removed.referral.contacts.unwrap().len(), before - 1);
        let stored = store.referral(&id).await.unwrap().unwrap();
        assert_eq!(stored.referral.contacts.unwrap().len(), before - 1);
    })
    .await;
}

#[tokio::test]
async fn a_bad_step_writes_nothing_and_names_the_field() {
    each_database_with_caseload(async |store, db| {
        let (id, version) = first_referral(store).await;
        let before = store.referral(&id).await.unwrap().unwrap();
        let bad = Step::Hold(SpellDoc {
            start: "2024-07-10".into(),
            end: Some("2024-07-01".into()),
        });
        match store.change_referral(&id, &bad, "es1").await {
            Err(StoreError::Invalid(errors)) => {
                assert_eq!(errors.0[0].record, format!("referral {id}"), "{}", db.name);
                assert!(errors.0[0].field.starts_with("holds"), "{:?}", errors.0);
            }
            other => panic!("{}: {other:?}", db.name),
        }
        let after = store.referral(&id).await.unwrap().unwrap();
        assert_eq!(after, before, "{}", db.name);
        assert_eq!(after.version, version);
        match store
            .change_referral("no-such-referral", &Step::Contact(contact(1)), "es1")
            .await
        {
            Err(StoreError::NotFound(what)) => assert_eq!(what, "referral no-such-referral"),
            other => panic!("{}: {other:?}", db.name),
        }
    })
    .await;
}

#[tokio::test]
async fn every_write_appends_to_the_change_sequence() {
    each_database_with_caseload(async |store, db| {
        let (_, start) = store.load_with_change().await.unwrap();
        let (id, _) = first_referral(store).await;
        store.add_contact(&id, &contact(1), "es1").await.unwrap();
        let changes = store.changes_since(start, 100).await.unwrap();
        assert_eq!(changes.len(), 1, "{}", db.name);
        assert_eq!(changes[0].1, Change::Referral(id.clone()));
        // A change to the service (policy) asks for a whole reload.
        let policy =
            serde_json::from_value(serde_json::json!({"contact_window_days": 30})).unwrap();
        store.save_policy(Some(policy), "admin").await.unwrap();
        let changes = store.changes_since(changes[0].0, 100).await.unwrap();
        assert_eq!(changes.len(), 1, "{}", db.name);
        assert_eq!(changes[0].1, Change::Everything);
        // A re-import of one changed referral names it.
        let mut bundle = store.export().await.unwrap();
        bundle.referrals[1]
            .contacts
            .get_or_insert_default()
            .push(contact(9));
        let other = bundle.referrals[1].id.clone();
        store.import(&bundle, "cli").await.unwrap();
        let after = store.changes_since(changes[0].0, 100).await.unwrap();
        assert_eq!(
            after.iter().map(|(_, r)| r.clone()).collect::<Vec<_>>(),
            vec![Change::Referral(other.clone())],
            "{}",
            db.name
        );
        // The import counted the referral's version up.
        let loaded = store.load().await.unwrap();
        let referrals = &loaded.dataset.referrals;
        let r = referrals.iter().find(|r| r.id == other).unwrap();
        assert_eq!(r.version, 2, "{}", db.name);
    })
    .await;
}

#[tokio::test]
async fn on_postgresql_a_write_wakes_the_servers_waiting_for_changes() {
    for db in databases().await {
        if db.name != "postgres" {
            continue;
        }
        let store = db.open_with_caseload().await;
        let (id, _) = first_referral(&store).await;
        // Another server on the same database, already listening.
        let other = db.open().await;
        other
            .wait_for_change(std::time::Duration::from_millis(10))
            .await;
        let waiting = tokio::spawn(async move {
            let started = std::time::Instant::now();
            other
                .wait_for_change(std::time::Duration::from_secs(20))
                .await;
            started.elapsed()
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        store.add_contact(&id, &contact(1), "es1").await.unwrap();
        let waited = waiting.await.unwrap();
        assert!(
            waited < std::time::Duration::from_secs(5),
            "woken by the write's notice, not by the time-out: {waited:?}"
        );
        store.close().await;
        db.cleanup().await;
    }
}

/// A retry key of `user` for a contact on `referral` with `body`.
fn key(kind: KeyKind, user: &str, text: &str, referral: &str, body: &str) -> RequestKey {
    RequestKey {
        kind,
        user: user.into(),
        key: text.into(),
        target: format!("referral {referral}: contact"),
        request: format!("POST /referrals/{referral}/contacts {body}"),
    }
}

/// Issue 20: a retry key is its user's, and names one request. The same
/// request again is a repeat (nothing written, the referral given back);
/// the key on another referral or with another body is refused and writes
/// nothing; another user's key, or a key of the other kind, of the same
/// text is another key.
#[tokio::test]
async fn a_retry_key_is_a_repeat_only_for_its_user_target_and_request() {
    each_database_with_caseload(async |store, db| {
        let loaded = store.load().await.unwrap();
        let (a, b) = (
            loaded.dataset.referrals[0].id.clone(),
            loaded.dataset.referrals[1].id.clone(),
        );
        let count = |id: String| {
            let store = store.clone();
            async move { store.contact_count(&id).await.unwrap() }
        };
        let (on_a, on_b) = (count(a.clone()).await, count(b.clone()).await);
        let first = key(KeyKind::Api, "es1", "k-1", &a, "3");
        let saved = store
            .change_referral_once(&a, &Step::Contact(contact(3)), Some(&first), "es1")
            .await
            .unwrap();
        // Sent again: the referral as stored, nothing written.
        let again = store
            .change_referral_once(&a, &Step::Contact(contact(3)), Some(&first), "es1")
            .await
            .unwrap();
        assert_eq!(again, saved, "{}", db.name);
        assert_eq!(count(a.clone()).await, on_a + 1, "{}", db.name);
        assert_eq!(store.done_with(&first).await.unwrap(), Some(saved.clone()));
        // The key for another referral, or another body: refused.
        for other in [
            key(KeyKind::Api, "es1", "k-1", &b, "3"),
            key(KeyKind::Api, "es1", "k-1", &a, "4"),
        ] {
            match store
                .change_referral_once(&b, &Step::Contact(contact(4)), Some(&other), "es1")
                .await
            {
                Err(StoreError::KeyReused) => {}
                got => panic!("{}: {got:?}", db.name),
            }
            assert!(matches!(
                store.done_with(&other).await,
                Err(StoreError::KeyReused)
            ));
        }
        assert_eq!(count(b.clone()).await, on_b, "{}: nothing written", db.name);
        // Another user's key, and a form token, of the same text: their own.
        for other in [
            key(KeyKind::Api, "es2", "k-1", &b, "4"),
            key(KeyKind::Form, "es1", "k-1", &b, "4"),
        ] {
            assert_eq!(store.done_with(&other).await.unwrap(), None);
            store
                .change_referral_once(&b, &Step::Contact(contact(4)), Some(&other), "es1")
                .await
                .unwrap();
        }
        assert_eq!(count(b.clone()).await, on_b + 2, "{}", db.name);
        // A new referral under a key used for a contact: refused.
        let create = RequestKey {
            target: "new referral".into(),
            request: "POST /referrals/new".into(),
            ..first.clone()
        };
        let referral = ipstrack_core::bundle::ReferralDoc::new(
            "r-new".into(),
            loaded.dataset.clients[0].id.clone(),
            "2024-05-01".into(),
            "unemployed".into(),
        );
        match store
            .create_referral(None, referral, Some(&create), "es1")
            .await
        {
            Err(StoreError::KeyReused) => {}
            got => panic!("{}: {got:?}", db.name),
        }
    })
    .await;
}
