//! The API's reads and writes of a person (a client): their details, with
//! the fingerprint an update names in `If-Match`, and a change of them under
//! the person form's rules (BAD-1; an NHS number placed by core's rule of
//! scope, issue 21).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ipstrack_core::bundle::ClientDoc;
use ipstrack_store::StoreError;

use super::writes::{if_match, store_refusal};
use super::{ApiError, Caller};
use crate::Shared;
use crate::extract::{SignedIn, in_scope};
use crate::viewer::Viewer;

/// A client of the caller's scope (a referral of theirs is in it), with
/// `ETag` the fingerprint an update names in `If-Match`.
#[utoipa::path(
    get,
    path = "/api/v1/clients/{id}",
    params(("id" = String, Path, description = "The client id")),
    responses(
        (status = 200, description = "The client; ETag is its fingerprint", body = ClientDoc),
        (status = 404, description = "No such client within the caller's scope"),
    )
)]
pub(crate) async fn api_client(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let referral = client_referral(&state, &v, &data, &id).await?;
    let saved = state
        .store
        .referral(&referral)
        .await
        .map_err(store_refusal)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not found"))?;
    Ok(client_answer(&v.scope.client_as_shown(&saved.client)))
}

fn client_answer(c: &ClientDoc) -> Response {
    let tag = HeaderValue::from_str(&format!("\"{}\"", ipstrack_store::client_fingerprint(c)))
        .expect("hex");
    let mut response = Json(c).into_response();
    response.headers_mut().insert(header::ETAG, tag);
    response
}

/// The newest referral of client `id` in the caller's scope; else 404 (a
/// client of another team's, looked up by id, is audited).
async fn client_referral(
    state: &crate::AppState,
    v: &Viewer,
    data: &crate::Snapshot,
    id: &str,
) -> Result<String, ApiError> {
    let d = &data.dataset;
    let today = state.today();
    let client = data.client_index(id);
    let found = client.and_then(|c| {
        (0..d.referrals.len())
            .filter(|&i| d.referrals[i].client.index() == c && in_scope(v, d, i, today))
            .max_by_key(|&i| d.referrals[i].received)
    });
    match (client, found) {
        (_, Some(i)) => Ok(d.referrals[i].id.clone()),
        (c, None) => {
            let matched = c
                .map(|_| ipstrack_core::model::OutOfScope {
                    record_type: "client",
                    record_id: id.to_string(),
                    matched_by: "id",
                })
                .into_iter()
                .collect();
            crate::extract::audit_out_of_scope(state, v, matched).await?;
            Err(ApiError::new(StatusCode::NOT_FOUND, "not found"))
        }
    }
}

/// Changes who a client is, at the fingerprint named in `If-Match`: the
/// person's form's rules (BAD-1, an NHS number no other client has). The
/// same body sent again changes nothing and answers 200.
#[utoipa::path(
    put,
    path = "/api/v1/clients/{id}",
    request_body = ClientDoc,
    params(
        ("id" = String, Path, description = "The client id"),
        ("If-Match" = String, Header, description = "The client's ETag"),
    ),
    responses(
        (status = 200, description = "The client as saved; ETag is its new fingerprint", body = ClientDoc),
        (status = 404, description = "No such client within the caller's scope"),
        (status = 409, description = "The client changed since, or the NHS number is another client's"),
        (status = 422, description = "What to change, field by field"),
        (status = 428, description = "No If-Match"),
    )
)]
pub(crate) async fn api_update_client(
    State(state): State<Shared>,
    Caller(SignedIn { v, data }): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(mut body): Json<ClientDoc>,
) -> Result<Response, ApiError> {
    let referral = client_referral(&state, &v, &data, &id).await?;
    let seen = if_match(&headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "an update needs If-Match: the ETag of the client",
        )
    })?;
    body.id = id;
    // Where its NHS number is (issue 21): a client of the caller's scope is
    // named; another team's is never told (this one is kept as a possible
    // duplicate of it for a manager).
    let today = state.today();
    if let Err(at) =
        crate::referrals::person::place_nhs_number(&state, &v, &data.dataset, today, &mut body)
            .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "the NHS number is already client {}'s: one person is one client",
                data.dataset.clients[at].id
            ),
        ));
    }
    // A retry of a change already made is done.
    if let Some(saved) = state
        .store
        .referral(&referral)
        .await
        .map_err(store_refusal)?
        && ipstrack_core::bundle::client_as_stored(&body).is_ok_and(|c| c == saved.client)
    {
        return Ok(client_answer(&v.scope.client_as_shown(&saved.client)));
    }
    let saved = match state
        .store
        .update_client(&referral, &body, &seen, &v.session.user.username)
        .await
    {
        Ok(saved) => saved,
        // Taken since the caller's data was read (a race): never whose.
        Err(StoreError::Exists(_)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "the NHS number was given to another client a moment ago",
            ));
        }
        Err(e) => return Err(store_refusal(e)),
    };
    state.publish(&saved).await;
    Ok(client_answer(&v.scope.client_as_shown(&saved.client)))
}
