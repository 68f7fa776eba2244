//! The ipstrack web application: server-rendered pages (no JavaScript needed)
//! and a JSON API, for employment specialists, team leads and managers.
//!
//! Every request is authorised on the server by role and team: an ES sees
//! their own caseload, a team lead their team, a manager and an admin the
//! whole service. A record outside one's scope answers 404 and is logged (by
//! id only: no names, NHS numbers or notes ever reach the logs).

mod admin;
mod api;
mod assets;
mod auth;
mod caseload;
mod cookies;
mod data_quality;
mod definitions;
mod duplicates;
mod equality;
mod error;
mod extract;
mod fidelity;
mod import;
mod in_flight;
mod oidc;
mod ops;
mod period;
mod plan;
mod referrals;
mod retry;
mod returns;
mod saved;
mod search;
mod server;
mod service;
mod state;
mod team;
mod team_behind;
mod team_worklist;
mod telemetry;
mod ui;
mod viewer;

use extract::SignedIn;
pub use in_flight::PER_SESSION;
pub use oidc::{
    DISCOVERY_KEPT, EXCHANGE_WAIT, EXCHANGES_AT_ONCE, Identity, KEYS_AT_MOST_EVERY,
    MAX_RETURN_PARAMETER, Oidc, OidcSettings, PENDING_IN_ALL, PENDING_MINUTES, PENDING_PER_ADDRESS,
    PROVIDER_TIMEOUT, Refusal, redirect_uri,
};
pub use ops::{READY_WITHIN, REQUEST_ID, REQUEST_ID_MAX, metrics_router};
pub use server::{Limits, STALLED_FOR_ROOM, serve};
pub use state::{AppState, Config, Snapshot};
use state::{Shared, follow_changes};
pub use telemetry::metrics_handle;
pub use viewer::Viewer;

use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;

use axum::http::{HeaderValue, header};
use axum::response::Redirect;
use axum::routing::get;
use ipstrack_core::model::Role;
use ipstrack_store::{Store, StoreError};
use tower_http::set_header::SetResponseHeaderLayer;

/// Builds the application on an opened store.
pub async fn app(store: Store, config: Config) -> Result<Router, StoreError> {
    state::leave_a_core_for_saves();
    telemetry::metrics_handle();
    let (loaded, seq) = store.load_with_change().await?;
    let state = Arc::new(AppState {
        store,
        data: RwLock::new(Arc::new(Snapshot::new(loaded))),
        publish: Mutex::new(()),
        following: tokio::sync::Mutex::new(()),
        applied_change: AtomicI64::new(seq),
        config,
        uploads: Default::default(),
        searches: Default::default(),
    });
    let secure_cookies = state.config.secure_cookies;
    tokio::spawn(follow_changes(Arc::downgrade(&state)));
    let features = [
        auth::routes(),
        oidc::routes(),
        caseload::routes(),
        referrals::routes(),
        team::routes(),
        team_worklist::routes(),
        plan::routes(),
        service::routes(),
        fidelity::routes(),
        equality::routes(),
        data_quality::routes(),
        definitions::routes(),
        duplicates::routes(),
        admin::routes(),
        api::routes(),
        returns::routes(),
        import::routes(),
        search::routes(),
        assets::routes(),
        ops::routes(),
    ];
    let router = features
        .into_iter()
        .fold(Router::new().route("/", get(home)), Router::merge)
        .layer(axum::middleware::from_fn_with_state(
            in_flight::InFlight::default(),
            in_flight::bounded,
        ))
        .with_state(state)
        // Every answer may hold personal data unless it says otherwise (the
        // stylesheet and script do): browsers and proxies keep none of it.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let router = SECURITY_HEADERS
        .into_iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::overriding(
                name,
                HeaderValue::from_static(value),
            ))
        });
    // Behind HTTPS (told by --secure-cookies), browsers are told to stay on it.
    let router = if secure_cookies {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    // Outermost: every answer, even a refusal by the layers above, has its
    // request id, its log span and its metrics.
    Ok(router.layer(axum::middleware::from_fn(ops::observe)))
}

/// The headers every answer carries: no script, frame or form from
/// elsewhere, no framing, no content sniffing, no referrer.
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// The home page: where each role starts.
async fn home(SignedIn { v, .. }: SignedIn) -> Redirect {
    Redirect::to(match v.session.user.role {
        Role::Es => "/caseload",
        Role::TeamLead => "/team",
        Role::Manager | Role::Admin => "/service",
    })
}
