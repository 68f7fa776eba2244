//! The organisation's identity provider as ipstrack knows it: its settings,
//! its discovery document and keys (fetched from the issuer and kept), and
//! the two calls of a sign-in — the address to send the person to, and the
//! code exchanged for an ID token that is checked (signature, issuer,
//! audience, expiry, nonce, and the assurance level when one is asked for)
//! through `openidconnect`.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClientAuthMethod, CoreErrorResponseType, CoreGenderClaim,
    CoreJsonWebKey, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AuthType, AuthenticationContextClass, AuthenticationFlow,
    AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    SignatureVerificationError, StandardErrorResponse, StandardTokenResponse, SubjectIdentifier,
    reqwest,
};
use serde::{Deserialize, Serialize};

/// How ipstrack signs people in at the organisation's identity provider
/// (`ipstrack serve --oidc-*`; docs/sign-in.md).
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer, e.g. `https://login.microsoftonline.com/{tenant}/v2.0`.
    pub issuer: String,
    pub client_id: String,
    /// Read from a file or the environment, never the command line.
    pub client_secret: Option<String>,
    /// The address people use, e.g. `https://ipstrack.trust.nhs.uk`: the
    /// provider sends them back to `{public_url}/sign-in/oidc/callback`.
    pub public_url: String,
    /// Asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The claim that names the person (`sub`, or e.g. Entra's `oid`).
    pub user_claim: String,
    /// The claim with their e-mail address (for linking once by e-mail).
    pub email_claim: String,
    /// Take the e-mail address without `email_verified: true` (a provider
    /// whose addresses are set by the organisation only).
    pub trust_email: bool,
    /// The provider's name on the sign-in button ("Sign in with NHSmail").
    pub provider_name: String,
    /// Assurance levels asked for (`acr_values`); the ID token's `acr`
    /// must be one of them.
    pub acr_values: Vec<String>,
    /// Send the client secret in the token request's body
    /// (`client_secret_post`) rather than by HTTP Basic
    /// (`client_secret_basic`), for a client registered so.
    pub secret_in_body: bool,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// Every claim of the ID token besides the standard ones (for a user claim
/// such as Entra's `oid` or CIS2's `uid`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(transparent)]
pub(crate) struct OtherClaims(serde_json::Map<String, serde_json::Value>);
impl AdditionalClaims for OtherClaims {}

type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The longest any call to the provider takes.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);
/// Keys are fetched again for a token naming an unknown key at most this often.
pub const KEYS_AT_MOST_EVERY: Duration = Duration::from_secs(60);
/// The discovery document is fetched again when this old.
pub const DISCOVERY_KEPT: Duration = Duration::from_secs(24 * 3600);

/// What a sign-in at the provider proved: the person's identifier (the
/// user claim) and, when vouched for, their e-mail address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
}

/// A sign-in checked at the provider: the identity its ID token proves, and
/// what asking the provider's user info endpoint needs (for an e-mail
/// address the ID token does not carry).
pub struct Checked {
    pub identity: Identity,
    access_token: AccessToken,
    /// The ID token's `sub`, which the user info must name too.
    sub: SubjectIdentifier,
}

/// Why a sign-in at the provider was refused: fixed words for the log
/// (never a name, an address or a token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The provider could not be reached, or gave no answer that could be read.
    Provider,
    /// The provider's token endpoint refused the code (a code used before,
    /// or a client id or secret it does not know).
    CodeRefused,
    /// The token endpoint gave no ID token.
    NoIdToken,
    BadSignature,
    Expired,
    WrongIssuer,
    WrongAudience,
    /// Not the nonce of this sign-in: a token replayed or made for another.
    WrongNonce,
    /// The assurance level (`acr`) is not one asked for.
    WrongAssurance,
    /// The user claim is missing or not text.
    NoUserClaim,
    /// Any other failed check.
    NotValid,
}

impl Refusal {
    pub fn words(self) -> &'static str {
        match self {
            Refusal::Provider => "the provider could not be reached",
            Refusal::CodeRefused => "the provider's token endpoint refused the code or the client",
            Refusal::NoIdToken => "no ID token",
            Refusal::BadSignature => "the ID token's signature is not the provider's",
            Refusal::Expired => "the ID token has expired",
            Refusal::WrongIssuer => "the ID token is from another issuer",
            Refusal::WrongAudience => "the ID token is for another client",
            Refusal::WrongNonce => "the ID token is not for this sign-in (replayed?)",
            Refusal::WrongAssurance => "the assurance level is not one asked for",
            Refusal::NoUserClaim => "the ID token does not name the person",
            Refusal::NotValid => "the ID token is not valid",
        }
    }
}

fn refusal(e: &ClaimsVerificationError) -> Refusal {
    match e {
        ClaimsVerificationError::Expired(_) => Refusal::Expired,
        ClaimsVerificationError::InvalidAudience(_) => Refusal::WrongAudience,
        ClaimsVerificationError::InvalidIssuer(_) => Refusal::WrongIssuer,
        ClaimsVerificationError::InvalidNonce(_) => Refusal::WrongNonce,
        ClaimsVerificationError::InvalidAuthContext(_) => Refusal::WrongAssurance,
        ClaimsVerificationError::SignatureVerification(_) => Refusal::BadSignature,
        _ => Refusal::NotValid,
    }
}

/// The discovery document with its keys, and when it was fetched.
struct Discovered {
    metadata: ProviderMetadataWithLogout,
    at: Instant,
}

/// A sign-in begun: where to send the person, and what the return must
/// match.
pub struct Begun {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// The identity provider: settings, an HTTP client that follows no
/// redirects, and the discovery document and keys as last fetched.
pub struct Provider {
    pub(crate) settings: OidcSettings,
    /// The settings' addresses, read once at start: the issuer, where the
    /// provider sends people back, and where after its sign-out.
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    after_sign_out: PostLogoutRedirectUrl,
    http: reqwest::Client,
    discovered: RwLock<Option<Arc<Discovered>>>,
    /// When discovery was last fetched, and keys again (each at most once
    /// a minute; the first refetch of keys after start may come at once).
    fetched: Mutex<Option<Instant>>,
    keys_fetched: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// The provider of `settings`, its discovery document fetched now; a
    /// provider that cannot be reached yet is tried again at the next
    /// sign-in (the error is returned for the log).
    pub async fn start(settings: OidcSettings) -> Result<(Provider, Option<String>), String> {
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| format!("the issuer {} is not a URL: {e}", settings.issuer))?;
        let not_a_url = |e| format!("the public URL {} is not a URL: {e}", settings.public_url);
        let redirect = RedirectUrl::new(redirect_uri(&settings)).map_err(not_a_url)?;
        let after_sign_out = PostLogoutRedirectUrl::new(format!(
            "{}/sign-in",
            settings.public_url.trim_end_matches('/')
        ))
        .map_err(not_a_url)?;
        let http = reqwest::ClientBuilder::new()
            // Following redirects would let a provider send ipstrack anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("no HTTP client: {e}"))?;
        let provider = Provider {
            settings,
            issuer,
            redirect,
            after_sign_out,
            http,
            discovered: RwLock::new(None),
            fetched: Mutex::new(None),
            keys_fetched: Mutex::new(None),
        };
        let failure = provider.discover().await.err();
        Ok((provider, failure))
    }

    /// Fetches the discovery document and keys, and keeps them.
    async fn discover(&self) -> Result<Arc<Discovered>, String> {
        *self.fetched.lock().expect("not poisoned") = Some(Instant::now());
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| format!("discovery at {} failed: {e}", self.settings.issuer))?;
        let discovered = Arc::new(Discovered {
            metadata,
            at: Instant::now(),
        });
        *self.discovered.write().expect("not poisoned") = Some(discovered.clone());
        Ok(discovered)
    }

    /// Whether discovery may be fetched again now (at most once a minute,
    /// however many sign-ins ask).
    fn may_fetch(&self) -> bool {
        once_a_minute(&self.fetched)
    }

    /// The discovery document as kept, fetched when missing or a day old
    /// (at most once a minute).
    async fn current(&self) -> Result<Arc<Discovered>, Refusal> {
        let kept = self.discovered.read().expect("not poisoned").clone();
        match kept {
            Some(d) if d.at.elapsed() < DISCOVERY_KEPT => Ok(d),
            kept => {
                if !self.may_fetch() {
                    return kept.ok_or(Refusal::Provider);
                }
                match self.discover().await {
                    Ok(d) => Ok(d),
                    Err(e) => {
                        tracing::warn!(error = %e, "identity provider not reached");
                        kept.ok_or(Refusal::Provider)
                    }
                }
            }
        }
    }

    /// Fetches the keys again (a token named a key not known), at most
    /// once a minute; whether new keys were kept.
    async fn refetch_keys(&self) -> bool {
        let Some(kept) = self.discovered.read().expect("not poisoned").clone() else {
            return false;
        };
        if !once_a_minute(&self.keys_fetched) {
            return false;
        }
        let uri = kept.metadata.jwks_uri().clone();
        match CoreJsonWebKeySet::fetch_async(&uri, &self.http).await {
            Ok(keys) => {
                let metadata = kept.metadata.clone().set_jwks(keys);
                *self.discovered.write().expect("not poisoned") = Some(Arc::new(Discovered {
                    metadata,
                    at: kept.at,
                }));
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "identity provider's keys not fetched");
                false
            }
        }
    }

    fn client(&self, d: &Discovered) -> OidcClient {
        let methods = d.metadata.token_endpoint_auth_methods_supported();
        // As set up; else HTTP Basic, unless the provider offers only the
        // form body.
        let by_post = self.settings.secret_in_body
            || methods.is_some_and(|m| {
                !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && m.contains(&CoreClientAuthMethod::ClientSecretPost)
            });
        Client::from_provider_metadata(
            d.metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect.clone())
        .set_auth_type(if by_post {
            AuthType::RequestBody
        } else {
            AuthType::BasicAuth
        })
    }

    /// A sign-in begun: the provider's address with a new state, nonce and
    /// PKCE challenge (S256).
    pub async fn begin(&self) -> Result<Begun, Refusal> {
        let d = self.current().await?;
        let client = self.client(&d);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for acr in &self.settings.acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code for tokens (with the PKCE verifier) and checks
    /// the ID token; the person's identity, or why not.
    pub async fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Checked, Refusal> {
        let d = self.current().await?;
        let client = self.client(&d);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| Refusal::Provider)?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(answer) => {
                    // The provider's error code only (never its free text).
                    tracing::warn!(error = %answer.error(), "the provider's token endpoint refused the code");
                    Refusal::CodeRefused
                }
                other => {
                    tracing::warn!(error = %other, "the provider's token endpoint was not reached");
                    Refusal::Provider
                }
            })?;
        let id_token = response
            .extra_fields()
            .id_token()
            .ok_or(Refusal::NoIdToken)?;
        let nonce = Nonce::new(nonce.to_string());
        let checked = {
            let verifier = self.verifier(&client);
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match checked {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) if self.refetch_keys().await => {
                // The provider's keys changed: check again with the new ones.
                let d = self.current().await?;
                let client = self.client(&d);
                let verifier = self.verifier(&client);
                id_token.claims(&verifier, &nonce).cloned()
            }
            other => other,
        }
        .map_err(|e| refusal(&e))?;
        let other = claims.additional_claims();
        let subject = claim(
            &self.settings.user_claim,
            ("sub", Some(claims.subject().as_str())),
            other,
        )
        .filter(|s| !s.is_empty())
        .ok_or(Refusal::NoUserClaim)?;
        let email = self.vouched_email(
            claims.email().map(|e| e.as_str()),
            claims.email_verified(),
            other,
        );
        Ok(Checked {
            identity: Identity { subject, email },
            access_token: response.access_token().clone(),
            sub: claims.subject().clone(),
        })
    }

    /// The vouched-for e-mail address the provider's user info endpoint
    /// gives for a checked sign-in (a provider that keeps the address out
    /// of the ID token, as CIS2 and `oidc-provider` by default do); `None`
    /// without an endpoint, an address, or the same `sub` as the ID token.
    pub async fn email_from_user_info(&self, checked: &Checked) -> Option<String> {
        let d = self.current().await.ok()?;
        let client = self.client(&d);
        let request = client
            .user_info(checked.access_token.clone(), Some(checked.sub.clone()))
            .ok()?;
        let claims: openidconnect::UserInfoClaims<OtherClaims, CoreGenderClaim> =
            match request.request_async(&self.http).await {
                Ok(claims) => claims,
                Err(e) => {
                    tracing::warn!(error = %e, "the provider's user info was not read");
                    return None;
                }
            };
        self.vouched_email(
            claims.email().map(|e| e.as_str()),
            claims.email_verified(),
            claims.additional_claims(),
        )
    }

    /// The e-mail address of the set-up claim (`email`, or another), if
    /// vouched for (`email_verified`, or `--oidc-trust-email`).
    fn vouched_email(
        &self,
        email: Option<&str>,
        verified: Option<bool>,
        other: &OtherClaims,
    ) -> Option<String> {
        let vouched = self.settings.trust_email || verified == Some(true);
        claim(&self.settings.email_claim, ("email", email), other).filter(|_| vouched)
    }

    fn verifier<'a>(
        &self,
        client: &'a OidcClient,
    ) -> openidconnect::IdTokenVerifier<'a, CoreJsonWebKey> {
        let verifier = client.id_token_verifier();
        if self.settings.acr_values.is_empty() {
            return verifier;
        }
        let allowed = self.settings.acr_values.clone();
        verifier.set_auth_context_verifier_fn(move |acr: Option<&AuthenticationContextClass>| {
            match acr {
                Some(acr) if allowed.iter().any(|a| a == acr.as_str()) => Ok(()),
                _ => Err("not an assurance level asked for".to_string()),
            }
        })
    }

    /// The provider's sign-out address (RP-initiated logout), returning to
    /// ipstrack's sign-in page; `None` when the provider has none.
    pub fn sign_out_url(&self) -> Option<String> {
        let d = self.discovered.read().expect("not poisoned").clone()?;
        let end = d
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        Some(
            LogoutRequest::from(end)
                .set_client_id(ClientId::new(self.settings.client_id.clone()))
                .set_post_logout_redirect_uri(self.after_sign_out.clone())
                .http_get_url()
                .to_string(),
        )
    }
}

/// The text of the claim `name`: the standard claim's value when `name`
/// is its name (`standard`), else another claim's, if it is text.
fn claim(name: &str, standard: (&str, Option<&str>), other: &OtherClaims) -> Option<String> {
    if name == standard.0 {
        return standard.1.map(str::to_string);
    }
    other
        .0
        .get(name)
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Whether the fetch last made at `last` may be made again now (at most
/// once in [`KEYS_AT_MOST_EVERY`]); if so, it is marked as made now.
fn once_a_minute(last: &Mutex<Option<Instant>>) -> bool {
    let mut last = last.lock().expect("not poisoned");
    let may = last.is_none_or(|at| at.elapsed() >= KEYS_AT_MOST_EVERY);
    if may {
        *last = Some(Instant::now());
    }
    may
}

/// Where the provider sends people back.
pub fn redirect_uri(settings: &OidcSettings) -> String {
    format!(
        "{}/sign-in/oidc/callback",
        settings.public_url.trim_end_matches('/')
    )
}
