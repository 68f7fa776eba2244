//! The person's fields of a form (a new referral for a new person, and the
//! person's own edit form): given and family name, date of birth, phone,
//! postcode, gender and ethnic category, each checked with a message that
//! says what to enter, before core's checks (BAD-1) have the last word;
//! the person's details form on a referral (saved by `person_edit`), where
//! an NHS number already is, and who the person is as recorded.

use ipstrack_core::Day;
use ipstrack_core::bundle::{
    ClientDoc, ETHNIC_CATEGORIES, GENDERS, MAX_NAME_CHARS, MAX_PHONE_CHARS, postcode_is_valid,
};
use ipstrack_core::bundle::{TextRule, checked_client, read_text};

/// The fields of a person's form, as core names them.
const PERSON_FIELDS: [&str; 8] = ClientDoc::FIELDS;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::WebError;
use crate::referrals::form_date;
use crate::ui::dates::uk_date;
use crate::ui::form::{FieldErrors, FormState, errors_beside, field, select};

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
    pub(super) seen: String,
    #[serde(default)]
    pub(super) nhs_number: String,
    #[serde(flatten)]
    pub(super) person: PersonForm,
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

/// Who the person is, as recorded (nothing when nothing is).
pub(crate) fn person_summary(c: &ipstrack_core::model::Client) -> Markup {
    use ipstrack_core::bundle::{ETHNIC_CATEGORIES, GENDERS, code_words};
    let rows: Vec<(&str, String)> = [
        ("Date of birth", c.date_of_birth.map(uk_date)),
        ("Phone", c.phone.clone()),
        ("Postcode", c.postcode.clone()),
        (
            "Gender",
            c.gender
                .as_deref()
                .map(|g| code_words(&GENDERS, g).to_string()),
        ),
        (
            "Ethnic category",
            c.ethnic_category
                .as_deref()
                .map(|e| code_words(&ETHNIC_CATEGORIES, e).to_string()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    html! {
        @if !rows.is_empty() {
            dl class="person" id="person" {
                @for (k, v) in &rows { dt { (k) } dd { (v) } }
            }
        }
    }
}
