//! Checks of the import as a whole that no single row shows: one client id
//! with two NHS numbers (or two values of any of its fields) or one NHS number
//! for two clients, and a team lead's scope (only referrals of their own
//! team's specialists, for clients of their own team or new ones). A match
//! outside the scope is refused with a message that does not confirm the
//! record, and kept for the audit log — but for an NHS number, whose new
//! client is kept as a possible duplicate of the other team's (issue 21).

use std::collections::{BTreeMap, HashMap, HashSet};

use ipstrack_core::bundle::{ClientDoc, ReferralDoc};
use ipstrack_core::model::OutOfScope;

use super::{CLIENT_FIELDS, Draft, Reader, client_field, client_field_label, client_value};

/// The message for a row that matches a record outside the team lead's
/// scope: it says what to do without confirming that the record exists.
pub(super) fn outside_scope(what: &str) -> String {
    format!(
        "{what} cannot be used in your import: check it, or ask a manager if this person is already known to the service"
    )
}

impl Reader<'_> {
    /// One client as the file gives it, and one NHS number for one client.
    ///
    /// A client of several referrals takes each field from the first referral
    /// whose rows have its column, and every one of its referrals carries that
    /// client; another referral that says otherwise (one client id with two
    /// NHS numbers, two dates of birth…) is a problem on its row. Referrals
    /// with problems already are left out of this (they are not written).
    /// Then no NHS number may belong to two clients.
    pub(super) fn check_clients(
        &mut self,
        referrals: &mut [(ReferralDoc, Option<ClientDoc>)],
        drafts: &BTreeMap<String, Draft>,
    ) {
        let with_problems: HashSet<String> = self
            .problems
            .iter()
            .filter_map(|p| p.referral.clone())
            .collect();
        // Client id → the client as merged, and which referral gave each field.
        let mut merged: HashMap<String, (ClientDoc, BTreeMap<&str, String>)> = HashMap::new();
        let mut found = Vec::new();
        for (r, client) in referrals.iter() {
            let Some(c) = client else { continue };
            let Some(d) = drafts.get(&r.id) else { continue };
            let Some(&row) = d.rows.first() else { continue };
            if with_problems.contains(&r.id) {
                continue;
            }
            let (m, given_by) = merged
                .entry(c.id.clone())
                .or_insert_with(|| (c.clone(), BTreeMap::new()));
            for field in CLIENT_FIELDS {
                let has = d
                    .rows
                    .iter()
                    .any(|&i| self.layouts[self.rows[i].layout].has(field));
                if !has {
                    continue;
                }
                let value = client_value(c, field);
                match given_by.get(field) {
                    None => {
                        *client_field(m, field) = value;
                        given_by.insert(field, r.id.clone());
                    }
                    Some(other) if client_value(m, field) != value => {
                        let message = if field == "nhs_number" {
                            format!(
                                "duplicate client: client {} has a different NHS number in referral {other}",
                                c.id
                            )
                        } else {
                            format!(
                                "client {} has a different {} in referral {other}",
                                c.id,
                                client_field_label(field)
                            )
                        };
                        found.push((row, field, r.id.clone(), message));
                    }
                    Some(_) => {}
                }
            }
        }
        for (r, client) in referrals.iter_mut() {
            if let Some(c) = client
                && !with_problems.contains(&r.id)
                && let Some((m, _)) = merged.get(&c.id)
            {
                *c = m.clone();
            }
        }

        let mut by_nhs: HashMap<String, String> = self
            .existing
            .clients
            .iter()
            // A number's first client, not one kept as its possible duplicate.
            .filter(|c| c.possible_duplicate_of.is_none())
            .filter_map(|c| Some((c.nhs_number.clone()?, c.id.clone())))
            .collect();
        for (r, client) in referrals.iter_mut() {
            let Some(c) = client else { continue };
            let Some(&row) = drafts.get(&r.id).and_then(|d| d.rows.first()) else {
                continue;
            };
            // Set here only, never read from the file (issue 21).
            c.possible_duplicate_of = None;
            if let Some(nhs) = c.nhs_number.clone() {
                match by_nhs.get(&nhs) {
                    // Another team's client: never told. This client is kept
                    // as a possible duplicate of it, for a manager to merge,
                    // and the match audited (issue 21).
                    Some(other) if *other != c.id && !self.client_in_scope(other) => {
                        self.out_of_scope.insert(OutOfScope {
                            record_type: "client",
                            record_id: other.clone(),
                            matched_by: "nhs_number",
                        });
                        c.possible_duplicate_of = Some(other.clone());
                    }
                    Some(other) if *other != c.id => found.push((
                        row,
                        "nhs_number",
                        r.id.clone(),
                        format!(
                            "duplicate client: this NHS number is already client {other}'s; use one client id for one person"
                        ),
                    )),
                    Some(_) => {}
                    None => {
                        by_nhs.insert(nhs, c.id.clone());
                    }
                }
            }
        }
        for (row, field, referral, message) in found {
            self.row_problem(row, Some(field), &referral, message);
        }
    }

    /// Whether a stored client is within the importing user's scope: for a
    /// team lead, a client whose every stored referral is their team's (a
    /// client with none is a manager's to change); for others, every client.
    pub(super) fn client_in_scope(&self, client: &str) -> bool {
        self.options.team.is_none() || self.client_scope.get(client) == Some(&true)
    }

    /// The first specialist of a referral who is not in the team (or why it
    /// has none of the team's).
    pub(super) fn outside_team(&self, r: &ReferralDoc, team: &str) -> Option<String> {
        let mut specialists: Vec<&str> = r.es.iter().map(String::as_str).collect();
        specialists.extend(r.transfers.iter().flatten().map(|t| t.es.as_str()));
        if specialists.is_empty() {
            return Some("has no employment specialist of your team".into());
        }
        specialists
            .into_iter()
            .find(|es| {
                !self
                    .existing
                    .staff
                    .iter()
                    .any(|s| s.id == **es && s.team == team)
            })
            .map(|es| format!("names specialist {es}, who is not in your team ({team})"))
    }

    /// A team lead may import only referrals of their own team's specialists,
    /// for clients of their own team or new ones. A row that matches a stored
    /// referral or client of another team is a problem whose message does not
    /// confirm the record; the match is kept for the audit log.
    pub(super) fn check_scope(
        &mut self,
        referrals: &[(ReferralDoc, Option<ClientDoc>)],
        existing: &HashMap<&str, &ReferralDoc>,
        drafts: &BTreeMap<String, Draft>,
    ) {
        let Some(team) = self.options.team.clone() else {
            return;
        };
        let mut found = Vec::new();
        let mut matched = Vec::new();
        for (r, _) in referrals {
            let why = if existing
                .get(r.id.as_str())
                .is_some_and(|old| self.outside_team(old, &team).is_some())
            {
                matched.push(("referral", r.id.clone()));
                Some(("es", outside_scope(&format!("referral id {}", r.id))))
            } else if self.stored_clients.contains_key(r.client.as_str())
                && !self.client_in_scope(&r.client)
            {
                matched.push(("client", r.client.clone()));
                Some(("client", outside_scope(&format!("client id {}", r.client))))
            } else {
                self.outside_team(r, &team)
                    .map(|w| ("es", format!("referral {} {w}", r.id)))
            };
            if let Some((field, message)) = why {
                let d = &drafts[&r.id];
                let row = d
                    .rows
                    .first()
                    .or_else(|| d.children.values().flatten().next())
                    .copied();
                if let Some(row) = row {
                    found.push((row, field, r.id.clone(), message));
                }
            }
        }
        for (record_type, record_id) in matched {
            self.out_of_scope.insert(OutOfScope {
                record_type,
                record_id,
                matched_by: "id",
            });
        }
        for (row, field, referral, message) in found {
            self.row_problem(row, Some(field), &referral, message);
        }
    }
}
