//! Who is asking, and may they: the signed-in user from the session cookie or
//! a script's bearer token, their place in the service, the referrals in their
//! scope, and the checks every form post makes (session, CSRF token, referral
//! in scope). A record outside one's scope is answered as if it did not exist
//! and the lookup is written to the audit log. The user found is a
//! [`Viewer`] (`viewer.rs`); the cookie and token are read by `cookies`.

use ipstrack_core::model::StaffIdx;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use ipstrack_core::Day;
use ipstrack_core::model::Dataset;
use ipstrack_core::model::Role;
use ipstrack_core::scope::Scope;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::cookies::{same, token};
use crate::error::WebError;
use crate::state::Shared;
use crate::viewer::Viewer;
use crate::{AppState, Snapshot};

/// The signed-in user of a request, if any. A session that cannot be looked
/// up (the database cannot be reached) is an error, not "signed out": the
/// request is answered 503, and a form typed is not sent to the sign-in page.
pub(crate) async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    data: &Dataset,
) -> Result<Option<Viewer>, WebError> {
    let Some(token) = token(headers) else {
        return Ok(None);
    };
    let Some(session) = state.store.session(token).await? else {
        return Ok(None);
    };
    let staff = session
        .user
        .staff_id
        .as_deref()
        .and_then(|id| data.staff.iter().position(|s| s.id == id));
    let team = staff.map(|i| data.staff[i].team);
    let scope = Scope::of(session.user.role, staff.map(StaffIdx::at), data);
    Ok(Some(Viewer {
        session,
        staff,
        team,
        scope,
    }))
}

/// Whether the viewer may see a referral (by index): core's rule of scope.
pub(crate) fn in_scope(viewer: &Viewer, data: &Dataset, referral: usize, today: Day) -> bool {
    viewer
        .scope
        .referral(data, &data.referrals[referral], today)
}

/// An ES (by staff id) the viewer may see the caseload and plan of (core's
/// rule of scope).
pub(crate) fn specialist_in_scope(v: &Viewer, data: &Dataset, id: &str) -> Option<usize> {
    let i = data.staff.iter().position(|s| s.id == id)?;
    v.scope.specialist(data, StaffIdx::at(i)).then_some(i)
}

/// Hands to the audit writer that a request matched stored records outside
/// the user's scope (the user is answered as if there were none). The
/// request does not wait for the write: the answer takes the same time
/// whether a record was matched or not (issue 21). Repeats are collapsed and
/// limited per user by the writer (`ipstrack_store::audit_queue`); a full
/// queue drops the entry, counted and logged.
pub(crate) async fn audit_out_of_scope(
    state: &AppState,
    v: &Viewer,
    matched: Vec<ipstrack_core::model::OutOfScope>,
) -> Result<(), WebError> {
    if !state
        .store
        .audit_out_of_scope_later(&v.session.user.username, matched)
    {
        tracing::warn!(
            user = %v.session.user.username,
            dropped = state.store.audit_dropped(),
            "the audit queue is full: an out-of-scope entry was dropped"
        );
    }
    Ok(())
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

/// What every form post checks first: a signed-in user and the session's
/// CSRF token.
async fn signed_in_form(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<(Arc<Snapshot>, Viewer), WebError> {
    let data = state.data();
    let v = viewer(state, headers, &data.dataset)
        .await?
        .ok_or(WebError::SignIn(None))?;
    if !same(&v.session.csrf, csrf) {
        return Err(WebError::FormExpired);
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
) -> Result<(Arc<Snapshot>, Viewer, usize, Day), WebError> {
    let (data, v) = signed_in_form(state, headers, csrf).await?;
    let today = state.today();
    let i = referral_in_scope(state, &v, &data, id, today).await?;
    Ok((data, v, i, today))
}

/// The referral `id` (its index) if it is in the viewer's scope; else it is
/// answered as if it did not exist, and a lookup that matched another
/// team's referral is written to the audit log.
pub(crate) async fn referral_in_scope(
    state: &AppState,
    v: &Viewer,
    data: &Snapshot,
    id: &str,
    today: Day,
) -> Result<usize, WebError> {
    match data.referral_index(id) {
        Some(i) if in_scope(v, &data.dataset, i, today) => Ok(i),
        found => {
            audit_out_of_scope(state, v, referral_matched(found, id)).await?;
            Err(WebError::out_of_scope(v, "referral", id))
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
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, WebError> {
        let data = state.data();
        match viewer(state, &parts.headers, &data.dataset).await? {
            Some(v) => Ok(SignedIn { v, data }),
            // A page asked for before signing in is shown after it.
            None => Err(WebError::SignIn(
                (parts.method == axum::http::Method::GET)
                    .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_string()))
                    .flatten(),
            )),
        }
    }
}

/// The roles a guard lets through; anyone else is answered 404 (the page
/// is not theirs to know of) and the refusal is logged.
async fn with_role(
    parts: &mut Parts,
    state: &Shared,
    allowed: &[Role],
) -> Result<SignedIn, WebError> {
    let signed_in = SignedIn::from_request_parts(parts, state).await?;
    signed_in.v.allow(allowed, parts.uri.path())?;
    Ok(signed_in)
}

impl Viewer {
    /// Lets the user's role through, or refuses as if `page` did not exist
    /// (404, the refusal logged).
    pub(crate) fn allow(&self, allowed: &[Role], page: &str) -> Result<(), WebError> {
        if allowed.contains(&self.session.user.role) {
            Ok(())
        } else {
            Err(WebError::out_of_scope(self, "page", page))
        }
    }
}

/// Team leads, managers and admins.
pub(crate) const LEADS: &[Role] = &[Role::TeamLead, Role::Manager, Role::Admin];
/// Managers and admins.
pub(crate) const MANAGERS: &[Role] = &[Role::Manager, Role::Admin];
/// Admins.
pub(crate) const ADMINS: &[Role] = &[Role::Admin];

/// A team lead, manager or admin (the pages about more than one caseload).
pub(crate) struct Lead(pub(crate) SignedIn);

impl FromRequestParts<Shared> for Lead {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, WebError> {
        with_role(parts, state, LEADS).await.map(Lead)
    }
}

/// A manager or admin (the whole service).
pub(crate) struct Manager(pub(crate) SignedIn);

impl FromRequestParts<Shared> for Manager {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, WebError> {
        with_role(parts, state, MANAGERS).await.map(Manager)
    }
}

/// An admin (users, policy, the audit log).
pub(crate) struct Admin(pub(crate) SignedIn);

impl FromRequestParts<Shared> for Admin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, WebError> {
        with_role(parts, state, ADMINS).await.map(Admin)
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

/// Reads a posted form once: the CSRF token beside its fields, then the form
/// itself (the Form extractor, with its content-type check and rejections).
async fn read_form<F: DeserializeOwned + Send>(
    parts: &Parts,
    body: Body,
    state: &Shared,
) -> Result<(String, F), WebError> {
    let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|r| rejection(r.into_response()))?;
    let bytes = joined_dates(bytes);
    let CsrfToken { csrf } = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfToken {
        csrf: String::new(),
    });
    let Form(form) =
        Form::<F>::from_request(Request::from_parts(parts.clone(), Body::from(bytes)), state)
            .await
            .map_err(|r| rejection(r.into_response()))?;
    Ok((csrf, form))
}

/// An extractor's own rejection (a bad content type, a malformed form) as it
/// is: its status and its text.
pub(crate) fn rejection(response: axum::response::Response) -> WebError {
    WebError::Rejected(Box::new(response))
}

impl<F> FromRequest<Shared> for ReferralForm<F>
where
    F: DeserializeOwned + Send,
{
    type Rejection = WebError;

    async fn from_request(request: Request, state: &Shared) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let Path(params) = Path::<std::collections::HashMap<String, String>>::from_request_parts(
            &mut parts, state,
        )
        .await
        .map_err(|r| rejection(r.into_response()))?;
        let id = params.get("id").cloned().unwrap_or_default();
        let (csrf, form) = read_form(&parts, body, state).await?;
        let (data, v, index, today) = referral_for_write(state, &parts.headers, &id, &csrf).await?;
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

/// A form of no fields but its CSRF token (a sign-out, a disable button).
#[derive(Deserialize)]
pub(crate) struct NoFields {}

/// Who may post a form: the roles of a [`Posted`] form.
pub(crate) trait Allowed {
    const ROLES: &'static [Role];
}

/// Anyone signed in.
pub(crate) struct Anyone;
impl Allowed for Anyone {
    const ROLES: &'static [Role] = &[Role::Es, Role::TeamLead, Role::Manager, Role::Admin];
}
/// Team leads, managers and admins.
pub(crate) struct Leads;
impl Allowed for Leads {
    const ROLES: &'static [Role] = LEADS;
}
/// Managers and admins.
pub(crate) struct Managers;
impl Allowed for Managers {
    const ROLES: &'static [Role] = MANAGERS;
}
/// Admins.
pub(crate) struct Admins;
impl Allowed for Admins {
    const ROLES: &'static [Role] = ADMINS;
}

/// A form posted by a signed-in user of one of `A`'s roles, with the
/// session's CSRF token: anyone else gets the sign-in page, 403 (an expired
/// form) or 404 (a page not theirs to know of, the refusal logged).
pub(crate) struct Posted<F, A: Allowed = Anyone> {
    pub(crate) data: Arc<Snapshot>,
    pub(crate) v: Viewer,
    pub(crate) form: F,
    allowed: std::marker::PhantomData<A>,
}

impl<F, A> FromRequest<Shared> for Posted<F, A>
where
    F: DeserializeOwned + Send,
    A: Allowed,
{
    type Rejection = WebError;

    async fn from_request(request: Request, state: &Shared) -> Result<Self, WebError> {
        let (parts, body) = request.into_parts();
        let (csrf, form) = read_form(&parts, body, state).await?;
        let (data, v) = signed_in_form(state, &parts.headers, &csrf).await?;
        v.allow(A::ROLES, parts.uri.path())?;
        Ok(Posted {
            data,
            v,
            form,
            allowed: std::marker::PhantomData,
        })
    }
}

/// A form's GOV.UK date inputs joined: `{name}-day`, `{name}-month` and
/// `{name}-year` become `{name}` — `YYYY-MM-DD` when the three are numbers
/// (a day that does not exist, such as 31 2 2026, is left for the date's
/// check to refuse), empty when all three are, else the parts as typed
/// joined with `/`, which no date check accepts and the form shows again.
/// A form without them is left as it is.
pub(crate) fn joined_dates(bytes: Bytes) -> Bytes {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) else {
        return bytes;
    };
    if !pairs.iter().any(|(k, _)| k.ends_with("-day")) {
        return bytes;
    }
    let part = |name: &str, which: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.strip_suffix(which).is_some_and(|n| n == name))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (key, value) in &pairs {
        if let Some(name) = key.strip_suffix("-day") {
            let (d, m, y) = (
                value.trim().to_string(),
                part(name, "-month"),
                part(name, "-year"),
            );
            let number = |t: &str, most: usize| {
                !t.is_empty() && t.len() <= most && t.chars().all(|c| c.is_ascii_digit())
            };
            let joined = if d.is_empty() && m.is_empty() && y.is_empty() {
                String::new()
            } else if number(&d, 2) && number(&m, 2) && y.len() == 4 && number(&y, 4) {
                format!("{y}-{m:0>2}-{d:0>2}")
            } else {
                format!("{d}/{m}/{y}")
            };
            out.push((name.to_string(), joined));
        } else if key.ends_with("-month") || key.ends_with("-year") {
            let name = key.trim_end_matches("-month").trim_end_matches("-year");
            if !pairs
                .iter()
                .any(|(k, _)| k.strip_suffix("-day") == Some(name))
            {
                out.push((key.clone(), value.clone()));
            }
        } else {
            out.push((key.clone(), value.clone()));
        }
    }
    serde_urlencoded::to_string(&out).map_or(bytes, Bytes::from)
}
