//! The store on SQLite and PostgreSQL: sessions and sign-in backoff, data
//! entry checked as a bundle is (contact mechanisms, a client changed from
//! its page), and refusals that say what kind they are.

mod common;

use common::{audit_of, each_database, each_database_with_example, example_bundle};
use ipstrack_core::bundle::validate;
use ipstrack_store::{Role, StoreError};

/// Issue 11 replaced the 15-minute account lock by backoff per account and
/// address (crates/store/tests/sign_in.rs tests the rule in full): five
/// failures slow that address, not the account.
#[tokio::test]
async fn sessions_expire_end_on_sign_out_and_five_failures_slow_that_address() {
    use ipstrack_store::SignIn;
    const PASSWORD: &str = "correct horse battery";
    const HERE: &str = "192.0.2.1";
    each_database_with_example("sustainment", "admin", async |store, db| {
        store
            .add_user("es1", PASSWORD, Role::Es, Some("es1"), "admin")
            .await
            .unwrap();
        // es1 signs in with `password` from `address` for `hours`.
        let sign_in = async |password: &str, address: &str, hours: i64| {
            store
                .sign_in("es1", password, address, hours)
                .await
                .unwrap()
        };
        let SignIn::Ok { token, session } = sign_in(PASSWORD, HERE, 8).await else {
            panic!("{}: sign-in refused", db.name)
        };
        assert_eq!(session.user.staff_id.as_deref(), Some("es1"));
        assert_eq!(store.session(&token).await.unwrap(), Some(session.clone()));
        assert_eq!(store.session("not-a-token").await.unwrap(), None);
        store.sign_out(&token).await.unwrap();
        assert_eq!(store.session(&token).await.unwrap(), None);
        // An expired session is no session.
        let SignIn::Ok { token: old, .. } = sign_in(PASSWORD, HERE, 0).await else {
            panic!()
        };
        assert_eq!(store.session(&old).await.unwrap(), None);
        // Four failures, then the right password still works and resets the count.
        for _ in 0..4 {
            assert_eq!(sign_in("wrong", HERE, 8).await, SignIn::Refused);
        }
        assert!(matches!(
            sign_in(PASSWORD, HERE, 8).await,
            SignIn::Ok { .. }
        ));
        // Five in a row slow that address, even for the right password...
        for _ in 0..5 {
            assert_eq!(sign_in("wrong", HERE, 8).await, SignIn::Refused);
        }
        assert!(matches!(
            sign_in(PASSWORD, HERE, 8).await,
            SignIn::Slowed { .. }
        ));
        // ...but not another one.
        assert!(matches!(
            sign_in(PASSWORD, "198.51.100.7", 8).await,
            SignIn::Ok { .. }
        ));
        // An unknown user is refused the same way.
        assert_eq!(
            store.sign_in("nobody", "whatever", HERE, 8).await.unwrap(),
            SignIn::Refused
        );
    })
    .await;
}

#[tokio::test]
async fn contact_mechanisms_round_trip_and_are_checked_on_data_entry() {
    use ipstrack_core::bundle::ContactDoc;
    use ipstrack_core::model::Mechanism;
    let contact = |date: &str, kind: &str, mechanism: Option<&str>| ContactDoc {
        date: date.into(),
        kind: kind.into(),
        mechanism: mechanism.map(str::to_string),
        note: None,
        location: None,
    };
    each_database(async |store, db| {
        let mut bundle = example_bundle("caseload");
        let r = &mut bundle.referrals[0];
        let id = r.id.clone();
        let contacts = r.contacts.get_or_insert_default();
        let before = contacts.len();
        contacts.push(contact("2024-05-01", "remote", Some("video")));
        contacts.push(contact("2024-05-02", "remote", Some("telephone")));
        contacts.push(contact("2024-05-03", "in_work_support", None));
        store.import(&bundle, "test").await.unwrap();

        // Read back as written: the mechanism where recorded, none where not.
        let exported = store.export().await.unwrap();
        let back = exported.referrals[0].contacts.as_ref().unwrap();
        assert_eq!(
            back[before].mechanism.as_deref(),
            Some("video"),
            "{}",
            db.name
        );
        assert_eq!(back[before + 1].mechanism.as_deref(), Some("telephone"));
        assert_eq!(back[before + 2].mechanism, None);
        assert_eq!(
            validate(&exported).unwrap().dataset,
            validate(&bundle).unwrap().dataset,
            "{}",
            db.name
        );
        let again = store.import(&exported, "test").await.unwrap();
        assert!(again.updated.is_empty(), "{}: {:?}", db.name, again.updated);

        // Data entry: one contact with its mechanism, audited.
        store
            .add_contact(
                &id,
                &contact("2024-05-06", "remote", Some("text_message")),
                "es1",
            )
            .await
            .unwrap();
        let loaded = store.load().await.unwrap();
        let last = loaded.dataset.referrals[0].contacts.last().unwrap();
        assert_eq!(last.mechanism, Some(Mechanism::TextMessage), "{}", db.name);
        let audit = audit_of(store, &id).await;
        let entry = audit.iter().rfind(|e| e.record_type == "contact").unwrap();
        assert!(
            entry
                .new_value
                .as_deref()
                .unwrap()
                .contains("\"mechanism\":\"text_message\""),
            "{:?}",
            entry.new_value
        );

        // Refused with the record and field named; nothing written.
        let count = store.contact_count(&id).await.unwrap();
        for (bad, field) in [
            (
                contact("2024-05-07", "face_to_face", Some("telephone")),
                "contact.mechanism",
            ),
            (
                contact("2024-05-07", "remote", Some("pigeon")),
                "contact.mechanism",
            ),
            (contact("2024-05-07", "phone", None), "contact.kind"),
            (contact("2024-5-7", "remote", None), "contact.date"),
        ] {
            match store.add_contact(&id, &bad, "es1").await {
                Err(StoreError::Invalid(errors)) => {
                    assert_eq!(errors.0[0].record, format!("referral {id}"));
                    assert_eq!(errors.0[0].field, field, "{}: {bad:?}", db.name);
                }
                other => panic!("{}: {bad:?} should be refused, got {other:?}", db.name),
            }
        }
        assert_eq!(store.contact_count(&id).await.unwrap(), count);
    })
    .await;
}

#[tokio::test]
async fn refusals_say_what_kind_they_are_not_found_exists_or_not_allowed() {
    each_database_with_example("sustainment", "admin", async |store, db| {
        store
            .add_user("boss", "a long first password", Role::Admin, None, "cli")
            .await
            .unwrap();
        store
            .add_user(
                "es1",
                "a long first password",
                Role::Es,
                Some("es1"),
                "boss",
            )
            .await
            .unwrap();
        let refused = [
            (
                store.disable_user("nobody", "boss").await,
                "NotFound",
                "user nobody does not exist",
            ),
            (
                store
                    .add_user("es1", "another long password", Role::Es, None, "boss")
                    .await
                    .map(|_| ()),
                "Exists",
                "user es1 already exists",
            ),
            (
                store
                    .add_user("x", "short", Role::Es, None, "boss")
                    .await
                    .map(|_| ()),
                "NotAllowed",
                "a password needs at least 10 characters",
            ),
            (
                store.disable_user("boss", "cli").await,
                "NotAllowed",
                "boss is the last enabled admin: add another admin first",
            ),
        ];
        for (result, kind, message) in refused {
            let e = result.unwrap_err();
            let found = match e {
                StoreError::NotFound(_) => "NotFound",
                StoreError::Exists(_) => "Exists",
                StoreError::NotAllowed(_) => "NotAllowed",
                _ => "other",
            };
            assert_eq!(
                (found, e.to_string().as_str()),
                (kind, message),
                "{}",
                db.name
            );
        }
        store.disable_user("es1", "boss").await.unwrap();
        assert!(matches!(
            store.disable_user("es1", "boss").await,
            Err(StoreError::Exists(m)) if m == "user es1 is already disabled"
        ));
    })
    .await;
}

#[tokio::test]
async fn a_client_imported_as_written_is_changed_from_the_page_that_shows_it() {
    each_database(async |store, db| {
        let mut doc = example_bundle("sustainment");
        let client = doc.referrals[0].client.clone();
        let c = doc.clients.iter_mut().find(|c| c.id == client).unwrap();
        // As a bundle may write it: a lower-case postcode, spaces around a name.
        c.postcode = Some("ls1 4ap".into());
        c.given_name = Some("  Amira ".into());
        store.import(&doc, "admin").await.unwrap();
        // The page shows the client as core reads it.
        let loaded = store.load().await.unwrap();
        let clients = &loaded.dataset.clients;
        let shown = clients.iter().find(|c| c.id == client).unwrap();
        let seen =
            ipstrack_store::client_fingerprint(&ipstrack_core::bundle::client_document(shown));
        let mut changed = ipstrack_core::bundle::client_document(shown);
        changed.family_name = Some("Khan".into());
        let referral = doc.referrals[0].id.clone();
        let saved = store
            .update_client(&referral, &changed, &seen, "es1")
            .await
            .unwrap();
        assert_eq!(
            saved.client.family_name.as_deref(),
            Some("Khan"),
            "{}",
            db.name
        );
        // The same form again is stale.
        assert!(matches!(
            store.update_client(&referral, &changed, &seen, "es1").await,
            Err(StoreError::Changed(_))
        ));
    })
    .await;
}
