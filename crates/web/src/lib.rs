//! The ipstrack web application: server-rendered pages (no JavaScript needed)
//! and a JSON API, for employment specialists, team leads and managers.
//!
//! Every request is authorised on the server by role and team: an ES sees
//! their own caseload, a team lead their team, a manager and an admin the
//! whole service. A record outside one's scope answers 404 and is logged (by
//! id only: no names, NHS numbers or notes ever reach the logs).

mod assets;
mod auth;
mod import;
mod pages;
mod server;
mod state;

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
use ipstrack_core::report::{Kpis, Report, ReportError, SpecialistKpis};
use ipstrack_core::{Day, Loaded, Period};
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
        .route("/caseload", get(caseload))
        .route(
            "/referrals/new",
            get(new_referral_page).post(create_referral),
        )
        .route("/referrals/{id}", get(referral_page))
        .route("/referrals/{id}/contacts", post(add_contact))
        .route("/referrals/{id}/{step}", post(record_step))
        .route("/referrals/{id}/jobs", post(add_job))
        .route("/team", get(team))
        .route("/service", get(service))
        .route("/data-quality", get(data_quality))
        .route("/audit", get(audit))
        .route("/specialists/{id}/plan", get(plan))
        .route("/returns", get(returns).post(submit_return))
        .route(
            "/import",
            get(import::import_page)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES)),
        )
        .route("/import/confirm", post(import::confirm))
        .route("/returns/grow-return.xlsx", get(grow_return_xlsx))
        .route("/returns/grow-return.csv", get(grow_return_csv))
        .route("/admin/users", get(users_page).post(add_user))
        .route("/admin/policy", get(policy_page).post(save_policy))
        .route("/admin/users/{name}/disable", post(disable_user))
        .route("/api/v1/report", get(api_report))
        .route("/api/v1/referrals/{id}", get(api_referral))
        .route("/api/v1/openapi.json", get(openapi_document))
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

/// A period or as-of date that cannot be shown: 400 with the form kept.
fn bad_period(
    v: &Viewer,
    title: &str,
    action: &str,
    q: &PeriodQuery,
    team: Option<&str>,
    message: &str,
) -> Response {
    let typed = (
        q.period.as_deref().unwrap_or_default(),
        q.as_of.as_deref().unwrap_or_default(),
    );
    (
        StatusCode::BAD_REQUEST,
        Html(pages::period_problem(v, title, action, typed, team, message).into_string()),
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

#[derive(Deserialize)]
struct PeriodQuery {
    period: Option<String>,
    as_of: Option<String>,
    team: Option<String>,
}

/// The period and as-of date asked for (default: this financial year, today).
fn period_of(q: &PeriodQuery, today: Day) -> Result<(Period, Day), String> {
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).map_err(|e| e.to_string())?,
        None => Period::financial_year(today.financial_year()),
    };
    let as_of = match q.as_of.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => {
            Day::parse(a).ok_or_else(|| format!("as-of date `{a}` is not a date (YYYY-MM-DD)"))?
        }
        None => period.default_as_of(today),
    };
    if as_of < period.start {
        return Err(format!(
            "the as-of date {as_of} is before the period starts ({})",
            period.start
        ));
    }
    Ok((period, as_of))
}

async fn team(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let d = &data.dataset;
    let Some(v) = viewer(&state, &headers, d).await else {
        return to_sign_in();
    };
    let team = match (v.session.user.role, &q.team) {
        (Role::Es, _) => return forbidden_as_not_found(&v, "page", "team"),
        (Role::TeamLead, None) => v.team,
        (Role::TeamLead, Some(id)) => d
            .teams
            .iter()
            .position(|t| t.id == *id)
            .map(|t| t as u32)
            .filter(|t| Some(*t) == v.team),
        (Role::Manager | Role::Admin, Some(id)) => {
            d.teams.iter().position(|t| t.id == *id).map(|t| t as u32)
        }
        (Role::Manager | Role::Admin, None) => v.team.or((!d.teams.is_empty()).then_some(0)),
    };
    let Some(team) = team else {
        return forbidden_as_not_found(&v, "team", q.team.as_deref().unwrap_or("-"));
    };
    let today = state.today();
    let (period, as_of) = match period_of(&q, today) {
        Ok(p) => p,
        Err(e) => {
            let id = d.teams[team as usize].id.clone();
            return bad_period(&v, "Team", "/team", &q, Some(&id), &e);
        }
    };
    match data.report(&period, as_of).and_then(|r| {
        let id = &d.teams[team as usize].id;
        Ok((r, trends(&data, Whose::Team(id), &period, as_of)?))
    }) {
        Ok((r, trends)) => {
            Html(pages::team(&v, &data, team, &r, &trends).into_string()).into_response()
        }
        Err(e) => server_error(e),
    }
}

/// Whose trends a chart follows: a team (its ES's targets summed) or one ES.
#[derive(Clone, Copy)]
enum Whose<'a> {
    Team(&'a str),
    Es(&'a str),
}

impl<'a> Whose<'a> {
    fn kpis(self, r: &Report) -> Option<&Kpis> {
        match self {
            Whose::Team(id) => r.teams.iter().find(|t| t.id == id).map(|t| &t.kpis),
            Whose::Es(id) => r.specialists.iter().find(|s| s.id == id).map(|s| &s.kpis),
        }
    }

    fn specialists(self, r: &Report) -> impl Iterator<Item = &SpecialistKpis> {
        r.specialists.iter().filter(move |s| match self {
            Whose::Team(id) => s.team == id,
            Whose::Es(id) => s.id == id,
        })
    }
}

/// Month by month from the period's start to the as-of date: cumulative access
/// (unemployed) against the targets to date, and the active caseload per ES in
/// post against the recommended band; then quarter by quarter of the financial
/// year, job starts and 13-week outcomes. Every figure is a core report's
/// (each month's as known at its end), from the snapshot's cache.
fn trends(
    data: &Snapshot,
    who: Whose,
    period: &Period,
    as_of: Day,
) -> Result<pages::Trends, ReportError> {
    let mut trends = pages::Trends {
        fidelity_limit: data.dataset.policy.fidelity_caseload,
        ..pages::Trends::default()
    };
    for end in period.month_ends(as_of) {
        let r = data.report(&Period::range(period.start, end), end)?;
        let target: f64 = who.specialists(&r).map(|s| s.targets.access_to_date).sum();
        let block = who.kpis(&r);
        trends.months.push(end.date().strftime("%b %y").to_string());
        trends
            .access
            .push(block.map_or(0.0, |k| f64::from(k.access.unemployed)));
        trends.access_target.push(target);
        trends
            .active_per_fte
            .push(block.and_then(|k| k.caseload.active_per_fte).unwrap_or(0.0));
    }
    for (quarter, known) in period.quarters_to(as_of) {
        let r = data.report(&quarter, known)?;
        let block = who.kpis(&r);
        let name = quarter.label.rsplit('-').next().unwrap_or_default();
        trends.quarters.push(name.to_string());
        trends
            .job_starts
            .push(block.map(|k| k.job_starts).unwrap_or_default());
        trends
            .sustained
            .push(block.map(|k| k.sustained.w13).unwrap_or_default());
    }
    Ok(trends)
}

/// The performance plan of one ES on one page, for supervision: the plan's
/// KPIs against their targets, the caseload against the band, and charts.
async fn plan(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let d = &data.dataset;
    let Some(v) = viewer(&state, &headers, d).await else {
        return to_sign_in();
    };
    let Some(es) = specialist_in_scope(&v, d, &id) else {
        return forbidden_as_not_found(&v, "staff", &id);
    };
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            let action = format!("/specialists/{id}/plan");
            return bad_period(&v, "Performance plan", &action, &q, None, &e);
        }
    };
    match data
        .report(&period, as_of)
        .and_then(|r| Ok((r, trends(&data, Whose::Es(&id), &period, as_of)?)))
    {
        Ok((r, trends)) => {
            Html(pages::plan(&v, &data, es, &r, &trends).into_string()).into_response()
        }
        Err(e) => server_error(e),
    }
}

async fn service(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        return forbidden_as_not_found(&v, "page", "service");
    }
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            return bad_period(&v, "Service", "/service", &q, None, &e);
        }
    };
    match data.report(&period, as_of) {
        Ok(r) => Html(pages::service(&v, &data, &r).into_string()).into_response(),
        Err(e) => server_error(e),
    }
}

async fn data_quality(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    if v.session.user.role == Role::Es {
        return forbidden_as_not_found(&v, "page", "data-quality");
    }
    let today = state.today();
    let d = &data.dataset;
    let warnings: Vec<_> = data
        .warnings
        .iter()
        .filter(|w| {
            let referral = w.record.split('/').next().unwrap_or_default();
            data.referral_index(referral)
                .is_some_and(|i| in_scope(&v, d, i, today))
        })
        .collect();
    Html(pages::data_quality(&v, &warnings).into_string()).into_response()
}

/// The quarterly returns: each submitted return with what has changed since,
/// and a form to submit a period (managers and admins).
async fn returns(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    returns_page(&state, &data, &v, None, StatusCode::OK).await
}

async fn returns_page(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        return forbidden_as_not_found(v, "page", "returns");
    }
    let submissions = match state.store.submissions().await {
        Ok(s) => s,
        Err(e) => return server_error(e),
    };
    let mut rows = Vec::new();
    for s in submissions {
        let changes = match (Period::parse(&s.period_label), Day::parse(&s.as_of)) {
            (Ok(period), Some(as_of)) => match data.report(&period, as_of) {
                Ok(now) => ipstrack_core::report::figure_changes(
                    &s.report,
                    &serde_json::to_value(&*now).unwrap_or_default(),
                ),
                Err(e) => vec![e.to_string()],
            },
            _ => vec!["the stored return has no readable period".into()],
        };
        rows.push((s, changes));
    }
    let default_period = Period::quarter(state.today().financial_year(), 1).label;
    (
        status,
        Html(pages::returns(v, &rows, problem.as_deref(), &default_period).into_string()),
    )
        .into_response()
}

#[derive(Deserialize)]
struct SubmitForm {
    csrf: String,
    period: String,
    as_of: String,
}

async fn submit_return(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SubmitForm>,
) -> Response {
    let (data, v) = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        return forbidden_as_not_found(&v, "page", "returns");
    }
    let q = PeriodQuery {
        period: Some(form.period.clone()),
        as_of: Some(form.as_of.clone()),
        team: None,
    };
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            return returns_page(&state, &data, &v, Some(e), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let report = match data.report(&period, as_of) {
        Ok(r) => r,
        Err(e) => {
            return returns_page(
                &state,
                &data,
                &v,
                Some(e.to_string()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state.store.submit(&report, &v.session.user.username).await {
        Ok(_) => Redirect::to("/returns").into_response(),
        Err(StoreError::Refused(message)) => {
            returns_page(
                &state,
                &data,
                &v,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => server_error(e),
    }
}

/// The two files of the IPS Grow return.
#[derive(Clone, Copy)]
enum GrowFile {
    Xlsx,
    Csv,
}

async fn grow_return_xlsx(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    grow_return_download(&state, &headers, &q, GrowFile::Xlsx).await
}

async fn grow_return_csv(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    grow_return_download(&state, &headers, &q, GrowFile::Csv).await
}

/// A file name made of letters, digits and dashes only (`2024/25-Q3` → `2024-25-Q3`).
fn file_name_part(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The IPS Grow return of a period (managers and admins, like the returns
/// page): the current figures, from the snapshot's cached report.
async fn grow_return_download(
    state: &AppState,
    headers: &HeaderMap,
    q: &PeriodQuery,
    file: GrowFile,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(state, headers, &data.dataset).await else {
        return to_sign_in();
    };
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        return forbidden_as_not_found(&v, "page", "returns");
    }
    let bad = |message: &str| bad_request(&v, "IPS Grow return", message);
    if q.period.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return bad("Choose the period of the return, for example 2024/25-Q3.");
    }
    let (period, as_of) = match period_of(q, state.today()) {
        Ok(p) => p,
        Err(e) => return bad(&e),
    };
    let report = match data.report(&period, as_of) {
        Ok(r) => r,
        Err(e) => return bad(&e.to_string()),
    };
    let rows = ipstrack_interop::grow_return(&report, &data.dataset);
    let (content_type, extension, body) = match file {
        GrowFile::Xlsx => match ipstrack_interop::grow_return_xlsx(&report, &rows) {
            Ok(bytes) => (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
                bytes,
            ),
            Err(e) => return server_error(e),
        },
        GrowFile::Csv => match ipstrack_interop::grow_return_csv(&report, &rows) {
            Ok(text) => ("text/csv; charset=utf-8", "csv", text.into_bytes()),
            Err(e) => return server_error(e),
        },
    };
    let name = format!(
        "ips-grow-return-{}-as-of-{}.{extension}",
        file_name_part(&report.period.label),
        report.as_of
    );
    tracing::info!(user = %v.session.user.username, period = %report.period.label, file = %extension, "IPS Grow return downloaded");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn users_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    users_view(
        &state,
        &data,
        &v,
        &pages::FormState::default(),
        StatusCode::OK,
    )
    .await
}

async fn users_view(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    form: &pages::FormState,
    status: StatusCode,
) -> Response {
    if v.session.user.role != Role::Admin {
        return forbidden_as_not_found(v, "page", "admin/users");
    }
    let failures = match state.store.sign_in_failures().await {
        Ok(failures) => failures,
        Err(e) => return server_error(e),
    };
    match state.store.users().await {
        Ok(users) => {
            let staff: Vec<(String, String)> = std::iter::once((String::new(), "None".to_string()))
                .chain(
                    data.dataset
                        .staff
                        .iter()
                        .map(|s| (s.id.clone(), format!("{} ({})", s.name, s.id))),
                )
                .collect();
            (
                status,
                Html(pages::users(v, &users, &failures, &staff, form).into_string()),
            )
                .into_response()
        }
        Err(e) => server_error(e),
    }
}

#[derive(Deserialize)]
struct UserForm {
    csrf: String,
    username: String,
    role: String,
    staff: String,
    password: String,
}

/// Admins add users: a role, a staff record, a first password.
async fn add_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> Response {
    let (data, v) = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if v.session.user.role != Role::Admin {
        return forbidden_as_not_found(&v, "page", "admin/users");
    }
    let mut errors: FieldErrors = Vec::new();
    let username = form.username.trim();
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        errors.push((
            "username",
            "Enter a username of letters, digits, - _ or .".into(),
        ));
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push(("role", "Select a role".into()));
    }
    if form.password.chars().count() < 10 {
        errors.push((
            "password",
            "The first password needs at least 10 characters".into(),
        ));
    }
    let staff = Some(form.staff.as_str()).filter(|s| !s.is_empty());
    if errors.is_empty() {
        match state
            .store
            .add_user(
                username,
                &form.password,
                role.expect("checked"),
                staff,
                &v.session.user.username,
            )
            .await
        {
            Ok(_) => return Redirect::to("/admin/users").into_response(),
            Err(StoreError::Refused(message)) => errors.push(("username", message)),
            Err(e) => return server_error(e),
        }
    }
    let values = vec![
        ("username".into(), form.username.clone()),
        ("role".into(), form.role.clone()),
        ("staff".into(), form.staff.clone()),
    ];
    users_view(
        &state,
        &data,
        &v,
        &pages::FormState {
            form: "user",
            values,
            errors,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn disable_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (_, v) = match signed_in_form(&state, &headers, &form.csrf).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if v.session.user.role != Role::Admin || name == v.session.user.username {
        return forbidden_as_not_found(&v, "user", &name);
    }
    match state
        .store
        .disable_user(&name, &v.session.user.username)
        .await
    {
        Ok(()) => Redirect::to("/admin/users").into_response(),
        Err(StoreError::Refused(_)) => not_found(),
        Err(e) => server_error(e),
    }
}

/// The policy fields an admin edits, as (form name, label).
const POLICY_FIELDS: [(&str, &str); 14] = [
    (
        "contact_window_days",
        "Days a two-way contact keeps a client active (CASE-1)",
    ),
    (
        "assertive_engagement_extra_days",
        "Extra days assertive engagement keeps a client active",
    ),
    (
        "hold_limit_days",
        "Days on hold before a client is inactive",
    ),
    (
        "job_hours_threshold",
        "Hours of paid work that make a job start an outcome (JOB-3)",
    ),
    (
        "sustainment_gap_days",
        "Days out of work that end a run (SUS-1)",
    ),
    ("access_target_year1", "Access target in year 1 (TGT-1)"),
    (
        "access_target_year2",
        "Access target per financial year from year 2",
    ),
    ("training_months", "Months of training with no target"),
    (
        "job_outcome_rate_target",
        "Job outcome rate target (0 to 1)",
    ),
    (
        "sustainment_rate_target",
        "13-week sustainment rate target (0 to 1)",
    ),
    (
        "fidelity_caseload",
        "Fidelity limit: largest active caseload per FTE scoring 5 (FID-1, CASE-4)",
    ),
    (
        "caseload_band_low",
        "Recommended open caseload per FTE: lowest (CASE-4)",
    ),
    (
        "caseload_band_high",
        "Recommended open caseload per FTE: highest (CASE-4)",
    ),
    (
        "retention_share_max",
        "Largest share of job-retention referrals (0 to 1)",
    ),
];

fn policy_values(p: &ipstrack_core::Policy) -> Vec<(String, String)> {
    let share = |b: u32| format!("{}", f64::from(b) / 10_000.0);
    vec![
        (
            "contact_window_days".into(),
            p.contact_window_days.to_string(),
        ),
        (
            "assertive_engagement_extra_days".into(),
            p.assertive_engagement_extra_days.to_string(),
        ),
        ("hold_limit_days".into(), p.hold_limit_days.to_string()),
        (
            "job_hours_threshold".into(),
            format!("{}", f64::from(p.job_hours_threshold) / 100.0),
        ),
        (
            "sustainment_gap_days".into(),
            p.sustainment_gap_days.to_string(),
        ),
        (
            "access_target_year1".into(),
            p.access_target_year1.to_string(),
        ),
        (
            "access_target_year2".into(),
            p.access_target_year2.to_string(),
        ),
        ("training_months".into(), p.training_months.to_string()),
        (
            "job_outcome_rate_target".into(),
            share(p.job_outcome_rate_target),
        ),
        (
            "sustainment_rate_target".into(),
            share(p.sustainment_rate_target),
        ),
        ("fidelity_caseload".into(), p.fidelity_caseload.to_string()),
        ("caseload_band_low".into(), p.caseload_band.0.to_string()),
        ("caseload_band_high".into(), p.caseload_band.1.to_string()),
        ("retention_share_max".into(), share(p.retention_share_max)),
    ]
}

async fn policy_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    if v.session.user.role != Role::Admin {
        return forbidden_as_not_found(&v, "page", "admin/policy");
    }
    let form = pages::FormState {
        form: "policy",
        values: policy_values(&data.dataset.policy),
        errors: Vec::new(),
    };
    Html(pages::policy(&v, &POLICY_FIELDS, &form).into_string()).into_response()
}

/// Admins change the service's policy; the bundle's checks refuse bad values.
async fn save_policy(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, v) = match signed_in_form(
        &state,
        &headers,
        form.get("csrf").map(String::as_str).unwrap_or_default(),
    )
    .await
    {
        Ok(found) => found,
        Err(response) => return response,
    };
    if v.session.user.role != Role::Admin {
        return forbidden_as_not_found(&v, "page", "admin/policy");
    }
    // The values become the bundle's policy object, read as JSON numbers, so
    // one set of checks (BAD-1) applies to a bundle and to this form.
    // The band's two ends are two fields of the form and one array of the bundle.
    let mut errors: FieldErrors = Vec::new();
    let mut object = serde_json::Map::new();
    let mut band = Vec::new();
    for (name, label) in POLICY_FIELDS {
        let text = form.get(name).map(|t| t.trim()).unwrap_or_default();
        match serde_json::from_str::<serde_json::Number>(text) {
            Ok(n) if name.starts_with("caseload_band_") => band.push(serde_json::Value::Number(n)),
            Ok(n) => {
                object.insert(name.to_string(), serde_json::Value::Number(n));
            }
            Err(_) => errors.push((name, format!("Enter a number for: {label}"))),
        }
    }
    if band.len() == 2 {
        object.insert("caseload_band".into(), serde_json::Value::Array(band));
    }
    let policy: Option<ipstrack_core::bundle::PolicyDoc> = if errors.is_empty() {
        match serde_json::from_value(serde_json::Value::Object(object)) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push((
                    "contact_window_days",
                    format!("These values cannot be used: {e}"),
                ));
                None
            }
        }
    } else {
        None
    };
    if let Some(policy) = policy {
        match state
            .store
            .save_policy(Some(policy), &v.session.user.username)
            .await
        {
            Ok(_) => {
                if let Err(e) = state.reload().await {
                    return server_error(e);
                }
                return Redirect::to("/admin/policy").into_response();
            }
            Err(StoreError::Invalid(bad)) => {
                for e in bad.0 {
                    let field = POLICY_FIELDS.iter().find(|(n, _)| *n == e.field).map_or(
                        if e.field == "caseload_band" {
                            "caseload_band_low"
                        } else {
                            "contact_window_days"
                        },
                        |(n, _)| *n,
                    );
                    let message = if e.field == "caseload_band" {
                        "The highest recommended open caseload per FTE must not be below the lowest"
                            .to_string()
                    } else {
                        e.message
                    };
                    errors.push((field, message));
                }
            }
            Err(e) => return server_error(e),
        }
    }
    let values = form
        .iter()
        .filter(|(k, _)| *k != "csrf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let state_form = pages::FormState {
        form: "policy",
        values,
        errors,
    };
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Html(pages::policy(&v, &POLICY_FIELDS, &state_form).into_string()),
    )
        .into_response()
}

#[derive(Deserialize)]
struct AuditQuery {
    record: Option<String>,
}

async fn audit(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return to_sign_in();
    };
    if v.session.user.role != Role::Admin {
        return forbidden_as_not_found(&v, "page", "audit");
    }
    let filter = ipstrack_store::AuditFilter {
        record: q.record.clone().filter(|r| !r.is_empty()),
        since: None,
    };
    match state.store.audit(&filter).await {
        Ok(entries) => {
            Html(pages::audit(&v, &entries, q.record.as_deref()).into_string()).into_response()
        }
        Err(e) => server_error(e),
    }
}

/// The API's OpenAPI 3 document, generated from the handlers and types.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "ipstrack API",
        description = "IPS caseload and KPI figures. Authenticate with a session cookie or `Authorization: Bearer TOKEN` (`ipstrack user token NAME`)."
    ),
    paths(api_report, api_referral),
    components(schemas(Report, ipstrack_core::bundle::ReferralDoc))
)]
struct ApiDoc;

async fn openapi_document() -> Response {
    axum::Json(<ApiDoc as utoipa::OpenApi>::openapi()).into_response()
}

fn json_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
}

/// One referral as in the data bundle, within the caller's scope.
#[utoipa::path(
    get,
    path = "/api/v1/referrals/{id}",
    params(("id" = String, Path, description = "The referral id")),
    responses(
        (status = 200, description = "The referral", body = ipstrack_core::bundle::ReferralDoc),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "No such referral within the caller's scope"),
    )
)]
async fn api_referral(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return json_error(StatusCode::UNAUTHORIZED, "sign in first");
    };
    let today = state.today();
    match data.referral_index(&id) {
        Some(i) if in_scope(&v, &data.dataset, i, today) => axum::Json(
            ipstrack_core::bundle::referral_document(&data.dataset, &data.dataset.referrals[i]),
        )
        .into_response(),
        found => {
            if let Err(response) =
                audit_out_of_scope(&state, &v, referral_matched(found, &id)).await
            {
                return response;
            }
            tracing::warn!(user = %v.session.user.username, record = ?format!("referral {id}"), "refused: outside the user's scope");
            json_error(StatusCode::NOT_FOUND, "not found")
        }
    }
}

/// The KPI report (`ipstrack-report/1`) of a period as of a day (managers and admins).
#[utoipa::path(
    get,
    path = "/api/v1/report",
    params(
        ("period" = Option<String>, Query, description = "2024/25, 2024/25-Q3 or 2024-04-01..2024-06-30 (default: this financial year)"),
        ("as_of" = Option<String>, Query, description = "YYYY-MM-DD (default: the period's end or today)"),
    ),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 400, description = "A bad period or as-of date"),
        (status = 401, description = "Not signed in"),
        (status = 404, description = "Not for this role"),
    )
)]
async fn api_report(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let data = state.data();
    let Some(v) = viewer(&state, &headers, &data.dataset).await else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "sign in first"})),
        )
            .into_response();
    };
    if !matches!(v.session.user.role, Role::Manager | Role::Admin) {
        tracing::warn!(user = %v.session.user.username, "refused: the service report is for managers");
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "not found"})),
        )
            .into_response();
    }
    let (period, as_of) = match period_of(&q, state.today()) {
        Ok(p) => p,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({"error": e})),
            )
                .into_response();
        }
    };
    match data.report(&period, as_of) {
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}
