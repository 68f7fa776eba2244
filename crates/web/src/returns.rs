//! The IPS Grow quarterly return (managers and admins): choose a quarter
//! (the last closed one to begin with), preview its figures and download
//! them, then submit it — a second, confirmed step that freezes the figures.
//! Below, every submitted return with what has changed since, and its frozen
//! figures to download again.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use ipstrack_core::report::Report;
use ipstrack_core::{Dataset, Day, Period};
use ipstrack_interop::{COLUMNS, FIGURE_POINTERS, ReturnOf, ReturnRow};
use ipstrack_store::{StoreError, Submission};
use serde::Deserialize;

use crate::error::{WebError, WebResult};
use crate::extract::{Manager, Managers, Posted, SignedIn, Viewer};
use crate::period::{PeriodQuery, period_of};
use crate::ui::dates::uk_date;
use crate::ui::figures::percent;
use crate::ui::layout::{layout, plural};
use crate::ui::saved::{saved_redirect, success_banner, take_saved};
use crate::{AppState, Shared, Snapshot};
use maud::{Markup, html};

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

/// A quarter in words: `1 October to 31 December 2024 (2024/25 Q3)`; any
/// other period: its days and label.
pub(crate) fn period_words(start: Day, end: Day, label: &str) -> String {
    let (s, e) = (start.date(), end.date());
    let days = if s.year() == e.year() {
        format!("{} to {}", s.strftime("%-d %B"), e.strftime("%-d %B %Y"))
    } else {
        format!("{} to {}", s.strftime("%-d %B %Y"), e.strftime("%-d %B %Y"))
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
                format!("“{a}” is not a date: enter the as-of date like 2025-01-15."),
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
    if today <= period.end {
        return Some((
            Field::Period,
            format!(
                "{} ends on {}: its return can be submitted from {}, once the quarter has closed.",
                period.label,
                uk_date(period.end),
                uk_date(period.end.plus(1))
            ),
        ));
    }
    if as_of < period.end {
        return Some((
            Field::AsOf,
            format!(
                "Figures as of {} leave out the end of the quarter: choose an as-of date from {} to today.",
                uk_date(as_of),
                uk_date(period.end)
            ),
        ));
    }
    None
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
    let id = Field::AsOf.id();
    let described = match error {
        Some(_) => format!("{id}-hint {id}-error"),
        None => format!("{id}-hint"),
    };
    html! {
        div class=(if error.is_some() { "field has-error" } else { "field" }) {
            label for=(id) { "Figures as of" }
            span class="hint" id=(format!("{id}-hint")) { "Events dated after this day are left out (empty: today)." }
            @if let Some(e) = error { span class="error" id=(format!("{id}-error")) { (e) } }
            input id=(id) name="as_of" type="date" value=(value) aria-describedby=(described);
        }
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
    let rows = ipstrack_interop::grow_return(report, &data.dataset);
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
            (figures_table(&rows, "The figures of the return: the service and each team (the files also have a row for each ES)"))
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
    if COLUMNS[column].0 == "Job outcome rate" {
        return percent(v);
    }
    v.map_or("–".into(), |v| format!("{v}"))
}

/// The return's figures, one row per figure, a column per team and the
/// service: unemployed and employed apart, as IPS Grow asks for them.
fn figures_table(rows: &[ReturnRow], caption: &str) -> Markup {
    let mut shown: Vec<&ReturnRow> = rows.iter().filter(|r| r.level == "team").collect();
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

/// A change of one figure since a return was submitted, in words.
struct Change {
    /// The service, a team's or an ES's name.
    who: String,
    what: String,
    then: String,
    now: String,
    /// A figure of the return's files (else another figure of the report).
    in_return: bool,
}

/// The words of a figure of a KPI block, by its path in the JSON report
/// (`referrals.unemployed`), and whether the return's files carry it.
fn figure_words(path: &str) -> (String, bool) {
    let pointer = format!("/{}", path.replace('.', "/"));
    if let Some(i) = FIGURE_POINTERS.iter().position(|p| *p == pointer) {
        return (COLUMNS[i].0.to_string(), true);
    }
    let known = match path {
        "team" => "Team",
        "caseload.date" => "Caseload day",
        "caseload.on_hold" => "On hold",
        "caseload.active_per_fte" => "Active caseload per FTE",
        "job_outcome_rate.numerator" => "Job outcome rate: people into work (unemployed)",
        "working_rate.numerator" => "Working rate: people working (unemployed)",
        "working_rate.value" => "Working rate",
        "sustainment_rate_13w.numerator" => "13-week sustainment: jobs sustained",
        "sustainment_rate_13w.denominator" => "13-week sustainment: jobs counted",
        "sustainment_rate_13w.pending" => "13-week sustainment: jobs not yet 13 weeks old",
        "sustainment_rate_13w.value" => "13-week sustainment rate",
        "fidelity_caseload_score" => "Fidelity caseload score",
        "targets.year" => "Year of the ES (targets)",
        "targets.access" => "Access target",
        "targets.access_to_date" => "Access target to date",
        "targets.people_into_work" => "People into work target",
        "targets.job_outcome_rate" => "Job outcome rate target",
        "targets.sustainment_rate_13w" => "13-week sustainment target",
        "targets.status.access" => "Access against target",
        "targets.status.people_into_work" => "People into work against target",
        "targets.status.job_outcome_rate" => "Job outcome rate against target",
        "targets.status.sustainment_rate_13w" => "13-week sustainment against target",
        _ => "",
    };
    if !known.is_empty() {
        return (known.to_string(), false);
    }
    // A figure added to the report later: its path, made readable.
    let words = path.replace(['.', '_'], " ");
    let mut chars = words.chars();
    let words = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    (words, false)
}

/// A value of the JSON report in words: a rate as a percentage, a status
/// and a day in words, nothing as `–`.
fn value_words(path: &str, text: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
    if path.ends_with("date") {
        return value
            .as_str()
            .and_then(Day::parse)
            .map_or_else(|| "–".to_string(), uk_date);
    }
    let rate = path.ends_with(".value")
        || path == "targets.job_outcome_rate"
        || path == "targets.sustainment_rate_13w";
    match value {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if rate => percent(Some(f)),
            Some(f) if f.fract() != 0.0 => format!("{:.2}", f),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => match s.as_str() {
            "met" => "Met".into(),
            "on_track" => "On track".into(),
            "behind" => "Behind".into(),
            _ => Day::parse(&s).map_or(s.clone(), uk_date),
        },
        other => other.to_string(),
    }
}

/// The changes since a return, as `figure_changes` lists them
/// (`teams[t1].referrals.unemployed: 3 → 4`), in words and names.
fn changes_in_words(changes: &[String], data: &Dataset) -> Vec<Change> {
    let team = |id: &str| {
        data.teams
            .iter()
            .find(|t| t.id == id)
            .map_or(format!("Team {id}"), |t| t.name.clone())
    };
    let es = |id: &str| {
        data.staff
            .iter()
            .find(|s| s.id == id)
            .map_or(format!("ES {id}"), |s| s.name.clone())
    };
    changes
        .iter()
        .map(|line| {
            let (path, values) = line.split_once(": ").unwrap_or((line, ""));
            let (then, now) = values.split_once(" → ").unwrap_or((values, ""));
            let (who, field) = if let Some(rest) = path.strip_prefix("service.") {
                ("Service".to_string(), rest)
            } else if let Some((scope, rest)) = path.split_once("].") {
                match scope.split_once('[') {
                    Some(("teams", id)) => (team(id), rest),
                    Some(("specialists", id)) => (es(id), rest),
                    _ => (String::new(), path),
                }
            } else {
                (String::new(), path)
            };
            let (what, in_return) = figure_words(field);
            let (then, now) = if field == "team" {
                let name = |v: &str| team(v.trim_matches('"'));
                (name(then), name(now))
            } else {
                (value_words(field, then), value_words(field, now))
            };
            Change {
                who,
                what,
                then,
                now,
                in_return,
            }
        })
        .collect()
}

/// A table of changes since a return was submitted.
fn changes_table(changes: &[&Change], caption: &str) -> Markup {
    html! {
        div class="table-scroll" role="region" aria-label=(caption) tabindex="0" {
            table class="return-changes" {
                caption { (caption) }
                thead { tr {
                    th scope="col" { "Who" } th scope="col" { "Figure" }
                    th scope="col" class="num" { "Submitted" } th scope="col" class="num" { "Now" }
                } }
                tbody {
                    @for c in changes {
                        tr { td { (c.who) } td { (c.what) } td class="num" { (c.then) } td class="num" { (c.now) } }
                    }
                }
            }
        }
    }
}

/// The most changes listed of a return (the files have them all).
const CHANGES_SHOWN: usize = 100;

/// Every submitted return, the latest quarter first: who submitted it and
/// when, its frozen figures to download, and what has changed since.
fn submissions_html(data: &Snapshot, submissions: &[Submission]) -> Markup {
    html! {
        section aria-labelledby="submitted-title" id="submitted" {
            h2 id="submitted-title" { "Submitted returns" }
            @if submissions.is_empty() { p { "No return has been submitted yet." } }
            @for s in submissions.iter().rev() {
                (submission_html(data, s))
            }
        }
    }
}

fn submission_html(data: &Snapshot, s: &Submission) -> Markup {
    let frozen = ipstrack_interop::submitted_return(&s.report, &data.dataset);
    let now = match (&frozen, Period::parse(&s.period_label)) {
        (Some((of, _)), Ok(period)) => data
            .report(&period, of.as_of)
            .map_err(|e| e.to_string())
            .map(|now| {
                ipstrack_core::report::figure_changes(
                    &s.report,
                    &serde_json::to_value(&*now).unwrap_or_default(),
                )
            }),
        _ => Err("the stored return cannot be read".to_string()),
    };
    let title = match &frozen {
        Some((of, _)) => period_words(of.start, of.end, &of.label),
        None => s.period_label.clone(),
    };
    html! {
        article class="panel submitted-return" {
            h3 { (title) }
            p {
                "Submitted on " (submitted_when(s)) " by " (s.submitted_by)
                @if let Some((of, _)) = &frozen { ", with figures as of " (uk_date(of.as_of)) }
                "."
            }
            @if let Some((of, _)) = &frozen {
                p class="return-downloads" {
                    "The submitted figures: "
                    a href=(file_href("submitted-return.xlsx", &of.label, of.as_of)) download { "xlsx" } ", "
                    a href=(file_href("submitted-return.csv", &of.label, of.as_of)) download { "CSV" }
                    ". The same quarter's figures now: "
                    a href=(file_href("grow-return.xlsx", &of.label, of.as_of)) download { "xlsx" } ", "
                    a href=(file_href("grow-return.csv", &of.label, of.as_of)) download { "CSV" } "."
                }
            }
            @match &now {
                Err(e) => p { "What has changed since cannot be shown: " (e) "." },
                Ok(changes) if changes.is_empty() => p { "No change since it was submitted." },
                Ok(changes) => (changes_html(changes, &data.dataset)),
            }
        }
    }
}

fn changes_html(changes: &[String], data: &Dataset) -> Markup {
    let words = changes_in_words(changes, data);
    let (ret, other): (Vec<&Change>, Vec<&Change>) = words.iter().partition(|c| c.in_return);
    html! {
        p class="return-changed" {
            strong { "Changed since it was submitted: " }
            (plural(ret.len() as i64, "figure of the return", "figures of the return"))
            @if !other.is_empty() { " and " (plural(other.len() as i64, "other figure", "other figures")) " of the report" }
            ". The submitted return stays as it was; the changes come from case data corrected or added later."
        }
        @if !ret.is_empty() {
            (changes_table(&ret.iter().take(CHANGES_SHOWN).copied().collect::<Vec<_>>(), "Figures of the return"))
            @if ret.len() > CHANGES_SHOWN { p { "The first " (CHANGES_SHOWN) " are listed: the files have every figure." } }
        }
        @if !other.is_empty() {
            details {
                summary { "Other figures of the report (" (other.len()) ")" }
                (changes_table(&other.iter().take(CHANGES_SHOWN).copied().collect::<Vec<_>>(), "Other figures of the report"))
                @if other.len() > CHANGES_SHOWN { p { "The first " (CHANGES_SHOWN) " are listed." } }
            }
        }
    }
}

/// The files of the IPS Grow return: the current figures, or the frozen ones
/// of a submitted return.
#[derive(Clone, Copy)]
pub(crate) enum GrowFile {
    Xlsx,
    Csv,
}

impl GrowFile {
    fn extension(self) -> &'static str {
        match self {
            GrowFile::Xlsx => "xlsx",
            GrowFile::Csv => "csv",
        }
    }
}

/// `/returns/grow-return.{xlsx,csv}` (the current figures) and
/// `/returns/submitted-return.{xlsx,csv}` (a submitted return's).
pub(crate) async fn grow_return(
    State(state): State<Shared>,
    Manager(signed_in): Manager,
    Path(file): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> WebResult {
    let (frozen, file) = match file.as_str() {
        "grow-return.xlsx" => (false, GrowFile::Xlsx),
        "grow-return.csv" => (false, GrowFile::Csv),
        "submitted-return.xlsx" => (true, GrowFile::Xlsx),
        "submitted-return.csv" => (true, GrowFile::Csv),
        _ => return Err(WebError::NotFound),
    };
    if frozen {
        submitted_download(&state, signed_in, &q, file).await
    } else {
        grow_return_download(&state, signed_in, &q, file)
    }
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
    tracing::info!(user = %v.session.user.username, period = %report.period.label, file = %file.extension(), "IPS Grow return downloaded");
    return_file(&ReturnOf::of(&report), &rows, file, "")
}

/// The frozen figures of a submitted return, as submitted (named from
/// today's teams and staff).
async fn submitted_download(
    state: &AppState,
    SignedIn { v, data }: SignedIn,
    q: &PeriodQuery,
    file: GrowFile,
) -> WebResult {
    let bad = |message: &str| WebError::bad_request(&v, "Submitted return", message);
    let typed = q.period.as_deref().unwrap_or_default().trim();
    let period = Period::parse(typed).map_err(|e| bad(&e.to_string()))?;
    let submissions = state.store.submissions().await?;
    let s = submitted(&submissions, &period).ok_or_else(|| {
        bad(&format!(
            "The return for {} has not been submitted.",
            period.label
        ))
    })?;
    let (of, rows) =
        ipstrack_interop::submitted_return(&s.report, &data.dataset).ok_or_else(|| {
            WebError::internal(format!("submission {}: not a report", s.period_label))
        })?;
    tracing::info!(user = %v.session.user.username, period = %of.label, file = %file.extension(), "submitted IPS Grow return downloaded");
    return_file(&of, &rows, file, "-submitted")
}

/// A return's rows as the xlsx or CSV file, named after its period and
/// as-of date (`suffix` before the extension).
fn return_file(of: &ReturnOf, rows: &[ReturnRow], file: GrowFile, suffix: &str) -> WebResult {
    let extension = file.extension();
    let (content_type, body) = match file {
        GrowFile::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ipstrack_interop::return_xlsx(of, rows).map_err(WebError::internal)?,
        ),
        GrowFile::Csv => (
            "text/csv; charset=utf-8",
            ipstrack_interop::return_csv(of, rows)
                .map_err(WebError::internal)?
                .into_bytes(),
        ),
    };
    let name = format!(
        "ips-grow-return-{}-as-of-{}{suffix}.{extension}",
        file_name_part(&of.label),
        of.as_of
    );
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
