//! The person's fields of a form (a new referral for a new person, and the
//! person's own edit form): given and family name, date of birth, phone,
//! postcode, gender and ethnic category, each checked with a message that
//! says what to enter, before core's checks (BAD-1) have the last word.

use axum::extract::State;
use axum::http::StatusCode;
use ipstrack_core::Day;
use ipstrack_core::bundle::{
    ClientDoc, ETHNIC_CATEGORIES, GENDERS, MAX_NAME_CHARS, MAX_PHONE_CHARS, postcode_is_valid,
};
use ipstrack_core::bundle::{TextRule, checked_client, read_text};
use ipstrack_core::model::nhs_number_is_valid;

/// The fields of a person's form, as core names them.
const PERSON_FIELDS: [&str; 8] = [
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "phone",
    "postcode",
    "gender",
    "ethnic_category",
];
use ipstrack_store::StoreError;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::Shared;
use crate::error::{WebError, WebResult};
use crate::extract::ReferralForm;
use crate::referrals::steps::{as_stored, invalid, page_again};
use crate::referrals::{errors_beside, form_date};
use crate::saved::saved_redirect;
use crate::ui::form::FieldErrors;
use crate::ui::form::{FormState, field, select};

/// The person's fields as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct PersonForm {
    #[serde(default)]
    pub(crate) given_name: String,
    #[serde(default)]
    pub(crate) family_name: String,
    #[serde(default)]
    pub(crate) date_of_birth: String,
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) postcode: String,
    #[serde(default)]
    pub(crate) gender: String,
    #[serde(default)]
    pub(crate) ethnic_category: String,
}

fn kept(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

impl PersonForm {
    /// The form filled from a stored client (the edit form).
    pub(crate) fn of(c: &ClientDoc) -> PersonForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        PersonForm {
            given_name: text(&c.given_name),
            family_name: text(&c.family_name),
            date_of_birth: text(&c.date_of_birth),
            phone: text(&c.phone),
            postcode: text(&c.postcode),
            gender: text(&c.gender),
            ethnic_category: text(&c.ethnic_category),
        }
    }

    /// Checks each field, adding what to enter to `errors`; the names are
    /// required. The client `id` with these fields when all is well.
    pub(crate) fn checked(
        &self,
        id: &str,
        nhs_number: Option<String>,
        today: Day,
        errors: &mut FieldErrors,
    ) -> ClientDoc {
        for (name, value, what) in [
            ("given_name", &self.given_name, "given name"),
            ("family_name", &self.family_name, "family name"),
        ] {
            match read_text(value, TextRule::line(MAX_NAME_CHARS)) {
                Ok(Some(_)) => {}
                Ok(None) => errors.push((name, format!("Enter the person's {what}"))),
                Err(problem) => errors.push((name, format!("The {what} {}", problem.words()))),
            }
        }
        let date_of_birth = kept(&self.date_of_birth);
        if let Some(dob) = &date_of_birth
            && let Err(e) = form_date(dob, "date of birth", today, None)
        {
            errors.push(("date_of_birth", e));
        }
        let phone = kept(&self.phone);
        if let Some(p) = &phone
            && (p.chars().count() > MAX_PHONE_CHARS
                || !p.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c)))
        {
            errors.push((
                "phone",
                "Enter a phone number in digits, like 07700 900123".into(),
            ));
        }
        let postcode = kept(&self.postcode);
        if let Some(p) = &postcode
            && !postcode_is_valid(p)
        {
            errors.push(("postcode", "Enter a real postcode, like LS1 4AP".into()));
        }
        let gender = kept(&self.gender);
        if gender
            .as_deref()
            .is_some_and(|g| !GENDERS.iter().any(|(c, _)| *c == g))
        {
            errors.push(("gender", "Select the person's gender".into()));
        }
        let ethnic_category = kept(&self.ethnic_category);
        if ethnic_category
            .as_deref()
            .is_some_and(|e| !ETHNIC_CATEGORIES.iter().any(|(c, _)| *c == e))
        {
            errors.push((
                "ethnic_category",
                "Select the person's ethnic category".into(),
            ));
        }
        let client = ClientDoc {
            id: id.to_string(),
            nhs_number,
            given_name: kept(&self.given_name),
            family_name: kept(&self.family_name),
            date_of_birth,
            phone,
            postcode: postcode.map(|p| p.to_ascii_uppercase()),
            gender,
            ethnic_category,
            possible_duplicate_of: None,
        };
        // Core's check of a client is the one the store makes: whatever it
        // refuses that the words above did not catch is shown beside its
        // field here, so the form never passes what the store refuses.
        if let Err(bad) = checked_client(&client, &[]) {
            for (field, message) in errors_beside(&bad, &PERSON_FIELDS, "given_name") {
                if !errors.iter().any(|(f, _)| *f == field) {
                    errors.push((field, message));
                }
            }
        }
        client
    }
}

/// The choices of a code list, "Not recorded" first.
fn choices(codes: &[(&str, &str)]) -> Vec<(String, String)> {
    std::iter::once((String::new(), "Not recorded".to_string()))
        .chain(codes.iter().map(|(c, w)| (c.to_string(), w.to_string())))
        .collect()
}

/// The person's fields of form `form`.
pub(crate) fn person_fields(state: &FormState, form: &str, today: Day) -> Markup {
    let max = today.to_string();
    html! {
        (field(state, form, "given_name", "Given name", "text", None))
        (field(state, form, "family_name", "Family name", "text", None))
        (field(state, form, "date_of_birth", "Date of birth (optional)", "date", Some(&max)))
        (field(state, form, "phone", "Phone (optional)", "tel", None))
        (field(state, form, "postcode", "Postcode (optional)", "text", None))
        (select(state, form, "gender", "Gender", &choices(&GENDERS)))
        (select(state, form, "ethnic_category", "Ethnic category", &choices(&ETHNIC_CATEGORIES)))
    }
}

/// The person's edit form as posted: the fields, the NHS number, and what
/// the form showed the client was ([`ipstrack_store::client_fingerprint`]).
#[derive(Deserialize, Serialize)]
pub(crate) struct PersonEdit {
    #[serde(default, skip_serializing)]
    seen: String,
    #[serde(default)]
    nhs_number: String,
    #[serde(flatten)]
    person: PersonForm,
}

/// Changes who the person of a referral is (any referral of theirs in the
/// user's scope): each field checked, refused if someone else changed the
/// person since the form was opened, audited, and shown at once.
pub(crate) async fn edit_person(
    State(state): State<Shared>,
    posted: ReferralForm<PersonEdit>,
) -> WebResult {
    let (data, v, i, id, today, form) = posted.into_parts();
    let d = &data.dataset;
    let client = &d.clients[d.referrals[i].client as usize];
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

/// The person's details and the form to change them.
pub(crate) fn person_form(
    v: &crate::Viewer,
    referral: &str,
    client: &ClientDoc,
    state: &FormState,
    today: Day,
) -> Markup {
    // The client as stored, unless the form comes back with its errors.
    let shown = if state.form == "person" {
        state.clone()
    } else {
        let edit = PersonEdit {
            seen: String::new(),
            nhs_number: client.nhs_number.clone().unwrap_or_default(),
            person: PersonForm::of(client),
        };
        FormState::again("person", &edit, Vec::new())
    };
    html! {
        form method="post" action=(format!("/referrals/{referral}/person")) novalidate {
            input type="hidden" name="csrf" value=(v.session.csrf);
            input type="hidden" name="seen" value=(ipstrack_store::client_fingerprint(client));
            (person_fields(&shown, "person", today))
            (field(&shown, "person", "nhs_number", "NHS number (optional)", "text", None))
            button type="submit" { "Save the person's details" }
            " " a href=(format!("/referrals/{referral}")) { "Cancel" }
        }
    }
}

/// Where a client's NHS number already is (issue 21), for every door that
/// enters a person (the new-referral form and API, the person's form and
/// API): `Err` is a client the user can see (its index), to add the referral to that
/// person or correct the number; a client they cannot see is never told —
/// `client` is kept as a possible duplicate of it, for a manager to merge,
/// and the match is audited off the request path. A possible duplicate is
/// only ever set here, never taken from what was posted.
pub(crate) async fn place_nhs_number(
    state: &crate::AppState,
    v: &crate::Viewer,
    d: &ipstrack_core::model::Dataset,
    today: Day,
    client: &mut ClientDoc,
) -> Result<Result<(), usize>, WebError> {
    use ipstrack_core::scope::NumberHolder;
    client.possible_duplicate_of = None;
    let Some(nhs) = client
        .nhs_number
        .as_deref()
        .map(ipstrack_core::bundle::nhs_number_as_kept)
    else {
        return Ok(Ok(()));
    };
    Ok(
        match v.scope.nhs_number_holder(d, &client.id, &nhs, today) {
            NumberHolder::Nobody => Ok(()),
            NumberHolder::Visible(at) => Err(at),
            NumberHolder::Hidden(at) => {
                let holder = d.clients[at].id.clone();
                let matched = ipstrack_core::model::OutOfScope {
                    record_type: "client",
                    record_id: holder.clone(),
                    matched_by: "nhs_number",
                };
                crate::extract::audit_out_of_scope(state, v, vec![matched]).await?;
                client.possible_duplicate_of = Some(holder);
                Ok(())
            }
        },
    )
}
