//! The users page (admins): the users with their roles, staff records and
//! failed sign-ins; adding a user and disabling one (the other actions on
//! a user are in [`super::user_actions`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use ipstrack_store::StoreError;
use serde::{Deserialize, Serialize};

use super::staff::role_words;
use crate::error::{WebError, WebResult};
use crate::extract::{Admin, Admins, NoFields, Posted, SignedIn};
use crate::saved::success_banner;
use crate::ui::form::{FieldErrors, FormState, error_summary, field, select};
use crate::ui::layout::{layout, plural};
use crate::viewer::Viewer;
use crate::{AppState, Shared, Snapshot};
use ipstrack_core::model::Role;
use maud::{Markup, html};

pub(crate) async fn users_page(
    State(state): State<Shared>,
    Admin(SignedIn { v, data }): Admin,
) -> WebResult<Markup> {
    users_view(&state, &data, &v, &FormState::default()).await
}

pub(crate) async fn users_view(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    form: &FormState,
) -> WebResult<Markup> {
    let failures = state.store.sign_in_failures().await?;
    let users = state.store.users().await?;
    // The links, only with the organisation's sign-in set up.
    let links = match state.config.oidc {
        Some(_) => Some(state.store.identity_links().await?),
        None => None,
    };
    let staff: Vec<(String, String)> = std::iter::once((String::new(), "None".to_string()))
        .chain(
            data.dataset
                .staff
                .iter()
                .map(|s| (s.id.clone(), staff_words(&data.dataset, s))),
        )
        .collect();
    // Who has a password to reset is the store's rule (SIGN-4).
    let passwords = Passwords {
        off: state.store.passwords_only_for().is_some(),
        allowed: &|name| state.store.password_allowed(name),
    };
    Ok(users_html(
        v,
        &users,
        &failures,
        &staff,
        links.as_deref(),
        &passwords,
        form,
    ))
}

/// A staff member as the users page names them: "Ann Smith, North".
fn staff_words(d: &ipstrack_core::Dataset, s: &ipstrack_core::model::Staff) -> String {
    format!("{}, {}", s.name, super::staff::team_name(d, s))
}

#[derive(Deserialize, Serialize)]
pub(crate) struct UserForm {
    username: String,
    role: String,
    staff: String,
    #[serde(skip_serializing)]
    password: String,
}

/// Admins add users: a role, a staff record, a first password.
pub(crate) async fn add_user(
    State(state): State<Shared>,
    Posted { data, v, form, .. }: Posted<UserForm, Admins>,
) -> WebResult {
    let mut errors: FieldErrors = Vec::new();
    let username = form.username.trim();
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        errors.push((
            "username",
            "Enter a username of letters, digits, - _ or .".into(),
        ));
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push(("role", "Select a role".into()));
    }
    // With local passwords off (SIGN-4) a new user signs in with their
    // organisation's account only: a password nobody knows is kept.
    let password = if form.password.is_empty() && state.store.passwords_only_for().is_some() {
        ipstrack_store::one_time_password()
    } else {
        form.password.clone()
    };
    if password.chars().count() < 10 {
        errors.push((
            "password",
            "The first password needs at least 10 characters".into(),
        ));
    }
    let staff = Some(form.staff.as_str()).filter(|s| !s.is_empty());
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        match state
            .store
            .add_user(
                username,
                &password,
                role.expect("checked"),
                staff,
                &v.session.user.username,
            )
            .await
        {
            // With the organisation's sign-in, on to linking their account.
            Ok(_) if state.config.oidc.is_some() => {
                return Ok(
                    Redirect::to(&format!("/admin/users/{username}/account")).into_response()
                );
            }
            Ok(_) => return Ok(Redirect::to("/admin/users").into_response()),
            Err(StoreError::NotAllowed(message)) => errors.push(("username", message)),
            Err(StoreError::Exists(message)) => {
                status = StatusCode::CONFLICT;
                errors.push(("username", message));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let again = FormState::again("user", &form, errors);
    let page = users_view(&state, &data, &v, &again).await?;
    Ok((status, page).into_response())
}

/// Admins disable a user; not themselves (answered as if there were no such
/// page). No such user: 404; already disabled: 409; the last enabled admin:
/// 422.
pub(crate) async fn disable_user(
    State(state): State<Shared>,
    Path(name): Path<String>,
    Posted { v, .. }: Posted<NoFields, Admins>,
) -> WebResult {
    if name == v.session.user.username {
        return Err(WebError::out_of_scope(&v, "user", &name));
    }
    state
        .store
        .disable_user(&name, &v.session.user.username)
        .await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// An admin's notice of an account's failed sign-ins: "12 failed sign-ins
/// in the last hour, from 3 addresses; 1 address slowed until 14:32".
pub fn sign_in_notice(f: &ipstrack_store::SignInFailures) -> String {
    let mut text = format!(
        "{} in the last hour, from {}",
        plural(f.failures, "failed sign-in", "failed sign-ins"),
        plural(f.addresses, "address", "addresses")
    );
    if let Some(until) = f.slowed_until {
        let at = until
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%H:%M")
            .to_string();
        let who = if f.account_slowed {
            "every address".to_string()
        } else {
            plural(f.slowed_addresses, "address", "addresses")
        };
        text.push_str(&format!("; {who} slowed until {at}"));
    }
    text
}

/// The buttons of what an admin may do to another user: disable or enable
/// them, reset their password, give them another role.
fn user_actions(v: &Viewer, u: &ipstrack_store::User, has_password: bool) -> Markup {
    let action = |what: &str| format!("/admin/users/{}/{what}", u.username);
    html! {
        @if u.disabled {
            form method="post" action=(action("enable")) {
                input type="hidden" name="csrf" value=(v.session.csrf);
                button type="submit" class="secondary" { "Enable" span class="visually-hidden" { " " (u.username) } }
            }
        } @else {
            form method="post" action=(action("disable")) {
                input type="hidden" name="csrf" value=(v.session.csrf);
                button type="submit" class="secondary" { "Disable" span class="visually-hidden" { " " (u.username) } }
            }
        }
        @if has_password {
            form method="post" action=(action("password")) {
                input type="hidden" name="csrf" value=(v.session.csrf);
                button type="submit" class="secondary" { "Reset password" span class="visually-hidden" { " of " (u.username) } }
            }
        }
        form method="post" action=(action("role")) {
            input type="hidden" name="csrf" value=(v.session.csrf);
            label for=(format!("role-{}", u.username)) class="visually-hidden" { "Role of " (u.username) }
            select id=(format!("role-{}", u.username)) name="role" {
                @for role in ROLES {
                    option value=(role.as_str()) selected[role == u.role] { (role_words(role)) }
                }
            }
            " "
            button type="submit" class="secondary" { "Change role" span class="visually-hidden" { " of " (u.username) } }
        }
    }
}

/// Whether local passwords are off for all but a break-glass admin, and
/// whether a user may sign in with one (the store's rule, SIGN-4).
pub struct Passwords<'a> {
    pub off: bool,
    pub allowed: &'a dyn Fn(&str) -> bool,
}

/// Every role, as the users page offers them.
const ROLES: [Role; 4] = [Role::Es, Role::TeamLead, Role::Manager, Role::Admin];

pub fn users_html(
    v: &Viewer,
    users: &[ipstrack_store::User],
    failures: &[ipstrack_store::SignInFailures],
    staff: &[(String, String)],
    links: Option<&[ipstrack_store::LinkedIdentity]>,
    passwords: &Passwords,
    state: &FormState,
) -> Markup {
    let passwords_off = passwords.off;
    let has_password = passwords.allowed;
    let link_of = |name: &str| links.and_then(|l| l.iter().find(|l| l.username == name));
    let notice = |name: &str| {
        failures
            .iter()
            .find(|f| f.username == name)
            .map(sign_in_notice)
    };
    let unknown: i64 = failures
        .iter()
        .filter(|f| !users.iter().any(|u| u.username == f.username))
        .map(|f| f.failures)
        .sum();
    layout(
        v,
        "Users",
        html! {
            (success_banner(state.saved.as_deref()))
            (error_summary(state))
            @if unknown > 0 {
                p { (plural(unknown, "failed sign-in", "failed sign-ins")) " in the last hour named no user." }
            }
            table id="users-list" class="cards" {
                thead { tr { th scope="col" { "Username" } th scope="col" { "Role" } th scope="col" { "Staff record" } th scope="col" { "State" } @if links.is_some() { th scope="col" { "Organisation account" } } th scope="col" { "Failed sign-ins" } th scope="col" { "Actions" } } }
                tbody { @for u in users {
                    tr {
                        td data-label="Username" { (u.username) }
                        td data-label="Role" { (role_words(u.role)) }
                        td data-label="Staff record" { (u.staff_id.as_deref().and_then(|id| staff.iter().find(|(s, _)| s == id)).map_or("–", |(_, words)| words.as_str())) }
                        td data-label="State" { @if u.disabled { "Disabled" } @else { "Can sign in" } }
                        @if links.is_some() {
                            td data-label="Organisation account" {
                                (super::user_identity::link_words(link_of(&u.username).map(|l| &l.link)))
                                " " a href=(format!("/admin/users/{}/account", u.username)) { "Change" span class="visually-hidden" { " the link of " (u.username) } }
                            }
                        }
                        td data-label="Failed sign-ins" { (notice(&u.username).unwrap_or_else(|| "–".to_string())) }
                        td data-label="Actions" class="user-actions" { @if u.username != v.session.user.username {
                            (user_actions(v, u, has_password(&u.username)))
                        } }
                    }
                } }
            }
            (FormState::post_form(v, "/admin/users", html! {
                h2 { "Add a user" }
                (field(state, "user", "username", "Username", "text", None))
                (select(state, "user", "role", "Role", &ROLES.iter().map(|r| (r.as_str().to_string(), role_words(*r).to_string())).collect::<Vec<_>>()))
                (select(state, "user", "staff", "Staff record (an ES's caseload, a team lead's team)", staff))
                @if passwords_off {
                    (field(state, "user", "password", "First password (leave empty: they sign in with their organisation's account)", "password", None))
                } @else {
                    (field(state, "user", "password", "First password (at least 10 characters; they can change it)", "password", None))
                }
                button type="submit" { "Add user" }
            }))
        },
    )
}
