//! Retry keys (issue 20): a form's one-time token and an API request's
//! `Idempotency-Key` become a [`RequestKey`] of the signed-in user, naming
//! what the request writes (its target) and a hash of the request itself
//! (method, path and body as parsed). The store applies a request sent
//! again with its key once, refuses the key for any other request, and
//! keeps form tokens and API keys apart.

use axum::http::StatusCode;
use ipstrack_store::{KeyKind, RequestKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Viewer;
use crate::error::WebError;

/// The longest key taken, a form's token or an API request's key.
pub(crate) const MAX_KEY_CHARS: usize = 100;

/// A key is 1 to [`MAX_KEY_CHARS`] visible ASCII characters.
pub(crate) fn well_formed(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY_CHARS && key.chars().all(|c| c.is_ascii_graphic())
}

/// The hash of a request: its method, path and body as parsed (the form's
/// fields or the JSON document, written out again as JSON).
pub(crate) fn fingerprint(method: &str, path: &str, body: &impl Serialize) -> String {
    let body = serde_json::to_string(body).unwrap_or_default();
    let mut hash = Sha256::new();
    for part in [method, path, body.as_str()] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}

/// The key of `kind` sent by the viewer for the request to `path` (posted)
/// writing `target`, with its body as parsed.
pub(crate) fn request_key(
    kind: KeyKind,
    v: &Viewer,
    key: &str,
    target: String,
    path: &str,
    body: &impl Serialize,
) -> RequestKey {
    RequestKey {
        kind,
        user: v.session.user.username.clone(),
        key: key.to_string(),
        target,
        request: fingerprint("POST", path, body),
    }
}

/// [`form_key`] for a form posted to `/referrals/{id}/{tail}` that `does`
/// something to referral `id`.
pub(crate) fn referral_form_key(
    v: &Viewer,
    once: &str,
    (id, does, tail): (&str, &str, &str),
    body: &impl Serialize,
) -> Result<Option<RequestKey>, WebError> {
    let target = format!("referral {id}: {does}");
    form_key(v, once, target, &format!("/referrals/{id}/{tail}"), body)
}

/// A posted form's one-time token (`once`) as the viewer's key; none when
/// the form sent none. A token that no page of ipstrack makes is refused.
pub(crate) fn form_key(
    v: &Viewer,
    once: &str,
    target: String,
    path: &str,
    body: &impl Serialize,
) -> Result<Option<RequestKey>, WebError> {
    let once = once.trim();
    if once.is_empty() {
        return Ok(None);
    }
    if !well_formed(once) {
        return Err(WebError::Text(
            StatusCode::BAD_REQUEST,
            "This form is damaged: reload the page and make your change again.".into(),
        ));
    }
    Ok(Some(request_key(
        KeyKind::Form,
        v,
        once,
        target,
        path,
        body,
    )))
}
