//! The IPS Grow quarterly return: the figures of a quarter, submitted (frozen)
//! by a manager, and downloaded as the xlsx or CSV IPS Grow asks for.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use ipstrack_core::{Day, Period};
use ipstrack_store::StoreError;
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::extract::{Manager, Managers, Posted, SignedIn, Viewer};
use crate::period::{PeriodQuery, period_of};
use crate::ui::form::{FormState, problem_summary};
use crate::ui::layout::layout;
use crate::{AppState, Shared, Snapshot};
use maud::{Markup, html};

/// The return page, its submission and its downloads.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/returns", get(returns).post(submit_return))
        .route("/returns/{file}", get(grow_return))
}

/// The quarterly returns: each submitted return with what has changed since,
/// and a form to submit a period (managers and admins).
pub(crate) async fn returns(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
) -> WebResult<Markup> {
    returns_page(&state, &data, &v, None).await
}

pub(crate) async fn returns_page(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    problem: Option<String>,
) -> WebResult<Markup> {
    let submissions = state.store.submissions().await?;
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
    Ok(returns_html(v, &rows, problem.as_deref(), &default_period))
}

#[derive(Deserialize)]
pub(crate) struct SubmitForm {
    period: String,
    as_of: String,
}

pub(crate) async fn submit_return(
    State(state): State<Shared>,
    Posted { data, v, form, .. }: Posted<SubmitForm, Managers>,
) -> WebResult {
    let q = PeriodQuery {
        period: Some(form.period.clone()),
        as_of: Some(form.as_of.clone()),
        ..Default::default()
    };
    let problem = match period_of(&q, state.today()) {
        Err(e) => e,
        Ok((period, as_of)) => match data.report(&period, as_of) {
            Err(e) => e.to_string(),
            Ok(report) => match state.store.submit(&report, &v.session.user.username).await {
                Ok(_) => return Ok(Redirect::to("/returns").into_response()),
                // Submitted already: the page says so (a return never changes).
                Err(StoreError::Exists(message)) => message,
                Err(e) => return Err(e.into()),
            },
        },
    };
    let page = returns_page(&state, &data, &v, Some(problem)).await?;
    Err(WebError::Page(StatusCode::UNPROCESSABLE_ENTITY, page))
}

/// The two files of the IPS Grow return.
#[derive(Clone, Copy)]
pub(crate) enum GrowFile {
    Xlsx,
    Csv,
}

/// `/returns/grow-return.xlsx` or `/returns/grow-return.csv`.
pub(crate) async fn grow_return(
    State(state): State<Shared>,
    Manager(signed_in): Manager,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> WebResult {
    let file = match file.as_str() {
        "grow-return.xlsx" => GrowFile::Xlsx,
        "grow-return.csv" => GrowFile::Csv,
        _ => return Err(WebError::NotFound),
    };
    grow_return_download(&state, signed_in, &q, file)
}

/// A file name made of letters, digits and dashes only (`2024/25-Q3` → `2024-25-Q3`).
pub(crate) fn file_name_part(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The IPS Grow return of a period (managers and admins, like the returns
/// page): the current figures, from the snapshot's cached report.
pub(crate) fn grow_return_download(
    state: &AppState,
    SignedIn { v, data }: SignedIn,
    q: &PeriodQuery,
    file: GrowFile,
) -> WebResult {
    let bad = |message: &str| WebError::bad_request(&v, "IPS Grow return", message);
    if q.period.as_deref().is_none_or(|p| p.trim().is_empty()) {
        return Err(bad(
            "Choose the period of the return, for example 2024/25-Q3.",
        ));
    }
    let (period, as_of) = period_of(q, state.today()).map_err(|e| bad(&e))?;
    let report = data
        .report(&period, as_of)
        .map_err(|e| bad(&e.to_string()))?;
    let rows = ipstrack_interop::grow_return(&report, &data.dataset);
    let (content_type, extension, body) = match file {
        GrowFile::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            ipstrack_interop::grow_return_xlsx(&report, &rows).map_err(WebError::internal)?,
        ),
        GrowFile::Csv => (
            "text/csv; charset=utf-8",
            "csv",
            ipstrack_interop::grow_return_csv(&report, &rows)
                .map_err(WebError::internal)?
                .into_bytes(),
        ),
    };
    let name = format!(
        "ips-grow-return-{}-as-of-{}.{extension}",
        file_name_part(&report.period.label),
        report.as_of
    );
    tracing::info!(user = %v.session.user.username, period = %report.period.label, file = %extension, "IPS Grow return downloaded");
    Ok((
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
        .into_response())
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
            (FormState::post_form(v, "/returns", html! {
                p { "A submitted return is frozen: later corrections change the current figures, never the return." }
                div class="field" { label for="return-period" { "Period" } input id="return-period" name="period" value=(period); }
                div class="field" { label for="return-as_of" { "As of (empty: the period's end or today)" } input id="return-as_of" name="as_of" type="date"; }
                button type="submit" { "Submit the return" }
            }))
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
