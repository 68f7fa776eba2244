//! Saving the person's details from their form on a referral (the form
//! itself is `person`'s): each field checked, the NHS number placed, the
//! person as stored written with its fingerprint checked, and the referral
//! page again with the errors when it cannot be saved.

use axum::extract::State;
use axum::http::StatusCode;
use ipstrack_core::model::nhs_number_is_valid;
use ipstrack_store::StoreError;

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::extract::ReferralForm;
use crate::referrals::person::{PersonEdit, place_nhs_number};
use crate::referrals::steps::{invalid, page_again};
use crate::referrals::write::as_stored;
use crate::saved::saved_redirect;
use crate::ui::form::{FieldErrors, FormState};

/// Changes who the person of a referral is (any referral of theirs in the
/// user's scope): each field checked, refused if someone else changed the
/// person since the form was opened, audited, and shown at once.
pub(crate) async fn edit_person(
    State(state): State<Shared>,
    posted: ReferralForm<PersonEdit>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let d = &data.dataset;
    let client = d.client(d.referrals[i].client);
    let mut errors: FieldErrors = Vec::new();
    let nhs = form.nhs_number.replace(' ', "");
    if !nhs.is_empty() && !nhs_number_is_valid(&nhs) {
        errors.push((
            "nhs_number",
            "Enter a valid 10-digit NHS number, or leave it empty".into(),
        ));
    }
    let nhs = Some(nhs).filter(|n| !n.is_empty());
    let mut doc = form.person.checked(&client.id, nhs, today, &mut errors);
    if errors.is_empty()
        && let Err(holder) = place_nhs_number(&state, &v, d, today, &mut doc).await?
    {
        let name = d.clients[holder].display_name();
        errors.push((
            "nhs_number",
            format!("This NHS number is already {name}'s: check it, or add the referral to {name}"),
        ));
    }
    let again = |errors: FieldErrors| FormState::again("person", &form, errors);
    if !errors.is_empty() {
        return Err(invalid(&v, &data, i, today, again(errors)));
    }
    let saved = match state
        .store
        .update_client(&id, &doc, &form.seen, &v.session.user.username)
        .await
    {
        Ok(saved) => saved,
        // Taken since the page's data was read (a race): never say whose.
        Err(StoreError::Exists(_)) => {
            let message =
                "This NHS number was given to another person a moment ago: check it and save again";
            return Err(invalid(
                &v,
                &data,
                i,
                today,
                again(vec![("nhs_number", message.into())]),
            ));
        }
        Err(StoreError::Changed(_)) => {
            let message = "Someone else changed this person's details since you opened the form, so your change was not saved: the page now shows them as they are; check and save again if still needed.";
            let (data, i) = as_stored(&state, &id).await?;
            let page = page_again(
                &v,
                &data,
                i,
                today,
                &again(vec![("given_name", message.into())]),
            );
            return Err(WebError::Page(StatusCode::CONFLICT, page));
        }
        Err(e) => return Err(e.into()),
    };
    state.publish(&saved).await;
    Ok(saved_redirect(
        &state,
        &format!("/referrals/{id}"),
        "person",
    ))
}
