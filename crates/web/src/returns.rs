//! The IPS Grow quarterly return: the figures of a quarter, submitted (frozen)
//! by a manager, and downloaded as the xlsx or CSV IPS Grow asks for.

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use ipstrack_core::{Day, Period};
use ipstrack_store::{Role, StoreError};
use serde::Deserialize;

use crate::error::{bad_request, forbidden_as_not_found, server_error};
use crate::extract::SignedIn;
use crate::extract::{Viewer, signed_in_form, to_sign_in, viewer};
use crate::period::{PeriodQuery, period_of};
use crate::ui::form::problem_summary;
use crate::ui::layout::layout;
use crate::{AppState, Shared, Snapshot};
use maud::{Markup, html};

/// The return page, its submission and its downloads.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/returns", get(returns).post(submit_return))
        .route("/returns/grow-return.xlsx", get(grow_return_xlsx))
        .route("/returns/grow-return.csv", get(grow_return_csv))
}

/// The quarterly returns: each submitted return with what has changed since,
/// and a form to submit a period (managers and admins).
pub(crate) async fn returns(
    State(state): State<Shared>,
    SignedIn { v, data }: SignedIn,
) -> Response {
    returns_page(&state, &data, &v, None, StatusCode::OK).await
}

pub(crate) async fn returns_page(
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
        Html(returns_html(v, &rows, problem.as_deref(), &default_period).into_string()),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct SubmitForm {
    csrf: String,
    period: String,
    as_of: String,
}

pub(crate) async fn submit_return(
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
pub(crate) enum GrowFile {
    Xlsx,
    Csv,
}

pub(crate) async fn grow_return_xlsx(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    grow_return_download(&state, &headers, &q, GrowFile::Xlsx).await
}

pub(crate) async fn grow_return_csv(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PeriodQuery>,
) -> Response {
    grow_return_download(&state, &headers, &q, GrowFile::Csv).await
}

/// A file name made of letters, digits and dashes only (`2024/25-Q3` → `2024-25-Q3`).
pub(crate) fn file_name_part(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The IPS Grow return of a period (managers and admins, like the returns
/// page): the current figures, from the snapshot's cached report.
pub(crate) async fn grow_return_download(
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

/// Submitted returns, what changed since each, and the submit form.
pub fn returns_html(
    v: &Viewer,
    rows: &[(ipstrack_store::Submission, Vec<String>)],
    problem: Option<&str>,
    period: &str,
) -> Markup {
    layout(
        v,
        "Quarterly returns",
        html! {
            (problem_summary(problem, "return-period"))
            form method="post" action="/returns" class="panel" {
                input type="hidden" name="csrf" value=(v.session.csrf);
                p { "A submitted return is frozen: later corrections change the current figures, never the return." }
                div class="field" { label for="return-period" { "Period" } input id="return-period" name="period" value=(period); }
                div class="field" { label for="return-as_of" { "As of (empty: the period's end or today)" } input id="return-as_of" name="as_of" type="date"; }
                button type="submit" { "Submit the return" }
            }
            form method="get" action="/returns/grow-return.xlsx" class="panel" {
                h2 { "Download the IPS Grow return" }
                p { "The current figures of a period, per ES, team and service: a workbook with one sheet per level, or CSV." }
                div class="field" { label for="download-period" { "Period" } input id="download-period" name="period" value=(period); }
                div class="field" { label for="download-as_of" { "As of (empty: the period's end or today)" } input id="download-as_of" name="as_of" type="date"; }
                button type="submit" { "Download xlsx" } " "
                button type="submit" class="secondary" formaction="/returns/grow-return.csv" { "Download CSV" }
            }
            @for (s, changes) in rows {
                section class="panel" {
                    h2 { (s.period_label) }
                    p { "As of " (s.as_of) ", submitted by " (s.submitted_by) " at " (s.submitted_at) "." }
                    @if changes.is_empty() { p { "No change since it was submitted." } }
                    @else {
                        p { (changes.len()) " figures have changed since:" }
                        ul { @for c in changes.iter().take(50) { li { code { (c) } } } }
                    }
                }
            }
        },
    )
}
