//! Who a client is (formats.md `clients[]`, revision 2): the identity fields,
//! their checks (BAD-1: a malformed value is refused, naming the client and
//! the field) and the NHS Data Dictionary codes of gender and ethnic
//! category, with the words people read for each.

use std::collections::HashMap;

use super::document::ClientDoc;
use super::errors::BundleErrors;
use super::errors::Checker;
use super::limits;
use super::text::TextRule;
use crate::model::{Client, nhs_number_is_valid};

/// Person stated gender codes (NHS Data Dictionary), as the MHSDS MPI table
/// records them.
pub const GENDERS: [(&str, &str); 4] = [
    ("1", "Male"),
    ("2", "Female"),
    (
        "9",
        "Indeterminate (unable to be classified as either male or female)",
    ),
    ("X", "Not known"),
];

/// Ethnic category codes (NHS Data Dictionary, 2001 census categories).
pub const ETHNIC_CATEGORIES: [(&str, &str); 18] = [
    ("A", "White: British"),
    ("B", "White: Irish"),
    ("C", "White: any other White background"),
    ("D", "Mixed: White and Black Caribbean"),
    ("E", "Mixed: White and Black African"),
    ("F", "Mixed: White and Asian"),
    ("G", "Mixed: any other mixed background"),
    ("H", "Asian or Asian British: Indian"),
    ("J", "Asian or Asian British: Pakistani"),
    ("K", "Asian or Asian British: Bangladeshi"),
    ("L", "Asian or Asian British: any other Asian background"),
    ("M", "Black or Black British: Caribbean"),
    ("N", "Black or Black British: African"),
    ("P", "Black or Black British: any other Black background"),
    ("R", "Other ethnic groups: Chinese"),
    ("S", "Other ethnic groups: any other ethnic group"),
    ("Z", "Not stated"),
    ("99", "Not known"),
];

/// The longest name part and phone number kept ([`limits`]).
pub const MAX_NAME_CHARS: usize = limits::NAME_CHARS;
pub const MAX_PHONE_CHARS: usize = limits::PHONE_CHARS;

/// An NHS number as kept: its ten digits, without the spaces people write
/// between its groups (`943 476 5919`), so that one number is one key
/// whichever way it was typed.
pub fn nhs_number_as_kept(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A postcode as kept: capitals, one space before the inward code (`LS1 4AP`).
fn postcode_as_kept(text: &str) -> String {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let (outward, inward) = compact.split_at(compact.len() - 3);
    format!("{outward} {inward}")
}

/// The words people read for a code of `codes` (the code itself if unknown).
pub fn code_words<'a>(codes: &[(&'a str, &'a str)], code: &'a str) -> &'a str {
    codes
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, words)| *words)
}

/// A UK postcode: outward code (area letters, district digits) and inward
/// code (a digit and two letters), e.g. `LS1 4AP`, `SW1A 1AA`.
pub fn postcode_is_valid(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| *c != ' ').collect();
    let b = compact.as_bytes();
    if !(5..=7).contains(&b.len()) || !compact.is_ascii() {
        return false;
    }
    let (outward, inward) = compact.split_at(b.len() - 3);
    let inward = inward.as_bytes();
    let inward_ok = inward[0].is_ascii_digit()
        && inward[1].is_ascii_alphabetic()
        && inward[2].is_ascii_alphabetic();
    let o = outward.as_bytes();
    let letters = o.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let outward_ok = (1..=2).contains(&letters)
        && o.len() > letters
        && o[letters].is_ascii_digit()
        && o[letters + 1..].iter().all(|c| c.is_ascii_alphanumeric())
        && o.len() - letters <= 2;
    inward_ok && outward_ok
}

/// Text a person typed, as every door stores it ([`read_text`]): trimmed,
/// one line of at most `max` characters with something visible in it.
fn text_field(c: &mut Checker, field: &str, value: &Option<String>, max: usize) -> Option<String> {
    c.text(field, value.as_deref(), TextRule::line(max))
        .ok()
        .flatten()
}

/// A code of `codes`, or an error listing them.
fn code_field(
    c: &mut Checker,
    field: &str,
    value: &Option<String>,
    codes: &[(&str, &str)],
) -> Option<String> {
    let code = value.as_deref()?.trim();
    if code.is_empty() {
        return None;
    }
    if codes.iter().any(|(k, _)| *k == code) {
        Some(code.to_string())
    } else {
        let all: Vec<&str> = codes.iter().map(|(k, _)| *k).collect();
        c.error(
            field,
            format!("{field} `{code}` is not one of: {}", all.join(", ")),
        );
        None
    }
}

/// One client checked (BAD-1): a valid NHS number (10 digits, check digit),
/// names and phone of bounded plain text, a date of birth that is a date, a
/// UK postcode, known gender and ethnic category codes.
pub(super) fn check_client(c: &mut Checker, doc: &ClientDoc) -> Option<Client> {
    c.record = format!("client {}", doc.id.trim());
    let before = c.errors.len();
    let nhs_number = match doc.nhs_number.as_deref().map(nhs_number_as_kept).as_deref() {
        None | Some("") => None,
        Some(n) if nhs_number_is_valid(n) => Some(n.to_string()),
        Some(n) => {
            c.error(
                "nhs_number",
                format!(
                    "nhs_number `{n}` is not a valid NHS number (10 digits with its check digit)"
                ),
            );
            None
        }
    };
    let given_name = text_field(c, "given_name", &doc.given_name, MAX_NAME_CHARS);
    let family_name = text_field(c, "family_name", &doc.family_name, MAX_NAME_CHARS);
    let date_of_birth = c.opt_date("date_of_birth", &doc.date_of_birth);
    let phone = text_field(c, "phone", &doc.phone, MAX_PHONE_CHARS);
    if let Some(p) = &phone
        && !p
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +()-".contains(ch))
    {
        c.error(
            "phone",
            "phone holds characters other than digits, spaces, + ( ) -",
        );
    }
    let postcode = match doc.postcode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) if postcode_is_valid(p) => Some(postcode_as_kept(p)),
        Some(p) => {
            c.error("postcode", format!("postcode `{p}` is not a UK postcode"));
            None
        }
    };
    let gender = code_field(c, "gender", &doc.gender, &GENDERS);
    let ethnic_category = code_field(
        c,
        "ethnic_category",
        &doc.ethnic_category,
        &ETHNIC_CATEGORIES,
    );
    let possible_duplicate_of = match doc.possible_duplicate_of.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(other) if other == doc.id.trim() => {
            c.error(
                "possible_duplicate_of",
                "possible_duplicate_of names the client itself",
            );
            None
        }
        Some(other) if nhs_number.is_none() => {
            c.error(
                "possible_duplicate_of",
                format!(
                    "possible_duplicate_of names client {other}, but this client has no NHS number"
                ),
            );
            None
        }
        Some(other) => c
            .text(
                "possible_duplicate_of",
                Some(other),
                TextRule::line(limits::ID_CHARS),
            )
            .ok()
            .flatten(),
    };
    (c.errors.len() == before).then(|| Client {
        id: doc.id.trim().to_string(),
        nhs_number,
        given_name,
        family_name,
        date_of_birth,
        phone,
        postcode,
        gender,
        ethnic_category,
        possible_duplicate_of,
    })
}

/// Every client checked, and no NHS number on two clients (the same person
/// is one client) — but for a client entered as a possible duplicate of the
/// other (issue 21), which must name a client that has its NHS number.
pub(super) fn check_clients(c: &mut Checker, docs: &[ClientDoc]) -> Vec<Client> {
    let clients: Vec<Client> = docs.iter().filter_map(|d| check_client(c, d)).collect();
    let number_of: HashMap<&str, Option<&str>> = clients
        .iter()
        .map(|cl| (cl.id.as_str(), cl.nhs_number.as_deref()))
        .collect();
    for client in &clients {
        if let Some(other) = client.possible_duplicate_of.as_deref() {
            c.record = format!("client {}", client.id);
            match number_of.get(other) {
                None => c.error(
                    "possible_duplicate_of",
                    format!("possible_duplicate_of names client {other}, which is not in the bundle"),
                ),
                Some(n) if *n != client.nhs_number.as_deref() => c.error(
                    "possible_duplicate_of",
                    format!("possible_duplicate_of names client {other}, whose NHS number is not this client's"),
                ),
                Some(_) => {}
            }
        }
    }
    let mut seen: HashMap<&str, &Client> = HashMap::new();
    for client in &clients {
        let Some(n) = client.nhs_number.as_deref() else {
            continue;
        };
        match seen.get(n) {
            Some(first) if !may_share_a_number(client, first) => {
                c.record = format!("client {}", client.id);
                c.error(
                    "nhs_number",
                    format!(
                        "nhs_number {n} is already client {}'s: one person is one client",
                        first.id
                    ),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(n, client);
            }
        }
    }
    clients
}

/// Whether two clients with one NHS number are allowed: one was entered as
/// a possible duplicate of the other, or both of one client, for a manager
/// to merge (issue 21).
fn may_share_a_number(a: &Client, b: &Client) -> bool {
    a.possible_duplicate_of.as_deref() == Some(b.id.as_str())
        || b.possible_duplicate_of.as_deref() == Some(a.id.as_str())
        || (a.possible_duplicate_of.is_some() && a.possible_duplicate_of == b.possible_duplicate_of)
}

/// One client as written in a bundle.
pub fn client_document(c: &Client) -> ClientDoc {
    ClientDoc {
        id: c.id.clone(),
        nhs_number: c.nhs_number.clone(),
        given_name: c.given_name.clone(),
        family_name: c.family_name.clone(),
        date_of_birth: c.date_of_birth.map(|d| d.to_string()),
        phone: c.phone.clone(),
        postcode: c.postcode.clone(),
        gender: c.gender.clone(),
        ethnic_category: c.ethnic_category.clone(),
        possible_duplicate_of: c.possible_duplicate_of.clone(),
    }
}

/// A client as every door stores it (core's canonical form: trimmed, the NHS
/// number its ten digits, the postcode in capitals with one space), or why
/// it cannot be kept (BAD-1). Reading it back gives the same document.
pub fn client_as_stored(doc: &ClientDoc) -> Result<ClientDoc, BundleErrors> {
    checked_client(doc, &[]).map(|c| client_document(&c))
}

/// A client checked on its own, against the other clients' NHS numbers
/// (data entry of one client).
pub fn checked_client(doc: &ClientDoc, others: &[Client]) -> Result<Client, BundleErrors> {
    let mut c = Checker {
        errors: Vec::new(),
        record: String::new(),
    };
    let client = check_client(&mut c, doc);
    if let Some(cl) = &client
        && let Some(n) = cl.nhs_number.as_deref()
        && let Some(other) = others.iter().find(|o| {
            o.id != cl.id
                && o.nhs_number.as_deref().map(nhs_number_as_kept).as_deref() == Some(n)
                && !may_share_a_number(cl, o)
        })
    {
        c.error(
            "nhs_number",
            format!(
                "nhs_number {n} is already client {}'s: one person is one client",
                other.id
            ),
        );
    }
    match client {
        Some(cl) if c.errors.is_empty() => Ok(cl),
        _ => Err(BundleErrors(c.errors)),
    }
}
