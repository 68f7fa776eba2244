//! The IPS Grow quarterly return (managers and admins): choose a quarter
//! (the last closed one to begin with), preview its figures and download
//! them, then submit it — a second, confirmed step that freezes the figures.
//! Below, every submitted return with what has changed since, and its frozen
//! figures to download again.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use ipstrack_core::report::Report;
use ipstrack_core::returns::{NotYet, may_submit};
use ipstrack_core::{Dataset, Day, Period};
use ipstrack_interop::{COLUMNS, FIGURE_POINTERS, ReturnOf, ReturnRow};
use ipstrack_store::{StoreError, Submission};
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::extract::{Manager, Managers, Posted, SignedIn};
use crate::period::{PeriodQuery, period_of};
use crate::saved::{saved_redirect, success_banner, take_saved};
use crate::ui::dates::uk_date;
use crate::ui::figures::percent;
use crate::ui::layout::{layout, plural};
use crate::viewer::Viewer;
use crate::{AppState, Shared, Snapshot};
use maud::{Markup, html};

pub(crate) mod affected;
mod files;
mod submitted;

use files::*;
use submitted::*;

/// The return page, its confirmation and submission, and the downloads.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/returns", get(returns).post(submit_return))
        .route("/returns/confirm", get(confirm))
        .route("/returns/{file}", get(grow_return))
}

/// The period and as-of date as typed in the form (or the query).
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ReturnQuery {
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
    /// The as-of date as a GOV.UK date input sends it.
    #[serde(default, rename = "as_of-day")]
    as_of_day: Option<String>,
    #[serde(default, rename = "as_of-month")]
    as_of_month: Option<String>,
    #[serde(default, rename = "as_of-year")]
    as_of_year: Option<String>,
}

impl ReturnQuery {
    /// The query with the as-of date's day, month and year boxes read as one.
    fn joined(self) -> ReturnQuery {
        let as_of = crate::period::joined(&self.as_of_day, &self.as_of_month, &self.as_of_year)
            .or(self.as_of);
        ReturnQuery {
            period: self.period,
            as_of,
            ..ReturnQuery::default()
        }
    }
}

/// The field of the return form a problem is about.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Period,
    AsOf,
}

impl Field {
    fn id(self) -> &'static str {
        match self {
            Field::Period => "return-period",
            Field::AsOf => "return-as_of",
        }
    }
}

/// A problem with what was typed: the field it is about and what to change.
type Problem = (Field, String);

/// A quarter in words: `October to December 2024 (2024/25 Q3)`; any
/// other period of whole months likewise; else its days and label.
pub(crate) fn period_words(start: Day, end: Day, label: &str) -> String {
    let (s, e) = (start.date(), end.date());
    let whole_months = s.day() == 1 && end.plus(1).date().day() == 1;
    let days = match (whole_months, s.year() == e.year()) {
        (true, true) => format!("{} to {}", s.strftime("%B"), e.strftime("%B %Y")),
        (true, false) => format!("{} to {}", s.strftime("%B %Y"), e.strftime("%B %Y")),
        (false, true) => format!("{} to {}", s.strftime("%-d %B"), e.strftime("%-d %B %Y")),
        (false, false) => format!("{} to {}", s.strftime("%-d %B %Y"), e.strftime("%-d %B %Y")),
    };
    format!("{days} ({})", label.replace("-Q", " Q"))
}

fn words_of(period: &Period) -> String {
    period_words(period.start, period.end, &period.label)
}

/// The quarter and as-of date of a return, read from what was typed: a
/// quarter (a date range of exactly a quarter is that quarter, under its
/// label), and an as-of date from its start to today (empty: today).
fn chosen(q: &ReturnQuery, today: Day) -> Result<(Period, Day), Problem> {
    let typed = q.period.as_deref().unwrap_or_default().trim();
    if typed.is_empty() {
        return Err((Field::Period, "Choose the quarter of the return.".into()));
    }
    let not_a_quarter = || {
        (
            Field::Period,
            format!(
                "“{typed}” is not a quarter: choose one from the list (a financial year's Q1 to Q4, for example 2024/25-Q3)."
            ),
        )
    };
    let period = Period::parse(typed).map_err(|_| not_a_quarter())?;
    let (fy, n) = period.as_quarter().ok_or_else(not_a_quarter)?;
    let period = Period::quarter(fy, n);
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => today,
        Some(a) => Day::parse(a).ok_or_else(|| {
            (
                Field::AsOf,
                "The as-of date must be a real date, for example, 15 1 2025".to_string(),
            )
        })?,
    };
    if as_of < period.start {
        return Err((
            Field::AsOf,
            format!(
                "The figures cannot be as of {}: {} starts on {}.",
                uk_date(as_of),
                period.label,
                uk_date(period.start)
            ),
        ));
    }
    if as_of > today {
        return Err((
            Field::AsOf,
            format!("The as-of date cannot be after today ({}).", uk_date(today)),
        ));
    }
    Ok((period, as_of))
}

/// Why a quarter's return cannot be submitted yet (`None`: it can, unless
/// submitted already): its quarter has not closed, or its figures would
/// stop before the quarter's end.
fn not_yet(period: &Period, as_of: Day, today: Day) -> Option<Problem> {
    match may_submit(period, as_of, today).err()? {
        NotYet::QuarterOpen { from } => Some((
            Field::Period,
            format!(
                "{} ends on {}: its return can be submitted from {}, once the quarter has closed.",
                period.label,
                uk_date(period.end),
                uk_date(from)
            ),
        )),
        NotYet::FiguresStopEarly { end } => Some((
            Field::AsOf,
            format!(
                "Figures as of {} leave out the end of the quarter: choose an as-of date from {} to today.",
                uk_date(as_of),
                uk_date(end)
            ),
        )),
    }
}

/// The submitted return of a period, if any.
fn submitted<'a>(submissions: &'a [Submission], period: &Period) -> Option<&'a Submission> {
    submissions.iter().find(|s| s.period_label == period.label)
}

/// When a return was submitted, the UK way: `15 Jan 2025 at 10:23`.
fn submitted_when(s: &Submission) -> String {
    match s.submitted_at.parse::<jiff::Timestamp>() {
        Ok(at) => {
            let zone = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
            let local = at.to_zoned(zone);
            format!(
                "{} at {}",
                uk_date(Day::from_date(local.date())),
                local.strftime("%H:%M")
            )
        }
        Err(_) => s.submitted_at.clone(),
    }
}

/// A submitted return is never changed: the answer to submitting it again.
fn already_submitted(s: &Submission) -> String {
    let what = match Period::parse(&s.period_label) {
        Ok(p) => words_of(&p),
        Err(_) => s.period_label.clone(),
    };
    format!(
        "The return for {what} was submitted on {} by {}. A submitted return is never changed: what has changed since is listed under Submitted returns.",
        submitted_when(s),
        s.submitted_by
    )
}

/// `/returns`: the form (the last closed quarter and today to begin with),
/// the preview of the quarter asked for, and the submitted returns.
pub(crate) async fn returns(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
    headers: HeaderMap,
    Query(q): Query<ReturnQuery>,
) -> WebResult {
    let q = q.joined();
    let saved = take_saved(&state, &headers);
    let asked = q.period.is_some() || q.as_of.is_some();
    let (status, page) = if asked {
        match chosen(&q, state.today()).and_then(|c| report_of(&data, c)) {
            Ok((period, as_of, report)) => (
                StatusCode::OK,
                returns_page(&state, &data, &q, Some((&period, as_of, &report)), None).await?,
            ),
            Err(problem) => (
                StatusCode::BAD_REQUEST,
                returns_page(&state, &data, &q, None, Some(problem)).await?,
            ),
        }
    } else {
        let start = ReturnQuery {
            period: Some(Period::last_closed_quarter(state.today()).label),
            as_of: Some(state.today().to_string()),
            ..ReturnQuery::default()
        };
        (
            StatusCode::OK,
            returns_page(&state, &data, &start, None, None).await?,
        )
    };
    let page = html! { (success_banner(saved.as_ref().map(|s| s.0))) (page) };
    Ok(match saved {
        Some((_, clear)) => (status, clear, layout(&v, "Quarterly returns", page)).into_response(),
        None => (status, layout(&v, "Quarterly returns", page)).into_response(),
    })
}

/// The report of a chosen quarter, or why there is none.
fn report_of(
    data: &Snapshot,
    (period, as_of): (Period, Day),
) -> Result<(Period, Day, std::sync::Arc<Report>), Problem> {
    match data.report(&period, as_of) {
        Ok(r) => Ok((period, as_of, r)),
        Err(e) => Err((Field::Period, e.to_string())),
    }
}

/// The return page's body: the form as typed (with its problem beside the
/// field), the preview of a quarter, and the submitted returns.
async fn returns_page(
    state: &AppState,
    data: &Snapshot,
    typed: &ReturnQuery,
    preview: Option<(&Period, Day, &Report)>,
    problem: Option<Problem>,
) -> WebResult<Markup> {
    let submissions = state.store.submissions().await?;
    let today = state.today();
    let error = |field: Field| {
        problem
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    };
    Ok(html! {
        @if let Some((field, message)) = &problem {
            div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title" {
                h2 id="error-summary-title" { "There is a problem" }
                ul { li { a href=(format!("#{}", field.id())) { (message) } } }
            }
        }
        form method="get" action="/returns" class="panel return-choose" novalidate {
            h2 { "Choose the quarter" }
            p { "The IPS Grow return is made each financial quarter once it has closed. "
                "Preview a quarter's figures and download them; submitting is a separate step that freezes them." }
            (quarter_field(data, today, typed.period.as_deref().unwrap_or_default(), error(Field::Period)))
            (as_of_field(typed.as_of.as_deref().unwrap_or_default(), error(Field::AsOf)))
            button type="submit" { "Preview the return" }
        }
        @if let Some((period, as_of, report)) = preview {
            (preview_html(data, period, as_of, report, submitted(&submissions, period), today))
        }
        (submissions_html(data, &submissions))
    })
}

/// The quarter of the return, chosen from the quarters with data (newest
/// first, as the other pages' period lists); a label typed into the address
/// that is not in the list is kept, as typed, with its error.
fn quarter_field(data: &Snapshot, today: Day, typed: &str, error: Option<&str>) -> Markup {
    let id = Field::Period.id();
    let choices: Vec<(String, String)> = crate::period::period_choices(&data.dataset, today)
        .into_iter()
        .filter(|(label, _)| Period::parse(label).is_ok_and(|p| p.as_quarter().is_some()))
        .collect();
    let listed = choices.iter().any(|(label, _)| label == typed);
    let described = match error {
        Some(_) => format!("{id}-hint {id}-error"),
        None => format!("{id}-hint"),
    };
    html! {
        div class=(if error.is_some() { "field has-error" } else { "field" }) {
            label for=(id) { "Quarter" }
            span class="hint" id=(format!("{id}-hint")) { "The financial year's quarters: Q1 is April to June, Q4 January to March." }
            @if let Some(e) = error { span class="error" id=(format!("{id}-error")) { (e) } }
            select id=(id) name="period" aria-describedby=(described) {
                @if !listed && !typed.is_empty() { option value=(typed) selected { (typed) " (as typed)" } }
                @for (label, words) in &choices { option value=(label) selected[label == typed] { (words) } }
            }
        }
    }
}

/// The as-of date of the return, with its hint and error.
fn as_of_field(value: &str, error: Option<&str>) -> Markup {
    // Its Day box's id is `Field::AsOf.id()`, where the error summary links.
    let state = crate::ui::form::FormState {
        form: "return",
        values: vec![("as_of".into(), value.to_string())],
        errors: error
            .map(|e| vec![("as_of", e.to_string())])
            .unwrap_or_default(),
        ..Default::default()
    };
    html! {
        (crate::ui::form::date_input(&state, "return", "as_of", "Figures as of", None))
        p class="hint" { "Events dated after this day are left out (empty: today)." }
    }
}

/// The address of a return file of a period as of a day.
fn file_href(file: &str, label: &str, as_of: Day) -> String {
    format!("/returns/{file}?period={label}&as_of={as_of}")
}

/// The preview of a quarter's return: what it is, the figures that would be
/// submitted, the two downloads, and the way on to submit it (or why not).
fn preview_html(
    data: &Snapshot,
    period: &Period,
    as_of: Day,
    report: &Report,
    done: Option<&Submission>,
    today: Day,
) -> Markup {
    let mut rows = ipstrack_interop::grow_return(report, &data.dataset);
    // The rows that make the teams add up to the service.
    if let Ok(none) = data.unallocated(period, as_of) {
        let balance = ipstrack_interop::balance_rows(&rows, &none);
        rows.extend(balance);
    }
    let blocked = not_yet(period, as_of, today);
    html! {
        section class="panel return-preview" aria-labelledby="preview-title" id="preview" {
            h2 id="preview-title" { "Preview: " (words_of(period)) }
            p { "Figures as of " (uk_date(as_of)) ". Nothing is submitted until you confirm." }
            p class="return-downloads" {
                a class="button secondary" href=(file_href("grow-return.xlsx", &period.label, as_of)) download { "Download xlsx" }
                " "
                a class="button secondary" href=(file_href("grow-return.csv", &period.label, as_of)) download { "Download CSV" }
            }
            (figures_table(&rows, "The figures of the return: each team, what no team held, and the service they add up to (the files also have a row for each ES)"))
            @if let Some(s) = done {
                p class="return-note" { strong { "Already submitted. " } (already_submitted(s)) }
            } @else if let Some((_, why)) = &blocked {
                p class="return-note" { strong { "Not yet. " } (why) }
            } @else {
                form method="get" action="/returns/confirm" {
                    input type="hidden" name="period" value=(period.label);
                    input type="hidden" name="as_of" value=(as_of.to_string());
                    button type="submit" { "Submit this return" }
                }
            }
        }
    }
}

/// One figure of a return as shown: a count, a rate as a percentage, `–`
/// where there is none.
fn figure_text(column: usize, v: Option<f64>) -> String {
    if ipstrack_interop::is_rate(column) {
        return percent(v);
    }
    v.map_or("–".into(), |v| format!("{v}"))
}

/// The return's figures, one row per figure, a column per team and the
/// service: unemployed and employed apart, as IPS Grow asks for them.
pub(super) fn figures_table(rows: &[ReturnRow], caption: &str) -> Markup {
    let mut shown: Vec<&ReturnRow> = rows.iter().filter(|r| r.level == "team").collect();
    shown.extend(rows.iter().filter(|r| r.level == "balance"));
    shown.extend(rows.iter().filter(|r| r.level == "service"));
    html! {
        div class="table-scroll" role="region" aria-label=(caption) tabindex="0" {
            table class="return-figures" {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Figure" }
                    @for r in &shown {
                        th scope="col" class="num" { @if r.level == "service" { "Service" } @else { (r.name) } }
                    }
                } }
                tbody {
                    @for (c, (heading, _)) in COLUMNS.iter().enumerate() {
                        tr {
                            th scope="row" { (heading) }
                            @for r in &shown { td class="num" { (figure_text(c, r.figures[c])) } }
                        }
                    }
                }
            }
        }
    }
}

/// `/returns/confirm?period=..&as_of=..`: the question before a return is
/// submitted, naming the quarter, with Submit and Cancel.
pub(crate) async fn confirm(
    State(state): State<Shared>,
    Manager(SignedIn { v, data }): Manager,
    Query(q): Query<ReturnQuery>,
) -> WebResult {
    confirm_or_problem(&state, &data, &v, &q, StatusCode::BAD_REQUEST).await
}

/// The confirmation page of a return that can be submitted; otherwise the
/// return page with what stops it (`bad` for what was typed wrong, 409 for
/// a quarter submitted already, 422 for one not closed).
async fn confirm_or_problem(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    q: &ReturnQuery,
    bad: StatusCode,
) -> WebResult {
    let today = state.today();
    let (period, as_of, report) = match chosen(q, today).and_then(|c| report_of(data, c)) {
        Ok(c) => c,
        Err(problem) => return Err(problem_page(state, data, v, q, None, problem, bad).await),
    };
    let submissions = state.store.submissions().await?;
    if let Some(s) = submitted(&submissions, &period) {
        let problem = (Field::Period, already_submitted(s));
        let preview = Some((&period, as_of, &*report));
        return Err(problem_page(state, data, v, q, preview, problem, StatusCode::CONFLICT).await);
    }
    if let Some(problem) = not_yet(&period, as_of, today) {
        let preview = Some((&period, as_of, &*report));
        return Err(problem_page(
            state,
            data,
            v,
            q,
            preview,
            problem,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await);
    }
    let rows = ipstrack_interop::grow_return(&report, &data.dataset);
    let (teams, specialists) = (
        rows.iter().filter(|r| r.level == "team").count(),
        rows.iter().filter(|r| r.level == "es").count(),
    );
    let back = format!("/returns?period={}&as_of={as_of}#preview", period.label);
    Ok(layout(
        v,
        "Submit the return",
        html! {
            div class="panel return-confirm" {
                p class="lede" {
                    "Submit the return for " strong { (words_of(&period)) } "? "
                    "The figures will be frozen: later changes to case data will be shown against them, not change them."
                }
                p { "Figures as of " (uk_date(as_of)) ": the service, " (plural(teams as i64, "team", "teams")) " and "
                    (plural(specialists as i64, "ES", "ESs")) ". A quarter's return is submitted once." }
                (crate::ui::form::FormState::post_form(v, "/returns", html! {
                    input type="hidden" name="period" value=(period.label);
                    input type="hidden" name="as_of" value=(as_of.to_string());
                    input type="hidden" name="confirm" value="yes";
                    button type="submit" { "Submit" } " "
                    a class="button secondary" href=(back) { "Cancel" }
                }))
            }
        },
    )
    .into_response())
}

/// The return page with a problem beside its field, answered with `status`.
async fn problem_page(
    state: &AppState,
    data: &Snapshot,
    v: &Viewer,
    q: &ReturnQuery,
    preview: Option<(&Period, Day, &Report)>,
    problem: Problem,
    status: StatusCode,
) -> WebError {
    match returns_page(state, data, q, preview, Some(problem)).await {
        Ok(body) => WebError::Page(status, layout(v, "Quarterly returns", body)),
        Err(e) => e,
    }
}

#[derive(Deserialize)]
pub(crate) struct SubmitForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    as_of: String,
    /// `yes` from the confirmation page; without it, the post asks first.
    #[serde(default)]
    confirm: String,
}

/// POST `/returns`: confirmed, freezes the quarter's figures; unconfirmed,
/// shows the confirmation first.
pub(crate) async fn submit_return(
    State(state): State<Shared>,
    Posted { data, v, form, .. }: Posted<SubmitForm, Managers>,
) -> WebResult {
    let q = ReturnQuery {
        period: Some(form.period.clone()),
        as_of: Some(form.as_of.clone()),
        ..ReturnQuery::default()
    };
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    if form.confirm != "yes" {
        return confirm_or_problem(&state, &data, &v, &q, bad).await;
    }
    let today = state.today();
    let (period, as_of, report) = match chosen(&q, today).and_then(|c| report_of(&data, c)) {
        Ok(c) => c,
        Err(problem) => return Err(problem_page(&state, &data, &v, &q, None, problem, bad).await),
    };
    if let Some(problem) = not_yet(&period, as_of, today) {
        let preview = Some((&period, as_of, &*report));
        return Err(problem_page(&state, &data, &v, &q, preview, problem, bad).await);
    }
    match state.store.submit(&report, &v.session.user.username).await {
        Ok(_) => {
            tracing::info!(user = %v.session.user.username, period = %period.label, "IPS Grow return submitted");
            Ok(saved_redirect(&state, "/returns", "return"))
        }
        // Submitted already (by someone else meanwhile, or a second click):
        // the page says when and by whom; a return never changes.
        Err(StoreError::Exists(_)) => {
            let submissions = state.store.submissions().await?;
            let message = submitted(&submissions, &period).map_or_else(
                || format!("{} has already been submitted.", period.label),
                already_submitted,
            );
            let preview = Some((&period, as_of, &*report));
            Err(problem_page(
                &state,
                &data,
                &v,
                &q,
                preview,
                (Field::Period, message),
                StatusCode::CONFLICT,
            )
            .await)
        }
        Err(e) => Err(e.into()),
    }
}
