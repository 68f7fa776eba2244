//! Rows into the ES's employer contacts. Each row is its own record (they
//! belong to an ES, not to a referral): named by its "Employer contact ID",
//! or without one by the stored contact it matches exactly (same ES, date,
//! employer and kind) so that a sheet exported and imported again creates
//! nothing, else by the next free `ec<n>`. The client a row names must be
//! stored or in the file; a team lead's rows must be their team's
//! specialists'. A row with a problem is left out on its own.

use std::collections::{HashMap, HashSet};

use ipstrack_core::bundle::{BundleError, EmployerContactDoc};
use ipstrack_core::model::OutOfScope;

use super::Reader;
use super::checks::outside_scope;
use crate::spreadsheet::mapping::Table;

const T: Table = Table::EmployerContacts;

/// An employer contact as the file gives it, and the row it came from (its
/// index in `Reader::rows`).
pub(super) struct EmployerRow {
    pub row: usize,
    pub doc: EmployerContactDoc,
}

/// A required field as people read it, for messages.
fn missing(field: &str) -> &'static str {
    match field {
        "es" => "no employment specialist",
        "date" => "no employer contact date",
        "employer" => "no employer",
        "kind" => "no employer contact type",
        _ => "a required cell is blank",
    }
}

impl Reader<'_> {
    /// A problem on one employer contact row.
    fn contact_problem(&mut self, row: usize, field: Option<&str>, message: String) {
        let (layout, number) = (self.rows[row].layout, self.rows[row].number);
        self.problem(layout, number, field, message);
    }

    fn row_has_problem(&self, row: usize) -> bool {
        let number = self.rows[row].number;
        self.rows_with_problems
            .contains(&(self.sheet_of(row), number))
    }

    /// The employer contact rows of the file (indices in `Reader::rows`).
    pub(super) fn employer_contact_rows(&self) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|&r| self.layouts[self.rows[r].layout].table == T)
            .collect()
    }

    /// The file's employer contacts, rows with problems left out (with their
    /// problems named); `file_clients` are the clients the file's referrals
    /// give.
    pub(super) fn employer_contacts(&mut self, file_clients: &HashSet<String>) -> Vec<EmployerRow> {
        let rows = self.employer_contact_rows();
        if rows.is_empty() {
            return Vec::new();
        }
        let existing = self.existing;
        let stored: HashMap<&str, &EmployerContactDoc> = existing
            .employer_contacts
            .iter()
            .map(|e| (e.id.as_str(), e))
            .collect();
        // The ids the file gives, each on one row only.
        let mut given: HashMap<String, usize> = HashMap::new();
        for &r in &rows {
            let Some(id) = self.rows[r].text(T, "id") else {
                continue;
            };
            match given.get(&id) {
                Some(&first) => {
                    let message = format!(
                        "employer contact {id} is on row {} too",
                        self.rows[first].number
                    );
                    self.contact_problem(r, Some("id"), message);
                }
                None => {
                    given.insert(id, r);
                }
            }
        }
        // Ids no new contact may take, and stored contacts a row without an
        // id may no longer match.
        let mut taken: HashSet<String> = stored.keys().map(|id| id.to_string()).collect();
        taken.extend(given.keys().cloned());
        let mut claimed: HashSet<&str> = given
            .keys()
            .filter_map(|id| stored.get_key_value(id.as_str()).map(|(k, _)| *k))
            .collect();
        let mut next = existing.employer_contacts.len() + 1;

        let mut out = Vec::new();
        for r in rows {
            if self.row_has_problem(r) {
                continue;
            }
            let [id, es, date, employer, kind, note, client] =
                ["id", "es", "date", "employer", "kind", "note", "client"]
                    .map(|f| self.rows[r].text(T, f));
            let (Some(es), Some(date), Some(employer), Some(kind)) = (es, date, employer, kind)
            else {
                let row = &self.rows[r];
                let field = ["es", "date", "employer", "kind"]
                    .into_iter()
                    .find(|f| row.get(T, f).is_none())
                    .unwrap_or("es");
                self.contact_problem(r, Some(field), missing(field).into());
                continue;
            };
            if !self.contact_in_scope(r, id.as_deref(), &es, client.as_deref(), &stored) {
                continue;
            }
            if let Some(c) = &client
                && !self.stored_clients.contains_key(c.as_str())
                && !file_clients.contains(c)
            {
                let message =
                    format!("there is no client {c} in the caseload sheet or in ipstrack");
                self.contact_problem(r, Some("client"), message);
                continue;
            }
            let id = id.unwrap_or_else(|| {
                let same = existing.employer_contacts.iter().find(|e| {
                    !claimed.contains(e.id.as_str())
                        && e.es == es
                        && e.date == date
                        && e.employer.trim() == employer
                        && e.kind == kind
                });
                if let Some(e) = same {
                    claimed.insert(e.id.as_str());
                    return e.id.clone();
                }
                loop {
                    let id = format!("ec{next}");
                    next += 1;
                    if taken.insert(id.clone()) {
                        break id;
                    }
                }
            });
            // The stored contact as it is, but for the columns the sheet has.
            let layout = &self.layouts[self.rows[r].layout];
            let mut doc = stored
                .get(id.as_str())
                .map(|e| (*e).clone())
                .unwrap_or_default();
            doc.id = id;
            doc.es = es;
            doc.date = date;
            doc.employer = employer;
            doc.kind = kind;
            if layout.has("note") {
                doc.note = note;
            }
            if layout.has("client") {
                doc.client = client;
            }
            out.push(EmployerRow { row: r, doc });
        }
        out
    }

    /// A team lead may import only employer contacts of their own team's
    /// specialists, for clients of their own team (or none). A row that
    /// matches a stored contact or client outside the scope is a problem
    /// whose message does not confirm the record; the match is kept for the
    /// audit log.
    fn contact_in_scope(
        &mut self,
        r: usize,
        id: Option<&str>,
        es: &str,
        client: Option<&str>,
        stored: &HashMap<&str, &EmployerContactDoc>,
    ) -> bool {
        let Some(team) = self.options.team.clone() else {
            return true;
        };
        let existing = self.existing;
        let in_team = |es: &str| existing.staff.iter().any(|s| s.id == es && s.team == team);
        let problem = if let Some(id) = id
            && stored.get(id).is_some_and(|old| !in_team(&old.es))
        {
            self.out_of_scope.insert(OutOfScope {
                record_type: "employer_contact",
                record_id: id.to_string(),
                matched_by: "id",
            });
            Some(("id", outside_scope(&format!("employer contact id {id}"))))
        } else if !in_team(es) {
            Some((
                "es",
                format!("names specialist {es}, who is not in your team ({team})"),
            ))
        } else if let Some(c) = client
            && self.stored_clients.contains_key(c)
            && !self.client_in_scope(c)
        {
            self.out_of_scope.insert(OutOfScope {
                record_type: "client",
                record_id: c.to_string(),
                matched_by: "id",
            });
            Some(("client", outside_scope(&format!("client id {c}"))))
        } else {
            None
        };
        match problem {
            Some((field, message)) => {
                self.contact_problem(r, Some(field), message);
                false
            }
            None => true,
        }
    }

    /// Names the sheet, row and column of a BAD-1 error of one of the file's
    /// employer contacts; returns its index in `contacts` (to be left out),
    /// or `None` when the error is not about one of them.
    pub(super) fn place_employer_contact_error(
        &mut self,
        e: &BundleError,
        contacts: &[EmployerRow],
    ) -> Option<usize> {
        let id = e.record.strip_prefix("employer contact ")?;
        let at = contacts.iter().position(|c| c.doc.id == id)?;
        let field = T.fields().iter().map(|f| f.name).find(|f| *f == e.field);
        self.contact_problem(contacts[at].row, field, e.message.clone());
        Some(at)
    }

    /// The employer contact rows left out: those with a problem.
    pub(super) fn employer_contact_rows_left_out(&self) -> Vec<usize> {
        self.employer_contact_rows()
            .into_iter()
            .filter(|&r| self.row_has_problem(r))
            .collect()
    }
}
