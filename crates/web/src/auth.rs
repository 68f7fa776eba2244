//! Signing in and out, and changing one's password: the sign-in form with
//! its own CSRF cookie, the failure backoff by account and address (see
//! `ipstrack_store`'s sessions), and the session cookie.

use std::net::SocketAddr;

use axum::Extension;
use axum::Router;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ipstrack_store::{MAX_PASSWORD, MAX_USERNAME, PasswordChange, SignIn};
use serde::Deserialize;

use crate::Shared;
use crate::Viewer;
use crate::cookies::{SESSION_COOKIE, cookie, same, set_cookie, token};
use crate::error::{WebResult, safe_next};
use crate::extract::{NoFields, Posted, SignedIn};
use crate::ui::form::{FieldErrors, FormState, error_summary, field, problem_summary};
use crate::ui::layout::{bare, layout};
use maud::{Markup, html};

/// Signing in and out, and one's password.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
}

pub(crate) const SIGN_IN_COOKIE: &str = "ipstrack_sign_in";
/// Sessions last a working day.
pub(crate) const SESSION_HOURS: i64 = 10;

pub(crate) async fn sign_in_page(
    State(state): State<Shared>,
    axum::extract::Query(after): axum::extract::Query<AfterSignIn>,
) -> Response {
    let token = ipstrack_store::random_token();
    (
        [(
            header::SET_COOKIE,
            set_cookie(&state, SIGN_IN_COOKIE, &token, None),
        )],
        sign_in_html(&state, &token, None, safe_next(&after.next)),
    )
        .into_response()
}

/// The page to show after signing in, as the sign-in page was asked with it.
#[derive(Deserialize, Default)]
pub(crate) struct AfterSignIn {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    username: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: String,
}

/// The source address a request counts under for the sign-in rule (see
/// `ipstrack_store`'s sessions module): the peer's IP address, as the server
/// gives it (`serve` starts with connect info); `unknown` without one.
pub(crate) fn client_address(connect: Option<Extension<ConnectInfo<SocketAddr>>>) -> String {
    connect.map_or_else(
        || "unknown".to_string(),
        |Extension(ConnectInfo(addr))| ipstrack_store::address_key(addr.ip()),
    )
}

/// "try again in N minutes" for a wait until `until`.
pub(crate) fn wait_text(until: jiff::Timestamp) -> String {
    let seconds = (until - jiff::Timestamp::now()).get_seconds().max(1);
    match (seconds + 59) / 60 {
        1 => "1 minute".to_string(),
        n => format!("{n} minutes"),
    }
}

/// The answer to a wrong username or password.
const REFUSED: &str = "The username or password is not right.";
/// The answer when too many passwords are being checked at once.
const BUSY: &str = "Too many sign-ins at once: try again in a few seconds.";

/// Whether a sign-in's username and password are within their lengths
/// (`ipstrack_store`'s `MAX_USERNAME` and `MAX_PASSWORD` characters).
fn within_lengths(username: &str, password: &str) -> bool {
    // Bytes first: a long value is not counted character by character.
    (username.len() <= MAX_USERNAME || username.chars().count() <= MAX_USERNAME)
        && (password.len() <= MAX_PASSWORD || password.chars().count() <= MAX_PASSWORD)
}

/// Signs in. A wrong password and an unknown username get the same answer
/// in the same time; too many failures slow the account from that address
/// (or, in a flood, from every address) for a few minutes.
pub(crate) async fn sign_in(
    State(state): State<Shared>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> WebResult {
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(expected, &form.csrf) {
        return Ok((
            StatusCode::FORBIDDEN,
            "The form has expired: go back and sign in again.",
        )
            .into_response());
    }
    let address = client_address(connect);
    let username = form.username.trim();
    let retry = |status: StatusCode, message: &str| {
        let token = ipstrack_store::random_token();
        (
            status,
            [(
                header::SET_COOKIE,
                set_cookie(&state, SIGN_IN_COOKIE, &token, None),
            )],
            sign_in_html(&state, &token, Some(message), safe_next(&form.next)),
        )
            .into_response()
    };
    if !within_lengths(username, &form.password) {
        // Never a username that long: refused as a wrong one, and neither
        // stored nor logged as sent.
        tracing::info!(%address, "sign-in refused: a field over its length");
        crate::telemetry::sign_in_failed("refused");
        return Ok(retry(StatusCode::UNAUTHORIZED, REFUSED));
    }
    let result = state
        .store
        .sign_in(username, &form.password, &address, SESSION_HOURS)
        .await?;
    Ok(match result {
        SignIn::Ok { token, .. } => (
            [(
                header::SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, &token, Some(SESSION_HOURS * 3600)),
            )],
            Redirect::to(safe_next(&form.next).unwrap_or("/")),
        )
            .into_response(),
        SignIn::Refused => {
            tracing::info!(user = %username, %address, "sign-in refused");
            crate::telemetry::sign_in_failed("refused");
            retry(StatusCode::UNAUTHORIZED, REFUSED)
        }
        SignIn::Slowed { until } => {
            tracing::warn!(user = %username, %address, %until, "sign-in slowed: too many failures");
            crate::telemetry::sign_in_failed("slowed");
            retry(
                StatusCode::UNAUTHORIZED,
                &format!(
                    "Too many failed sign-ins: try again in {}.",
                    wait_text(until)
                ),
            )
        }
        SignIn::Busy => {
            tracing::warn!(%address, "sign-in not checked: too many at once");
            crate::telemetry::sign_in_failed("busy");
            let mut busy = retry(StatusCode::SERVICE_UNAVAILABLE, BUSY);
            busy.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            busy
        }
    })
}

pub(crate) async fn sign_out(
    State(state): State<Shared>,
    headers: HeaderMap,
    _: Posted<NoFields>,
) -> WebResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.sign_out(token).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(&state, SESSION_COOKIE, "", Some(0)),
        )],
        // With the organisation's sign-in, the page that offers its sign-out.
        Redirect::to(if state.config.oidc.is_some() {
            "/signed-out"
        } else {
            "/sign-in"
        }),
    )
        .into_response())
}

pub(crate) async fn password_page(
    State(state): State<Shared>,
    SignedIn { v, data: _ }: SignedIn,
) -> Markup {
    if !state.store.password_allowed(&v.session.user.username) {
        // Local passwords are off for them (SIGN-4).
        return layout(
            &v,
            "Your password",
            html! { p { "You sign in with your organisation's account: there is no ipstrack password to change." } },
        );
    }
    password_html(&v, &crate::ui::form::FormState::default())
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Changes one's own password; every other session and API token of the
/// user ends, this one goes on. The current password is checked under the
/// sign-in rule (failures count, and too many slow it).
pub(crate) async fn change_password(
    State(state): State<Shared>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Posted { v, form, .. }: Posted<PasswordForm>,
) -> WebResult {
    let mut errors: FieldErrors = Vec::new();
    let mut busy = false;
    if !within_lengths("", &form.current) {
        errors.push(("current", "The current password is not right".into()));
    } else if !within_lengths("", &form.new) || !within_lengths("", &form.confirm) {
        errors.push((
            "new",
            format!("The new password has at most {MAX_PASSWORD} characters"),
        ));
    } else if form.new.chars().count() < 10 {
        errors.push((
            "new",
            "The new password needs at least 10 characters".into(),
        ));
    } else if form.new != form.confirm {
        errors.push(("confirm", "The two new passwords are not the same".into()));
    }
    if errors.is_empty() {
        let address = client_address(connect);
        let username = &v.session.user.username;
        match state
            .store
            .change_password(
                username,
                &form.current,
                &form.new,
                &address,
                token(&headers),
            )
            .await?
        {
            PasswordChange::Changed => return Ok(Redirect::to("/").into_response()),
            PasswordChange::Refused => {
                tracing::info!(user = %username, %address, "current password refused");
                errors.push(("current", "The current password is not right".into()))
            }
            PasswordChange::Busy => {
                busy = true;
                tracing::warn!(user = %username, %address, "password not checked: too many at once");
                errors.push((
                    "current",
                    "Too many passwords are being checked at once: try again in a few seconds"
                        .into(),
                ))
            }
            PasswordChange::Slowed { until } => {
                tracing::warn!(user = %username, %address, %until, "password change slowed: too many failures");
                errors.push((
                    "current",
                    format!(
                        "Too many wrong passwords: try again in {}",
                        wait_text(until)
                    ),
                ))
            }
        }
    }
    let state_form = crate::ui::form::FormState {
        form: "password",
        values: Vec::new(),
        errors,
        saved: None,
        warning: None,
    };
    if busy {
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            password_html(&v, &state_form),
        )
            .into_response());
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        password_html(&v, &state_form),
    )
        .into_response())
}

/// The sign-in page: the organisation's account first when set up, then
/// a username and password — for the break-glass admin only, folded away,
/// when local passwords are off for everyone else (SIGN-4).
pub(crate) fn sign_in_html(
    state: &crate::state::AppState,
    csrf: &str,
    error: Option<&str>,
    next: Option<&str>,
) -> Markup {
    let password_form = html! {
        form method="post" action="/sign-in" {
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(next) = next { input type="hidden" name="next" value=(next); }
            div class="field" {
                label for="username" { "Username" }
                input id="username" name="username" type="text" autocomplete="username" required;
            }
            div class="field" {
                label for="password" { "Password" }
                input id="password" name="password" type="password" autocomplete="current-password" required;
            }
            button type="submit" { "Sign in" }
        }
    };
    let Some(oidc) = state.config.oidc.as_deref() else {
        return bare(
            "Sign in",
            html! { (problem_summary(error, "username")) (password_form) },
        );
    };
    let begin = match next {
        Some(next) => format!(
            "/sign-in/oidc?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => "/sign-in/oidc".to_string(),
    };
    let break_glass_only = state.store.passwords_only_for().is_some();
    bare(
        "Sign in",
        html! {
            (problem_summary(error, "username"))
            p { a class="button" href=(begin) { "Sign in with " (oidc.provider_name()) } }
            @if break_glass_only {
                details open[error.is_some()] {
                    summary { "Sign in with a password (break-glass administrator only)" }
                    (password_form)
                }
            } @else {
                h2 { "Or sign in with a username and password" }
                (password_form)
            }
        },
    )
}

/// Changing one's own password.
pub fn password_html(v: &Viewer, state: &FormState) -> Markup {
    layout(
        v,
        "Change your password",
        html! {
            (error_summary(state))
            (FormState::post_form(v, "/account/password", html! {
                (field(state, "password", "current", "Current password", "password", None))
                (field(state, "password", "new", "New password (at least 10 characters)", "password", None))
                (field(state, "password", "confirm", "New password again", "password", None))
                button type="submit" { "Change password" }
            }))
        },
    )
}
