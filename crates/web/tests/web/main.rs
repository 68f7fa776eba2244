//! The web app's tests, one module per feature with the feature's name in
//! `crates/web/src` (auth, caseload, referrals, team, plan, returns, import,
//! admin, api, period), plus the authorisation matrices, concurrent row
//! writes and hostile requests; all share one set-up (`common`): a store of
//! the example bundle with a user of each role, and the app over it.

mod common;

mod admin;
mod admin_staff;
mod admin_users;
mod api;
mod api_fidelity_reviews;
mod api_writes;
mod audit;
mod auth;
mod authorisation;
mod caseload;
mod definitions;
mod duplicates;
mod employer_contacts;
mod entered_in_error;
mod entries;
mod equality;
mod fidelity;
mod fidelity_reviews;
mod grow_return;
mod hostile;
mod hostile_scope;
mod hostile_sign_in;
mod import;
mod in_work_checks;
mod jobs;
mod oidc;
mod oidc_provider;
mod oidc_setup;
mod one_door;
mod ops;
mod period;
mod person;
mod plan;
mod preparation;
mod referral_corrections;
mod referrals;
mod returns;
mod row_writes;
mod search;
mod team;
mod team_worklist;
