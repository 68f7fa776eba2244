//! A new referral, for a new client or one of the user's caseload: checked
//! (dates, status, specialist, a duplicate NHS number) before it is written.

use crate::saved::saved_redirect;
use axum::extract::State;
use axum::http::StatusCode;
use ipstrack_core::bundle::{self, ClientDoc, ReferralDoc, accepts};
use ipstrack_core::model::ClientIdx;
use ipstrack_core::model::Dataset;
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{Posted, SignedIn, audit_out_of_scope};
use crate::referrals::person::{PersonForm, person_fields};
use crate::referrals::{assignable, form_date};
use crate::ui::form::{FieldErrors, FormState, error_summary, field, options, select};
use crate::ui::layout::{layout, once_field};
use crate::{AppState, Shared, Viewer};
use ipstrack_core::Day;
use maud::{Markup, html};

pub(crate) async fn new_referral_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
) -> Markup {
    let today = state.today();
    let specialists = assignable(&v, &data.dataset, today);
    new_referral_html(
        &v,
        &specialists,
        &crate::ui::form::FormState::default(),
        today,
    )
}

/// A new referral as asked for, by the form or the API: a client of the
/// user's caseloads (`client`) or a new person (their details), the day it
/// was received, the status at referral and the specialist.
#[derive(Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub(crate) struct NewReferral {
    /// A stored client's id; empty for a new person.
    #[serde(default)]
    pub(crate) client: String,
    #[serde(default)]
    pub(crate) nhs_number: String,
    #[serde(default)]
    pub(crate) received: String,
    #[serde(default)]
    pub(crate) status_at_referral: String,
    #[serde(default)]
    pub(crate) es: String,
    /// `yes`: a new person even though someone of the user's caseloads has
    /// the same family name and date of birth (asked once, issue 23).
    #[serde(default)]
    pub(crate) new_person: String,
    /// Who the person is (a new person only).
    #[serde(flatten)]
    pub(crate) person: PersonForm,
}

#[derive(Deserialize, Serialize)]
pub(crate) struct ReferralFormData {
    #[serde(default, skip_serializing)]
    once: String,
    #[serde(flatten)]
    referral: NewReferral,
}

/// The next free id `prefix<n>`.
pub(crate) fn next_id<'a>(prefix: &str, ids: impl Iterator<Item = &'a str>) -> String {
    let n = ids
        .filter_map(|id| id.strip_prefix(prefix)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    format!("{prefix}{n}")
}

/// The records a new referral makes (a new client, if a new person, and the
/// referral), or what to change field by field. The same rules for the form
/// and the API: a client of the user's scope or a new person; an NHS number
/// valid and no other client's; dates real and not in the future; the
/// specialist one the user may refer to. A match with another team's client
/// (by id or NHS number) is answered as none and written to the audit log;
/// a new person with another team's client's NHS number is kept as a
/// possible duplicate of it ([`super::person::place_nhs_number`]).
pub(crate) async fn checked_referral(
    state: &AppState,
    v: &Viewer,
    d: &Dataset,
    today: Day,
    form: &NewReferral,
) -> WebResult<Result<(Option<ClientDoc>, ReferralDoc), FieldErrors>> {
    let specialists = assignable(v, d, today);
    let mut errors: FieldErrors = Vec::new();
    let client = form.client.trim();
    // A client of the user's scope (one of their referrals' clients), or a
    // new one: another team's client is answered as if there were none.
    let client_in_scope = |c: usize| v.scope.client(d, ClientIdx::at(c), today);
    let stored = (!client.is_empty())
        .then(|| d.clients.iter().position(|c| c.id == client))
        .flatten();
    let existing = stored
        .filter(|&c| client_in_scope(c))
        .map(|c| &d.clients[c]);
    let mut matched = Vec::new();
    if !client.is_empty() && existing.is_none() {
        if stored.is_some() {
            matched.push(("client", client.to_string(), "id"));
        }
        errors.push((
            "client",
            "There is no such client in your caseloads: leave it empty for a new person".into(),
        ));
    }
    let nhs = form.nhs_number.replace(' ', "");
    if !nhs.is_empty() && !ipstrack_core::model::nhs_number_is_valid(&nhs) {
        errors.push((
            "nhs_number",
            "Enter a valid 10-digit NHS number, or leave it empty".into(),
        ));
    }
    let matched = matched
        .into_iter()
        .map(
            |(record_type, record_id, matched_by)| ipstrack_core::model::OutOfScope {
                record_type,
                record_id,
                matched_by,
            },
        )
        .collect();
    audit_out_of_scope(state, v, matched).await?;
    if let Err(e) = form_date(
        &form.received,
        "date the referral was received",
        today,
        None,
    ) {
        errors.push(("received", e));
    }
    if !accepts(&bundle::GROUPS, &form.status_at_referral) {
        errors.push((
            "status_at_referral",
            "Select the employment status at referral".into(),
        ));
    }
    if !specialists.iter().any(|(id, _)| *id == form.es) {
        errors.push(("es", "Select an employment specialist".into()));
    }
    // A new person: who they are, checked field by field, and their NHS
    // number placed (issue 21): a client the user can see is named, one they
    // cannot see is never told (the new client is kept as a possible
    // duplicate of it, for a manager to merge).
    let mut new_client = existing.is_none().then(|| {
        let id = next_id("c", d.clients.iter().map(|c| c.id.as_str()));
        let nhs = Some(nhs.clone()).filter(|n| !n.is_empty());
        form.person.checked(&id, nhs, today, &mut errors)
    });
    if let Some(c) = new_client.as_mut()
        && !errors.iter().any(|(f, _)| *f == "nhs_number")
        && let Err(at) = super::person::place_nhs_number(state, v, d, today, c).await?
    {
        let known = &d.clients[at];
        errors.push((
            "nhs_number",
            format!(
                "This NHS number is already {}'s: enter {} as the client to add a referral for this person",
                known.display_name(),
                known.id
            ),
        ));
    }
    // Someone already on the user's caseloads with the same family name and
    // date of birth is probably this person: asked before a second record
    // is made (never about a client the user cannot see).
    if let Some(c) = new_client.as_ref()
        && errors.is_empty()
        && form.new_person.trim() != "yes"
        && let Some(known) = same_person_in_scope(v, d, today, c)
    {
        errors.push((
            "family_name",
            format!(
                "{} (born {}) is already on your caseloads: enter {} as the client to add this referral to them, or tick \"This is a new person\"",
                known.display_name(),
                known.date_of_birth.map(crate::ui::dates::uk_date).unwrap_or_default(),
                known.id
            ),
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let client_id = existing
        .map(|c| c.id.clone())
        .or_else(|| new_client.as_ref().map(|c| c.id.clone()))
        .expect("one");
    let id = next_id("r", d.referrals.iter().map(|r| r.id.as_str()));
    let referral = ReferralDoc {
        es: Some(form.es.clone()),
        ..ReferralDoc::new(
            id,
            client_id,
            form.received.trim().to_string(),
            form.status_at_referral.clone(),
        )
    };
    Ok(Ok((new_client, referral)))
}

pub(crate) async fn create_referral(
    State(state): State<Shared>,
    Posted { data, v, form, .. }: Posted<ReferralFormData>,
) -> WebResult {
    // A form sent again after it was saved: to the referral it made (whose
    // page tells whether it is still the user's to see).
    let once = crate::retry::form_key(
        &v,
        &form.once,
        "new referral".into(),
        "/referrals/new",
        &form,
    )?;
    if let Some(key) = &once
        && let Some(saved) = state.store.done_with(key).await?
    {
        let to = format!("/referrals/{}", saved.referral.id);
        return Ok(saved_redirect(&state, &to, "referral"));
    }
    let today = state.today();
    let (new_client, referral) =
        match checked_referral(&state, &v, &data.dataset, today, &form.referral).await? {
            Ok(records) => records,
            Err(errors) => {
                let specialists = assignable(&v, &data.dataset, today);
                let state_form = FormState::again("referral", &form, errors);
                return Err(WebError::Page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    new_referral_html(&v, &specialists, &state_form, today),
                ));
            }
        };
    let saved = state
        .store
        .create_referral(
            new_client,
            referral,
            once.as_ref(),
            &v.session.user.username,
        )
        .await?;
    state.publish(&saved).await;
    let to = format!("/referrals/{}", saved.referral.id);
    Ok(saved_redirect(&state, &to, "referral"))
}

/// The form for a new referral.
pub fn new_referral_html(
    v: &Viewer,
    specialists: &[(String, String)],
    state: &FormState,
    today: Day,
) -> Markup {
    let max = today.to_string();
    layout(
        v,
        "New referral",
        html! {
            (error_summary(state))
            (FormState::post_form(v, "/referrals/new", html! {
                (once_field())
                (field(state, "referral", "client", "Client id (leave empty for a new person)", "text", None))
                fieldset {
                    legend { "A new person" }
                    (person_fields(state, "referral", today))
                    (field(state, "referral", "nhs_number", "NHS number (optional)", "text", None))
                }
                div class="field" {
                    @let ticked = state.form == "referral" && state.values.iter().any(|(k, v)| k == "new_person" && v == "yes");
                    input id="referral-new_person" name="new_person" type="checkbox" value="yes" checked[ticked];
                    " " label for="referral-new_person" { "This is a new person (not someone already on your caseloads with the same name and date of birth)" }
                }
                (field(state, "referral", "received", "Date the referral was received", "date", Some(&max)))
                (select(state, "referral", "status_at_referral", "Employment status at referral",
                    &options(&[("unemployed", "Unemployed or economically inactive"), ("employed", "In work (job retention)")])))
                (select(state, "referral", "es", "Employment specialist", specialists))
                button type="submit" { "Save referral" }
            }))
        },
    )
}

/// A client of the user's caseloads (one of their referrals in scope) with
/// the new person's family name (any case) and date of birth, if any.
fn same_person_in_scope<'a>(
    v: &Viewer,
    d: &'a ipstrack_core::model::Dataset,
    today: Day,
    new: &ClientDoc,
) -> Option<&'a ipstrack_core::model::Client> {
    let family = new.family_name.as_deref()?.trim().to_lowercase();
    let born = new.date_of_birth.as_deref().and_then(Day::parse)?;
    d.referrals
        .iter()
        .filter(|r| v.scope.referral(d, r, today))
        .map(|r| d.client(r.client))
        .find(|c| {
            c.date_of_birth == Some(born)
                && c.family_name
                    .as_deref()
                    .is_some_and(|f| f.trim().to_lowercase() == family)
        })
}
