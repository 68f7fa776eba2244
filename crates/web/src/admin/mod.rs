//! The admin screens: users, staff, policy and the audit log.

mod audit;
mod policy;
mod staff;
mod staff_change;
mod user_actions;
mod user_identity;
mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::Shared;

/// The admin screens' routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/admin/users", get(users::users_page).post(users::add_user))
        .route("/admin/users/{name}/disable", post(users::disable_user))
        .route(
            "/admin/users/{name}/enable",
            post(user_actions::enable_user),
        )
        .route("/admin/users/{name}/role", post(user_actions::change_role))
        .route(
            "/admin/users/{name}/password",
            post(user_actions::reset_password),
        )
        .route(
            "/admin/users/{name}/account",
            get(user_identity::identity_page).post(user_identity::save_identity),
        )
        .route("/admin/staff", get(staff::staff_page))
        .route(
            "/admin/staff/new",
            get(staff::new_es_page).post(staff::add_es),
        )
        .route(
            "/admin/staff/{id}/{what}",
            get(staff_change::change_page).post(staff_change::save_change),
        )
        .route(
            "/admin/policy",
            get(policy::policy_page).post(policy::save_policy),
        )
        .route("/audit", get(audit::audit))
}
