//! The sign-in rule (issue 11) on SQLite and PostgreSQL: the limit holds
//! under parallel attempts and across servers, unknown usernames answer like
//! known ones in the same time, backoff is by account and address, and
//! sessions and tokens end when a password is reset, changed or an account
//! disabled.

mod common;

use std::time::{Duration, Instant};

use common::{TestDb, each_database};
use ipstrack_store::{PasswordChange, Role, SignIn, Store, StoreError};
use sqlx::{Connection, Executor};

const PASSWORD: &str = "correct horse battery";
const HERE: &str = "192.0.2.1";
const THERE: &str = "198.51.100.7";

/// Runs `test` on every backend with the user es1 added (password
/// [`PASSWORD`]).
async fn each_database_with_user(test: impl AsyncFn(&Store, &TestDb)) {
    each_database(async |store, db| {
        store
            .add_user("es1", PASSWORD, Role::Es, None, "admin")
            .await
            .unwrap();
        test(store, db).await;
    })
    .await;
}

/// Runs SQL on the test database directly (to move a wait into the past).
async fn execute(db: &TestDb, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&ipstrack_store::database_url(&db.url))
        .await
        .unwrap();
    conn.execute(sqlx::AssertSqlSafe(sql.to_string()))
        .await
        .unwrap();
    conn.close().await.unwrap();
}

fn seconds_until(until: jiff::Timestamp) -> i64 {
    (until - jiff::Timestamp::now()).get_seconds()
}

async fn signed_in(store: &Store, password: &str, address: &str) -> SignIn {
    store.sign_in("es1", password, address, 8).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_wrong_passwords_check_at_most_five() {
    each_database_with_user(async |store, db| {
        // Two servers on one database share the limit.
        let other = db.open().await;
        let before = store.password_checks() + other.password_checks();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            tasks.push(tokio::spawn(async move {
                s.sign_in("es1", "wrong password", HERE, 8).await.unwrap()
            }));
        }
        let mut refused = 0;
        let mut slowed = 0;
        for t in tasks {
            match t.await.unwrap() {
                SignIn::Refused => refused += 1,
                // Not checked either way: slowed, or no turn in time.
                SignIn::Slowed { .. } | SignIn::Busy => slowed += 1,
                SignIn::Ok { .. } => panic!("a wrong password signed in"),
            }
        }
        let checked = store.password_checks() + other.password_checks() - before;
        assert!(checked <= 5, "{}: {checked} passwords checked", db.name);
        assert_eq!((refused, slowed), (checked, 40 - checked), "{}", db.name);
        assert_eq!(
            store.sign_in_failures().await.unwrap()[0].failures,
            checked as i64
        );
        other.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_parallel_wrong_sign_ins_never_check_more_than_four_passwords_at_once() {
    each_database_with_user(async |store, db| {
        let before = store.password_checks();
        let mut tasks = Vec::new();
        // Each from its own address for its own account: the sign-in rule
        // lets every one be checked, only the turns bound them.
        for i in 0..64 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                s.sign_in(
                    &format!("user{i}"),
                    "wrong password",
                    &format!("10.0.0.{i}"),
                    8,
                )
                .await
                .unwrap()
            }));
        }
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                SignIn::Refused => {}
                SignIn::Busy => busy += 1,
                other => panic!("{}: {other:?}", db.name),
            }
        }
        let most = ipstrack_store::most_password_checks_at_once();
        assert!(
            most <= ipstrack_store::PASSWORD_CHECKS_AT_ONCE,
            "{}: {most} passwords checked at once",
            db.name
        );
        assert_eq!(
            store.password_checks() - before,
            64 - busy,
            "{}: every sign-in not turned away was checked",
            db.name
        );
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_with_a_two_megabyte_username_is_refused_and_stores_nothing() {
    each_database_with_user(async |store, db| {
        let before = store.password_checks();
        let long = "u".repeat(1_900_000);
        assert_eq!(
            store.sign_in(&long, "wrong", HERE, 8).await.unwrap(),
            SignIn::Refused,
            "{}",
            db.name
        );
        let long_password = "p".repeat(ipstrack_store::MAX_PASSWORD + 1);
        assert_eq!(
            signed_in(store, &long_password, HERE).await,
            SignIn::Refused,
            "{}",
            db.name
        );
        assert_eq!(store.password_checks(), before, "{}: checked", db.name);
        assert!(
            store.sign_in_failures().await.unwrap().is_empty(),
            "{}: a failure was stored",
            db.name
        );
        let mut conn = sqlx::AnyConnection::connect(&ipstrack_store::database_url(&db.url))
            .await
            .unwrap();
        let (gates,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sign_in_gates")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(gates, 0, "{}: a check was reserved", db.name);
        conn.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn unknown_usernames_get_the_same_answers_in_similar_time() {
    each_database_with_user(async |store, db| {
        // One warm-up each (the fixed hash is made on first use).
        store
            .sign_in("nobody", "x", "203.0.113.1", 8)
            .await
            .unwrap();
        store.sign_in("es1", "x", "203.0.113.2", 8).await.unwrap();
        let mut known = Duration::ZERO;
        let mut unknown = Duration::ZERO;
        for i in 0..3 {
            let address = format!("203.0.113.{}", 10 + i);
            let started = Instant::now();
            let a = store.sign_in("es1", "wrong", &address, 8).await.unwrap();
            known += started.elapsed();
            let started = Instant::now();
            let b = store.sign_in("nobody", "wrong", &address, 8).await.unwrap();
            unknown += started.elapsed();
            assert_eq!((a, b), (SignIn::Refused, SignIn::Refused), "{}", db.name);
        }
        assert!(
            unknown * 2 >= known,
            "{}: unknown {unknown:?} against known {known:?}",
            db.name
        );
        // Slowed the same way after five failures from one address.
        for _ in 0..5 {
            store.sign_in("nobody", "wrong", HERE, 8).await.unwrap();
            store.sign_in("es1", "wrong", HERE, 8).await.unwrap();
        }
        let (SignIn::Slowed { until: a }, SignIn::Slowed { until: b }) = (
            store.sign_in("nobody", "wrong", HERE, 8).await.unwrap(),
            store.sign_in("es1", "wrong", HERE, 8).await.unwrap(),
        ) else {
            panic!("{}: both slowed", db.name)
        };
        assert!((seconds_until(a) - seconds_until(b)).abs() <= 2);
    })
    .await;
}

#[tokio::test]
async fn five_failures_slow_only_that_address_with_doubling_waits() {
    each_database_with_user(async |store, db| {
        let mut waits = Vec::new();
        for round in 0..6 {
            let before = store.password_checks();
            for _ in 0..5 {
                assert_eq!(signed_in(store, "wrong", HERE).await, SignIn::Refused);
            }
            let SignIn::Slowed { until } = signed_in(store, PASSWORD, HERE).await else {
                panic!("{}: round {round} not slowed", db.name)
            };
            assert_eq!(store.password_checks() - before, 5, "five checks a round");
            waits.push((seconds_until(until) + 30) / 60);
            // The real user, from their own address, still signs in.
            assert!(matches!(
                signed_in(store, PASSWORD, THERE).await,
                SignIn::Ok { .. }
            ));
            // The wait ends (and the account's own count, which 25 failures
            // in 10 minutes would fill, is left out here).
            execute(db, "UPDATE sign_in_gates SET wait_until = 1").await;
            execute(db, "DELETE FROM sign_in_gates WHERE address = '*'").await;
        }
        assert_eq!(waits, [1, 2, 4, 8, 15, 15], "{}", db.name);
        // A right password ends the count and the doubling.
        assert!(matches!(
            signed_in(store, PASSWORD, HERE).await,
            SignIn::Ok { .. }
        ));
        for _ in 0..5 {
            signed_in(store, "wrong", HERE).await;
        }
        let SignIn::Slowed { until } = signed_in(store, PASSWORD, HERE).await else {
            panic!()
        };
        assert_eq!((seconds_until(until) + 30) / 60, 1);
    })
    .await;
}

#[tokio::test]
async fn a_flood_from_many_addresses_slows_the_account_for_minutes_only() {
    each_database_with_user(async |store, db| {
        // 25 failures from 9 addresses, none of them slowed on its own.
        for i in 0..25 {
            let address = format!("203.0.113.{}", i % 9);
            assert_eq!(signed_in(store, "wrong", &address).await, SignIn::Refused);
        }
        let SignIn::Slowed { until } = signed_in(store, PASSWORD, THERE).await else {
            panic!("{}: the account is slowed", db.name)
        };
        assert!((50..=60).contains(&seconds_until(until)), "{until}");
        let failures = store.sign_in_failures().await.unwrap();
        assert_eq!(
            (
                failures[0].failures,
                failures[0].addresses,
                failures[0].account_slowed
            ),
            (25, 9, true)
        );
        execute(db, "UPDATE sign_in_gates SET wait_until = 1").await;
        assert!(matches!(
            signed_in(store, PASSWORD, THERE).await,
            SignIn::Ok { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn reset_password_and_disable_end_sessions_and_tokens() {
    each_database_with_user(async |store, db| {
        let SignIn::Ok { token: session, .. } = signed_in(store, PASSWORD, HERE).await else {
            panic!()
        };
        let token = store.issue_token("es1", 30, "admin").await.unwrap();
        // Waits are forgotten by a reset too.
        for _ in 0..5 {
            signed_in(store, "wrong", HERE).await;
        }
        store
            .reset_password("es1", "a brand new secret", "admin")
            .await
            .unwrap();
        assert_eq!(store.session(&session).await.unwrap(), None);
        assert_eq!(store.session(&token).await.unwrap(), None);
        let SignIn::Ok { token: session, .. } = signed_in(store, "a brand new secret", HERE).await
        else {
            panic!("{}: a reset ends the wait", db.name)
        };
        let token = store.issue_token("es1", 30, "admin").await.unwrap();
        store.disable_user("es1", "admin").await.unwrap();
        assert_eq!(store.session(&session).await.unwrap(), None);
        assert_eq!(store.session(&token).await.unwrap(), None);
        execute(db, "UPDATE users SET disabled = 0").await;
        assert_eq!(
            store.session(&token).await.unwrap(),
            None,
            "{}: ended, not hidden",
            db.name
        );
    })
    .await;
}

#[tokio::test]
async fn changing_ones_password_ends_the_other_sessions_and_counts_failures() {
    each_database_with_user(async |store, db| {
        let SignIn::Ok { token: mine, .. } = signed_in(store, PASSWORD, HERE).await else {
            panic!()
        };
        let SignIn::Ok { token: other, .. } = signed_in(store, PASSWORD, THERE).await else {
            panic!()
        };
        let token = store.issue_token("es1", 30, "admin").await.unwrap();
        // Wrong current passwords count toward the same limit as sign-ins.
        for _ in 0..3 {
            signed_in(store, "wrong", HERE).await;
        }
        for _ in 0..2 {
            assert_eq!(
                store
                    .change_password("es1", "wrong", "a new long secret", HERE, Some(&mine))
                    .await
                    .unwrap(),
                PasswordChange::Refused
            );
        }
        assert!(matches!(
            store
                .change_password("es1", PASSWORD, "a new long secret", HERE, Some(&mine))
                .await
                .unwrap(),
            PasswordChange::Slowed { .. }
        ));
        assert!(matches!(
            signed_in(store, PASSWORD, HERE).await,
            SignIn::Slowed { .. }
        ));
        assert_eq!(store.sign_in_failures().await.unwrap()[0].failures, 5);
        execute(db, "UPDATE sign_in_gates SET wait_until = 1").await;
        assert_eq!(
            store
                .change_password("es1", PASSWORD, "a new long secret", HERE, Some(&mine))
                .await
                .unwrap(),
            PasswordChange::Changed
        );
        assert!(store.session(&mine).await.unwrap().is_some(), "{}", db.name);
        assert_eq!(store.session(&other).await.unwrap(), None);
        assert_eq!(store.session(&token).await.unwrap(), None);
        assert!(matches!(
            signed_in(store, "a new long secret", THERE).await,
            SignIn::Ok { .. }
        ));
    })
    .await;
}

#[tokio::test]
async fn tokens_last_one_to_365_days() {
    each_database_with_user(async |store, _| {
        for days in [0, -1, 366, 3_000_000, i64::MAX] {
            assert!(
                matches!(
                    store.issue_token("es1", days, "admin").await,
                    Err(StoreError::NotAllowed(_))
                ),
                "{days}"
            );
        }
        for days in [1, 365] {
            let token = store.issue_token("es1", days, "admin").await.unwrap();
            assert!(store.session(&token).await.unwrap().is_some());
        }
    })
    .await;
}
