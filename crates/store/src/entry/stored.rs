//! A referral as stored: read back with its client and version after a
//! write, and checked (BAD-1) against the records it names before one.

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, ClientDoc, ReferralDoc, TeamDoc, canonical};
use sqlx::AnyConnection;

use crate::tables::{clients, referrals, service, staff, teams};
use crate::{Result, StoreError};

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
        fidelity_reviews: Vec::new(),
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
