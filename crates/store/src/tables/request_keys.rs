//! The request_keys table: a retry key (a form's one-time token, an API
//! request's `Idempotency-Key`) kept with the referral its request wrote, so
//! that the same request sent again writes nothing.

use sqlx::AnyConnection;

use crate::sql::{Value, execute, now};
use crate::{Result, StoreError};

/// Which kind of retry key: a form's one-time token or an API request's
/// `Idempotency-Key`. Each kind is its own namespace: a key of one can never
/// match a key of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Form,
    Api,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Form => "form",
            KeyKind::Api => "api",
        }
    }
}

/// How long a retry key is kept: a request sent again within it is applied
/// once.
pub const KEY_HOURS: i64 = 48;

/// A retry key sent with a write — a form's one-time token or an API
/// request's `Idempotency-Key` — with whose it is, what it is for and the
/// request it came with. The same key of the same user is a retry only of
/// the same target and request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestKey {
    pub kind: KeyKind,
    /// The user who sent it: another user's key of the same text is another key.
    pub user: String,
    /// The key as sent (kept as its SHA-256).
    pub key: String,
    /// What the request writes: `referral r3: contact`, `new referral`.
    pub target: String,
    /// A hash of the request: its method, path and body as parsed.
    pub request: String,
}

impl RequestKey {
    fn key_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.key.as_bytes()))
    }
}

/// The oldest time a key still counts (older keys are forgotten).
fn key_cutoff() -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(KEY_HOURS)).to_string()
}

/// The referral a retry key already wrote, if the key was used: by the same
/// request (its user, target and request all the same) — else the key was
/// used for another request and this one is refused.
pub(crate) async fn token_used(
    conn: &mut AnyConnection,
    key: Option<&RequestKey>,
) -> Result<Option<String>> {
    let Some(key) = key else { return Ok(None) };
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT target, request_hash, referral_id FROM request_keys \
         WHERE kind = $1 AND user_name = $2 AND key_hash = $3 AND at >= $4",
    )
    .bind(key.kind.as_str())
    .bind(&key.user)
    .bind(key.key_hash())
    .bind(key_cutoff())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some((target, request, referral)) if target == key.target && request == key.request => {
            Ok(Some(referral))
        }
        Some(_) => Err(StoreError::KeyReused),
    }
}

/// Records a request's retry key with the write it made (and drops the keys
/// older than [`KEY_HOURS`]).
pub(crate) async fn use_token(
    conn: &mut AnyConnection,
    key: Option<&RequestKey>,
    referral: &str,
) -> Result<()> {
    let Some(key) = key else { return Ok(()) };
    execute(
        conn,
        "DELETE FROM request_keys WHERE at < $1",
        vec![Value::text(&key_cutoff())],
    )
    .await?;
    execute(
        conn,
        "INSERT INTO request_keys (kind, user_name, key_hash, target, request_hash, referral_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            Value::text(key.kind.as_str()),
            Value::text(&key.user),
            Value::text(&key.key_hash()),
            Value::text(&key.target),
            Value::text(&key.request),
            Value::text(referral),
            Value::text(&now()),
        ],
    )
    .await
}
