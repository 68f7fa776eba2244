//! Who is asking, and may they: the signed-in user from the session cookie or
//! a script's bearer token, their place in the service, the referrals in their
//! scope, and the checks every form post makes (session, CSRF token, referral
//! in scope). A record outside one's scope is answered as if it did not exist
//! and the lookup is written to the audit log.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ipstrack_core::Day;
use ipstrack_core::model::{Dataset, Role as StaffRole};
use ipstrack_core::report::assigned_on;
use ipstrack_store::{Role, Session};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::{forbidden_as_not_found, server_error};
use crate::state::Shared;
use crate::{AppState, Snapshot};

pub(crate) const SESSION_COOKIE: &str = "ipstrack_session";
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn set_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> String {
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
pub(crate) fn token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.or_else(|| cookie(headers, SESSION_COOKIE))
}

pub(crate) async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    data: &Dataset,
) -> Option<Viewer> {
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
pub(crate) fn in_scope(viewer: &Viewer, data: &Dataset, referral: usize, today: Day) -> bool {
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

pub(crate) fn to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

/// An ES (by staff id) the viewer may see the caseload and plan of: an ES
/// themselves, a team lead their team's ES, a manager or admin any ES.
pub(crate) fn specialist_in_scope(v: &Viewer, data: &Dataset, id: &str) -> Option<usize> {
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

/// Writes to the audit log that a request matched stored records outside
/// the user's scope (the user is answered as if there were none).
pub(crate) async fn audit_out_of_scope(
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
pub(crate) fn referral_matched(
    found: Option<usize>,
    id: &str,
) -> Vec<ipstrack_core::model::OutOfScope> {
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
pub(crate) async fn signed_in_form(
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
pub(crate) async fn referral_for_write(
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

/// A signed-in user with the snapshot of the data their request is served
/// from (taken once, so that the user's staff and team indexes match it).
/// Not signed in: a redirect to the sign-in page.
pub(crate) struct SignedIn {
    pub(crate) v: Viewer,
    pub(crate) data: Arc<Snapshot>,
}

impl FromRequestParts<Shared> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        let data = state.data();
        match viewer(state, &parts.headers, &data.dataset).await {
            Some(v) => Ok(SignedIn { v, data }),
            None => Err(to_sign_in()),
        }
    }
}

/// The roles a guard lets through; anyone else is answered 404 (the page
/// is not theirs to know of) and the refusal is logged.
async fn with_role(
    parts: &mut Parts,
    state: &Shared,
    allowed: &[Role],
) -> Result<SignedIn, Response> {
    let signed_in = SignedIn::from_request_parts(parts, state).await?;
    if allowed.contains(&signed_in.v.session.user.role) {
        Ok(signed_in)
    } else {
        Err(forbidden_as_not_found(
            &signed_in.v,
            "page",
            parts.uri.path(),
        ))
    }
}

/// A team lead, manager or admin (the pages about more than one caseload).
pub(crate) struct Lead(pub(crate) SignedIn);

impl FromRequestParts<Shared> for Lead {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        with_role(parts, state, &[Role::TeamLead, Role::Manager, Role::Admin])
            .await
            .map(Lead)
    }
}

/// A manager or admin (the whole service).
pub(crate) struct Manager(pub(crate) SignedIn);

impl FromRequestParts<Shared> for Manager {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        with_role(parts, state, &[Role::Manager, Role::Admin])
            .await
            .map(Manager)
    }
}

/// An admin (users, policy, the audit log).
pub(crate) struct Admin(pub(crate) SignedIn);

impl FromRequestParts<Shared> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        with_role(parts, state, &[Role::Admin]).await.map(Admin)
    }
}

/// A form posted about the referral named by the path's `{id}`, with every
/// check a data-entry request makes: a session, the form's CSRF token, and
/// the referral within the user's scope (outside it: 404, and the lookup is
/// written to the audit log).
pub(crate) struct ReferralForm<F> {
    pub(crate) data: Arc<Snapshot>,
    pub(crate) v: Viewer,
    /// The referral's index in the snapshot's dataset.
    pub(crate) index: usize,
    pub(crate) id: String,
    pub(crate) today: Day,
    pub(crate) form: F,
}

impl<F> ReferralForm<F> {
    /// (snapshot, viewer, referral index, referral id, today, form).
    pub(crate) fn into_parts(self) -> (Arc<Snapshot>, Viewer, usize, String, Day, F) {
        (
            self.data, self.v, self.index, self.id, self.today, self.form,
        )
    }
}

/// The session's CSRF token, which every form carries beside its fields.
#[derive(Deserialize)]
struct CsrfToken {
    #[serde(default)]
    csrf: String,
}

impl<F> FromRequest<Shared> for ReferralForm<F>
where
    F: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &Shared) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Path(params) = Path::<std::collections::HashMap<String, String>>::from_request_parts(
            &mut parts, state,
        )
        .await
        .map_err(IntoResponse::into_response)?;
        let id = params.get("id").cloned().unwrap_or_default();
        let headers = parts.headers.clone();
        // The body is read once: the token, then the form (the Form
        // extractor, with its content-type check and its rejections).
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let CsrfToken { csrf } = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfToken {
            csrf: String::new(),
        });
        let Form(form) =
            Form::<F>::from_request(Request::from_parts(parts, Body::from(bytes)), state)
                .await
                .map_err(IntoResponse::into_response)?;
        let (data, v, index, today) = referral_for_write(state, &headers, &id, &csrf).await?;
        Ok(ReferralForm {
            data,
            v,
            index,
            id,
            today,
            form,
        })
    }
}
