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
mod fidelity_review;
mod referral;
mod staff_member;
mod stored;

pub use staff_member::StaffChange;
pub use stored::Saved;
use stored::read_saved;

use ipstrack_core::bundle::{ClientDoc, ReferralDoc};
use sqlx::Connection;

use crate::tables::referrals::Step;
use crate::tables::request_keys::RequestKey;
use crate::{Result, Store};

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
