//! BAD-1 for the ES's contacts with employers (issue 13): in a bundle, and
//! one at a time as data entry records them.

use std::collections::HashMap;

use super::document::EmployerContactDoc;
use super::errors::BundleErrors;
use super::errors::{Checker, index_ids};
use super::text::{MAX_EMPLOYER_CHARS, TextRule};
use super::vocabulary::EMPLOYER_CONTACT_KINDS;
use crate::model::*;

/// BAD-1 for the employer contacts (issue 13): each with an id, unique; `es`
/// an ES of the bundle; a date; the employer named (at most
/// [`MAX_EMPLOYER_CHARS`]); a kind (`visit`, `call`, `email`); a note as a
/// contact's; `client`, when given, a client of the bundle. Records are named
/// `employer contact <id>`.
pub(super) fn check_employer_contact_docs(
    c: &mut Checker,
    docs: &[EmployerContactDoc],
    staff: &HashMap<&str, u32>,
    clients: &HashMap<&str, u32>,
    is_es: &dyn Fn(u32) -> bool,
) -> Vec<EmployerContact> {
    let _ids = index_ids(
        &mut c.errors,
        "employer contact",
        docs.iter().map(|e| e.id.as_str()),
    );
    let mut checked = Vec::with_capacity(docs.len());
    for e in docs {
        c.record = format!("employer contact {}", e.id.trim());
        let es = match staff.get(e.es.trim()) {
            Some(&at) if is_es(at) => Some(at),
            Some(_) => {
                c.error("es", format!("staff {} is not an ES", e.es));
                None
            }
            None => {
                c.error(
                    "es",
                    format!("es {} is not a staff member of this bundle", e.es),
                );
                None
            }
        };
        let date = c.date("date", &e.date);
        let employer = c.required_text("employer", &e.employer, TextRule::line(MAX_EMPLOYER_CHARS));
        let kind = c.enumeration("kind", &e.kind, &EMPLOYER_CONTACT_KINDS);
        let note = c.note("note", &e.note);
        let client = match e.client.as_deref().map(str::trim) {
            None => Ok(None),
            Some(id) => match clients.get(id) {
                Some(&at) => Ok(Some(at)),
                None => {
                    c.error(
                        "client",
                        format!("client {id} is not a client of this bundle"),
                    );
                    Err(())
                }
            },
        };
        if let (Some(es), Some(date), Some(employer), Some(kind), Ok(note), Ok(client)) =
            (es, date, employer, kind, note, client)
        {
            checked.push(EmployerContact {
                id: e.id.trim().to_string(),
                es: StaffIdx(es),
                date,
                employer,
                kind,
                note,
                client: client.map(ClientIdx),
            });
        }
    }
    checked
}

/// Checks one employer contact on its own (data entry records them one at a
/// time), as in a bundle: `es_role` is the role of the staff member it names
/// (`None`: no such staff member), `client_known` whether the client it names
/// (if any) exists. Gives the contact as it is stored: trimmed, a blank note
/// or client none.
pub fn check_employer_contact(
    doc: &EmployerContactDoc,
    es_role: Option<Role>,
    client_known: bool,
) -> Result<EmployerContactDoc, BundleErrors> {
    let client_id = doc
        .client
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let staff: HashMap<&str, u32> = es_role.map(|_| (doc.es.trim(), 0)).into_iter().collect();
    let clients: HashMap<&str, u32> = client_id
        .filter(|_| client_known)
        .map(|id| (id, 0))
        .into_iter()
        .collect();
    let mut c = Checker {
        errors: Vec::new(),
        record: String::new(),
    };
    let doc = EmployerContactDoc {
        client: client_id.map(str::to_string),
        ..doc.clone()
    };
    let checked = check_employer_contact_docs(
        &mut c,
        std::slice::from_ref(&doc),
        &staff,
        &clients,
        &|_| es_role == Some(Role::Es),
    );
    match checked.first() {
        Some(e) if c.errors.is_empty() => Ok(EmployerContactDoc {
            id: e.id.clone(),
            es: doc.es.trim().to_string(),
            date: e.date.to_string(),
            employer: e.employer.clone(),
            kind: super::vocabulary::name_of(&EMPLOYER_CONTACT_KINDS, e.kind).into(),
            note: e.note.as_deref().map(str::to_string),
            client: client_id.map(str::to_string),
        }),
        _ => Err(BundleErrors(c.errors)),
    }
}
