//! Linking a user to their account at the organisation's identity provider
//! (issue 27, SIGN-1, SIGN-2), on its own page: by their work e-mail
//! address, used once at their first sign-in, or by their identifier at
//! the provider; or removing the link. The values are checked by core's
//! `IdentityLink`, as the CLI's `ipstrack user link` checks them.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ipstrack_core::model::IdentityLink;
use ipstrack_store::StoreError;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{Admin, Admins, Posted, SignedIn};
use crate::saved::{saved_redirect, success_banner, take_saved};
use crate::ui::form::{FormState, error_summary, field};
use crate::ui::layout::layout;
use crate::viewer::Viewer;
use crate::{AppState, Shared};

/// How the users page says a user is linked.
pub(crate) fn link_words(link: Option<&IdentityLink>) -> String {
    match link {
        Some(IdentityLink::Subject(_)) => "Linked".into(),
        Some(IdentityLink::Email(e)) => format!("Waiting for their first sign-in as {e}"),
        None => "Not linked".into(),
    }
}

/// How the user's own link page says it, with the identifier.
fn link_in_full(link: Option<&IdentityLink>) -> String {
    match link {
        Some(IdentityLink::Subject(s)) => format!("Linked to the identifier {s}"),
        _ => link_words(link),
    }
}

/// The link of the user of the path (any user, for an admin), in one
/// read; no such user: 404.
async fn known(state: &AppState, v: &Viewer, name: &str) -> WebResult<Option<IdentityLink>> {
    state
        .store
        .identity_of(name)
        .await?
        .ok_or_else(|| WebError::out_of_scope(v, "user", name))
}

pub(crate) async fn identity_page(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Admin(SignedIn { v, .. }): Admin,
) -> WebResult<Response> {
    let link = known(&state, &v, &name).await?;
    let values = match &link {
        Some(IdentityLink::Email(e)) => vec![("email".to_string(), e.clone())],
        Some(IdentityLink::Subject(s)) => vec![("subject".to_string(), s.clone())],
        None => Vec::new(),
    };
    let saved = take_saved(&state, &headers);
    let form = FormState {
        form: "identity",
        values,
        saved: saved.as_ref().map(|(m, _)| m.to_string()),
        ..FormState::default()
    };
    let page = identity_html(&v, &name, link.as_ref(), &form);
    Ok(match saved {
        Some((_, clear)) => (clear, page).into_response(),
        None => page.into_response(),
    })
}

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct IdentityForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    subject: String,
    /// "remove" to remove the link.
    #[serde(default, skip_serializing)]
    action: String,
}

pub(crate) async fn save_identity(
    State(state): State<Shared>,
    Path(name): Path<String>,
    Posted { v, form, .. }: Posted<IdentityForm, Admins>,
) -> WebResult {
    let current = known(&state, &v, &name).await?;
    let actor = &v.session.user.username;
    let link = if form.action == "remove" {
        Ok(None)
    } else if !form.subject.trim().is_empty() {
        IdentityLink::subject(&form.subject)
            .map(Some)
            .map_err(|e| ("subject", e))
    } else {
        IdentityLink::email(&form.email)
            .map(Some)
            .map_err(|e| ("email", e))
    };
    let refused = |field: &'static str, message: String| {
        let state_form = FormState {
            form: "identity",
            values: vec![
                ("email".into(), form.email.clone()),
                ("subject".into(), form.subject.clone()),
            ],
            errors: vec![(field, message)],
            ..FormState::default()
        };
        identity_html(&v, &name, current.as_ref(), &state_form)
    };
    let link = match link {
        Ok(link) => link,
        Err((field, message)) => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, refused(field, message)).into_response());
        }
    };
    match state.store.link_identity(&name, link.as_ref(), actor).await {
        Ok(()) => {}
        Err(StoreError::Exists(message)) => {
            let field = match link {
                Some(IdentityLink::Subject(_)) => "subject",
                _ => "email",
            };
            return Ok((StatusCode::CONFLICT, refused(field, message)).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(saved_redirect(
        &state,
        &format!("/admin/users/{name}/account"),
        "identity-link",
    ))
}

fn identity_html(v: &Viewer, name: &str, link: Option<&IdentityLink>, form: &FormState) -> Markup {
    let action = format!("/admin/users/{name}/account");
    layout(
        v,
        &format!("Link {name} to their organisation account"),
        html! {
            (success_banner(form.saved.as_deref()))
            (error_summary(form))
            p { "Now: " strong id="identity-now" { (link_in_full(link)) } "." }
            (FormState::post_form(v, &action, html! {
                p { "People sign in with their organisation's account. Give their work e-mail address: they are linked at their first sign-in, once. Or give their identifier at the provider, if you know it." }
                (field(form, "identity", "email", "Work e-mail address", "email", None))
                details {
                    summary { "Link by their identifier at the provider instead" }
                    (field(form, "identity", "subject", "Identifier at the provider (for example their object ID)", "text", None))
                }
                button type="submit" { "Save the link" }
            }))
            @if link.is_some() {
                form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(v.session.csrf);
                    input type="hidden" name="action" value="remove";
                    button type="submit" class="secondary" { "Remove the link" }
                }
            }
            p { a href="/admin/users" { "Back to users" } }
        },
    )
}
