//! Putting the preview together: rows grouped by the referral they belong to,
//! each referral built and the whole checked (clients, scope), then the
//! result merged over the stored records and checked with every BAD-1 rule,
//! leaving out referrals (and employer contacts) with problems until what is
//! left is clean; and what would be created, updated and skipped counted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ipstrack_core::bundle::{
    BUNDLE_FORMAT, BundleDoc, ClientDoc, EmployerContactDoc, ReferralDoc, removed, validate,
};

use super::employers::EmployerRow;
use super::{Counts, Draft, Preview, Reader, ReplacedReferral, SheetSummary, Skipped};
use crate::spreadsheet::mapping::Table;

impl Reader<'_> {
    pub(super) fn assemble(mut self, summaries: Vec<SheetSummary>) -> Preview {
        // Which child tables the file holds: those replace the referral's lists.
        let present: BTreeSet<Table> = self
            .layouts
            .iter()
            .map(|l| l.table)
            .filter(|t| *t != Table::Caseload && t.of_referral())
            .collect();
        let existing_referrals: HashMap<&str, &ReferralDoc> = self
            .existing
            .referrals
            .iter()
            .map(|r| (r.id.as_str(), r))
            .collect();
        let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut lone_rows: Vec<usize> = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if !self.layouts[row.layout].table.of_referral() {
                continue; // an employer contact: read below
            }
            let Some(key) = &row.key else {
                lone_rows.push(i);
                continue;
            };
            let table = self.layouts[row.layout].table;
            let draft = drafts.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                Draft::default()
            });
            if table == Table::Caseload {
                draft.rows.push(i);
            } else {
                draft.children.entry(table).or_default().push(i);
            }
        }
        // Child rows whose referral is neither in the file nor stored.
        let mut unknown = Vec::new();
        for key in &order {
            let d = &drafts[key];
            if d.rows.is_empty() && !existing_referrals.contains_key(key.as_str()) {
                unknown.push(key.clone());
            }
        }
        for key in unknown {
            let d = drafts.remove(&key).expect("a draft");
            order.retain(|k| *k != key);
            for rows in d.children.values() {
                for &r in rows {
                    let field = if self.layouts[self.rows[r].layout].has("referral") {
                        "referral"
                    } else {
                        "client"
                    };
                    self.row_problem(
                        r,
                        Some(field),
                        &key,
                        format!("there is no referral {key} in the caseload sheet or in ipstrack"),
                    );
                    lone_rows.push(r);
                }
            }
        }

        let mut referrals: Vec<(ReferralDoc, Option<ClientDoc>)> = Vec::new();
        for key in &order {
            let draft = &drafts[key];
            let base = existing_referrals.get(key.as_str()).copied();
            if let Some(built) = self.build(key, draft, base, &present) {
                referrals.push(built);
            }
        }
        self.check_clients(&mut referrals, &drafts);
        self.check_scope(&referrals, &existing_referrals, &drafts);
        let file_clients: HashSet<String> = referrals
            .iter()
            .filter_map(|(_, c)| c.as_ref().map(|c| c.id.clone()))
            .collect();
        let contacts = self.employer_contacts(&file_clients);
        let mut bad_contacts: BTreeSet<usize> = BTreeSet::new();

        // Check the whole result with every BAD-1 rule; leave out referrals
        // with problems until what is left is clean.
        let mut bad: BTreeSet<String> = self
            .problems
            .iter()
            .filter_map(|p| p.referral.clone())
            .collect();
        // Errors the file does not explain are listed once, on the first check.
        let mut first_check = true;
        let bundle = loop {
            let candidate = self.bundle(&referrals, &bad, &contacts, &bad_contacts);
            let merged = merge(self.existing, &candidate);
            match validate(&merged) {
                Ok(_) => break candidate,
                Err(errors) => {
                    let before = (bad.len(), bad_contacts.len());
                    for e in errors.0 {
                        if let Some(at) = self.place_employer_contact_error(&e, &contacts) {
                            bad_contacts.insert(at);
                            continue;
                        }
                        let referral = self.place_error(&e, &drafts, &referrals, first_check);
                        if let Some(r) = referral {
                            bad.insert(r);
                        }
                    }
                    first_check = false;
                    if (bad.len(), bad_contacts.len()) == before {
                        // Errors that no record of the file explains: nothing is written.
                        let mut empty = candidate;
                        empty.clients.clear();
                        empty.referrals.clear();
                        empty.employer_contacts.clear();
                        bad.extend(order.iter().cloned());
                        bad_contacts.extend(0..contacts.len());
                        break empty;
                    }
                }
            }
        };
        self.problems.sort();
        self.problems.dedup();

        let existing_clients: HashMap<&str, &ClientDoc> = self
            .existing
            .clients
            .iter()
            .map(|c| (c.id.as_str(), c))
            .collect();
        let mut preview_counts = (Counts::default(), Counts::default());
        let (mut created, mut updated) = (Vec::new(), Vec::new());
        let mut replaced = Vec::new();
        let mut counted_clients = BTreeSet::new();
        for (r, client) in &referrals {
            if bad.contains(&r.id) {
                continue;
            }
            match existing_referrals.get(r.id.as_str()) {
                None => {
                    preview_counts.0.create += 1;
                    created.push(r.id.clone());
                }
                Some(old) if normalised(old) == normalised(r) => preview_counts.0.unchanged += 1,
                Some(old) => {
                    preview_counts.0.update += 1;
                    updated.push(r.id.clone());
                    replaced.push(ReplacedReferral {
                        referral: r.id.clone(),
                        client: old.client.clone(),
                        removed: removed(&normalised(old), &normalised(r)),
                    });
                }
            }
            if let Some(c) = client
                .as_ref()
                .filter(|c| counted_clients.insert(c.id.clone()))
            {
                match existing_clients.get(c.id.as_str()) {
                    None => preview_counts.1.create += 1,
                    Some(old) if *old == c => preview_counts.1.unchanged += 1,
                    Some(_) => preview_counts.1.update += 1,
                }
            }
        }
        let mut skipped: Vec<Skipped> = bad
            .iter()
            .filter_map(|id| {
                let d = drafts.get(id)?;
                let mut rows: Vec<(String, u32)> = d
                    .rows
                    .iter()
                    .chain(d.children.values().flatten())
                    .map(|&r| (self.sheet_of(r), self.rows[r].number))
                    .collect();
                rows.sort();
                Some(Skipped {
                    referral: Some(id.clone()),
                    rows,
                })
            })
            .collect();
        // Employer contacts left out: rows with problems, and those the
        // checks of the whole refused.
        let mut contacts_left_out: BTreeSet<usize> =
            self.employer_contact_rows_left_out().into_iter().collect();
        contacts_left_out.extend(bad_contacts.iter().map(|&i| contacts[i].row));
        for &r in lone_rows.iter().chain(&contacts_left_out) {
            skipped.push(Skipped {
                referral: None,
                rows: vec![(self.sheet_of(r), self.rows[r].number)],
            });
        }
        let stored_contacts: HashMap<&str, &EmployerContactDoc> = self
            .existing
            .employer_contacts
            .iter()
            .map(|e| (e.id.as_str(), e))
            .collect();
        let mut contact_counts = Counts::default();
        for (i, c) in contacts.iter().enumerate() {
            if bad_contacts.contains(&i) {
                continue;
            }
            match stored_contacts.get(c.doc.id.as_str()) {
                None => contact_counts.create += 1,
                Some(old) if **old == c.doc => contact_counts.unchanged += 1,
                Some(_) => contact_counts.update += 1,
            }
        }
        let referrals: Vec<ReferralDoc> = bundle
            .referrals
            .into_iter()
            .filter(|r| {
                existing_referrals
                    .get(r.id.as_str())
                    .is_none_or(|old| normalised(old) != normalised(r))
            })
            .collect();
        // The version of each stored referral the records to write were
        // built on: the import refuses one changed since (issue 20).
        let referral_versions = referrals
            .iter()
            .filter_map(|r| {
                let version = self.existing.referral_versions.get(&r.id)?;
                Some((r.id.clone(), *version))
            })
            .collect();
        Preview {
            sheets: summaries,
            problems: self.problems,
            referrals: preview_counts.0,
            clients: preview_counts.1,
            employer_contacts: contact_counts,
            created,
            updated,
            replaced,
            skipped,
            out_of_scope: self.out_of_scope.into_iter().collect(),
            bundle: BundleDoc {
                referrals,
                referral_versions,
                clients: bundle
                    .clients
                    .into_iter()
                    .filter(|c| existing_clients.get(c.id.as_str()) != Some(&c))
                    .collect(),
                employer_contacts: bundle
                    .employer_contacts
                    .into_iter()
                    .filter(|e| stored_contacts.get(e.id.as_str()) != Some(&e))
                    .collect(),
                ..bundle
            },
        }
    }

    /// The records to write, leaving out the referrals in `bad` (and clients
    /// only they would create) and the employer contacts in `bad_contacts`.
    fn bundle(
        &self,
        referrals: &[(ReferralDoc, Option<ClientDoc>)],
        bad: &BTreeSet<String>,
        contacts: &[EmployerRow],
        bad_contacts: &BTreeSet<usize>,
    ) -> BundleDoc {
        let mut clients: BTreeMap<String, ClientDoc> = BTreeMap::new();
        let mut docs = Vec::new();
        for (r, c) in referrals {
            if bad.contains(&r.id) {
                continue;
            }
            if let Some(c) = c {
                clients.entry(c.id.clone()).or_insert_with(|| c.clone());
            }
            docs.push(r.clone());
        }
        BundleDoc {
            format: BUNDLE_FORMAT.to_string(),
            service: self.existing.service.clone(),
            policy: self.existing.policy.clone(),
            teams: Vec::new(),
            staff: Vec::new(),
            clients: clients.into_values().collect(),
            referrals: docs,
            employer_contacts: contacts
                .iter()
                .enumerate()
                .filter(|(i, _)| !bad_contacts.contains(i))
                .map(|(_, c)| c.doc.clone())
                .collect(),
            fidelity_reviews: Vec::new(),
            referral_versions: Default::default(),
        }
    }
}

/// The stored records with the incoming ones put over them (same id replaced).
fn merge(existing: &BundleDoc, incoming: &BundleDoc) -> BundleDoc {
    let mut doc = existing.clone();
    let client_at: HashMap<String, usize> = doc
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for c in &incoming.clients {
        match client_at.get(&c.id) {
            Some(&i) => doc.clients[i] = c.clone(),
            None => doc.clients.push(c.clone()),
        }
    }
    let referral_at: HashMap<String, usize> = doc
        .referrals
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), i))
        .collect();
    for r in &incoming.referrals {
        match referral_at.get(&r.id) {
            Some(&i) => doc.referrals[i] = r.clone(),
            None => doc.referrals.push(r.clone()),
        }
    }
    let contact_at: HashMap<String, usize> = doc
        .employer_contacts
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    for e in &incoming.employer_contacts {
        match contact_at.get(&e.id) {
            Some(&i) => doc.employer_contacts[i] = e.clone(),
            None => doc.employer_contacts.push(e.clone()),
        }
    }
    doc
}

/// A referral as the store keeps it: absent lists empty, `retained` false.
fn normalised(r: &ReferralDoc) -> ReferralDoc {
    let mut r = r.clone();
    r.fill_absent();
    r
}
