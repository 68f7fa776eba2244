//! Data entry: the writes a person makes on one referral or its client,
//! across the tables they touch (the referral and its rows, the client, the
//! retry key, the change sequence, the audit log).
//!
//! Each kind of write changes only its own rows, inside one transaction with
//! its audit entry: a contact inserts a contact, a hold inserts a hold, access
//! updates the referral's row, a correction deletes one row. The referral is
//! read afresh inside the transaction (never from a server's cached copy), the
//! change is checked with the rules engine's BAD-1 checks against the records
//! it names (its client, its specialists and their teams, the service's
//! policy: each found through its index), and the referral's version is
//! counted up. An edit (access, plan, discharge, a correction) names the
//! version its page showed — it cannot be made without one ([`Step::Edit`]) —
//! and is refused with [`StoreError::Conflict`] if the referral changed
//! since; an addition never conflicts. Every write appends to the change
//! sequence, so other servers load just this referral. A write sent with a
//! retry key ([`RequestKey`]) records it: the same request sent again is
//! answered with what the first wrote, another request under the key is
//! refused ([`StoreError::KeyReused`]).

mod client;
mod employer_contact;
mod referral;

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, ClientDoc, ReferralDoc, TeamDoc, canonical};
use sqlx::{AnyConnection, Connection};

use crate::tables::referrals::Step;
use crate::tables::request_keys::RequestKey;
use crate::tables::{clients, referrals, service, staff, teams};
use crate::{Result, Store, StoreError};

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

impl Store {
    /// The referral a retry key (a form's one-time token, an API request's
    /// `Idempotency-Key`) already wrote for this same request, if it did: a
    /// retry answers with it. A key the user used for another request is
    /// refused ([`StoreError::KeyReused`]).
    pub async fn done_with(&self, key: &RequestKey) -> Result<Option<Saved>> {
        let mut conn = self.read.acquire().await?;
        let mut tx = conn.begin().await?;
        let saved = referral::repeated(&mut tx, Some(key)).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// One referral as stored now, with its client and version.
    pub async fn referral(&self, id: &str) -> Result<Option<Saved>> {
        let mut conn = self.read.acquire().await?;
        let mut tx = conn.begin().await?;
        let saved = read_saved(&mut tx, id).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Records one step on a referral, writing only its own rows (see
    /// [`Step`]); an edit names the version its page showed
    /// ([`Step::Edit`]) and is refused with [`StoreError::Conflict`] if the
    /// referral changed.
    pub async fn change_referral(&self, id: &str, step: &Step, actor: &str) -> Result<Saved> {
        self.change_referral_once(id, step, None, actor).await
    }

    /// [`Store::change_referral`] with a retry key: the same request sent
    /// again with it (a retry after a time-out or a crash) writes nothing and
    /// gives the referral back as it is; another request under the key is
    /// refused ([`StoreError::KeyReused`]).
    pub async fn change_referral_once(
        &self,
        id: &str,
        step: &Step,
        once: Option<&RequestKey>,
        actor: &str,
    ) -> Result<Saved> {
        let mut tx = self.begin_write().await?;
        let saved = referral::change_referral(&mut tx, id, step, once, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Creates a referral and, for a new person, their client (data entry):
    /// checked against the records it names and audited; an id taken since
    /// the form was made is replaced by the next free one.
    /// A retry key (`once`) sent again with the same request gives back the
    /// referral the first request created, and writes nothing.
    pub async fn create_referral(
        &self,
        client: Option<ClientDoc>,
        referral: ReferralDoc,
        once: Option<&RequestKey>,
        actor: &str,
    ) -> Result<Saved> {
        let mut tx = self.begin_write().await?;
        let saved = referral::create_referral(&mut tx, client, referral, once, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Records a contact on a referral (data entry), in its own transaction.
    pub async fn add_contact(
        &self,
        referral_id: &str,
        contact: &ipstrack_core::bundle::ContactDoc,
        actor: &str,
    ) -> Result<()> {
        self.change_referral(referral_id, &Step::Contact(contact.clone()), actor)
            .await
            .map(|_| ())
    }
}
