//! The API's writes, for integrations (a trust's electronic record feeding
//! referrals): a new referral (and a new person), each kind of step on a
//! referral, an entry replaced, and a person's details — under the forms'
//! rules (scope, validation, the audit log). A retried request carrying the
//! same `Idempotency-Key` is applied once; the key is the caller's own and
//! names one request (another referral, kind of step or body under it: 422);
//! an edit names the version it saw (`If-Match`, from the `ETag` of a read)
//! and a stale one gets 409.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipstrack_core::Day;
use ipstrack_core::bundle::{
    ContactDoc, DecisionDoc, DischargeDoc, DisclosureDoc, EngagementDoc, InWorkCheckDoc, JobDoc,
    PlanDoc, SpellDoc, TransferDoc, WaitingSpellDoc,
};
use ipstrack_store::{Edit, KeyKind, Replacement, RequestKey, Saved, Step, StoreError};
use serde::{Deserialize, Serialize};

use super::{ApiError, Caller};
use crate::Shared;
use crate::extract::{SignedIn, in_scope, referral_in_scope};
use crate::referrals::assignable;
use crate::referrals::new::{NewReferral, checked_referral};
use crate::viewer::Viewer;

/// The longest `Idempotency-Key` taken.
pub(crate) const MAX_KEY_CHARS: usize = crate::retry::MAX_KEY_CHARS;

/// A step recorded on a referral through the API, named by `step`.
#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub(crate) enum ApiStep {
    Contact(ContactDoc),
    Job(JobDoc),
    Hold(SpellDoc),
    Waiting(WaitingSpellDoc),
    Engagement(EngagementDoc),
    Decision(DecisionDoc),
    Transfer(TransferDoc),
    /// A confirmation that the person is still in work (SUS-6).
    InWorkCheck(InWorkCheckDoc),
    /// The first meaningful contact (an edit: `If-Match` needed).
    Access {
        date: String,
    },
    /// The vocational plan (an edit: `If-Match` needed).
    Plan(PlanDoc),
    /// The discharge (an edit: `If-Match` needed).
    Discharge(DischargeDoc),
    /// ERR-1: the referral marked as entered in error, today, by the caller,
    /// for `reason` (an edit: `If-Match` needed). It leaves every figure.
    EnteredInError {
        reason: String,
    },
    /// ERR-1: a referral entered in error restored (team leads, managers and
    /// admins; an edit: `If-Match` needed).
    Restore {},
    /// Issue 26: the day a better-off calculation (benefits and
    /// work-incentive advice) was offered (an edit: `If-Match` needed).
    BetterOffCalculation {
        date: String,
    },
    /// Issue 26: the person's disclosure choice (`full`, `partial`, `none`)
    /// and the day it was discussed (an edit: `If-Match` needed).
    Disclosure(DisclosureDoc),
    /// Issue 26: the kind of work the person wants, on their vocational plan
    /// (an edit: `If-Match` needed; an empty text clears them; 422 without a
    /// plan). A `plan` step sets them too, with the plan.
    JobPreferences {
        text: String,
    },
}

/// A refusal with each field's problem: 422 `{"error", "fields": {name: message}}`.
fn invalid(fields: Vec<(String, String)>) -> ApiError {
    ApiError::fields(fields)
}

impl ApiStep {
    /// The kind of step, as the body names it.
    fn kind(&self) -> &'static str {
        match self {
            ApiStep::Contact(_) => "contact",
            ApiStep::Job(_) => "job",
            ApiStep::Hold(_) => "hold",
            ApiStep::Waiting(_) => "waiting",
            ApiStep::Engagement(_) => "engagement",
            ApiStep::Decision(_) => "decision",
            ApiStep::Transfer(_) => "transfer",
            ApiStep::InWorkCheck(_) => "in_work_check",
            ApiStep::Access { .. } => "access",
            ApiStep::Plan(_) => "plan",
            ApiStep::Discharge(_) => "discharge",
            ApiStep::EnteredInError { .. } => "entered_in_error",
            ApiStep::Restore {} => "restore",
            ApiStep::BetterOffCalculation { .. } => "better_off_calculation",
            ApiStep::Disclosure(_) => "disclosure",
            ApiStep::JobPreferences { .. } => "job_preferences",
        }
    }
}

/// The request's `Idempotency-Key` (at most [`MAX_KEY_CHARS`] visible
/// characters) as the caller's key for this request: what it writes
/// (`target`) and a hash of its method, path and body as parsed. Another
/// user's key is another key; API keys and form tokens are apart.
fn idempotency_key(
    headers: &HeaderMap,
    v: &Viewer,
    target: String,
    path: &str,
    body: &impl Serialize,
) -> Result<Option<RequestKey>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if !crate::retry::well_formed(key) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Idempotency-Key: 1 to {MAX_KEY_CHARS} visible characters"),
        ));
    }
    Ok(Some(crate::retry::request_key(
        KeyKind::Api,
        v,
        key,
        target,
        path,
        body,
    )))
}

/// The version an edit saw (`If-Match: "7"`); 428 when an edit names none.
pub(super) fn if_match(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    Ok(Some(
        text.trim_start_matches("W/").trim_matches('"').to_string(),
    ))
}

fn version_needed(headers: &HeaderMap) -> Result<i64, ApiError> {
    if_match(headers)?
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "an edit needs If-Match: the ETag of the referral it changes",
            )
        })
}

/// A saved referral as the API answers it: the document with its version as
/// `ETag`.
fn referral_answer(status: StatusCode, saved: &Saved) -> Response {
    let tag = HeaderValue::from_str(&format!("\"{}\"", saved.version)).expect("digits");
    let mut response = (status, Json(&saved.referral)).into_response();
    response.headers_mut().insert(header::ETAG, tag);
    if status == StatusCode::CREATED
        && let Ok(at) = HeaderValue::from_str(&format!("/api/v1/referrals/{}", saved.referral.id))
    {
        response.headers_mut().insert(header::LOCATION, at);
    }
    response
}

/// A store's refusal in the words the forms use: each field's problem as
/// the form shows it beside that field (`BundleError::plain`, named by the
/// bundle's field), a stale edit, a record taken, a rule of ipstrack's.
pub(crate) fn store_refusal(e: StoreError) -> ApiError {
    match e {
        StoreError::Invalid(bad) => {
            invalid(bad.0.iter().map(|e| (e.field.clone(), e.plain())).collect())
        }
        StoreError::Conflict { .. } | StoreError::Changed(_) => ApiError::new(
            StatusCode::CONFLICT,
            "The record was changed by someone else since the version named in If-Match, so the change was not saved: read it again",
        ),
        StoreError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not found"),
        StoreError::KeyReused => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Idempotency-Key was already used for another request",
        ),
        StoreError::Exists(message) => ApiError::new(StatusCode::CONFLICT, message),
        e @ StoreError::Stale(_) => ApiError::new(StatusCode::CONFLICT, e.to_string()),
        StoreError::NotAllowed(message) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message),
        e => ApiError::answered(crate::error::WebError::from(e)),
    }
}

/// Creates a referral — for a client of the caller's caseloads, or a new
/// person with their details — under the new-referral form's rules.
#[utoipa::path(
    post,
    path = "/api/v1/referrals",
    request_body = NewReferral,
    params(("Idempotency-Key" = Option<String>, Header, description = "A retried request with the same key is applied once")),
    responses(
        (status = 201, description = "Created; ETag is its version", body = ipstrack_core::bundle::ReferralDoc),
        (status = 401, description = "Not signed in"),
        (status = 409, description = "A retry whose referral is no longer in the caller's scope"),
        (status = 422, description = "What to change, field by field; or the Idempotency-Key was already used for another request"),
        (status = 503, description = "The database is busy or cannot be reached: try again after Retry-After"),
    )
)]
pub(crate) async fn api_create_referral(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    headers: HeaderMap,
    Json(body): Json<NewReferral>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(
        &headers,
        &v,
        "new referral".into(),
        "/api/v1/referrals",
        &body,
    )?;
    // A retry of a request already applied: its referral, as the first time
    // — unless it is no longer the caller's to see.
    if let Some(k) = &key
        && let Some(saved) = state.store.done_with(k).await.map_err(store_refusal)?
    {
        state.publish(&saved).await;
        let data = state.data();
        let today = state.today();
        let theirs = data
            .referral_index(&saved.referral.id)
            .is_some_and(|i| in_scope(&v, &data.dataset, i, today));
        if !theirs {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "Idempotency-Key: the referral this request created is no longer in your caseloads",
            ));
        }
        return Ok(referral_answer(StatusCode::CREATED, &saved));
    }
    let today = state.today();
    let (client, referral) = match checked_referral(&state, &v, &data.dataset, today, &body).await?
    {
        Ok(records) => records,
        Err(fields) => {
            return Err(invalid(
                fields
                    .into_iter()
                    .map(|(f, m)| (f.to_string(), m))
                    .collect(),
            ));
        }
    };
    let saved = state
        .store
        .create_referral(client, referral, key.as_ref(), &v.session.user.username)
        .await
        .map_err(store_refusal)?;
    state.publish(&saved).await;
    Ok(referral_answer(StatusCode::CREATED, &saved))
}

/// Every date of a step that must not be in the future (as the forms check).
fn past_dates(step: &ApiStep) -> Vec<(&'static str, &str)> {
    fn opt<'a>(name: &'static str, d: &'a Option<String>) -> Option<(&'static str, &'a str)> {
        d.as_deref().map(|d| (name, d))
    }
    match step {
        ApiStep::Contact(c) => vec![("date", c.date.as_str())],
        ApiStep::Job(j) => [
            Some(("start", j.start.as_str())),
            opt("end", &j.end),
            opt("four_hours_confirmed", &j.four_hours_confirmed),
        ]
        .into_iter()
        .flatten()
        .collect(),
        ApiStep::Plan(p) => [Some(("start", p.start.as_str())), opt("end", &p.end)]
            .into_iter()
            .flatten()
            .chain(p.reviews.iter().map(|r| ("reviews", r.as_str())))
            .collect(),
        ApiStep::Hold(s) => [Some(("start", s.start.as_str())), opt("end", &s.end)]
            .into_iter()
            .flatten()
            .collect(),
        ApiStep::Waiting(w) => [Some(("start", w.start.as_str())), opt("end", &w.end)]
            .into_iter()
            .flatten()
            .collect(),
        ApiStep::Engagement(e) => vec![("date", e.date.as_str())],
        ApiStep::Decision(x) => vec![("start", x.start.as_str())],
        ApiStep::Transfer(t) => vec![("date", t.date.as_str())],
        ApiStep::InWorkCheck(c) => vec![("date", c.date.as_str())],
        ApiStep::Access { date } => vec![("date", date.as_str())],
        ApiStep::Discharge(x) => vec![("date", x.date.as_str())],
        ApiStep::BetterOffCalculation { date } => vec![("date", date.as_str())],
        ApiStep::Disclosure(x) => vec![("date", x.date.as_str())],
        ApiStep::EnteredInError { .. } | ApiStep::Restore {} | ApiStep::JobPreferences { .. } => {
            Vec::new()
        }
    }
}

/// The forms' checks a step's document does not carry: no date in the
/// future, a transfer only to a specialist the caller may refer to, a team
/// decision agreed by the referral's ES (`es`) and one other (ENG-3).
fn checked_step(
    step: &ApiStep,
    v: &Viewer,
    data: &ipstrack_core::model::Dataset,
    (today, es): (Day, Option<ipstrack_core::model::StaffIdx>),
) -> Result<(), ApiError> {
    let mut fields = Vec::new();
    for (name, text) in past_dates(step) {
        if Day::parse(text).is_some_and(|d| d > today) {
            fields.push((name.to_string(), format!("{text} is in the future")));
        }
    }
    if let ApiStep::Transfer(t) = step
        && !assignable(v, data, today).iter().any(|(id, _)| *id == t.es)
    {
        fields.push(("es".into(), "not a specialist you may transfer to".into()));
    }
    if let ApiStep::Decision(x) = step
        && let Some(problem) = ipstrack_core::standards::agreement(data, es, &x.agreed_by).problem()
    {
        fields.push(("agreed_by".into(), problem.into()));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(invalid(fields))
    }
}

/// Records a step on a referral of the caller's scope: an addition (a
/// contact, a job, a hold…) whatever changed since, an edit (access, plan,
/// discharge, a better-off calculation, a disclosure choice, job
/// preferences) only at the version named in `If-Match`.
#[utoipa::path(
    post,
    path = "/api/v1/referrals/{id}/steps",
    request_body = ApiStep,
    params(
        ("id" = String, Path, description = "The referral id"),
        ("Idempotency-Key" = Option<String>, Header, description = "A retried request with the same key is applied once"),
        ("If-Match" = Option<String>, Header, description = "The referral's ETag: needed for access, plan, discharge, better_off_calculation, disclosure and job_preferences"),
    ),
    responses(
        (status = 200, description = "The referral as saved; ETag is its version", body = ipstrack_core::bundle::ReferralDoc),
        (status = 404, description = "No such referral within the caller's scope"),
        (status = 409, description = "The referral changed since the If-Match version"),
        (status = 422, description = "What to change, field by field; or the Idempotency-Key was already used for another request"),
        (status = 428, description = "An edit without If-Match"),
        (status = 503, description = "The database is busy or cannot be reached: try again after Retry-After"),
    )
)]
pub(crate) async fn api_add_step(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<ApiStep>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(
        &headers,
        &v,
        format!("referral {id}: {}", body.kind()),
        &format!("/api/v1/referrals/{id}/steps"),
        &body,
    )?;
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    let es = ipstrack_core::attribution::assigned_on(&data.dataset.referrals[i], today, today);
    checked_step(&body, &v, &data.dataset, (today, es))?;
    let edit = |edit| -> Result<Step, ApiError> {
        Ok(Step::Edit {
            edit,
            seen_version: version_needed(&headers)?,
        })
    };
    let step = match body {
        ApiStep::Contact(c) => Step::Contact(c),
        ApiStep::Job(mut j) => {
            j.id = String::new();
            Step::Job(j)
        }
        ApiStep::Hold(h) => Step::Hold(h),
        ApiStep::Waiting(w) => Step::Waiting(w),
        ApiStep::Engagement(e) => Step::Engagement(e),
        ApiStep::Decision(x) => Step::Decision(x),
        ApiStep::Transfer(t) => Step::Transfer(t),
        ApiStep::InWorkCheck(c) => Step::InWorkCheck(c),
        ApiStep::Access { date } => edit(Edit::Access(date))?,
        ApiStep::Plan(p) => edit(Edit::Plan(p))?,
        ApiStep::Discharge(x) => edit(Edit::Discharge(x))?,
        ApiStep::BetterOffCalculation { date } => edit(Edit::BetterOffCalculation(date))?,
        ApiStep::Disclosure(x) => edit(Edit::Disclosure(x))?,
        ApiStep::JobPreferences { text } => edit(Edit::JobPreferences(Some(text)))?,
        ApiStep::EnteredInError { reason } => edit(Edit::EnteredInError(
            ipstrack_core::bundle::EnteredInErrorDoc {
                date: today.to_string(),
                reason,
                recorded_by: crate::referrals::entered_in_error::recorded_by(&v, &data),
            },
        ))?,
        ApiStep::Restore {} => {
            v.allow(
                crate::extract::LEADS,
                &format!("/api/v1/referrals/{id}/steps"),
            )?;
            edit(Edit::Remove {
                entry: ipstrack_store::Entry::EnteredInError,
                index: 0,
            })?
        }
    };
    let saved = state
        .store
        .change_referral_once(&id, &step, key.as_ref(), &v.session.user.username)
        .await
        .map_err(store_refusal)?;
    state.publish(&saved).await;
    Ok(referral_answer(StatusCode::OK, &saved))
}

/// Replaces the `index`-th entry (from 0, as the referral lists them) of a
/// kind — `contacts`, `jobs`, `holds`, `waiting_list`, `engagement`,
/// `decisions`, `transfers` — at the version named in `If-Match`. The body
/// is the entry as the bundle writes it; a job keeps its id.
#[utoipa::path(
    put,
    path = "/api/v1/referrals/{id}/{kind}/{index}",
    params(
        ("id" = String, Path, description = "The referral id"),
        ("kind" = String, Path, description = "contacts, jobs, holds, waiting_list, engagement, decisions, transfers or in_work_checks"),
        ("index" = usize, Path, description = "The entry's position in its list, from 0"),
        ("If-Match" = String, Header, description = "The referral's ETag"),
    ),
    responses(
        (status = 200, description = "The referral as saved; ETag is its version", body = ipstrack_core::bundle::ReferralDoc),
        (status = 404, description = "No such referral within the caller's scope, or no such entry"),
        (status = 409, description = "The referral changed since the If-Match version"),
        (status = 422, description = "What to change, field by field"),
        (status = 428, description = "No If-Match"),
    )
)]
pub(crate) async fn api_replace_entry(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path((id, kind, index)): Path<(String, String, usize)>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Result<Response, ApiError> {
    let today = state.today();
    let i = referral_in_scope(&state, &v, &data, &id, today).await?;
    let es = ipstrack_core::attribution::assigned_on(&data.dataset.referrals[i], today, today);
    let seen = version_needed(&headers)?;
    let bad = |e: serde_json::Error| invalid(vec![(kind.clone(), e.to_string())]);
    // The same checks as a step of that kind.
    let (replacement, as_step) = match kind.as_str() {
        "contacts" => {
            let c: ContactDoc = serde_json::from_value(body).map_err(bad)?;
            (Replacement::Contact(index, c.clone()), ApiStep::Contact(c))
        }
        "jobs" => {
            let j: JobDoc = serde_json::from_value(body).map_err(bad)?;
            (
                Replacement::Job(index, Box::new(j.clone())),
                ApiStep::Job(j),
            )
        }
        "holds" => {
            let h: SpellDoc = serde_json::from_value(body).map_err(bad)?;
            (Replacement::Hold(index, h.clone()), ApiStep::Hold(h))
        }
        "waiting_list" => {
            let w: WaitingSpellDoc = serde_json::from_value(body).map_err(bad)?;
            (Replacement::Waiting(index, w.clone()), ApiStep::Waiting(w))
        }
        "engagement" => {
            let e: EngagementDoc = serde_json::from_value(body).map_err(bad)?;
            (
                Replacement::Engagement(index, e.clone()),
                ApiStep::Engagement(e),
            )
        }
        "decisions" => {
            let x: DecisionDoc = serde_json::from_value(body).map_err(bad)?;
            (
                Replacement::Decision(index, x.clone()),
                ApiStep::Decision(x),
            )
        }
        "transfers" => {
            let t: TransferDoc = serde_json::from_value(body).map_err(bad)?;
            (
                Replacement::Transfer(index, t.clone()),
                ApiStep::Transfer(t),
            )
        }
        "in_work_checks" => {
            let c: InWorkCheckDoc = serde_json::from_value(body).map_err(bad)?;
            (
                Replacement::InWorkCheck(index, c.clone()),
                ApiStep::InWorkCheck(c),
            )
        }
        _ => return Err(ApiError::new(StatusCode::NOT_FOUND, "not found")),
    };
    checked_step(&as_step, &v, &data.dataset, (today, es))?;
    let saved = state
        .store
        .change_referral_once(
            &id,
            &Step::Edit {
                edit: Edit::Replace(replacement),
                seen_version: seen,
            },
            None,
            &v.session.user.username,
        )
        .await
        .map_err(store_refusal)?;
    state.publish(&saved).await;
    Ok(referral_answer(StatusCode::OK, &saved))
}
