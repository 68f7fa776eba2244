//! Signing in with the organisation's account (issue 27) against a real
//! OpenID provider on a port (`oidc_provider.rs`): a linked person signs in
//! and lands where they were going; a person unknown to ipstrack is told to
//! ask their administrator; every bad token — forged, expired, for another
//! client or issuer, replayed, at the wrong assurance level, or none — is
//! refused with a plain message and no session; a return not begun in this
//! browser, or used twice, is refused; the e-mail address of a first
//! sign-in, from the token or the user info; the provider's keys changed;
//! signing out offers the provider's sign-out. Setting it up (linking,
//! break-glass, discovery documents, bounds): `oidc_setup.rs`.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use ipstrack_core::model::IdentityLink;
use ipstrack_web::{Config, Oidc, OidcSettings, app};

use crate::common::*;
use crate::oidc_provider::{Provider, Token};

/// A world, a provider, and the application signing in with it.
pub(crate) async fn set_up() -> (World, Provider, Router) {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
    (w, p, app)
}

/// The application with sign-in at `provider` (as set by `settings`).
pub(crate) async fn app_with(w: &World, settings: OidcSettings) -> Router {
    let (oidc, failure) = Oidc::start(settings).await.unwrap();
    assert_eq!(
        failure, None,
        "the provider's discovery document is read at start"
    );
    app(
        w.store.clone(),
        Config {
            secure_cookies: false,
            today: Some(today()),
            oidc: Some(Arc::new(oidc)),
        },
    )
    .await
    .unwrap()
}

pub(crate) fn cookie_named(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")) && !c.ends_with('='))
}

/// Begins a sign-in (going to `next`): the state cookie and the state.
pub(crate) async fn begin(app: &Router, p: &Provider, next: &str) -> (String, String) {
    let (status, headers, _) = send(app, get(&format!("/sign-in/oidc?next={next}"), "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = location(&headers);
    assert!(to.starts_with(&format!("{}/auth?", p.issuer)), "{to}");
    p.sent_to(&to);
    let url = openidconnect::url::Url::parse(&to).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        redirect,
        "https://ipstrack.example.nhs.uk/sign-in/oidc/callback"
    );
    let cookie = cookie_named(&headers, "ipstrack_oidc").expect("the state cookie");
    assert!(
        headers.iter().any(|(k, v)| k == "set-cookie"
            && v.starts_with("ipstrack_oidc=")
            && v.contains("SameSite=Lax")),
        "the state cookie comes back from the provider's site"
    );
    (cookie, state)
}

/// The provider's return to ipstrack with a code.
pub(crate) async fn come_back(
    app: &Router,
    cookie: &str,
    state: &str,
) -> (StatusCode, Vec<(String, String)>, String) {
    send(
        app,
        get(
            &format!("/sign-in/oidc/callback?code=a-code&state={state}"),
            cookie,
        ),
    )
    .await
}

/// A whole sign-in answered with `token`.
pub(crate) async fn sign_in_with(
    app: &Router,
    p: &Provider,
    token: Token,
) -> (StatusCode, Vec<(String, String)>, String) {
    let (cookie, state) = begin(app, p, "/").await;
    p.answer_with(token);
    come_back(app, &cookie, &state).await
}

pub(crate) fn session_cookie(headers: &[(String, String)]) -> Option<String> {
    cookie_named(headers, "ipstrack_session")
}

pub(crate) async fn link(w: &World, user: &str, link: IdentityLink) {
    w.store
        .link_identity(user, Some(&link), "admin")
        .await
        .unwrap();
}

#[tokio::test]
async fn sign_1_a_linked_person_signs_in_at_the_provider_and_lands_on_their_caseload() {
    let (w, p, app) = set_up().await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    let (cookie, state) = begin(&app, &p, "/caseload").await;
    p.answer_with(Token::of("es1-at-provider"));
    let (status, headers, page) = come_back(&app, &cookie, &state).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (verifier, secret) = {
        let seen = p.seen.lock().unwrap();
        (seen.verifier_matched, seen.secret_matched)
    };
    assert_eq!(verifier, Some(true), "PKCE: the verifier of the challenge");
    assert_eq!(secret, Some(true), "the client secret, by HTTP Basic");
    // The page moves on by itself to where they were going.
    assert!(page.contains("url=/caseload"), "{page}");
    let session = session_cookie(&headers).expect("a session");
    let (status, _, caseload) = send(&app, get("/caseload", &session)).await;
    assert_eq!(status, StatusCode::OK, "the session is theirs: {caseload}");
    assert!(caseload.contains("Caseload") || caseload.contains("caseload"));
    // The state is used once: the same return again is refused.
    let (status, headers, page) = come_back(&app, &cookie, &state).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("sign in again"), "{page}");
    assert!(session_cookie(&headers).is_none());
}

#[tokio::test]
async fn sign_2_a_person_linked_by_email_is_linked_at_first_sign_in_if_the_provider_vouches() {
    let (w, p, app) = set_up().await;
    link(
        &w,
        "lead1",
        IdentityLink::email("Lead.One@nhs.net").unwrap(),
    )
    .await;
    // Not vouched for (email_verified false): nobody.
    let (status, headers, page) = sign_in_with(
        &app,
        &p,
        Token::of("sub-lead").with_email("lead.one@nhs.net", false),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Ask your administrator"), "{page}");
    assert!(session_cookie(&headers).is_none());
    // Vouched for: linked, and signed in.
    let (status, headers, _) = sign_in_with(
        &app,
        &p,
        Token::of("sub-lead").with_email("lead.one@nhs.net", true),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(session_cookie(&headers).is_some());
    let links = w.store.identity_links().await.unwrap();
    assert_eq!(links[0].link, IdentityLink::subject("sub-lead").unwrap());
}

#[tokio::test]
async fn sign_3_a_person_unknown_to_ipstrack_is_told_to_ask_their_administrator() {
    let (w, p, app) = set_up().await;
    let users = w.store.users().await.unwrap();
    let (status, headers, page) = sign_in_with(
        &app,
        &p,
        Token::of("a-stranger").with_email("stranger@nhs.net", true),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Ask your administrator"), "{page}");
    assert!(page.contains("Test Provider"));
    assert!(
        page.contains(&format!("{}/session/end", p.issuer)),
        "the provider's sign-out is offered"
    );
    assert!(session_cookie(&headers).is_none());
    assert_eq!(w.store.users().await.unwrap(), users, "no account is made");
}

#[tokio::test]
async fn sign_5_every_bad_token_is_refused_with_a_plain_message_and_no_session() {
    let (w, p, app) = set_up().await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    let good = || Token::of("es1-at-provider");
    let bad = [
        (
            "forged",
            Token {
                forged: true,
                ..good()
            },
        ),
        (
            "expired",
            Token {
                expires_in: -120,
                ..good()
            },
        ),
        (
            "for another client",
            Token {
                audience: Some("another-app".into()),
                ..good()
            },
        ),
        (
            "from another issuer",
            Token {
                issuer: Some("https://evil.example".into()),
                ..good()
            },
        ),
        (
            "replayed (another sign-in's nonce)",
            Token {
                nonce: Some("an-old-nonce".into()),
                ..good()
            },
        ),
        (
            "missing",
            Token {
                none: true,
                ..good()
            },
        ),
    ];
    for (what, token) in bad {
        let (status, headers, page) = sign_in_with(&app, &p, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {page}");
        assert!(
            page.contains("could not be checked: sign in again"),
            "{what}: {page}"
        );
        assert!(session_cookie(&headers).is_none(), "{what}");
    }
    // The good one still works after all that.
    let (status, headers, _) = sign_in_with(&app, &p, good()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(session_cookie(&headers).is_some());
}

#[tokio::test]
async fn sign_5_a_return_not_begun_in_this_browser_is_refused() {
    let (w, p, app) = set_up().await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    let (cookie, state) = begin(&app, &p, "/").await;
    p.answer_with(Token::of("es1-at-provider"));
    // Without the cookie (another browser: login CSRF), or with another state.
    for (cookie, state) in [("", state.as_str()), (cookie.as_str(), "another-state")] {
        let (status, headers, _) = come_back(&app, cookie, state).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(session_cookie(&headers).is_none());
    }
    // A state far too long is not even looked up.
    let long = "s".repeat(5000);
    let (status, _, _) = come_back(&app, &format!("ipstrack_oidc={long}"), &long).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The person cancelled at the provider.
    let (cookie, state) = begin(&app, &p, "/").await;
    let (status, headers, page) = send(
        &app,
        get(
            &format!("/sign-in/oidc/callback?error=access_denied&state={state}"),
            &cookie,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("did not finish"), "{page}");
    assert!(session_cookie(&headers).is_none());
}

#[tokio::test]
async fn sign_5_the_user_claim_and_the_assurance_level_are_the_ones_set_up() {
    let w = world().await;
    let p = Provider::start().await;
    let settings = OidcSettings {
        user_claim: "oid".into(),
        acr_values: vec!["AAL3_ANY".into()],
        ..p.settings()
    };
    let app = app_with(&w, settings).await;
    link(
        &w,
        "manager",
        IdentityLink::subject("0000-oid-of-manager").unwrap(),
    )
    .await;
    let token = |acr: Option<&str>, oid: Option<&str>| Token {
        acr: acr.map(str::to_string),
        oid: oid.map(str::to_string),
        ..Token::of("pairwise-sub")
    };
    let (status, _, _) = sign_in_with(
        &app,
        &p,
        token(Some("AAL1_USERPASS"), Some("0000-oid-of-manager")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a lower assurance level");
    let (status, _, _) = sign_in_with(&app, &p, token(None, Some("0000-oid-of-manager"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no assurance level");
    let (status, _, _) = sign_in_with(&app, &p, token(Some("AAL3_ANY"), None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no user claim");
    let (status, headers, _) = sign_in_with(
        &app,
        &p,
        token(Some("AAL3_ANY"), Some("0000-oid-of-manager")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(session_cookie(&headers).is_some());
}

#[tokio::test]
async fn sign_6_signing_out_ends_the_session_and_offers_the_providers_sign_out() {
    let (w, p, app) = set_up().await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    let (_, headers, _) = sign_in_with(&app, &p, Token::of("es1-at-provider")).await;
    let session = session_cookie(&headers).unwrap();
    let (_, _, page) = send(&app, get("/caseload", &session)).await;
    let csrf = hidden_csrf(&page);
    let (status, headers, _) =
        send(&app, post("/sign-out", &session, &format!("csrf={csrf}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location(&headers), "/signed-out");
    let (status, _, _) = send(&app, get("/caseload", &session)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session has ended");
    let (status, _, page) = send(&app, get("/signed-out", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("You have signed out of ipstrack"));
    let back = "post_logout_redirect_uri=https%3A%2F%2Fipstrack.example.nhs.uk%2Fsign-in";
    assert!(
        page.contains(&format!("{}/session/end?", p.issuer))
            && page.contains(back)
            && page.contains("client_id=ipstrack"),
        "{page}"
    );
}

#[tokio::test]
async fn sign_5_a_code_the_provider_refuses_signs_nobody_in() {
    let w = world().await;
    let p = Provider::start().await;
    // A wrong client secret: the provider's token endpoint refuses the code.
    let settings = OidcSettings {
        client_secret: Some("not the secret".into()),
        ..p.settings()
    };
    let app = app_with(&w, settings).await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    let (status, headers, page) = sign_in_with(&app, &p, Token::of("es1-at-provider")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
    assert_eq!(p.seen.lock().unwrap().secret_matched, Some(false));
    assert!(
        page.contains("could not be checked: sign in again"),
        "{page}"
    );
    assert!(session_cookie(&headers).is_none());
}

/// A provider that keeps the e-mail address out of the ID token (CIS2, and
/// `oidc-provider` by default) gives it from its user info endpoint, asked
/// only when no user is linked to the identifier: the same `sub`, vouched
/// for, or it is not used.
#[tokio::test]
async fn sign_2_an_email_link_takes_the_address_from_the_user_info_when_the_token_has_none() {
    let (w, p, app) = set_up().await;
    link(
        &w,
        "lead1",
        IdentityLink::email("lead.one@nhs.net").unwrap(),
    )
    .await;
    // The user info names another person: not used.
    p.seen.lock().unwrap().user_info =
        Some(("someone-else".into(), "lead.one@nhs.net".into(), true));
    let (status, _, _) = sign_in_with(&app, &p, Token::of("sub-lead")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Not vouched for: not used.
    p.seen.lock().unwrap().user_info = Some(("sub-lead".into(), "lead.one@nhs.net".into(), false));
    let (status, _, _) = sign_in_with(&app, &p, Token::of("sub-lead")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The same person, vouched for: linked and signed in.
    p.seen.lock().unwrap().user_info = Some(("sub-lead".into(), "Lead.One@nhs.net".into(), true));
    let (status, headers, _) = sign_in_with(&app, &p, Token::of("sub-lead")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(session_cookie(&headers).is_some());
    let asked = p.seen.lock().unwrap().user_info_asked;
    assert_eq!(asked, 3);
    // Linked now: the user info is not asked again.
    let (status, _, _) = sign_in_with(&app, &p, Token::of("sub-lead")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p.seen.lock().unwrap().user_info_asked, asked);
}

/// The provider changes its signing key: a token naming the new key makes
/// ipstrack fetch the keys again and is taken; tokens naming keys the
/// provider does not have fetch them at most once a minute, however many.
#[tokio::test]
async fn sign_5_keys_are_fetched_again_for_a_new_key_at_most_once_a_minute() {
    let (w, p, app) = set_up().await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    let fetched = || p.seen.lock().unwrap().keys_fetched;
    assert_eq!(fetched(), 1, "at start");
    p.seen.lock().unwrap().rotated = true;
    let (status, headers, _) = sign_in_with(&app, &p, Token::of("es1-at-provider")).await;
    assert_eq!(status, StatusCode::OK, "signed with the new key");
    assert!(session_cookie(&headers).is_some());
    assert_eq!(fetched(), 2, "fetched again once");
    // Back to the old key (unknown now): not fetched again within the minute.
    p.seen.lock().unwrap().rotated = false;
    for _ in 0..3 {
        let (status, _, _) = sign_in_with(&app, &p, Token::of("es1-at-provider")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fetched(), 2);
}

/// A client registered with client_secret_post: with the secret sent in the
/// body (`--oidc-client-auth post`) the code is taken; by HTTP Basic it is
/// refused.
#[tokio::test]
async fn sign_5_the_client_secret_goes_as_the_client_was_registered() {
    let w = world().await;
    let p = Provider::start().await;
    link(&w, "es1", IdentityLink::subject("es1-at-provider").unwrap()).await;
    p.seen.lock().unwrap().secret_in_body = true;
    let by_basic = app_with(&w, p.settings()).await;
    let (status, _, _) = sign_in_with(&by_basic, &p, Token::of("es1-at-provider")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "HTTP Basic is refused");
    let by_body = app_with(
        &w,
        OidcSettings {
            secret_in_body: true,
            ..p.settings()
        },
    )
    .await;
    let (status, headers, _) = sign_in_with(&by_body, &p, Token::of("es1-at-provider")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(session_cookie(&headers).is_some());
}
