//! Signing in with the organisation's account (issue 27) against a real
//! OpenID provider on a port (`oidc_provider.rs`): a linked person signs in
//! and lands where they were going; a person unknown to ipstrack is told to
//! ask their administrator; every bad token — forged, expired, for another
//! client or issuer, replayed, at the wrong assurance level, or none — is
//! refused with a plain message and no session; a return not begun in this
//! browser, or used twice, is refused; signing out offers the provider's
//! sign-out; an admin links a user; local passwords off but for a
//! break-glass admin.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use ipstrack_core::model::IdentityLink;
use ipstrack_web::{Config, Oidc, OidcSettings, app};

use crate::common::*;
use crate::oidc_provider::{Provider, Token};

/// The application with sign-in at `provider` (as set by `settings`).
async fn app_with(w: &World, settings: OidcSettings) -> Router {
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

fn cookie_named(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")) && !c.ends_with('='))
}

/// Begins a sign-in (going to `next`): the state cookie and the state.
async fn begin(app: &Router, p: &Provider, next: &str) -> (String, String) {
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
async fn come_back(
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
async fn sign_in_with(
    app: &Router,
    p: &Provider,
    token: Token,
) -> (StatusCode, Vec<(String, String)>, String) {
    let (cookie, state) = begin(app, p, "/").await;
    p.answer_with(token);
    come_back(app, &cookie, &state).await
}

fn session_cookie(headers: &[(String, String)]) -> Option<String> {
    cookie_named(headers, "ipstrack_session")
}

async fn link(w: &World, user: &str, link: IdentityLink) {
    w.store
        .link_identity(user, Some(&link), "admin")
        .await
        .unwrap();
}

#[tokio::test]
async fn sign_1_a_linked_person_signs_in_at_the_provider_and_lands_on_their_caseload() {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
    let caseload = ok_page(&w_with(&w, &app), "/caseload", &session).await;
    assert!(caseload.contains("Caseload") || caseload.contains("caseload"));
    // The state is used once: the same return again is refused.
    let (status, headers, page) = come_back(&app, &cookie, &state).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("sign in again"), "{page}");
    assert!(session_cookie(&headers).is_none());
}

/// The world with another application (the same store).
fn w_with<'a>(w: &'a World, app: &Router) -> WorldRef<'a> {
    WorldRef {
        w,
        app: app.clone(),
    }
}

pub struct WorldRef<'a> {
    pub w: &'a World,
    pub app: Router,
}

async fn ok_page(w: &WorldRef<'_>, path: &str, cookie: &str) -> String {
    let _ = w.w;
    let (status, _, page) = send(&w.app, get(path, cookie)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {page}");
    page
}

#[tokio::test]
async fn sign_2_a_person_linked_by_email_is_linked_at_first_sign_in_if_the_provider_vouches() {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
async fn sign_1_an_admin_links_a_user_on_their_page_checked_as_the_cli_checks() {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
    let admin = session_of(&w, "admin").await;
    let (_, _, users) = send(&app, get("/admin/users", &admin)).await;
    assert!(users.contains("Organisation account") && users.contains("/admin/users/es1/account"));
    let (_, _, page) = send(&app, get("/admin/users/es1/account", &admin)).await;
    assert!(page.contains("Not linked"));
    let csrf = hidden_csrf(&page);
    // A bad address: the same words as core's check, nothing saved.
    let (status, _, page) = send(
        &app,
        post(
            "/admin/users/es1/account",
            &admin,
            &format!("csrf={csrf}&email=not-an-address&subject="),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(&IdentityLink::email("not-an-address").unwrap_err()),
        "{page}"
    );
    assert!(w.store.identity_links().await.unwrap().is_empty());
    let (status, headers, _) = send(
        &app,
        post(
            "/admin/users/es1/account",
            &admin,
            &format!("csrf={csrf}&email=ES.One%40nhs.net&subject="),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let saved = saved_cookie(&headers);
    let (_, _, page) = send(
        &app,
        get("/admin/users/es1/account", &format!("{admin}; {saved}")),
    )
    .await;
    assert!(
        page.contains("The link to their organisation account is saved."),
        "{page}"
    );
    assert!(page.contains("Waiting for their first sign-in as es.one@nhs.net"));
    // Another user cannot have the same address.
    let (status, _, _) = send(
        &app,
        post(
            "/admin/users/es3/account",
            &admin,
            &format!("csrf={csrf}&email=es.one%40nhs.net&subject="),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Not an admin: no such page.
    let lead = session_of(&w, "lead1").await;
    let (status, _, _) = send(&app, get("/admin/users/es1/account", &lead)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Removing the link.
    let (status, _, _) = send(
        &app,
        post(
            "/admin/users/es1/account",
            &admin,
            &format!("csrf={csrf}&action=remove"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(w.store.identity_links().await.unwrap().is_empty());
}

#[tokio::test]
async fn sign_4_with_local_passwords_off_only_the_break_glass_admin_signs_in_with_one() {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
    w.store.allow_passwords_only_for(Some("admin".into()));
    let (_, _, page) = send(&app, get("/sign-in", "")).await;
    assert!(page.contains("Sign in with Test Provider"));
    assert!(page.contains("break-glass administrator only"));
    assert!(sign_in(&w, "admin", PASSWORD).await.is_some());
    assert!(
        sign_in(&w, "es1", PASSWORD).await.is_none(),
        "refused as a wrong password"
    );
    // Nobody else has a password to reset; a new user needs none.
    let admin = session_of(&w, "admin").await;
    let (_, _, users) = send(&app, get("/admin/users", &admin)).await;
    assert!(users.contains("/admin/users/es1/disable"));
    assert!(
        !users.contains("/admin/users/es1/password"),
        "no password to reset"
    );
    assert!(users.contains("leave empty: they sign in with their organisation's account"));
    let csrf = hidden_csrf(&users);
    let (status, headers, page) = send(
        &app,
        post(
            "/admin/users",
            &admin,
            &format!("csrf={csrf}&username=newes&role=es&staff=&password="),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(
        location(&headers),
        "/admin/users/newes/account",
        "on to linking their account"
    );
    w.store.allow_passwords_only_for(None);
    assert!(sign_in(&w, "es1", PASSWORD).await.is_some());
}

#[tokio::test]
async fn hostile_one_address_cannot_fill_the_sign_ins_waiting() {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
    for _ in 0..ipstrack_web::PENDING_PER_ADDRESS {
        let (status, _, _) = send(&app, get("/sign-in/oidc", "")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, headers, page) = send(&app, get("/sign-in/oidc", "")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{page}");
    assert!(header_value(&headers, "retry-after").is_some());
    // Discovery was read once, at start, however many sign-ins began.
    assert_eq!(p.seen.lock().unwrap().discoveries, 1);
}

#[tokio::test]
async fn without_a_provider_set_up_there_is_no_organisation_sign_in() {
    let w = world().await;
    let (status, _, _) = send(&w.app, get("/sign-in/oidc", "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, page) = send(&w.app, get("/sign-in", "")).await;
    assert!(!page.contains("Sign in with"));
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

/// The discovery documents of Microsoft Entra ID (a tenant's v2.0 issuer)
/// and NHS CIS2 (INT, with `:443` in its issuer), in the shape and with the
/// fields their published copies have (docs/sign-in.md, its sources), are
/// read as ipstrack reads them: the issuer kept to the character, the
/// endpoints it uses, RS256 offered, and a sign-out endpoint.
#[test]
fn the_discovery_documents_of_entra_and_cis2_are_read() {
    use openidconnect::core::{CoreClientAuthMethod, CoreJwsSigningAlgorithm};
    use openidconnect::{IssuerUrl, ProviderMetadataWithLogout};
    let cases = [
        (
            include_str!("../fixtures/discovery-entra.json"),
            "https://login.microsoftonline.com/0b7a2c1e-5d34-4f8e-9a61-3c2d8e7f9a10/v2.0",
            "/oauth2/v2.0/logout",
        ),
        (
            include_str!("../fixtures/discovery-cis2-int.json"),
            "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare",
            "/connect/endSession",
        ),
    ];
    for (doc, issuer, sign_out) in cases {
        let m: ProviderMetadataWithLogout = serde_json::from_str(doc).unwrap();
        assert_eq!(m.issuer(), &IssuerUrl::new(issuer.into()).unwrap());
        assert_eq!(m.issuer().as_str(), issuer, "kept as given, port and all");
        assert!(
            m.id_token_signing_alg_values_supported()
                .contains(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256)
        );
        assert!(m.token_endpoint().is_some());
        let methods = m.token_endpoint_auth_methods_supported().unwrap();
        assert!(methods.contains(&CoreClientAuthMethod::ClientSecretBasic));
        let end = m
            .additional_metadata()
            .end_session_endpoint
            .as_ref()
            .unwrap();
        assert!(end.url().as_str().ends_with(sign_out), "{}", end.url());
    }
    // CIS2's issuer without its port is another issuer (the issuer is compared
    // as text): --oidc-issuer must be copied with `:443`.
    let m: ProviderMetadataWithLogout =
        serde_json::from_str(include_str!("../fixtures/discovery-cis2-int.json")).unwrap();
    let without_port = "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare";
    assert_ne!(m.issuer().as_str(), without_port);
}

/// A provider that keeps the e-mail address out of the ID token (CIS2, and
/// `oidc-provider` by default) gives it from its user info endpoint, asked
/// only when no user is linked to the identifier: the same `sub`, vouched
/// for, or it is not used.
#[tokio::test]
async fn sign_2_an_email_link_takes_the_address_from_the_user_info_when_the_token_has_none() {
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
    let w = world().await;
    let p = Provider::start().await;
    let app = app_with(&w, p.settings()).await;
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
