//! Employer engagement (issue 13): the ES's contacts with employers, shown on
//! their performance plan page with a weekly count, and recorded, changed
//! and removed there by the ES or their team lead (managers and admins see
//! them). Every write is audited by the store; a stale edit comes back with
//! the form kept (409).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use ipstrack_core::Day;
use ipstrack_core::Loaded;
use ipstrack_core::attribution::assigned_on;
use ipstrack_core::bundle::{
    EMPLOYER_CONTACT_KINDS, EmployerContactDoc, MAX_EMPLOYER_CHARS, MAX_NOTE_CHARS, accepts,
    employer_contact_document,
};
use ipstrack_core::bundle::{TextRule, read_text};
use ipstrack_core::employer_engagement::{EmployerEngagement, employer_engagement};
use ipstrack_core::model::StaffIdx;
use ipstrack_core::model::{EmployerContactKind, Role};
use ipstrack_core::report::PartReport;
use ipstrack_core::time::DayRange;
use ipstrack_store::StoreError;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use crate::error::{WebError, WebResult};
use crate::extract::{Allowed, Posted, SignedIn, specialist_in_scope};
use crate::referrals::form_date;
use crate::saved::saved_redirect;
use crate::ui::dates::uk_date;
use crate::ui::form::{FieldErrors, FormState, error_summary, field, select, textarea};
use crate::ui::layout::layout;
use crate::viewer::Viewer;
use crate::{AppState, Shared};

/// Recording, changing and removing employer contacts.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/specialists/{id}/employer-contacts", post(record))
        .route(
            "/specialists/{id}/employer-contacts/{contact}",
            get(edit_page).post(change),
        )
        .route(
            "/specialists/{id}/employer-contacts/{contact}/remove",
            post(remove),
        )
}

/// Who records employer contacts: the ES themselves and their team lead.
pub(crate) struct EsAndLeads;
impl Allowed for EsAndLeads {
    const ROLES: &'static [Role] = &[Role::Es, Role::TeamLead];
}

/// The form's name, its fields' ids start with it.
const FORM: &str = "employer-contact";

#[derive(Deserialize, Serialize)]
pub(crate) struct EmployerContactForm {
    date: String,
    employer: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
    /// The client it was for: a client id of the ES's caseload, or empty.
    #[serde(default)]
    client: String,
    /// The version the edit form showed (an edit only).
    #[serde(default, skip_serializing)]
    version: String,
}

/// The words of each kind, as people read them.
fn kind_words(kind: EmployerContactKind) -> &'static str {
    match kind {
        EmployerContactKind::Visit => "Visit",
        EmployerContactKind::Call => "Call",
        EmployerContactKind::Email => "Email",
    }
}

/// The clients an employer contact of ES `es` can be for: the people on
/// their caseload today, by name.
fn caseload_clients(data: &Loaded, es: usize, today: Day) -> Vec<(String, String)> {
    let d = &data.dataset;
    let mut clients: Vec<(String, String)> = d
        .counted_referrals()
        .map(|(_, r)| r)
        .filter(|r| {
            r.discharge.as_ref().is_none_or(|x| x.date > today)
                && assigned_on(r, today, today) == Some(StaffIdx::at(es))
        })
        .map(|r| {
            let c = d.client(r.client);
            (c.id.clone(), c.display_name())
        })
        .collect();
    clients.sort_by(|a, b| a.1.cmp(&b.1));
    clients.dedup();
    clients
}

/// The employer engagement section of an ES's plan page: the period's
/// weekly counts, the contacts, and (for the ES and their lead) the form.
pub(crate) fn section(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    r: &PartReport,
    today: Day,
    form: &FormState,
) -> Markup {
    let d = &data.dataset;
    let staff = &d.staff[es];
    let end = r.period.end.min(r.as_of);
    let e = employer_engagement(d, StaffIdx::at(es), DayRange::new(r.period.start, end));
    let weeks = e.weeks.len().max(1);
    let may_record = may_record(v, data, es);
    html! {
        section aria-labelledby="employer-engagement-heading" id="employer-engagement" class="employer-engagement" {
            h2 id="employer-engagement-heading" { "Employer engagement" }
            p id="employer-engagement-summary" {
                (e.total()) " employer " (if e.total() == 1 { "contact" } else { "contacts" })
                " from " (uk_date(r.period.start)) " to " (uk_date(end)) ", "
                (e.visits()) " of them " (if e.visits() == 1 { "a visit" } else { "visits" })
                ": " (format!("{:.1}", f64::from(e.total()) / weeks as f64)) " a week on average. "
                "The IPS fidelity scale looks for at least 6 face-to-face employer contacts a week."
            }
            @if may_record {
                (contact_form(v, data, es, today, form, None))
            } @else {
                p class="no-print" { (staff.name) " or their team lead records their employer contacts." }
            }
            div class="no-print" {
                (weeks_table(&e))
                (contacts_table(v, data, &e, may_record))
            }
        }
    }
}

/// The ES and their team lead may record an ES's employer contacts (core's
/// rule of scope).
fn may_record(v: &Viewer, data: &Loaded, es: usize) -> bool {
    v.scope
        .records_employer_contacts_of(&data.dataset, StaffIdx::at(es))
}

/// Weeks shown in the table of weekly counts (the period's last ones).
const WEEKS_SHOWN: usize = 13;

fn weeks_table(e: &EmployerEngagement) -> Markup {
    html! {
        table class="employer-weeks" {
            caption { "Employer contacts by week (Monday to Sunday): the period's last "
                (e.weeks.len().min(WEEKS_SHOWN)) " weeks, the latest first" }
            thead { tr {
                th scope="col" { "Week beginning" } th scope="col" class="num" { "Visits" }
                th scope="col" class="num" { "Calls" } th scope="col" class="num" { "Emails" }
                th scope="col" class="num" { "All" }
            } }
            tbody { @for w in e.weeks.iter().rev().take(WEEKS_SHOWN) { tr {
                th scope="row" { (uk_date(w.monday)) }
                td class="num" { (w.visits) } td class="num" { (w.calls) }
                td class="num" { (w.emails) } td class="num" { (w.total()) }
            } } }
        }
    }
}

/// Employer contacts listed on the plan page (the period's latest).
const CONTACTS_SHOWN: usize = 25;

fn contacts_table(v: &Viewer, data: &Loaded, e: &EmployerEngagement, may_record: bool) -> Markup {
    let d = &data.dataset;
    let n = e.contacts.len();
    html! {
        @if e.contacts.is_empty() {
            p id="employer-contacts-none" { "No employer contacts recorded in this period." }
        } @else {
            table class="employer-contacts" {
                caption {
                    @if n > CONTACTS_SHOWN {
                        "The latest " (CONTACTS_SHOWN) " of the period's " (n) " employer contacts (choose a shorter period to see earlier ones)"
                    } @else {
                        "Employer contacts in the period, the latest first"
                    }
                }
                thead { tr {
                    th scope="col" { "Date" } th scope="col" { "Employer" } th scope="col" { "How" }
                    th scope="col" { "For" } th scope="col" { "Note" }
                    @if may_record { th scope="col" { span class="visually-hidden" { "Correct" } } }
                } }
                tbody { @for c in e.contacts.iter().take(CONTACTS_SHOWN) { tr {
                    td { (uk_date(c.date)) } td { (c.employer) } td { (kind_words(c.kind)) }
                    td { @if let Some(client) = c.client { (d.client(client).display_name()) } @else { "–" } }
                    td { (c.note.as_deref().unwrap_or("")) }
                    @if may_record { td class="actions" {
                        @let es = &d.staff_member(c.es).id;
                        a class="button secondary" href=(format!("/specialists/{es}/employer-contacts/{}", c.id))
                            aria-label=(format!("Change: {} on {}", c.employer, uk_date(c.date))) { "Change" }
                        " "
                        form method="post" action=(format!("/specialists/{es}/employer-contacts/{}/remove", c.id)) data-confirm="Remove this employer contact? The audit log keeps a copy." {
                            input type="hidden" name="csrf" value=(v.session.csrf);
                            input type="hidden" name="version" value=(c_version(data, &c.id));
                            button type="submit" class="secondary"
                                aria-label=(format!("Remove: {} on {}", c.employer, uk_date(c.date))) { "Remove" }
                        }
                    } }
                } } }
            }
        }
    }
}

/// The version of an employer contact as the snapshot knows it: its
/// fingerprint, so that a removal or edit from an older page is refused.
fn c_version(data: &Loaded, id: &str) -> String {
    data.dataset
        .employer_contacts
        .iter()
        .find(|c| c.id == id)
        .map(|c| fingerprint(&employer_contact_document(&data.dataset, c)))
        .unwrap_or_default()
}

/// A short hash of an employer contact as stored: what an edit form saw.
fn fingerprint(doc: &EmployerContactDoc) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(doc).expect("serialises");
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

/// The form recording an employer contact, or changing `editing` (its id
/// and the fingerprint the page showed).
fn contact_form(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    today: Day,
    form: &FormState,
    editing: Option<(&str, &str)>,
) -> Markup {
    let staff = &data.dataset.staff[es];
    let action = match editing {
        Some((id, _)) => format!("/specialists/{}/employer-contacts/{id}", staff.id),
        None => format!("/specialists/{}/employer-contacts", staff.id),
    };
    let mut kinds = vec![(String::new(), "Select".to_string())];
    kinds.extend(
        EMPLOYER_CONTACT_KINDS
            .iter()
            .map(|(word, k)| (word.to_string(), kind_words(*k).to_string())),
    );
    let mut clients = vec![(String::new(), "No one in particular".to_string())];
    clients.extend(caseload_clients(data, es, today));
    let form_here = if form.form == FORM {
        form.clone()
    } else {
        FormState::default()
    };
    html! {
        section aria-labelledby="employer-contact-heading" class="panel no-print" {
            h3 id="employer-contact-heading" {
                @if editing.is_some() { "Change the employer contact" } @else { "Record an employer contact" }
            }
            (error_summary(&form_here))
            form method="post" action=(action) novalidate {
                input type="hidden" name="csrf" value=(v.session.csrf);
                @if let Some((_, version)) = editing { input type="hidden" name="version" value=(version); }
                (field(&form_here, FORM, "date", "Date", "date", Some(&today.to_string())))
                (field(&form_here, FORM, "employer", "Employer", "text", None))
                (select(&form_here, FORM, "kind", "How", &kinds))
                (select(&form_here, FORM, "client", "For a client (optional)", &clients))
                (textarea(&form_here, FORM, "note", "Note (optional): what was said, the next step", MAX_NOTE_CHARS))
                button type="submit" { "Save" }
            }
        }
    }
}

/// The posted form checked: the contact to write, or the errors by field.
fn checked(
    data: &Loaded,
    es: usize,
    today: Day,
    form: &EmployerContactForm,
    id: &str,
) -> Result<EmployerContactDoc, FieldErrors> {
    let staff = &data.dataset.staff[es];
    let mut errors: FieldErrors = Vec::new();
    if let Err(e) = form_date(
        &form.date,
        "date of the employer contact",
        today,
        Some((staff.start_date, "ES's start in post")),
    ) {
        errors.push(("date", e));
    }
    // Text read as core reads it (trimmed, within its limit, something
    // visible, nothing that reorders it), in the form's words.
    let employer = form.employer.trim();
    match read_text(employer, TextRule::line(MAX_EMPLOYER_CHARS)) {
        Ok(Some(_)) => {}
        Ok(None) => errors.push(("employer", "Enter the employer's name".into())),
        Err(problem) => errors.push((
            "employer",
            format!("The employer's name {}", problem.words()),
        )),
    }
    if !accepts(&EMPLOYER_CONTACT_KINDS, &form.kind) {
        errors.push(("kind", "Select how the contact was made".into()));
    }
    let client = Some(form.client.trim().to_string()).filter(|c| !c.is_empty());
    if let Some(c) = &client
        && !caseload_clients(data, es, today)
            .iter()
            .any(|(id, _)| id == c)
    {
        errors.push((
            "client",
            "Select a client of this caseload, or no one".into(),
        ));
    }
    if let Err(problem) = read_text(&form.note, TextRule::lines(MAX_NOTE_CHARS)) {
        errors.push(("note", format!("The note {}", problem.words())));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EmployerContactDoc {
        id: id.to_string(),
        es: staff.id.clone(),
        date: form.date.trim().to_string(),
        employer: employer.to_string(),
        kind: form.kind.clone(),
        note: Some(form.note.trim().to_string()).filter(|n| !n.is_empty()),
        client,
    })
}

/// The ES of the address, if the poster may record their employer contacts.
fn es_for_writing(v: &Viewer, data: &Loaded, id: &str) -> WebResult<usize> {
    specialist_in_scope(v, &data.dataset, id)
        .filter(|&es| may_record(v, data, es))
        .ok_or_else(|| WebError::out_of_scope(v, "staff", id))
}

/// The plan page again with the form's errors.
fn plan_again(
    state: &AppState,
    v: &Viewer,
    data: &crate::Snapshot,
    es: usize,
    status: StatusCode,
    form: FormState,
) -> WebResult<WebError> {
    let page = super::plan_page(state, v, data, es, &Default::default(), &form, None)?;
    Ok(WebError::Page(status, page))
}

async fn record(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted<EmployerContactForm, EsAndLeads>,
) -> WebResult {
    let Posted { data, v, form, .. } = posted;
    let es = es_for_writing(&v, &data, &id)?;
    let today = state.today();
    let doc = match checked(&data, es, today, &form, "") {
        Ok(doc) => doc,
        Err(errors) => {
            let again = FormState::again(FORM, &form, errors);
            return Err(plan_again(
                &state,
                &v,
                &data,
                es,
                StatusCode::UNPROCESSABLE_ENTITY,
                again,
            )?);
        }
    };
    state
        .store
        .record_employer_contact(&doc, &v.session.user.username)
        .await?;
    state.publish_employer_contacts().await;
    Ok(saved_redirect(
        &state,
        &format!("/specialists/{id}/plan#saved"),
        "employer-contact",
    ))
}

/// The stored contact `contact` of ES `es`, with its version.
async fn stored_contact(
    state: &AppState,
    v: &Viewer,
    data: &Loaded,
    es: usize,
    contact: &str,
) -> WebResult<ipstrack_store::SavedEmployerContact> {
    let saved = state
        .store
        .employer_contact(contact)
        .await?
        .ok_or(WebError::NotFound)?;
    if saved.contact.es != data.dataset.staff[es].id {
        return Err(WebError::out_of_scope(v, "employer contact", contact));
    }
    Ok(saved)
}

async fn edit_page(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
    Path((id, contact)): Path<(String, String)>,
) -> WebResult<Markup> {
    let es = es_for_writing(&v, &data, &id)?;
    let saved = stored_contact(&state, &v, &data, es, &contact).await?;
    let c = &saved.contact;
    let form = FormState {
        form: FORM,
        values: [
            ("date", &c.date),
            ("employer", &c.employer),
            ("kind", &c.kind),
            ("note", &c.note.clone().unwrap_or_default()),
            ("client", &c.client.clone().unwrap_or_default()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        ..Default::default()
    };
    Ok(edit_html(
        &v,
        &data,
        es,
        state.today(),
        &form,
        &contact,
        &fingerprint(c),
    ))
}

fn edit_html(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    today: Day,
    form: &FormState,
    contact: &str,
    version: &str,
) -> Markup {
    let staff = &data.dataset.staff[es];
    layout(
        v,
        &format!("Employer contact: {}", staff.name),
        html! {
            p { a href=(format!("/specialists/{}/plan#employer-engagement", staff.id)) { "Back to the performance plan" } }
            (contact_form(v, data, es, today, form, Some((contact, version))))
        },
    )
}

async fn change(
    State(state): State<Shared>,
    Path((id, contact)): Path<(String, String)>,
    posted: Posted<EmployerContactForm, EsAndLeads>,
) -> WebResult<Response> {
    let Posted { data, v, form, .. } = posted;
    let es = es_for_writing(&v, &data, &id)?;
    let saved = stored_contact(&state, &v, &data, es, &contact).await?;
    let today = state.today();
    let again = |errors| FormState::again(FORM, &form, errors);
    let page = |status, errors| {
        WebError::Page(
            status,
            edit_html(
                &v,
                &data,
                es,
                today,
                &again(errors),
                &contact,
                &form.version,
            ),
        )
    };
    let doc = checked(&data, es, today, &form, &contact)
        .map_err(|errors| page(StatusCode::UNPROCESSABLE_ENTITY, errors))?;
    if fingerprint(&saved.contact) != form.version.trim() {
        return Err(stale(&v, &data, es, today, &again(vec![]), &saved));
    }
    match state
        .store
        .change_employer_contact(&doc, saved.version, &v.session.user.username)
        .await
    {
        Ok(_) => {}
        Err(StoreError::Changed(_)) => {
            let now = stored_contact(&state, &v, &data, es, &contact).await?;
            return Err(stale(&v, &data, es, today, &again(vec![]), &now));
        }
        Err(e) => return Err(e.into()),
    }
    state.publish_employer_contacts().await;
    Ok(saved_redirect(
        &state,
        &format!("/specialists/{id}/plan#saved"),
        "edit",
    ))
}

/// A change from a page that showed an older version: the form comes back
/// (409) with what was typed, to be saved again over the contact as it is now.
fn stale(
    v: &Viewer,
    data: &Loaded,
    es: usize,
    today: Day,
    typed: &FormState,
    now: &ipstrack_store::SavedEmployerContact,
) -> WebError {
    let form = FormState {
        errors: vec![(
            "date",
            "This employer contact was changed by someone else since you opened it, so your change was not saved. \
             Check the form and save it again if it is still needed."
                .into(),
        )],
        ..typed.clone()
    };
    WebError::Page(
        StatusCode::CONFLICT,
        edit_html(
            v,
            data,
            es,
            today,
            &form,
            &now.contact.id,
            &fingerprint(&now.contact),
        ),
    )
}

#[derive(Deserialize)]
pub(crate) struct RemoveForm {
    version: String,
}

async fn remove(
    State(state): State<Shared>,
    Path((id, contact)): Path<(String, String)>,
    posted: Posted<RemoveForm, EsAndLeads>,
) -> WebResult {
    let Posted { data, v, form, .. } = posted;
    let es = es_for_writing(&v, &data, &id)?;
    let saved = stored_contact(&state, &v, &data, es, &contact).await?;
    let changed_since = || {
        WebError::Text(
            StatusCode::CONFLICT,
            "This employer contact was changed by someone else since the page was opened, so it was not removed: go back and reload the page.".into(),
        )
    };
    if fingerprint(&saved.contact) != form.version.trim() {
        return Err(changed_since());
    }
    match state
        .store
        .remove_employer_contact(&contact, saved.version, &v.session.user.username)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Changed(_)) => return Err(changed_since()),
        Err(e) => return Err(e.into()),
    }
    state.publish_employer_contacts().await;
    Ok(saved_redirect(
        &state,
        &format!("/specialists/{id}/plan#saved"),
        "remove",
    ))
}
