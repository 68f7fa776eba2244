//! Signing in and checking passwords under the sign-in backoff (sessions
//! and API tokens are kept by `tables/sessions.rs`).
//!
//! # The sign-in rule
//!
//! Failed password checks are counted per account **and** source address (a
//! *pair*), and per account across every address. No account is ever locked
//! for long by someone else:
//!
//! - A pair has at most [`PAIR_CHECKS`] (5) password checks in a round. The
//!   check that fills a round makes the pair wait before its next round:
//!   1 minute, then 2, 4, 8, and at most [`PAIR_MAX_WAIT_MINUTES`] (15).
//!   A correct password ends the pair's count and its doubling. So one
//!   address gets at most 5 checks per round and never more than 20 in any
//!   10 minutes (rounds start at least 1, 2, 4, 8 minutes apart).
//! - An account has at most [`ACCOUNT_CHECKS`] (25) failing checks from all
//!   addresses together in [`ACCOUNT_WINDOW_MINUTES`] (10); the check that
//!   fills that round makes every address wait, 1 minute, then 2, 4, and at
//!   most [`ACCOUNT_MAX_WAIT_MINUTES`] (5). A correct password gives its
//!   check back to the account's round. One address alone cannot reach
//!   this, so a stranger slows only their own address: the real user, from
//!   theirs, still signs in unless a flood from several addresses is going
//!   on, and then waits minutes, not hours.
//! - A pair's partial round is forgotten [`WINDOW_MINUTES`] (60) after it
//!   began; counts, doublings and waits are all forgotten after an hour
//!   without an attempt (or when an admin sets a new password).
//! - A check is *reserved* in the database (in the write transaction, which
//!   serialises writers, across processes too) before argon2 runs, so
//!   parallel attempts and several servers on one database never check more
//!   passwords than the limits allow.
//! - An unknown username is treated exactly like a known one: it has its own
//!   counts, and its password is checked (argon2) against a fixed hash made
//!   once with the same parameters, so the answer and its time are the same.
//!   A disabled account's password is checked too, then refused.
//! - Checking the current password to change it counts the same way.
//! - At most [`PASSWORD_CHECKS_AT_ONCE`] (4) passwords are checked at once
//!   in a process (argon2 takes 19 MiB and a core's worth of time each); a
//!   check waits at most [`PASSWORD_CHECK_WAIT`] for its turn, else the
//!   answer is *busy* (nothing reserved, nothing counted): try again soon.
//! - A username of more than [`MAX_USERNAME`] (64) characters, or a
//!   password of more than [`MAX_PASSWORD`] (1,024), is refused as a wrong
//!   password before anything is reserved, checked or stored.
//! - Each failed check is kept a day in `sign_in_failures` (username as
//!   typed, address, time): the users page shows an admin the last hour's.
//!
//! IPv6 addresses count by their /64 network (one household or host), IPv4
//! addresses one by one. The counts, rounds and waits are kept in the
//! `sign_in_gates` and `sign_in_failures` tables (`tables/sign_in_gates.rs`).
//!
//! [`PAIR_CHECKS`]: crate::PAIR_CHECKS
//! [`PAIR_MAX_WAIT_MINUTES`]: crate::PAIR_MAX_WAIT_MINUTES
//! [`ACCOUNT_CHECKS`]: crate::ACCOUNT_CHECKS
//! [`ACCOUNT_WINDOW_MINUTES`]: crate::ACCOUNT_WINDOW_MINUTES
//! [`ACCOUNT_MAX_WAIT_MINUTES`]: crate::ACCOUNT_MAX_WAIT_MINUTES
//! [`WINDOW_MINUTES`]: crate::WINDOW_MINUTES

use std::net::IpAddr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sqlx::Row;

use crate::tables::sessions::{self, Session, end_sessions, random_token};
use crate::tables::sign_in_gates::{record_failure, release, reserve};
use crate::tables::users::{change_user, hash_password};
use crate::{Result, Role, Store, StoreError, User};

/// Passwords checked (argon2) at once in this process.
pub const PASSWORD_CHECKS_AT_ONCE: usize = 4;
/// The longest a password check waits for its turn.
pub const PASSWORD_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// The longest username, in characters, that can sign in.
pub const MAX_USERNAME: usize = 64;
/// The longest password, in characters, that is checked.
pub const MAX_PASSWORD: usize = 1024;

/// The turns of password checks in this process.
static PASSWORD_TURNS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(PASSWORD_CHECKS_AT_ONCE);
/// Password checks running now, and the most that ever ran at once.
static CHECKING: AtomicUsize = AtomicUsize::new(0);
static MOST_CHECKING: AtomicUsize = AtomicUsize::new(0);

/// A turn to check a password, or `None` when none came within
/// [`PASSWORD_CHECK_WAIT`].
async fn password_turn() -> Option<tokio::sync::SemaphorePermit<'static>> {
    tokio::time::timeout(PASSWORD_CHECK_WAIT, PASSWORD_TURNS.acquire())
        .await
        .ok()
        .map(|permit| permit.expect("the semaphore is never closed"))
}

/// Whether a username and password are within the lengths that are checked.
fn within_lengths(username: &str, password: &str) -> bool {
    // Bytes first: a long value is not counted character by character.
    (username.len() <= MAX_USERNAME || username.chars().count() <= MAX_USERNAME)
        && (password.len() <= MAX_PASSWORD || password.chars().count() <= MAX_PASSWORD)
}

/// The most password checks that ever ran at once in this process (for
/// tests and monitoring).
pub fn most_password_checks_at_once() -> usize {
    MOST_CHECKING.load(Ordering::SeqCst)
}

/// The key a source address counts under: an IPv4 address itself, an IPv6
/// address its /64 network (`2001:db8:1:2::/64`).
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}

/// How a sign-in ended (never saying whether the user exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    Ok {
        token: String,
        session: Session,
    },
    /// The username or password is not right.
    Refused,
    /// Too many failures: no password was checked; try again after `until`.
    Slowed {
        until: jiff::Timestamp,
    },
    /// Too many passwords being checked at once: none was checked, nothing
    /// counted; try again in a few seconds.
    Busy,
}

/// How changing one's own password ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordChange {
    /// Changed; every other session and token of the user has ended.
    Changed,
    /// The current password is not right (counted like a failed sign-in).
    Refused,
    /// Too many failures: the current password was not checked.
    Slowed { until: jiff::Timestamp },
    /// Too many passwords being checked at once: the current one was not
    /// checked, nothing counted; try again in a few seconds.
    Busy,
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

fn now_secs() -> i64 {
    now().as_second()
}

/// A hash of a password nobody has, made once with the parameters of every
/// stored hash: an unknown username's check costs what a known one's does.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(random_token().as_bytes(), &salt)
            .expect("argon2 hashes a random token")
            .to_string()
    })
}

/// Why a password was not checked.
enum Gate {
    /// The pair or the account must wait until then.
    Slowed(jiff::Timestamp),
    /// No turn came in time.
    Busy,
}

impl Store {
    /// Signs in from `address` (see the sign-in rule of `sign_in.rs`): on success a
    /// session of `hours` hours is created.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        address: &str,
        hours: i64,
    ) -> Result<SignIn> {
        let user = match self.gated_check(username, password, address).await? {
            Err(Gate::Busy) => return Ok(SignIn::Busy),
            Err(Gate::Slowed(until)) => return Ok(SignIn::Slowed { until }),
            Ok(None) => return Ok(SignIn::Refused),
            Ok(Some(user)) => user,
        };
        let token = random_token();
        let csrf = random_token();
        let expires = now() + jiff::SignedDuration::from_hours(hours);
        let mut tx = self.begin_write().await?;
        release(&mut tx, username, address).await?;
        sessions::insert(&mut tx, &token, username, &csrf, expires).await?;
        tx.commit().await?;
        Ok(SignIn::Ok {
            token,
            session: Session { user, csrf },
        })
    }

    /// One password check under the rule: `Err` when the pair or the
    /// account must wait or no turn came (nothing checked), else the user
    /// if the password is right (a failure is recorded). A username or
    /// password over its length is wrong, with nothing reserved or stored.
    async fn gated_check(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<Result<Option<User>, Gate>> {
        if !within_lengths(username, password) {
            return Ok(Ok(None));
        }
        // The turn first: a busy answer reserves nothing.
        let Some(turn) = password_turn().await else {
            return Ok(Err(Gate::Busy));
        };
        let at = now_secs();
        let mut tx = self.begin_write().await?;
        let waiting = reserve(&mut tx, username, address, at).await?;
        tx.commit().await?;
        if let Some(until) = waiting {
            let until = jiff::Timestamp::from_second(until)
                .map_err(|e| StoreError::Corrupt(format!("sign-in wait: {e}")))?;
            return Ok(Err(Gate::Slowed(until)));
        }
        let user = self.check_password(username, password).await?;
        drop(turn);
        if user.is_none() {
            let mut tx = self.begin_write().await?;
            record_failure(&mut tx, username, address).await?;
            tx.commit().await?;
        }
        Ok(Ok(user))
    }

    /// The user, if the password is right and the account enabled. The
    /// password is checked (argon2) in every case, against a fixed hash for
    /// an unknown username, so every answer takes the same time. This does
    /// not count failures: sign-in and password changes go through the rule.
    /// At most [`PASSWORD_CHECKS_AT_ONCE`] run at once: this waits for its
    /// turn (an error after [`PASSWORD_CHECK_WAIT`]).
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        if !within_lengths(username, password) {
            return Ok(None);
        }
        let Some(_turn) = password_turn().await else {
            return Err(StoreError::Unavailable(
                "too many passwords are being checked at once: try again in a few seconds".into(),
            ));
        };
        self.check_password(username, password).await
    }

    /// [`Store::verify_password`] once the caller has its turn.
    async fn check_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT username, password_hash, role, staff_id, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.read)
            .await?;
        // With local passwords off for all but a break-glass admin, any
        // other username is checked as an unknown one: the same answer in
        // the same time.
        let row = row.filter(|_| self.password_allowed(username));
        let hash = match &row {
            Some(row) => row.try_get::<String, _>("password_hash")?,
            None => dummy_hash().to_string(),
        };
        let password = password.as_bytes().to_vec();
        self.password_checks.fetch_add(1, Ordering::Relaxed);
        let now_checking = CHECKING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_CHECKING.fetch_max(now_checking, Ordering::SeqCst);
        let right = tokio::task::spawn_blocking(move || -> Result<bool> {
            let parsed = PasswordHash::new(&hash)
                .map_err(|e| StoreError::Corrupt(format!("password hash: {e}")))?;
            Ok(Argon2::default()
                .verify_password(&password, &parsed)
                .is_ok())
        })
        .await;
        CHECKING.fetch_sub(1, Ordering::SeqCst);
        let right = right.map_err(|e| StoreError::Corrupt(format!("password check: {e}")))??;
        let Some(row) = row else { return Ok(None) };
        let disabled: i64 = row.try_get("disabled")?;
        if !right || disabled != 0 {
            return Ok(None);
        }
        let role: String = row.try_get("role")?;
        Ok(Some(User {
            username: row.try_get("username")?,
            role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
            staff_id: row.try_get("staff_id")?,
            disabled: false,
        }))
    }

    /// Switches local passwords off for everyone but `username`, a
    /// break-glass admin (`None`: everyone's passwords work again). Signing
    /// in and changing one's password then refuse any other username as a
    /// wrong password, after the same check.
    pub fn allow_passwords_only_for(&self, username: Option<String>) {
        *self.password_only_for.write().expect("not poisoned") = username;
    }

    /// The break-glass admin, when local passwords are off for everyone else.
    pub fn passwords_only_for(&self) -> Option<String> {
        self.password_only_for.read().expect("not poisoned").clone()
    }

    /// Whether `username` may sign in with a password.
    pub fn password_allowed(&self, username: &str) -> bool {
        self.password_only_for
            .read()
            .expect("not poisoned")
            .as_deref()
            .is_none_or(|only| only == username)
    }

    /// How many passwords this store has checked with argon2 since it was
    /// opened (for tests and monitoring).
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(Ordering::Relaxed)
    }

    /// Changes one's own password from `address`, checking the current one
    /// under the sign-in rule; every other session and API token of the user
    /// ends (the session of `keep`, the one asking, goes on).
    pub async fn change_password(
        &self,
        username: &str,
        current: &str,
        new: &str,
        address: &str,
        keep: Option<&str>,
    ) -> Result<PasswordChange> {
        match self.gated_check(username, current, address).await? {
            Err(Gate::Busy) => return Ok(PasswordChange::Busy),
            Err(Gate::Slowed(until)) => return Ok(PasswordChange::Slowed { until }),
            Ok(None) => return Ok(PasswordChange::Refused),
            Ok(Some(_)) => {}
        }
        if new.chars().count() > MAX_PASSWORD {
            return Err(StoreError::NotAllowed(format!(
                "a password has at most {MAX_PASSWORD} characters"
            )));
        }
        let hash = hash_password(new)?;
        let mut tx = self.begin_write().await?;
        release(&mut tx, username, address).await?;
        change_user(
            &mut tx,
            username,
            username,
            "UPDATE users SET password_hash = $1 WHERE username = $2",
            Some(hash),
            "password changed",
        )
        .await?;
        end_sessions(&mut tx, username, keep).await?;
        tx.commit().await?;
        Ok(PasswordChange::Changed)
    }
}
