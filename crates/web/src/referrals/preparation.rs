//! Issue 26: what a person and their ES prepare before a job, one page
//! each — a better-off calculation offered (benefits and work-incentive
//! advice), the person's choice about telling employers of their condition,
//! and the kind of work they want (on the vocational plan). Each page is
//! filled with what is recorded, so it records or changes; its save is an
//! edit of the referral, checked by core as every door's is.

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    DISCLOSURE_CHOICES, DisclosureDoc, TextRule, accepts, limits, read_text,
};
use ipstrack_core::model::{DisclosureChoice, Referral};
use ipstrack_store::Edit;
use maud::{Markup, html};

use crate::referrals::form_date;
use crate::referrals::write::Asked;
use crate::ui::form::{FieldErrors, FormState, date_input, radios, textarea};

/// The actions of this module: (name, title).
pub(crate) const ACTIONS: [(&str, &str); 3] = [
    ("better_off", "Record a better-off calculation offered"),
    ("disclosure", "Record their disclosure choice"),
    ("job_preferences", "Record their job preferences"),
];

/// The disclosure choices in the form's words (core's `DISCLOSURE_CHOICES`).
pub(crate) const CHOICES: [(&str, &str); 3] = [
    (
        "full",
        "To tell employers about their mental health condition",
    ),
    (
        "partial",
        "To tell employers some things (that they have a health condition, or what helps), not all",
    ),
    ("none", "Not to tell employers"),
];

/// A disclosure choice as the timeline says it.
pub(crate) fn choice_words(choice: DisclosureChoice) -> &'static str {
    match choice {
        DisclosureChoice::Full => "to tell employers about their condition",
        DisclosureChoice::Partial => "to tell employers some things, not all",
        DisclosureChoice::NoDisclosure => "not to tell employers",
    }
}

/// What is recorded, as the page's form values (empty when nothing is).
pub(crate) fn stored_values(r: &Referral, action: &str) -> Vec<(String, String)> {
    let pairs: Vec<(&str, String)> = match action {
        "better_off" => r
            .better_off_calculation
            .map(|d| vec![("date", d.to_string())])
            .unwrap_or_default(),
        "disclosure" => r
            .disclosure
            .map(|d| {
                let word = DISCLOSURE_CHOICES
                    .iter()
                    .find(|(_, c)| *c == d.choice)
                    .map_or("", |(w, _)| w);
                vec![("choice", word.to_string()), ("date", d.on.to_string())]
            })
            .unwrap_or_default(),
        _ => r
            .job_preferences
            .as_deref()
            .map(|p| vec![("job_preferences", p.to_string())])
            .unwrap_or_default(),
    };
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// An action's hint and fields.
pub(crate) fn fields(form: &FormState, action: &str, today: Day) -> (&'static str, Markup) {
    // A date recorded already shows; a new one starts at today.
    let on = |name: &str| (form.value(action, name).is_empty()).then_some(today);
    match action {
        "better_off" => (
            "A better-off calculation shows the person how their income and benefits would change in work (benefits and work-incentive advice).",
            html! { (date_input(form, action, "date", "When was it offered?", on("date"))) },
        ),
        "disclosure" => (
            "What the person chose to tell employers about their mental health condition, after talking it through.",
            html! {
                (radios(form, action, "choice", "What did they choose?", &CHOICES))
                (date_input(form, action, "date", "When did you talk about it?", on("date")))
            },
        ),
        _ => (
            "The kind of work the person wants, in their words: kept on their vocational plan.",
            html! { (textarea(form, action, "job_preferences", "What kind of work do they want?", limits::JOB_PREFERENCES_CHARS)) },
        ),
    }
}

/// What a posted form of one of these actions asks for; `None` for another
/// step. What to correct is added to `errors`.
pub(crate) fn asked(
    step: &str,
    value: &dyn Fn(&str) -> String,
    r: &Referral,
    today: Day,
    errors: &mut FieldErrors,
) -> Option<(&'static str, Asked)> {
    let after_received = Some((r.received, "referral"));
    let mut date = |what: &str| -> String {
        match form_date(&value("date"), what, today, after_received) {
            Ok(day) => day.to_string(),
            Err(e) => {
                errors.push(("date", e));
                String::new()
            }
        }
    };
    Some(match step {
        "better_off" => {
            let day = date("date the better-off calculation was offered");
            ("better_off", Asked::Edit(Edit::BetterOffCalculation(day)))
        }
        "disclosure" => {
            let choice = value("choice");
            let day = date("date you talked about it");
            if !accepts(&DISCLOSURE_CHOICES, &choice) {
                errors.insert(
                    0,
                    ("choice", "Select what they chose to tell employers".into()),
                );
            }
            (
                "disclosure",
                Asked::Edit(Edit::Disclosure(DisclosureDoc { choice, date: day })),
            )
        }
        "job_preferences" => {
            let rule = TextRule::lines(limits::JOB_PREFERENCES_CHARS);
            let text = match read_text(&value("job_preferences"), rule) {
                Ok(Some(text)) => Some(text.to_string()),
                Ok(None) => {
                    errors.push(("job_preferences", "Enter the kind of work they want".into()));
                    None
                }
                Err(problem) => {
                    errors.push((
                        "job_preferences",
                        format!("Job preferences {}", problem.words()),
                    ));
                    None
                }
            };
            ("job_preferences", Asked::Edit(Edit::JobPreferences(text)))
        }
        _ => return None,
    })
}
