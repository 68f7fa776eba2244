//! The ipstrack web application: server-rendered pages (no JavaScript needed)
//! and a JSON API, for employment specialists, team leads and managers.
//!
//! Every request is authorised on the server by role and team: an ES sees
//! their own caseload, a team lead their team, a manager and an admin the
//! whole service. A record outside one's scope answers 404 and is logged (by
//! id only: no names, NHS numbers or notes ever reach the logs).

mod admin;
mod api;
mod assets;
mod auth;
mod data_quality;
mod import;
mod pages;
mod period;
mod plan;
mod returns;
mod server;
mod service;
mod state;
mod team;

pub use server::{Limits, serve};
pub use state::{AppState, Config, Snapshot};
use state::{Shared, follow_changes};

use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ipstrack_core::bundle::{self, ContactDoc, accepts};
use ipstrack_core::model::{Dataset, Role as StaffRole};
use ipstrack_core::report::assigned_on;
use ipstrack_core::{Day, Loaded};
use ipstrack_store::{Entry, Role, Session, Step, Store, StoreError};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

const SESSION_COOKIE: &str = "ipstrack_session";
/// Builds the application on an opened store.
pub async fn app(store: Store, config: Config) -> Result<Router, StoreError> {
    let (loaded, seq) = store.load_with_change().await?;
    let state = Arc::new(AppState {
        store,
        data: RwLock::new(Arc::new(Snapshot::new(loaded))),
        publish: Mutex::new(()),
        applied_change: AtomicI64::new(seq),
        config,
        uploads: import::Uploads::default(),
    });
    let secure_cookies = state.config.secure_cookies;
    tokio::spawn(follow_changes(Arc::downgrade(&state)));
    let router = Router::new()
        .route("/", get(home))
        .merge(auth::routes())
        .merge(team::routes())
        .merge(plan::routes())
        .merge(service::routes())
        .merge(data_quality::routes())
        .merge(admin::routes())
        .merge(api::routes())
        .merge(returns::routes())
        .route("/caseload", get(caseload))
        .route(
            "/referrals/new",
            get(new_referral_page).post(create_referral),
        )
        .route("/referrals/{id}", get(referral_page))
        .route("/referrals/{id}/contacts", post(add_contact))
        .route("/referrals/{id}/{step}", post(record_step))
        .route("/referrals/{id}/jobs", post(add_job))
        .route(
            "/import",
            get(import::import_page)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES)),
        )
        .route("/import/confirm", post(import::confirm))
        .route(assets::STYLE.path(), get(stylesheet))
        .route(assets::SCRIPT.path(), get(script))
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // Every answer may hold personal data unless it says otherwise (the
        // stylesheet and script do): browsers and proxies keep none of it.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    // Behind HTTPS (told by --secure-cookies), browsers are told to stay on it.
    let router = if secure_cookies {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    Ok(router)
}

// ---------------------------------------------------------------------------
// Who is asking
// ---------------------------------------------------------------------------

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}")
}

/// The signed-in user, with their place in the service.
pub struct Viewer {
    pub session: Session,
    /// Their staff record (index in the dataset), if linked.
    pub staff: Option<usize>,
    /// Their team (index), from the staff record.
    pub team: Option<u32>,
}

/// A script's token (`Authorization: Bearer …`), else the session cookie.
fn token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.or_else(|| cookie(headers, SESSION_COOKIE))
}

async fn viewer(state: &AppState, headers: &HeaderMap, data: &Dataset) -> Option<Viewer> {
    let token = token(headers)?;
    let session = state.store.session(token).await.ok()??;
    let staff = session
        .user
        .staff_id
        .as_deref()
        .and_then(|id| data.staff.iter().position(|s| s.id == id));
    let team = staff.map(|i| data.staff[i].team);
    Some(Viewer {
        session,
        staff,
        team,
    })
}

/// The referrals a viewer may see, by index: an ES their own (assigned
/// today), a team lead their team's, a manager or admin every one.
fn in_scope(viewer: &Viewer, data: &Dataset, referral: usize, today: Day) -> bool {
    let r = &data.referrals[referral];
    match viewer.session.user.role {
        Role::Manager | Role::Admin => true,
        Role::TeamLead => assigned_on(r, today, today)
            .is_some_and(|es| Some(data.staff[es as usize].team) == viewer.team),
        Role::Es => {
            assigned_on(r, today, today).is_some_and(|es| Some(es as usize) == viewer.staff)
        }
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(pages::not_found().into_string()),
    )
        .into_response()
}

fn forbidden_as_not_found(viewer: &Viewer, what: &str, id: &str) -> Response {
    tracing::warn!(user = %viewer.session.user.username, record = ?format!("{what} {id}"), "refused: outside the user's scope");
    not_found()
}

/// A page that cannot be shown as asked (a bad period, say): 400 with the reason.
fn bad_request(v: &Viewer, title: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(pages::layout(v, title, pages::message(message)).into_string()),
    )
        .into_response()
}

fn to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn server_error<E: std::fmt::Display + 'static>(e: E) -> Response {
    // A busy database or a full disk is not a fault of the request: say so
    // plainly, with when to try again (503), and nothing was saved.
    if let Some(store) = (&e as &dyn std::any::Any).downcast_ref::<StoreError>() {
        let text = match store {
            StoreError::Busy => Some(
                "The database is busy with another change (an import or a backup). Nothing was saved: try again in a minute.",
            ),
            StoreError::Full => Some(
                "The server's disk is full, so nothing was saved. Tell your administrator; try again once they have made space.",
            ),
            _ => None,
        };
        if let Some(text) = text {
            tracing::warn!(error = %e, "request refused for now");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
                text,
            )
                .into_response();
        }
    }
    tracing::error!(error = %e, "request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong; it has been logged.",
    )
        .into_response()
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

async fn stylesheet(headers: HeaderMap) -> Response {
    assets::STYLE.respond(&headers)
}

async fn script(headers: HeaderMap) -> Response {
    assets::SCRIPT.respond(&headers)
}

async fn home(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    match v.session.user.role {
        Role::Es => Redirect::to("/caseload").into_response(),
        Role::TeamLead => Redirect::to("/team").into_response(),
        Role::Manager | Role::Admin => Redirect::to("/service").into_response(),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

#[derive(Deserialize)]
struct EsQuery {
    es: Option<String>,
}

async fn caseload(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<EsQuery>,
) -> Response {
    let data = state.data();
    let d = &data.dataset;
    let Some(v) = viewer(&state, &headers, d).await else {
        return to_sign_in();
    };
    let today = state.today();
    // Whose caseload: one's own, or (team leads, managers) an ES in scope.
    let es = match &q.es {
        None => v.staff,
        Some(id) => specialist_in_scope(&v, d, id),
    };
    let Some(es) = es else {
        return match &q.es {
            Some(id) => forbidden_as_not_found(&v, "staff", id),
            None => Html(pages::layout(&v, "My caseload", pages::no_caseload()).into_string())
                .into_response(),
        };
    };
    Html(pages::caseload(&v, &data, es, today, &data.worklist(today)).into_string()).into_response()
}

/// An ES (by staff id) the viewer may see the caseload and plan of: an ES
/// themselves, a team lead their team's ES, a manager or admin any ES.
fn specialist_in_scope(v: &Viewer, data: &Dataset, id: &str) -> Option<usize> {
    let i = data
        .staff
        .iter()
        .position(|s| s.id == id && s.role == StaffRole::Es)?;
    let allowed = match v.session.user.role {
        Role::Es => v.staff == Some(i),
        Role::TeamLead => v.team == Some(data.staff[i].team),
        Role::Manager | Role::Admin => true,
    };
    allowed.then_some(i)
}

async fn referral_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    let today = state.today();
    match data.referral_index(&id) {
        Some(i) if in_scope(&v, &data.dataset, i, today) => Html(
            pages::referral(
                &v,
                &data,
                i,
                today,
                &pages::FormState::default(),
                &assignable(&v, &data.dataset, today),
            )
            .into_string(),
        )
        .into_response(),
        found => match audit_out_of_scope(&state, &v, referral_matched(found, &id)).await {
            Ok(()) => forbidden_as_not_found(&v, "referral", &id),
            Err(response) => response,
        },
    }
}

/// Writes to the audit log that a request matched stored records outside
/// the user's scope (the user is answered as if there were none).
async fn audit_out_of_scope(
    state: &AppState,
    v: &Viewer,
    matched: Vec<ipstrack_core::model::OutOfScope>,
) -> Result<(), Response> {
    state
        .store
        .audit_out_of_scope(&v.session.user.username, &matched)
        .await
        .map_err(server_error)
}

/// The audit entry of a referral asked for by id outside the user's scope
/// (none when there is no such referral).
fn referral_matched(found: Option<usize>, id: &str) -> Vec<ipstrack_core::model::OutOfScope> {
    found
        .map(|_| ipstrack_core::model::OutOfScope {
            record_type: "referral",
            record_id: id.to_string(),
            matched_by: "id",
        })
        .into_iter()
        .collect()
}

/// What every form post checks first: a signed-in user and the session's CSRF token.
async fn signed_in_form(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(Arc<Snapshot>, Viewer), Response> {
    let data = state.data();
    let Some(v) = viewer(state, headers, &data.dataset).await else {
        return Err(to_sign_in());
    };
    if !same(&v.session.csrf, csrf) {
        return Err((
            StatusCode::FORBIDDEN,
            "The form has expired: reload the page.",
        )
            .into_response());
    }
    Ok((data, v))
}

/// What every data-entry request on a referral checks first: a session, the
/// CSRF token, and the referral within the user's scope.
async fn referral_for_write(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    csrf: &str,
) -> Result<(Arc<Snapshot>, Viewer, usize, Day), Response> {
    let (data, v) = signed_in_form(state, headers, csrf).await?;
    let today = state.today();
    match data.referral_index(id) {
        Some(i) if in_scope(&v, &data.dataset, i, today) => Ok((data, v, i, today)),
        found => {
            audit_out_of_scope(state, &v, referral_matched(found, id)).await?;
            Err(forbidden_as_not_found(&v, "referral", id))
        }
    }
}

type FieldErrors = Vec<(&'static str, String)>;

/// A date typed into a form: real, not in the future, not before `earliest`.
fn form_date(
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

/// Shows the referral page again with the form's errors (422).
fn invalid(v: &Viewer, data: &Loaded, i: usize, today: Day, state: pages::FormState) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(
            pages::referral(
                v,
                data,
                i,
                today,
                &state,
                &assignable(v, &data.dataset, today),
            )
            .into_string(),
        ),
    )
        .into_response()
}

/// Records one step on a referral in the store (only its own rows), puts the
/// referral as stored into the snapshot and shows it (303). An edit from a page
/// that showed an older version is refused: the page comes back (409) with the
/// referral as it is now and the change, not saved, still in its form.
async fn write_step(
    state: &AppState,
    v: &Viewer,
    id: &str,
    (step, seen_version, once): (Step, Option<i64>, Option<&str>),
    form: pages::FormState,
) -> Response {
    match state
        .store
        .change_referral_once(id, &step, seen_version, once, &v.session.user.username)
        .await
    {
        Ok(saved) => {
            if let Err(e) = state.publish(&saved).await {
                return server_error(e);
            }
            Redirect::to(&format!("/referrals/{id}")).into_response()
        }
        Err(StoreError::Conflict { .. }) => {
            // Show the referral as it is now: load it into the snapshot first.
            match state.store.referral(id).await {
                Ok(Some(saved)) => {
                    if let Err(e) = state.publish(&saved).await {
                        return server_error(e);
                    }
                }
                Ok(None) => return not_found(),
                Err(e) => return server_error(e),
            }
            let data = state.data();
            let today = state.today();
            let Some(i) = data.referral_index(id) else {
                return not_found();
            };
            // The error links to the form's first field.
            let field = match form.form {
                "hold" | "waiting" | "decision" => "start",
                _ => "date",
            };
            let state_form = pages::FormState {
                errors: vec![(
                    field,
                    "This referral was changed by someone else since you opened it, so your change was not saved. \
                     The page now shows the referral as it is; your change is still in its form below: check it and save it again if it is still needed."
                        .into(),
                )],
                ..form
            };
            let mut response = invalid(v, &data, i, today, state_form);
            *response.status_mut() = StatusCode::CONFLICT;
            response
        }
        Err(StoreError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors.to_string()).into_response()
        }
        Err(StoreError::NotFound(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is no such entry: reload the page.",
        )
            .into_response(),
        Err(e) => server_error(e),
    }
}

/// A form's one-time token, if it sent one.
fn once(token: &str) -> Option<&str> {
    Some(token.trim()).filter(|t| !t.is_empty())
}

#[derive(Deserialize)]
struct ContactFormData {
    csrf: String,
    #[serde(default)]
    once: String,
    date: String,
    kind: String,
    /// How it was held; empty (or absent) when not recorded.
    #[serde(default)]
    mechanism: String,
}

async fn add_contact(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ContactFormData>,
) -> Response {
    let (data, v, i, today) = match referral_for_write(&state, &headers, &id, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
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
    if !errors.is_empty() {
        let values = vec![
            ("date".into(), form.date.clone()),
            ("kind".into(), form.kind.clone()),
            ("mechanism".into(), form.mechanism.clone()),
        ];
        return invalid(
            &v,
            &data,
            i,
            today,
            pages::FormState {
                form: "contact",
                values,
                errors,
            },
        );
    }
    let contact = ContactDoc {
        date: form.date.trim().to_string(),
        kind: form.kind.clone(),
        mechanism,
    };
    write_step(
        &state,
        &v,
        &id,
        (Step::Contact(contact), None, once(&form.once)),
        pages::FormState::default(),
    )
    .await
}

/// The steps of an episode recorded from the referral page, each a small
/// form: access, the vocational plan, discharge, a hold, a waiting-list spell,
/// an engagement change, a team decision and a transfer. Every date is checked
/// (real, not in the future, not before the referral; an end not before its
/// start), and the referral is saved through the same checks as an import.
async fn record_step(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").cloned().unwrap_or_default();
    let (data, v, i, today) = match referral_for_write(&state, &headers, &id, &csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let d = &data.dataset;
    let r = &d.referrals[i];
    let value = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors: FieldErrors = Vec::new();
    let after_received = Some((r.received, "referral"));
    let mut date = |name: &'static str,
                    what: &str,
                    optional: bool,
                    earliest: Option<(Day, &str)>|
     -> Option<Day> {
        let text = value(name);
        if optional && text.is_empty() {
            return None;
        }
        form_date(&text, what, today, earliest)
            .map_err(|e| errors.push((name, e)))
            .ok()
    };
    use ipstrack_core::bundle::{
        DecisionDoc, DischargeDoc, EngagementDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
    };
    let text = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
    let (step_name, change): (&'static str, Step) = match step.as_str() {
        "access" => {
            let day = date("date", "date of access", false, after_received);
            ("access", Step::Access(text(day)))
        }
        "plan" => {
            let day = date(
                "date",
                "start of the vocational plan",
                false,
                after_received,
            );
            (
                "plan",
                Step::Plan(SpellDoc {
                    start: text(day),
                    end: None,
                }),
            )
        }
        "discharge" => {
            let day = date("date", "date of discharge", false, after_received);
            let reason = Some(value("reason")).filter(|r| !r.is_empty());
            (
                "discharge",
                Step::Discharge(DischargeDoc {
                    date: text(day),
                    reason,
                }),
            )
        }
        "hold" | "waiting" | "decision" => {
            let start = date("start", "start date", false, after_received);
            let end = date("end", "end date", true, start.map(|s| (s, "start")));
            let (start, end) = (text(start), end.map(|d| d.to_string()));
            match step.as_str() {
                "hold" => ("hold", Step::Hold(SpellDoc { start, end })),
                "waiting" => {
                    let expected = value("expected_return");
                    let expected_return = if expected.is_empty() {
                        None
                    } else if Day::parse(&expected).is_some() {
                        Some(expected)
                    } else {
                        errors.push((
                            "expected_return",
                            "Enter the expected return as a real date".into(),
                        ));
                        None
                    };
                    (
                        "waiting",
                        Step::Waiting(WaitingSpellDoc {
                            start,
                            end,
                            expected_return,
                        }),
                    )
                }
                _ => {
                    let status = value("status");
                    if !accepts(&bundle::DECISIONS, &status) {
                        errors.push((
                            "status",
                            "Select whether the team decided active or inactive".into(),
                        ));
                    }
                    let reason = value("reason");
                    if reason.is_empty() {
                        errors.push(("reason", "Give the reason the team agreed".into()));
                    }
                    (
                        "decision",
                        Step::Decision(DecisionDoc {
                            start,
                            end,
                            status,
                            reason: Some(reason),
                        }),
                    )
                }
            }
        }
        "engagement" => {
            let day = date("date", "date of the change", false, after_received);
            let status = value("status");
            if !accepts(&bundle::ENGAGEMENTS, &status) {
                errors.push(("status", "Select the engagement status".into()));
            }
            (
                "engagement",
                Step::Engagement(EngagementDoc {
                    date: text(day),
                    status,
                }),
            )
        }
        "transfer" => {
            let day = date("date", "date of the transfer", false, after_received);
            let to = value("es");
            let allowed = assignable(&v, d, today);
            if !allowed.iter().any(|(id, _)| *id == to) {
                errors.push(("es", "Select an employment specialist in your scope".into()));
            }
            (
                "transfer",
                Step::Transfer(TransferDoc {
                    date: text(day),
                    es: to,
                }),
            )
        }
        "remove" => {
            // A correction: take one recorded item out (the audit log keeps the old value).
            let index: usize = value("index").parse().unwrap_or(usize::MAX);
            let entry = match value("kind").as_str() {
                "access" => Entry::Access,
                "plan" => Entry::Plan,
                "discharge" => Entry::Discharge,
                "contact" => Entry::Contact,
                "hold" => Entry::Hold,
                "waiting" => Entry::Waiting,
                "engagement" => Entry::Engagement,
                "decision" => Entry::Decision,
                "transfer" => Entry::Transfer,
                "job" => Entry::Job,
                _ => {
                    return (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "There is no such entry to remove: reload the page.",
                    )
                        .into_response();
                }
            };
            ("remove", Step::Remove { entry, index })
        }
        _ => return not_found(),
    };
    let values: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "version" | "once"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !errors.is_empty() {
        return invalid(
            &v,
            &data,
            i,
            today,
            pages::FormState {
                form: step_name,
                values,
                errors,
            },
        );
    }
    // The version the page showed: an edit is refused if the referral changed since.
    let seen_version = form
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let token = form.get("once").cloned().unwrap_or_default();
    write_step(
        &state,
        &v,
        &id,
        (change, seen_version, once(&token)),
        pages::FormState {
            form: step_name,
            values,
            errors: Vec::new(),
        },
    )
    .await
}

#[derive(Deserialize)]
struct JobFormData {
    csrf: String,
    #[serde(default)]
    once: String,
    #[serde(rename = "type")]
    kind: String,
    employer: String,
    start: String,
    hours_per_week: String,
}

async fn add_job(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<JobFormData>,
) -> Response {
    let (data, v, i, today) = match referral_for_write(&state, &headers, &id, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let r = &data.dataset.referrals[i];
    let mut errors: FieldErrors = Vec::new();
    if !accepts(&bundle::JOB_TYPES, &form.kind) {
        errors.push(("type", "Select the kind of paid work".into()));
    }
    if let Err(e) = form_date(
        &form.start,
        "start date",
        today,
        Some((r.received, "referral")),
    ) {
        errors.push(("start", e));
    }
    let hours = form.hours_per_week.trim();
    let parsed: Option<serde_json::Number> = if hours.is_empty() {
        None
    } else {
        match hours.parse::<f64>() {
            Ok(h)
                if (0.0..=168.0).contains(&h) && (h * 100.0 - (h * 100.0).round()).abs() < 1e-6 =>
            {
                serde_json::Number::from_f64(h)
            }
            _ => {
                errors.push((
                    "hours_per_week",
                    "Enter the hours per week as a number from 0 to 168, like 16 or 37.5".into(),
                ));
                None
            }
        }
    };
    if !errors.is_empty() {
        let values = vec![
            ("type".into(), form.kind.clone()),
            ("employer".into(), form.employer.clone()),
            ("start".into(), form.start.clone()),
            ("hours_per_week".into(), form.hours_per_week.clone()),
        ];
        return invalid(
            &v,
            &data,
            i,
            today,
            pages::FormState {
                form: "job",
                values,
                errors,
            },
        );
    }
    let kind = form.kind.clone();
    let job = ipstrack_core::bundle::JobDoc {
        // The store gives the next free id of the referral (j1, j2, …).
        id: String::new(),
        self_employment_registration: (kind == "self_employed").then(|| "sole_trader".to_string()),
        kind,
        employer: Some(form.employer.trim().to_string()).filter(|e| !e.is_empty()),
        start: form.start.trim().to_string(),
        end: None,
        hours_per_week: parsed,
        weekly_hours: None,
        four_hours_confirmed: None,
        retained: Some(false),
        return_to_work: None,
    };
    write_step(
        &state,
        &v,
        &id,
        (Step::Job(job), None, once(&form.once)),
        pages::FormState::default(),
    )
    .await
}

/// The ES a user may give a new referral to: themselves (ES), their team (team
/// lead), anyone (manager, admin); only ES in post today.
fn assignable(v: &Viewer, data: &Dataset, today: Day) -> Vec<(String, String)> {
    data.staff
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            s.role == StaffRole::Es
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

async fn new_referral_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    let today = state.today();
    let specialists = assignable(&v, &data.dataset, today);
    Html(pages::new_referral(&v, &specialists, &pages::FormState::default(), today).into_string())
        .into_response()
}

#[derive(Deserialize)]
struct ReferralFormData {
    csrf: String,
    #[serde(default)]
    once: String,
    client: String,
    nhs_number: String,
    received: String,
    status_at_referral: String,
    es: String,
}

/// The next free id `prefix<n>`.
fn next_id<'a>(prefix: &str, ids: impl Iterator<Item = &'a str>) -> String {
    let n = ids
        .filter_map(|id| id.strip_prefix(prefix)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    format!("{prefix}{n}")
}

async fn create_referral(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<ReferralFormData>,
) -> Response {
    let (data, v) = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let d = &data.dataset;
    let today = state.today();
    let specialists = assignable(&v, d, today);
    let mut errors: FieldErrors = Vec::new();
    let client = form.client.trim();
    // A client of the user's scope (one of their referrals' clients), or a
    // new one: another team's client is answered as if there were none.
    let client_in_scope = |c: usize| {
        d.referrals
            .iter()
            .enumerate()
            .any(|(i, r)| r.client as usize == c && in_scope(&v, d, i, today))
    };
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
    } else if !nhs.is_empty() && existing.is_none_or(|c| c.nhs_number.as_deref() != Some(&nhs)) {
        // The same person is one client: the import refuses a second client
        // with the NHS number, and so does the form.
        if let Some(c) = d
            .clients
            .iter()
            .position(|c| c.nhs_number.as_deref() == Some(nhs.as_str()))
        {
            if client_in_scope(c) {
                errors.push((
                    "nhs_number",
                    format!(
                        "This NHS number is already client {}'s: enter {} as the client to add a referral for this person",
                        d.clients[c].id, d.clients[c].id
                    ),
                ));
            } else {
                matched.push(("client", d.clients[c].id.clone(), "nhs_number"));
                errors.push((
                    "nhs_number",
                    "This NHS number cannot be used here: check it, or ask a manager if this person is already known to the service".into(),
                ));
            }
        }
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
    if let Err(response) = audit_out_of_scope(&state, &v, matched).await {
        return response;
    }
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
    if !errors.is_empty() {
        let values = vec![
            ("client".into(), form.client.clone()),
            ("nhs_number".into(), form.nhs_number.clone()),
            ("received".into(), form.received.clone()),
            ("status_at_referral".into(), form.status_at_referral.clone()),
            ("es".into(), form.es.clone()),
        ];
        let state_form = pages::FormState {
            form: "referral",
            values,
            errors,
        };
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(pages::new_referral(&v, &specialists, &state_form, today).into_string()),
        )
            .into_response();
    }
    let new_client = existing
        .is_none()
        .then(|| ipstrack_core::bundle::ClientDoc {
            id: next_id("c", d.clients.iter().map(|c| c.id.as_str())),
            nhs_number: Some(nhs).filter(|n| !n.is_empty()),
        });
    let client_id = existing
        .map(|c| c.id.clone())
        .or_else(|| new_client.as_ref().map(|c| c.id.clone()))
        .expect("one");
    let id = next_id("r", d.referrals.iter().map(|r| r.id.as_str()));
    let referral = ipstrack_core::bundle::ReferralDoc {
        es: Some(form.es.clone()),
        ..ipstrack_core::bundle::ReferralDoc::new(
            id.clone(),
            client_id,
            form.received.trim().to_string(),
            form.status_at_referral.clone(),
        )
    };
    match state
        .store
        .create_referral(
            new_client,
            referral,
            once(&form.once),
            &v.session.user.username,
        )
        .await
    {
        Ok(saved) => {
            if let Err(e) = state.publish(&saved).await {
                return server_error(e);
            }
            Redirect::to(&format!("/referrals/{}", saved.referral.id)).into_response()
        }
        Err(StoreError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors.to_string()).into_response()
        }
        Err(e) => server_error(e),
    }
}
