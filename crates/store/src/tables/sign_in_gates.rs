//! The sign_in_gates and sign_in_failures tables: the counts, rounds and
//! waits of the sign-in rule (see `sign_in`), and the failed checks an admin
//! sees.

use crate::{Result, Store, StoreError, WriteTx};

/// Password checks a (account, address) pair has in one round.
pub const PAIR_CHECKS: i64 = 5;
/// The longest wait of a pair between rounds, in minutes.
pub const PAIR_MAX_WAIT_MINUTES: i64 = 15;
/// Failing password checks an account has in one round, from all addresses.
pub const ACCOUNT_CHECKS: i64 = 25;
/// How long an account's round counts, in minutes.
pub const ACCOUNT_WINDOW_MINUTES: i64 = 10;
/// The longest wait of a whole account between rounds, in minutes.
pub const ACCOUNT_MAX_WAIT_MINUTES: i64 = 5;
/// A pair's round counts this long; counts and waits are forgotten after
/// this long without an attempt.
pub const WINDOW_MINUTES: i64 = 60;

/// The address of the account-wide row of `sign_in_gates`.
const ACCOUNT: &str = "*";
/// How long failed checks are kept (seconds).
const KEEP_FAILURES: i64 = 24 * 3600;

/// An account's failed sign-ins, for an admin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInFailures {
    pub username: String,
    /// Failed checks in the last hour.
    pub failures: i64,
    /// From how many addresses.
    pub addresses: i64,
    /// Addresses waiting now, and until when the last of them waits.
    pub slowed_addresses: i64,
    /// The whole account waits (too many failures from all addresses).
    pub account_slowed: bool,
    pub slowed_until: Option<jiff::Timestamp>,
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The wait after `strikes` filled rounds: 1 minute doubling, at most `max` minutes.
fn wait_seconds(strikes: i64, max_minutes: i64) -> i64 {
    let minutes = 1_i64 << strikes.clamp(0, 20);
    minutes.min(max_minutes) * 60
}

/// Reserves one password check for (username, address) and for the account:
/// `Some(until)` when either must wait (nothing reserved), else `None`.
pub(crate) async fn reserve(
    tx: &mut WriteTx,
    username: &str,
    address: &str,
    now: i64,
) -> Result<Option<i64>> {
    sqlx::query("DELETE FROM sign_in_gates WHERE last_at < $1 AND wait_until <= $2")
        .bind(now - WINDOW_MINUTES * 60)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let mut rows = Vec::new();
    let mut until = None::<i64>;
    for (addr, limit, window, max_wait) in [
        (address, PAIR_CHECKS, WINDOW_MINUTES, PAIR_MAX_WAIT_MINUTES),
        (
            ACCOUNT,
            ACCOUNT_CHECKS,
            ACCOUNT_WINDOW_MINUTES,
            ACCOUNT_MAX_WAIT_MINUTES,
        ),
    ] {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT checks, window_start, strikes, wait_until FROM sign_in_gates \
             WHERE username = $1 AND address = $2",
        )
        .bind(username)
        .bind(addr)
        .fetch_optional(&mut **tx)
        .await?;
        let (checks, start, strikes, wait) = row.unwrap_or((0, 0, 0, 0));
        if wait > now {
            until = Some(until.map_or(wait, |u| u.max(wait)));
        }
        // A round's window that is over starts again from nothing.
        let (checks, start) = if start + window * 60 <= now {
            (0, now)
        } else {
            (checks, start)
        };
        rows.push((addr, limit, max_wait, checks, start, strikes, row.is_some()));
    }
    if until.is_some() {
        return Ok(until);
    }
    for (addr, limit, max_wait, checks, start, strikes, exists) in rows {
        // The check that fills the round starts the wait (a correct password
        // ends a pair's wait again); the next round has a new window.
        let (checks, start, strikes, wait) = if checks + 1 >= limit {
            (0, 0, strikes + 1, now + wait_seconds(strikes, max_wait))
        } else {
            (checks + 1, start, strikes, 0)
        };
        let sql = if exists {
            "UPDATE sign_in_gates SET checks = $1, window_start = $2, strikes = $3, wait_until = $4, \
             last_at = $5 WHERE username = $6 AND address = $7"
        } else {
            "INSERT INTO sign_in_gates (checks, window_start, strikes, wait_until, last_at, username, address) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        };
        sqlx::query(sql)
            .bind(checks)
            .bind(start)
            .bind(strikes)
            .bind(wait)
            .bind(now)
            .bind(username)
            .bind(addr)
            .execute(&mut **tx)
            .await?;
    }
    Ok(None)
}

/// After a correct password: the pair starts again from nothing, and the
/// account's round gets its check back.
pub(crate) async fn release(tx: &mut WriteTx, username: &str, address: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_gates WHERE username = $1 AND address = $2")
        .bind(username)
        .bind(address)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE sign_in_gates SET checks = checks - 1 WHERE username = $1 AND address = $2 AND checks > 0",
    )
    .bind(username)
    .bind(ACCOUNT)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps a failed check for a day (older ones are forgotten).
pub(crate) async fn record_failure(tx: &mut WriteTx, username: &str, address: &str) -> Result<()> {
    let at = now_secs();
    sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
        .bind(at - KEEP_FAILURES)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO sign_in_failures (username, address, at) VALUES ($1, $2, $3)")
        .bind(username)
        .bind(address)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Forgets an account's counts and waits (an admin set a new password).
pub(crate) async fn clear_gates(tx: &mut WriteTx, username: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_gates WHERE username = $1")
        .bind(username)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The accounts with failed sign-ins in the last hour, by username
    /// (unknown usernames included), with their waits.
    pub async fn sign_in_failures(&self) -> Result<Vec<SignInFailures>> {
        let at = now_secs();
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT username, COUNT(*), COUNT(DISTINCT address) FROM sign_in_failures \
             WHERE at > $1 GROUP BY username ORDER BY username",
        )
        .bind(at - 3600)
        .fetch_all(&self.read)
        .await?;
        let waits: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT username, address, wait_until FROM sign_in_gates WHERE wait_until > $1",
        )
        .bind(at)
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<SignInFailures> = rows
            .into_iter()
            .map(|(username, failures, addresses)| SignInFailures {
                username,
                failures,
                addresses,
                slowed_addresses: 0,
                account_slowed: false,
                slowed_until: None,
            })
            .collect();
        for (username, address, until) in waits {
            let i = match out.iter().position(|f| f.username == username) {
                Some(i) => i,
                None => {
                    out.push(SignInFailures {
                        username,
                        failures: 0,
                        addresses: 0,
                        slowed_addresses: 0,
                        account_slowed: false,
                        slowed_until: None,
                    });
                    out.len() - 1
                }
            };
            let f = &mut out[i];
            if address == ACCOUNT {
                f.account_slowed = true;
            } else {
                f.slowed_addresses += 1;
            }
            let until = jiff::Timestamp::from_second(until)
                .map_err(|e| StoreError::Corrupt(format!("sign-in wait: {e}")))?;
            f.slowed_until = Some(f.slowed_until.map_or(until, |u| u.max(until)));
        }
        out.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(out)
    }
}
