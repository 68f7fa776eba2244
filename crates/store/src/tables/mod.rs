//! The tables, one file per table or aggregate (a referral with its child
//! rows): its columns, how a row becomes a record and back, its reader and
//! writer, and its part of [`Store`](crate::Store). What reads several
//! tables together is here: the whole dataset as a bundle, a referral with
//! its client, and the records a referral names for its BAD-1 check.

pub(crate) mod clients;
pub(crate) mod employer_contacts;
pub(crate) mod referrals;
pub(crate) mod request_keys;
pub(crate) mod service;
pub(crate) mod sessions;
pub(crate) mod sign_in_gates;
pub(crate) mod staff;
pub(crate) mod submissions;
pub(crate) mod teams;
pub(crate) mod users;

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, ClientDoc, ReferralDoc, TeamDoc, canonical};
use sqlx::AnyConnection;

use crate::{Result, StoreError};

/// Reads every record back as a bundle, in the order they were first
/// written, with the version of each referral.
pub(crate) async fn read_bundle(conn: &mut AnyConnection) -> Result<BundleDoc> {
    let (service, policy) = service::read_or_empty(conn).await?;
    let teams = teams::read_all(conn).await?;
    let staff = staff::read_all(conn).await?;
    let clients = clients::read_all(conn).await?;
    let referrals = referrals::read_all(conn).await?;
    let employer_contacts = employer_contacts::read_all(conn).await?;
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
        referral_versions: referral_versions.into_iter().collect(),
    })
}

/// A referral as stored after a write, with its client and version.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub referral: ReferralDoc,
    pub client: ClientDoc,
    pub version: i64,
}

/// The referral, its client and version, as stored now.
pub(crate) async fn read_saved(conn: &mut AnyConnection, id: &str) -> Result<Option<Saved>> {
    let Some((referral, version)) = referrals::read_referral(conn, id).await? else {
        return Ok(None);
    };
    let client = clients::read_one(conn, &referral.client)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("referral {id}: its client is missing")))?;
    Ok(Some(Saved {
        referral,
        client,
        version,
    }))
}

/// BAD-1 for one referral against the records it names: the service and its
/// policy, its client (`new_client` when it is being created) and the
/// specialists it is assigned or transferred to, with their teams. Gives the
/// referral and its client as they are stored (core's canonical form:
/// trimmed, codes and numbers as a bundle writes them), which is exactly
/// what the loader reads back.
pub(crate) async fn check_referral(
    conn: &mut AnyConnection,
    referral: &ReferralDoc,
    new_client: Option<&ClientDoc>,
) -> Result<(ReferralDoc, ClientDoc)> {
    let (service, policy) = service::read(conn).await?;
    let client = match new_client {
        Some(c) => Some(c.clone()),
        None => clients::read_one(conn, &referral.client).await?,
    };
    let mut staff_ids: Vec<&str> = referral.es.iter().map(|s| s.trim()).collect();
    staff_ids.extend(referral.transfers.iter().flatten().map(|x| x.es.trim()));
    staff_ids.sort_unstable();
    staff_ids.dedup();
    let mut staff = Vec::new();
    let mut teams: Vec<TeamDoc> = Vec::new();
    for id in staff_ids {
        let Some(s) = staff::read_one(conn, id).await? else {
            continue;
        };
        if !teams.iter().any(|t| t.id == s.team) {
            teams.push(teams::read_one(conn, &s.team).await?);
        }
        staff.push(s);
    }
    let doc = BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service,
        policy,
        teams,
        staff,
        clients: Vec::new(),
        referrals: vec![referral.clone()],
        employer_contacts: Vec::new(),
        referral_versions: Default::default(),
    };
    // The client a possible duplicate names (issue 21) is read beside it,
    // for its reference and NHS number to be checked; the client is last.
    let named = match client
        .as_ref()
        .and_then(|c| c.possible_duplicate_of.clone())
    {
        Some(id) => clients::read_one(conn, &id).await?.map(|mut c| {
            c.possible_duplicate_of = None;
            c
        }),
        None => None,
    };
    let doc = BundleDoc {
        clients: named.into_iter().chain(client).collect(),
        ..doc
    };
    let mut stored = canonical(&doc).map_err(StoreError::Invalid)?;
    match (stored.referrals.pop(), stored.clients.pop()) {
        (Some(referral), Some(client)) => Ok((referral, client)),
        _ => Err(StoreError::Corrupt(
            "a checked referral went missing".into(),
        )),
    }
}
