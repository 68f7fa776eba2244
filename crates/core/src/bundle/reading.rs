//! Reading: JSON text into a [`BundleDoc`] as written, a structural error
//! (not JSON, wrong JSON type, unknown or missing field) named by its record
//! and the path of its field; then [`validate`] for the values.

use super::document::BundleDoc;
use super::errors::{BundleError, BundleErrors};
use super::loaded::Loaded;
use super::validation::validate;

/// Reads and validates a bundle from JSON text.
pub fn read_bundle(text: &str) -> Result<Loaded, BundleErrors> {
    let doc = parse_document(text)?;
    validate(&doc)
}

/// Reads the JSON into a [`BundleDoc`] without checking its values. A
/// structural error (not JSON, wrong JSON type, unknown or missing field) is
/// reported with the record it is in and the path of the field.
pub fn parse_document(text: &str) -> Result<BundleDoc, BundleErrors> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<BundleDoc, _> = serde_path_to_error::deserialize(&mut de);
    let doc = match result {
        Ok(doc) => doc,
        Err(err) => return Err(BundleErrors(vec![structural_error(text, &err)])),
    };
    if let Err(err) = de.end() {
        return Err(BundleErrors(vec![BundleError {
            record: String::new(),
            field: String::new(),
            message: format!("not a single JSON document: {err}"),
        }]));
    }
    Ok(doc)
}

/// Names the record of a structural error by looking up the id of the record at
/// the error's path (only done on failure, so reading stays one pass).
fn structural_error(
    text: &str,
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> BundleError {
    let inner = err.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return BundleError {
            record: String::new(),
            field: String::new(),
            message: format!("not a valid JSON document: {inner}"),
        };
    }
    // Paths look like `referrals[12].jobs[0].hourz`; `.` is the document itself.
    let path = err.path().to_string();
    let (record, field) = name_record_at(text, &path);
    let field = if field == "." { String::new() } else { field };
    BundleError {
        record,
        field: field.clone(),
        message: if field.is_empty() {
            inner.to_string()
        } else {
            format!("{field}: {inner}")
        },
    }
}

/// Splits a serde path into the record it names (`referral r12`) and the rest.
fn name_record_at(text: &str, path: &str) -> (String, String) {
    const COLLECTIONS: [(&str, &str); 4] = [
        ("teams", "team"),
        ("staff", "staff"),
        ("clients", "client"),
        ("referrals", "referral"),
    ];
    for (collection, noun) in COLLECTIONS {
        let Some(rest) = path
            .strip_prefix(collection)
            .and_then(|r| r.strip_prefix('['))
        else {
            continue;
        };
        let Some((index, rest)) = rest.split_once(']') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let rest = rest.strip_prefix('.').unwrap_or(rest).to_string();
        let id = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| {
                v.get(collection)?
                    .get(index)?
                    .get("id")?
                    .as_str()
                    .map(str::to_string)
            });
        let record = match id {
            Some(id) => format!("{noun} {id}"),
            None => format!("{noun} #{} (no id)", index + 1),
        };
        return (record, rest);
    }
    (String::new(), path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::MINIMAL;

    fn first_error(text: &str) -> String {
        read_bundle(text).expect_err("refused").0[0].to_string()
    }

    #[test]
    fn bad_1_unknown_field_names_the_record_and_field() {
        let text = MINIMAL.replace("\"received\"", "\"recieved\": \"2024-04-01\", \"received\"");
        let e = first_error(&text);
        assert!(
            e.starts_with("referral r1: recieved: unknown field `recieved`"),
            "{e}"
        );
    }

    #[test]
    fn bad_1_unknown_field_in_a_job_names_the_referral_and_path() {
        let text = MINIMAL.replace(
            "\"hours_per_week\": 16",
            "\"hours_per_week\": 16, \"hourz\": 3",
        );
        let e = first_error(&text);
        assert!(
            e.starts_with("referral r1: jobs[0].hourz: unknown field `hourz`"),
            "{e}"
        );
    }

    #[test]
    fn bad_1_missing_required_field_names_the_record() {
        let text = MINIMAL.replace("\"received\": \"2024-04-01\", ", "");
        let e = first_error(&text);
        assert!(
            e.starts_with("referral r1: missing field `received`"),
            "{e}"
        );
    }

    #[test]
    fn bad_1_wrong_json_type_names_the_field() {
        let text = MINIMAL.replace("\"fte\": 1", "\"fte\": \"full\"");
        let e = first_error(&text);
        assert!(
            e.starts_with("staff es1: fte: invalid type: string \"full\""),
            "{e}"
        );
    }

    #[test]
    fn bad_1_truncated_and_trailing_text_are_refused() {
        assert!(
            first_error(&MINIMAL[..MINIMAL.len() - 10]).starts_with("not a valid JSON document")
        );
        assert!(first_error(&format!("{MINIMAL} {{}}")).starts_with("not a single JSON document"));
        assert!(first_error("").starts_with("not a valid JSON document"));
    }
}
