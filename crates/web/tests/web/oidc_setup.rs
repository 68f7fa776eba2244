//! Setting up sign-in with the organisation's account (issue 27): an admin
//! links a user on their page (SIGN-1); local passwords off but for a
//! break-glass admin (SIGN-4); the discovery documents of Entra ID and CIS2;
//! the sign-ins waiting bounded; no provider, no organisation sign-in. The
//! flow itself is in `oidc.rs`.

use axum::http::StatusCode;
use ipstrack_core::model::IdentityLink;

use crate::common::*;
use crate::oidc::set_up;

#[tokio::test]
async fn sign_1_an_admin_links_a_user_on_their_page_checked_as_the_cli_checks() {
    let (w, _provider, app) = set_up().await;
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
    let (w, _provider, app) = set_up().await;
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
    let (_w, p, app) = set_up().await;
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
