//! What an admin does to a user from the users page (issue 23): resets
//! their password to a one-time password shown once, lets a disabled user
//! sign in again, gives a user another role. Each is a form posted with the
//! session's CSRF token; each is audited by the store; the page then says
//! exactly what was done, or why it was not.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use ipstrack_core::model::Role;
use ipstrack_store::StoreError;
use maud::html;
use serde::{Deserialize, Serialize};

use super::staff::role_words;
use super::users::users_view;
use crate::error::{WebError, WebResult};
use crate::extract::{Admins, NoFields, Posted};
use crate::ui::form::FormState;
use crate::ui::layout::layout;
use crate::viewer::Viewer;
use crate::{AppState, Snapshot};

/// The users page again, with a message saying what was done (200), or why
/// it was not (`status`, the message in the error summary).
async fn users_again(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    outcome: Result<String, (StatusCode, String)>,
) -> WebResult {
    match outcome {
        Ok(message) => {
            let form = FormState {
                saved: Some(message),
                ..FormState::default()
            };
            Ok(users_view(state, data, v, &form).await?.into_response())
        }
        Err((status, message)) => {
            let form = FormState {
                form: "users",
                errors: vec![("list", message)],
                ..FormState::default()
            };
            Ok((status, users_view(state, data, v, &form).await?).into_response())
        }
    }
}

/// A store's refusal of an action on a user: its reason on the users page
/// (409 already so, 422 not allowed); no such user is 404, as for any
/// other admin page.
fn refused(e: StoreError) -> Result<(StatusCode, String), WebError> {
    match e {
        StoreError::Exists(message) => Ok((StatusCode::CONFLICT, message)),
        StoreError::NotAllowed(message) => Ok((StatusCode::UNPROCESSABLE_ENTITY, message)),
        e => Err(e.into()),
    }
}

/// An admin lets a disabled user sign in again.
pub(crate) async fn enable_user(
    State(state): State<crate::Shared>,
    Path(name): Path<String>,
    Posted { data, v, .. }: Posted<NoFields, Admins>,
) -> WebResult {
    let outcome = match state
        .store
        .enable_user(&name, &v.session.user.username)
        .await
    {
        Ok(()) => Ok(format!(
            "{name} can sign in again, with the password they had. Reset it if they do not know it."
        )),
        Err(e) => Err(refused(e)?),
    };
    users_again(&state, &data, &v, outcome).await
}

#[derive(Deserialize, Serialize)]
pub(crate) struct RoleForm {
    #[serde(default)]
    role: String,
}

/// An admin gives a user another role; not themselves (answered as if there
/// were no such page, as for disabling), and never the last enabled admin
/// away from admin (the store refuses).
pub(crate) async fn change_role(
    State(state): State<crate::Shared>,
    Path(name): Path<String>,
    Posted { data, v, form, .. }: Posted<RoleForm, Admins>,
) -> WebResult {
    if name == v.session.user.username {
        return Err(WebError::out_of_scope(&v, "user", &name));
    }
    let Some(role) = Role::parse(&form.role) else {
        let bad = Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a role".to_string(),
        ));
        return users_again(&state, &data, &v, bad).await;
    };
    let outcome = match state
        .store
        .change_role(&name, role, &v.session.user.username)
        .await
    {
        Ok(()) => Ok(format!(
            "{name} is now: {}. What they can see changes from their next page.",
            role_words(role)
        )),
        Err(e) => Err(refused(e)?),
    };
    users_again(&state, &data, &v, outcome).await
}

/// An admin resets a user's password to a one-time password, shown on this
/// page only (the store keeps its hash): every session and API token of the
/// user ends. The page is not kept by the browser.
pub(crate) async fn reset_password(
    State(state): State<crate::Shared>,
    Path(name): Path<String>,
    Posted { v, .. }: Posted<NoFields, Admins>,
) -> WebResult {
    if name == v.session.user.username {
        return Err(WebError::out_of_scope(&v, "user", &name));
    }
    let password = ipstrack_store::one_time_password();
    state
        .store
        .reset_password(&name, &password, &v.session.user.username)
        .await?;
    let page = layout(
        &v,
        "Password reset",
        html! {
            div class="success-message" role="status" tabindex="-1" id="saved" {
                p { "The password of " (name) " is reset. They are signed out everywhere." }
            }
            p { "Give them this one-time password in person or by phone. It is shown only now: it cannot be seen again." }
            p { strong class="one-time-password" id="one-time-password" { (password) } }
            p { "They sign in with it, then change it on their account page." }
            p { a href="/admin/users" { "Back to users" } }
        },
    );
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], page).into_response())
}
