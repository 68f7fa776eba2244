//! One staff member added or changed on the web (a staff page's one field),
//! through the import's door: the same BAD-1 checks as a bundle, only their
//! row written, with its audit row and a change telling other servers to
//! reload, in one transaction.

use std::collections::HashSet;

use ipstrack_core::bundle::{BUNDLE_FORMAT, BundleDoc, StaffDoc};

use crate::tables::{service, staff::read_one};
use crate::{Result, Store, StoreError, WriteTx};

/// One thing of a staff member, changed on its own page.
#[derive(Clone, Debug, PartialEq)]
pub enum StaffChange {
    /// The team (its id).
    Team(String),
    /// The FTE, more than 0 and at most 1.
    Fte(serde_json::Number),
    /// The first day in post (YYYY-MM-DD).
    StartDate(String),
    /// The last day in post (YYYY-MM-DD); none: in post.
    EndDate(Option<String>),
}

impl Store {
    /// Saves one stored staff member as changed on the web (their team, FTE,
    /// start or leaving date): the same checks as an import (BAD-1: the
    /// whole result must load), only their row written, with its audit row
    /// (old and new) and a change telling other servers to reload, in one
    /// transaction. Gives the record as stored. Refused: no such staff
    /// member ([`StoreError::NotFound`]), a record the loader would refuse
    /// ([`StoreError::Invalid`]).
    pub async fn save_staff(&self, record: &StaffDoc, actor: &str) -> Result<StaffDoc> {
        let mut tx = self.begin_write().await?;
        if read_one(&mut tx, record.id.trim()).await?.is_none() {
            return Err(StoreError::NotFound(format!("staff {}", record.id.trim())));
        }
        let saved = write_one(&mut tx, record, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Changes one thing of a stored staff member (a staff page's one
    /// field), applied to the record as stored inside the write, so that a
    /// change made meanwhile by someone else to another field is kept; then
    /// as [`Store::save_staff`]. Gives the record as stored.
    pub async fn change_staff(
        &self,
        id: &str,
        change: StaffChange,
        actor: &str,
    ) -> Result<StaffDoc> {
        let mut tx = self.begin_write().await?;
        let Some(mut record) = read_one(&mut tx, id).await? else {
            return Err(StoreError::NotFound(format!("staff {id}")));
        };
        match change {
            StaffChange::Team(team) => record.team = team,
            StaffChange::Fte(fte) => record.fte = fte,
            StaffChange::StartDate(day) => record.start_date = day,
            StaffChange::EndDate(day) => record.end_date = day,
        }
        let saved = write_one(&mut tx, &record, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Adds a staff member under a new id the store chooses (`es4`, the
    /// first of its role's word and a number not taken; the id `record`
    /// gives is not used), with the same checks, audit and change as
    /// [`Store::save_staff`]. Gives the record as stored.
    pub async fn add_staff(&self, record: &StaffDoc, actor: &str) -> Result<StaffDoc> {
        let mut tx = self.begin_write().await?;
        let taken: Vec<(String,)> = sqlx::query_as("SELECT id FROM staff")
            .fetch_all(&mut *tx)
            .await?;
        let taken: HashSet<String> = taken.into_iter().map(|(id,)| id).collect();
        let prefix = match record.role.trim() {
            "" => "staff",
            role => role,
        };
        let id = (1..)
            .map(|n| format!("{prefix}{n}"))
            .find(|id| !taken.contains(id))
            .expect("a free id");
        let record = StaffDoc {
            id,
            ..record.clone()
        };
        let saved = write_one(&mut tx, &record, actor).await?;
        tx.commit().await?;
        Ok(saved)
    }
}

/// Writes one staff member through the import's door (the service kept as
/// stored, nothing else in the bundle), and reads it back as stored.
async fn write_one(tx: &mut WriteTx, record: &StaffDoc, actor: &str) -> Result<StaffDoc> {
    let (service, policy) = service::read(tx).await?;
    let doc = BundleDoc {
        format: BUNDLE_FORMAT.into(),
        service,
        policy,
        teams: Vec::new(),
        staff: vec![record.clone()],
        clients: Vec::new(),
        referrals: Vec::new(),
        employer_contacts: Vec::new(),
        fidelity_reviews: Vec::new(),
        referral_versions: Default::default(),
    };
    crate::import::import(tx, &doc, actor).await?;
    read_one(tx, record.id.trim())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("staff {}", record.id.trim())))
}
