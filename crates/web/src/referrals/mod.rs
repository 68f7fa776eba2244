//! A referral and everything recorded on it: its page, a new referral, and
//! the forms for each step. Every write checks the session, the CSRF token,
//! the referral in the user's scope and the version the form was opened at.

use axum::Router;
use axum::routing::{get, post};
use ipstrack_core::Day;
use ipstrack_core::model::Dataset;
use ipstrack_core::model::StaffIdx;

use crate::Shared;
use crate::ui::form::{FieldErrors, errors_beside};
use crate::viewer::Viewer;

pub(crate) mod actions;
mod contact;
mod discharge;
pub(crate) mod entered_in_error;
mod entry_edit;
mod job;
pub(crate) mod job_edit;
pub(crate) mod new;
pub(crate) mod page;
pub(crate) mod person;
mod person_edit;
pub(crate) mod preparation;
mod steps;
pub(crate) mod timeline;
mod write;

/// The referral pages and forms.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/referrals/new",
            get(new::new_referral_page).post(new::create_referral),
        )
        .route("/referrals/{id}", get(page::referral_page))
        .route("/referrals/{id}/timeline", get(timeline::timeline_page))
        .route("/referrals/{id}/record/{action}", get(actions::action_page))
        .route("/referrals/{id}/contacts", post(contact::add_contact))
        .route(
            "/referrals/{id}/entered-in-error",
            get(entered_in_error::mark_page).post(entered_in_error::mark),
        )
        .route("/referrals/{id}/restore", post(entered_in_error::restore))
        .route("/referrals/{id}/person", post(person_edit::edit_person))
        .route(
            "/referrals/{id}/edit/{kind}/{index}",
            get(entry_edit::edit_page),
        )
        .route("/referrals/{id}/{step}", post(steps::record_step))
        .route("/referrals/{id}/jobs", post(job::add_job))
        .route(
            "/referrals/{id}/jobs/{job}/edit",
            get(job_edit::job_page).post(job_edit::save_job),
        )
}

/// The names of the referral forms' fields that core's checks can name.
const FORM_FIELDS: [&str; 24] = [
    "date",
    "source",
    "agreed_by",
    "start",
    "end",
    "reason",
    "es",
    "status",
    "note",
    "kind",
    "mechanism",
    "employer",
    "expected_return",
    "type",
    "hours_per_week",
    "four_hours_confirmed",
    "self_employment_evidence",
    "return_to_work",
    "location",
    "pays_minimum_wage",
    "open_to_anyone",
    "end_reason",
    "choice",
    "job_preferences",
];

/// A store's BAD-1 refusal on the form that made it: each error beside the
/// field it names, in the same plain words the API gives for that field
/// (`BundleError::plain`), or beside `fallback` when the form has no such
/// field.
pub(crate) fn refusal_errors(
    bad: &ipstrack_core::BundleErrors,
    fallback: &'static str,
) -> FieldErrors {
    errors_beside(bad, &FORM_FIELDS, fallback)
}

/// A date typed into a form: real, not in the future, not before `earliest`.
pub(crate) fn form_date(
    text: &str,
    what: &str,
    today: Day,
    earliest: Option<(Day, &str)>,
) -> Result<Day, String> {
    let text = text.trim();
    let day = Day::parse(text).ok_or_else(|| {
        // A well-formed date outside 1900–2099 is told as what it is.
        let iso = text.len() == 10 && text.as_bytes()[4] == b'-';
        match text
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .filter(|_| iso)
        {
            Some(year) if text.len() == 10 && year > 2099 => {
                format!("The {what} must be today or in the past")
            }
            Some(year) if text.len() == 10 && year < 1900 => {
                format!("The {what} must be in 1900 or later")
            }
            _ if text.is_empty() => format!("Enter the {what}"),
            _ => format!(
                "Enter the {what} as a real date, for example, {}",
                crate::ui::dates::example_date(today)
            ),
        }
    })?;
    if day > today {
        return Err(format!("The {what} must be today or in the past"));
    }
    if let Some((first, name)) = earliest
        && day < first
    {
        return Err(format!(
            "The {what} must be on or after the {name} ({})",
            crate::ui::dates::uk_date(first)
        ));
    }
    Ok(day)
}

/// Hours typed into a form: empty, or a number from 0 to 168 with at most
/// two decimals (T-0); else what to enter is added to `errors` under `name`.
pub(crate) fn hours_field(
    name: &'static str,
    text: &str,
    errors: &mut FieldErrors,
) -> Option<serde_json::Number> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(h) if (0.0..=168.0).contains(&h) && (h * 100.0 - (h * 100.0).round()).abs() < 1e-6 => {
            // Written as a bundle writes hours: 16, 37.5.
            let hundredths = (h * 100.0).round() as u32;
            Some(ipstrack_core::bundle::hours_number(
                ipstrack_core::model::Hours(hundredths),
            ))
        }
        _ => {
            errors.push((
                name,
                "Enter the hours as a number from 0 to 168, like 16 or 37.5".into(),
            ));
            None
        }
    }
}

/// How a self-employed person is registered, as the job forms offer it
/// (JOB-1): registered as a sole trader or a company, or not yet — never
/// chosen for the user (issue 22: a default made unregistered work count).
pub(crate) const REGISTRATION_CHOICES: [(&str, &str); 4] = [
    ("", "Not self-employed"),
    ("sole_trader", "Sole trader (registered with HMRC)"),
    ("company", "Limited company"),
    (NOT_REGISTERED, "Not yet registered"),
];

/// Where a contact was held, in the form's words (issue 26; core's
/// `CONTACT_LOCATIONS`, with "not recorded").
pub(crate) const LOCATION_CHOICES: [(&str, &str); 6] = [
    ("", "Not recorded"),
    ("community", "In the community (a café, library, jobcentre)"),
    ("home", "At their home"),
    ("workplace", "At their workplace"),
    ("office", "At the office"),
    ("remote", "Not in person (phone, video, message)"),
];

/// Why a job ended, in the form's words (issue 26; core's
/// `JOB_END_REASONS`, with "not recorded").
pub(crate) const END_REASON_CHOICES: [(&str, &str); 7] = [
    ("", "Not recorded"),
    ("resigned", "They chose to leave"),
    ("dismissed", "The employer dismissed them"),
    ("laid_off", "Redundancy, or the business closed"),
    (
        "temporary_ended",
        "A temporary or fixed-term job came to its end",
    ),
    ("health", "They left because of their health"),
    ("other", "Another reason"),
];

/// A yes-or-no question a form may leave unanswered (issue 26's competitive
/// job questions).
pub(crate) const YES_NO_CHOICES: [(&str, &str); 3] =
    [("", "Not known"), ("yes", "Yes"), ("no", "No")];

/// A yes-or-no answer as typed: `Ok(None)` when not answered, `Err` for
/// anything but the form's words.
pub(crate) fn yes_no(text: &str) -> Result<Option<bool>, ()> {
    match text.trim() {
        "" => Ok(None),
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// The form's word for self-employment not yet registered (stored as none).
pub(crate) const NOT_REGISTERED: &str = "not_registered";

/// A job form's self-employment registration and evidence, as stored: for a
/// self-employed job, the registration chosen (`None` when not yet
/// registered: the job is not counted until it is, with a data-quality
/// warning) and the evidence seen (core's text rule); nothing for other
/// work. What to choose or correct is added to `errors`.
pub(crate) fn self_employment(
    kind: &str,
    registration: &str,
    evidence: &str,
    errors: &mut FieldErrors,
) -> (Option<String>, Option<String>) {
    use ipstrack_core::bundle::{REGISTRATIONS, TextRule, accepts, limits, read_text};
    if kind != "self_employed" {
        return (None, None);
    }
    let registration = registration.trim();
    if registration != NOT_REGISTERED && !accepts(&REGISTRATIONS, registration) {
        errors.push((
            "registration",
            "Select how the self-employed person is registered, or Not yet registered".into(),
        ));
    }
    let evidence = match read_text(evidence, TextRule::line(limits::EVIDENCE_CHARS)) {
        Ok(e) => e.map(str::to_string),
        Err(problem) => {
            errors.push(("evidence", format!("The evidence {}", problem.words())));
            None
        }
    };
    let registered = accepts(&REGISTRATIONS, registration).then(|| registration.to_string());
    (registered, evidence)
}

/// The ES a user may give a new referral to, or transfer one to: the ES of
/// their scope in post today (core's rule of scope).
pub(crate) fn assignable(v: &Viewer, data: &Dataset, today: Day) -> Vec<(String, String)> {
    data.staff
        .iter()
        .enumerate()
        .filter(|(i, _)| v.scope.may_assign(data, StaffIdx::at(*i), today))
        .map(|(_, s)| (s.id.clone(), format!("{} ({})", s.name, s.id)))
        .collect()
}
