//! A validated bundle ([`Loaded`]): the dataset, its BAD-2 warnings and its
//! referrals and clients by id; and a new version of it with one referral
//! put in (data entry), checked as in a bundle.

use std::collections::HashMap;
use std::sync::Arc;

use super::document::{ClientDoc, EmployerContactDoc, FidelityReviewDoc, ReferralDoc};
use super::errors::BundleErrors;
use super::errors::Checker;
use super::referral_check::check_referral;
use super::warnings::{Warning, referral_warnings};
use crate::model::*;

/// A validated bundle: the dataset and its data-quality warnings (sorted).
#[derive(Clone, Debug)]
pub struct Loaded {
    pub dataset: Dataset,
    pub warnings: Vec<Warning>,
    /// Referrals and clients by id, shared between versions of the data
    /// until one is added.
    ids: Arc<Ids>,
}

/// Positions of referrals and clients by id.
#[derive(Clone, Debug, Default)]
struct Ids {
    referrals: HashMap<String, usize>,
    clients: HashMap<String, usize>,
}

impl Ids {
    fn of(dataset: &Dataset) -> Ids {
        Ids {
            referrals: dataset
                .referrals
                .iter()
                .enumerate()
                .map(|(at, r)| (r.id.clone(), at))
                .collect(),
            clients: dataset
                .clients
                .iter()
                .enumerate()
                .map(|(at, c)| (c.id.clone(), at))
                .collect(),
        }
    }
}

impl Loaded {
    /// A validated dataset with its warnings, its referrals and clients
    /// indexed by id.
    pub(super) fn new(dataset: Dataset, warnings: Vec<Warning>) -> Loaded {
        let ids = Arc::new(Ids::of(&dataset));
        Loaded {
            dataset,
            warnings,
            ids,
        }
    }

    /// A new version of the data with one referral put in — replacing the
    /// referral with its id, or added at the end — and its client added when
    /// `client` is new, sharing every other referral and client with `self`.
    /// The referral is checked (BAD-1) against this dataset's clients and
    /// staff as in a bundle, and its warnings (BAD-2) replace its old ones.
    pub fn with_referral(
        &self,
        client: Option<&ClientDoc>,
        doc: &ReferralDoc,
        version: i64,
    ) -> Result<Loaded, BundleErrors> {
        let mut dataset = self.dataset.clone();
        let mut ids = self.ids.clone();
        if let Some(cl) = client {
            let record = super::person::checked_client(cl, &dataset.clients)?;
            let clients = Arc::make_mut(&mut dataset.clients);
            match ids.clients.get(&cl.id) {
                Some(&at) => clients[at] = record,
                None => {
                    Arc::make_mut(&mut ids)
                        .clients
                        .insert(cl.id.clone(), clients.len());
                    clients.push(record);
                }
            }
        }
        let client_index: HashMap<&str, u32> = ids
            .clients
            .get(&doc.client)
            .map(|&at| (doc.client.as_str(), at as u32))
            .into_iter()
            .collect();
        let staff_index: HashMap<&str, u32> = dataset
            .staff
            .iter()
            .enumerate()
            .map(|(at, s)| (s.id.as_str(), at as u32))
            .collect();
        let is_es = |idx: u32| dataset.staff[idx as usize].role == Role::Es;
        let mut c = Checker {
            errors: Vec::new(),
            record: format!("referral {}", doc.id),
        };
        let checked = check_referral(&mut c, doc, &client_index, &staff_index, &is_es);
        let mut referral = match checked {
            Some(r) if c.errors.is_empty() => r,
            _ => return Err(BundleErrors(c.errors)),
        };
        referral.version = version;
        let mut warnings: Vec<Warning> = self
            .warnings
            .iter()
            .filter(|w| {
                w.record != doc.id
                    && !w
                        .record
                        .strip_prefix(doc.id.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .cloned()
            .collect();
        if referral.is_counted() {
            warnings.extend(referral_warnings(&referral));
        }
        warnings.sort();
        let referral = Arc::new(referral);
        let clients = Arc::make_mut(&mut dataset.referral_clients);
        match ids.referrals.get(&doc.id) {
            Some(&at) => {
                clients[at] = referral.client;
                dataset.referrals[at] = referral;
            }
            None => {
                clients.push(referral.client);
                Arc::make_mut(&mut ids)
                    .referrals
                    .insert(doc.id.clone(), dataset.referrals.len());
                dataset.referrals.push(referral);
            }
        }
        Ok(Loaded {
            dataset,
            warnings,
            ids,
        })
    }

    /// A new version of the data with these employer contacts in place of
    /// the old ones (after an employer contact was recorded, changed or
    /// removed), checked (BAD-1) as in a bundle; everything else shared.
    pub fn with_employer_contacts(
        &self,
        docs: &[EmployerContactDoc],
    ) -> Result<Loaded, BundleErrors> {
        let staff: HashMap<&str, u32> = self
            .dataset
            .staff
            .iter()
            .enumerate()
            .map(|(at, s)| (s.id.as_str(), at as u32))
            .collect();
        let clients: HashMap<&str, u32> = docs
            .iter()
            .filter_map(|e| e.client.as_deref())
            .filter_map(|id| Some((id, self.client_index(id)? as u32)))
            .collect();
        let is_es = |idx: u32| self.dataset.staff[idx as usize].role == Role::Es;
        let mut c = Checker {
            errors: Vec::new(),
            record: String::new(),
        };
        let checked = super::employer_contacts::check_employer_contact_docs(
            &mut c, docs, &staff, &clients, &is_es,
        );
        if !c.errors.is_empty() {
            return Err(BundleErrors(c.errors));
        }
        let mut next = self.clone();
        next.dataset.employer_contacts = Arc::new(checked);
        Ok(next)
    }

    /// A new version of the data with these fidelity reviews in place of
    /// the old ones (after a review was recorded or changed), checked as in
    /// a bundle; everything else shared.
    pub fn with_fidelity_reviews(
        &self,
        docs: &[FidelityReviewDoc],
    ) -> Result<Loaded, BundleErrors> {
        let teams: HashMap<&str, u32> = self
            .dataset
            .teams
            .iter()
            .enumerate()
            .map(|(at, t)| (t.id.as_str(), at as u32))
            .collect();
        let mut c = Checker {
            errors: Vec::new(),
            record: String::new(),
        };
        let checked =
            super::fidelity_review::check_fidelity_review_docs(&mut c, docs, &teams, None);
        if !c.errors.is_empty() {
            return Err(BundleErrors(c.errors));
        }
        let mut next = self.clone();
        next.dataset.fidelity_reviews = Arc::new(checked);
        Ok(next)
    }

    /// The position of the referral with this id in `dataset.referrals`.
    pub fn referral_index(&self, id: &str) -> Option<usize> {
        self.ids.referrals.get(id).copied()
    }

    /// The position of the client with this id in `dataset.clients`.
    pub fn client_index(&self, id: &str) -> Option<usize> {
        self.ids.clients.get(id).copied()
    }
}
