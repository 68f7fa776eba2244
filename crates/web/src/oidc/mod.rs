//! Signing in with the organisation's account (OpenID Connect, issue 27):
//! the button on the sign-in page sends the person to the identity provider
//! with a new state, nonce and PKCE challenge; the provider sends them back
//! with a code, exchanged for an ID token that is checked; the user linked
//! to that identity (SIGN-1, SIGN-2) gets a session, anyone else "ask your
//! administrator" (SIGN-3). Signing out offers the provider's sign-out.
//! docs/sign-in.md tells a trust's IT how to set it up.

mod pages;
mod pending;
mod provider;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::get;
use ipstrack_store::IdentitySignIn;
use serde::Deserialize;

pub use pending::{PENDING_IN_ALL, PENDING_MINUTES, PENDING_PER_ADDRESS};
pub use provider::{
    DISCOVERY_KEPT, Identity, KEYS_AT_MOST_EVERY, OidcSettings, PROVIDER_TIMEOUT, Refusal,
    redirect_uri,
};

use crate::Shared;
use crate::auth::{SESSION_HOURS, client_address};
use crate::cookies::{SESSION_COOKIE, cookie, same, set_cookie, set_lax_cookie};
use crate::error::{WebResult, safe_next};

/// The cookie binding a sign-in at the provider to this browser.
const STATE_COOKIE: &str = "ipstrack_oidc";
/// Codes exchanged with the provider at once; more wait their turn for
/// [`EXCHANGE_WAIT`], then are told to try again.
pub const EXCHANGES_AT_ONCE: usize = 16;
pub const EXCHANGE_WAIT: Duration = Duration::from_secs(2);
/// The longest code or state taken from the provider's return.
pub const MAX_RETURN_PARAMETER: usize = 4096;

/// Signing in at the organisation's identity provider: the provider, the
/// sign-ins begun and the turns to exchange a code.
pub struct Oidc {
    provider: provider::Provider,
    pending: pending::PendingSignIns,
    exchanges: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// Sign-in at the provider of `settings`, its discovery document and
    /// keys fetched now. A provider that cannot be reached is tried again
    /// at the next sign-in: the second value says why it was not reached.
    pub async fn start(settings: OidcSettings) -> Result<(Oidc, Option<String>), String> {
        let (provider, failure) = provider::Provider::start(settings).await?;
        Ok((
            Oidc {
                provider,
                pending: Default::default(),
                exchanges: tokio::sync::Semaphore::new(EXCHANGES_AT_ONCE),
            },
            failure,
        ))
    }

    /// The provider's name for the sign-in button.
    pub(crate) fn provider_name(&self) -> &str {
        &self.provider.settings.provider_name
    }

    /// The provider's sign-out address, if it has one.
    pub(crate) fn sign_out_url(&self) -> Option<String> {
        self.provider.sign_out_url()
    }
}

/// The routes of signing in at the provider and coming back.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/sign-in/oidc", get(begin))
        .route("/sign-in/oidc/callback", get(callback))
        .route("/signed-out", get(signed_out))
}

#[derive(Deserialize, Default)]
pub(crate) struct Begin {
    #[serde(default)]
    next: String,
}

/// Sends the person to the provider, with a new state (also kept in a
/// cookie of this browser), nonce and PKCE challenge.
async fn begin(
    State(state): State<Shared>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    Query(begin): Query<Begin>,
) -> WebResult {
    let Some(oidc) = state.config.oidc.as_deref() else {
        return Ok((StatusCode::NOT_FOUND, crate::ui::layout::not_found()).into_response());
    };
    let address = client_address(connect);
    let begun = match oidc.provider.begin().await {
        Ok(b) => b,
        Err(why) => return Ok(refused(&state, &address, why)),
    };
    let next = safe_next(&begin.next).map(str::to_string);
    if !oidc.pending.keep(
        begun.state.clone(),
        begun.nonce,
        begun.verifier,
        next,
        &address,
    ) {
        tracing::warn!(%address, "sign-in not begun: too many waiting");
        crate::telemetry::sign_in_failed("busy");
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "60")],
            pages::problem(
                "Too many sign-ins at once",
                "Too many sign-ins are waiting: try again in a minute.",
                None,
            ),
        )
            .into_response());
    }
    let max_age = i64::try_from(PENDING_MINUTES * 60).expect("minutes fit");
    Ok((
        [(
            header::SET_COOKIE,
            set_lax_cookie(&state, STATE_COOKIE, &begun.state, Some(max_age)),
        )],
        Redirect::to(&begun.url),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct Return {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The answer to a sign-in refused at the provider's return, logged with
/// its reason (never a name, an address or a token).
fn refused(state: &Shared, address: &str, why: Refusal) -> Response {
    tracing::warn!(%address, reason = why.words(), "sign-in refused");
    crate::telemetry::sign_in_failed("oidc");
    let status = match why {
        Refusal::Provider => StatusCode::BAD_GATEWAY,
        _ => StatusCode::UNAUTHORIZED,
    };
    let text = match why {
        Refusal::Provider => {
            "Your organisation's sign-in service could not be reached: try again in a few minutes."
        }
        _ => "Your organisation's sign-in could not be checked: sign in again.",
    };
    sign_in_again(state, status, "You could not be signed in", text)
}

/// A sign-in that cannot go on: `status`, the page saying why with a link
/// to sign in again, and this browser's sign-in state cleared.
fn sign_in_again(state: &Shared, status: StatusCode, title: &str, text: &str) -> Response {
    (
        status,
        [(
            header::SET_COOKIE,
            set_lax_cookie(state, STATE_COOKIE, "", Some(0)),
        )],
        pages::problem(title, text, Some("/sign-in")),
    )
        .into_response()
}

/// The provider's return: the state must be the one this browser began
/// with (and is used once), the code is exchanged and the ID token checked;
/// the linked user gets a session.
async fn callback(
    State(state): State<Shared>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(back): Query<Return>,
) -> WebResult {
    let Some(oidc) = state.config.oidc.as_deref() else {
        return Ok((StatusCode::NOT_FOUND, crate::ui::layout::not_found()).into_response());
    };
    let address = client_address(connect);
    let within = |p: &Option<String>| p.as_ref().is_none_or(|v| v.len() <= MAX_RETURN_PARAMETER);
    let expected = cookie(&headers, STATE_COOKIE).unwrap_or_default();
    let returned = back.state.as_deref().unwrap_or_default();
    let pending = (within(&back.code)
        && within(&back.state)
        && !expected.is_empty()
        && same(expected, returned))
    .then(|| oidc.pending.take(returned))
    .flatten();
    let Some(pending) = pending else {
        tracing::warn!(%address, reason = "no sign-in begun in this browser with that state", "sign-in refused");
        crate::telemetry::sign_in_failed("oidc");
        return Ok(sign_in_again(
            &state,
            StatusCode::BAD_REQUEST,
            "The sign-in has expired",
            "The sign-in has expired or was begun elsewhere: sign in again.",
        ));
    };
    let code = match (back.code, back.error) {
        (Some(code), None) => code,
        (_, error) => {
            // The person cancelled, or the provider refused them.
            let error = error.unwrap_or_default();
            let word: String = error
                .chars()
                .take(40)
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            tracing::info!(%address, provider_error = %word, "sign-in not completed at the provider");
            crate::telemetry::sign_in_failed("oidc");
            return Ok(sign_in_again(
                &state,
                StatusCode::UNAUTHORIZED,
                "You were not signed in",
                "Your organisation's sign-in did not finish: sign in again.",
            ));
        }
    };
    let Ok(Ok(_turn)) = tokio::time::timeout(EXCHANGE_WAIT, oidc.exchanges.acquire()).await else {
        tracing::warn!(%address, "sign-in not checked: too many at once");
        crate::telemetry::sign_in_failed("busy");
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            pages::problem(
                "Too many sign-ins at once",
                "Too many people are signing in at once: sign in again in a few seconds.",
                Some("/sign-in"),
            ),
        )
            .into_response());
    };
    let checked = match oidc
        .provider
        .finish(&code, &pending.verifier, &pending.nonce)
        .await
    {
        Ok(checked) => checked,
        Err(why) => return Ok(refused(&state, &address, why)),
    };
    let identity = &checked.identity;
    let mut outcome = state
        .store
        .sign_in_by_identity(&identity.subject, identity.email.as_deref(), SESSION_HOURS)
        .await?;
    // Not linked by identifier, and no address in the ID token: the
    // address from the provider's user info, for a link by e-mail (SIGN-2).
    if outcome == IdentitySignIn::Unknown
        && identity.email.is_none()
        && let Some(email) = oidc.provider.email_from_user_info(&checked).await
    {
        outcome = state
            .store
            .sign_in_by_identity(&identity.subject, Some(&email), SESSION_HOURS)
            .await?;
    }
    let clear_state = set_lax_cookie(&state, STATE_COOKIE, "", Some(0));
    Ok(match outcome {
        IdentitySignIn::Ok { token, .. } => {
            let next = pending.next.as_deref().unwrap_or("/");
            (
                // Appended: both cookies are set.
                AppendHeaders([
                    (
                        header::SET_COOKIE,
                        set_cookie(&state, SESSION_COOKIE, &token, Some(SESSION_HOURS * 3600)),
                    ),
                    (header::SET_COOKIE, clear_state),
                ]),
                pages::signing_in(next),
            )
                .into_response()
        }
        IdentitySignIn::Unknown => {
            tracing::info!(%address, "sign-in refused: no user is linked to that identity");
            crate::telemetry::sign_in_failed("unknown");
            (
                StatusCode::FORBIDDEN,
                [(header::SET_COOKIE, clear_state)],
                pages::ask_your_administrator(oidc),
            )
                .into_response()
        }
    })
}

/// After signing out: the provider's sign-out offered.
async fn signed_out(State(state): State<Shared>) -> Response {
    pages::signed_out(state.config.oidc.as_deref()).into_response()
}
