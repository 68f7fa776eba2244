//! The admin screens: users, policy and the audit log.

mod audit;
mod policy;
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
            "/admin/policy",
            get(policy::policy_page).post(policy::save_policy),
        )
        .route("/audit", get(audit::audit))
}
