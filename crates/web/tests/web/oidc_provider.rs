//! A small OpenID provider for the web tests of signing in with the
//! organisation's account: its discovery document, keys and token endpoint
//! on a real port, answering each code with the ID token the test asks for
//! — good, or forged, expired, for another client or issuer, replayed —
//! signed with `openidconnect`'s own RSA key type. (The browser tests use
//! npm's certified `oidc-provider` for the whole journey.)

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine;
use openidconnect::core::{
    CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AdditionalClaims, Audience, EndUserEmail, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId,
    Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use sha2::Digest;

pub const CLIENT_ID: &str = "ipstrack";
pub const CLIENT_SECRET: &str = "a test client secret";

const PROVIDER_KEY: &str = include_str!("../fixtures/oidc-provider-key.pem");
const FORGER_KEY: &str = include_str!("../fixtures/oidc-forger-key.pem");

/// Claims beyond the standard ones (Entra's `oid`).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Extra {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
}
impl AdditionalClaims for Extra {}

/// The ID token the next code is answered with.
#[derive(Clone, Debug)]
pub struct Token {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub oid: Option<String>,
    pub acr: Option<String>,
    /// `None`: the nonce of the sign-in the code came from.
    pub nonce: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Seconds from now it expires (negative: expired).
    pub expires_in: i64,
    /// Signed by someone else with the provider's key id.
    pub forged: bool,
    /// No ID token in the answer at all.
    pub none: bool,
}

impl Token {
    pub fn of(subject: &str) -> Token {
        Token {
            subject: subject.into(),
            email: None,
            email_verified: None,
            oid: None,
            acr: None,
            nonce: None,
            issuer: None,
            audience: None,
            expires_in: 300,
            forged: false,
            none: false,
        }
    }

    pub fn with_email(mut self, email: &str, verified: bool) -> Token {
        self.email = Some(email.into());
        self.email_verified = Some(verified);
        self
    }
}

/// What the provider has seen and will answer.
#[derive(Default)]
pub struct Seen {
    /// The next token, and the nonce and PKCE challenge of the last sign-in.
    pub next: Option<Token>,
    pub nonce: String,
    pub challenge: String,
    /// Whether the last code came with the right PKCE verifier and secret.
    pub verifier_matched: Option<bool>,
    pub secret_matched: Option<bool>,
    pub discoveries: usize,
    /// What the user info endpoint answers: its `sub`, e-mail address and
    /// whether the address is verified.
    pub user_info: Option<(String, String, bool)>,
    pub user_info_asked: usize,
    /// The provider has changed its signing key (to a new key of another
    /// id), and how often its keys were fetched.
    pub rotated: bool,
    pub keys_fetched: usize,
    /// The client is registered with client_secret_post: the secret is
    /// taken in the form body too.
    pub secret_in_body: bool,
}

pub struct Provider {
    pub issuer: String,
    pub seen: Arc<Mutex<Seen>>,
}

impl Provider {
    pub async fn start() -> Provider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = (issuer.clone(), seen.clone());
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/userinfo", get(user_info))
            .with_state(shared);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Provider { issuer, seen }
    }

    /// The settings of ipstrack for this provider.
    pub fn settings(&self) -> ipstrack_web::OidcSettings {
        ipstrack_web::OidcSettings {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Some(CLIENT_SECRET.into()),
            public_url: "https://ipstrack.example.nhs.uk".into(),
            scopes: vec!["email".into(), "profile".into()],
            user_claim: "sub".into(),
            email_claim: "email".into(),
            trust_email: false,
            provider_name: "Test Provider".into(),
            acr_values: Vec::new(),
            secret_in_body: false,
        }
    }

    /// Remembers the nonce and challenge of the sign-in sent to `url`.
    pub fn sent_to(&self, url: &str) {
        let url = openidconnect::url::Url::parse(url).unwrap();
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let mut seen = self.seen.lock().unwrap();
        seen.nonce = param("nonce");
        seen.challenge = param("code_challenge");
        assert_eq!(param("code_challenge_method"), "S256");
        assert_eq!(param("client_id"), CLIENT_ID);
        assert_eq!(param("response_type"), "code");
        assert!(param("scope").split(' ').any(|s| s == "openid"));
    }

    pub fn answer_with(&self, token: Token) {
        self.seen.lock().unwrap().next = Some(token);
    }
}

type Shared = (String, Arc<Mutex<Seen>>);

async fn discovery(State((issuer, seen)): State<Shared>) -> impl IntoResponse {
    seen.lock().unwrap().discoveries += 1;
    axum::Json(serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/session/end"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("provider-key".into()))).unwrap()
}

/// The key the provider signs with after it rotated its keys.
fn new_key() -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(FORGER_KEY, Some(JsonWebKeyId::new("new-key".into())))
        .unwrap()
}

async fn jwks(State((_, seen)): State<Shared>) -> impl IntoResponse {
    let mut seen = seen.lock().unwrap();
    seen.keys_fetched += 1;
    let current = if seen.rotated {
        new_key()
    } else {
        key(PROVIDER_KEY)
    };
    axum::Json(serde_json::json!({ "keys": [current.as_verification_key()] }))
}

async fn user_info(
    State((_, seen)): State<Shared>,
    headers: HeaderMap,
) -> axum::response::Response {
    let mut seen = seen.lock().unwrap();
    seen.user_info_asked += 1;
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
    match (&seen.user_info, bearer) {
        (Some((sub, email, verified)), Some("Bearer an access token")) => axum::Json(
            serde_json::json!({ "sub": sub, "email": email, "email_verified": verified }),
        )
        .into_response(),
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    code_verifier: String,
    client_id: Option<String>,
    client_secret: Option<String>,
}

async fn token(
    State((issuer, seen)): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> axum::response::Response {
    let mut seen = seen.lock().unwrap();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(form.code_verifier.as_bytes()));
    seen.verifier_matched = Some(challenge == seen.challenge);
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{CLIENT_ID}:{}", CLIENT_SECRET.replace(' ', "+")));
    let by_basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {basic}"));
    let by_post = form.client_id.as_deref() == Some(CLIENT_ID)
        && form.client_secret.as_deref() == Some(CLIENT_SECRET);
    // The one way the client is registered with.
    let secret_matched = if seen.secret_in_body {
        by_post
    } else {
        by_basic
    };
    seen.secret_matched = Some(secret_matched);
    let Some(t) = seen.next.take() else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    if !secret_matched || seen.verifier_matched != Some(true) {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let now = chrono::Utc::now();
    let mut standard = StandardClaims::new(SubjectIdentifier::new(t.subject.clone()));
    if let Some(email) = &t.email {
        standard = standard
            .set_email(Some(EndUserEmail::new(email.clone())))
            .set_email_verified(t.email_verified);
    }
    let claims = IdTokenClaims::new(
        IssuerUrl::new(t.issuer.clone().unwrap_or(issuer)).unwrap(),
        vec![Audience::new(
            t.audience.clone().unwrap_or(CLIENT_ID.into()),
        )],
        now + chrono::Duration::seconds(t.expires_in),
        now - chrono::Duration::seconds(10),
        standard,
        Extra { oid: t.oid.clone() },
    )
    .set_nonce(Some(Nonce::new(
        t.nonce.clone().unwrap_or(seen.nonce.clone()),
    )))
    .set_auth_context_ref(
        t.acr
            .clone()
            .map(openidconnect::AuthenticationContextClass::new),
    );
    let signer = match (t.forged, seen.rotated) {
        (true, _) => key(FORGER_KEY),
        (false, true) => new_key(),
        (false, false) => key(PROVIDER_KEY),
    };
    let id_token = IdToken::<
        Extra,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::new(
        claims,
        &signer,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    let mut body = serde_json::json!({
        "access_token": "an access token",
        "token_type": "Bearer",
        "expires_in": 300,
    });
    if !t.none {
        body["id_token"] = serde_json::Value::String(id_token.to_string());
    }
    axum::Json(body).into_response()
}
