//! A referral and everything recorded on it: its page, a new referral, and
//! the forms for each step. Every write checks the session, the CSRF token,
//! the referral in the user's scope and the version the form was opened at.

use axum::Router;
use axum::routing::{get, post};
use ipstrack_core::Day;
use ipstrack_core::model::Dataset;
use ipstrack_core::model::Role;

use crate::Shared;
use crate::extract::Viewer;

mod contact;
mod job;
mod new;
mod page;
mod person;
mod steps;

/// The referral pages and forms.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/referrals/new",
            get(new::new_referral_page).post(new::create_referral),
        )
        .route("/referrals/{id}", get(page::referral_page))
        .route("/referrals/{id}/contacts", post(contact::add_contact))
        .route("/referrals/{id}/person", post(person::edit_person))
        .route("/referrals/{id}/{step}", post(steps::record_step))
        .route("/referrals/{id}/jobs", post(job::add_job))
}

pub(crate) type FieldErrors = Vec<(&'static str, String)>;

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
        match text.get(..4).and_then(|y| y.parse::<i32>().ok()) {
            Some(year) if text.len() == 10 && year > 2099 => {
                format!("The {what} must be today or in the past")
            }
            Some(year) if text.len() == 10 && year < 1900 => {
                format!("The {what} must be in 1900 or later")
            }
            _ => format!("Enter the {what} as a real date, for example {today}"),
        }
    })?;
    if day > today {
        return Err(format!("The {what} must be today or in the past"));
    }
    if let Some((first, name)) = earliest
        && day < first
    {
        return Err(format!(
            "The {what} must be on or after the {name} ({first})"
        ));
    }
    Ok(day)
}

/// The ES a user may give a new referral to: themselves (ES), their team (team
/// lead), anyone (manager, admin); only ES in post today.
pub(crate) fn assignable(v: &Viewer, data: &Dataset, today: Day) -> Vec<(String, String)> {
    data.staff
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.role == Role::Es
                && s.in_post_on(today)
                && match v.session.user.role {
                    Role::Es => v.staff == Some(*i),
                    Role::TeamLead => Some(s.team) == v.team,
                    Role::Manager | Role::Admin => true,
                }
        })
        .map(|(_, s)| (s.id.clone(), format!("{} ({})", s.name, s.id)))
        .collect()
}
