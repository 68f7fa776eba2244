//! Recording a contact (kind, mechanism, date) on a referral.

use crate::error::WebResult;
use axum::extract::State;
use ipstrack_core::bundle::{self, ContactDoc, MAX_NOTE_CHARS, accepts};
use ipstrack_store::Step;
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::extract::ReferralForm;
use crate::referrals::form_date;
use crate::referrals::steps::{invalid, write_step};
use crate::referrals::write::{Asked, seen_version};
use crate::ui::form::{FieldErrors, FormState};

#[derive(Deserialize, Serialize)]
pub(crate) struct ContactFormData {
    #[serde(default, skip_serializing)]
    once: String,
    date: String,
    kind: String,
    /// How it was held; empty (or absent) when not recorded.
    #[serde(default)]
    mechanism: String,
    /// Where it was held (issue 26); empty when not recorded.
    #[serde(default)]
    location: String,
    /// What happened, next step (optional).
    #[serde(default)]
    note: String,
    /// The contact's position, when its edit form sent it (a correction).
    #[serde(default, skip_serializing)]
    edit: String,
    #[serde(default, skip_serializing)]
    version: String,
}

pub(crate) async fn add_contact(
    State(state): State<Shared>,
    posted: ReferralForm<ContactFormData>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let r = &data.dataset.referrals[i];
    let mut errors: FieldErrors = Vec::new();
    if let Err(e) = form_date(
        &form.date,
        "date of the contact",
        today,
        Some((r.received, "referral")),
    ) {
        errors.push(("date", e));
    }
    if !accepts(&bundle::CONTACT_KINDS, &form.kind) {
        errors.push(("kind", "Select the kind of contact".into()));
    }
    let mechanism = (!form.mechanism.is_empty()).then(|| form.mechanism.clone());
    if let Some(m) = &mechanism {
        match (
            bundle::value_of(&bundle::CONTACT_KINDS, &form.kind),
            bundle::value_of(&bundle::MECHANISMS, m),
        ) {
            (_, None) => errors.push(("mechanism", "Select how the contact was held".into())),
            (Some(kind), Some(m)) if !kind.admits(m) => errors.push((
                "mechanism",
                "How the contact was held does not fit its kind: a face-to-face contact is held face to face, a remote one is not".into(),
            )),
            _ => {}
        }
    }
    let location = (!form.location.is_empty()).then(|| form.location.clone());
    if location
        .as_deref()
        .is_some_and(|l| !accepts(&bundle::CONTACT_LOCATIONS, l))
    {
        errors.push(("location", "Select where the contact was held".into()));
    }
    // The note read as core reads it, in the form's words.
    if let Err(problem) = bundle::read_text(&form.note, bundle::TextRule::lines(MAX_NOTE_CHARS)) {
        errors.push(("note", format!("The note {}", problem.words())));
    }
    let contact_doc = |mechanism| ContactDoc {
        date: form.date.trim().to_string(),
        kind: form.kind.clone(),
        mechanism,
        note: Some(form.note.trim().to_string()).filter(|n| !n.is_empty()),
        location: location.clone(),
    };
    // A correction from the contact's edit form.
    if let Ok(index) = form.edit.trim().parse::<usize>() {
        let seen = seen_version(&form.version);
        let again = FormState::again("contact", &form, errors);
        let step = Asked::Add(Step::Contact(contact_doc(mechanism)));
        return crate::referrals::entry_edit::save_entry(
            &state,
            &v,
            &data,
            i,
            (index, step, seen),
            again,
            today,
        )
        .await;
    }
    if !errors.is_empty() {
        let again = FormState::again("contact", &form, errors);
        return Err(invalid(&v, &data, i, today, again));
    }
    let what = (id.as_str(), "contact", "contacts");
    let once = crate::retry::referral_form_key(&v, &form.once, what, &form)?;
    let contact = contact_doc(mechanism);
    let blank = FormState::blank("contact");
    write_step(&state, &v, &id, (Step::Contact(contact), once), blank).await
}
