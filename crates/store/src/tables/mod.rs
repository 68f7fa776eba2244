//! The tables, one file per table or aggregate (a referral with its child
//! rows): its columns, how a row becomes a record and back, its reader and
//! writer, and its part of [`Store`](crate::Store). Table files use `sql`,
//! `audit`, `changes` and `upsert` (how an import writes a table's changed
//! records), never one another; what spans several tables is
//! above them (`import`, `entry`, `backup`, `accounts`, `sign_in`), or here
//! for the whole dataset as a bundle.

pub(crate) mod clients;
pub(crate) mod employer_contacts;
pub(crate) mod fidelity_reviews;
pub(crate) mod referrals;
pub(crate) mod request_keys;
pub(crate) mod service;
pub(crate) mod sessions;
pub(crate) mod sign_in_gates;
pub(crate) mod staff;
pub(crate) mod submissions;
pub(crate) mod teams;
pub(crate) mod upsert;
pub(crate) mod users;

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc};
use sqlx::AnyConnection;

use crate::Result;

/// Reads every record back as a bundle, in the order they were first
/// written, with the version of each referral.
pub(crate) async fn read_bundle(conn: &mut AnyConnection) -> Result<BundleDoc> {
    let (service, policy) = service::read_or_empty(conn).await?;
    let teams = teams::read_all(conn).await?;
    let staff = staff::read_all(conn).await?;
    let clients = clients::read_all(conn).await?;
    let referrals = referrals::read_all(conn).await?;
    let employer_contacts = employer_contacts::read_all(conn).await?;
    let fidelity_reviews = fidelity_reviews::read_all(conn).await?;
    // The version of each referral, so that an import of this bundle can
    // tell which referrals changed since (issue 20).
    let referral_versions = referrals::versions(conn).await?;
    Ok(BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service,
        policy,
        teams,
        staff,
        clients,
        referrals,
        employer_contacts,
        fidelity_reviews,
        referral_versions: referral_versions.into_iter().collect(),
    })
}
