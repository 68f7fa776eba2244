//! BAD-1 errors mapped back to the file: each error of the checked result
//! placed on the sheet, row and column it came from (a job's row, a list's
//! row, the referral's first caseload row), and the referral it belongs to
//! named so that it can be left out.

use std::collections::BTreeMap;

use ipstrack_core::bundle::{BundleError, ClientDoc, ReferralDoc};

use super::{Draft, Problem, Reader};
use crate::spreadsheet::mapping::Table;

impl Reader<'_> {
    /// Names the sheet, row and column of a BAD-1 error; returns the referral
    /// it belongs to (to be left out), if any of the file's.
    pub(super) fn place_error(
        &mut self,
        e: &BundleError,
        drafts: &BTreeMap<String, Draft>,
        referrals: &[(ReferralDoc, Option<ClientDoc>)],
        list_unplaced: bool,
    ) -> Option<String> {
        let words: Vec<&str> = e.record.split(' ').collect();
        let (referral, job) = match words.as_slice() {
            ["referral", id] => (Some(id.to_string()), None),
            ["referral", id, "job", j] => (Some(id.to_string()), Some(j.to_string())),
            ["client", id] => (
                referrals
                    .iter()
                    .find(|(r, c)| c.as_ref().is_some_and(|c| c.id == *id) || r.client == *id)
                    .map(|(r, _)| r.id.clone()),
                None,
            ),
            _ => (None, None),
        };
        let Some(referral) = referral.filter(|r| drafts.contains_key(r)) else {
            if list_unplaced {
                self.problems.push(Problem {
                    sheet: String::new(),
                    row: None,
                    column: None,
                    referral: None,
                    message: format!("the data already in ipstrack would not be valid: {e}"),
                });
            }
            return None;
        };
        let draft = &drafts[&referral];
        let (list, index, sub) = split_field(&e.field);
        let place: Option<(usize, Option<&str>)> = match (job.as_deref(), list) {
            (Some(_), _) => {
                let field = match e.field.as_str() {
                    "start" => "job_start",
                    "end" => "job_end",
                    "type" => "job_type",
                    f if f.starts_with("weekly_hours") => "week1_hours",
                    f => caseload_field(f),
                };
                let row = draft.rows.iter().copied().find(|&r| {
                    self.rows[r].text(Table::Caseload, "job").as_deref() == job.as_deref()
                });
                row.or(draft.rows.first().copied())
                    .map(|r| (r, Some(field)))
            }
            (None, Some("vocational_plan.reviews")) => draft
                .rows
                .first()
                .map(|&r| (r, Some("vocational_plan_reviews"))),
            (None, Some(list)) => {
                let table = match list {
                    "contacts" => Some(Table::Contacts),
                    "holds" => Some(Table::Holds),
                    "waiting_list" => Some(Table::WaitingList),
                    "engagement" => Some(Table::Engagement),
                    "decisions" => Some(Table::Decisions),
                    "transfers" => Some(Table::Transfers),
                    "in_work_checks" => Some(Table::InWorkChecks),
                    _ => None,
                };
                let row = table
                    .and_then(|t| draft.children.get(&t))
                    .and_then(|rows| rows.get(index.unwrap_or(0)))
                    .copied();
                // `decisions[0].agreed_by[1]`: the decision's agreed-by cell.
                let sub = sub.map(|s| s.split('[').next().unwrap_or(s));
                match row {
                    Some(r) => Some((r, sub)),
                    None => draft.rows.first().map(|&r| (r, None)),
                }
            }
            (None, None) => draft
                .rows
                .first()
                .map(|&r| (r, Some(caseload_field(&e.field)))),
        };
        let message = e.message.clone();
        match place {
            Some((row, field)) => self.row_problem(row, field, &referral, message),
            None => self.problems.push(Problem {
                sheet: String::new(),
                row: None,
                column: None,
                referral: Some(referral.clone()),
                message,
            }),
        }
        Some(referral)
    }
}

/// `contacts[2].date` → (`contacts`, 2, `date`); `access` → (None, None, None).
fn split_field(field: &str) -> (Option<&str>, Option<usize>, Option<&str>) {
    let Some((list, rest)) = field.split_once('[') else {
        return (None, None, None);
    };
    let (index, sub) = rest.split_once(']').unwrap_or((rest, ""));
    (
        Some(list),
        index.parse().ok(),
        sub.strip_prefix('.').filter(|s| !s.is_empty()),
    )
}

fn caseload_field(field: &str) -> &'static str {
    match field {
        "client" => "client",
        "received" => "received",
        "status_at_referral" => "status_at_referral",
        "es" => "es",
        "access" => "access",
        "vocational_plan.start" | "vocational_plan" => "vocational_plan_start",
        "vocational_plan.end" => "vocational_plan_end",
        "vocational_plan.reviews" => "vocational_plan_reviews",
        "vocational_plan.agreed_with_clinical_team" => "agreed_with_clinical_team",
        "discharge.date" | "discharge" => "discharge",
        "discharge.reason" => "discharge_reason",
        "vocational_plan.job_preferences" => "job_preferences",
        "better_off_calculation" => "better_off_calculation",
        "disclosure.choice" | "disclosure" => "disclosure",
        "disclosure.date" => "disclosure_date",
        "nhs_number" => "nhs_number",
        "given_name" => "given_name",
        "family_name" => "family_name",
        "date_of_birth" => "date_of_birth",
        "phone" => "phone",
        "postcode" => "postcode",
        "gender" => "gender",
        "ethnic_category" => "ethnic_category",
        "hours_per_week" => "hours_per_week",
        "four_hours_confirmed" => "four_hours_confirmed",
        "self_employment_registration" => "self_employment_registration",
        "self_employment_evidence" => "self_employment_evidence",
        "retained" => "retained",
        "pays_minimum_wage" => "pays_minimum_wage",
        "open_to_anyone" => "open_to_anyone",
        "end_reason" => "job_end_reason",
        "return_to_work" => "return_to_work",
        "employer" => "employer",
        _ => "referral",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_fields_are_split_into_list_index_and_field() {
        assert_eq!(
            split_field("contacts[2].date"),
            (Some("contacts"), Some(2), Some("date"))
        );
        assert_eq!(split_field("holds[0]"), (Some("holds"), Some(0), None));
        assert_eq!(split_field("access"), (None, None, None));
        assert_eq!(
            split_field("vocational_plan.reviews[1]"),
            (Some("vocational_plan.reviews"), Some(1), None)
        );
    }
}
