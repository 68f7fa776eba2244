//! Signing in with the organisation's account (issue 27): a user's link to
//! their identity at the provider (SIGN-1, SIGN-2), nobody else let in
//! (SIGN-3), and local passwords off for all but a break-glass admin
//! (SIGN-4), on both databases.

mod common;

use common::*;
use ipstrack_core::model::IdentityLink;
use ipstrack_store::{IdentitySignIn, Role, StoreError};

fn subject(s: &str) -> IdentityLink {
    IdentityLink::subject(s).unwrap()
}

fn email(e: &str) -> IdentityLink {
    IdentityLink::email(e).unwrap()
}

fn user_of(outcome: &IdentitySignIn) -> Option<&str> {
    match outcome {
        IdentitySignIn::Ok { session, .. } => Some(&session.user.username),
        IdentitySignIn::Unknown => None,
    }
}

#[tokio::test]
async fn sign_1_a_user_linked_by_subject_signs_in_with_it_and_nobody_else_does() {
    each_database(async |store, db| {
        store
            .add_user("sam", PASSWORD, Role::Manager, None, "admin")
            .await
            .unwrap();
        store
            .link_identity("sam", Some(&subject("sub-sam")), "admin")
            .await
            .unwrap();
        let out = store.sign_in_by_identity("sub-sam", None, 1).await.unwrap();
        assert_eq!(user_of(&out), Some("sam"), "{}", db.name);
        let IdentitySignIn::Ok { token, .. } = out else {
            unreachable!()
        };
        assert_eq!(
            store.session(&token).await.unwrap().unwrap().user.username,
            "sam"
        );
        // SIGN-3: another subject is nobody, and nothing is created.
        let before = store.users().await.unwrap();
        let out = store
            .sign_in_by_identity("sub-stranger", Some("stranger@nhs.net"), 1)
            .await
            .unwrap();
        assert_eq!(out, IdentitySignIn::Unknown, "{}", db.name);
        assert_eq!(store.users().await.unwrap(), before);
        // The link is audited.
        assert!(audit_of(store, "sam").await.iter().any(|e| {
            e.new_value
                .as_deref()
                .is_some_and(|n| n.contains("linked to an identity"))
        }));
    })
    .await;
}

#[tokio::test]
async fn sign_1_an_identity_names_one_user_at_most() {
    each_database(async |store, db| {
        store
            .add_user("sam", PASSWORD, Role::Manager, None, "admin")
            .await
            .unwrap();
        store
            .add_user("kim", PASSWORD, Role::Manager, None, "admin")
            .await
            .unwrap();
        store
            .link_identity("sam", Some(&subject("sub-1")), "admin")
            .await
            .unwrap();
        let e = store
            .link_identity("kim", Some(&subject("sub-1")), "admin")
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Exists(ref m) if m.contains("sam")),
            "{}: {e}",
            db.name
        );
        store
            .link_identity("sam", Some(&email("sam@nhs.net")), "admin")
            .await
            .unwrap();
        let e = store
            .link_identity("kim", Some(&email("SAM@nhs.net")), "admin")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Exists(_)), "{}: {e}", db.name);
        // Linking the same user again to the same identity is fine.
        store
            .link_identity("sam", Some(&email("sam@nhs.net")), "admin")
            .await
            .unwrap();
        let e = store
            .link_identity("nobody", Some(&subject("sub-2")), "admin")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{}", db.name);
    })
    .await;
}

#[tokio::test]
async fn sign_2_an_email_link_is_used_once_then_the_subject_stands() {
    each_database(async |store, db| {
        store
            .add_user("sam", PASSWORD, Role::Es, None, "admin")
            .await
            .unwrap();
        store
            .link_identity("sam", Some(&email("Sam@NHS.net")), "admin")
            .await
            .unwrap();
        // Without a vouched-for address the subject alone is nobody.
        assert_eq!(
            store.sign_in_by_identity("sub-sam", None, 1).await.unwrap(),
            IdentitySignIn::Unknown
        );
        // First sign-in with the address (any case): linked to the subject.
        let out = store
            .sign_in_by_identity("sub-sam", Some("sam@nhs.NET"), 1)
            .await
            .unwrap();
        assert_eq!(user_of(&out), Some("sam"), "{}", db.name);
        let links = store.identity_links().await.unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].link, subject("sub-sam"));
        // Used once: another subject with the same address is nobody now.
        let out = store
            .sign_in_by_identity("sub-other", Some("sam@nhs.net"), 1)
            .await
            .unwrap();
        assert_eq!(out, IdentitySignIn::Unknown, "{}", db.name);
        // The subject goes on working without the address.
        assert_eq!(
            user_of(&store.sign_in_by_identity("sub-sam", None, 1).await.unwrap()),
            Some("sam")
        );
        assert!(audit_of(store, "sam").await.iter().any(|e| {
            e.actor == "sam"
                && e.new_value
                    .as_deref()
                    .is_some_and(|n| n.contains("first sign-in"))
        }));
    })
    .await;
}

#[tokio::test]
async fn sign_3_a_disabled_user_or_a_removed_link_lets_nobody_in() {
    each_database(async |store, db| {
        store
            .add_user("sam", PASSWORD, Role::Es, None, "admin")
            .await
            .unwrap();
        store
            .link_identity("sam", Some(&subject("sub-sam")), "admin")
            .await
            .unwrap();
        let IdentitySignIn::Ok { token, .. } =
            store.sign_in_by_identity("sub-sam", None, 1).await.unwrap()
        else {
            panic!("{}: linked", db.name)
        };
        store.disable_user("sam", "admin").await.unwrap();
        assert_eq!(
            store.sign_in_by_identity("sub-sam", None, 1).await.unwrap(),
            IdentitySignIn::Unknown
        );
        store.enable_user("sam", "admin").await.unwrap();
        assert!(user_of(&store.sign_in_by_identity("sub-sam", None, 1).await.unwrap()).is_some());
        // Removing the link ends the sessions it opened.
        store.link_identity("sam", None, "admin").await.unwrap();
        assert!(
            store.session(&token).await.unwrap().is_none(),
            "{}",
            db.name
        );
        assert_eq!(
            store.sign_in_by_identity("sub-sam", None, 1).await.unwrap(),
            IdentitySignIn::Unknown
        );
        // An e-mail link waiting for a disabled user is not used.
        store
            .link_identity("sam", Some(&email("sam@nhs.net")), "admin")
            .await
            .unwrap();
        store.disable_user("sam", "admin").await.unwrap();
        assert_eq!(
            store
                .sign_in_by_identity("sub-sam", Some("sam@nhs.net"), 1)
                .await
                .unwrap(),
            IdentitySignIn::Unknown
        );
        assert_eq!(
            store.identity_links().await.unwrap()[0].link,
            email("sam@nhs.net")
        );
    })
    .await;
}

#[tokio::test]
async fn sign_4_local_passwords_off_for_all_but_the_break_glass_admin() {
    each_database(async |store, db| {
        store
            .add_user("root", PASSWORD, Role::Admin, None, "admin")
            .await
            .unwrap();
        store
            .add_user("sam", PASSWORD, Role::Es, None, "admin")
            .await
            .unwrap();
        store.allow_passwords_only_for(Some("root".into()));
        assert!(signs_in(store, "root", PASSWORD).await, "{}", db.name);
        // Sam's right password is refused exactly as a wrong one.
        let checks = store.password_checks();
        assert!(!signs_in(store, "sam", PASSWORD).await, "{}", db.name);
        assert_eq!(
            store.password_checks(),
            checks + 1,
            "checked as an unknown user is"
        );
        store.allow_passwords_only_for(None);
        assert!(signs_in(store, "sam", PASSWORD).await, "{}", db.name);
    })
    .await;
}

#[tokio::test]
async fn sign_1_doctor_names_a_link_not_stored_as_the_users_page_stores_one() {
    each_database_with_example("sustainment", "admin", async |store, db| {
        store
            .add_user("sam", PASSWORD, Role::Es, None, "admin")
            .await
            .unwrap();
        store
            .add_user("kim", PASSWORD, Role::Es, None, "admin")
            .await
            .unwrap();
        store
            .link_identity("sam", Some(&subject("sub-sam")), "admin")
            .await
            .unwrap();
        assert_eq!(
            store.integrity_check().await.unwrap(),
            Vec::<String>::new(),
            "{}",
            db.name
        );
        // Written around the store: an address with capitals and spaces.
        let mut conn = connect(&db.url).await;
        sqlx::query("UPDATE users SET identity_email = ' Kim@NHS.net' WHERE username = 'kim'")
            .execute(&mut conn)
            .await
            .unwrap();
        let problems = store.integrity_check().await.unwrap();
        assert_eq!(problems.len(), 1, "{}: {problems:?}", db.name);
        assert!(
            problems[0].starts_with("user kim: its e-mail link"),
            "{problems:?}"
        );
    })
    .await;
}
